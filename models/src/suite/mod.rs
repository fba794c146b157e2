//! Kernel benchmark suites for measurement campaigns: single-kernel models whose configurations
//! come from nn-Meter's prior of real layers ([`prior`]) plus uniform coverage of the feature
//! ranges, written as ONNX files with a manifest in the generic `csv` import format of
//! einf-dataset (fill in `metric`, `value`, `unit` after measuring, then `einf dataset import
//! --format csv --device NAME manifest.csv`).
//!
//! Sampling (all draws from one [`Rng`] seeded by [`SuiteParams::seed`], so a suite is the same
//! bytes for the same parameters):
//! - with probability `prior_share`, a prior row of the kernel's table, its channel counts
//!   jittered by a factor in `[0.75, 1.25]` (nn-Meter's builder also perturbs prior samples);
//!   input size, kernel and stride are kept, so strided 1×1 convolutions (ResNet projection
//!   shortcuts) appear as the prior has them: the one case where stride > kernel size;
//! - otherwise a uniform draw: input size uniform over the prior's range, channels log-uniform over
//!   the prior's range, kernel from {1, 3, 5, 7} (depthwise {3, 5, 7}, pools {2, 3}), stride 1 or
//!   2 with stride ≤ kernel.
//!
//! Configurations are distinct within a suite. Convolutions pad `k/2` on every side; pools do not
//! pad (input ≥ window is required). Every generated model is checked to be exactly one kernel of
//! the requested kind under the TFLite CPU rules.

pub mod prior;
pub mod refine;

use crate::error::{ModelsError, Result};
use crate::export::{Weights, to_onnx};
use crate::net::{Act, Conv, Net, Pool};
use crate::options::{ArchOptions, Rounding};
use crate::rng::Rng;
use einf_parser::fusion::Rules;
use einf_parser::ir::Graph;
use einf_parser::kernel::KernelConfig;
use prior::{PriorRow, Table};
use serde::Serialize;
use std::collections::HashSet;
use std::path::Path;

/// The kernel kinds a suite can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SuiteKind {
    /// `conv-bn-relu`.
    ConvBnRelu,
    /// `conv-bn`.
    ConvBn,
    /// `dwconv-bn-relu`.
    DwConvBnRelu,
    /// `dwconv-bn`.
    DwConvBn,
    /// `fc`.
    Fc,
    /// `fc-relu`.
    FcRelu,
    /// `maxpool`.
    MaxPool,
    /// `avgpool`.
    AvgPool,
}

impl SuiteKind {
    /// Every kind.
    pub const ALL: [SuiteKind; 8] = [
        SuiteKind::ConvBnRelu,
        SuiteKind::ConvBn,
        SuiteKind::DwConvBnRelu,
        SuiteKind::DwConvBn,
        SuiteKind::Fc,
        SuiteKind::FcRelu,
        SuiteKind::MaxPool,
        SuiteKind::AvgPool,
    ];

    /// The kernel kind's name in einf's spelling.
    pub fn name(self) -> &'static str {
        match self {
            SuiteKind::ConvBnRelu => "conv-bn-relu",
            SuiteKind::ConvBn => "conv-bn",
            SuiteKind::DwConvBnRelu => "dwconv-bn-relu",
            SuiteKind::DwConvBn => "dwconv-bn",
            SuiteKind::Fc => "fc",
            SuiteKind::FcRelu => "fc-relu",
            SuiteKind::MaxPool => "maxpool",
            SuiteKind::AvgPool => "avgpool",
        }
    }

    fn table(self) -> Table {
        match self {
            SuiteKind::ConvBnRelu | SuiteKind::ConvBn => Table::Conv,
            SuiteKind::DwConvBnRelu | SuiteKind::DwConvBn => Table::DwConv,
            SuiteKind::Fc | SuiteKind::FcRelu => Table::Fc,
            SuiteKind::MaxPool | SuiteKind::AvgPool => Table::Pooling,
        }
    }

    fn kernels(self) -> &'static [u64] {
        match self {
            SuiteKind::ConvBnRelu | SuiteKind::ConvBn => &[1, 3, 5, 7],
            SuiteKind::DwConvBnRelu | SuiteKind::DwConvBn => &[3, 5, 7],
            SuiteKind::Fc | SuiteKind::FcRelu => &[1],
            SuiteKind::MaxPool | SuiteKind::AvgPool => &[2, 3],
        }
    }
}

impl std::str::FromStr for SuiteKind {
    type Err = ModelsError;

