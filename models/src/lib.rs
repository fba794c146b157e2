//! einf models: reference architectures built directly in einf's graph vocabulary ([`arch`]),
//! seeded variants of them ([`options::Variant`]), their export to ONNX ([`export`]), and kernel
//! benchmark suites for measurement campaigns ([`suite`]), architecture search spaces
//! ([`space`]: NAS-Bench-201, FBNet, mobile spaces from a file) and batch scoring of their
//! candidates with a per-kernel cost model ([`score`]).
//!
//! ```
//! use einf_models::{ArchOptions, arch, export};
//! let graph = arch::build("mobilenet_v2", &ArchOptions { width: 0.5, resolution: Some(160), ..Default::default() })?;
//! let bytes = export::to_onnx(&graph, export::Weights::Omitted)?;
//! assert!(!bytes.is_empty());
//! # Ok::<(), einf_models::ModelsError>(())
//! ```

pub mod arch;
pub mod error;
pub mod export;
pub mod net;
pub mod options;
pub mod rng;
pub mod score;
pub mod space;
pub mod suite;
pub mod summary;

pub use error::{ModelsError, Result};
pub use options::{ArchOptions, Variant};
