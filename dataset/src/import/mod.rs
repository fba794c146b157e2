//! Format readers: a file → an [`crate::batch::ImportBatch`] (being written).
