//! The training-data flags `einf train`, `einf evaluate` and `einf suite --refine` share: a store
//! (`--db`), a generic CSV or a data folder (`--data`), else the checkout's bundled data; opened
//! through einf_predictor::source.

use einf_dataset::batch::DeviceClass;
use einf_predictor::data::BACKENDS;
use einf_predictor::source::{DataSource, OpenSource};
use std::path::PathBuf;

/// The repository's bundled data folder (for a binary built from a checkout).
pub const DEFAULT_DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../dataset/data");

/// Where the measurements come from.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct DataArgs {
    /// An einf store (`einf dataset import` writes one).
    #[arg(long, value_name = "STORE")]
    pub db: Option<PathBuf>,
    /// A generic CSV (`einf dataset import --format csv`'s columns), read into a store in memory;
    /// or a folder laid out as the checkout's dataset/data (default: the bundled data).
    #[arg(long, value_name = "FILE.csv|DIR")]
    pub data: Option<PathBuf>,
    /// With a CSV: the class of its device when neither the file nor the name tells it.
    #[arg(long, value_name = "CLASS", value_parser = crate::dataset::class_parser())]
    pub device_class: Option<DeviceClass>,
    /// The parser backend whose fusion matches the device's runtime (default: from the
    /// device's runtime).
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(BACKENDS))]
    pub backend: Option<String>,
}

impl DataArgs {
    /// Open the source the flags name. `--device-class` is refused unless the source is a CSV
    /// (a store or a data folder knows its devices' classes: it would be ignored).
    pub fn open(&self) -> anyhow::Result<OpenSource> {
        let default = PathBuf::from(DEFAULT_DATA);
        let source =
            DataSource::from_flags(self.db.as_deref(), self.data.as_deref(), self.device_class, &default)?;
        if self.device_class.is_some() && !matches!(source, DataSource::Csv(..)) {
            anyhow::bail!(
                "--device-class is for a CSV (--data FILE.csv); a store or a data folder knows its devices' classes"
            );
        }
        Ok(source.open()?)
    }
}
