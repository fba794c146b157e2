//! einf scoring: the field's efficiency metrics, solution power, battery life, cascades and
//! device scores, from an inference energy `Einf` that comes from anywhere (the predictor, a
//! measurement, a number typed by the user). It knows no graphs. Quantities are typed
//! ([`einf_parser::units`]); every input is validated and every failure is a named [`Error`]:
//! the library never panics on input and never returns NaN or infinity.
//!
//! | what | formula | unit |
//! |---|---|---|
//! | [recognition gradient](recgrad) | per case `g = p[t] − max_{j≠t} p[j]`, misses × k; RECgrad = mean | – |
//! | [`energy_precision_ratio`] M | `Error^α × EPI` (α = 1 or 4, lower is better) | EPI's unit |
//! | [`recognition_efficiency`] RE | `RECgrad × Cl / √(Einf/mJ)` | 1/√mJ |
//! | [`training_efficiency`] TE | `(RECgrad × Cl)² / √(Etrain/kJ)` | 1/√kJ |
//! | [`lifecycle_efficiency`] DLLCE | `1 / (Etrain/(Einf·F) + 1)` | – |
//! | [`lifecycle_energy`] E_LC | `Etrain + F·Einf` | mJ |
//! | [`lifecycle_recognition_efficiency`] RELC | `RECgrad × Cl / √(Einf/mJ + Etrain/mJ / F)` | 1/√mJ |
//! | [`EnergyClass`] | A > 100, 10 < B ≤ 100, 1 ≤ C ≤ 10, D < 1 (on RE or RELC) | – |
//! | [`WholeSystemFactor`] | energy × 2.5 (single task) or × 1.5–2 (other load), when asked | – |
//! | [`cloud_transfer_energy`] | 202 J per decimal MB (70 kB → 14.14 J) | J |
//! | [`Solution`] power | `P_static + f·Einf`; battery `capacity_mWh / P_mW` h; break-even `f = P_static/Einf` | mW, h, fps |
//! | [`Cascade`] power | `P_static + (1−π)·f_S·E_S + π·f_M·E_M + λ_C·E_C`, `π = min(1, events_per_h·τ/3600)` | mW |
//! | [device score](mod@device_score) | `IES = 1000 / GM(E/mJ)`, `PS = 1000 / GM(P/mW)` over a reference set | – |
//!
//! The cascade example of REFERENCE §4 reads as the formula is written: `P_static` 1 mW,
//! `E_S` 50 µJ at 10 fps (0.5 mW), `E_M` 2 mJ at 10 fps (20 mW), 6 events/h × 10 s
//! (π = 1/60), half the events (3 per hour) each send a 70 kB image (14.14 J) to the cloud:
//! `1 + (59/60)·0.5 + (1/60)·20 + (3/3600)·14 140 = 13.608 mW`; a 300 mAh battery at 3.7 V
//! (1110 mWh) lasts 81.57 h.
//!
//! ```
//! use einf_parser::units::{parse_capacity, parse_data_size, parse_duration, parse_energy, parse_frequency, parse_power};
//! use einf_scoring::{Cascade, CloudHandoff, Stage};
//! let fps = parse_frequency("10fps")?;
//! let cascade = Cascade::new(
//!     parse_power("1mW")?,
//!     Stage { energy: parse_energy("50uJ")?, rate: fps },
//!     Stage { energy: parse_energy("2mJ")?, rate: fps },
//!     parse_duration("10s")?,
//! )?
//! .with_cloud(CloudHandoff::sending(0.5, parse_data_size("70kB")?)?);
//! let events = parse_frequency("6/h")?;
//! assert_eq!(format!("{:.3}", cascade.power(events)?.total()), "13.608 mW");
//! let life = cascade.battery_life(events, parse_capacity("300mAh@3.7V")?)?;
//! assert_eq!(format!("{:.2}", life.as_hours()), "81.57");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Device scores
//!
//! A device score aggregates one device's (and one runtime's) energy per inference `E_m` and
//! average power while inferring `P_m` over every model m of a fixed, versioned
//! [reference set](device_score::REFERENCE_SETS) ([`TINY_V1`](device_score::TINY_V1) `einf-tiny/1`:
//! the four MLPerf Tiny int8 reference models; [`MOBILE_V1`](device_score::MOBILE_V1)
//! `einf-mobile/1`: seven float32 vision models), each named by its file stem and run at batch 1
//! on its stored input:
//!
//! - energy score `IES = 1000 / GM_m(E_m / 1 mJ)`, the geometric-mean inferences per joule;
//! - power score `PS = 1000 / GM_m(P_m / 1 mW)`;
//!
//! with `GM` the geometric mean. Both are higher-is-better; the ratio of two devices' scores is
//! the geometric mean of their per-model ratios, so no model dominates by size and no reference
//! device is needed. Every model must be given once; scores compare only within one set version.

pub mod cascade;
pub mod device_score;
pub mod error;
pub mod metrics;
pub mod plot;
pub mod probs;
pub mod recgrad;
pub mod solution;
pub mod system;

pub use cascade::{Cascade, CascadePower, CloudHandoff, Stage, SweepPoint, Winner};
pub use device_score::{DeviceScore, ModelCost, ReferenceModel, ReferenceSet, device_score, reference_set};
pub use error::{CaseError, CsvError, Error, Result};
pub use metrics::{
    EnergyClass, Task, break_even_uses, energy_precision_ratio, lifecycle_efficiency, lifecycle_energy,
    lifecycle_recognition_efficiency, recognition_efficiency, training_efficiency,
};
pub use probs::{ProbsOptions, parse_probabilities, read_probabilities};
pub use recgrad::{GradientParams, GradientStats, MIN_CASES, RecGrad, case_gradient, case_gradient_top_k};
pub use solution::Solution;
pub use system::{CLOUD_JOULES_PER_MEGABYTE, WholeSystemFactor, cloud_transfer_energy};
