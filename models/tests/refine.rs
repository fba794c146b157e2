//! Adaptive refinement: proposals near the worst cross-validated kernels are valid, near their
//! parents, never already measured, distinct, capped, and the same for the same seed.
//!
//! The parents are real layer configurations (nn-Meter's prior tables); their measured and
//! predicted values are SYNTHETIC (a deterministic pattern of errors from 0 % to 49 %), because
//! these tests are about the sampler, not about any device.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use einf_models::export::Weights;
use einf_models::suite::prior::{self, Table};
use einf_models::suite::refine::{CvPoint, CvSource, Geometry, RefineParams, generate, parents, plan, write};
use einf_models::suite::{SuiteKind, SuiteParams};
use einf_parser::ir::DType;
use einf_parser::kernel::KernelConfig;
use std::collections::HashSet;
use std::path::PathBuf;

fn config(hw: u64, cin: u64, cout: u64, k: u64, s: u64, groups: u64) -> KernelConfig {
    let out = hw.div_ceil(s);
    KernelConfig {
        batch: 1,
        input_h: hw,
        input_w: hw,
        output_h: out,
        output_w: out,
        cin,
        cout,
        kernel_h: k,
        kernel_w: k,
        stride_h: s,
        stride_w: s,
        pads: [k / 2; 4],
        dilation_h: 1,
        dilation_w: 1,
        groups,
        dtype: DType::F32,
        input_channels: Vec::new(),
    }
}

/// Prior rows of a table as cross-validation points with SYNTHETIC values: point i has relative
/// error (i·37 mod 50) %.
fn points(table: Table, n: usize) -> Vec<CvPoint> {
    let rows = prior::load(table).unwrap();
    let mut seen = HashSet::new();
    rows.iter()
        .filter(|r| match table {
            Table::Conv => r.groups == 1,
            Table::DwConv => r.groups == r.cin && r.cin == r.cout,
            _ => true,
        })
        .filter(|r| seen.insert((r.hw, r.cin, r.cout, r.k, r.s)))
        .take(n)
        .enumerate()
        .map(|(i, r)| {
            let groups = if table == Table::DwConv { r.cin } else { 1 };
            let measured = 0.01 * (1 + i % 7) as f64;
            let error = ((i * 37) % 50) as f64 / 100.0;
            CvPoint {
                config: config(r.hw, r.cin, r.cout, r.k, r.s, groups),
                measured,
                predicted: measured * (1.0 + error),
            }
        })
        .collect()
}

fn source() -> CvSource {
    CvSource {
        predictor: "synthetic".into(),
        device: "synthetic-device".into(),
        metric: "latency".into(),
        folds: 5,
        data: "synthetic points (test)".into(),
    }
}

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("einf-refine-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn within(v: u64, parent: u64, (lo, hi): (f64, f64)) -> bool {
    let l = ((parent as f64 * lo).round() as u64).max(1);
    let h = ((parent as f64 * hi).round() as u64).max(l);
    (l..=h).contains(&v)
}

/// Everything a proposal must satisfy, checked on every proposal of a kind; returns the plan's
/// proposal count.
fn check_kind(kind: SuiteKind, table: Table, extra_measured: &[KernelConfig]) -> usize {
    let pts = points(table, 60);
    let mut params = RefineParams::new(kind, 11);
    params.count = 150;
    params.per_kernel = 5;
    params.weights = Weights::Omitted;
    let p = plan(&params, &pts, extra_measured).unwrap();
    let measured: HashSet<Geometry> =
        pts.iter().map(|p| &p.config).chain(extra_measured).map(|c| Geometry::of(kind, c)).collect();
    let mut proposed = HashSet::new();
    assert!(!p.proposals.is_empty(), "{kind:?}: no proposals");
    for q in &p.proposals {
        let parent = &p.parents[q.parent].parent;
        let (c, pc) = (&q.config, &parent.config);
        assert!(parent.error > params.threshold, "{kind:?}: parent {} below threshold", parent.id);
        assert_eq!((c.k, c.stride), (pc.k, pc.stride), "{kind:?}: kernel and stride are the parent's");
        assert!(within(c.cin, pc.cin, params.channels), "{kind:?}: cin {} far from {}", c.cin, pc.cin);
        assert!(c.hw >= 1 && c.cin >= 1 && c.cout >= 1);
        match kind {
            SuiteKind::Fc | SuiteKind::FcRelu => assert_eq!(c.hw, 1),
            _ => assert!(within(c.hw, pc.hw, params.side), "{kind:?}: side {} far from {}", c.hw, pc.hw),
        }
        match kind {
            SuiteKind::DwConvBnRelu | SuiteKind::DwConvBn | SuiteKind::MaxPool | SuiteKind::AvgPool => {
                assert_eq!(c.cout, c.cin, "{kind:?}: cout = cin")
            }
            _ => assert!(within(c.cout, pc.cout, params.channels), "{kind:?}: cout {} far", c.cout),
        }
        if matches!(kind, SuiteKind::MaxPool | SuiteKind::AvgPool) {
            assert!(c.hw >= c.k, "pool window inside the input");
        }
        assert_eq!(c.origin, format!("near:{}", parent.id));
        let g = Geometry::of_suite(kind, c);
        assert!(!measured.contains(&g), "{kind:?}: {c:?} was already measured");
        assert!(proposed.insert(g), "{kind:?}: {c:?} proposed twice");
    }
    for u in &p.parents {
        assert!(u.proposals <= params.per_kernel);
    }
    assert!(p.proposals.len() <= params.count);
    // The models are what the configurations say: one kernel of the kind, with the same geometry
    // (so the "already measured" check compares like with like).
    let entries = generate(&params, &p).unwrap();
    assert_eq!(entries.len(), p.proposals.len());
    for e in &entries {
        assert_eq!(Geometry::of(kind, &e.kernel), Geometry::of_suite(kind, &e.config), "{}", e.file);
    }
    p.proposals.len()
}