    fn from_str(s: &str) -> Result<Self> {
        SuiteKind::ALL.into_iter().find(|k| k.name() == s).ok_or_else(|| ModelsError::InvalidOption {
            option: "kind",
            message: format!(
                "unknown suite kind '{s}'; known: {}",
                SuiteKind::ALL.map(SuiteKind::name).join(", ")
            ),
        })
    }
}

/// Most configurations in one suite.
pub const MAX_COUNT: usize = 100_000;

/// Parameters of a suite.
#[derive(Debug, Clone, PartialEq)]
pub struct SuiteParams {
    /// Kernel kind.
    pub kind: SuiteKind,
    /// Number of configurations, 1..=[`MAX_COUNT`].
    pub count: usize,
    /// Seed of every random draw.
    pub seed: u64,
    /// Share of configurations drawn from the prior, in `[0, 1]`; the rest are uniform.
    pub prior_share: f64,
    /// What the model files' weights hold.
    pub weights: Weights,
}

impl SuiteParams {
    /// Parameters with a 75 % prior share and zero-filled (runnable) weights.
    pub fn new(kind: SuiteKind, count: usize, seed: u64) -> Self {
        SuiteParams { kind, count, seed, prior_share: 0.75, weights: Weights::Zeros }
    }

    /// Check the ranges.
    pub fn validate(&self) -> Result<()> {
        if !(1..=MAX_COUNT).contains(&self.count) {
            return Err(ModelsError::InvalidOption {
                option: "count",
                message: format!("{} is not in 1..={MAX_COUNT}", self.count),
            });
        }
        if !(self.prior_share.is_finite() && (0.0..=1.0).contains(&self.prior_share)) {
            return Err(ModelsError::InvalidOption {
                option: "prior_share",
                message: format!("{} is not in [0, 1]", self.prior_share),
            });
        }
        Ok(())
    }
}

/// One sampled configuration (square input `hw×hw`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SuiteConfig {
    /// Input height and width (1 for fully connected).
    pub hw: u64,
    /// Input channels (features).
    pub cin: u64,
    /// Output channels (features).
    pub cout: u64,
    /// Kernel (window) size.
    pub k: u64,
    /// Stride.
    pub stride: u64,
    /// `prior:<network>` or `uniform`.
    pub origin: String,
}

/// One model of a suite.
#[derive(Debug, Clone, PartialEq)]
pub struct SuiteEntry {
    /// File name (`conv-bn-relu_00007.onnx`).
    pub file: String,
    /// The sampled configuration.
    pub config: SuiteConfig,
    /// The kernel's configuration as the parser reports it.
    pub kernel: KernelConfig,
    /// The kernel's MACs.
    pub macs: u64,
    /// The ONNX bytes.
    pub onnx: Vec<u8>,
}

fn ranges(rows: &[PriorRow]) -> ((u64, u64), (u64, u64)) {
    let hw = (rows.iter().map(|r| r.hw).min().unwrap_or(1), rows.iter().map(|r| r.hw).max().unwrap_or(1));
    let ch = rows.iter().flat_map(|r| [r.cin, r.cout]);
    let c = (ch.clone().min().unwrap_or(1), ch.max().unwrap_or(1));
    (hw, c)
}

fn log_uniform(rng: &mut Rng, (lo, hi): (u64, u64)) -> u64 {
    let (l, h) = ((lo.max(1) as f64).ln(), (hi.max(1) as f64).ln());
    (rng.uniform(l, h + f64::EPSILON).exp().round() as u64).clamp(lo.max(1), hi.max(1))
}

