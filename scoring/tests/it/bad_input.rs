//! Bad input gives a named error, never a panic, NaN or infinity.

use einf_parser::units::{
    BatteryCapacity, DataSize, Dimension, Duration, Energy, Frequency, Power, UnitError, parse_energy,
};
use einf_scoring::device_score::{TINY_V1, parse_model_costs};
use einf_scoring::plot::{cascade_power_vs_events, relc_vs_uses, solution_power_vs_rate};
use einf_scoring::*;
use proptest::prelude::*;

fn mj(v: f64) -> Energy {
    Energy::from_millijoules(v)
}

fn probs(text: &str) -> Result<RecGrad> {
    parse_probabilities(text.as_bytes(), "p.csv", ProbsOptions::default())
}

/// The row error of a probabilities file, with its line.
fn case_error(r: Result<RecGrad>) -> (usize, CaseError) {
    match r {
        Err(Error::Csv { source_name, line, kind: CsvError::Case(e) }) => {
            assert_eq!(source_name, "p.csv");
            (line, e)
        }
        other => panic!("expected a row error, got {other:?}"),
    }
}

#[test]
fn zero_negative_and_non_finite_energies_are_named() {
    let task = Task::new(0.5, 4).unwrap();
    for bad in [0.0, -1.0, -0.0, f64::NAN, f64::INFINITY] {
        let e = recognition_efficiency(&task, mj(bad)).unwrap_err();
        assert!(matches!(e, Error::NonPositiveEnergy { what: "Einf", .. }), "{e}");
        let e = training_efficiency(&task, mj(bad)).unwrap_err();
        assert!(matches!(e, Error::NonPositiveEnergy { what: "Etrain", .. }), "{e}");
        assert!(lifecycle_efficiency(mj(1.0), mj(bad), 10.0).is_err());
        assert!(lifecycle_recognition_efficiency(&task, mj(bad), mj(1.0), 10.0).is_err());
        assert!(Solution::new(Power::ZERO, Frequency::from_fps(1.0), mj(bad)).is_err());
        let stage = Stage { energy: mj(bad), rate: Frequency::from_fps(1.0) };
        let ok = Stage { energy: mj(1.0), rate: Frequency::from_fps(1.0) };
        assert!(Cascade::new(Power::ZERO, stage, ok, Duration::from_seconds(1.0)).is_err());
        assert!(Cascade::new(Power::ZERO, ok, stage, Duration::from_seconds(1.0)).is_err());
    }
    let msg = recognition_efficiency(&task, mj(-2.0)).unwrap_err().to_string();
    assert_eq!(msg, "Einf must be a positive energy, got -2 mJ");
}

#[test]
fn zero_uses_negative_power_and_rates_are_named() {
    let task = Task::new(0.5, 4).unwrap();
    for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let e = lifecycle_recognition_efficiency(&task, mj(1.0), mj(1.0), bad).unwrap_err();
        assert!(matches!(e, Error::NonPositive { what: "uses F", .. }), "{e}");
    }
    let e = Solution::new(Power::from_milliwatts(-1.0), Frequency::from_fps(1.0), mj(1.0)).unwrap_err();
    assert!(matches!(e, Error::Negative { what: "static power", .. }), "{e}");
    let e = Solution::new(Power::ZERO, Frequency::from_fps(-1.0), mj(1.0)).unwrap_err();
    assert!(matches!(e, Error::Negative { what: "frame rate", .. }), "{e}");
    let s = Solution::new(Power::ZERO, Frequency::from_fps(0.0), mj(1.0)).unwrap();
    assert!(matches!(s.battery_life(BatteryCapacity::from_milliwatt_hours(100.0)), Err(Error::ZeroPower)));
    let s = Solution::new(Power::ZERO, Frequency::from_fps(100.0), mj(1.0)).unwrap();
    let e = s.with_latency(Duration::from_milliseconds(20.0)).unwrap_err();
    assert!(matches!(e, Error::DutyCycle { .. }), "{e}");
    assert!(e.to_string().contains("200%"), "{e}");
    let e = s.battery_life(BatteryCapacity::from_milliamp_hours(0.0, 3.7)).unwrap_err();
    assert!(matches!(e, Error::NonPositive { what: "battery capacity", .. }), "{e}");
}