#[test]
fn proposals_are_valid_near_their_parents_new_and_distinct_for_every_table() {
    check_kind(SuiteKind::ConvBnRelu, Table::Conv, &[]);
    check_kind(SuiteKind::DwConvBn, Table::DwConv, &[]);
    check_kind(SuiteKind::FcRelu, Table::Fc, &[]);
    check_kind(SuiteKind::MaxPool, Table::Pooling, &[]);
}

#[test]
fn a_crowded_neighbourhood_is_skipped_not_duplicated() {
    let pts = points(Table::Conv, 60);
    let params = RefineParams { count: 150, per_kernel: 5, ..RefineParams::new(SuiteKind::ConvBnRelu, 11) };
    let free = plan(&params, &pts, &[]).unwrap();
    // Measure (on paper) the whole neighbourhood of the worst parent at its own side: every cin,
    // cout pair in range. Its proposals must then all change the side.
    let worst = &free.parents[0].parent.config;
    let lo_hi = |c: u64| (((c as f64 * 0.5).round() as u64).max(1), (c as f64 * 1.2).round() as u64);
    let (ci, co) = (lo_hi(worst.cin), lo_hi(worst.cout));
    let mut crowd = Vec::new();
    for cin in ci.0..=ci.1 {
        for cout in co.0..=co.1 {
            crowd.push(config(worst.hw, cin, cout, worst.k, worst.stride, 1));
        }
    }
    let n = check_kind(SuiteKind::ConvBnRelu, Table::Conv, &crowd);
    assert!(n > 0);
    let crowded = plan(&params, &pts, &crowd).unwrap();
    let first =
        crowded.proposals.iter().filter(|q| crowded.parents[q.parent].parent.id == free.parents[0].parent.id);
    for q in first {
        assert_ne!(q.config.hw, worst.hw, "{:?} was measured", q.config);
    }
    // A parent with no neighbour at all (1×1 conv on one pixel and one channel) gets nothing and
    // the sampler stops.
    let lonely = vec![CvPoint { config: config(1, 1, 1, 1, 1, 1), measured: 1.0, predicted: 2.0 }];
    let p = plan(&params, &lonely, &[]).unwrap();
    assert_eq!((p.configs_above, p.proposals.len()), (1, 0));
}

