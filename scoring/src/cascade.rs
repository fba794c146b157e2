//! Cascades: a small model always on gates a medium model that runs for τ seconds after each
//! event, with an optional hand-off of a share of events to the cloud (REFERENCE §4):
//!
//! `P = P_static + (1−π)·f_S·E_S + π·f_M·E_M + λ_C·E_C`, `π = min(1, events_per_h·τ/3600)`,
//! `λ_C = share × events` (cloud hand-offs per second).
//!
//! einf adds an optional wake-up energy `E_W` per event (loading the medium model, powering an
//! accelerator; 0 unless given), a term `λ·E_W`. The alternative, running the medium ("large")
//! model first and always, draws `P_L = P_static + f_M·E_M + λ_C·E_C`. With
//! `ΔP = f_M·E_M − f_S·E_S`, the cascade draws less below the event rate
//! `λ* = ΔP / (E_W + τ·ΔP)` and the large model first wins above it (`λ* = 1/τ`, a tie from
//! there on, when there is no wake-up energy; `λ* = 0` when the small model costs as much as the
//! medium one).

use crate::error::{Error, Result, finite};
use crate::metrics::positive_mj;
use crate::solution::{battery_hours, non_negative_hz, non_negative_mw};
use crate::system::cloud_transfer_energy;
use einf_parser::units::{BatteryCapacity, DataSize, Duration, Energy, Frequency, Power};
use serde::Serialize;

/// The most points a sweep takes.
pub const MAX_SWEEP_POINTS: usize = 10_000;

/// A model of the cascade: energy per inference and inference rate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stage {
    /// Energy per inference.
    pub energy: Energy,
    /// Inferences per second while the stage runs.
    pub rate: Frequency,
}

/// A validated hand-off of a share of events to the cloud, each costing a transfer energy.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CloudHandoff {
    share: f64,
    energy_mj: f64,
}

impl CloudHandoff {
    /// `share` ∈ [0, 1] of events handed off, each costing `energy` > 0.
    pub fn new(share: f64, energy: Energy) -> Result<CloudHandoff> {
        if !(0.0..=1.0).contains(&share) {
            return Err(Error::OutOfRange { what: "cloud share", value: share.to_string(), range: "[0, 1]" });
        }
        Ok(CloudHandoff { share, energy_mj: positive_mj("cloud energy", energy)? })
    }

    /// A hand-off that sends an input of `size` (202 J per decimal MB).
    pub fn sending(share: f64, size: DataSize) -> Result<CloudHandoff> {
        CloudHandoff::new(share, cloud_transfer_energy(size)?)
    }

    /// Share of events handed off.
    pub fn share(&self) -> f64 {
        self.share
    }

    /// Energy per hand-off.
    pub fn energy(&self) -> Energy {
        Energy::from_millijoules(self.energy_mj)
    }
}

/// A validated cascade.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cascade {
    static_mw: f64,
    small_mw: f64,
    medium_mw: f64,
    active_s: f64,
    cloud: Option<CloudHandoff>,
    wake_mj: f64,
}

/// The terms of a cascade's power at one event rate, each in mW.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct CascadePower {
    /// Events per hour.
    pub events_per_hour: f64,
    /// π, the share of time the medium model runs.
    pub active_share: f64,
    /// `P_static`.
    pub static_mw: f64,
    /// `(1−π)·f_S·E_S`.
    pub small_mw: f64,
    /// `π·f_M·E_M`.
    pub medium_mw: f64,
    /// `λ_C·E_C`.
    pub cloud_mw: f64,
    /// `λ·E_W`.
    pub wake_mw: f64,
    /// The cascade's power.
    pub total_mw: f64,
    /// Power of running the medium model first and always: `P_static + f_M·E_M + λ_C·E_C`.
    pub large_first_mw: f64,
}

impl CascadePower {
    /// The cascade's power.
    pub fn total(&self) -> Power {
        Power::from_milliwatts(self.total_mw)
    }

    /// Which design draws less at this rate.
    pub fn winner(&self) -> Winner {
        Winner::of(self)
    }
}

/// Which design draws less power at an event rate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Winner {
    /// The cascade draws less.
    Cascade,
    /// Running the medium model first draws less.
    LargeFirst,
    /// Equal (within 1e-12 relative).
    Tie,
}

impl Winner {
    fn of(p: &CascadePower) -> Winner {
        let tol = 1e-12 * p.total_mw.abs().max(p.large_first_mw.abs());
        if (p.total_mw - p.large_first_mw).abs() <= tol {
            Winner::Tie
        } else if p.total_mw < p.large_first_mw {
            Winner::Cascade
        } else {
            Winner::LargeFirst
        }
    }
}

impl std::fmt::Display for Winner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Winner::Cascade => "cascade",
            Winner::LargeFirst => "large first",
            Winner::Tie => "tie",
        })
    }
}

/// One point of an event-rate sweep.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct SweepPoint {
    /// The power terms at this rate.
    #[serde(flatten)]
    pub power: CascadePower,
    /// Which design draws less.
    pub winner: Winner,
}

fn stage_mw(what: &'static str, s: Stage) -> Result<f64> {
    let e = positive_mj(what, s.energy)?;
    let f = non_negative_hz("inference rate", s.rate)?;
    finite(what, e * f)
}

