//! `einf measure`: per-inference energy, latency and power from a power-meter trace and the
//! inferences' start/end timestamps, optionally written into the store.
//!
//! The method is `einf_dataset::trace`'s (idle baseline before the first inference less a guard
//! interval, or an idle trace; trapezoid integral over each window with the trace interpolated at
//! its edges; net = gross − baseline × duration; coarse meters by phases of back-to-back
//! inferences divided by their count).

mod kernel_spec;

use anyhow::{Context, bail};
use clap::{ArgGroup, Args, ValueEnum};
use einf_dataset::batch::{
    Device, DeviceClass, ImportBatch, KernelRecord, Measurement as StoredMeasurement, Metric, ModelRecord,
    Subject,
};
use einf_dataset::store::{DB_ENV, ImportOutcome, ImportSource, Store, resolve_path, sha256_file};
use einf_dataset::trace::{Baseline, BaselineSource, MeasureConfig, Measurement, Mode, Stats, TraceFormat};
use einf_parser::kernel::KernelKind;
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// JSON schema name of `einf measure --json`.
const SCHEMA: &str = "einf.measure/1";

/// Import format recorded in the store for a measured trace.
const FORMAT: &str = "trace";

/// Arguments of `einf measure`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("subject").multiple(true)))]
pub struct MeasureArgs {
    /// Power-meter trace (CSV): Monsoon style `time_us,current_mA,voltage_V` (PyMonsoon's
    /// `Time(ms),Main(mA),Main Voltage(V)` too) or generic `time_s,power_W`; units in the header.
    #[arg(long, value_name = "TRACE")]
    pub power: PathBuf,
    /// Inference windows (CSV `start_us,end_us`, one row per inference, on the trace's clock).
    #[arg(long, value_name = "WINDOWS")]
    pub windows: PathBuf,
    /// Idle baseline: `auto` (mean power of the trace before the first window, less the guard
    /// interval) or the path of an idle trace (its mean power).
    #[arg(long, value_name = "auto|IDLE_TRACE", default_value = "auto")]
    pub baseline: String,
    /// Guard interval skipped before the first window, ms (`--baseline auto`).
    #[arg(long, value_name = "MS", default_value_t = 1000.0)]
    pub guard_ms: f64,
    /// Average only the last MS of the idle period (`--baseline auto`; default: all of it).
    #[arg(long, value_name = "MS")]
    pub idle_ms: Option<f64>,
    /// Drop the first N windows (warm-up).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub drop_warmup: usize,
    /// Drop the last N windows (phase-out).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub drop_phaseout: usize,
    /// Coarse meters: `on` integrates each phase of back-to-back windows and divides by its
    /// count; `off` integrates each window; `auto` turns it on when the median window is shorter
    /// than 4 sample intervals.
    #[arg(long, value_enum, default_value_t = PhaseArg::Auto)]
    pub phase: PhaseArg,
    /// A pause longer than this between windows starts a new phase, ms (default: the median
    /// sample interval).
    #[arg(long, value_name = "MS")]
    pub phase_gap_ms: Option<f64>,
    /// Widest idle margin integrated beyond a phase edge that borders idle time, ms (default: two
    /// median sample intervals; 0 = none).
    #[arg(long, value_name = "MS")]
    pub phase_margin_ms: Option<f64>,
    /// Refuse a window, phase or idle period that overlaps a gap between samples longer than
    /// this many median sample intervals.
    #[arg(long, value_name = "X", default_value_t = 5.0)]
    pub max_gap_factor: f64,
    /// Also print every inference (table) — JSON always has them.
    #[arg(long)]
    pub rows: bool,
    /// Print JSON (schema `einf.measure/1`) instead of text.
    #[arg(long)]
    pub json: bool,
    /// Write mean energy, latency and power (with std and count) into the store.
    #[arg(long, requires_all = ["device", "subject"])]
    pub store: bool,
    /// Store file (default: $EINF_DB, else `einf.db` in the working directory).
    #[arg(long, value_name = "FILE", requires = "store")]
    pub db: Option<PathBuf>,
    /// Device the trace was measured on (`--store`).
    #[arg(long, value_name = "NAME", requires = "store")]
    pub device: Option<String>,
    /// Device class, required for a device the store does not know yet.
    #[arg(long, value_enum, requires = "store")]
    pub class: Option<ClassArg>,
    /// Device SoC or board.
    #[arg(long, value_name = "SOC", requires = "store")]
    pub soc: Option<String>,
    /// Device runtime and backend (`tflite-gpu`).
    #[arg(long, value_name = "RUNTIME", requires = "store")]
    pub runtime: Option<String>,
    /// Device numeric precision (`fp32`, `int8`).
    #[arg(long, value_name = "PRECISION", requires = "store")]
    pub precision: Option<String>,
    /// The model that ran (`--store`); with `--kernel`, the model the kernel ran in.
    #[arg(long, value_name = "NAME", group = "subject", requires = "store")]
    pub model: Option<String>,
    /// The kernel kind that ran alone (`conv-bn-relu`), with `--kernel-config`.
    #[arg(long, value_name = "KIND", group = "subject", requires_all = ["store", "kernel_config"])]
    pub kernel: Option<String>,
    /// The kernel's configuration, `KEY=VALUE,...`: hw, h, w, cin, cout, k, kh, kw, s, sh, sw, d,
    /// groups, pad (same|valid|N|t:l:b:r), ohw, oh, ow, dtype, inputs, batch.
    #[arg(long, value_name = "KEY=VALUE,...", requires = "kernel")]
    pub kernel_config: Option<String>,
}

