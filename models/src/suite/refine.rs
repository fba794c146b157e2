//! Adaptive refinement of a kernel suite (nn-Meter's builder, REFERENCE §2): new configurations
//! near the measured kernels a predictor gets most wrong in cross-validation, so the next
//! measurement campaign spends its time where the forests are weakest.
//!
//! Input: the measured kernels of one kind on one device, each with a cross-validated prediction
//! ([`CvPoint`]: a forest that did not see the kernel predicted it), and every configuration of
//! that kind already measured. No predictor is needed here: the caller (`einf suite --refine`)
//! runs the cross-validation.
//!
//! 1. **Parents** ([`parents`]): kernels with the same [`Geometry`] (the same kernel measured in
//!    several models) are one parent; its error is the mean relative error `|p − m| / m` of its
//!    measurements. Parents are sorted worst first (ties by geometry).
//! 2. **Selection**: parents whose error exceeds [`RefineParams::threshold`], worst first, until
//!    [`RefineParams::count`] proposals are drawn.
//! 3. **Proposals** ([`propose`]): up to [`RefineParams::per_kernel`] per parent. Each input and
//!    output channel count is drawn uniformly from `[round(lo·c), round(hi·c)]` with
//!    [`RefineParams::channels`] (nn-Meter's fine-grained sampler uses `[0.5·c, 1.2·c)`), the side
//!    likewise with [`RefineParams::side`] (nn-Meter keeps it; einf varies it a little so the
//!    forests also see the sizes between the ones real networks use). Kernel size and stride are
//!    the parent's; depthwise convolutions and pools keep `cout = cin` (groups = channels);
//!    pools keep the window inside the input; fully connected layers have no side. A non-square
//!    parent is approximated by the square of the same area. Draws come from one [`Rng`] seeded
//!    by [`RefineParams::seed`], parents in order, so the proposals are the same for the same input.
//! 4. **Never measured, never twice**: a draw whose geometry was already measured on the device
//!    (any metric), or already proposed, is rejected and drawn again (at most
//!    [`ATTEMPTS_PER_PROPOSAL`] draws per wanted proposal; a parent in a crowded neighbourhood gets
//!    fewer).
//!
//! [`write()`] builds the models like a normal suite (one single-kernel ONNX per proposal, checked
//! to be one kernel of the kind) and writes `manifest.csv` (einf-dataset's generic `csv` format,
//! measurement columns empty) and `suite.json` (schema `einf.suite-refine/1`: the cross-validation
//! it came from, every selected parent with its error, every model with its parent).

use super::{MAX_COUNT, SuiteConfig, SuiteEntry, SuiteKind, entries, weights_name, write_files};
use crate::error::{ModelsError, Result};
use crate::export::Weights;
use crate::rng::Rng;
use einf_parser::kernel::KernelConfig;
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

/// Most draws per wanted proposal before a parent's neighbourhood counts as exhausted.
pub const ATTEMPTS_PER_PROPOSAL: usize = 50;

/// Most proposals per parent.
pub const MAX_PER_KERNEL: usize = 1000;

/// One measured kernel of the suite's kind with its cross-validated prediction.
#[derive(Debug, Clone, PartialEq)]
pub struct CvPoint {
    /// The measured kernel's configuration.
    pub config: KernelConfig,
    /// Measured value (finite, > 0).
    pub measured: f64,
    /// Prediction of a forest trained without this kernel (0 when no forest covered it).
    pub predicted: f64,
}

impl CvPoint {
    /// Relative error `|predicted − measured| / measured`.
    pub fn error(&self) -> f64 {
        (self.predicted - self.measured).abs() / self.measured
    }
}

/// The shape of a kernel as far as a suite can tell two apart: sides, channels, window and stride
/// (padding, dilation, batch and element type are left out, so a configuration measured with
/// other padding still counts as measured). Fully connected layers have no sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Geometry {
    /// Input height.
    pub input_h: u64,
    /// Input width.
    pub input_w: u64,
    /// Input channels (features).
    pub cin: u64,
    /// Output channels (features).
    pub cout: u64,
    /// Window height.
    pub kernel_h: u64,
    /// Window width.
    pub kernel_w: u64,
    /// Vertical stride.
    pub stride_h: u64,
    /// Horizontal stride.
    pub stride_w: u64,
}