impl Cascade {
    /// Static power ≥ 0, stages with positive energies and rates ≥ 0, active time τ > 0.
    pub fn new(static_power: Power, small: Stage, medium: Stage, active: Duration) -> Result<Cascade> {
        let active_s = active.as_seconds();
        if !(active_s.is_finite() && active_s > 0.0) {
            return Err(Error::NonPositive { what: "active time τ", value: active.to_string() });
        }
        Ok(Cascade {
            static_mw: non_negative_mw("static power", static_power)?,
            small_mw: stage_mw("small model energy E_S", small)?,
            medium_mw: stage_mw("medium model energy E_M", medium)?,
            active_s,
            cloud: None,
            wake_mj: 0.0,
        })
    }

    /// With a cloud hand-off.
    pub fn with_cloud(self, cloud: CloudHandoff) -> Cascade {
        Cascade { cloud: Some(cloud), ..self }
    }

    /// With a wake-up energy ≥ 0 per event.
    pub fn with_wake_energy(self, wake: Energy) -> Result<Cascade> {
        let mj = wake.as_millijoules();
        if !(mj.is_finite() && mj >= 0.0) {
            return Err(Error::Negative { what: "wake-up energy", value: wake.to_string() });
        }
        Ok(Cascade { wake_mj: mj, ..self })
    }

    /// The cloud hand-off, if any.
    pub fn cloud(&self) -> Option<CloudHandoff> {
        self.cloud
    }

    /// Wake-up energy per event (0 unless given).
    pub fn wake_energy(&self) -> Energy {
        Energy::from_millijoules(self.wake_mj)
    }

    /// Active time τ.
    pub fn active_time(&self) -> Duration {
        Duration::from_seconds(self.active_s)
    }

    /// `π = min(1, events × τ)`.
    pub fn active_share(&self, events: Frequency) -> Result<f64> {
        let hz = non_negative_hz("event rate", events)?;
        Ok((hz * self.active_s).min(1.0))
    }

    /// The power terms at an event rate. Written as `P_static + f_S·E_S + π·(f_M·E_M − f_S·E_S)
    /// + λ·(share·E_C + E_W)` so that rounding keeps it monotone in the event rate.
    pub fn power(&self, events: Frequency) -> Result<CascadePower> {
        let hz = non_negative_hz("event rate", events)?;
        let pi = (hz * self.active_s).min(1.0);
        let (share, cloud_mj) = self.cloud.map_or((0.0, 0.0), |c| (c.share, c.energy_mj));
        let cloud_mw = hz * share * cloud_mj;
        let wake_mw = hz * self.wake_mj;
        let total = self.static_mw
            + self.small_mw
            + pi * (self.medium_mw - self.small_mw)
            + hz * (share * cloud_mj + self.wake_mj);
        let large_first = self.static_mw + self.medium_mw + cloud_mw;
        Ok(CascadePower {
            events_per_hour: finite("event rate", events.as_per_hour())?,
            active_share: pi,
            static_mw: self.static_mw,
            small_mw: (1.0 - pi) * self.small_mw,
            medium_mw: pi * self.medium_mw,
            cloud_mw: finite("cloud power", cloud_mw)?,
            wake_mw: finite("wake-up power", wake_mw)?,
            total_mw: finite("cascade power", total)?,
            large_first_mw: finite("large-first power", large_first)?,
        })
    }

    /// The event rate above which running the medium model first draws less than the cascade:
    /// `λ* = ΔP / (E_W + τ·ΔP)`, `ΔP = f_M·E_M − f_S·E_S` (0 when ΔP ≤ 0).
    pub fn break_even_events(&self) -> Result<Frequency> {
        let dp = self.medium_mw - self.small_mw;
        if dp <= 0.0 {
            return Ok(Frequency::from_hertz(0.0));
        }
        let per_hour = 3600.0 * dp / (self.wake_mj + self.active_s * dp);
        Ok(Frequency::from_per_hour(finite("break-even event rate", per_hour)?))
    }

    /// Powers at `points` ≥ 2 event rates spaced evenly on a log scale from `from` > 0 to
    /// `to` > `from`.
    pub fn sweep(&self, from: Frequency, to: Frequency, points: usize) -> Result<Vec<SweepPoint>> {
        let (a, b) = (from.as_per_hour(), to.as_per_hour());
        if !(a.is_finite() && a > 0.0) {
            return Err(Error::NonPositive { what: "sweep start", value: from.to_string() });
        }
        if !(b.is_finite() && b > a) {
            return Err(Error::OutOfRange {
                what: "sweep end",
                value: to.to_string(),
                range: "above the start",
            });
        }
        if !(2..=MAX_SWEEP_POINTS).contains(&points) {
            return Err(Error::OutOfRange {
                what: "sweep points",
                value: points.to_string(),
                range: "[2, 10000]",
            });
        }
        let (la, lb) = (a.ln(), b.ln());
        (0..points)
            .map(|i| {
                let t = i as f64 / (points - 1) as f64;
                let per_hour = match i {
                    0 => a,
                    _ if i + 1 == points => b,
                    _ => (la + t * (lb - la)).exp(),
                };
                let power = self.power(Frequency::from_per_hour(per_hour))?;
                Ok(SweepPoint { power, winner: Winner::of(&power) })
            })
            .collect()
    }

    /// How long a battery lasts at an event rate.
    pub fn battery_life(&self, events: Frequency, capacity: BatteryCapacity) -> Result<Duration> {
        battery_hours(capacity, self.power(events)?.total_mw)
    }
}