/// `--phase`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PhaseArg {
    /// Chosen from the data.
    Auto,
    /// Per inference.
    Off,
    /// Phases of back-to-back inferences.
    On,
}

/// `--class`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ClassArg {
    /// Application CPU.
    Cpu,
    /// GPU.
    Gpu,
    /// NPU or DSP.
    Npu,
    /// Microcontroller.
    Mcu,
    /// Other accelerator.
    Accelerator,
}

impl From<ClassArg> for DeviceClass {
    fn from(c: ClassArg) -> Self {
        match c {
            ClassArg::Cpu => DeviceClass::Cpu,
            ClassArg::Gpu => DeviceClass::Gpu,
            ClassArg::Npu => DeviceClass::Npu,
            ClassArg::Mcu => DeviceClass::Mcu,
            ClassArg::Accelerator => DeviceClass::Accelerator,
        }
    }
}

/// `--json` output.
#[derive(Serialize)]
struct Report<'a> {
    schema: &'static str,
    power_file: &'a Path,
    windows_file: &'a Path,
    #[serde(flatten)]
    measurement: &'a Measurement,
    #[serde(skip_serializing_if = "Option::is_none")]
    stored: Option<Stored>,
}

/// What `--store` did.
#[derive(Serialize)]
struct Stored {
    db: PathBuf,
    #[serde(flatten)]
    outcome: ImportOutcome,
}

/// Run `einf measure`.
pub fn run(args: MeasureArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let baseline = Baseline::from_arg(&args.baseline, args.guard_ms, args.idle_ms)?;
    let config = MeasureConfig {
        baseline,
        mode: match args.phase {
            PhaseArg::Auto => Mode::Auto,
            PhaseArg::Off => Mode::PerInference,
            PhaseArg::On => Mode::Phase,
        },
        drop_first: args.drop_warmup,
        drop_last: args.drop_phaseout,
        max_gap_factor: args.max_gap_factor,
        phase_gap_ms: args.phase_gap_ms,
        phase_margin_ms: args.phase_margin_ms,
    };
    // Everything the store needs is checked before the trace is read.
    let subject = if args.store { Some(subject(&args)?) } else { None };
    let m = einf_dataset::trace::measure_files(&args.power, &args.windows, &config)?;
    let stored = match subject {
        Some(subject) => Some(store(&args, &m, subject)?),
        None => None,
    };
    if args.json {
        let report = Report {
            schema: SCHEMA,
            power_file: &args.power,
            windows_file: &args.windows,
            measurement: &m,
            stored,
        };
        serde_json::to_writer_pretty(&mut *out, &report)?;
        writeln!(out)?;
    } else {
        write_text(out, &args, &m, stored.as_ref())?;
    }
    Ok(ExitCode::SUCCESS)
}

fn subject(args: &MeasureArgs) -> anyhow::Result<Subject> {
    let model = args.model.as_deref().map(str::trim);
    if model.is_some_and(str::is_empty) {
        bail!("--model: empty model name");
    }
    match (&args.kernel, &args.kernel_config) {
        (Some(kind), Some(spec)) => {
            let parsed: KernelKind = kind.parse().map_err(|e| anyhow::anyhow!("--kernel {kind}: {e}"))?;
            // The store's vocabulary: a convolution always carries its folded `bn`.
            let kind = KernelKind::from_roles(parsed.roles());
            if !kind.is_supported() {
                bail!("--kernel {kind}: not a kernel kind einf can cost");
            }
            let config = kernel_spec::parse(spec).map_err(|e| anyhow::anyhow!("--kernel-config: {e}"))?;
            Ok(Subject::Kernel(KernelRecord {
                kind,
                config,
                source_id: None,
                model: model.map(str::to_string),
            }))
        }
        (Some(_), None) => bail!("--kernel needs --kernel-config"),
        (None, _) => match model {
            Some(name) => Ok(Subject::Model(ModelRecord { name: name.to_string(), file_sha256: None })),
            None => bail!("--store needs --model NAME or --kernel KIND"),
        },
    }
}