fn is_fc(kind: SuiteKind) -> bool {
    matches!(kind, SuiteKind::Fc | SuiteKind::FcRelu)
}

fn same_channels(kind: SuiteKind) -> bool {
    matches!(kind, SuiteKind::DwConvBnRelu | SuiteKind::DwConvBn | SuiteKind::MaxPool | SuiteKind::AvgPool)
}

fn is_pool(kind: SuiteKind) -> bool {
    matches!(kind, SuiteKind::MaxPool | SuiteKind::AvgPool)
}

impl Geometry {
    /// The geometry of a measured (or parsed) kernel of `kind`.
    pub fn of(kind: SuiteKind, c: &KernelConfig) -> Geometry {
        Geometry::sided(
            kind,
            (c.cin, c.cout),
            (c.input_h, c.input_w),
            (c.kernel_h, c.kernel_w),
            (c.stride_h, c.stride_w),
        )
    }

    /// The geometry of a suite configuration of `kind` (what [`Geometry::of`] gives for its model).
    pub fn of_suite(kind: SuiteKind, c: &SuiteConfig) -> Geometry {
        Geometry::sided(kind, (c.cin, c.cout), (c.hw, c.hw), (c.k, c.k), (c.stride, c.stride))
    }

    /// A kernel of `kind` with `(cin, cout)` channels and `(height, width)` input, window and
    /// stride; fully connected kinds keep only the channels.
    fn sided(
        kind: SuiteKind,
        (cin, cout): (u64, u64),
        (input_h, input_w): (u64, u64),
        (kernel_h, kernel_w): (u64, u64),
        (stride_h, stride_w): (u64, u64),
    ) -> Geometry {
        if is_fc(kind) {
            return Geometry::flat(cin, cout);
        }
        Geometry { input_h, input_w, cin, cout, kernel_h, kernel_w, stride_h, stride_w }
    }

    fn flat(cin: u64, cout: u64) -> Geometry {
        Geometry { input_h: 1, input_w: 1, cin, cout, kernel_h: 1, kernel_w: 1, stride_h: 1, stride_w: 1 }
    }
}

/// A measured configuration with its cross-validated error.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Parent {
    /// `p0000`, in order worst first.
    pub id: String,
    /// The measured configuration as the parser writes it (the first measurement's).
    pub kernel: String,
    /// Its square suite approximation (origin `measured`).
    #[serde(flatten)]
    pub config: SuiteConfig,
    /// Measurements of this geometry.
    pub samples: usize,
    /// Mean measured value.
    pub measured: f64,
    /// Mean cross-validated prediction.
    pub predicted: f64,
    /// Mean relative error of its measurements.
    pub error: f64,
}

fn square(a: u64, b: u64) -> u64 {
    if a == b { a } else { ((a as f64 * b as f64).sqrt().round() as u64).max(1) }
}

