//! Integration tests of einf-scoring, grouped by behaviour.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod bad_input;
mod device_scores;
mod plots;
mod properties;
mod worked_examples;

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