#[test]
fn parents_group_repeats_and_sort_worst_first_and_selection_is_capped() {
    let mut pts = points(Table::Conv, 40);
    // The same kernel measured in a second model (SYNTHETIC): one parent with two samples.
    let mut again = pts[3].clone();
    again.predicted = again.measured;
    pts.push(again);
    let ps = parents(SuiteKind::ConvBnRelu, &pts).unwrap();
    assert_eq!(ps.len(), 40);
    assert!(ps.windows(2).all(|w| w[0].error >= w[1].error), "worst first");
    assert_eq!(
        ps.iter().map(|p| p.id.clone()).collect::<Vec<_>>()[..2],
        ["p0000".to_string(), "p0001".into()]
    );
    let g3 = Geometry::of(SuiteKind::ConvBnRelu, &pts[3].config);
    let p3 = ps.iter().find(|p| Geometry::of_suite(SuiteKind::ConvBnRelu, &p.config) == g3).unwrap();
    assert_eq!(p3.samples, 2);
    assert!((p3.error - pts[3].error() / 2.0).abs() < 1e-12, "mean of the two errors");

    let params = RefineParams { count: 25, per_kernel: 10, ..RefineParams::new(SuiteKind::ConvBnRelu, 3) };
    let p = plan(&params, &pts, &[]).unwrap();
    assert_eq!(p.proposals.len(), 25);
    assert_eq!(p.kernels, 41);
    assert_eq!(p.kernels_above, pts.iter().filter(|q| q.error() > 0.10).count());
    assert_eq!(p.configs_above, ps.iter().filter(|q| q.error > 0.10).count());
    // The count cap takes the worst parents first: ids in order p0000, p0001, p0002.
    let ids: Vec<&str> = p.parents.iter().map(|u| u.parent.id.as_str()).collect();
    assert_eq!(ids, ["p0000", "p0001", "p0002"]);
    assert_eq!(p.parents.iter().map(|u| u.proposals).collect::<Vec<_>>(), [10, 10, 5]);
    // Nothing above a threshold of 100 %: nothing proposed.
    let none = plan(&RefineParams { threshold: 1.0, ..params.clone() }, &pts, &[]).unwrap();
    assert_eq!((none.configs_above, none.proposals.len()), (0, 0));
}

#[test]
fn same_seed_same_files_other_seed_other_proposals() {
    let pts = points(Table::DwConv, 50);
    let params = RefineParams {
        count: 40,
        per_kernel: 4,
        weights: Weights::Omitted,
        ..RefineParams::new(SuiteKind::DwConvBnRelu, 7)
    };
    let (a, b) = (scratch("a"), scratch("b"));
    let ra = write(&params, &source(), &pts, &[], &a).unwrap();
    let rb = write(&params, &source(), &pts, &[], &b).unwrap();
    assert_eq!(ra, rb);
    assert_eq!(ra.models, 40);
    let mut names: Vec<_> = std::fs::read_dir(&a).unwrap().map(|e| e.unwrap().file_name()).collect();
    names.sort();
    assert_eq!(names.len(), 42, "40 models, manifest.csv, suite.json");
    for n in &names {
        assert_eq!(std::fs::read(a.join(n)).unwrap(), std::fs::read(b.join(n)).unwrap(), "{n:?}");
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(a.join("suite.json")).unwrap()).unwrap();
    assert_eq!(json["schema"], "einf.suite-refine/1");
    let m0 = &json["models"][0];
    let parent = json["parents"].as_array().unwrap().iter().find(|p| p["id"] == m0["parent"]).unwrap();
    assert_eq!(m0["parent_error"], parent["error"]);
    assert!(parent["error"].as_f64().unwrap() > 0.10);
    let manifest = std::fs::read_to_string(a.join("manifest.csv")).unwrap();
    assert_eq!(manifest.lines().count(), 41);
    assert!(manifest.lines().nth(1).unwrap().starts_with("dwconv-bn-relu,dwconv-bn-relu_refine_00000,"));

    let other = plan(&RefineParams { seed: 8, ..params.clone() }, &pts, &[]).unwrap();
    let same = plan(&params, &pts, &[]).unwrap();
    assert_ne!(other.proposals, same.proposals);
    let _ = std::fs::remove_dir_all(&a);
    let _ = std::fs::remove_dir_all(&b);
}

#[test]
fn bad_parameters_and_points_are_named() {
    let pts = points(Table::Conv, 5);
    let base = RefineParams::new(SuiteKind::ConvBn, 1);
    let err = |p: RefineParams| plan(&p, &pts, &[]).unwrap_err().to_string();
    assert!(err(RefineParams { per_kernel: 0, ..base.clone() }).contains("per_kernel"));
    assert!(err(RefineParams { count: 0, ..base.clone() }).contains("count"));
    assert!(err(RefineParams { threshold: f64::NAN, ..base.clone() }).contains("threshold"));
    assert!(err(RefineParams { channels: (1.5, 2.0), ..base.clone() }).contains("channels"));
    assert!(err(RefineParams { side: (0.5, 9.0), ..base.clone() }).contains("side"));
    let bad = vec![CvPoint { config: config(7, 8, 8, 3, 1, 1), measured: 0.0, predicted: 1.0 }];
    let e = plan(&base, &bad, &[]).unwrap_err().to_string();
    assert!(e.contains("point 0") && e.contains("measured 0"), "{e}");
    // The normal suite's parameters still validate as before (the suite code is shared).
    assert!(SuiteParams::new(SuiteKind::ConvBn, 1, 1).validate().is_ok());
}
