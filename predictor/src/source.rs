//! Where training data comes from: a store, a generic CSV read into a store in memory, or the
//! open data bundled in the repository, each read through [`DeviceData::from_store`]. `einf
//! train`, `einf evaluate` and `einf suite --refine` open their data here.

use crate::bundled_data;
use crate::data::{DeviceData, Filter};
use crate::error::{PredictorError, Result};
use einf_dataset::batch::DeviceClass;
use einf_dataset::import::{Format, ReadOptions, read};
use einf_dataset::store::{ImportSource, Store};
use std::path::{Path, PathBuf};

/// The first bytes of every SQLite file.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// A source of training data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataSource {
    /// An einf store.
    Store(PathBuf),
    /// A generic CSV (`einf dataset import --format csv`), imported into a store in memory; the
    /// device's class when neither the file nor the name tells it.
    Csv(PathBuf, Option<DeviceClass>),
    /// The repository's `dataset/data` folder (the bundled devices).
    Bundled(PathBuf),
}

impl DataSource {
    /// The source a command line names: `db` (a store), else `data` (a generic CSV file, or a
    /// folder laid out as `dataset/data`), else `bundled`. A store given as `data`, or a CSV or
    /// folder given as `db`, is an error saying which flag it needs.
    pub fn from_flags(
        db: Option<&Path>,
        data: Option<&Path>,
        class: Option<DeviceClass>,
        bundled: &Path,
    ) -> Result<DataSource> {
        let wrong =
            |path: &Path, reason: &str| PredictorError::TrainingData(format!("{}: {reason}", path.display()));
        match (db, data) {
            (Some(_), Some(_)) => Err(PredictorError::TrainingData(
                "give a store (--db) or a data file or folder (--data), not both".into(),
            )),
            (Some(db), None) if db.is_dir() => {
                Err(wrong(db, "a folder, not a store (a data folder is --data)"))
            }
            (Some(db), None) => Ok(DataSource::Store(db.to_path_buf())),
            (None, Some(d)) if d.is_dir() => Ok(DataSource::Bundled(d.to_path_buf())),
            (None, Some(d)) if is_sqlite(d) => Err(wrong(d, "a SQLite store, not a CSV: give it as --db")),
            (None, Some(d)) if !d.exists() => Err(wrong(d, "no such file or folder")),
            (None, Some(d)) => Ok(DataSource::Csv(d.to_path_buf(), class)),
            (None, None) => Ok(DataSource::Bundled(bundled.to_path_buf())),
        }
    }

    /// Open the source: the store, the CSV imported into memory, or the bundled files imported.
    pub fn open(&self) -> Result<OpenSource> {
        let store = match self {
            DataSource::Store(p) => Store::open_existing(p)?,
            DataSource::Csv(p, class) => {
                let opts = ReadOptions { device_class: *class, ..ReadOptions::default() };
                let batch = read(Format::Csv, p, &opts)?;
                let mut store = Store::open_in_memory()?;
                store.import(&batch, &ImportSource::from_path(p)?)?;
                store
            }
            DataSource::Bundled(dir) => bundled_data::store(dir)?,
        };
        let devices = match self {
            DataSource::Bundled(_) => bundled_data::bundled_devices(),
            _ => store.devices()?.into_iter().map(|d| d.device.name).collect(),
        };
        Ok(OpenSource { source: self.clone(), store, devices })
    }
}

fn is_sqlite(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 16];
    std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut head)).is_ok() && &head == SQLITE_MAGIC
}

/// An opened source.
#[derive(Debug)]
pub struct OpenSource {
    source: DataSource,
    store: Store,
    devices: Vec<String>,
}

impl OpenSource {
    /// The devices it can train (for bundled data: the bundled devices).
    pub fn devices(&self) -> &[String] {
        &self.devices
    }

    /// The store behind it.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The full name of the device `name` selects: itself, or the one device it is a prefix of.
    pub fn resolve(&self, name: &str) -> Result<String> {
        let names: Vec<&str> = self.devices.iter().map(String::as_str).collect();
        crate::names::resolve_prefix(name, &names)
            .map_err(|e| PredictorError::InSource { place: self.describe(), error: Box::new(e) })
    }

    /// The training data of `device` (a full name, see [`OpenSource::resolve`]).
    pub fn device_data(&self, device: &str, filter: &Filter) -> Result<DeviceData> {
        DeviceData::from_store(&self.store, device, filter)
    }

    /// The source as a user would name it (`store x.db`, `csv m.csv`, `bundled data in DIR`).
    pub fn describe(&self) -> String {
        match &self.source {
            DataSource::Store(p) => format!("store {}", p.display()),
            DataSource::Csv(p, _) => format!("csv {}", p.display()),
            DataSource::Bundled(p) => format!("bundled data in {}", p.display()),
        }
    }
}