#[test]
fn zero_or_one_class_is_named() {
    assert!(matches!(Task::new(0.5, 0), Err(Error::TooFewClasses { classes: 0 })));
    assert!(matches!(Task::new(0.5, 1), Err(Error::TooFewClasses { classes: 1 })));
    let k = GradientParams::default();
    assert_eq!(case_gradient(&[], 0, &k), Err(CaseError::TooFewClasses(0)));
    assert_eq!(case_gradient(&[1.0], 0, &k), Err(CaseError::TooFewClasses(1)));
    assert_eq!(case_gradient_top_k(&[(0, 1.0)], 0, 0, &k), Err(CaseError::TooFewClasses(0)));
    let opts = ProbsOptions { classes: Some(0), ..ProbsOptions::default() };
    let r = parse_probabilities("0,0.5,0.5\n".as_bytes(), "p.csv", opts);
    assert!(matches!(r, Err(Error::TooFewClasses { classes: 0 })), "{r:?}");
    assert_eq!(case_error(probs("0,1.0\n")), (1, CaseError::TooFewClasses(1)));
}

#[test]
fn bad_probabilities_name_the_line() {
    let (line, e) = case_error(probs("label,a,b,c\n0,0.7,0.2,0.1\n\n1,0.7,-0.2,0.5\n"));
    assert_eq!(line, 4);
    assert_eq!(e, CaseError::NegativeProbability { class: 1, value: -0.2 });
    // Within 1e-3 of 1 is accepted, beyond is not.
    assert!(probs("0,0.7,0.2,0.0995\n").is_ok());
    let (line, e) = case_error(probs("0,0.7,0.2,0.098\n"));
    assert_eq!(line, 1);
    assert!(matches!(e, CaseError::Sum { sum } if (sum - 0.998).abs() < 1e-12), "{e}");
    let (_, e) = case_error(probs("0,0.7,0.2,0.2\n"));
    assert!(matches!(e, CaseError::Sum { .. }), "{e}");
    let (_, e) = case_error(probs("0,0.5,NaN,0.5\n"));
    assert!(matches!(e, CaseError::BadNumber { column: 3, .. }), "{e}");
    let (_, e) = case_error(probs("0,0.5,inf,0.5\n"));
    assert!(matches!(e, CaseError::BadNumber { column: 3, .. }), "{e}");
    let (line, e) = case_error(probs("0,0.5,0.5\n0,0.3,0.3,0.4\n"));
    assert_eq!((line, e), (2, CaseError::ColumnCount { expected: 2, found: 3 }));
    let (_, e) = case_error(probs("0,0:0.5\n"));
    assert_eq!(e, CaseError::ClassesNeeded);
    let (_, e) = case_error(probs("0,0.5,0.5\n1,1:0.5,0:0.5\n"));
    assert_eq!(e, CaseError::MixedFormats);
    let top = ProbsOptions { classes: Some(3), ..ProbsOptions::default() };
    let r = parse_probabilities("0,0:0.5,0:0.2\n".as_bytes(), "p.csv", top);
    assert_eq!(case_error(r).1, CaseError::DuplicateClass(0));
    let r = parse_probabilities("0,0:0.7,1:0.6\n".as_bytes(), "p.csv", top);
    assert!(matches!(case_error(r).1, CaseError::TopKSum { .. }));
    let r = parse_probabilities("0,0:0.7,1-0.2\n".as_bytes(), "p.csv", top);
    assert_eq!(case_error(r).1, CaseError::BadPair("1-0.2".into()));
}

