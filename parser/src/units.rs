//! Typed physical quantities shared by the dataset, the predictor and scoring: [`Energy`],
//! [`Power`], [`Duration`], [`Frequency`], [`BatteryCapacity`] and [`DataSize`], with explicit
//! constructors and accessors per unit, arithmetic only where it is physically meaningful, and a
//! parser for quantities written with units (`12.5mJ`, `3 µJ`, `1.2W`, `10fps`, `6/h`,
//! `300mAh@3.7V`, `1.1Wh`, `70kB`, `2.5ms`).
//!
//! **Exact round trips.** A quantity keeps its number in the unit it was given (or derived in)
//! together with that unit's exact scale, a rational times a power of ten
//! (`mWh` = 36/1 × 10⁻¹ J, `/h` = 1/36 × 10⁻² Hz). So `Energy::from_millijoules(v).as_millijoules()`
//! returns `v` bit for bit, formatting prints the number with Rust's shortest round-trip
//! representation, and `parse_energy(&e.to_string())` gives back `e`. Conversions to another unit
//! are one correctly rounded multiplication or division by an exact power of ten (plus one by the
//! rational part, for hours and watt-hours).
//!
//! Arithmetic: `Power × Duration = Energy`, `Energy × Frequency = Power`, `Energy / Duration =
//! Power`, `Energy / Power = Duration`, `Power / Energy = Frequency`, `Power / Frequency = Energy`,
//! `Frequency × Duration` = a plain count, `BatteryCapacity / Power = Duration`; sums and
//! differences of like quantities, scaling by a plain number and ratios of like quantities.
//! Equality and order compare physical values.
//!
//! Constructors accept any `f64` (the dataset stores what it reads); the parser rejects a missing,
//! unknown or mismatched unit, a negative value and a number that is not finite, naming the text.
//!
//! ```
//! use einf_parser::units::{parse_capacity, parse_energy, parse_frequency, Energy, Power};
//! let e = parse_energy("50 µJ")?;
//! let p = e * parse_frequency("10fps")?;                   // 0.5 mW
//! assert_eq!(p.as_milliwatts(), 0.5);
//! let hours = (parse_capacity("300mAh@3.7V")? / (p + Power::from_milliwatts(1.0))).as_hours();
//! assert_eq!(hours, 740.0);
//! assert_eq!(Energy::from_millijoules(0.1).as_millijoules(), 0.1);
//! assert!(parse_energy("12.5").is_err());                   // a bare number has no unit
//! # Ok::<(), einf_parser::units::UnitError>(())
//! ```

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::iter::Sum;
use std::ops::{Add, Div, Mul, Sub};
use std::str::FromStr;

/// What kind of quantity a text holds or was expected to hold (named in parse errors).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dimension {
    /// Joules, watt-hours.
    Energy,
    /// Watts.
    Power,
    /// Seconds, minutes, hours.
    Duration,
    /// Hertz, frames per second, events per hour.
    Frequency,
    /// A battery: an energy (`mWh`) or a charge at a voltage (`300mAh@3.7V`).
    BatteryCapacity,
    /// Bytes (decimal kB, MB, GB; binary KiB, MiB).
    DataSize,
    /// Ampere-hours (only as part of a battery capacity).
    Charge,
    /// Volts (only as part of a battery capacity).
    Voltage,
}

impl Dimension {
    /// A valid example, shown in error messages.
    pub fn example(self) -> &'static str {
        match self {
            Dimension::Energy => "12.5mJ",
            Dimension::Power => "1.2W",
            Dimension::Duration => "2.5ms",
            Dimension::Frequency => "10fps",
            Dimension::BatteryCapacity => "300mAh@3.7V",
            Dimension::DataSize => "70kB",
            Dimension::Charge => "300mAh",
            Dimension::Voltage => "3.7V",
        }
    }

    /// The name with its indefinite article (`an energy`, `a power`).
    pub fn with_article(self) -> String {
        let article = if self == Dimension::Energy { "an" } else { "a" };
        format!("{article} {self}")
    }

    /// The unit symbols the parser accepts for this dimension (a capacity takes energy units or
    /// a charge at a voltage).
    pub fn units(self) -> Vec<&'static str> {
        let dim = if self == Dimension::BatteryCapacity { Dimension::Energy } else { self };
        let mut v: Vec<&str> = UNITS.iter().filter(|u| u.dim == dim).map(|u| u.symbol).collect();
        if self == Dimension::BatteryCapacity {
            v.extend(["mAh@V", "Ah@V"]);
        }
        v
    }
}

impl fmt::Display for Dimension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Dimension::Energy => "energy",
            Dimension::Power => "power",
            Dimension::Duration => "duration",
            Dimension::Frequency => "frequency",
            Dimension::BatteryCapacity => "battery capacity",
            Dimension::DataSize => "data size",
            Dimension::Charge => "charge",
            Dimension::Voltage => "voltage",
        })
    }
}

