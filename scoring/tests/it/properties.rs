//! Property tests of the metrics, solution power and cascades (synthetic inputs).

use einf_parser::units::{Duration, Energy, Frequency, Power};
use einf_scoring::*;
use proptest::prelude::*;

/// A positive energy in mJ spanning nine decades (1 nJ to 1 kJ).
fn energy_mj() -> impl Strategy<Value = f64> {
    (-6.0..6.0f64).prop_map(|e| 10f64.powf(e))
}

fn task() -> impl Strategy<Value = Task> {
    (0.0..=1.0f64, 2u64..100_000).prop_map(|(g, c)| Task::new(g, c).unwrap())
}

fn relative(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(f64::MIN_POSITIVE)
}

fn cascade() -> impl Strategy<Value = Cascade> {
    // The gated (medium) model draws at least what the gate does, as in a real cascade.
    (0.0..100.0f64, energy_mj(), 0.1..60.0f64, 1.001..100.0f64, 0.1..60.0f64, 0.1..600.0f64).prop_map(
        |(p_static, e_s, f_s, ratio, f_m, tau)| {
            let e_m = e_s * ratio * f_s / f_m;
            Cascade::new(
                Power::from_milliwatts(p_static),
                Stage { energy: Energy::from_millijoules(e_s), rate: Frequency::from_fps(f_s) },
                Stage { energy: Energy::from_millijoules(e_m), rate: Frequency::from_fps(f_m) },
                Duration::from_seconds(tau),
            )
            .unwrap()
        },
    )
}

proptest! {
    #[test]
    fn relc_never_exceeds_re_and_tends_to_it(task in task(), einf in energy_mj(), etrain in energy_mj(),
                                             uses in 1.0..1e12f64) {
        let (einf, etrain) = (Energy::from_millijoules(einf), Energy::from_millijoules(etrain * 1e6));
        let re = recognition_efficiency(&task, einf).unwrap();
        let relc = lifecycle_recognition_efficiency(&task, einf, etrain, uses).unwrap();
        prop_assert!(relc <= re, "RELC {relc} > RE {re}");
        prop_assert!(relc >= 0.0);
        // With F = 10^8 × F½ the training share is 10⁻⁸ of the energy: RELC is within 1e-8 of RE.
        let far = break_even_uses(einf, etrain).unwrap() * 1e8;
        let limit = lifecycle_recognition_efficiency(&task, einf, etrain, far).unwrap();
        prop_assert!(relative(limit, re) <= 1e-8, "RELC {limit} vs RE {re}");
        // And it rises towards RE.
        let nearer = lifecycle_recognition_efficiency(&task, einf, etrain, uses * 10.0).unwrap();
        prop_assert!(nearer >= relc);
    }

    #[test]
    fn dllce_is_in_0_1_and_rises_with_uses(einf in energy_mj(), etrain in energy_mj(), a in 1.0..1e12f64,
                                           b in 1.0..1e12f64) {
        let (einf, etrain) = (Energy::from_millijoules(einf), Energy::from_kilojoules(etrain));
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        let d_lo = lifecycle_efficiency(einf, etrain, lo).unwrap();
        let d_hi = lifecycle_efficiency(einf, etrain, hi).unwrap();
        prop_assert!(d_lo > 0.0 && d_lo <= 1.0, "{d_lo}");
        prop_assert!(d_hi > 0.0 && d_hi <= 1.0, "{d_hi}");
        prop_assert!(d_lo <= d_hi, "DLLCE fell from {d_lo} to {d_hi} as F rose from {lo} to {hi}");
        // E_LC = Etrain / (1 − DLLCE) when DLLCE < 1: the two agree.
        let elc = lifecycle_energy(einf, etrain, lo).unwrap().as_millijoules();
        let use_share = lo * einf.as_millijoules() / elc;
        prop_assert!((use_share - d_lo).abs() <= 1e-9, "{use_share} vs {d_lo}");
    }

    #[test]
    fn solution_power_is_affine_in_frame_rate(p_static in 0.0..1e4f64, einf in energy_mj(),
                                              f in 0.0..1e3f64, a in 0.0..1e3f64, b in 0.0..1e3f64) {
        let s = Solution::new(Power::from_milliwatts(p_static), Frequency::from_fps(f), Energy::from_millijoules(einf))
            .unwrap();
        let at = |r: f64| s.power_at(Frequency::from_fps(r)).unwrap().as_milliwatts();
        // P(0) is the static power, the slope is Einf, and P of a mean is the mean of P.
        prop_assert_eq!(at(0.0), p_static);
        let tol = 1e-12 * (p_static + 1e3 * einf);
        prop_assert!((at(a) - at(0.0) - a * einf).abs() <= tol);
        prop_assert!((at((a + b) / 2.0) - (at(a) + at(b)) / 2.0).abs() <= tol);
        prop_assert!((s.power().as_milliwatts() - at(f)).abs() <= tol);
        // Break-even: dynamic power equals static power there.
        let even = s.break_even_rate().unwrap().as_fps();
        prop_assert!((even * einf - p_static).abs() <= tol);
    }

    #[test]
    fn cascade_power_rises_with_the_event_rate(c in cascade(), a in 0.0..10_000.0f64, b in 0.0..10_000.0f64) {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        let p_lo = c.power(Frequency::from_per_hour(lo)).unwrap();
        let p_hi = c.power(Frequency::from_per_hour(hi)).unwrap();
        prop_assert!(p_lo.total_mw <= p_hi.total_mw, "{} > {} ({lo} → {hi} /h)", p_lo.total_mw, p_hi.total_mw);
        prop_assert!(p_lo.active_share <= p_hi.active_share);
        // Never more than running the medium model always (with no wake-up energy).
        prop_assert!(p_hi.total_mw <= p_hi.large_first_mw * (1.0 + 1e-12));
    }

    #[test]
    fn cascade_with_cloud_and_wake_up_is_monotone(c in cascade(), share in 0.0..=1.0f64, cloud in energy_mj(),
                                                  wake in energy_mj(), a in 0.0..10_000.0f64,
                                                  b in 0.0..10_000.0f64) {
        let c = c.with_cloud(CloudHandoff::new(share, Energy::from_millijoules(cloud * 1e3)).unwrap())
            .with_wake_energy(Energy::from_millijoules(wake)).unwrap();
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        let p_lo = c.power(Frequency::from_per_hour(lo)).unwrap().total_mw;
        let p_hi = c.power(Frequency::from_per_hour(hi)).unwrap().total_mw;
        prop_assert!(p_lo <= p_hi, "{p_lo} > {p_hi}");
        // The terms add up to the total.
        let p = c.power(Frequency::from_per_hour(hi)).unwrap();
        let sum = p.static_mw + p.small_mw + p.medium_mw + p.cloud_mw + p.wake_mw;
        prop_assert!(relative(sum, p.total_mw) <= 1e-12, "{sum} vs {}", p.total_mw);
    }

    #[test]
    fn the_break_even_event_rate_separates_the_winners(c in cascade(), wake in energy_mj()) {
        let c = c.with_wake_energy(Energy::from_millijoules(wake * 100.0)).unwrap();
        let even = c.break_even_events().unwrap().as_per_hour();
        prop_assume!(even > 0.0);
        let below = c.power(Frequency::from_per_hour(even * 0.9)).unwrap();
        let above = c.power(Frequency::from_per_hour(even * 1.1)).unwrap();
        prop_assert!(below.total_mw <= below.large_first_mw);
        prop_assert!(above.total_mw >= above.large_first_mw);
    }
}