/// Group the points by geometry into parents, worst mean error first (ties by geometry). A point
/// with a measured value that is not finite and positive, or a prediction that is not finite, is
/// an error.
pub fn parents(kind: SuiteKind, points: &[CvPoint]) -> Result<Vec<Parent>> {
    struct Acc<'a> {
        first: &'a KernelConfig,
        n: usize,
        measured: f64,
        predicted: f64,
        error: f64,
    }
    let mut groups: BTreeMap<Geometry, Acc> = BTreeMap::new();
    for (i, p) in points.iter().enumerate() {
        if !(p.measured.is_finite() && p.measured > 0.0 && p.predicted.is_finite()) {
            return Err(ModelsError::InvalidOption {
                option: "cross-validation points",
                message: format!(
                    "point {i} ({}): measured {}, predicted {}",
                    p.config, p.measured, p.predicted
                ),
            });
        }
        let a = groups.entry(Geometry::of(kind, &p.config)).or_insert(Acc {
            first: &p.config,
            n: 0,
            measured: 0.0,
            predicted: 0.0,
            error: 0.0,
        });
        a.n += 1;
        a.measured += p.measured;
        a.predicted += p.predicted;
        a.error += p.error();
    }
    let mut out: Vec<(Geometry, Parent)> = groups
        .into_iter()
        .map(|(g, a)| {
            let n = a.n as f64;
            let config = SuiteConfig {
                hw: square(g.input_h, g.input_w),
                cin: g.cin,
                cout: g.cout,
                k: square(g.kernel_h, g.kernel_w),
                stride: square(g.stride_h, g.stride_w),
                origin: "measured".into(),
            };
            let parent = Parent {
                id: String::new(),
                kernel: a.first.to_string(),
                config,
                samples: a.n,
                measured: a.measured / n,
                predicted: a.predicted / n,
                error: a.error / n,
            };
            (g, parent)
        })
        .collect();
    out.sort_by(|a, b| b.1.error.total_cmp(&a.1.error).then(a.0.cmp(&b.0)));
    Ok(out.into_iter().enumerate().map(|(i, (_, p))| Parent { id: format!("p{i:04}"), ..p }).collect())
}

/// Parameters of a refinement.
#[derive(Debug, Clone, PartialEq)]
pub struct RefineParams {
    /// Kernel kind.
    pub kind: SuiteKind,
    /// Most proposals in all, 1..=[`MAX_COUNT`].
    pub count: usize,
    /// Most proposals per parent, 1..=[`MAX_PER_KERNEL`] (nn-Meter: 20).
    pub per_kernel: usize,
    /// Parents need a mean relative error above this (nn-Meter: 0.10), finite and ≥ 0.
    pub threshold: f64,
    /// Seed of every draw.
    pub seed: u64,
    /// Channel counts are drawn from `[round(lo·c), round(hi·c)]`; `0 < lo ≤ 1 ≤ hi ≤ 4`.
    pub channels: (f64, f64),
    /// The side is drawn from `[round(lo·hw), round(hi·hw)]`; `0 < lo ≤ 1 ≤ hi ≤ 4`.
    pub side: (f64, f64),
    /// What the model files' weights hold.
    pub weights: Weights,
}

impl RefineParams {
    /// nn-Meter's choices (20 proposals per kernel above 10 % error, channels in `[0.5, 1.2]`×),
    /// sides in `[0.8, 1.25]`×, at most 1000 proposals, zero-filled weights.
    pub fn new(kind: SuiteKind, seed: u64) -> Self {
        RefineParams {
            kind,
            count: 1000,
            per_kernel: 20,
            threshold: 0.10,
            seed,
            channels: (0.5, 1.2),
            side: (0.8, 1.25),
            weights: Weights::Zeros,
        }
    }

    /// Check the ranges.
    pub fn validate(&self) -> Result<()> {
        let bad = |option: &'static str, message: String| Err(ModelsError::InvalidOption { option, message });
        if !(1..=MAX_COUNT).contains(&self.count) {
            return bad("count", format!("{} is not in 1..={MAX_COUNT}", self.count));
        }
        if !(1..=MAX_PER_KERNEL).contains(&self.per_kernel) {
            return bad("per_kernel", format!("{} is not in 1..={MAX_PER_KERNEL}", self.per_kernel));
        }
        if !(self.threshold.is_finite() && self.threshold >= 0.0) {
            return bad("threshold", format!("{} is not a finite relative error ≥ 0", self.threshold));
        }
        for (option, (lo, hi)) in [("channels", self.channels), ("side", self.side)] {
            if !(lo.is_finite() && hi.is_finite() && lo > 0.0 && lo <= 1.0 && (1.0..=4.0).contains(&hi)) {
                return bad(option, format!("range [{lo}, {hi}] must have 0 < lo ≤ 1 ≤ hi ≤ 4"));
            }
        }
        Ok(())
    }
}

