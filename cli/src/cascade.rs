//! `einf cascade`: a small always-on model gating a medium model for τ after each event, with an
//! optional cloud hand-off; its power at an event rate, battery life, and a sweep over event
//! rates that shows where running the medium (large) model first wins.

use crate::quantity::{
    capacity, data_size, duration, energy, energy_text, frequency, hours_text, num, optional, power,
    power_text, write_plot, write_rows,
};
use crate::table::Table;
use anyhow::{Result, bail};
use clap::Args;
use einf_parser::units::Frequency;
use einf_scoring::plot::cascade_power_vs_events;
use einf_scoring::{Cascade, CascadePower, CloudHandoff, Stage, SweepPoint, Winner};
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `einf cascade`.
#[derive(Debug, Args)]
pub struct CascadeArgs {
    /// Static power of the system: 1mW, 40uW (0W for none).
    #[arg(long = "static", value_name = "POWER")]
    pub static_power: String,
    /// Energy per inference of the small, always-on model: 50uJ.
    #[arg(long, value_name = "ENERGY")]
    pub small: String,
    /// Inference rate of the small model: 10fps.
    #[arg(long, value_name = "FREQUENCY")]
    pub small_rate: String,
    /// Energy per inference of the medium model the small one wakes: 2mJ.
    #[arg(long, value_name = "ENERGY")]
    pub medium: String,
    /// Inference rate of the medium model while awake (default: the small model's).
    #[arg(long, value_name = "FREQUENCY")]
    pub medium_rate: Option<String>,
    /// How long the medium model runs after each event (τ): 10s.
    #[arg(long, value_name = "DURATION")]
    pub active: String,
    /// Event rate: 6/h, 1/min, 0.5Hz.
    #[arg(long, value_name = "FREQUENCY", required_unless_present_any = ["sweep", "plot"])]
    pub events: Option<String>,
    /// Share of events handed to the cloud, in [0, 1] (with --cloud-size or --cloud-energy;
    /// default 1).
    #[arg(long, value_name = "SHARE")]
    pub cloud_share: Option<f64>,
    /// Input sent to the cloud per hand-off (202 J per decimal MB): 70kB.
    #[arg(long, value_name = "SIZE", conflicts_with = "cloud_energy")]
    pub cloud_size: Option<String>,
    /// Energy per cloud hand-off, instead of --cloud-size: 14.14J.
    #[arg(long, value_name = "ENERGY")]
    pub cloud_energy: Option<String>,
    /// Energy to wake the medium model per event (loading it, powering an accelerator): 195mJ.
    #[arg(long, value_name = "ENERGY")]
    pub wake: Option<String>,
    /// Battery: an energy (1.1Wh) or a charge at a voltage (300mAh@3.7V); needs --events.
    #[arg(long, value_name = "CAPACITY", requires = "events")]
    pub battery: Option<String>,
    /// Print a sweep over event rates: cascade against running the medium model first.
    #[arg(long)]
    pub sweep: bool,
    /// Lowest event rate of the sweep (default: the highest / 10⁴).
    #[arg(long, value_name = "FREQUENCY")]
    pub from: Option<String>,
    /// Highest event rate of the sweep (default: 10 × the largest of the event rate, 1/τ and
    /// the break-even rate).
    #[arg(long, value_name = "FREQUENCY")]
    pub to: Option<String>,
    /// Number of event rates in the sweep, log-spaced.
    #[arg(long, default_value_t = 13)]
    pub points: usize,
    /// Print JSON (schema `einf.cascade/1`) instead of tables.
    #[arg(long)]
    pub json: bool,
    /// Write cascade power against event rate as SVG.
    #[arg(long, value_name = "FILE.svg")]
    pub plot: Option<PathBuf>,
}

#[derive(Debug, Serialize)]
struct StageReport {
    energy_mj: f64,
    rate_fps: f64,
    power_mw: f64,
}

#[derive(Debug, Serialize)]
struct CloudReport {
    share: f64,
    energy_j: f64,
}

#[derive(Debug, Serialize)]
struct AtRate {
    #[serde(flatten)]
    power: CascadePower,
    winner: Winner,
}

/// The cascade, as `--json` prints it.
#[derive(Debug, Serialize)]
struct Report {
    schema: &'static str,
    static_mw: f64,
    small: StageReport,
    medium: StageReport,
    active_s: f64,
    cloud: Option<CloudReport>,
    wake_mj: f64,
    break_even_events_per_hour: f64,
    at: Option<AtRate>,
    battery_mwh: Option<f64>,
    battery_hours: Option<f64>,
    sweep: Option<Vec<SweepPoint>>,
}

fn stage(what: &str, energy_text: &str, rate: Frequency) -> Result<Stage> {
    Ok(Stage { energy: energy(what, energy_text)?, rate })
}

