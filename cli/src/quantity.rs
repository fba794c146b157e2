//! Shared helpers of `einf score`, `einf solution` and `einf cascade`: quantities with units from
//! flags (a bare number is an error naming the flag), numbers for tables, and plot files.

use anyhow::{Context, Result};
use einf_parser::units::{
    BatteryCapacity, DataSize, Duration, Energy, Frequency, Power, UnitError, parse_capacity,
    parse_data_size, parse_duration, parse_energy, parse_frequency, parse_power,
};
use std::io::Write;
use std::path::Path;

/// Parses the value of `--flag` with `parse`, naming the flag in the error.
fn flag<T>(name: &str, text: &str, parse: fn(&str) -> Result<T, UnitError>) -> Result<T> {
    parse(text).with_context(|| format!("--{name}"))
}

/// An energy flag (`12.5mJ`).
pub fn energy(name: &str, text: &str) -> Result<Energy> {
    flag(name, text, parse_energy)
}

/// A power flag (`1.2W`).
pub fn power(name: &str, text: &str) -> Result<Power> {
    flag(name, text, parse_power)
}

/// A duration flag (`10s`).
pub fn duration(name: &str, text: &str) -> Result<Duration> {
    flag(name, text, parse_duration)
}

/// A frequency flag (`10fps`, `6/h`).
pub fn frequency(name: &str, text: &str) -> Result<Frequency> {
    flag(name, text, parse_frequency)
}

/// A data-size flag (`70kB`).
pub fn data_size(name: &str, text: &str) -> Result<DataSize> {
    flag(name, text, parse_data_size)
}

/// A battery flag (`300mAh@3.7V`, `1.1Wh`).
pub fn capacity(name: &str, text: &str) -> Result<BatteryCapacity> {
    flag(name, text, parse_capacity)
}

/// An optional flag through one of the parsers above.
pub fn optional<T>(name: &str, text: Option<&str>, parse: fn(&str, &str) -> Result<T>) -> Result<Option<T>> {
    text.map(|t| parse(name, t)).transpose()
}

/// A number for a table: 5 significant digits, plain between 10⁻³ and 10⁶, else scientific.
pub fn num(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let a = v.abs();
    if !(1e-3..1e6).contains(&a) {
        let s = format!("{v:.4e}");
        return match s.split_once('e') {
            Some((m, e)) => format!("{}e{e}", m.trim_end_matches('0').trim_end_matches('.')),
            None => s,
        };
    }
    let digits = (4 - a.log10().floor() as i32).clamp(0, 9) as usize;
    let s = format!("{v:.digits$}");
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}

/// An energy in the unit that reads best (nJ to kJ).
pub fn energy_text(e: Energy) -> String {
    let mj = e.as_millijoules();
    let (v, unit) = match mj.abs() {
        a if a >= 1e6 => (e.as_kilojoules(), "kJ"),
        a if a >= 1e3 => (e.as_joules(), "J"),
        a if a >= 1.0 || a == 0.0 => (mj, "mJ"),
        a if a >= 1e-3 => (e.as_microjoules(), "µJ"),
        _ => (e.as_nanojoules(), "nJ"),
    };
    format!("{} {unit}", num(v))
}

/// A power in the unit that reads best (µW to W).
pub fn power_text(p: Power) -> String {
    let mw = p.as_milliwatts();
    let (v, unit) = match mw.abs() {
        a if a >= 1e3 => (p.as_watts(), "W"),
        a if a >= 1.0 || a == 0.0 => (mw, "mW"),
        _ => (p.as_microwatts(), "µW"),
    };
    format!("{} {unit}", num(v))
}

/// A battery life in hours (two decimals) and days.
pub fn hours_text(d: Duration) -> String {
    let h = d.as_hours();
    format!("{h:.2} h ({} days)", num(h / 24.0))
}

/// Writes `name  value` rows with the names left-aligned in one column.
pub fn write_rows(out: &mut dyn Write, rows: &[(String, String)]) -> std::io::Result<()> {
    let width = rows.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0);
    for (k, v) in rows {
        let pad = width - k.chars().count();
        writeln!(out, "{k}{}  {v}", " ".repeat(pad))?;
    }
    Ok(())
}

/// Writes an SVG plot.
pub fn write_plot(path: &Path, svg: &str) -> Result<()> {
    std::fs::write(path, svg).with_context(|| format!("{}: cannot write the plot", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_five_significant_digits() {
        assert_eq!(num(13.608333333), "13.608");
        assert_eq!(num(81.567708), "81.568");
        assert_eq!(num(2.0), "2");
        assert_eq!(num(0.49166666), "0.49167");
        assert_eq!(num(240000.0), "240000");
        assert_eq!(num(1e6), "1e6");
        assert_eq!(num(2.5e-5), "2.5e-5");
        assert_eq!(num(-0.5), "-0.5");
        assert_eq!(num(0.0), "0");
    }

    #[test]
    fn quantities_read_in_their_best_unit() {
        assert_eq!(energy_text(Energy::from_joules(14.14)), "14.14 J");
        assert_eq!(energy_text(Energy::from_millijoules(1.55e7)), "15.5 kJ");
        assert_eq!(energy_text(Energy::from_microjoules(50.0)), "50 µJ");
        assert_eq!(power_text(Power::from_milliwatts(13.6083333)), "13.608 mW");
        assert_eq!(power_text(Power::from_milliwatts(0.5)), "500 µW");
        assert_eq!(hours_text(Duration::from_hours(81.5677)), "81.57 h (3.3987 days)");
    }

    #[test]
    fn a_bare_number_names_the_flag() {
        let e = energy("einf", "12.5").unwrap_err();
        assert_eq!(format!("{e:#}"), "--einf: '12.5' has no unit: an energy needs one, e.g. 12.5mJ");
    }
}
