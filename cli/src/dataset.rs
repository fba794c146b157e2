//! `einf dataset`: import measurement files into the store, list devices, show one, export.

use crate::table::Table;
use anyhow::Context;
use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Args, Subcommand};
use einf_dataset::batch::{DeviceClass, ImportBatch};
use einf_dataset::import::{Format, ReadOptions};
use einf_dataset::store::schema::SCHEMA_VERSION;
use einf_dataset::store::{
    DB_ENV, DeviceReport, DeviceSummary, ExportFormat, ExportOptions, ImportOutcome, ImportSource, Stats,
    Store, StoreError, resolve_path,
};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// JSON schema names of the `--json` outputs.
const SCHEMA_IMPORT: &str = "einf.dataset.import/1";
const SCHEMA_DEVICES: &str = "einf.dataset.devices/1";
const SCHEMA_SHOW: &str = "einf.dataset.show/1";
const SCHEMA_CHECK: &str = "einf.dataset.check/1";

/// Arguments of `einf dataset`.
#[derive(Debug, Args)]
pub struct DatasetArgs {
    /// Store file (default: $EINF_DB, else `einf.db` in the working directory).
    #[arg(long, global = true, value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// What to do with the store.
    #[command(subcommand)]
    pub command: DatasetCommand,
}

/// Subcommands of `einf dataset`.
#[derive(Debug, Subcommand)]
pub enum DatasetCommand {
    /// Import measurement files. One transaction: every file or, on any error, none. A file whose
    /// bytes are already in the store (same sha256) adds nothing.
    Import(ImportArgs),
    /// List the store's devices with their measurement counts.
    Devices(DevicesArgs),
    /// What the store holds for one device: kernels by kind and metric, models (and how many have
    /// their kernels), imports.
    Show(ShowArgs),
    /// Write every measurement (or one device's) as CSV or JSON lines, in canonical units.
    Export(ExportArgs),
    /// Check the store file: SQLite integrity, references between tables, row counts.
    Check(CheckArgs),
}

/// Arguments of `einf dataset import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// File format.
    #[arg(long, value_parser = format_parser())]
    pub format: Format,
    /// Files to import.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Device name to store the measurements under: required for `nn-meter`, optional for
    /// `neurstruc` and for a `csv` file without a `device` column; other formats name their
    /// devices themselves.
    #[arg(long, value_name = "NAME")]
    pub device: Option<String>,
    /// Class of that device when its name does not tell (`nn-meter`, `csv`).
    #[arg(long, value_name = "CLASS", value_parser = class_parser())]
    pub device_class: Option<DeviceClass>,
    /// `nn-meter`: the configuration file to join each FILE's measurements with (DeepEn2023
    /// publishes configurations and energies as two files). The import's key is then the
    /// sha256 of both files.
    #[arg(long, value_name = "FILE")]
    pub configs: Option<PathBuf>,
    /// Import values outside 1e-9..1e12 of their unit (mJ, ms, mW) and kernel dimensions above
    /// 2^31, which are refused by default (almost always a unit or column slip).
    #[arg(long)]
    pub allow_extreme: bool,
    /// Print JSON (schema `einf.dataset.import/1`) instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `einf dataset devices`.
#[derive(Debug, Args)]
pub struct DevicesArgs {
    /// Print JSON (schema `einf.dataset.devices/1`) instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `einf dataset show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Device name (see `einf dataset devices`).
    pub device: String,
    /// Print JSON (schema `einf.dataset.show/1`) instead of tables.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `einf dataset export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Output format.
    #[arg(long, value_parser = export_format_parser())]
    pub format: ExportFormat,
    /// Only this device's measurements.
    #[arg(long, value_name = "NAME")]
    pub device: Option<String>,
    /// Write to this file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Arguments of `einf dataset check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Print JSON (schema `einf.dataset.check/1`) instead of text.
    #[arg(long)]
    pub json: bool,
}

fn format_parser() -> impl TypedValueParser<Value = Format> {
    PossibleValuesParser::new(Format::ALL.map(|f| PossibleValue::new(f.name()).help(f.description())))
        .try_map(|s| s.parse::<Format>())
}

pub(crate) fn class_parser() -> impl TypedValueParser<Value = DeviceClass> {
    PossibleValuesParser::new(DeviceClass::ALL.map(DeviceClass::name))
        .map(|s| DeviceClass::ALL.into_iter().find(|c| c.name() == s).unwrap_or(DeviceClass::Accelerator))
}

