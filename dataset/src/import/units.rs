//! Units at the edge: every importer names the unit of each value column once, as a typed
//! [`Unit`] (an energy, duration or power from `einf_parser::units`), and converts each value to
//! the store's canonical unit ([`Metric::unit`]: mJ, ms, mW) through it. A column whose unit
//! cannot be known is an error, never a guess.
//!
//! ```
//! use einf_dataset::batch::Metric;
//! use einf_dataset::import::units::Unit;
//! let us = Unit::for_metric(Metric::Latency, "µs")?;
//! assert_eq!(us.to_canonical(1500.0), 1.5); // ms
//! let uj = Unit::for_metric(Metric::Energy, "uJ")?;
//! assert_eq!(uj.to_canonical(416.312), 0.416312); // mJ
//! assert!(Unit::for_metric(Metric::Energy, "mW").is_err()); // a power is not an energy
//! assert!(Unit::parse("furlongs").is_err());
//! # Ok::<(), einf_parser::units::UnitError>(())
//! ```

use crate::batch::Metric;
use einf_parser::units::{Dimension, Duration, Energy, Power, Quantity, UnitError, parse_quantity};
use std::fmt;

/// The unit of a column of values: one unit of energy, duration or power.
#[derive(Debug, Clone, Copy)]
pub enum Unit {
    /// An energy unit (J, mJ, µJ, uJ, nJ, Wh, ...).
    Energy(Energy),
    /// A duration unit (s, ms, µs, us, ns, min, ...).
    Duration(Duration),
    /// A power unit (W, mW, µW, uW, ...).
    Power(Power),
}

impl Unit {
    /// The unit a symbol names (`mJ`, `µs`, `us`, `uW`); a symbol of another kind of quantity
    /// (`Hz`, `kB`), a number or an unknown symbol is an error.
    pub fn parse(symbol: &str) -> Result<Unit, UnitError> {
        let symbol = symbol.trim();
        // `parse_quantity` reads a number first: a "unit" that starts like one is not a unit.
        if symbol.is_empty() || symbol.starts_with(|c: char| c.is_ascii_digit() || "+-.".contains(c)) {
            return Err(UnitError::UnknownUnit {
                text: symbol.to_string(),
                unit: symbol.to_string(),
                expected: Dimension::Energy,
            });
        }
        match parse_quantity(&format!("1 {symbol}"))? {
            Quantity::Energy(e) => Ok(Unit::Energy(e)),
            Quantity::Duration(d) => Ok(Unit::Duration(d)),
            Quantity::Power(p) => Ok(Unit::Power(p)),
            _ => Err(UnitError::UnknownUnit {
                text: symbol.to_string(),
                unit: symbol.to_string(),
                expected: Dimension::Energy,
            }),
        }
    }

    /// The unit a symbol names, which must measure `metric` (an energy unit for
    /// [`Metric::Energy`], a duration for latency, a power for power).
    pub fn for_metric(metric: Metric, symbol: &str) -> Result<Unit, UnitError> {
        let unit = Unit::parse(symbol)?;
        if unit.metric() != metric {
            let expected = dimension(metric);
            return Err(UnitError::WrongDimension {
                text: symbol.trim().to_string(),
                unit: symbol.trim().to_string(),
                found: dimension(unit.metric()),
                expected,
            });
        }
        Ok(unit)
    }

    /// The canonical unit of a metric: mJ, ms or mW.
    pub fn canonical(metric: Metric) -> Unit {
        match metric {
            Metric::Energy => Unit::Energy(Energy::from_millijoules(1.0)),
            Metric::Latency => Unit::Duration(Duration::from_milliseconds(1.0)),
            Metric::Power => Unit::Power(Power::from_milliwatts(1.0)),
        }
    }

    /// What this unit measures.
    pub fn metric(self) -> Metric {
        match self {
            Unit::Energy(_) => Metric::Energy,
            Unit::Duration(_) => Metric::Latency,
            Unit::Power(_) => Metric::Power,
        }
    }

    /// `value` in this unit, in the metric's canonical unit (mJ, ms, mW): one exact scaling.
    pub fn to_canonical(self, value: f64) -> f64 {
        match self {
            Unit::Energy(one) => (one * value).as_millijoules(),
            Unit::Duration(one) => (one * value).as_milliseconds(),
            Unit::Power(one) => (one * value).as_milliwatts(),
        }
    }

    /// `value` in this unit as a typed energy, if this is an energy unit.
    pub fn energy(self, value: f64) -> Option<Energy> {
        match self {
            Unit::Energy(one) => Some(one * value),
            _ => None,
        }
    }

    /// `value` in this unit as a typed duration, if this is a duration unit.
    pub fn duration(self, value: f64) -> Option<Duration> {
        match self {
            Unit::Duration(one) => Some(one * value),
            _ => None,
        }
    }

    /// `value` in this unit as a typed power, if this is a power unit.
    pub fn power(self, value: f64) -> Option<Power> {
        match self {
            Unit::Power(one) => Some(one * value),
            _ => None,
        }
    }
}

impl fmt::Display for Unit {
    /// The unit's symbol (`mJ`, `µs`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            Unit::Energy(e) => e.to_string(),
            Unit::Duration(d) => d.to_string(),
            Unit::Power(p) => p.to_string(),
        };
        // A quantity of one unit prints as `1 mJ`.
        f.write_str(text.strip_prefix("1 ").unwrap_or(&text))
    }
}

fn dimension(metric: Metric) -> Dimension {
    match metric {
        Metric::Energy => Dimension::Energy,
        Metric::Latency => Dimension::Duration,
        Metric::Power => Dimension::Power,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_symbol_of_the_brief_converts_to_the_canonical_unit() {
        let cases: &[(&str, f64, f64)] = &[
            ("J", 0.5, 500.0),
            ("mJ", 0.87, 0.87),
            ("µJ", 416.312, 0.416312),
            ("uJ", 416.312, 0.416312),
            ("s", 0.004007, 4.007),
            ("ms", 12.3, 12.3),
            ("µs", 320.4096, 0.3204096),
            ("us", 1500.0, 1.5),
            ("W", 5.14334673367, 5143.34673367),
            ("mW", 11.4741, 11.4741),
            ("µW", 40095.437, 40.095437),
            ("uW", 1.0, 0.001),
        ];
        for &(symbol, value, canonical) in cases {
            let unit = Unit::parse(symbol).unwrap_or_else(|e| panic!("{symbol}: {e}"));
            let got = unit.to_canonical(value);
            assert!((got - canonical).abs() <= 1e-12 * canonical.abs(), "{value} {symbol} -> {got}");
        }
    }

    #[test]
    fn units_of_the_wrong_kind_and_unknown_units_are_errors() {
        assert!(Unit::for_metric(Metric::Latency, "mJ").is_err());
        assert!(Unit::for_metric(Metric::Power, "ms").is_err());
        for bad in ["", "furlong", "Hz", "kB", "12", "-ms", "1ms"] {
            assert!(Unit::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn canonical_units_are_identities_and_print_their_symbol() {
        for metric in [Metric::Energy, Metric::Latency, Metric::Power] {
            let unit = Unit::canonical(metric);
            assert_eq!(unit.to_canonical(0.1), 0.1);
            assert_eq!(unit.to_string(), metric.unit());
        }
        assert_eq!(Unit::parse("us").map(|u| u.to_string()).ok().as_deref(), Some("µs"));
    }
}