/// Why a quantity could not be parsed; every variant names the text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UnitError {
    /// Nothing to parse.
    #[error("empty {expected}: give a number with a unit, e.g. {}", expected.example())]
    Empty {
        /// What was expected.
        expected: Dimension,
    },
    /// The text does not start with a number.
    #[error("'{text}' does not start with a number (expected {}, e.g. {})", expected.with_article(), expected.example())]
    BadNumber {
        /// The text.
        text: String,
        /// What was expected.
        expected: Dimension,
    },
    /// A bare number where a unit is needed.
    #[error("'{text}' has no unit: {} needs one, e.g. {}", expected.with_article(), expected.example())]
    MissingUnit {
        /// The text.
        text: String,
        /// What was expected.
        expected: Dimension,
    },
    /// A unit einf does not know.
    #[error("'{text}': unknown unit '{unit}' (units of {expected}: {})", expected.units().join(", "))]
    UnknownUnit {
        /// The text.
        text: String,
        /// The unit as written.
        unit: String,
        /// What was expected.
        expected: Dimension,
    },
    /// A known unit of another dimension (`12mW` where an energy is needed).
    #[error("'{text}': '{unit}' is a unit of {found}, but {} is needed, e.g. {}", expected.with_article(), expected.example())]
    WrongDimension {
        /// The text.
        text: String,
        /// The unit as written.
        unit: String,
        /// The unit's dimension.
        found: Dimension,
        /// What was expected.
        expected: Dimension,
    },
    /// The number overflows (`1e999J`).
    #[error("'{text}' is not a finite number")]
    NotFinite {
        /// The text.
        text: String,
    },
    /// A negative quantity.
    #[error("'{text}' is negative; {} cannot be", expected.with_article())]
    Negative {
        /// The text.
        text: String,
        /// What was expected.
        expected: Dimension,
    },
    /// A charge without the voltage that makes it an energy.
    #[error("'{text}': a battery charge needs its voltage, e.g. 300mAh@3.7V")]
    MissingVoltage {
        /// The text.
        text: String,
    },
}

// ---------------------------------------------------------------------------------------------
// Exact unit scales.

/// The factor of a unit relative to its dimension's SI unit: `num / den × 10^exp`, in a canonical
/// form (`den` coprime to 10, `num` not a multiple of 10, `num` and `den` coprime) so that equal
/// factors have equal representations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Scale {
    num: u64,
    den: u64,
    exp: i32,
}

const fn p10(exp: i32) -> Scale {
    Scale { num: 1, den: 1, exp }
}

/// A scale written by hand in canonical form.
const fn frac(num: u64, den: u64, exp: i32) -> Scale {
    Scale { num, den, exp }
}

const ONE: Scale = p10(0);

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

impl Scale {
    /// The canonical form of `num / den × 10^exp`, or `None` when it does not fit in 64 bits.
    fn canonical(mut num: u128, mut den: u128, mut exp: i64) -> Option<Scale> {
        if num == 0 || den == 0 {
            return None;
        }
        while den.is_multiple_of(2) {
            den /= 2;
            num = num.checked_mul(5)?;
            exp -= 1;
        }
        while den.is_multiple_of(5) {
            den /= 5;
            num = num.checked_mul(2)?;
            exp -= 1;
        }
        let g = gcd(num, den);
        (num, den) = (num / g, den / g);
        while num.is_multiple_of(10) {
            num /= 10;
            exp += 1;
        }
        Some(Scale {
            num: u64::try_from(num).ok()?,
            den: u64::try_from(den).ok()?,
            exp: i32::try_from(exp).ok()?,
        })
    }

    fn mul(self, o: Scale) -> Option<Scale> {
        Scale::canonical(
            u128::from(self.num) * u128::from(o.num),
            u128::from(self.den) * u128::from(o.den),
            i64::from(self.exp) + i64::from(o.exp),
        )
    }

    fn div(self, o: Scale) -> Option<Scale> {
        Scale::canonical(
            u128::from(self.num) * u128::from(o.den),
            u128::from(self.den) * u128::from(o.num),
            i64::from(self.exp) - i64::from(o.exp),
        )
    }
}

/// Exact powers of ten representable in an f64.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
    1e19, 1e20, 1e21, 1e22,
];

/// `v × 10^exp`, by correctly rounded steps of at most 10²².
fn times_pow10(mut v: f64, exp: i64) -> f64 {
    let mut left = exp.unsigned_abs();
    while left > 0 {
        let step = left.min(22);
        let p = POW10.get(usize::try_from(step).unwrap_or(22)).copied().unwrap_or(1e22);
        v = if exp > 0 { v * p } else { v / p };
        left -= step;
        if v == 0.0 || v.is_infinite() {
            break;
        }
    }
    v
}

/// `value` given in unit `from`, expressed in unit `to` (unchanged when the units are equal).
fn convert(value: f64, from: Scale, to: Scale) -> f64 {
    if from == to {
        return value;
    }
    let num = u128::from(from.num) * u128::from(to.den);
    let den = u128::from(from.den) * u128::from(to.num);
    let g = gcd(num, den).max(1);
    let (num, den) = (num / g, den / g);
    let mut v = value;
    if num != 1 {
        v *= num as f64;
    }
    if den != 1 {
        v /= den as f64;
    }
    times_pow10(v, i64::from(from.exp) - i64::from(to.exp))
}

#[derive(Debug)]
struct UnitDef {
    symbol: &'static str,
    dim: Dimension,
    scale: Scale,
}

const fn unit(symbol: &'static str, dim: Dimension, scale: Scale) -> UnitDef {
    UnitDef { symbol, dim, scale }
}

use Dimension as D;