/// The import key of `path`: its name and sha256, or with `--configs`, both names and the
/// sha256 of both files' hashes (another configuration file makes another import).
fn import_source(path: &Path, configs: Option<&Path>) -> anyhow::Result<ImportSource> {
    let source = ImportSource::from_path(path)?;
    let Some(configs) = configs else { return Ok(source) };
    let other = ImportSource::from_path(configs)?;
    Ok(ImportSource::from_bytes(
        format!("{} (configs {})", source.file, other.file),
        format!("{}\n{}\n", source.sha256, other.sha256).as_bytes(),
    ))
}

fn export_format_parser() -> impl TypedValueParser<Value = ExportFormat> {
    PossibleValuesParser::new(["csv", "jsonl"]).try_map(|s| s.parse::<ExportFormat>())
}

/// Run `einf dataset`.
pub fn run(args: DatasetArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let db = resolve_path(args.db.as_deref(), std::env::var_os(DB_ENV).as_deref());
    match args.command {
        DatasetCommand::Import(a) => import(&db, &a, out),
        DatasetCommand::Devices(a) => devices(&db, &a, out),
        DatasetCommand::Show(a) => show(&db, &a, out),
        DatasetCommand::Export(a) => export(&db, &a, out),
        DatasetCommand::Check(a) => check(&db, &a, out),
    }?;
    Ok(ExitCode::SUCCESS)
}

// ---------------------------------------------------------------------------------------------
// import
// ---------------------------------------------------------------------------------------------

/// One file of an import command, as `--json` reports it.
#[derive(Debug, Serialize)]
struct FileOutcome<'a> {
    /// The path as given.
    path: &'a Path,
    #[serde(flatten)]
    outcome: &'a ImportOutcome,
}

#[derive(Debug, Serialize)]
struct ImportReport<'a> {
    schema: &'static str,
    db: &'a Path,
    files: Vec<FileOutcome<'a>>,
}

/// A progress bar on stderr when it is a terminal, hidden otherwise.
fn progress_bar() -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(10));
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg}").unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(100));
    bar
}

fn import(db: &Path, args: &ImportArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let opts = ReadOptions {
        device: args.device.clone(),
        device_class: args.device_class,
        configs: args.configs.clone(),
        without_graphs: false,
    };
    let bar = progress_bar();
    let sources = args
        .files
        .iter()
        .map(|p| import_source(p, args.configs.as_deref()))
        .collect::<Result<Vec<_>, _>>()?;
    // Files whose bytes the store already holds are not read again.
    let mut outcomes: Vec<Option<ImportOutcome>> = vec![None; args.files.len()];
    if db.exists() {
        let store = Store::open(db)?;
        for (slot, source) in outcomes.iter_mut().zip(&sources) {
            *slot = store.find_import_as(source, args.format.name())?.map(ImportOutcome::AlreadyImported);
        }
    }
    // Every other file is read and checked before the store is written: a bad file leaves the
    // store untouched (and uncreated).
    let mut read: Vec<(usize, ImportBatch)> = Vec::new();
    for (i, path) in args.files.iter().enumerate() {
        if outcomes[i].is_some() {
            continue;
        }
        bar.set_message(format!("reading {} ({}/{})", path.display(), i + 1, args.files.len()));
        read.push((i, einf_dataset::import::read(args.format, path, &opts)?));
    }
    let mut store = Store::open(db)?;
    store.allow_extreme(args.allow_extreme);
    if !read.is_empty() {
        let items: Vec<(&ImportBatch, &ImportSource)> = read.iter().map(|(i, b)| (b, &sources[*i])).collect();
        bar.set_message(format!("writing {}", db.display()));
        if !bar.is_hidden() {
            bar.disable_steady_tick();
            bar.reset();
            bar.set_style(
                ProgressStyle::with_template(
                    "{msg} [{bar:30}] {human_pos}/{human_len} measurements, eta {eta}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
        }
        let written = store.import_all(&items, &mut |p| {
            bar.set_length(p.total);
            bar.set_position(p.done);
        });
        bar.finish_and_clear();
        for ((i, _), outcome) in read.iter().zip(written?) {
            outcomes[*i] = Some(outcome);
        }
    }
    bar.finish_and_clear();
    let outcomes: Vec<ImportOutcome> = outcomes.into_iter().flatten().collect();

    if args.json {
        let files =
            args.files.iter().zip(&outcomes).map(|(path, outcome)| FileOutcome { path, outcome }).collect();
        serde_json::to_writer_pretty(&mut *out, &ImportReport { schema: SCHEMA_IMPORT, db, files })?;
        writeln!(out)?;
        return Ok(());
    }
    for (path, outcome) in args.files.iter().zip(&outcomes) {
        match outcome {
            ImportOutcome::Imported(s) => writeln!(
                out,
                "{}: imported {} measurements as import {} ({} devices, {} new; {} kernels, {} new; {} models, {} new; \
                 {} model graphs, {} new)",
                path.display(),
                s.import.rows,
                s.import.id,
                s.devices,
                s.devices_new,
                s.kernels,
                s.kernels_new,
                s.models,
                s.models_new,
                s.graphs,
                s.graphs_new
            )?,
            ImportOutcome::AlreadyImported(i) => writeln!(
                out,
                "{}: already in the store as import {} ({}, {} measurements, {}): nothing added",
                path.display(),
                i.id,
                i.file,
                i.rows,
                i.imported_at
            )?,
        }
    }
    write_stats(out, db, "", &store.stats()?)?;
    Ok(())
}

/// The line `<db>: <status><counts>` of what the store at `db` holds.
fn write_stats(out: &mut dyn Write, db: &Path, status: &str, stats: &Stats) -> std::io::Result<()> {
    writeln!(
        out,
        "{}: {status}{} imports, {} devices, {} kernels, {} models, {} measurements, {} model graphs",
        db.display(),
        stats.imports,
        stats.devices,
        stats.kernels,
        stats.models,
        stats.measurements,
        stats.graphs
    )
}

// ---------------------------------------------------------------------------------------------
// devices, show
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Serialize)]
struct DevicesReport<'a> {
    schema: &'static str,
    db: &'a Path,
    devices: Vec<DeviceSummary>,
}