#[test]
fn labels_outside_the_classes_are_named() {
    let (line, e) = case_error(probs("0,0.7,0.2,0.1\n3,0.7,0.2,0.1\n"));
    assert_eq!((line, e), (2, CaseError::LabelOutOfRange { label: 3, classes: 3 }));
    let (_, e) = case_error(probs("-1,0.7,0.2,0.1\n"));
    assert_eq!(e, CaseError::BadLabel("-1".into()));
    let (_, e) = case_error(probs("0,0.7,0.2,0.1\ncat,0.7,0.2,0.1\n"));
    assert_eq!(e, CaseError::BadLabel("cat".into()));
    let k = GradientParams::default();
    assert_eq!(
        case_gradient_top_k(&[(0, 0.9), (7, 0.1)], 0, 5, &k),
        Err(CaseError::LabelOutOfRange { label: 7, classes: 5 })
    );
    assert_eq!(
        case_gradient_top_k(&[(0, 0.9)], 5, 5, &k),
        Err(CaseError::LabelOutOfRange { label: 5, classes: 5 })
    );
    let msg = Error::Csv {
        source_name: "p.csv".into(),
        line: 2,
        kind: CsvError::Case(CaseError::LabelOutOfRange { label: 3, classes: 3 }),
    }
    .to_string();
    assert_eq!(msg, "p.csv:2: label 3 is outside the class range 0..3");
}

#[test]
fn empty_files_are_named() {
    for text in ["", "\n\n", "# only a comment\n", "label,p0,p1\n"] {
        let r = probs(text);
        assert!(
            matches!(&r, Err(Error::EmptyFile { source_name }) if source_name == "p.csv"),
            "{text:?}: {r:?}"
        );
    }
    assert!(matches!(parse_model_costs("", "c.csv"), Err(Error::EmptyFile { .. })));
    let missing = std::path::Path::new("no/such/probs.csv");
    let e = read_probabilities(missing, ProbsOptions::default()).unwrap_err();
    assert!(matches!(&e, Error::Io { path, .. } if path == "no/such/probs.csv"), "{e}");
}

#[test]
fn units_that_do_not_fit_are_named() {
    let e = parse_energy("12mW").unwrap_err();
    assert!(matches!(
        e,
        UnitError::WrongDimension { found: Dimension::Power, expected: Dimension::Energy, .. }
    ));
    assert!(matches!(parse_energy("12.5"), Err(UnitError::MissingUnit { .. })));
    let e = parse_model_costs("model,energy,power\nad01_int8,40mW,416uJ\n", "c.csv").unwrap_err();
    assert!(
        matches!(&e, Error::Csv { line: 2, kind: CsvError::Units(UnitError::WrongDimension { .. }), .. }),
        "{e}"
    );
    assert!(e.to_string().starts_with("c.csv:2: '40mW'"), "{e}");
    let e = parse_model_costs("ad01_int8,1mJ\n", "c.csv").unwrap_err();
    assert!(matches!(e, Error::Csv { line: 1, kind: CsvError::Fields(2), .. }), "{e}");
}

#[test]
fn parameters_outside_their_range_are_named() {
    assert!(matches!(Task::new(1.5, 4), Err(Error::OutOfRange { what: "RECgrad", .. })));
    assert!(matches!(Task::new(f64::NAN, 4), Err(Error::OutOfRange { what: "RECgrad", .. })));
    assert!(matches!(GradientParams::new(0.5, 1), Err(Error::OutOfRange { what: "miss penalty k", .. })));
    assert!(matches!(GradientParams::new(1.0, 0), Err(Error::OutOfRange { what: "top-N", .. })));
    assert!(matches!(energy_precision_ratio(1.5, 1.0, mj(1.0)), Err(Error::OutOfRange { .. })));
    assert!(matches!(energy_precision_ratio(0.5, 0.0, mj(1.0)), Err(Error::NonPositive { what: "α", .. })));
    assert!(matches!(CloudHandoff::new(1.5, mj(1.0)), Err(Error::OutOfRange { what: "cloud share", .. })));
    assert!(WholeSystemFactor::new(0.5).is_err());
    assert!("many".parse::<WholeSystemFactor>().is_err());
    assert!(WholeSystemFactor::SINGLE_TASK.apply(mj(f64::NAN)).is_err());
}