/// Every unit the parser knows. The first symbol of a scale is the one printed.
const UNITS: &[UnitDef] = &[
    unit("pJ", D::Energy, p10(-12)),
    unit("nJ", D::Energy, p10(-9)),
    unit("µJ", D::Energy, p10(-6)),
    unit("uJ", D::Energy, p10(-6)),
    unit("μJ", D::Energy, p10(-6)),
    unit("mJ", D::Energy, p10(-3)),
    unit("J", D::Energy, p10(0)),
    unit("kJ", D::Energy, p10(3)),
    unit("MJ", D::Energy, p10(6)),
    unit("µWh", D::Energy, frac(36, 1, -4)),
    unit("uWh", D::Energy, frac(36, 1, -4)),
    unit("mWh", D::Energy, frac(36, 1, -1)),
    unit("Wh", D::Energy, frac(36, 1, 2)),
    unit("kWh", D::Energy, frac(36, 1, 5)),
    unit("pW", D::Power, p10(-12)),
    unit("nW", D::Power, p10(-9)),
    unit("µW", D::Power, p10(-6)),
    unit("uW", D::Power, p10(-6)),
    unit("μW", D::Power, p10(-6)),
    unit("mW", D::Power, p10(-3)),
    unit("W", D::Power, p10(0)),
    unit("kW", D::Power, p10(3)),
    unit("ns", D::Duration, p10(-9)),
    unit("µs", D::Duration, p10(-6)),
    unit("us", D::Duration, p10(-6)),
    unit("μs", D::Duration, p10(-6)),
    unit("ms", D::Duration, p10(-3)),
    unit("s", D::Duration, p10(0)),
    unit("min", D::Duration, frac(6, 1, 1)),
    unit("h", D::Duration, frac(36, 1, 2)),
    unit("d", D::Duration, frac(864, 1, 2)),
    unit("Hz", D::Frequency, p10(0)),
    unit("fps", D::Frequency, p10(0)),
    unit("/s", D::Frequency, p10(0)),
    unit("mHz", D::Frequency, p10(-3)),
    unit("kHz", D::Frequency, p10(3)),
    unit("MHz", D::Frequency, p10(6)),
    unit("/min", D::Frequency, frac(5, 3, -2)),
    unit("/h", D::Frequency, frac(25, 9, -4)),
    unit("/d", D::Frequency, frac(3125, 27, -7)),
    unit("B", D::DataSize, p10(0)),
    unit("kB", D::DataSize, p10(3)),
    unit("MB", D::DataSize, p10(6)),
    unit("GB", D::DataSize, p10(9)),
    unit("KiB", D::DataSize, frac(1024, 1, 0)),
    unit("MiB", D::DataSize, frac(1_048_576, 1, 0)),
    unit("µAh", D::Charge, frac(36, 1, -4)),
    unit("uAh", D::Charge, frac(36, 1, -4)),
    unit("mAh", D::Charge, frac(36, 1, -1)),
    unit("Ah", D::Charge, frac(36, 1, 2)),
    unit("mV", D::Voltage, p10(-3)),
    unit("V", D::Voltage, p10(0)),
];

fn symbol_of(dim: Dimension, scale: Scale) -> Option<&'static str> {
    UNITS.iter().find(|u| u.dim == dim && u.scale == scale).map(|u| u.symbol)
}

fn base_symbol(dim: Dimension) -> &'static str {
    symbol_of(dim, ONE).unwrap_or("")
}

/// A number in a unit.
#[derive(Clone, Copy, Debug)]
struct Measure {
    value: f64,
    scale: Scale,
}

impl Measure {
    fn si(self) -> f64 {
        convert(self.value, self.scale, ONE)
    }

    /// The product, in the product of the units (or in SI units when that scale does not fit).
    fn times(self, o: Measure) -> Measure {
        match self.scale.mul(o.scale) {
            Some(scale) => Measure { value: self.value * o.value, scale },
            None => Measure { value: self.si() * o.si(), scale: ONE },
        }
    }

    fn over(self, o: Measure) -> Measure {
        match self.scale.div(o.scale) {
            Some(scale) => Measure { value: self.value / o.value, scale },
            None => Measure { value: self.si() / o.si(), scale: ONE },
        }
    }

    fn eq(self, o: Measure) -> bool {
        if self.scale == o.scale { self.value == o.value } else { self.si() == o.si() }
    }

    fn cmp(self, o: Measure) -> Option<std::cmp::Ordering> {
        if self.scale == o.scale { self.value.partial_cmp(&o.value) } else { self.si().partial_cmp(&o.si()) }
    }

    /// `value unit` (the number's shortest round-trip form, or the formatter's precision).
    fn write(self, dim: Dimension, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (value, symbol) = match symbol_of(dim, self.scale) {
            Some(s) => (self.value, s),
            None => (self.si(), base_symbol(dim)),
        };
        let sep = if symbol.starts_with('/') { "" } else { " " };
        match f.precision() {
            Some(p) => write!(f, "{value:.p$}{sep}{symbol}"),
            None => write!(f, "{value}{sep}{symbol}"),
        }
    }
}

macro_rules! quantity {
    ($(#[$doc:meta])* $name:ident, $dim:expr, $parse:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug)]
        pub struct $name(Measure);

        impl $name {
            /// The dimension of this quantity.
            pub const DIMENSION: Dimension = $dim;
            /// Zero, in the SI unit.
            pub const ZERO: $name = $name(Measure { value: 0.0, scale: ONE });

            const fn of(value: f64, scale: Scale) -> Self {
                $name(Measure { value, scale })
            }

            fn in_scale(self, scale: Scale) -> f64 {
                convert(self.0.value, self.0.scale, scale)
            }

            /// True when the number is neither infinite nor NaN.
            pub fn is_finite(self) -> bool {
                self.0.value.is_finite()
            }

            /// True when the quantity is finite and greater than zero.
            pub fn is_positive(self) -> bool {
                self.0.value.is_finite() && self.0.value > 0.0
            }

            /// True when the quantity is finite and not below zero.
            pub fn is_non_negative(self) -> bool {
                self.0.value.is_finite() && self.0.value >= 0.0
            }

            /// The larger of two quantities (`other` when either is NaN).
            pub fn max(self, other: $name) -> $name {
                if self > other { self } else { other }
            }

            /// The smaller of two quantities (`other` when either is NaN).
            pub fn min(self, other: $name) -> $name {
                if self < other { self } else { other }
            }
        }

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                self.0.eq(other.0)
            }
        }

        impl PartialOrd for $name {
            fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
                self.0.cmp(other.0)
            }
        }

        /// The sum, in the left operand's unit.
        impl Add for $name {
            type Output = $name;
            fn add(self, rhs: $name) -> $name {
                $name::of(self.0.value + rhs.in_scale(self.0.scale), self.0.scale)
            }
        }

        /// The difference, in the left operand's unit.
        impl Sub for $name {
            type Output = $name;
            fn sub(self, rhs: $name) -> $name {
                $name::of(self.0.value - rhs.in_scale(self.0.scale), self.0.scale)
            }
        }

        impl Mul<f64> for $name {
            type Output = $name;
            fn mul(self, rhs: f64) -> $name {
                $name::of(self.0.value * rhs, self.0.scale)
            }
        }

        impl Mul<$name> for f64 {
            type Output = $name;
            fn mul(self, rhs: $name) -> $name {
                rhs * self
            }
        }

        impl Div<f64> for $name {
            type Output = $name;
            fn div(self, rhs: f64) -> $name {
                $name::of(self.0.value / rhs, self.0.scale)
            }
        }

        /// The ratio of two like quantities, a plain number.
        impl Div for $name {
            type Output = f64;
            fn div(self, rhs: $name) -> f64 {
                self.0.value / rhs.in_scale(self.0.scale)
            }
        }

        /// The sum, in the first term's unit (zero in the SI unit when empty).
        impl Sum for $name {
            fn sum<I: Iterator<Item = $name>>(iter: I) -> $name {
                iter.reduce(|a, b| a + b).unwrap_or($name::ZERO)
            }
        }

        /// `value unit`, e.g. `12.5 mJ`; honours a precision (`{:.3}`).
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.write($dim, f)
            }
        }

        impl FromStr for $name {
            type Err = UnitError;
            fn from_str(s: &str) -> Result<Self, UnitError> {
                $parse(s)
            }
        }

        /// As the string its `Display` prints (`"12.5 mJ"`), which parses back exactly.
        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<De: Deserializer<'de>>(d: De) -> Result<Self, De::Error> {
                let text = String::deserialize(d)?;
                $parse(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}

