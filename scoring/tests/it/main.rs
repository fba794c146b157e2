//! Integration tests of einf-scoring, grouped by behaviour.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod bad_input;
mod device_scores;
mod plots;
mod properties;
mod worked_examples;

use einf_parser::units::{Duration, Energy, Frequency, Power};
use einf_scoring::{Cascade, Stage};

/// The cascade of REFERENCE §4: 1 mW static power, a 50 µJ small and a 2 mJ medium model, both at
/// 10 fps, and 10 s of activity per event.
fn reference_cascade() -> Cascade {
    let fps = Frequency::from_fps(10.0);
    Cascade::new(
        Power::from_milliwatts(1.0),
        Stage { energy: Energy::from_microjoules(50.0), rate: fps },
        Stage { energy: Energy::from_millijoules(2.0), rate: fps },
        Duration::from_seconds(10.0),
    )
    .unwrap()
}

/// Public types stay `Send + Sync` (they cross threads in a predictor service).
#[test]
fn public_types_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<einf_scoring::Error>();
    check::<einf_scoring::Cascade>();
    check::<einf_scoring::Solution>();
    check::<einf_scoring::RecGrad>();
    check::<einf_scoring::DeviceScore>();
    check::<einf_parser::units::Energy>();
    check::<einf_parser::units::BatteryCapacity>();
}
