//! Every worked example of REFERENCE.md §4, with its figures.

use einf_parser::units::{
    BatteryCapacity, DataSize, Duration, Energy, Frequency, Power, parse_capacity, parse_data_size,
};
use einf_scoring::*;

/// Printed figures are compared at the printed precision, and to 1e-12 where float rounding of
/// decimal inputs (0.7 − 0.2) keeps the exact value out of reach.
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * b.abs().max(1.0)
}

#[test]
fn recgrad_hit_miss_and_miss_penalty() {
    let k1 = GradientParams::default();
    let k2 = GradientParams::new(2.0, 1).unwrap();
    let g = case_gradient(&[0.7, 0.2, 0.1], 0, &k1).unwrap();
    assert!(close(g, 0.5), "{g}");
    let g = case_gradient(&[0.2, 0.7, 0.1], 0, &k1).unwrap();
    assert!(close(g, -0.5), "{g}");
    let g = case_gradient(&[0.2, 0.7, 0.1], 0, &k2).unwrap();
    assert!(close(g, -1.0), "{g}");
}

#[test]
fn recgrad_of_a_file_is_the_mean_of_the_cases() {
    let text = "label,p0,p1,p2\n0,0.7,0.2,0.1\n0,0.2,0.7,0.1\n";
    let r = parse_probabilities(text.as_bytes(), "t.csv", ProbsOptions::default()).unwrap();
    assert_eq!(r.count, 2);
    assert_eq!(r.classes, Some(3));
    assert!(close(r.mean, 0.0), "{}", r.mean);
    assert!(close(r.std, 0.5f64.sqrt()), "{}", r.std);
    assert!(r.warning().is_some_and(|w| w.contains("100")));
    // The same cases as top-2 lists.
    let text = "0,0:0.7,1:0.2\n0,1:0.7,0:0.2\n";
    let opts = ProbsOptions { classes: Some(3), params: GradientParams::new(2.0, 1).unwrap() };
    let r = parse_probabilities(text.as_bytes(), "t.csv", opts).unwrap();
    assert!(close(r.mean, (0.5 - 1.0) / 2.0), "{}", r.mean);
}

#[test]
fn top_n_gradient_compares_with_the_nth_other_class() {
    let top2 = GradientParams::new(1.0, 2).unwrap();
    // True class second: a top-2 hit, 0.3 above the next other class.
    let g = case_gradient(&[0.5, 0.4, 0.1], 1, &top2).unwrap();
    assert!(close(g, 0.3), "{g}");
    // True class third: a top-2 miss.
    let g = case_gradient(&[0.5, 0.4, 0.1], 2, &top2).unwrap();
    assert!(close(g, -0.3), "{g}");
}

#[test]
fn top_n_of_a_top_k_list_bounds_the_unlisted_classes() {
    let top2 = GradientParams::new(1.0, 2).unwrap();
    // 3 classes, class 2 unlisted: it has at most 1 − 0.9 = 0.1.
    let g = case_gradient_top_k(&[(0, 0.7), (1, 0.2)], 0, 3, &top2).unwrap();
    assert!(close(g, 0.6), "{g}");
    // The same case as a full vector gives the same gradient.
    assert!(close(case_gradient(&[0.7, 0.2, 0.1], 0, &top2).unwrap(), g));
    // Top-4 of 10 classes with 2 listed others: the 2nd unlisted has at most (1 − 0.9) / 2.
    let top4 = GradientParams::new(1.0, 4).unwrap();
    let g = case_gradient_top_k(&[(4, 0.5), (1, 0.3), (0, 0.1)], 0, 10, &top4).unwrap();
    assert!(close(g, 0.1 - 0.05), "{g}");
    let top3 = GradientParams::new(1.0, 3).unwrap();
    // An unlisted true class is a miss.
    let g = case_gradient_top_k(&[(1, 0.5), (2, 0.3)], 0, 10, &GradientParams::default()).unwrap();
    assert!(close(g, -0.5), "{g}");
    // Only 2 other classes exist: top-3 is impossible.
    assert_eq!(case_gradient_top_k(&[(0, 0.7)], 0, 3, &top3), Err(CaseError::TopN { n: 3, available: 2 }));
}

#[test]
fn recognition_efficiency_examples() {
    let re = recognition_efficiency(&Task::new(0.5, 4).unwrap(), Energy::from_millijoules(1.0)).unwrap();
    assert_eq!(re, 2.0);
    let re = recognition_efficiency(&Task::new(1.0, 1000).unwrap(), Energy::from_millijoules(100.0)).unwrap();
    assert_eq!(re, 100.0);
    assert_eq!(EnergyClass::of(2.0), EnergyClass::C);
    assert_eq!(EnergyClass::of(100.0), EnergyClass::B);
    assert_eq!(EnergyClass::of(100.5), EnergyClass::A);
    assert_eq!(EnergyClass::of(10.0), EnergyClass::C);
    assert_eq!(EnergyClass::of(1.0), EnergyClass::C);
    assert_eq!(EnergyClass::of(0.99), EnergyClass::D);
}

#[test]
fn training_efficiency_examples() {
    let te = training_efficiency(&Task::new(0.5, 4).unwrap(), Energy::from_kilojoules(16.0)).unwrap();
    assert_eq!(te, 1.0);
    let te = training_efficiency(&Task::new(0.1, 1000).unwrap(), Energy::from_kilojoules(1e4)).unwrap();
    assert_eq!(te, 100.0);
}

