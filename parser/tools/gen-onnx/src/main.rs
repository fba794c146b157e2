//! Regenerates `parser/src/onnx/proto/onnx.rs` from `parser/proto/onnx.proto`.
//!
//! protox parses the .proto in pure Rust into a `FileDescriptorSet`, and prost-build turns that
//! into plain prost structs, so no `protoc` is needed. Paths are resolved from this crate's
//! manifest directory, so the working directory does not matter. Run through
//! `parser/tools/gen-onnx.sh`, which also rustfmt's the output.

use std::error::Error;
use std::fs;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn Error>> {
    let parser_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let parser_dir = parser_dir.canonicalize()?;
    let proto_dir = parser_dir.join("proto");
    let out_dir = parser_dir.join("src/onnx/proto");

    let fds = protox::compile([proto_dir.join("onnx.proto")], [&proto_dir])?;

    // prost-build writes `<package>.rs`, i.e. `onnx.rs`, next to the hand-written mod.rs.
    // Write into a scratch dir first so a failed run never leaves a half-written file.
    let scratch = std::env::temp_dir().join(format!("einf-gen-onnx-{}", std::process::id()));
    fs::create_dir_all(&scratch)?;
    prost_build::Config::new()
        .out_dir(&scratch)
        .compile_fds(fds)?;

    let generated = scratch.join("onnx.rs");
    let target = out_dir.join("onnx.rs");
    fs::copy(&generated, &target)?;
    fs::remove_dir_all(&scratch)?;
    println!("wrote {}", target.display());
    Ok(())
}
