//! The measured kernels `einf suite --refine` cross-validates: a device's kernel samples from a
//! store (`--db`), a generic CSV or a data folder (`--data`), else the checkout's bundled data,
//! read through einf_predictor::source as `einf train` and `einf evaluate` read them (numbered
//! runs of one kernel in one model averaged, a kernel measured alone averaged over its rows).

use crate::data_args::DEFAULT_DATA;
use einf_dataset::batch::DeviceClass;
use einf_predictor::data::{Filter, KernelSample};
use einf_predictor::source::DataSource;
use std::path::{Path, PathBuf};

/// Measured kernels of one device and where they came from.
#[derive(Debug, Clone)]
pub struct Measured {
    /// The device's full name.
    pub device: String,
    /// Kernel measurements, in the data's order.
    pub samples: Vec<KernelSample>,
    /// Where they came from, for `suite.json`.
    pub source: String,
}

/// The kernel samples of `device` in the source `db` / `data` name (`class`: a CSV device's
/// class when neither file nor name tells it).
pub fn measured(
    db: Option<&Path>,
    data: Option<&Path>,
    device: &str,
    class: Option<DeviceClass>,
) -> anyhow::Result<Measured> {
    let source = DataSource::from_flags(db, data, class, &PathBuf::from(DEFAULT_DATA))?.open()?;
    let device = source.resolve(device)?;
    let d = source.device_data(&device, &Filter::default())?;
    if d.kernels.is_empty() {
        anyhow::bail!("{}: no kernel measurements of device '{device}'", source.describe());
    }
    Ok(Measured {
        device,
        samples: d.kernels,
        source: format!("{}: {}", source.describe(), d.sources.join(", ")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A generic CSV with SYNTHETIC values: two devices, a kernel measured in three numbered runs,
    /// a layer measured in two models, and a whole-model row.
    const CSV: &str = "device,kind,model,input_h,input_w,cin,cout,kernel_h,kernel_w,pad_top,pad_left,pad_bottom,pad_right,metric,value,unit,run
dev-a,conv-bn-relu,,14,14,32,64,3,3,1,1,1,1,latency,1.0,ms,1
dev-a,conv-bn-relu,,14,14,32,64,3,3,1,1,1,1,latency,2.0,ms,2
dev-a,conv-bn-relu,,14,14,32,64,3,3,1,1,1,1,latency,3.0,ms,3
dev-a,dwconv-bn-relu,net,28,28,16,16,3,3,1,1,1,1,latency,0.5,ms,
dev-a,dwconv-bn-relu,net2,28,28,16,16,3,3,1,1,1,1,latency,0.7,ms,
dev-a,,net,,,,,,,,,,,latency,9.0,ms,
dev-b,conv-bn-relu,,14,14,32,64,3,3,1,1,1,1,latency,5.0,ms,
";

    #[test]
    fn a_csv_gives_the_devices_kernels_with_runs_averaged_and_other_rows_kept() {
        let dir = std::env::temp_dir().join(format!("einf-refine-measured-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("m.csv");
        std::fs::write(&path, CSV).unwrap();
        let m = measured(None, Some(&path), "dev-a", Some(DeviceClass::Gpu)).unwrap();
        let got: Vec<(String, f64)> = m.samples.iter().map(|s| (s.kind.to_string(), s.value)).collect();
        // In-model samples first (import order), then kernels measured alone (their runs averaged).
        assert_eq!(
            got,
            [
                ("dwconv-bn-relu".to_string(), 0.5),
                ("dwconv-bn-relu".into(), 0.7),
                ("conv-bn-relu".into(), 2.0),
            ]
        );
        assert_eq!(m.samples[0].model.as_deref(), Some("net"));
        let e = measured(None, Some(&path), "dev-c", Some(DeviceClass::Gpu)).unwrap_err().to_string();
        assert!(e.contains("unknown device 'dev-c") && e.contains("dev-a, dev-b"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