/// Generates `from_x(v) -> Self` and `as_x(self) -> f64` pairs for units of one quantity.
macro_rules! units {
    ($name:ident { $($from:ident, $as:ident, $scale:expr, $what:literal;)* }) => {
        impl $name {
            $(
                #[doc = concat!("A quantity of `v` ", $what, ".")]
                pub const fn $from(v: f64) -> $name {
                    $name::of(v, $scale)
                }
                #[doc = concat!("The quantity in ", $what, " (exactly the number given when it was made in them).")]
                pub fn $as(self) -> f64 {
                    self.in_scale($scale)
                }
            )*
        }
    };
}

quantity!(
    /// An energy (per inference, per event, of a training run...).
    Energy, Dimension::Energy, parse_energy
);
quantity!(
    /// A power.
    Power, Dimension::Power, parse_power
);
quantity!(
    /// A span of time.
    Duration, Dimension::Duration, parse_duration
);
quantity!(
    /// A rate: frames per second, hertz, events per hour.
    Frequency, Dimension::Frequency, parse_frequency
);
quantity!(
    /// An amount of data in bytes (decimal `kB`/`MB`, as cloud transfer energy is quoted per decimal MB).
    DataSize, Dimension::DataSize, parse_data_size
);

units!(Energy {
    from_nanojoules, as_nanojoules, p10(-9), "nanojoules (nJ)";
    from_microjoules, as_microjoules, p10(-6), "microjoules (µJ)";
    from_millijoules, as_millijoules, p10(-3), "millijoules (mJ)";
    from_joules, as_joules, ONE, "joules (J)";
    from_kilojoules, as_kilojoules, p10(3), "kilojoules (kJ)";
    from_milliwatt_hours, as_milliwatt_hours, frac(36, 1, -1), "milliwatt-hours (mWh)";
    from_watt_hours, as_watt_hours, frac(36, 1, 2), "watt-hours (Wh)";
});
units!(Power {
    from_microwatts, as_microwatts, p10(-6), "microwatts (µW)";
    from_milliwatts, as_milliwatts, p10(-3), "milliwatts (mW)";
    from_watts, as_watts, ONE, "watts (W)";
});
units!(Duration {
    from_microseconds, as_microseconds, p10(-6), "microseconds (µs)";
    from_milliseconds, as_milliseconds, p10(-3), "milliseconds (ms)";
    from_seconds, as_seconds, ONE, "seconds (s)";
    from_minutes, as_minutes, frac(6, 1, 1), "minutes (min)";
    from_hours, as_hours, frac(36, 1, 2), "hours (h)";
});
units!(Frequency {
    from_hertz, as_hertz, ONE, "hertz (Hz, per second, frames per second)";
    from_per_minute, as_per_minute, frac(5, 3, -2), "events per minute (/min)";
    from_per_hour, as_per_hour, frac(25, 9, -4), "events per hour (/h)";
});
units!(DataSize {
    from_bytes, as_bytes, ONE, "bytes (B)";
    from_kilobytes, as_kilobytes, p10(3), "decimal kilobytes (kB, 1000 B)";
    from_megabytes, as_megabytes, p10(6), "decimal megabytes (MB, 10⁶ B)";
});

impl Frequency {
    /// `v` frames per second (the same as hertz).
    pub const fn from_fps(v: f64) -> Frequency {
        Frequency::from_hertz(v)
    }

    /// Frames per second (the same as hertz).
    pub fn as_fps(self) -> f64 {
        self.as_hertz()
    }
}

macro_rules! product {
    ($a:ident * $b:ident = $out:ident) => {
        #[doc = concat!("`", stringify!($a), " × ", stringify!($b), " = ", stringify!($out), "`, in the product of the units.")]
        impl Mul<$b> for $a {
            type Output = $out;
            fn mul(self, rhs: $b) -> $out {
                $out(self.0.times(rhs.0))
            }
        }
    };
}

macro_rules! quotient {
    ($a:ident / $b:ident = $out:ident) => {
        #[doc = concat!("`", stringify!($a), " / ", stringify!($b), " = ", stringify!($out), "`, in the quotient of the units.")]
        impl Div<$b> for $a {
            type Output = $out;
            fn div(self, rhs: $b) -> $out {
                $out(self.0.over(rhs.0))
            }
        }
    };
}

