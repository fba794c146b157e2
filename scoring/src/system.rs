//! From a device's baselined inference energy to what a system spends: the whole-system factor
//! and the energy of handing an input to the cloud.

use crate::error::{Error, Result, finite};
use crate::metrics::positive_mj;
use einf_parser::units::{DataSize, Energy};
use serde::Serialize;
use std::str::FromStr;

/// Energy to send one decimal megabyte to the cloud over a mobile link: 202 J/MB.
pub const CLOUD_JOULES_PER_MEGABYTE: f64 = 202.0;

/// The transfer energy of sending `size` to the cloud: `202 J × size / 1 MB` (decimal MB);
/// a 70 kB image costs 14.14 J.
pub fn cloud_transfer_energy(size: DataSize) -> Result<Energy> {
    let bytes = size.as_bytes();
    if !(bytes.is_finite() && bytes >= 0.0) {
        return Err(Error::Negative { what: "data size", value: size.to_string() });
    }
    // bytes × 202 is exact for any realistic size, so the result is one correctly rounded division.
    Ok(Energy::from_joules(finite("transfer energy", bytes * CLOUD_JOULES_PER_MEGABYTE / 1e6)?))
}

/// Scales a baselined inference energy (static power excluded) to whole-system energy:
/// 2.5 for a device running a single task, 1.5–2 when it also carries other load. Applied only
/// when asked.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct WholeSystemFactor(f64);

impl WholeSystemFactor {
    /// The factor for a device running a single task.
    pub const SINGLE_TASK: WholeSystemFactor = WholeSystemFactor(2.5);

    /// A factor in [1, 10] (the paper's values are 2.5, and 1.5–2 with other load).
    pub fn new(factor: f64) -> Result<WholeSystemFactor> {
        if (1.0..=10.0).contains(&factor) {
            Ok(WholeSystemFactor(factor))
        } else {
            Err(Error::OutOfRange {
                what: "whole-system factor",
                value: factor.to_string(),
                range: "[1, 10]",
            })
        }
    }

    /// The factor.
    pub fn value(self) -> f64 {
        self.0
    }

    /// The whole-system energy of a baselined energy (which must be positive and finite).
    pub fn apply(self, energy: Energy) -> Result<Energy> {
        positive_mj("baselined energy", energy)?;
        let e = energy * self.0;
        finite("whole-system energy", e.as_millijoules())?;
        Ok(e)
    }
}

/// `single` (2.5) or a number in [1, 10].
impl FromStr for WholeSystemFactor {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let s = s.trim();
        if s == "single" {
            return Ok(WholeSystemFactor::SINGLE_TASK);
        }
        let v: f64 = s.parse().map_err(|_| Error::OutOfRange {
            what: "whole-system factor",
            value: s.to_string(),
            range: "'single' (2.5) or a number in [1, 10]",
        })?;
        WholeSystemFactor::new(v)
    }
}