/// Any f64, including NaN, ±infinity, ±0, subnormals and the extremes.
fn any_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        proptest::num::f64::ANY,
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(0.0),
        Just(-0.0),
        Just(f64::MAX),
        Just(f64::MIN_POSITIVE),
        Just(5e-324),
        0.0..1.0f64,
        1.0..1e6f64,
    ]
}

/// An Ok result must be finite.
fn check(what: &str, r: Result<f64>) -> std::result::Result<(), TestCaseError> {
    if let Ok(v) = r {
        prop_assert!(v.is_finite(), "{what} returned {v}");
    }
    Ok(())
}

fn svg_ok(what: &str, r: Result<String>) -> std::result::Result<(), TestCaseError> {
    if let Ok(svg) = r {
        let bad = crate::plots::non_finite_coordinates(&svg);
        prop_assert!(bad.is_empty(), "{what} drew non-finite coordinates: {bad:?}");
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn metrics_never_return_non_finite_numbers(g in any_f64(), classes in prop_oneof![Just(0u64), Just(1), 2u64..u64::MAX],
                                               einf in any_f64(), etrain in any_f64(), uses in any_f64(),
                                               err in any_f64(), alpha in any_f64()) {
        let (einf, etrain) = (mj(einf), Energy::from_kilojoules(etrain));
        check("F½", break_even_uses(einf, etrain))?;
        check("DLLCE", lifecycle_efficiency(einf, etrain, uses))?;
        check("E_LC", lifecycle_energy(einf, etrain, uses).map(|e| e.as_millijoules()))?;
        check("M", energy_precision_ratio(err, alpha, einf).map(|e| e.as_millijoules()))?;
        check("cloud", cloud_transfer_energy(DataSize::from_bytes(einf.as_millijoules())).map(|e| e.as_joules()))?;
        check("system", WholeSystemFactor::new(alpha).and_then(|f| f.apply(einf)).map(|e| e.as_millijoules()))?;
        if let Ok(task) = Task::new(g, classes) {
            prop_assert!(task.recgrad().is_finite());
            check("RE", recognition_efficiency(&task, einf))?;
            check("TE", training_efficiency(&task, etrain))?;
            check("RELC", lifecycle_recognition_efficiency(&task, einf, etrain, uses))?;
            svg_ok("RELC plot", relc_vs_uses(&task, einf, etrain, Some(uses)))?;
        }
    }

    #[test]
    fn solutions_never_return_non_finite_numbers(p in any_f64(), f in any_f64(), e in any_f64(), f2 in any_f64(),
                                                 cap in any_f64(), volts in any_f64(), lat in any_f64()) {
        if let Ok(s) = Solution::new(Power::from_milliwatts(p), Frequency::from_fps(f), mj(e)) {
            prop_assert!(s.power().as_milliwatts().is_finite());
            prop_assert!(s.dynamic_power().as_milliwatts().is_finite());
            check("power_at", s.power_at(Frequency::from_hertz(f2)).map(|p| p.as_milliwatts()))?;
            check("break-even", s.break_even_rate().map(|f| f.as_fps()))?;
            check("battery", s.battery_life(BatteryCapacity::from_milliamp_hours(cap, volts)).map(|d| d.as_hours()))?;
            check("battery", s.battery_life(BatteryCapacity::from_milliwatt_hours(cap)).map(|d| d.as_hours()))?;
            if let Ok(s) = s.with_latency(Duration::from_seconds(lat)) {
                prop_assert!(s.duty_cycle().is_some_and(|d| (0.0..=1.0).contains(&d)));
            }
            svg_ok("solution plot", solution_power_vs_rate(&s))?;
        }
    }

    #[test]
    fn cascades_never_return_non_finite_numbers(p in any_f64(), es in any_f64(), fs in any_f64(), em in any_f64(),
                                                fm in any_f64(), tau in any_f64(), share in any_f64(),
                                                cloud in any_f64(), wake in any_f64(), ev in any_f64(),
                                                to in any_f64(), points in 0usize..40) {
        let small = Stage { energy: mj(es), rate: Frequency::from_fps(fs) };
        let medium = Stage { energy: mj(em), rate: Frequency::from_fps(fm) };
        let Ok(mut c) = Cascade::new(Power::from_milliwatts(p), small, medium, Duration::from_seconds(tau)) else {
            return Ok(());
        };
        if let Ok(h) = CloudHandoff::new(share, mj(cloud)) {
            c = c.with_cloud(h);
        }
        if let Ok(w) = c.with_wake_energy(mj(wake)) {
            c = w;
        }
        let events = Frequency::from_per_hour(ev);
        if let Ok(pw) = c.power(events) {
            for v in [pw.events_per_hour, pw.active_share, pw.static_mw, pw.small_mw, pw.medium_mw, pw.cloud_mw,
                      pw.wake_mw, pw.total_mw, pw.large_first_mw] {
                prop_assert!(v.is_finite(), "{pw:?}");
            }
        }
        check("π", c.active_share(events))?;
        check("λ*", c.break_even_events().map(|f| f.as_per_hour()))?;
        check("battery", c.battery_life(events, BatteryCapacity::from_milliwatt_hours(to)).map(|d| d.as_hours()))?;
        if let Ok(sweep) = c.sweep(events, Frequency::from_per_hour(to), points) {
            prop_assert_eq!(sweep.len(), points);
            prop_assert!(sweep.iter().all(|s| s.power.total_mw.is_finite() && s.power.large_first_mw.is_finite()));
            if let Ok(even) = c.break_even_events() {
                svg_ok("cascade plot", cascade_power_vs_events(&sweep, even, Some(events)))?;
            }
        }
    }

    #[test]
    fn gradients_never_return_non_finite_numbers(ps in proptest::collection::vec(any_f64(), 0..6), label in 0u64..8,
                                                 k in any_f64(), n in 0usize..4, classes in 0u64..8) {
        let Ok(params) = GradientParams::new(k, n) else { return Ok(()) };
        if let Ok(g) = case_gradient(&ps, label, &params) {
            prop_assert!(g.is_finite() && (-3.0..=1.0).contains(&g), "{g}");
        }
        let pairs: Vec<(u64, f64)> = (0u64..).zip(ps.iter().copied()).collect();
        if let Ok(g) = case_gradient_top_k(&pairs, label, classes, &params) {
            prop_assert!(g.is_finite() && (-3.0..=1.0).contains(&g), "{g}");
        }
    }

    #[test]
    fn device_scores_never_return_non_finite_numbers(es in proptest::collection::vec(any_f64(), 4),
                                                     ps in proptest::collection::vec(any_f64(), 4)) {
        let costs: Vec<ModelCost> = TINY_V1
            .models
            .iter()
            .zip(es.iter().zip(&ps))
            .map(|(m, (&e, &p))| ModelCost { model: m.name.into(), energy: mj(e), power: Power::from_milliwatts(p) })
            .collect();
        if let Ok(s) = device_score(&TINY_V1, &costs) {
            prop_assert!(s.energy_score.is_finite() && s.energy_score > 0.0);
            prop_assert!(s.power_score.is_finite() && s.power_score > 0.0);
            prop_assert!(s.geomean_energy_mj.is_finite() && s.geomean_power_mw.is_finite());
        }
    }
}
