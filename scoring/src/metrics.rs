//! Efficiency metrics of Lenherr, Pawlitzek and Michel (2021), with the units of REFERENCE §4:
//! M (energy-precision ratio), RE (recognition efficiency, Einf in mJ), TE (training efficiency,
//! Etrain in kJ), DLLCE and lifecycle energy over F uses, RELC and energy classes.

use crate::error::{Error, Result, finite};
use einf_parser::units::Energy;
use serde::Serialize;
use std::fmt;

/// A classification task as the metrics see it: RECgrad and the number of classes `Cl`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Task {
    recgrad: f64,
    classes: u64,
}

impl Task {
    /// RECgrad ∈ [−3, 1] (−k … 1 with the largest miss penalty k = 3) and at least 2 classes.
    pub fn new(recgrad: f64, classes: u64) -> Result<Task> {
        if !(-3.0..=1.0).contains(&recgrad) {
            return Err(Error::OutOfRange { what: "RECgrad", value: recgrad.to_string(), range: "[-3, 1]" });
        }
        if classes < 2 {
            return Err(Error::TooFewClasses { classes });
        }
        Ok(Task { recgrad, classes })
    }

    /// RECgrad.
    pub fn recgrad(&self) -> f64 {
        self.recgrad
    }

    /// Number of classes `Cl`.
    pub fn classes(&self) -> u64 {
        self.classes
    }

    /// `RECgrad × Cl`, the numerator of RE and RELC.
    fn strength(&self) -> f64 {
        self.recgrad * self.classes as f64
    }
}

/// `e` in millijoules if it is a positive, finite energy.
pub(crate) fn positive_mj(what: &'static str, e: Energy) -> Result<f64> {
    let mj = e.as_millijoules();
    if mj.is_finite() && mj > 0.0 {
        Ok(mj)
    } else {
        Err(Error::NonPositiveEnergy { what, value: e.to_string() })
    }
}

/// A number of uses `F`: finite and positive.
fn uses_checked(uses: f64) -> Result<f64> {
    if uses.is_finite() && uses > 0.0 {
        Ok(uses)
    } else {
        Err(Error::NonPositive { what: "uses F", value: uses.to_string() })
    }
}

/// Energy-precision ratio `M = Error^α × EPI` (lower is better), in the unit of `epi`.
/// `error` is the error rate as a fraction in [0, 1]; α > 0 (the paper uses 1 or 4).
pub fn energy_precision_ratio(error: f64, alpha: f64, epi: Energy) -> Result<Energy> {
    if !(0.0..=1.0).contains(&error) {
        return Err(Error::OutOfRange { what: "error rate", value: error.to_string(), range: "[0, 1]" });
    }
    if !(alpha.is_finite() && alpha > 0.0) {
        return Err(Error::NonPositive { what: "α", value: alpha.to_string() });
    }
    positive_mj("EPI", epi)?;
    let m = epi * error.powf(alpha);
    finite("M", m.as_millijoules())?;
    Ok(m)
}

/// Recognition efficiency `RE = RECgrad × Cl / √(Einf / mJ)` (unit 1/√mJ).
pub fn recognition_efficiency(task: &Task, einf: Energy) -> Result<f64> {
    let mj = positive_mj("Einf", einf)?;
    finite("RE", task.strength() / mj.sqrt())
}

/// Training efficiency `TE = (RECgrad × Cl)² / √(Etrain / kJ)` (unit 1/√kJ).
pub fn training_efficiency(task: &Task, etrain: Energy) -> Result<f64> {
    positive_mj("Etrain", etrain)?;
    let kj = etrain.as_kilojoules();
    let s = task.strength();
    finite("TE", s * s / kj.sqrt())
}

/// Lifecycle efficiency `DLLCE = 1 / (Etrain / (Einf × F) + 1)`, in (0, 1]; it rises with F.
pub fn lifecycle_efficiency(einf: Energy, etrain: Energy, uses: f64) -> Result<f64> {
    let inf = positive_mj("Einf", einf)?;
    let train = positive_mj("Etrain", etrain)?;
    let f = uses_checked(uses)?;
    let use_energy = finite("Einf × F", inf * f)?;
    // The reference form: each step is monotone under rounding, so DLLCE never falls as F rises.
    let d = 1.0 / (train / use_energy + 1.0);
    if d > 0.0 && d <= 1.0 { Ok(d) } else { Err(Error::NotFinite { what: "DLLCE" }) }
}

/// Lifecycle energy `E_LC = Etrain + F × Einf`, in millijoules.
pub fn lifecycle_energy(einf: Energy, etrain: Energy, uses: f64) -> Result<Energy> {
    let inf = positive_mj("Einf", einf)?;
    let train = positive_mj("Etrain", etrain)?;
    let f = uses_checked(uses)?;
    Ok(Energy::from_millijoules(finite("E_LC", train + f * inf)?))
}

/// Lifecycle recognition efficiency `RELC = RECgrad × Cl / √(Einf/mJ + Etrain/mJ / F)`.
/// It tends to RE as F → ∞, and `|RELC| ≤ |RE|` (so RELC ≤ RE for RECgrad ≥ 0).
pub fn lifecycle_recognition_efficiency(task: &Task, einf: Energy, etrain: Energy, uses: f64) -> Result<f64> {
    let inf = positive_mj("Einf", einf)?;
    let train = positive_mj("Etrain", etrain)?;
    let f = uses_checked(uses)?;
    finite("RELC", task.strength() / (inf + train / f).sqrt())
}

/// The number of uses at which inference has spent as much energy as training (`DLLCE = 0.5`):
/// `F½ = Etrain / Einf`.
pub fn break_even_uses(einf: Energy, etrain: Energy) -> Result<f64> {
    let inf = positive_mj("Einf", einf)?;
    let train = positive_mj("Etrain", etrain)?;
    finite("F½", train / inf)
}

/// Energy classes on RE (or RELC for heavily used models): A > 100, 10 < B ≤ 100,
/// 1 ≤ C ≤ 10, D < 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum EnergyClass {
    /// RE > 100.
    A,
    /// 10 < RE ≤ 100.
    B,
    /// 1 ≤ RE ≤ 10.
    C,
    /// RE < 1.
    D,
}

impl EnergyClass {
    /// The class of an RE or RELC value.
    pub fn of(re: f64) -> EnergyClass {
        if re > 100.0 {
            EnergyClass::A
        } else if re > 10.0 {
            EnergyClass::B
        } else if re >= 1.0 {
            EnergyClass::C
        } else {
            EnergyClass::D
        }
    }
}

impl fmt::Display for EnergyClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EnergyClass::A => "A",
            EnergyClass::B => "B",
            EnergyClass::C => "C",
            EnergyClass::D => "D",
        })
    }
}
