//! Solution power of a duty-cycled system, `P = P_static + f × Einf`, its battery life and the
//! break-even frame rate below which static power dominates.

use crate::error::{Error, Result, finite};
use crate::metrics::positive_mj;
use einf_parser::units::{BatteryCapacity, Duration, Energy, Frequency, Power};

/// `p` in milliwatts if it is finite and not negative.
pub(crate) fn non_negative_mw(what: &'static str, p: Power) -> Result<f64> {
    let mw = p.as_milliwatts();
    if mw.is_finite() && mw >= 0.0 { Ok(mw) } else { Err(Error::Negative { what, value: p.to_string() }) }
}

/// `f` in hertz if it is finite and not negative.
pub(crate) fn non_negative_hz(what: &'static str, f: Frequency) -> Result<f64> {
    let hz = f.as_hertz();
    if hz.is_finite() && hz >= 0.0 { Ok(hz) } else { Err(Error::Negative { what, value: f.to_string() }) }
}

/// Hours a battery lasts at `power_mw`.
pub(crate) fn battery_hours(capacity: BatteryCapacity, power_mw: f64) -> Result<Duration> {
    if !capacity.is_positive() {
        return Err(Error::NonPositive { what: "battery capacity", value: capacity.to_string() });
    }
    if power_mw <= 0.0 {
        return Err(Error::ZeroPower);
    }
    let hours = finite("battery life", capacity.as_milliwatt_hours() / power_mw)?;
    Ok(Duration::from_hours(hours))
}

/// A validated solution: static power, frame rate, energy per inference and optionally the
/// inference latency (to check the duty cycle).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Solution {
    static_mw: f64,
    rate_hz: f64,
    einf_mj: f64,
    latency: Option<Duration>,
}

impl Solution {
    /// Static power ≥ 0, frame rate ≥ 0, Einf > 0.
    pub fn new(static_power: Power, frame_rate: Frequency, einf: Energy) -> Result<Solution> {
        let s = Solution {
            static_mw: non_negative_mw("static power", static_power)?,
            rate_hz: non_negative_hz("frame rate", frame_rate)?,
            einf_mj: positive_mj("Einf", einf)?,
            latency: None,
        };
        finite("solution power", s.power_mw(s.rate_hz))?;
        Ok(s)
    }

    /// With the inference latency; the frame rate must leave the model idle part of the time
    /// (duty cycle `f × latency ≤ 1`).
    pub fn with_latency(self, latency: Duration) -> Result<Solution> {
        let s = latency.as_seconds();
        if !(s.is_finite() && s > 0.0) {
            return Err(Error::NonPositive { what: "latency", value: latency.to_string() });
        }
        let duty = self.rate_hz * s;
        if duty > 1.0 {
            return Err(Error::DutyCycle {
                rate: format!("{} fps", self.rate_hz),
                latency: latency.to_string(),
                percent: duty * 100.0,
            });
        }
        Ok(Solution { latency: Some(latency), ..self })
    }

    fn power_mw(&self, rate_hz: f64) -> f64 {
        self.static_mw + rate_hz * self.einf_mj
    }

    /// Static power.
    pub fn static_power(&self) -> Power {
        Power::from_milliwatts(self.static_mw)
    }

    /// Frame rate.
    pub fn frame_rate(&self) -> Frequency {
        Frequency::from_fps(self.rate_hz)
    }

    /// Energy per inference.
    pub fn einf(&self) -> Energy {
        Energy::from_millijoules(self.einf_mj)
    }

    /// Dynamic power `f × Einf`, in mW.
    pub fn dynamic_power(&self) -> Power {
        Power::from_milliwatts(self.rate_hz * self.einf_mj)
    }

    /// Solution power `P_static + f × Einf`, in mW.
    pub fn power(&self) -> Power {
        Power::from_milliwatts(self.power_mw(self.rate_hz))
    }

    /// Solution power at another frame rate (affine in the rate).
    pub fn power_at(&self, frame_rate: Frequency) -> Result<Power> {
        let hz = non_negative_hz("frame rate", frame_rate)?;
        Ok(Power::from_milliwatts(finite("solution power", self.power_mw(hz))?))
    }

    /// The frame rate at which dynamic power equals static power, `P_static / Einf`; below it
    /// static power dominates (0 when there is no static power).
    pub fn break_even_rate(&self) -> Result<Frequency> {
        Ok(Frequency::from_fps(finite("break-even frame rate", self.static_mw / self.einf_mj)?))
    }

    /// Share of time the model runs, `f × latency`, when the latency is known.
    pub fn duty_cycle(&self) -> Option<f64> {
        self.latency.map(|l| self.rate_hz * l.as_seconds())
    }

    /// The latency, when given.
    pub fn latency(&self) -> Option<Duration> {
        self.latency
    }

    /// How long a battery lasts: `capacity_mWh / P_mW` hours.
    pub fn battery_life(&self, capacity: BatteryCapacity) -> Result<Duration> {
        battery_hours(capacity, self.power_mw(self.rate_hz))
    }
}