/// One proposed configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    /// Index of its parent in the list given to [`propose`].
    pub parent: usize,
    /// The configuration (origin `near:<parent id>`).
    pub config: SuiteConfig,
}

fn scaled(v: u64, (lo, hi): (f64, f64)) -> (u64, u64) {
    let l = ((v as f64 * lo).round() as u64).max(1);
    (l, ((v as f64 * hi).round() as u64).max(l))
}

fn draw(rng: &mut Rng, (lo, hi): (u64, u64)) -> u64 {
    lo + rng.below(hi - lo + 1)
}

/// Draw proposals near the parents whose error exceeds the threshold, parents in the order given
/// ([`parents`] sorts them worst first; see the module docs); `measured` holds every geometry
/// already measured on the device.
pub fn propose(
    params: &RefineParams,
    parents: &[Parent],
    measured: &HashSet<Geometry>,
) -> Result<Vec<Proposal>> {
    params.validate()?;
    let kind = params.kind;
    let mut rng = Rng::new(params.seed);
    let mut taken = measured.clone();
    let mut out = Vec::new();
    for (i, p) in parents.iter().enumerate().filter(|(_, p)| p.error > params.threshold) {
        let mut mine = 0;
        let mut attempts = 0;
        while mine < params.per_kernel
            && out.len() < params.count
            && attempts < params.per_kernel * ATTEMPTS_PER_PROPOSAL
        {
            attempts += 1;
            let c = &p.config;
            let cin = draw(&mut rng, scaled(c.cin, params.channels));
            let cout =
                if same_channels(kind) { cin } else { draw(&mut rng, scaled(c.cout, params.channels)) };
            let hw = if is_fc(kind) { 1 } else { draw(&mut rng, scaled(c.hw, params.side)) };
            if is_pool(kind) && hw < c.k {
                continue;
            }
            let config =
                SuiteConfig { hw, cin, cout, k: c.k, stride: c.stride, origin: format!("near:{}", p.id) };
            if taken.insert(Geometry::of_suite(kind, &config)) {
                out.push(Proposal { parent: i, config });
                mine += 1;
            }
        }
        if out.len() >= params.count {
            break;
        }
    }
    Ok(out)
}

/// Where the cross-validation came from, for `suite.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CvSource {
    /// The predictor (bundled device name or file).
    pub predictor: String,
    /// The device whose measurements were cross-validated.
    pub device: String,
    /// Metric.
    pub metric: String,
    /// Folds.
    pub folds: usize,
    /// Where the measurements came from (bundled data files, a CSV, a store).
    pub data: String,
}

/// A parent that received proposals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UsedParent {
    /// The parent.
    #[serde(flatten)]
    pub parent: Parent,
    /// Proposals near it.
    pub proposals: usize,
}

/// A refinement without its models: counts, parents, proposals (no I/O).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    /// Measurements of the kind cross-validated.
    pub kernels: usize,
    /// Distinct geometries among them.
    pub configs: usize,
    /// Measurements whose own relative error exceeds the threshold.
    pub kernels_above: usize,
    /// Parents (distinct geometries) whose mean error exceeds the threshold.
    pub configs_above: usize,
    /// Parents with proposals, worst first.
    pub parents: Vec<UsedParent>,
    /// The proposals, parent by parent (`parent` indexes [`Plan::parents`]).
    #[serde(skip)]
    pub proposals: Vec<Proposal>,
}

