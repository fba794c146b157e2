//! ONNX protobuf messages (`onnx.proto`, package `onnx`) as plain prost structs.
//!
//! `onnx.rs` is @generated from `parser/proto/onnx.proto` by prost-build 0.14 with protox 0.10
//! (no protoc): do not edit it, run `bash parser/tools/gen-onnx.sh` from the repository root.
//! Decode a model with `<ModelProto as prost::Message>::decode(bytes)`.
// Generated code: silence every lint it may trip (the workspace warns on missing docs and on
// unwrap/expect/panic, and CI runs clippy with -D warnings).
#![allow(
    missing_docs,
    unused,
    unreachable_pub,
    non_camel_case_types,
    non_snake_case,
    non_upper_case_globals,
    deprecated,
    clippy::all,
    clippy::pedantic,
    clippy::nursery,
    clippy::restriction,
    rustdoc::all
)]

include!("onnx.rs");