product!(Power * Duration = Energy);
product!(Duration * Power = Energy);
product!(Energy * Frequency = Power);
product!(Frequency * Energy = Power);
quotient!(Energy / Duration = Power);
quotient!(Energy / Power = Duration);
quotient!(Power / Energy = Frequency);
quotient!(Power / Frequency = Energy);

/// Events per second × seconds: a plain count (e.g. the share of time a triggered model runs).
impl Mul<Duration> for Frequency {
    type Output = f64;
    fn mul(self, rhs: Duration) -> f64 {
        self.as_hertz() * rhs.as_seconds()
    }
}

/// A plain count, as `Frequency × Duration`.
impl Mul<Frequency> for Duration {
    type Output = f64;
    fn mul(self, rhs: Frequency) -> f64 {
        rhs * self
    }
}

// ---------------------------------------------------------------------------------------------
// Battery capacity.

#[derive(Clone, Copy, Debug)]
enum Capacity {
    Energy(Energy),
    /// A charge (scale relative to coulombs) at a voltage (relative to volts).
    Charge {
        charge: Measure,
        voltage: Measure,
    },
}

/// A battery's capacity: an energy (`1110mWh`, `1.1Wh`) or a charge at a nominal voltage
/// (`300mAh@3.7V`), kept as given so that it prints back the same.
#[derive(Clone, Copy, Debug)]
pub struct BatteryCapacity(Capacity);

impl BatteryCapacity {
    /// A capacity of `v` milliwatt-hours.
    pub const fn from_milliwatt_hours(v: f64) -> BatteryCapacity {
        BatteryCapacity(Capacity::Energy(Energy::from_milliwatt_hours(v)))
    }

    /// A capacity of `v` watt-hours.
    pub const fn from_watt_hours(v: f64) -> BatteryCapacity {
        BatteryCapacity(Capacity::Energy(Energy::from_watt_hours(v)))
    }

    /// A capacity of `milliamp_hours` mAh at a nominal voltage of `volts` V.
    pub const fn from_milliamp_hours(milliamp_hours: f64, volts: f64) -> BatteryCapacity {
        BatteryCapacity(Capacity::Charge {
            charge: Measure { value: milliamp_hours, scale: frac(36, 1, -1) },
            voltage: Measure { value: volts, scale: ONE },
        })
    }

    /// A capacity holding this energy.
    pub const fn from_energy(e: Energy) -> BatteryCapacity {
        BatteryCapacity(Capacity::Energy(e))
    }

    /// The stored energy (charge × voltage for a charge).
    pub fn energy(self) -> Energy {
        match self.0 {
            Capacity::Energy(e) => e,
            Capacity::Charge { charge, voltage } => Energy(charge.times(voltage)),
        }
    }

    /// The stored energy in milliwatt-hours.
    pub fn as_milliwatt_hours(self) -> f64 {
        self.energy().as_milliwatt_hours()
    }

    /// The charge in mAh, when the capacity was given as a charge.
    pub fn milliamp_hours(self) -> Option<f64> {
        match self.0 {
            Capacity::Energy(_) => None,
            Capacity::Charge { charge, .. } => Some(convert(charge.value, charge.scale, frac(36, 1, -1))),
        }
    }

    /// The nominal voltage in volts, when the capacity was given as a charge.
    pub fn volts(self) -> Option<f64> {
        match self.0 {
            Capacity::Energy(_) => None,
            Capacity::Charge { voltage, .. } => Some(voltage.si()),
        }
    }

    /// True when every number in it is finite and greater than zero.
    pub fn is_positive(self) -> bool {
        match self.0 {
            Capacity::Energy(e) => e.is_positive(),
            Capacity::Charge { charge, voltage } => {
                charge.value.is_finite()
                    && charge.value > 0.0
                    && voltage.value.is_finite()
                    && voltage.value > 0.0
            }
        }
    }
}

impl PartialEq for BatteryCapacity {
    fn eq(&self, other: &Self) -> bool {
        match (self.0, other.0) {
            (Capacity::Charge { charge: c1, voltage: v1 }, Capacity::Charge { charge: c2, voltage: v2 }) => {
                c1.eq(c2) && v1.eq(v2)
            }
            _ => self.energy() == other.energy(),
        }
    }
}

/// How long the battery lasts at this power draw.
impl Div<Power> for BatteryCapacity {
    type Output = Duration;
    fn div(self, rhs: Power) -> Duration {
        self.energy() / rhs
    }
}

/// `1110 mWh`, or `300 mAh@3.7 V` for a charge.
impl fmt::Display for BatteryCapacity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Capacity::Energy(e) => fmt::Display::fmt(&e, f),
            Capacity::Charge { charge, voltage } => {
                charge.write(Dimension::Charge, f)?;
                f.write_str("@")?;
                voltage.write(Dimension::Voltage, f)
            }
        }
    }
}

impl FromStr for BatteryCapacity {
    type Err = UnitError;
    fn from_str(s: &str) -> Result<Self, UnitError> {
        parse_capacity(s)
    }
}

impl Serialize for BatteryCapacity {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for BatteryCapacity {
    fn deserialize<De: Deserializer<'de>>(d: De) -> Result<Self, De::Error> {
        let text = String::deserialize(d)?;
        parse_capacity(&text).map_err(serde::de::Error::custom)
    }
}

// ---------------------------------------------------------------------------------------------
// Parsing.

