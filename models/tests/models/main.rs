//! Integration tests of einf-models, grouped by behaviour: published figures, ONNX round trips,
//! seeded variants, and cross-checks against real data (qed-usc op tables, MLPerf Tiny files).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod crosscheck;
mod published;
mod roundtrip;
mod suite;
mod variants;

use einf_parser::fusion::Rules;
use einf_parser::ir::Graph;
use einf_parser::kernel::Kernel;
use std::path::PathBuf;

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Kernels of a shape-inferred graph under a backend's rules.
pub fn kernels(g: &Graph, backend: &str) -> Vec<Kernel> {
    einf_parser::analyze(g, &Rules::builtin(backend).unwrap()).unwrap().kernels
}
