//! Header grammar: which column is which quantity, in which unit.
//!
//! A header field is a name and a unit: `name(unit)`, `name [unit]`, `name_unit` or `name unit`
//! (the unit is the last `_`/space-separated token when that token is a unit). Names are matched
//! without case, with `_`, `-` and runs of spaces treated as one space; units are matched without
//! case, with `µ`/`μ`/`u` all meaning micro. Mega prefixes are not units here: `MW` reads as mW.

/// A physical quantity a column can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Quantity {
    Time,
    Current,
    Voltage,
    Power,
}

impl Quantity {
    pub(crate) fn label(self) -> &'static str {
        match self {
            Quantity::Time => "time",
            Quantity::Current => "current",
            Quantity::Voltage => "voltage",
            Quantity::Power => "power",
        }
    }

    /// Examples for the "unit cannot be known" message.
    pub(crate) fn expected(self) -> &'static str {
        match self {
            Quantity::Time => "s, ms, us/µs or ns, e.g. `time_us`, `Time(ms)`, `start_us`",
            Quantity::Current => "A, mA or uA/µA, e.g. `current_mA`, `Main(mA)`",
            Quantity::Voltage => "V or mV, e.g. `voltage_V`, `Main Voltage(V)`",
            Quantity::Power => "W, mW or uW/µW, e.g. `power_W`, `P_mW`",
        }
    }

    /// Factor from `unit` (already normalised: lower case, `u` for micro) to the canonical unit
    /// (µs, mA, V, mW).
    fn factor(self, unit: &str) -> Option<f64> {
        match (self, unit) {
            (Quantity::Time, "s" | "sec") => Some(1e6),
            (Quantity::Time, "ms") => Some(1e3),
            (Quantity::Time, "us") => Some(1.0),
            (Quantity::Time, "ns") => Some(1e-3),
            (Quantity::Current, "a") => Some(1e3),
            (Quantity::Current, "ma") => Some(1.0),
            (Quantity::Current, "ua") => Some(1e-3),
            (Quantity::Voltage, "v") => Some(1.0),
            (Quantity::Voltage, "mv") => Some(1e-3),
            (Quantity::Power, "w") => Some(1e3),
            (Quantity::Power, "mw") => Some(1.0),
            (Quantity::Power, "uw") => Some(1e-3),
            _ => None,
        }
    }
}

/// Accepted column names for trace files (documented in `trace/mod.rs`).
pub(crate) const TIME_NAMES: &[&str] = &["time", "t", "timestamp"];
pub(crate) const CURRENT_NAMES: &[&str] = &["current", "i", "main", "main current", "main avg current"];
pub(crate) const VOLTAGE_NAMES: &[&str] = &["voltage", "v", "u", "main voltage", "main avg voltage"];
pub(crate) const POWER_NAMES: &[&str] = &["power", "p", "main power", "main avg power"];
/// Accepted column names for windows files.
pub(crate) const START_NAMES: &[&str] = &["start", "begin", "start time", "t start"];
pub(crate) const END_NAMES: &[&str] = &["end", "stop", "end time", "t end"];

pub(crate) const TIME_ACCEPTED: &str = "time, t, timestamp";
pub(crate) const POWER_ACCEPTED: &str = "power, p, main power, main avg power; or current (current, i, main, \
     main current, main avg current) and voltage (voltage, v, u, main voltage, main avg voltage)";
pub(crate) const START_ACCEPTED: &str = "start, begin, start time, t start";
pub(crate) const END_ACCEPTED: &str = "end, stop, end time, t end";

/// A header field split into a normalised name and an optional normalised unit.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Field {
    /// The field as written (quotes and outer spaces removed), for messages.
    pub(crate) raw: String,
    pub(crate) name: String,
    pub(crate) unit: Option<String>,
}

/// Removes outer spaces and one pair of surrounding double quotes.
pub(crate) fn clean(field: &str) -> &str {
    let field = field.trim();
    field.strip_prefix('"').and_then(|f| f.strip_suffix('"')).map_or(field, str::trim)
}

fn normalise_name(name: &str) -> String {
    name.to_lowercase().replace(['_', '-'], " ").split_whitespace().collect::<Vec<_>>().join(" ")
}

fn normalise_unit(unit: &str) -> String {
    unit.trim().replace(['µ', 'μ'], "u").to_lowercase()
}

fn is_any_unit(unit: &str) -> bool {
    [Quantity::Time, Quantity::Current, Quantity::Voltage, Quantity::Power]
        .iter()
        .any(|q| q.factor(unit).is_some())
}

impl Field {
    pub(crate) fn parse(field: &str) -> Field {
        let raw = clean(field).to_string();
        for (open, close) in [('(', ')'), ('[', ']')] {
            if let Some(inner) = raw.strip_suffix(close)
                && let Some(at) = inner.rfind(open)
            {
                return Field {
                    name: normalise_name(&inner[..at]),
                    unit: Some(normalise_unit(&inner[at + open.len_utf8()..])),
                    raw: raw.clone(),
                };
            }
        }
        if let Some(at) = raw.rfind(['_', ' ']) {
            let unit = normalise_unit(&raw[at + 1..]);
            if is_any_unit(&unit) {
                return Field { name: normalise_name(&raw[..at]), unit: Some(unit), raw };
            }
        }
        Field { name: normalise_name(&raw), unit: None, raw }
    }

    /// Whether the name is one of `names` (already normalised).
    pub(crate) fn is(&self, names: &[&str]) -> bool {
        names.contains(&self.name.as_str())
    }

    /// The factor to the canonical unit of `quantity`, or `None` when the unit is absent or is
    /// not a unit of that quantity.
    pub(crate) fn factor(&self, quantity: Quantity) -> Option<f64> {
        self.unit.as_deref().and_then(|u| quantity.factor(u))
    }
}

/// The delimiter of a file, chosen from its header: comma, else tab, else semicolon.
pub(crate) fn delimiter(header: &str) -> char {
    if header.contains(',') {
        ','
    } else if header.contains('\t') {
        '\t'
    } else if header.contains(';') {
        ';'
    } else {
        ','
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_forms() {
        let f = Field::parse("\"Main Voltage(V)\"");
        assert_eq!((f.name.as_str(), f.unit.as_deref()), ("main voltage", Some("v")));
        let f = Field::parse("time_us");
        assert_eq!((f.name.as_str(), f.unit.as_deref()), ("time", Some("us")));
        let f = Field::parse("Time (µs)");
        assert_eq!((f.name.as_str(), f.unit.as_deref()), ("time", Some("us")));
        let f = Field::parse("P_mW");
        assert_eq!(f.factor(Quantity::Power), Some(1.0));
        let f = Field::parse("power [W]");
        assert_eq!(f.factor(Quantity::Power), Some(1e3));
        let f = Field::parse("Main Avg Current");
        assert_eq!((f.name.as_str(), f.unit), ("main avg current", None));
        let f = Field::parse("t_start");
        assert_eq!((f.name.as_str(), f.unit), ("t start", None));
        assert_eq!(Field::parse("time_mA").factor(Quantity::Time), None);
    }
}
