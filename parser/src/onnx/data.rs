//! Where constant data comes from, and how much of it may be decoded: the model folder (for
//! external data), a decode budget, and the side files already resolved.
//!
//! The budget bounds the work a small hostile file can cause: many tensors may point at the same
//! external bytes, and a sparse tensor densifies to more elements than the file holds. Real models
//! stay far below it (each decoded element of an inline tensor takes at least one byte of the
//! file); past it, constants stay [`crate::ir::ConstValue::Opaque`].

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A side file that passed the location checks.
#[derive(Debug, Clone)]
pub(crate) struct SideFile {
    /// Canonical path (inside the model folder).
    pub path: PathBuf,
    /// Size in bytes.
    pub size: u64,
}

/// Per-parse state shared by every tensor decode.
pub(crate) struct Data<'a> {
    /// Folder that external-data locations are relative to.
    pub model_dir: Option<&'a Path>,
    budget: Cell<usize>,
    files: RefCell<HashMap<String, SideFile>>,
}

impl<'a> Data<'a> {
    /// State for a model file of `len` bytes.
    pub(crate) fn new(model_dir: Option<&'a Path>, len: usize) -> Self {
        Data {
            model_dir,
            budget: Cell::new(len.saturating_mul(2).saturating_add(1 << 20)),
            files: RefCell::new(HashMap::new()),
        }
    }

    /// Take `n` elements of the decode budget; false (and nothing taken) when fewer remain.
    pub(crate) fn take(&self, n: u64) -> bool {
        let left = self.budget.get();
        match usize::try_from(n) {
            Ok(n) if n <= left => {
                self.budget.set(left - n);
                true
            }
            _ => false,
        }
    }

    /// A side file resolved before, by location.
    pub(crate) fn side_file(&self, location: &str) -> Option<SideFile> {
        self.files.borrow().get(location).cloned()
    }

    /// Remember a resolved side file.
    pub(crate) fn remember(&self, location: &str, file: SideFile) {
        self.files.borrow_mut().insert(location.to_string(), file);
    }
}

#[cfg(test)]
mod tests {
    use super::Data;

    #[test]
    fn budget_runs_out() {
        let d = Data::new(None, 0);
        assert!(d.take(1 << 20));
        assert!(!d.take(1));
        let d = Data::new(None, 10);
        assert!(!d.take(u64::MAX));
        assert!(d.take((1 << 20) + 20));
    }
}