/// The device to store under: the store's description when it knows the name (the flags given
/// must agree with it: the store refuses a conflict), else one built from the flags.
fn device(args: &MeasureArgs, store: &Store) -> anyhow::Result<Device> {
    let Some(name) = args.device.as_deref().map(str::trim).filter(|n| !n.is_empty()) else {
        bail!("--store needs --device NAME");
    };
    let known = store.devices()?.into_iter().map(|d| d.device).find(|d| d.name == name);
    let mut device = match (known, args.class) {
        (Some(d), _) => d,
        (None, Some(class)) => Device::named(name, class.into()),
        (None, None) => bail!(
            "{}: device '{name}' is not in the store: describe it with --class cpu|gpu|npu|mcu|accelerator \
             (and --soc, --runtime, --precision)",
            store.path().display()
        ),
    };
    if let Some(class) = args.class {
        device.class = class.into();
    }
    for (field, given) in [
        (&mut device.soc, &args.soc),
        (&mut device.runtime, &args.runtime),
        (&mut device.precision, &args.precision),
    ] {
        if given.is_some() {
            field.clone_from(given);
        }
    }
    Ok(device)
}

/// A file's name (no directory: stores are shared, home paths are not).
fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}

/// `name (sha256 …)` for the provenance text.
fn hashed(path: &Path) -> anyhow::Result<String> {
    Ok(format!("{} (sha256 {})", file_name(path), sha256_file(path)?))
}

fn store(args: &MeasureArgs, m: &Measurement, subject: Subject) -> anyhow::Result<Stored> {
    let s = &m.summary;
    if s.energy_mj.mean.is_nan() || s.energy_mj.mean <= 0.0 {
        bail!(
            "{}: mean net energy {} mJ is not positive: the baseline ({} mW) is at or above the power during \
             the inferences; check the windows' clock and the baseline",
            args.windows.display(),
            s.energy_mj.mean,
            m.baseline.power_mw
        );
    }
    let db = resolve_path(args.db.as_deref(), std::env::var_os(DB_ENV).as_deref());
    let mut store = Store::open(&db)?;
    let device = device(args, &store)?;

    let count = u32::try_from(s.energy_mj.count).context("more than 4 billion inferences")?;
    let row = |metric: Metric, stats: Stats| StoredMeasurement {
        device: device.name.clone(),
        subject: subject.clone(),
        metric,
        value: stats.mean,
        std: Some(stats.std),
        repetitions: Some(count),
        run: None,
        line: 0,
    };
    let measurements = vec![
        row(Metric::Energy, s.energy_mj),
        row(Metric::Latency, s.latency_ms),
        row(Metric::Power, s.power_mw),
    ];

    let baseline_text = match &m.baseline.source {
        BaselineSource::Auto { start_us, end_us } => {
            format!(
                "auto, idle {:.3}..{:.3} s of the trace, guard {} ms",
                start_us * 1e-6,
                end_us * 1e-6,
                args.guard_ms
            )
        }
        BaselineSource::IdleTrace { .. } => format!("idle trace {}", hashed(Path::new(&args.baseline))?),
        BaselineSource::Fixed => "fixed".into(),
    };
    let provenance = format!(
        "einf measure: power trace {}; windows {}; baseline {:.6} mW ({baseline_text}); mode {}; {} of {} windows \
         kept ({} warm-up, {} phase-out dropped). Per inference: trapezoid integral of power over the window, \
         trace interpolated at its edges, minus baseline × duration (Lenherr et al. 2021, DeepEn2023).",
        hashed(&args.power)?,
        hashed(&args.windows)?,
        m.baseline.power_mw,
        mode_name(m.mode),
        m.rows.len(),
        m.windows,
        m.dropped_first,
        m.dropped_last,
    );
    let batch = ImportBatch {
        format: FORMAT.into(),
        devices: vec![device],
        measurements,
        provenance,
        graphs: Vec::new(),
    };

    // The import key: the bytes of every input plus what the command line made of them, so the
    // same command twice adds nothing and another window file, model or device is a new import.
    let mut key = Vec::new();
    let mut part = |bytes: &[u8]| {
        key.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        key.extend_from_slice(bytes);
    };
    part(SCHEMA.as_bytes());
    part(&read(&args.power)?);
    part(&read(&args.windows)?);
    if args.baseline != "auto" {
        part(&read(Path::new(&args.baseline))?);
    }
    part(serde_json::to_string(&(&batch.devices, &batch.measurements, &batch.provenance))?.as_bytes());
    let source = ImportSource::from_bytes(file_name(&args.power), &key);
    let outcome = store.import(&batch, &source)?;
    Ok(Stored { db, outcome })
}

fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()))
}

fn mode_name(mode: Mode) -> &'static str {
    match mode {
        Mode::Auto => "auto",
        Mode::PerInference => "per inference",
        Mode::Phase => "phases of back-to-back inferences",
    }
}

fn write_text(
    out: &mut dyn Write,
    args: &MeasureArgs,
    m: &Measurement,
    stored: Option<&Stored>,
) -> anyhow::Result<()> {
    let t = &m.trace;
    let columns = match &t.format {
        TraceFormat::Monsoon { time, current, voltage } => format!("{time} × {current} × {voltage}"),
        TraceFormat::Power { time, power } => format!("{time}, {power}"),
        TraceFormat::Samples => "samples".into(),
    };
    writeln!(
        out,
        "trace     {}: {} rows ({columns}), median interval {} µs",
        args.power.display(),
        t.rows,
        fmt(t.median_interval_us)
    )?;
    if t.out_of_order > 0 || t.merged_duplicates > 0 {
        writeln!(
            out,
            "          sorted {} rows, merged {} duplicate timestamps",
            t.out_of_order, t.merged_duplicates
        )?;
    }
    writeln!(
        out,
        "windows   {}: {} ({} warm-up, {} phase-out dropped)",
        args.windows.display(),
        m.windows,
        m.dropped_first,
        m.dropped_last
    )?;
    let source = match &m.baseline.source {
        BaselineSource::Auto { start_us, end_us } => {
            format!("idle {}..{} s", fmt(start_us * 1e-6), fmt(end_us * 1e-6))
        }
        BaselineSource::IdleTrace { file, duration_us } => {
            format!("idle trace {file}, {} s", fmt(duration_us * 1e-6))
        }
        BaselineSource::Fixed => "fixed".into(),
    };
    writeln!(out, "baseline  {} mW ({source})", fmt(m.baseline.power_mw))?;
    writeln!(out, "mode      {}", mode_name(m.mode))?;
    writeln!(out)?;
    let s = &m.summary;
    let lines = [("energy", "mJ", s.energy_mj), ("latency", "ms", s.latency_ms), ("power", "mW", s.power_mw)];
    writeln!(out, "{:<8} {:<4} {:>12} {:>12} {:>7}", "metric", "unit", "mean", "std", "count")?;
    for (metric, unit, st) in lines {
        writeln!(out, "{metric:<8} {unit:<4} {:>12} {:>12} {:>7}", fmt(st.mean), fmt(st.std), st.count)?;
    }
    if !m.phases.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "{:>5} {:>11} {:>6} {:>10} {:>10} {:>14} {:>12}",
            "phase", "windows", "count", "start s", "end s", "net energy mJ", "per inf. mJ"
        )?;
        for p in &m.phases {
            writeln!(
                out,
                "{:>5} {:>11} {:>6} {:>10} {:>10} {:>14} {:>12}",
                p.phase,
                format!("{}..={}", p.first, p.last),
                p.count,
                fmt(p.start_us * 1e-6),
                fmt(p.end_us * 1e-6),
                fmt(p.net_energy_mj),
                fmt(p.energy_mj)
            )?;
        }
    }
    if args.rows {
        writeln!(out)?;
        writeln!(
            out,
            "{:>6} {:>6} {:>12} {:>12} {:>12} {:>12}",
            "window", "line", "start s", "latency ms", "energy mJ", "power mW"
        )?;
        for r in &m.rows {
            writeln!(
                out,
                "{:>6} {:>6} {:>12} {:>12} {:>12} {:>12}",
                r.index,
                r.line,
                fmt(r.start_us * 1e-6),
                fmt(r.latency_ms),
                fmt(r.energy_mj),
                fmt(r.power_mw)
            )?;
        }
    }
    if let Some(stored) = stored {
        writeln!(out)?;
        match &stored.outcome {
            ImportOutcome::Imported(s) => writeln!(
                out,
                "stored    {}: import {}, {} measurements (device {}{})",
                stored.db.display(),
                s.import.id,
                s.import.rows,
                args.device.as_deref().unwrap_or_default(),
                if s.devices_new > 0 { ", new" } else { "" }
            )?,
            ImportOutcome::AlreadyImported(i) => writeln!(
                out,
                "stored    {}: already there (import {}, same inputs): nothing added",
                stored.db.display(),
                i.id
            )?,
        }
    }
    Ok(())
}

/// A value with 6 significant digits (no exponent for ordinary magnitudes).
fn fmt(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let digits = 6 - 1 - v.abs().log10().floor() as i32;
    if (-3..=15).contains(&digits) { format!("{:.*}", digits.max(0) as usize, v) } else { format!("{v:.5e}") }
}
