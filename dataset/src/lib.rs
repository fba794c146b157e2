//! einf dataset: measured per-kernel and per-model energies, latencies and powers per device,
//! with units and provenance.
//!
//! Format readers ([`import`]) turn the field's files into an [`batch::ImportBatch`] in canonical
//! units (mJ, ms, mW); the [`store`] writes a batch into SQLite in one transaction.

pub mod batch;
pub mod import;
pub mod store;
pub mod trace;