/// Parents, selection and proposals for `points` (see the module docs). `measured` lists every
/// configuration of the kind already measured on the device (the points' included or not).
pub fn plan(params: &RefineParams, points: &[CvPoint], measured: &[KernelConfig]) -> Result<Plan> {
    params.validate()?;
    let all = parents(params.kind, points)?;
    let mut seen: HashSet<Geometry> = measured.iter().map(|c| Geometry::of(params.kind, c)).collect();
    seen.extend(points.iter().map(|p| Geometry::of(params.kind, &p.config)));
    let mut proposals = propose(params, &all, &seen)?;
    // Keep the parents with proposals and renumber the proposals' parents into that list.
    let mut index = vec![usize::MAX; all.len()];
    let mut parents: Vec<UsedParent> = Vec::new();
    for p in proposals.iter_mut() {
        if index[p.parent] == usize::MAX {
            index[p.parent] = parents.len();
            parents.push(UsedParent { parent: all[p.parent].clone(), proposals: 0 });
        }
        p.parent = index[p.parent];
        parents[p.parent].proposals += 1;
    }
    Ok(Plan {
        kernels: points.len(),
        configs: all.len(),
        kernels_above: points.iter().filter(|p| p.error() > params.threshold).count(),
        configs_above: all.iter().filter(|p| p.error > params.threshold).count(),
        parents,
        proposals,
    })
}

/// Build, check and export the proposals' models, named `<kind>_refine_<i>.onnx` (no I/O).
pub fn generate(params: &RefineParams, plan: &Plan) -> Result<Vec<SuiteEntry>> {
    let width = params.count.to_string().len().max(5);
    let stem = |i: usize| format!("{}_refine_{i:0width$}", params.kind.name());
    let configs = plan.proposals.iter().map(|p| p.config.clone()).collect();
    entries(params.kind, configs, params.weights, stem)
}

#[derive(Serialize)]
struct RefineFile<'a> {
    schema: &'static str,
    kind: &'static str,
    count: usize,
    seed: u64,
    weights: &'static str,
    refine: RefineInfo<'a>,
    parents: &'a [UsedParent],
    models: Vec<RefineModel<'a>>,
}

#[derive(Serialize)]
struct RefineInfo<'a> {
    #[serde(flatten)]
    source: &'a CvSource,
    threshold: f64,
    per_kernel: usize,
    channels: [f64; 2],
    side: [f64; 2],
    kernels: usize,
    configs: usize,
    kernels_above: usize,
    configs_above: usize,
}

#[derive(Serialize)]
struct RefineModel<'a> {
    file: &'a str,
    macs: u64,
    #[serde(flatten)]
    config: &'a SuiteConfig,
    parent: &'a str,
    parent_error: f64,
}

/// What [`write()`] wrote.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Refined {
    /// The plan it followed.
    #[serde(flatten)]
    pub plan: Plan,
    /// Model files.
    pub models: usize,
    /// Bytes of all model files.
    pub bytes: u64,
}

/// Plan, build and write a refinement suite to `dir` (created if missing): the models,
/// `manifest.csv` and `suite.json`.
pub fn write(
    params: &RefineParams,
    source: &CvSource,
    points: &[CvPoint],
    measured: &[KernelConfig],
    dir: &Path,
) -> Result<Refined> {
    let plan = plan(params, points, measured)?;
    let entries = generate(params, &plan)?;
    let models = entries
        .iter()
        .zip(&plan.proposals)
        .map(|(e, p)| {
            let parent = &plan.parents[p.parent].parent;
            RefineModel {
                file: &e.file,
                macs: e.macs,
                config: &e.config,
                parent: &parent.id,
                parent_error: parent.error,
            }
        })
        .collect();
    let file = RefineFile {
        schema: "einf.suite-refine/1",
        kind: params.kind.name(),
        count: params.count,
        seed: params.seed,
        weights: weights_name(params.weights),
        refine: RefineInfo {
            source,
            threshold: params.threshold,
            per_kernel: params.per_kernel,
            channels: [params.channels.0, params.channels.1],
            side: [params.side.0, params.side.1],
            kernels: plan.kernels,
            configs: plan.configs,
            kernels_above: plan.kernels_above,
            configs_above: plan.configs_above,
        },
        parents: &plan.parents,
        models,
    };
    let bytes = write_files(dir, params.kind, &entries, &file)?;
    Ok(Refined { models: entries.len(), bytes, plan })
}