/// Draw the configurations of a suite.
pub fn sample(params: &SuiteParams) -> Result<Vec<SuiteConfig>> {
    params.validate()?;
    let kind = params.kind;
    let rows: Vec<PriorRow> =
        prior::load(kind.table())?.into_iter().filter(|r| r.groups == 1 || r.groups == r.cin).collect();
    let rows: Vec<PriorRow> = match kind.table() {
        Table::Conv => rows.into_iter().filter(|r| r.groups == 1).collect(),
        _ => rows,
    };
    let (hw_range, c_range) = ranges(&rows);
    let depthwise = kind.table() == Table::DwConv;
    let pool = kind.table() == Table::Pooling;
    let fc = kind.table() == Table::Fc;
    let mut rng = Rng::new(params.seed);
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(params.count);
    let mut attempts = 0usize;
    while out.len() < params.count {
        attempts += 1;
        if attempts > params.count.saturating_mul(200) {
            return Err(ModelsError::InvalidOption {
                option: "count",
                message: format!("could not draw {} distinct {} configurations", params.count, kind.name()),
            });
        }
        let from_prior = rng.unit() < params.prior_share && !rows.is_empty();
        let mut c = if from_prior {
            let Some(r) = rng.choose(&rows) else { continue };
            let mut jitter = |v: u64| ((v as f64 * rng.uniform(0.75, 1.25)).round() as u64).max(1);
            let cin = jitter(r.cin);
            let cout = if depthwise || pool { cin } else { jitter(r.cout) };
            SuiteConfig { hw: r.hw, cin, cout, k: r.k, stride: r.s, origin: format!("prior:{}", r.model) }
        } else {
            let hw = if fc { 1 } else { hw_range.0 + rng.below(hw_range.1 - hw_range.0 + 1) };
            let cin = log_uniform(&mut rng, c_range);
            let cout = if depthwise || pool { cin } else { log_uniform(&mut rng, c_range) };
            let k = rng.choose(kind.kernels()).copied().unwrap_or(1);
            let stride = if fc || rng.below(2) == 0 || k < 2 { 1 } else { 2 };
            SuiteConfig { hw, cin, cout, k, stride, origin: "uniform".into() }
        };
        if depthwise || pool {
            c.cout = c.cin;
        }
        // Pools do not pad: the window must fit. Convolutions pad k/2, which always fits.
        if c.hw == 0 || c.cin == 0 || c.cout == 0 || (pool && c.hw < c.k) {
            continue;
        }
        if seen.insert((c.hw, c.cin, c.cout, c.k, c.stride)) {
            out.push(c);
        }
    }
    Ok(out)
}

/// The single-kernel graph of one configuration, shape-inferred.
pub fn build(kind: SuiteKind, c: &SuiteConfig, name: &str) -> Result<Graph> {
    let opts = ArchOptions::default();
    let r = Rounding::Divisible(1);
    if matches!(kind, SuiteKind::Fc | SuiteKind::FcRelu) {
        let (mut net, x) = Net::new_flat(name, c.cin, &opts, r)?;
        let act = if kind == SuiteKind::FcRelu { Act::Relu } else { Act::None };
        let y = net.fc(x, c.cout, act)?;
        return net.finish(&[y]);
    }
    let (mut net, x) = Net::new(name, (c.cin, c.hw, c.hw), &opts, r)?;
    let act = |relu: bool| if relu { Act::Relu } else { Act::None };
    let y = match kind {
        SuiteKind::ConvBnRelu | SuiteKind::ConvBn => {
            net.conv(x, Conv::new(c.cout, c.k).s(c.stride).fixed().act(act(kind == SuiteKind::ConvBnRelu)))?
        }
        SuiteKind::DwConvBnRelu | SuiteKind::DwConvBn => {
            let spec = Conv::new(c.cin, c.k).s(c.stride).groups(c.cin).fixed();
            net.conv(x, spec.act(act(kind == SuiteKind::DwConvBnRelu)))?
        }
        SuiteKind::MaxPool => net.pool(x, Pool::max(c.k, c.stride, 0))?,
        SuiteKind::AvgPool => net.pool(x, Pool::avg(c.k, c.stride, 0))?,
        SuiteKind::Fc | SuiteKind::FcRelu => unreachable_fc(&net)?,
    };
    net.finish(&[y])
}

fn unreachable_fc(net: &Net) -> Result<crate::net::Fm> {
    Err(ModelsError::Layer {
        arch: net.arch().to_string(),
        layer: "fc".into(),
        message: "handled above".into(),
    })
}

/// Sample, build, check and export every model of a suite (no I/O).
pub fn generate(params: &SuiteParams) -> Result<Vec<SuiteEntry>> {
    let width = params.count.to_string().len().max(5);
    let stem = |i: usize| format!("{}_{i:0width$}", params.kind.name());
    entries(params.kind, sample(params)?, params.weights, stem)
}

/// Build, check and export the model of each configuration, the i-th named `stem(i)` (no I/O).
pub(crate) fn entries(
    kind: SuiteKind,
    configs: Vec<SuiteConfig>,
    weights: Weights,
    stem: impl Fn(usize) -> String,
) -> Result<Vec<SuiteEntry>> {
    let rules = Rules::builtin("tflite-cpu")
        .map_err(|source| ModelsError::Parser { arch: "suite".into(), source: Box::new(source) })?;
    configs
        .into_iter()
        .enumerate()
        .map(|(i, config)| {
            let stem = stem(i);
            let g = build(kind, &config, &stem)?;
            let a = einf_parser::analyze(&g, &rules)
                .map_err(|source| ModelsError::Parser { arch: stem.clone(), source: Box::new(source) })?;
            let (kernel, macs) = match a.kernels.as_slice() {
                [k] if k.kind.to_string() == kind.name() => match &k.config {
                    Some(c) => (c.clone(), k.features.macs),
                    None => return Err(layer_err(&stem, "kernel without configuration")),
                },
                ks => {
                    let kinds: Vec<String> = ks.iter().map(|k| k.kind.to_string()).collect();
                    return Err(layer_err(
                        &stem,
                        &format!("splits into kernels {kinds:?}, not one {}", kind.name()),
                    ));
                }
            };
            let onnx = to_onnx(&g, weights)?;
            Ok(SuiteEntry { file: format!("{stem}.onnx"), config, kernel, macs, onnx })
        })
        .collect()
}