pub fn run(args: &CascadeArgs, out: &mut dyn Write) -> Result<ExitCode> {
    let p_static = power("static", &args.static_power)?;
    let small_rate = frequency("small-rate", &args.small_rate)?;
    let medium_rate = optional("medium-rate", args.medium_rate.as_deref(), frequency)?.unwrap_or(small_rate);
    let small = stage("small", &args.small, small_rate)?;
    let medium = stage("medium", &args.medium, medium_rate)?;
    let active = duration("active", &args.active)?;
    let events = optional("events", args.events.as_deref(), frequency)?;
    let battery = optional("battery", args.battery.as_deref(), capacity)?;
    let mut c = Cascade::new(p_static, small, medium, active)?;
    let cloud_energy = match (&args.cloud_size, &args.cloud_energy) {
        (Some(size), _) => Some(einf_scoring::cloud_transfer_energy(data_size("cloud-size", size)?)?),
        (None, Some(e)) => Some(energy("cloud-energy", e)?),
        (None, None) => None,
    };
    match (cloud_energy, args.cloud_share) {
        (Some(e), share) => c = c.with_cloud(CloudHandoff::new(share.unwrap_or(1.0), e)?),
        (None, Some(_)) => bail!("--cloud-share needs --cloud-size or --cloud-energy"),
        (None, None) => {}
    }
    if let Some(w) = optional("wake", args.wake.as_deref(), energy)? {
        c = c.with_wake_energy(w)?;
    }
    let even = c.break_even_events()?;
    let at = events.map(|e| c.power(e)).transpose()?;
    let life = match (events, battery) {
        (Some(e), Some(b)) => Some(c.battery_life(e, b)?),
        _ => None,
    };
    let sweep = if args.sweep || args.plot.is_some() {
        let to = match &args.to {
            Some(t) => frequency("to", t)?,
            None => {
                let tau_rate = 3600.0 / active.as_seconds();
                let top = [events.map_or(0.0, |e| e.as_per_hour()), tau_rate, even.as_per_hour()]
                    .into_iter()
                    .fold(0.0, f64::max);
                Frequency::from_per_hour(10.0 * top)
            }
        };
        let from = match &args.from {
            Some(f) => frequency("from", f)?,
            None => Frequency::from_per_hour(to.as_per_hour() / 1e4),
        };
        Some(c.sweep(from, to, args.points)?)
    } else {
        None
    };
    if let (Some(path), Some(points)) = (&args.plot, &sweep) {
        write_plot(path, &cascade_power_vs_events(points, even, events)?)?;
    }

    let report = Report {
        schema: "einf.cascade/1",
        static_mw: p_static.as_milliwatts(),
        small: StageReport {
            energy_mj: small.energy.as_millijoules(),
            rate_fps: small.rate.as_fps(),
            power_mw: (small.energy * small.rate).as_milliwatts(),
        },
        medium: StageReport {
            energy_mj: medium.energy.as_millijoules(),
            rate_fps: medium.rate.as_fps(),
            power_mw: (medium.energy * medium.rate).as_milliwatts(),
        },
        active_s: active.as_seconds(),
        cloud: c.cloud().map(|h| CloudReport { share: h.share(), energy_j: h.energy().as_joules() }),
        wake_mj: c.wake_energy().as_millijoules(),
        break_even_events_per_hour: even.as_per_hour(),
        at: at.map(|p| AtRate { power: p, winner: p.winner() }),
        battery_mwh: battery.map(|b| b.as_milliwatt_hours()),
        battery_hours: life.map(|d| d.as_hours()),
        sweep: if args.sweep { sweep } else { None },
    };
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &report)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut rows = vec![
        ("static power".to_string(), power_text(p_static)),
        (
            "small model".into(),
            format!(
                "{} at {} fps = {}",
                energy_text(small.energy),
                num(report.small.rate_fps),
                power_text(small.energy * small.rate)
            ),
        ),
        (
            "medium model".into(),
            format!(
                "{} at {} fps = {}, for {} after each event",
                energy_text(medium.energy),
                num(report.medium.rate_fps),
                power_text(medium.energy * medium.rate),
                active
            ),
        ),
    ];
    if let Some(h) = c.cloud() {
        rows.push((
            "cloud hand-off".into(),
            format!("{}% of events, {} each", num(h.share() * 100.0), energy_text(h.energy())),
        ));
    }
    if args.wake.is_some() {
        rows.push(("wake-up energy".into(), format!("{} per event", energy_text(c.wake_energy()))));
    }
    if let Some(r) = &report.at {
        let p = &r.power;
        rows.push(("event rate".into(), format!("{} /h", num(p.events_per_hour))));
        rows.push(("π = min(1, events·τ)".into(), num(p.active_share)));
        rows.push(("P_static".into(), format!("{} mW", num(p.static_mw))));
        rows.push(("(1−π)·f_S·E_S".into(), format!("{} mW", num(p.small_mw))));
        rows.push(("π·f_M·E_M".into(), format!("{} mW", num(p.medium_mw))));
        if c.cloud().is_some() {
            rows.push(("λ_C·E_C".into(), format!("{} mW", num(p.cloud_mw))));
        }
        if args.wake.is_some() {
            rows.push(("λ·E_W".into(), format!("{} mW", num(p.wake_mw))));
        }
        rows.push(("cascade power P".into(), power_text(p.total())));
        let verdict = match r.winner {
            Winner::Tie => "both draw the same".to_string(),
            w => format!("{w} draws less"),
        };
        rows.push((
            "large model first".into(),
            format!("{} mW (medium model always on; {verdict})", num(p.large_first_mw)),
        ));
    }
    let above = if c.wake_energy().as_millijoules() > 0.0 {
        "running the medium model first wins above it"
    } else {
        "the medium model is always on above it, so both designs draw the same"
    };
    rows.push((
        "break-even event rate".into(),
        format!("{} /h ({above})", num(report.break_even_events_per_hour)),
    ));
    if let (Some(b), Some(life)) = (battery, life) {
        rows.push((format!("battery life ({b})"), hours_text(life)));
    }
    write_rows(out, &rows)?;
    if let Some(points) = &report.sweep {
        writeln!(out)?;
        let mut t = Table::new(&["events/h", "winner", "π", "cascade mW", "large first mW"]);
        for s in points {
            let p = &s.power;
            t.row(vec![
                num(p.events_per_hour),
                s.winner.to_string(),
                num(p.active_share),
                num(p.total_mw),
                num(p.large_first_mw),
            ]);
        }
        t.write(out)?;
    }
    Ok(ExitCode::SUCCESS)
}
