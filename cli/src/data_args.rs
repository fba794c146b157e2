//! The training-data flags `einf train`, `einf evaluate` and `einf suite --refine` share: a store
//! (`--db`), a generic CSV or a data folder (`--data`), else the checkout's bundled data; opened
//! through einf_predictor::source.

use einf_dataset::batch::DeviceClass;
use einf_dataset::batch::Metric;
use einf_predictor::data::{BACKENDS, DeviceData, Filter};
use einf_predictor::learn::{LearnFrom, Learning};
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
    /// What the forests learn from: kernel measurements where a metric has any, else whole
    /// models (auto); kernel measurements only; or whole models, kernel rows joining as direct
    /// targets.
    #[arg(long, default_value = "auto", value_parser = learn_from_parser())]
    pub learn_from: LearnFrom,
    /// Leave the kernel rows out (their models keep their kernel lists): learn from whole models
    /// alone, e.g. to see what a device measured only end to end would give.
    #[arg(long)]
    pub without_kernel_rows: bool,
}

/// The `--learn-from` names.
fn learn_from_parser() -> impl clap::builder::TypedValueParser<Value = LearnFrom> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(["auto", "kernels", "models"])
        .try_map(|s| s.parse::<LearnFrom>())
}

impl DataArgs {
    /// The learning the flags ask for.
    pub fn learning(&self) -> Learning {
        Learning { from: self.learn_from, ..Learning::default() }
    }

    /// The training data of `device` as the flags ask (kernel rows left out with
    /// `--without-kernel-rows`).
    pub fn device_data(
        &self,
        source: &OpenSource,
        device: &str,
        metric: Option<Metric>,
    ) -> anyhow::Result<DeviceData> {
        let filter = Filter { metric, backend: self.backend.clone() };
        let mut data = source.device_data(device, &filter)?;
        if self.without_kernel_rows {
            data.kernels.clear();
        }
        Ok(data)
    }

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
