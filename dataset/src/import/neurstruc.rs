//! `neurstruc`: the NeurstrucEnergy text files (NEUSoftGreenAI, MIT): single conv2d layers and
//! whole CNNs measured on one CUDA board with an external power meter.
//!
//! Both kinds of file are space-separated with a header line; the reader tells them apart by it.
//!
//! # `conv2d*.txt` (one layer per line)
//! `data mean_power time forward_num energy silence_energy all_energy`, where `data` is 19
//! comma-separated numbers: the input size `N,Cin,H,W`, the output size `N,Cout,Hout,Wout`, then
//! `in_channels, out_channels, kh, kw, sh, sw, ph, pw, dil_h, dil_w, groups` of the
//! `torch.nn.Conv2d` (data/conv2d_energy_profiling.py upstream). The meter code (data/Monitor.py)
//! reads power in **W** and integrates over `time.time()` seconds, so `mean_power` is W, `time` is
//! the measuring window in **s**, and the energies are **J per forward pass**: `all_energy` the
//! total, `silence_energy` the idle share (idle power × window / forwards), `energy` = all − idle.
//! The reader checks `energy + silence_energy = all_energy` (the columns are what they are said to
//! be) and the PyTorch output-size formula, and stores per layer:
//! - energy: `energy` (J → mJ), the dynamic energy with the idle share removed, as DeepEn2023
//!   baselines it;
//! - latency: `time / forward_num` (s → ms), the window divided by the forward passes counted in
//!   it (each pass synchronised with `torch.cuda.synchronize()`).
//!
//! `mean_power` (whole-board average including idle) and the idle share are not stored.
//!
//! The kernel: `conv-bn` (groups 1), `dwconv-bn` (groups = Cin) or `groupconv-bn`: a bare
//! convolution with bias, named as the parser names it (convolution kinds always carry `bn`);
//! symmetric padding `[ph, pw, ph, pw]`, dtype f32. A configuration measured more than once in one
//! file is a repeated run (run = 1, 2, ... in file order); an identical line twice is a duplicate.
//! Lines of seven zeros are the profiling script's marker for a failed measurement: skipped, and
//! listed in the provenance. So are lines whose recorded output size is not what a convolution of
//! the listed parameters gives (three lines of `conv2d_PreVIousNet.txt`, e.g. 7×7 → 12×12 with a
//! 3×3 stride-1 unpadded kernel): which number is wrong cannot be known, so what was measured is
//! not known either.
//!
//! # `*_testset_<n>.txt` (one CNN per line)
//! `name layer_parameters layer_link layer_id all_energy`: whole-model energy in **J per
//! inference** (`all_energy`, the total including the idle share: these files do not give it
//! separately). Stored as the model's energy (mJ) with run = `<n>` from the file name: the three
//! files are three repetitions of the same measurement, not duplicates. (`custom_testset_<n>`
//! repeats five models of `random_testset_<n>` with the same values.) Each model comes with its
//! graph as the source lists it (backend none): its `Conv2d` layers in order, as kernels named
//! as the `conv2d*.txt` layers are (`layer_parameters` and `layer_id`, read in
//! `neurstruc_layers.rs`); its other layers are not kernels there.
//!
//! # Device
//! The files do not name the board. Device `neurstrucenergy-cuda` (or `ReadOptions::device`):
//! class gpu, runtime `pytorch-cuda`, precision fp32; the code's pwm-fan control and ~3-5 W mean
//! power suggest a Jetson-class board (not verified).

use super::ReadOptions;
use super::common::{Devices, count, measurement, number, positive, provenance, read_text, whole};
use super::error::{ImportError, ImportErrorKind};
use super::units::Unit;
use crate::batch::{
    Device, DeviceClass, GraphKernels, ImportBatch, KernelRecord, Measurement, Metric, ModelGraph,
    ModelRecord, Subject,
};
use einf_parser::kernel::{KernelConfig, KernelKind, Role};
use std::collections::HashMap;
use std::path::Path;

/// Format name.
pub const FORMAT: &str = "neurstruc";

/// Default device name (the source does not name the board).
pub const DEFAULT_DEVICE: &str = "neurstrucenergy-cuda";

const LAYER_HEADER: [&str; 7] =
    ["data", "mean_power", "time", "forward_num", "energy", "silence_energy", "all_energy"];
const MODEL_HEADER: [&str; 5] = ["name", "layer_parameters", "layer_link", "layer_id", "all_energy"];

