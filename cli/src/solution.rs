//! `einf solution`: the power of a duty-cycled system running a model at a frame rate,
//! `P = P_static + f × Einf`, its battery life and the break-even frame rate.

use crate::quantity::{
    capacity, duration, energy, frequency, hours_text, num, optional, power, power_text, write_plot,
    write_rows,
};
use anyhow::Result;
use clap::Args;
use einf_scoring::Solution;
use einf_scoring::plot::solution_power_vs_rate;
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `einf solution`.
#[derive(Debug, Args)]
pub struct SolutionArgs {
    /// Energy per inference, with a unit: 2mJ, 50uJ.
    #[arg(long, value_name = "ENERGY")]
    pub einf: String,
    /// Frame rate (inferences per unit of time): 10fps, 5Hz, 120/min, 6/h.
    #[arg(long, value_name = "FREQUENCY")]
    pub rate: String,
    /// Static power of the system (drawn whether it infers or not): 1mW, 40uW (0W for none).
    #[arg(long = "static", value_name = "POWER")]
    pub static_power: String,
    /// Battery: an energy (1.1Wh) or a charge at a voltage (300mAh@3.7V).
    #[arg(long, value_name = "CAPACITY")]
    pub battery: Option<String>,
    /// Inference latency, to check that the frame rate leaves the model idle part of the time.
    #[arg(long, value_name = "DURATION")]
    pub latency: Option<String>,
    /// Print JSON (schema `einf.solution/1`) instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Write solution power against frame rate as SVG.
    #[arg(long, value_name = "FILE.svg")]
    pub plot: Option<PathBuf>,
}

/// The solution, as `--json` prints it.
#[derive(Debug, Serialize)]
struct Report {
    schema: &'static str,
    static_mw: f64,
    einf_mj: f64,
    frame_rate_fps: f64,
    dynamic_mw: f64,
    power_mw: f64,
    break_even_fps: f64,
    latency_ms: Option<f64>,
    duty_cycle: Option<f64>,
    battery_mwh: Option<f64>,
    battery_hours: Option<f64>,
}

pub fn run(args: &SolutionArgs, out: &mut dyn Write) -> Result<ExitCode> {
    let einf = energy("einf", &args.einf)?;
    let rate = frequency("rate", &args.rate)?;
    let p_static = power("static", &args.static_power)?;
    let battery = optional("battery", args.battery.as_deref(), capacity)?;
    let latency = optional("latency", args.latency.as_deref(), duration)?;
    let mut s = Solution::new(p_static, rate, einf)?;
    if let Some(l) = latency {
        s = s.with_latency(l)?;
    }
    let life = battery.map(|b| s.battery_life(b)).transpose()?;
    let even = s.break_even_rate()?;
    if let Some(path) = &args.plot {
        write_plot(path, &solution_power_vs_rate(&s)?)?;
    }
    let report = Report {
        schema: "einf.solution/1",
        static_mw: s.static_power().as_milliwatts(),
        einf_mj: s.einf().as_millijoules(),
        frame_rate_fps: s.frame_rate().as_fps(),
        dynamic_mw: s.dynamic_power().as_milliwatts(),
        power_mw: s.power().as_milliwatts(),
        break_even_fps: even.as_fps(),
        latency_ms: s.latency().map(|l| l.as_milliseconds()),
        duty_cycle: s.duty_cycle(),
        battery_mwh: battery.map(|b| b.as_milliwatt_hours()),
        battery_hours: life.map(|d| d.as_hours()),
    };
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &report)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut rows = vec![
        ("static power".to_string(), power_text(s.static_power())),
        ("Einf".into(), crate::quantity::energy_text(einf)),
        ("frame rate f".into(), format!("{} fps", num(report.frame_rate_fps))),
        ("dynamic power f·Einf".into(), power_text(s.dynamic_power())),
        ("solution power P".into(), power_text(s.power())),
        (
            "break-even frame rate".into(),
            format!("{} fps (static power dominates below)", num(report.break_even_fps)),
        ),
    ];
    if let (Some(l), Some(d)) = (s.latency(), s.duty_cycle()) {
        rows.push(("duty cycle f·latency".into(), format!("{}% (latency {l})", num(d * 100.0))));
    }
    if let (Some(b), Some(life)) = (battery, life) {
        rows.push((format!("battery life ({b})"), hours_text(life)));
    }
    write_rows(out, &rows)?;
    Ok(ExitCode::SUCCESS)
}