/// Any quantity the parser knows, by its unit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Quantity {
    /// An energy.
    Energy(Energy),
    /// A power.
    Power(Power),
    /// A duration.
    Duration(Duration),
    /// A frequency.
    Frequency(Frequency),
    /// A battery charge at a voltage (an energy unit parses as [`Quantity::Energy`]).
    BatteryCapacity(BatteryCapacity),
    /// An amount of data.
    DataSize(DataSize),
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Quantity::Energy(q) => fmt::Display::fmt(q, f),
            Quantity::Power(q) => fmt::Display::fmt(q, f),
            Quantity::Duration(q) => fmt::Display::fmt(q, f),
            Quantity::Frequency(q) => fmt::Display::fmt(q, f),
            Quantity::BatteryCapacity(q) => fmt::Display::fmt(q, f),
            Quantity::DataSize(q) => fmt::Display::fmt(q, f),
        }
    }
}

/// The length of the leading number: `[+-]digits[.digits][(e|E)[+-]digits]`.
fn number_len(s: &str) -> usize {
    let b = s.as_bytes();
    let digits = |mut i: usize| {
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    };
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let int_end = digits(i);
    let mut any = int_end > i;
    i = int_end;
    if b.get(i) == Some(&b'.') {
        let frac_end = digits(i + 1);
        any |= frac_end > i + 1;
        i = frac_end;
    }
    if !any {
        return 0;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let j = i + 1 + usize::from(matches!(b.get(i + 1), Some(b'+' | b'-')));
        let k = digits(j);
        if k > j {
            i = k;
        }
    }
    i
}

/// One `number unit` term; `expected` is what the caller wants (for messages).
fn parse_term(text: &str, whole: &str, expected: Dimension) -> Result<(f64, &'static UnitDef), UnitError> {
    let t = text.trim();
    let n = number_len(t);
    if n == 0 {
        return Err(UnitError::BadNumber { text: whole.to_string(), expected });
    }
    let (num, symbol) = t.split_at(n);
    let value: f64 = num.parse().map_err(|_| UnitError::BadNumber { text: whole.to_string(), expected })?;
    if !value.is_finite() {
        return Err(UnitError::NotFinite { text: whole.to_string() });
    }
    if value < 0.0 {
        return Err(UnitError::Negative { text: whole.to_string(), expected });
    }
    let symbol = symbol.trim();
    if symbol.is_empty() {
        return Err(UnitError::MissingUnit { text: whole.to_string(), expected });
    }
    let def = UNITS.iter().find(|u| u.symbol == symbol).ok_or_else(|| UnitError::UnknownUnit {
        text: whole.to_string(),
        unit: symbol.to_string(),
        expected,
    })?;
    // `-0` is zero.
    Ok((value + 0.0, def))
}

fn wrong(text: &str, def: &UnitDef, expected: Dimension) -> UnitError {
    UnitError::WrongDimension {
        text: text.to_string(),
        unit: def.symbol.to_string(),
        found: def.dim,
        expected,
    }
}

fn parse_as(text: &str, dim: Dimension) -> Result<Measure, UnitError> {
    if text.trim().is_empty() {
        return Err(UnitError::Empty { expected: dim });
    }
    let (value, def) = parse_term(text, text.trim(), dim)?;
    if def.dim != dim {
        return Err(wrong(text.trim(), def, dim));
    }
    Ok(Measure { value, scale: def.scale })
}

/// Parse an energy: `12.5mJ`, `3uJ`, `3 µJ`, `1.1Wh`, `16kJ`.
pub fn parse_energy(text: &str) -> Result<Energy, UnitError> {
    parse_as(text, Dimension::Energy).map(Energy)
}

/// Parse a power: `1.2W`, `850 mW`, `40µW`.
pub fn parse_power(text: &str) -> Result<Power, UnitError> {
    parse_as(text, Dimension::Power).map(Power)
}

/// Parse a duration: `2.5ms`, `10 s`, `3h`.
pub fn parse_duration(text: &str) -> Result<Duration, UnitError> {
    parse_as(text, Dimension::Duration).map(Duration)
}

/// Parse a frequency: `10fps`, `5Hz`, `6/h`.
pub fn parse_frequency(text: &str) -> Result<Frequency, UnitError> {
    parse_as(text, Dimension::Frequency).map(Frequency)
}

/// Parse an amount of data: `70kB`, `1.5MB`, `512B`.
pub fn parse_data_size(text: &str) -> Result<DataSize, UnitError> {
    parse_as(text, Dimension::DataSize).map(DataSize)
}

/// Parse a battery capacity: an energy (`1110mWh`, `1.1Wh`) or a charge at a voltage
/// (`300mAh@3.7V`, `300 mAh @ 3.7 V`); a charge without a voltage is an error.
pub fn parse_capacity(text: &str) -> Result<BatteryCapacity, UnitError> {
    let whole = text.trim();
    if whole.is_empty() {
        return Err(UnitError::Empty { expected: Dimension::BatteryCapacity });
    }
    let (charge_text, voltage_text) = match whole.split_once('@') {
        Some((c, v)) => (c, Some(v)),
        None => (whole, None),
    };
    let expected = Dimension::BatteryCapacity;
    let (value, def) = parse_term(charge_text, whole, expected)?;
    match (def.dim, voltage_text) {
        (Dimension::Energy, None) => Ok(BatteryCapacity(Capacity::Energy(Energy::of(value, def.scale)))),
        (Dimension::Charge, None) => Err(UnitError::MissingVoltage { text: whole.to_string() }),
        (Dimension::Charge, Some(v)) => {
            let (volts, vdef) = parse_term(v, whole, Dimension::Voltage)?;
            if vdef.dim != Dimension::Voltage {
                return Err(wrong(whole, vdef, Dimension::Voltage));
            }
            Ok(BatteryCapacity(Capacity::Charge {
                charge: Measure { value, scale: def.scale },
                voltage: Measure { value: volts, scale: vdef.scale },
            }))
        }
        _ => Err(wrong(whole, def, expected)),
    }
}