fn layer_err(stem: &str, message: &str) -> ModelsError {
    ModelsError::Layer { arch: stem.to_string(), layer: stem.to_string(), message: message.to_string() }
}

/// How many of [`KernelConfig::COLUMNS`] the manifest has: all but `input_channels` (a suite
/// kernel has one input).
const MANIFEST_CONFIG_COLUMNS: usize = KernelConfig::COLUMNS.len() - 1;

/// Columns of the manifest, all known to einf-dataset's generic `csv` format.
pub const MANIFEST_COLUMNS: [&str; 26] = KernelConfig::table_columns(
    &["kind", "source_id"],
    MANIFEST_CONFIG_COLUMNS,
    &["metric", "value", "unit", "std", "repetitions"],
);

/// The manifest: one row per model, measurement columns (`metric`, `value`, `unit`, `std`,
/// `repetitions`) left empty to be filled in.
pub fn manifest(kind: SuiteKind, entries: &[SuiteEntry]) -> String {
    let mut s = MANIFEST_COLUMNS.join(",");
    s.push('\n');
    for e in entries {
        let stem = e.file.trim_end_matches(".onnx");
        let values = e.kernel.column_values();
        let config = values[..MANIFEST_CONFIG_COLUMNS].join(",");
        s.push_str(&format!("{},{stem},{config},,,,,\n", kind.name()));
    }
    s
}

#[derive(Serialize)]
struct SuiteFile<'a> {
    schema: &'static str,
    kind: &'static str,
    count: usize,
    seed: u64,
    prior_share: f64,
    weights: &'static str,
    models: Vec<SuiteModel<'a>>,
}

#[derive(Serialize)]
struct SuiteModel<'a> {
    file: &'a str,
    macs: u64,
    #[serde(flatten)]
    config: &'a SuiteConfig,
}

/// What [`write()`] wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Written {
    /// Model files.
    pub models: usize,
    /// Configurations drawn from the prior.
    pub from_prior: usize,
    /// Bytes of all model files.
    pub bytes: u64,
}

/// Generate a suite and write it to `dir` (created if missing): the models, `manifest.csv`
/// and `suite.json` (parameters and each configuration's origin).
pub fn write(params: &SuiteParams, dir: &Path) -> Result<Written> {
    let entries = generate(params)?;
    let file = SuiteFile {
        schema: "einf.suite/1",
        kind: params.kind.name(),
        count: params.count,
        seed: params.seed,
        prior_share: params.prior_share,
        weights: weights_name(params.weights),
        models: entries
            .iter()
            .map(|e| SuiteModel { file: &e.file, macs: e.macs, config: &e.config })
            .collect(),
    };
    let bytes = write_files(dir, params.kind, &entries, &file)?;
    let from_prior = entries.iter().filter(|e| e.config.origin.starts_with("prior:")).count();
    Ok(Written { models: entries.len(), from_prior, bytes })
}

/// The name `suite.json` gives a weights choice.
pub(crate) fn weights_name(w: Weights) -> &'static str {
    match w {
        Weights::Zeros => "zeros",
        Weights::Omitted => "omitted",
    }
}

/// Write the models, `manifest.csv` and `suite.json` (`json`, pretty-printed) to `dir` (created if
/// missing). Returns the bytes of the model files.
pub(crate) fn write_files(
    dir: &Path,
    kind: SuiteKind,
    entries: &[SuiteEntry],
    json: &impl Serialize,
) -> Result<u64> {
    fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ModelsError + '_ {
        move |source| ModelsError::Io { path: path.display().to_string(), source }
    }
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut bytes = 0u64;
    for e in entries {
        let p = dir.join(&e.file);
        std::fs::write(&p, &e.onnx).map_err(io(&p))?;
        bytes += e.onnx.len() as u64;
    }
    let p = dir.join("manifest.csv");
    std::fs::write(&p, manifest(kind, entries)).map_err(io(&p))?;
    let p = dir.join("suite.json");
    let json = serde_json::to_string_pretty(json)
        .map_err(|e| ModelsError::Io { path: p.display().to_string(), source: std::io::Error::other(e) })?;
    std::fs::write(&p, json + "\n").map_err(io(&p))?;
    Ok(bytes)
}
