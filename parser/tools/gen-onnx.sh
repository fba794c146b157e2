#!/usr/bin/env bash
# Regenerates parser/src/onnx/proto/onnx.rs from parser/proto/onnx.proto (prost-build 0.14 +
# protox 0.10: pure Rust, no protoc), then rustfmt's it so `cargo fmt --check` stays quiet.
# Usage (from anywhere): bash parser/tools/gen-onnx.sh
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo_root"

# Keep the generator's build out of the workspace target dir (parser/tools/gen-onnx/target is
# git-ignored), even if the caller has CARGO_TARGET_DIR set.
export CARGO_TARGET_DIR="$repo_root/parser/tools/gen-onnx/target"
cargo run --quiet --manifest-path parser/tools/gen-onnx/Cargo.toml

rustfmt --edition 2024 parser/src/onnx/proto/onnx.rs
echo "formatted parser/src/onnx/proto/onnx.rs"
