//! Device scores over the versioned reference sets.

use einf_parser::fusion::Rules;
use einf_parser::units::{Energy, Power};
use einf_parser::{analyze, default_backend, load_model};
use einf_scoring::device_score::{MOBILE_V1, REFERENCE_SETS, TINY_V1, parse_model_costs};
use einf_scoring::*;
use proptest::prelude::*;
use std::path::Path;

fn costs(set: &ReferenceSet, energies_mj: &[f64], powers_mw: &[f64]) -> Vec<ModelCost> {
    set.models
        .iter()
        .zip(energies_mj.iter().zip(powers_mw))
        .map(|(m, (&e, &p))| ModelCost {
            model: m.name.into(),
            energy: Energy::from_millijoules(e),
            power: Power::from_milliwatts(p),
        })
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * b.abs()
}

#[test]
fn unit_costs_score_1000_and_halving_energy_doubles_the_score() {
    let s = device_score(&TINY_V1, &costs(&TINY_V1, &[1.0; 4], &[1.0; 4])).unwrap();
    assert_eq!((s.energy_score, s.power_score, s.models), (1000.0, 1000.0, 4));
    assert_eq!(s.set, "einf-tiny/1");
    let s = device_score(&TINY_V1, &costs(&TINY_V1, &[0.5; 4], &[1000.0; 4])).unwrap();
    assert_eq!(s.energy_score, 2000.0);
    assert_eq!(s.power_score, 1.0);
    // The geometric mean: energies 1, 4, 16, 64 mJ → GM 8 mJ → 125.
    let s = device_score(&TINY_V1, &costs(&TINY_V1, &[1.0, 4.0, 16.0, 64.0], &[1.0; 4])).unwrap();
    assert!(close(s.geomean_energy_mj, 8.0), "{}", s.geomean_energy_mj);
    assert!(close(s.energy_score, 125.0), "{}", s.energy_score);
}

#[test]
fn every_model_once_and_only_models_of_the_set() {
    let mut c = costs(&TINY_V1, &[1.0; 4], &[1.0; 4]);
    c.pop();
    let e = device_score(&TINY_V1, &c).unwrap_err();
    assert!(matches!(&e, Error::MissingReferenceModels { missing, .. } if missing == "vww_96_int8"), "{e}");
    let mut c = costs(&TINY_V1, &[1.0; 4], &[1.0; 4]);
    c[3].model = "ad01_int8".into();
    assert!(matches!(device_score(&TINY_V1, &c), Err(Error::DuplicateReferenceModel { .. })));
    let c = costs(&MOBILE_V1, &[1.0; 7], &[1.0; 7]);
    let e = device_score(&TINY_V1, &c).unwrap_err();
    assert!(matches!(e, Error::UnknownReferenceModel { set: "einf-tiny/1", .. }), "{e}");
    let mut c = costs(&TINY_V1, &[1.0; 4], &[1.0; 4]);
    c[0].power = Power::ZERO;
    assert!(matches!(device_score(&TINY_V1, &c), Err(Error::NonPositive { .. })));
    assert!(matches!(reference_set("einf-tiny/2"), Err(Error::UnknownReferenceSet { .. })));
    assert_eq!(reference_set("einf-mobile/1").unwrap().models.len(), 7);
}

/// The sets are fixed: names are unique and every model file is in the repository.
#[test]
fn reference_models_are_files_of_the_repository() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/models");
    for set in REFERENCE_SETS {
        for (i, m) in set.models.iter().enumerate() {
            assert!(root.join(m.file).is_file(), "{}: {} is missing", set.name, m.file);
            let stem = Path::new(m.file).file_stem().and_then(|s| s.to_str());
            assert_eq!(stem, Some(m.name), "{}", set.name);
            assert!(set.models[..i].iter().all(|o| o.name != m.name), "{} twice", m.name);
        }
    }
}

/// Each model's input is what the file declares, and the mobile set spans 31 M to 4.1 G MACs.
#[test]
fn reference_inputs_are_what_the_files_hold() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/models");
    for set in REFERENCE_SETS {
        let mut macs = Vec::new();
        for m in set.models {
            let graph = load_model(&root.join(m.file), &[]).unwrap();
            let a = analyze(&graph, &Rules::builtin(default_backend(&graph)).unwrap()).unwrap();
            let inputs: Vec<String> = a
                .inputs
                .iter()
                .map(|i| {
                    let dims: Vec<String> = i.shape.iter().map(u64::to_string).collect();
                    format!("{} {}[{}]", i.name, i.dtype, dims.join("x"))
                })
                .collect();
            assert_eq!(inputs, [m.input], "{}", m.name);
            assert_eq!(a.coverage.uncosted_kernels, 0, "{}", m.name);
            macs.push(a.totals.macs);
        }
        if set.name == MOBILE_V1.name {
            let (lo, hi) = (macs.iter().min().copied().unwrap(), macs.iter().max().copied().unwrap());
            assert!((30_500_000..31_500_000).contains(&lo), "{lo}");
            assert!((4_050_000_000..4_150_000_000).contains(&hi), "{hi}");
        }
    }
}