fn device(opts: &ReadOptions) -> Device {
    Device {
        name: opts.device.clone().unwrap_or_else(|| DEFAULT_DEVICE.to_string()),
        class: DeviceClass::Gpu,
        soc: None,
        runtime: Some("pytorch-cuda".into()),
        precision: Some("fp32".into()),
        notes: Some(
            "NeurstrucEnergy board (not named by the source; pwm-fan control and ~3-5 W suggest a Jetson-class \
             board). Layer energies (conv2d*.txt) are net of idle power; model energies (*_testset_*.txt) are totals \
             including the idle share."
                .into(),
        ),
    }
}

/// Read a NeurstrucEnergy file.
pub fn read(path: &Path, opts: &ReadOptions) -> Result<ImportBatch, ImportError> {
    let text = read_text(path)?;
    let err = |line: usize, kind| ImportError::new(path, line, kind);
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
    let Some((_, header)) = lines.next() else {
        return Err(err(0, ImportErrorKind::Truncated("empty file: no header line".into())));
    };
    let header: Vec<&str> = header.split_ascii_whitespace().collect();
    let dev = device(opts);
    let mut devices = Devices::default();
    devices.add(dev.clone());
    let read_body: fn(&Body) -> Result<Parsed, ImportError> = if header == LAYER_HEADER {
        layers
    } else if header == MODEL_HEADER {
        models
    } else {
        return Err(err(
            1,
            ImportErrorKind::WrongFile(format!(
                "not a NeurstrucEnergy file: the header must be '{}' or '{}'",
                LAYER_HEADER.join(" "),
                MODEL_HEADER.join(" ")
            )),
        ));
    };
    let Parsed { measurements, notes, mut graphs } = read_body(&Body::new(path, lines, &dev.name)?)?;
    if opts.without_graphs {
        graphs.clear();
    }
    Ok(ImportBatch {
        format: FORMAT.into(),
        devices: devices.into_vec(),
        measurements,
        provenance: provenance(FORMAT, path, &notes),
        graphs,
    })
}

/// What a file gives: measurements, the provenance notes on how they were read, model graphs.
struct Parsed {
    measurements: Vec<Measurement>,
    notes: String,
    graphs: Vec<ModelGraph>,
}