fn or_dash(s: &Option<String>) -> String {
    s.clone().unwrap_or_else(|| "-".into())
}

/// A table cell of at most `max` characters (`…` marks a cut).
fn clip(s: String, max: usize) -> String {
    if s.chars().count() <= max {
        return s;
    }
    let mut cut: String = s.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

fn devices(db: &Path, args: &DevicesArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let store = Store::open_existing(db)?;
    let devices = store.devices()?;
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &DevicesReport { schema: SCHEMA_DEVICES, db, devices })?;
        writeln!(out)?;
        return Ok(());
    }
    if devices.is_empty() {
        writeln!(out, "{}: no devices yet (einf dataset import ...)", db.display())?;
        return Ok(());
    }
    let mut t = Table::new(&[
        "#",
        "device",
        "class",
        "soc",
        "runtime",
        "precision",
        "measurements",
        "kernels",
        "models",
        "metrics",
    ]);
    for (i, d) in devices.iter().enumerate() {
        t.row(vec![
            (i + 1).to_string(),
            d.device.name.clone(),
            d.device.class.name().into(),
            clip(or_dash(&d.device.soc), 32),
            clip(or_dash(&d.device.runtime), 24),
            or_dash(&d.device.precision),
            d.measurements.to_string(),
            d.kernels.to_string(),
            d.models.to_string(),
            d.metrics.iter().map(|m| m.name()).collect::<Vec<_>>().join(","),
        ]);
    }
    t.write(out)?;
    Ok(())
}

#[derive(Debug, Serialize)]
struct ShowReport<'a> {
    schema: &'static str,
    db: &'a Path,
    #[serde(flatten)]
    report: &'a DeviceReport,
}

/// A value with 4 significant digits.
fn sig4(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return v.to_string();
    }
    let digits = 3 - v.abs().log10().floor() as i32;
    format!("{v:.*}", usize::try_from(digits.max(0)).unwrap_or(0))
}

/// The store's device `name` selects: itself, or the one device it is a prefix of.
fn store_device(store: &Store, name: &str) -> anyhow::Result<String> {
    let devices = store.devices()?;
    let names: Vec<&str> = devices.iter().map(|d| d.device.name.as_str()).collect();
    einf_predictor::names::resolve_prefix(name, &names)
        .map_err(|e| anyhow::anyhow!("{}: {e}", store.path().display()))
}

