//! einf models: reference architectures built directly in einf's graph vocabulary ([`arch`]),
//! seeded variants of them ([`options::Variant`]), their export to ONNX ([`export`]), and kernel
//! benchmark suites for measurement campaigns ([`suite`]).
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
pub mod suite;
pub mod summary;

pub use error::{ModelsError, Result};
pub use options::{ArchOptions, Variant};