/// A file's lines after its header, with what reading either kind of file needs.
struct Body<'a, 'p> {
    path: &'p Path,
    /// The device measured.
    device: &'p str,
    /// The non-blank lines, each with its 1-based line number.
    lines: Vec<(usize, &'a str)>,
    /// J, the unit of every energy column.
    joules: Unit,
}

impl<'a, 'p> Body<'a, 'p> {
    fn new(
        path: &'p Path,
        lines: impl Iterator<Item = (usize, &'a str)>,
        device: &'p str,
    ) -> Result<Body<'a, 'p>, ImportError> {
        let lines = lines.filter(|(_, l)| !l.trim().is_empty()).collect();
        Ok(Body { path, device, lines, joules: unit(path, Metric::Energy, "J")? })
    }

    /// An error at `line` of the file.
    fn err(&self, line: usize, kind: ImportErrorKind) -> ImportError {
        ImportError::new(self.path, line, kind)
    }

    /// The lines in file order, each as its line number, its text and its `expected` fields; a line
    /// with another number of fields is an error (flagged as truncated when it is the last line
    /// and shorter).
    fn records(
        &self,
        expected: usize,
    ) -> impl ExactSizeIterator<Item = Result<(usize, &'a str, Vec<&'a str>), ImportError>> {
        let n = self.lines.len();
        self.lines.iter().enumerate().map(move |(k, &(line, text))| {
            let f = fields(text, expected, k + 1 == n).map_err(|e| self.err(line, e))?;
            Ok((line, text, f))
        })
    }
}

fn fields(line: &str, expected: usize, is_last: bool) -> Result<Vec<&str>, ImportErrorKind> {
    let f: Vec<&str> = line.split_ascii_whitespace().collect();
    if f.len() != expected {
        return Err(ImportErrorKind::ColumnCount {
            expected,
            found: f.len(),
            truncated: is_last && f.len() < expected,
        });
    }
    Ok(f)
}

fn layers(body: &Body) -> Result<Parsed, ImportError> {
    let seconds = unit(body.path, Metric::Latency, "s")?;
    let records = body.records(7);
    let mut skipped = Vec::new();
    let mut inconsistent = Vec::new();
    let mut parsed = Vec::with_capacity(records.len());
    let mut exact: HashMap<&str, usize> = HashMap::new();
    for record in records {
        let (line, text, f) = record?;
        if f.iter().all(|x| *x == "0") {
            skipped.push(line);
            continue;
        }
        if let Some(first) = exact.insert(text.trim(), line) {
            return Err(body.err(line, ImportErrorKind::Duplicate { key: "line".into(), first_line: first }));
        }
        match layer(&f, body.joules, seconds).map_err(|e| body.err(line, e))? {
            Layer::Measured(record, energy, latency) => parsed.push((line, (*record, energy, latency))),
            Layer::Inconsistent(why) => inconsistent.push(format!("line {line}: {why}")),
        }
    }
    // Repeated configurations are runs 1, 2, ... in file order.
    let mut occurrences: HashMap<(KernelKind, einf_parser::kernel::KernelConfig), u32> = HashMap::new();
    for (_, (record, _, _)) in &parsed {
        *occurrences.entry((record.kind.clone(), record.config.clone())).or_default() += 1;
    }
    let mut run_of: HashMap<(KernelKind, einf_parser::kernel::KernelConfig), u32> = HashMap::new();
    let mut out = Vec::with_capacity(2 * parsed.len());
    for (line, (record, energy, latency)) in parsed {
        let key = (record.kind.clone(), record.config.clone());
        let run = if occurrences.get(&key).copied().unwrap_or(0) > 1 {
            let r = run_of.entry(key).or_default();
            *r += 1;
            Some(*r)
        } else {
            None
        };
        for (metric, value) in [(Metric::Energy, energy), (Metric::Latency, latency)] {
            let mut m = measurement(body.device, Subject::Kernel(record.clone()), metric, value, line);
            m.run = run;
            out.push(m);
        }
    }
    let mut notes = String::from(
        "NeurstrucEnergy conv2d layers: energy = 'energy' column (J per forward, idle share removed) -> mJ; latency = \
         time / forward_num (s) -> ms; mean_power and silence_energy not stored; kind conv-bn / dwconv-bn / \
         groupconv-bn by groups; symmetric PyTorch padding; batch from the file; f32. Configurations measured more \
         than once are runs 1, 2, ...\n",
    );
    if !inconsistent.is_empty() {
        notes.push_str(&format!(
            "Skipped lines whose recorded output size no conv of the listed parameters gives (which number is wrong \
             cannot be known): {}\n",
            inconsistent.join("; ")
        ));
    }
    if !skipped.is_empty() {
        let list = skipped.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
        notes.push_str(&format!("Skipped failed-measurement marker lines (all zeros): {list}\n"));
    }
    Ok(Parsed { measurements: out, notes, graphs: Vec::new() })
}

fn unit(path: &Path, metric: Metric, symbol: &str) -> Result<Unit, ImportError> {
    Unit::for_metric(metric, symbol).map_err(|e| {
        ImportError::new(path, 0, ImportErrorKind::Unit { column: symbol.into(), reason: e.to_string() })
    })
}

/// What one conv2d line gives.
enum Layer {
    /// The kernel, its energy (mJ) and latency (ms).
    Measured(Box<KernelRecord>, f64, f64),
    /// Well-formed numbers, but the recorded output size is not what the conv parameters give.
    Inconsistent(String),
}

/// One conv2d line.
fn layer(f: &[&str], joules: Unit, seconds: Unit) -> Result<Layer, ImportErrorKind> {
    let data: Vec<&str> = f.first().copied().unwrap_or("").split(',').collect();
    if data.len() != 19 {
        return Err(ImportErrorKind::Invalid(format!(
            "data: {} comma-separated values where 19 are expected (input N,C,H,W; output N,C,H,W; in, out, kh, kw, \
             sh, sw, ph, pw, dh, dw, groups)",
            data.len()
        )));
    }
    let names = [
        "N",
        "Cin",
        "H",
        "W",
        "N_out",
        "Cout",
        "Hout",
        "Wout",
        "in_channels",
        "out_channels",
        "kh",
        "kw",
        "sh",
        "sw",
        "ph",
        "pw",
        "dil_h",
        "dil_w",
        "groups",
    ];
    let mut v = [0u64; 19];
    for ((slot, text), name) in v.iter_mut().zip(&data).zip(names) {
        *slot = whole(&format!("data {name}"), text)?;
    }
    let [n, cin, h, w, n2, cout, ho, wo, ic, oc, kh, kw, sh, sw, ph, pw, dh, dw, groups] = v;
    let zero = [("N", n), ("Cin", cin), ("H", h), ("W", w), ("Cout", cout), ("kh", kh), ("kw", kw)];
    let zero =
        zero.into_iter().chain([("sh", sh), ("sw", sw), ("dil_h", dh), ("dil_w", dw), ("groups", groups)]);
    for (name, x) in zero {
        if x == 0 {
            return Err(ImportErrorKind::Invalid(format!("data {name} is 0")));
        }
    }
    if n != n2 || ic != cin || oc != cout {
        return Err(ImportErrorKind::Invalid(format!(
            "data: the conv ({ic} -> {oc} channels, batch {n2}) does not match the input/output sizes ({cin} -> \
             {cout}, batch {n})"
        )));
    }
    if cin % groups != 0 || cout % groups != 0 {
        return Err(ImportErrorKind::Invalid(format!(
            "data: groups {groups} does not divide {cin} and {cout}"
        )));
    }
    let out_side =
        |i: u64, p: u64, k: u64, d: u64, s: u64| (i + 2 * p).checked_sub(d * (k - 1) + 1).map(|x| x / s + 1);
    let shape_error = (out_side(h, ph, kh, dh, sh) != Some(ho) || out_side(w, pw, kw, dw, sw) != Some(wo)).then(|| {
        format!(
            "output {ho}x{wo} is not what a {kh}x{kw} conv with stride {sh}x{sw}, padding {ph}x{pw}, dilation {dh}x{dw} \
             gives on {h}x{w}"
        )
    });
    let role = if groups == 1 {
        Role::Conv
    } else if groups == cin {
        Role::DwConv
    } else {
        Role::GroupConv
    };
    let mut c = KernelConfig::neutral();
    (c.batch, c.input_h, c.input_w, c.output_h, c.output_w, c.cin, c.cout) = (n, h, w, ho, wo, cin, cout);
    (c.kernel_h, c.kernel_w, c.stride_h, c.stride_w) = (kh, kw, sh, sw);
    c.pads = [ph, pw, ph, pw];
    (c.dilation_h, c.dilation_w, c.groups) = (dh, dw, groups);
    let record =
        KernelRecord { kind: KernelKind::from_roles(&[role]), config: c, source_id: None, model: None };

    let get = |i: usize| f.get(i).copied().unwrap_or("");
    positive("mean_power", get(1), "power")?;
    let time = positive("time", get(2), "latency")?;
    let forwards = count("forward_num", get(3))?;
    let energy = positive("energy", get(4), "energy")?;
    let silence = number("silence_energy", get(5))?;
    let all = positive("all_energy", get(6), "energy")?;
    if silence < 0.0 || (energy + silence - all).abs() > 1e-9 * all.max(1e-12) + 1e-15 {
        return Err(ImportErrorKind::Invalid(format!(
            "energy {energy} + silence_energy {silence} != all_energy {all}: the columns are not what this reader \
             takes them to be"
        )));
    }
    if let Some(why) = shape_error {
        return Ok(Layer::Inconsistent(why));
    }
    let latency = seconds.to_canonical(time / forwards as f64);
    Ok(Layer::Measured(Box::new(record), joules.to_canonical(energy), latency))
}

fn models(body: &Body) -> Result<Parsed, ImportError> {
    let run = run_from_name(body.path);
    let records = body.records(5);
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut out = Vec::with_capacity(records.len());
    let mut graphs = Vec::with_capacity(records.len());
    for record in records {
        let (line, _, f) = record?;
        let name = f.first().copied().unwrap_or("");
        if let Some(first) = seen.insert(name, line) {
            return Err(body.err(
                line,
                ImportErrorKind::Duplicate { key: format!("model '{name}'"), first_line: first },
            ));
        }
        let energy = positive("all_energy", f.get(4).copied().unwrap_or(""), "energy")
            .map_err(|e| body.err(line, e))?;
        let field = |i: usize| f.get(i).copied().unwrap_or("");
        let kernels =
            super::neurstruc_layers::conv_layers(field(1), field(3)).map_err(|e| body.err(line, e))?;
        let model = ModelRecord { name: name.to_string(), file_sha256: None };
        let kernels = GraphKernels::from_vec(kernels);
        graphs.push(ModelGraph { model: model.clone(), backend: None, kernels, uncosted: 0, arch: None });
        let subject = Subject::Model(model);
        let mut m = measurement(body.device, subject, Metric::Energy, body.joules.to_canonical(energy), line);
        m.run = run;
        out.push(m);
    }
    let notes = format!(
        "NeurstrucEnergy whole-CNN energies: all_energy (J per inference, total including the idle share) -> mJ; run \
         {} from the file name (the <n> of *_testset_<n>.txt). Each model's graph (backend none) is its Conv2d \
         layers in order (layer_parameters, layer_id), as kernels conv-bn / dwconv-bn / groupconv-bn from the \
         recorded input and output sizes; the other layers are not listed; layer_link is not stored.\n",
        run.map_or("unknown".to_string(), |r| r.to_string())
    );
    Ok(Parsed { measurements: out, notes, graphs })
}

/// `random_testset_2.txt` → 2.
fn run_from_name(path: &Path) -> Option<u32> {
    let stem = path.file_stem()?.to_str()?;
    let (_, n) = stem.rsplit_once('_')?;
    n.parse().ok()
}
