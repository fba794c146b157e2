//! TFLite flatbuffer schema (`tflite_schema.fbs`, namespace `tflite`) as flatc-generated Rust.
//!
//! `tflite_generated.rs` is @generated from `parser/proto/tflite_schema.fbs` by flatc 25.12.19
//! (matching the pinned `flatbuffers = "=25.12.19"` crate): do not edit it, run
//! `bash parser/tools/gen-tflite.sh` from the repository root.
//!
//! The generated items live in the module `tflite` (the schema's namespace) and are re-exported
//! here, so callers write `crate::tflite::schema::Model`, `schema::root_as_model(bytes)` (verifies
//! the buffer) or `schema::BuiltinOperator`; `schema::tflite::Model` names the same item.
// Generated code: silence every lint it may trip (the workspace warns on missing docs and on
// unwrap/expect/panic, and CI runs clippy with -D warnings). flatc's Rust output implements the
// `unsafe` traits of the flatbuffers crate (`Follow`, `Push`, ...) with 800+ `unsafe` fns and
// blocks, so this module, and only this one, must allow `unsafe_code`: that needs the workspace
// level of `unsafe_code` to be `deny`, not `forbid` (a `forbid` cannot be lifted by `allow`).
#![allow(
    unsafe_code,
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

include!("tflite_generated.rs");

pub use self::tflite::*;