#[test]
fn lifecycle_metrics() {
    let einf = Energy::from_millijoules(1.0);
    let etrain = Energy::from_joules(1.0);
    // Etrain = 1000 Einf: at F = 1000 training and inference weigh the same.
    assert_eq!(lifecycle_efficiency(einf, etrain, 1000.0).unwrap(), 0.5);
    assert_eq!(lifecycle_energy(einf, etrain, 1000.0).unwrap().as_millijoules(), 2000.0);
    assert_eq!(break_even_uses(einf, etrain).unwrap(), 1000.0);
    let task = Task::new(0.5, 4).unwrap();
    let relc = lifecycle_recognition_efficiency(&task, einf, etrain, 1000.0).unwrap();
    assert!(close(relc, 2.0 / 2f64.sqrt()), "{relc}");
    let m = energy_precision_ratio(0.5, 4.0, Energy::from_millijoules(16.0)).unwrap();
    assert_eq!(m.as_millijoules(), 1.0);
}

#[test]
fn whole_system_factor_scales_energy_only_when_applied() {
    let e = Energy::from_millijoules(2.0);
    assert_eq!(WholeSystemFactor::SINGLE_TASK.apply(e).unwrap().as_millijoules(), 5.0);
    assert_eq!("single".parse::<WholeSystemFactor>().unwrap().value(), 2.5);
    assert_eq!("1.5".parse::<WholeSystemFactor>().unwrap().apply(e).unwrap().as_millijoules(), 3.0);
}

#[test]
fn cloud_offload_of_a_70_kb_image_costs_14_14_joules() {
    let e = cloud_transfer_energy(parse_data_size("70kB").unwrap()).unwrap();
    assert_eq!(e.as_joules(), 14.14);
    assert_eq!(format!("{e:.2}"), "14.14 J");
    assert_eq!(cloud_transfer_energy(DataSize::from_megabytes(1.0)).unwrap().as_joules(), 202.0);
}

#[test]
fn solution_power_battery_and_break_even() {
    let s =
        Solution::new(Power::from_milliwatts(1.0), Frequency::from_fps(10.0), Energy::from_millijoules(2.0))
            .unwrap();
    assert_eq!(s.power().as_milliwatts(), 21.0);
    assert_eq!(s.dynamic_power().as_milliwatts(), 20.0);
    assert_eq!(s.break_even_rate().unwrap().as_fps(), 0.5);
    let life = s.battery_life(BatteryCapacity::from_milliwatt_hours(2100.0)).unwrap();
    assert_eq!(life.as_hours(), 100.0);
    let s = s.with_latency(Duration::from_milliseconds(25.0)).unwrap();
    assert_eq!(s.duty_cycle(), Some(0.25));
}

/// REFERENCE §4: P_static 1 mW, E_S 50 µJ at 10 fps, E_M 2 mJ at 10 fps, 6 events/h × 10 s, half
/// handed to the cloud with a 70 kB image → 13.608 mW; 300 mAh at 3.7 V → 81.57 h. Read as written:
/// π = 6·10/3600 = 1/60 and λ_C = 3 hand-offs per hour of 14.14 J each.
#[test]
fn cascade_example_gives_13_608_mw_and_81_57_hours() {
    let cascade = crate::reference_cascade()
        .with_cloud(CloudHandoff::sending(0.5, DataSize::from_kilobytes(70.0)).unwrap());
    let events = Frequency::from_per_hour(6.0);
    let p = cascade.power(events).unwrap();
    assert!(close(p.active_share, 1.0 / 60.0));
    assert!(close(p.small_mw, 0.5 * 59.0 / 60.0));
    assert!(close(p.medium_mw, 20.0 / 60.0));
    assert!(close(p.cloud_mw, 3.0 * 14_140.0 / 3600.0));
    let exact = 1.0 + 0.5 * 59.0 / 60.0 + 20.0 / 60.0 + 3.0 * 14_140.0 / 3600.0;
    assert!(close(p.total_mw, exact), "{} vs {exact}", p.total_mw);
    assert_eq!(format!("{:.3}", p.total()), "13.608 mW");
    let life = cascade.battery_life(events, parse_capacity("300mAh@3.7V").unwrap()).unwrap();
    assert_eq!(format!("{:.2}", life.as_hours()), "81.57");
    assert!(close(life.as_hours(), 1110.0 / exact));
}

#[test]
fn cascade_break_even_event_rate() {
    let c = crate::reference_cascade();
    // No wake-up energy: the designs tie once the medium model is always on (360 events/h).
    assert!(close(c.break_even_events().unwrap().as_per_hour(), 360.0));
    // 195 mJ per wake-up: ΔP = 19.5 mW, λ* = 19.5 / (195 + 10·19.5) Hz = 180 events/h.
    let c = c.with_wake_energy(Energy::from_millijoules(195.0)).unwrap();
    let even = c.break_even_events().unwrap();
    assert!(close(even.as_per_hour(), 180.0), "{}", even.as_per_hour());
    let below = c.power(Frequency::from_per_hour(100.0)).unwrap();
    let above = c.power(Frequency::from_per_hour(300.0)).unwrap();
    assert!(below.total_mw < below.large_first_mw);
    assert!(above.total_mw > above.large_first_mw);
    let sweep = c.sweep(Frequency::from_per_hour(1.0), Frequency::from_per_hour(3600.0), 13).unwrap();
    assert_eq!(sweep.first().map(|p| p.winner), Some(Winner::Cascade));
    assert_eq!(sweep.last().map(|p| p.winner), Some(Winner::LargeFirst));
    assert_eq!(sweep.last().map(|p| p.power.events_per_hour), Some(3600.0));
}