/// Parse any quantity by its unit.
pub fn parse_quantity(text: &str) -> Result<Quantity, UnitError> {
    let whole = text.trim();
    if whole.contains('@') {
        return parse_capacity(whole).map(Quantity::BatteryCapacity);
    }
    if whole.is_empty() {
        return Err(UnitError::Empty { expected: Dimension::Energy });
    }
    let (value, def) = parse_term(whole, whole, Dimension::Energy)?;
    let m = Measure { value, scale: def.scale };
    Ok(match def.dim {
        Dimension::Energy => Quantity::Energy(Energy(m)),
        Dimension::Power => Quantity::Power(Power(m)),
        Dimension::Duration => Quantity::Duration(Duration(m)),
        Dimension::Frequency => Quantity::Frequency(Frequency(m)),
        Dimension::DataSize => Quantity::DataSize(DataSize(m)),
        Dimension::Charge => return Err(UnitError::MissingVoltage { text: whole.to_string() }),
        Dimension::BatteryCapacity | Dimension::Voltage => return Err(wrong(whole, def, Dimension::Energy)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn units_table_is_canonical_and_unambiguous() {
        for u in UNITS {
            let c =
                Scale::canonical(u128::from(u.scale.num), u128::from(u.scale.den), i64::from(u.scale.exp));
            assert_eq!(c, Some(u.scale), "{}", u.symbol);
            assert_eq!(UNITS.iter().filter(|v| v.symbol == u.symbol).count(), 1, "{}", u.symbol);
        }
    }

    #[test]
    fn parses_the_documented_forms() {
        assert_eq!(parse_energy("12.5mJ").unwrap().as_millijoules(), 12.5);
        assert_eq!(parse_energy("3uJ").unwrap().as_microjoules(), 3.0);
        assert_eq!(parse_energy("3µJ").unwrap().as_microjoules(), 3.0);
        assert_eq!(parse_energy(" 3 μJ ").unwrap().as_microjoules(), 3.0);
        assert_eq!(parse_power("1.2W").unwrap().as_watts(), 1.2);
        assert_eq!(parse_power("1.2W").unwrap().as_milliwatts(), 1200.0);
        assert_eq!(parse_frequency("10fps").unwrap().as_fps(), 10.0);
        assert_eq!(parse_frequency("5Hz").unwrap().as_hertz(), 5.0);
        assert_eq!(parse_frequency("6/h").unwrap().as_per_hour(), 6.0);
        assert_eq!(parse_capacity("300mAh@3.7V").unwrap().as_milliwatt_hours(), 1110.0);
        assert_eq!(parse_capacity("300 mAh @ 3.7 V").unwrap().milliamp_hours(), Some(300.0));
        assert_eq!(parse_capacity("1.1Wh").unwrap().as_milliwatt_hours(), 1100.0);
        assert_eq!(parse_data_size("70kB").unwrap().as_megabytes(), 0.07);
        assert_eq!(parse_duration("2.5ms").unwrap().as_milliseconds(), 2.5);
        assert_eq!(parse_duration("2.5 ms").unwrap().as_microseconds(), 2500.0);
        assert_eq!(parse_energy("1e3mJ").unwrap().as_joules(), 1.0);
        assert_eq!(parse_energy("16kJ").unwrap().as_kilojoules(), 16.0);
        assert!(matches!(parse_quantity("10fps"), Ok(Quantity::Frequency(_))));
        assert!(matches!(parse_quantity("300mAh@3.7V"), Ok(Quantity::BatteryCapacity(_))));
    }

    #[test]
    fn bad_text_gives_named_errors() {
        assert_eq!(
            parse_energy("12.5"),
            Err(UnitError::MissingUnit { text: "12.5".into(), expected: Dimension::Energy })
        );
        assert!(matches!(parse_energy("12.5 mj"), Err(UnitError::UnknownUnit { unit, .. }) if unit == "mj"));
        assert!(matches!(
            parse_energy("12mW"),
            Err(UnitError::WrongDimension { found: Dimension::Power, expected: Dimension::Energy, .. })
        ));
        assert!(matches!(parse_energy("-1mJ"), Err(UnitError::Negative { .. })));
        assert!(matches!(parse_energy("1e999mJ"), Err(UnitError::NotFinite { .. })));
        assert!(matches!(parse_energy("NaN mJ"), Err(UnitError::BadNumber { .. })));
        assert!(matches!(parse_energy("inf mJ"), Err(UnitError::BadNumber { .. })));
        assert!(matches!(parse_energy("mJ"), Err(UnitError::BadNumber { .. })));
        assert!(matches!(parse_energy("  "), Err(UnitError::Empty { .. })));
        assert!(matches!(parse_capacity("300mAh"), Err(UnitError::MissingVoltage { .. })));
        assert!(matches!(parse_capacity("300mAh@3.7"), Err(UnitError::MissingUnit { .. })));
        assert!(matches!(parse_capacity("300mAh@3.7mW"), Err(UnitError::WrongDimension { .. })));
        assert!(matches!(parse_capacity("5W"), Err(UnitError::WrongDimension { .. })));
        let msg = parse_energy("12.5").unwrap_err().to_string();
        assert!(msg.contains("'12.5'") && msg.contains("12.5mJ"), "{msg}");
        let msg = parse_energy("3 furlongs").unwrap_err().to_string();
        assert!(msg.contains("furlongs") && msg.contains("mJ"), "{msg}");
    }

    #[test]
    fn arithmetic_keeps_dimensions_and_units() {
        let e = Power::from_milliwatts(2.0) * Duration::from_seconds(3.0);
        assert_eq!(e.to_string(), "6 mJ");
        let p = Energy::from_microjoules(50.0) * Frequency::from_fps(10.0);
        assert_eq!(p.to_string(), "500 µW");
        assert_eq!(p.as_milliwatts(), 0.5);
        let wh = Power::from_milliwatts(3.0) * Duration::from_hours(2.0);
        assert_eq!(wh.to_string(), "6 mWh");
        let hours = BatteryCapacity::from_milliwatt_hours(1110.0) / Power::from_milliwatts(10.0);
        assert_eq!(hours.to_string(), "111 h");
        assert_eq!(Frequency::from_per_hour(6.0) * Duration::from_seconds(10.0), 6.0 * 10.0 / 3600.0);
        assert_eq!(Energy::from_joules(1.0), Energy::from_millijoules(1000.0));
        assert!(Energy::from_microjoules(1.0) < Energy::from_millijoules(1.0));
        assert_eq!(Energy::from_millijoules(3.0) / Energy::from_millijoules(1.5), 2.0);
        let total: Energy =
            [Energy::from_millijoules(1.0), Energy::from_microjoules(500.0)].into_iter().sum();
        assert_eq!(total.as_millijoules(), 1.5);
        assert_eq!(format!("{:.3}", Power::from_milliwatts(13.6083333)), "13.608 mW");
    }

    #[test]
    fn serde_is_the_display_string() {
        let e = Energy::from_millijoules(12.5);
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(json, "\"12.5 mJ\"");
        assert_eq!(serde_json::from_str::<Energy>(&json).unwrap(), e);
        assert!(serde_json::from_str::<Energy>("\"12.5\"").is_err());
        let c = BatteryCapacity::from_milliamp_hours(300.0, 3.7);
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"300 mAh@3.7 V\"");
    }

    fn finite() -> impl Strategy<Value = f64> {
        prop_oneof![
            0.0..1e6f64,
            (0.0..10.0f64, -30i32..30).prop_map(|(m, e)| m * 10f64.powi(e)),
            any::<u32>().prop_map(f64::from)
        ]
    }

    fn unit_of(dim: Dimension) -> impl Strategy<Value = &'static UnitDef> {
        let defs: Vec<&'static UnitDef> = UNITS.iter().filter(|u| u.dim == dim).collect();
        proptest::sample::select(defs)
    }

    proptest! {
        #[test]
        fn constructor_accessor_round_trips_are_exact(v in finite()) {
            prop_assert_eq!(Energy::from_millijoules(v).as_millijoules(), v);
            prop_assert_eq!(Energy::from_microjoules(v).as_microjoules(), v);
            prop_assert_eq!(Energy::from_joules(v).as_joules(), v);
            prop_assert_eq!(Energy::from_kilojoules(v).as_kilojoules(), v);
            prop_assert_eq!(Energy::from_milliwatt_hours(v).as_milliwatt_hours(), v);
            prop_assert_eq!(Power::from_milliwatts(v).as_milliwatts(), v);
            prop_assert_eq!(Power::from_microwatts(v).as_microwatts(), v);
            prop_assert_eq!(Power::from_watts(v).as_watts(), v);
            prop_assert_eq!(Duration::from_milliseconds(v).as_milliseconds(), v);
            prop_assert_eq!(Duration::from_microseconds(v).as_microseconds(), v);
            prop_assert_eq!(Duration::from_seconds(v).as_seconds(), v);
            prop_assert_eq!(Duration::from_hours(v).as_hours(), v);
            prop_assert_eq!(Frequency::from_hertz(v).as_hertz(), v);
            prop_assert_eq!(Frequency::from_per_hour(v).as_per_hour(), v);
            prop_assert_eq!(DataSize::from_kilobytes(v).as_kilobytes(), v);
            prop_assert_eq!(BatteryCapacity::from_milliwatt_hours(v).as_milliwatt_hours(), v);
            prop_assert_eq!(BatteryCapacity::from_milliamp_hours(v, 3.7).milliamp_hours(), Some(v));
        }

        #[test]
        fn format_then_parse_is_exact(v in finite(), e in unit_of(Dimension::Energy),
                                      p in unit_of(Dimension::Power), d in unit_of(Dimension::Duration),
                                      f in unit_of(Dimension::Frequency), b in unit_of(Dimension::DataSize),
                                      volts in 0.1..50.0f64) {
            let q = Energy::of(v, e.scale);
            let back = parse_energy(&q.to_string()).unwrap();
            prop_assert_eq!(back, q);
            prop_assert_eq!(back.0.value.to_bits(), v.to_bits());
            prop_assert_eq!(back.0.scale, e.scale);
            let q = Power::of(v, p.scale);
            prop_assert_eq!(parse_power(&q.to_string()).unwrap(), q);
            let q = Duration::of(v, d.scale);
            prop_assert_eq!(parse_duration(&q.to_string()).unwrap(), q);
            let q = Frequency::of(v, f.scale);
            prop_assert_eq!(parse_frequency(&q.to_string()).unwrap(), q);
            let q = DataSize::of(v, b.scale);
            prop_assert_eq!(parse_data_size(&q.to_string()).unwrap(), q);
            let q = BatteryCapacity::from_milliamp_hours(v, volts);
            let back = parse_capacity(&q.to_string()).unwrap();
            prop_assert_eq!(back.milliamp_hours(), Some(v));
            prop_assert_eq!(back.volts(), Some(volts));
            // and through the generic parser
            let q = Energy::of(v, e.scale);
            prop_assert_eq!(parse_quantity(&q.to_string()).unwrap(), Quantity::Energy(q));
        }

        #[test]
        fn parsing_never_panics(s in "\\PC{0,16}") {
            let _ = parse_quantity(&s);
            let _ = parse_capacity(&s);
            let _ = parse_energy(&s);
        }

        #[test]
        fn conversions_agree_with_decimal_scaling(v in 0.0..1e9f64) {
            let e = Energy::from_millijoules(v);
            prop_assert_eq!(e.as_joules(), v / 1e3);
            prop_assert_eq!(e.as_microjoules(), v * 1e3);
        }
    }
}
