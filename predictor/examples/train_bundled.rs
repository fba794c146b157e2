//! Retrain the bundled predictors from the open data in `dataset/data/` into `predictor/data/`:
//!
//! ```sh
//! cargo run --release -p einf-predictor --example train_bundled
//! ```
//!
//! (`einf train --all --out-dir predictor/data` does the same.) Training is deterministic: the
//! files only change when the data, the code or the hyperparameters do. Each device gets
//! `ForestParams::for_device` (NeurstrucEnergy fits the plain log target, the phones log-rate).
fn main() -> anyhow::Result<()> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let data_dir = root.join("../dataset/data");
    let out = root.join("data");
    std::fs::create_dir_all(&out)?;
    for device in einf_predictor::bundled_data::bundled_devices() {
        let t = std::time::Instant::now();
        let data = einf_predictor::bundled_data::load(&data_dir, &device)?;
        let p = einf_predictor::predictor::DevicePredictor::train(
            &data,
            &einf_predictor::params::ForestParams::for_device(&device),
            Some(5),
        )?;
        let path = out.join(format!("{device}.einfp"));
        einf_predictor::format::save(&p, &path)?;
        let size = std::fs::metadata(&path)?.len();
        eprintln!("{device}: {} forests, {size} bytes, {:.1?}", p.forests.list.len(), t.elapsed());
    }
    Ok(())
}
