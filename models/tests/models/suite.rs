//! Kernel benchmark suites: deterministic by seed, valid configurations, one kernel of the
//! requested kind per model, prior share honoured, bad parameters refused.

use einf_models::export::Weights;
use einf_models::suite::{SuiteKind, SuiteParams, generate, manifest, sample};

fn params(kind: SuiteKind, count: usize, seed: u64) -> SuiteParams {
    SuiteParams { weights: Weights::Omitted, ..SuiteParams::new(kind, count, seed) }
}

#[test]
fn same_seed_same_bytes_other_seed_other_suite() {
    let a = generate(&params(SuiteKind::ConvBnRelu, 50, 7)).unwrap();
    let b = generate(&params(SuiteKind::ConvBnRelu, 50, 7)).unwrap();
    let c = generate(&params(SuiteKind::ConvBnRelu, 50, 8)).unwrap();
    assert_eq!(a, b);
    assert_eq!(manifest(SuiteKind::ConvBnRelu, &a), manifest(SuiteKind::ConvBnRelu, &b));
    assert_ne!(a.iter().map(|e| &e.onnx).collect::<Vec<_>>(), c.iter().map(|e| &e.onnx).collect::<Vec<_>>());
}

#[test]
fn every_kind_gives_valid_distinct_configurations() {
    for kind in SuiteKind::ALL {
        let entries = generate(&params(kind, 120, 3)).unwrap_or_else(|e| panic!("{}: {e}", kind.name()));
        assert_eq!(entries.len(), 120);
        let mut seen = std::collections::HashSet::new();
        for e in &entries {
            let (c, k) = (&e.config, &e.kernel);
            assert!(seen.insert((c.hw, c.cin, c.cout, c.k, c.stride)), "{}: duplicate {c:?}", kind.name());
            for v in [k.input_h, k.input_w, k.output_h, k.output_w, k.cin, k.cout, k.kernel_h, k.stride_h] {
                assert!(v > 0, "{}: zero dimension in {k}", kind.name());
            }
            // Stride ≤ kernel, except strided 1×1 convolutions taken from the prior (documented).
            assert!(
                k.stride_h <= k.kernel_h || (k.kernel_h == 1 && c.origin.starts_with("prior:")),
                "{}: {k} ({})",
                kind.name(),
                c.origin
            );
            if matches!(kind, SuiteKind::DwConvBnRelu | SuiteKind::DwConvBn) {
                assert_eq!((k.groups, k.cout), (k.cin, k.cin));
            }
            assert!(e.macs > 0 || matches!(kind, SuiteKind::MaxPool | SuiteKind::AvgPool));
        }
    }
}

#[test]
fn the_prior_share_decides_where_configurations_come_from() {
    let all_prior =
        sample(&SuiteParams { prior_share: 1.0, ..params(SuiteKind::DwConvBnRelu, 100, 1) }).unwrap();
    assert!(all_prior.iter().all(|c| c.origin.starts_with("prior:")));
    let uniform = sample(&SuiteParams { prior_share: 0.0, ..params(SuiteKind::ConvBn, 100, 1) }).unwrap();
    assert!(uniform.iter().all(|c| c.origin == "uniform" && c.stride <= c.k));
    let mixed = sample(&params(SuiteKind::ConvBnRelu, 1000, 1)).unwrap();
    let share = mixed.iter().filter(|c| c.origin.starts_with("prior:")).count() as f64 / 1000.0;
    assert!((0.70..0.80).contains(&share), "prior share {share}");
}

#[test]
fn bad_parameters_are_named_errors() {
    let e = "conv-relu6".parse::<SuiteKind>().unwrap_err().to_string();
    assert!(e.contains("unknown suite kind 'conv-relu6'") && e.contains("dwconv-bn-relu"), "{e}");
    let e = generate(&params(SuiteKind::Fc, 0, 1)).unwrap_err().to_string();
    assert!(e.contains("count"), "{e}");
    let e = sample(&SuiteParams { prior_share: 1.5, ..params(SuiteKind::Fc, 5, 1) }).unwrap_err().to_string();
    assert!(e.contains("prior_share"), "{e}");
}
