//! The binary's argument handling (also makes `cargo test` build `target/*/einf`, which the
//! end-to-end tests in `tests/` run).

use std::process::Command;

#[test]
fn help_lists_the_kernels_command() {
    let out = Command::new(env!("CARGO_BIN_EXE_einf")).arg("--help").output().expect("run einf");
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("kernels"));
}

#[test]
fn unknown_subcommand_fails() {
    let out = Command::new(env!("CARGO_BIN_EXE_einf")).arg("frobnicate").output().expect("run einf");
    assert!(!out.status.success());
}