#[test]
fn costs_read_from_csv_with_units() {
    let text = "model,energy,power\n# Nucleo-L4R5ZI\nad01_int8, 416.312uJ, 40.095437mW\n\
                pretrainedResnet_quant,29207.01uJ,41.47691mW\nkws_ref_model,7373.704uJ,40.838503mW\n\
                vww_96_int8,24.312648mJ,40319.483uW\n";
    let c = parse_model_costs(text, "costs.csv").unwrap();
    assert_eq!(c.len(), 4);
    assert_eq!(c[0].energy.as_microjoules(), 416.312);
    assert_eq!(c[3].power.as_microwatts(), 40319.483);
    assert!(device_score(&TINY_V1, &c).is_ok());
}

/// MLPerf Tiny's measured energies and powers (dataset/data/mlperf-tiny-energy, Apache-2.0):
/// every closed-division system with all four benchmarks gets a finite positive score, and the
/// reference board's matches the product form of the geometric mean.
#[test]
fn scores_of_mlperf_tiny_measurements() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../dataset/data/mlperf-tiny-energy/mlperf_tiny_results_v0.5-v1.3.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let model = |b: &str| match b {
        "ad" => Some("ad01_int8"),
        "ic" => Some("pretrainedResnet_quant"),
        "kws" => Some("kws_ref_model"),
        "vww" => Some("vww_96_int8"),
        _ => None,
    };
    let mut systems: std::collections::BTreeMap<(String, String), Vec<ModelCost>> = Default::default();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let (Some(m), Ok(e), Ok(p)) = (model(f[4]), f[5].parse::<f64>(), f[6].parse::<f64>()) else {
            continue;
        };
        if f[1] != "closed" {
            continue;
        }
        systems.entry((f[0].to_string(), f[3].to_string())).or_default().push(ModelCost {
            model: m.into(),
            energy: Energy::from_microjoules(e),
            power: Power::from_microwatts(p),
        });
    }
    let mut scored = 0;
    for ((version, system), c) in &systems {
        if c.len() != 4 {
            continue;
        }
        let s = device_score(&TINY_V1, c).unwrap_or_else(|e| panic!("{version} {system}: {e}"));
        assert!(s.energy_score > 0.0 && s.energy_score.is_finite() && s.power_score > 0.0);
        scored += 1;
    }
    assert!(scored >= 5, "only {scored} systems with all four benchmarks");
    let reference = &systems[&("0.5".to_string(), "Nucleo-L4R5ZI".to_string())];
    let s = device_score(&TINY_V1, reference).unwrap();
    let gm_e = (0.416312f64 * 29.20701 * 7.373704 * 24.312648).powf(0.25);
    let gm_p = (40.095437f64 * 41.47691 * 40.838503 * 40.319483).powf(0.25);
    assert!(close(s.energy_score, 1000.0 / gm_e), "{} vs {}", s.energy_score, 1000.0 / gm_e);
    assert!(close(s.power_score, 1000.0 / gm_p), "{} vs {}", s.power_score, 1000.0 / gm_p);
    // The figures the README quotes.
    assert_eq!(format!("{:.2} {:.2}", s.energy_score, s.power_score), "146.35 24.58");
}

proptest! {
    /// The ratio of two devices' scores is the geometric mean of their per-model energy ratios,
    /// whatever the order the models are given in.
    #[test]
    fn score_ratio_is_the_geometric_mean_of_ratios(a in proptest::collection::vec(1e-3..1e3f64, 4),
                                                   r in proptest::collection::vec(0.01..100.0f64, 4),
                                                   rotate in 0usize..4) {
        let b: Vec<f64> = a.iter().zip(&r).map(|(x, y)| x * y).collect();
        let sa = device_score(&TINY_V1, &costs(&TINY_V1, &a, &[1.0; 4])).unwrap();
        let mut cb = costs(&TINY_V1, &b, &[1.0; 4]);
        cb.rotate_left(rotate);
        let sb = device_score(&TINY_V1, &cb).unwrap();
        let expected = (r.iter().map(|x| x.ln()).sum::<f64>() / 4.0).exp();
        prop_assert!((sa.energy_score / sb.energy_score - expected).abs() <= 1e-9 * expected);
    }
}