fn show(db: &Path, args: &ShowArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let store = Store::open_existing(db)?;
    let report = store.show(&store_device(&store, &args.device)?)?;
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &ShowReport { schema: SCHEMA_SHOW, db, report: &report })?;
        writeln!(out)?;
        return Ok(());
    }
    let d = &report.device;
    writeln!(
        out,
        "device {} ({}), soc {}, runtime {}, precision {}",
        d.device.name,
        d.device.class.name(),
        or_dash(&d.device.soc),
        or_dash(&d.device.runtime),
        or_dash(&d.device.precision)
    )?;
    if let Some(notes) = &d.device.notes {
        writeln!(out, "notes: {notes}")?;
    }
    // A model's kernels are known from a stored graph (its file or architecture split by the
    // parser, or the layers its source lists) or from kernels measured inside it on this device.
    writeln!(
        out,
        "{} measurements: {} distinct kernels, {} models measured whole ({} with their kernels)",
        d.measurements, d.kernels, d.models, report.models_linked
    )?;
    if !report.kernels.is_empty() {
        let rows = report.kernels.iter().map(|k| {
            let lead = vec![k.metric.name().into(), k.kind.clone()];
            summary_row(lead, k.unit, [k.measurements, k.kernels], [k.mean, k.min, k.max])
        });
        let header = ["metric", "kind", "unit", "measurements", "kernels", "mean", "min", "max"];
        section(out, "kernels", &header, rows)?;
    }
    if !report.models.is_empty() {
        let rows = report.models.iter().map(|m| {
            let lead = vec![m.metric.name().into()];
            summary_row(lead, m.unit, [m.measurements, m.models], [m.mean, m.min, m.max])
        });
        let header = ["metric", "unit", "measurements", "models", "mean", "min", "max"];
        section(out, "models", &header, rows)?;
    }
    let rows = report.imports.iter().map(|i| {
        vec![
            i.import.id.to_string(),
            i.import.file.clone(),
            i.import.format.clone(),
            i.import.imported_at.clone(),
            i.device_rows.to_string(),
            i.import.rows.to_string(),
            i.import.sha256.chars().take(12).collect(),
        ]
    });
    section(out, "imports", &["id", "file", "format", "imported", "rows here", "rows", "sha256"], rows)?;
    Ok(())
}

/// A row of a `show` summary table: the `lead` cells, the unit, the counts (measurements, then
/// distinct kernels or models) and the mean, min and max to 4 significant digits.
fn summary_row(mut lead: Vec<String>, unit: &str, counts: [u64; 2], values: [f64; 3]) -> Vec<String> {
    lead.push(unit.into());
    lead.extend(counts.map(|c| c.to_string()));
    lead.extend(values.map(sig4));
    lead
}

/// A section of `show`: a blank line, its title, then a table of `rows` under `header`.
fn section(
    out: &mut dyn Write,
    title: &str,
    header: &[&str],
    rows: impl Iterator<Item = Vec<String>>,
) -> std::io::Result<()> {
    writeln!(out, "\n{title}")?;
    let mut t = Table::new(header);
    for row in rows {
        t.row(row);
    }
    t.write(out)
}

// ---------------------------------------------------------------------------------------------
// export
// ---------------------------------------------------------------------------------------------

fn export(db: &Path, args: &ExportArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let store = Store::open_existing(db)?;
    let device = args.device.as_deref().map(|d| store_device(&store, d)).transpose()?;
    let opts = ExportOptions { format: args.format, device };
    match &args.output {
        None => match store.export(&opts, out) {
            // `einf dataset export ... | head` is not an error (main treats a broken pipe as success).
            Err(StoreError::Write(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => return Err(e.into()),
            other => {
                other?;
            }
        },
        Some(path) => {
            let mut file = std::fs::File::create(path).with_context(|| format!("{}", path.display()))?;
            store.export(&opts, &mut file).with_context(|| format!("{}", path.display()))?;
            file.sync_all().with_context(|| format!("{}", path.display()))?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// check
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Serialize)]
struct CheckReport<'a> {
    schema: &'static str,
    db: &'a Path,
    ok: bool,
    schema_version: u32,
    #[serde(flatten)]
    stats: Stats,
}

fn check(db: &Path, args: &CheckArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let store = Store::open_existing(db)?;
    // A damaged store is an error (non-zero exit) naming what is wrong.
    store.integrity_check()?;
    let stats = store.stats()?;
    if args.json {
        let report =
            CheckReport { schema: SCHEMA_CHECK, db, ok: true, schema_version: SCHEMA_VERSION, stats };
        serde_json::to_writer_pretty(&mut *out, &report)?;
        writeln!(out)?;
        return Ok(());
    }
    write_stats(out, db, &format!("ok (schema version {SCHEMA_VERSION}): "), &stats)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_significant_digits() {
        assert_eq!(sig4(1234.4), "1234");
        assert_eq!(sig4(0.012345), "0.01235");
        assert_eq!(sig4(12.0), "12.00");
        assert_eq!(sig4(123456.0), "123456");
    }
}
