//! Whole-model rows linked to their kernels: the generic CSV's `model_file` and `arch` columns,
//! and the architectures of HELP's tables. A linked model gets one graph per built-in parser
//! backend (`tflite-cpu`, `tflite-gpu`, `onnxruntime-cpu`, `tensorrt`): the costed kernels of its
//! network split with that backend's fusion rules, in execution order, the uncosted ones counted.
//!
//! - `model_file`: an ONNX (`.onnx`) or TFLite (`.tflite`) file, its path relative to the CSV's
//!   folder. Absolute paths are refused (a CSV and its models move together); `..` may climb out
//!   of the folder. Each distinct file is read and parsed once (`einf_parser::load_model`: its
//!   inputs must have fixed shapes); the row's model is that file: its `model_sha256` is the
//!   file's sha256, and a `model_sha256` given on the row must be it. A `model` name is required.
//! - `arch`: `SPACE:CANDIDATE`, SPACE one of `nb201`, `fbnet` (CIFAR-100 setting, HELP's),
//!   `fbnet-imagenet`, and CANDIDATE exactly as `einf nas --out` writes it in its `candidate`
//!   column: an NB201 arch string `|op~0|+|op~0|op~1|+|op~0|op~1|op~2|`, or the 22 FBNet block
//!   indices separated by single spaces. Or `zoo:NAME` with the optional suffixes `@wWIDTH`,
//!   `@rRESOLUTION`, `@vSEED`, in this order: the reference architecture as `einf arch export NAME
//!   --width WIDTH --resolution RESOLUTION --variant SEED` builds it (a variant: channels drawn
//!   within ±50 %, kernel sizes resampled). The model is `model`, or the arch text when `model`
//!   is empty. NAS-Bench-201 cells are split by einf-models' fast path, whose kernels are the
//!   parser's (`models/tests/space_fast.rs`); the other architectures are built and split.
//!
//! The text of a link is checked on its row; the architectures are built once each, in parallel,
//! after the last row (a file's 20,625 HELP architectures take a few seconds).

use super::error::ImportErrorKind;
use crate::batch::{GraphKernels, ModelGraph, ModelRecord};
use einf_models::ArchOptions;
use einf_models::Variant;
use einf_models::space::fbnet::{FbnetArch, Setting};
use einf_models::space::nb201::{Nb201Cell, Nb201Op};
use einf_models::space::{FbnetParts, Nb201Splitter};
use einf_parser::fusion::{Rules, fuse};
use einf_parser::kernel::{Kernel, KernelConfig, KernelKind};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::collections::hash_map::Entry;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// The generic CSV's link columns.
pub(crate) const COLUMNS: [&str; 2] = ["model_file", "arch"];

/// What `arch` accepts, for messages.
const ARCH_FORMS: &str = "nb201:<NB201 arch string>, fbnet:<22 block indices>, fbnet-imagenet:<22 block indices> \
                          or zoo:<name>[@w<width>][@r<resolution>][@v<seed>]";

type Res<T> = Result<T, ImportErrorKind>;

/// A backend's kernels of one model: indices into the linker's table, and the uncosted count.
type Split = (Vec<u32>, u32);

fn invalid(what: String) -> ImportErrorKind {
    ImportErrorKind::Invalid(what)
}

/// An architecture einf-models builds.
#[derive(Debug, Clone, PartialEq)]
enum Arch {
    Nb201(Nb201Cell),
    Fbnet(FbnetArch, Setting),
    Zoo(&'static str, ArchOptions),
}

/// Parse an `arch` cell (see the module documentation).
fn parse_arch(text: &str) -> Res<Arch> {
    let Some((space, candidate)) = text.split_once(':') else {
        return Err(invalid(format!("arch: '{text}' is not SPACE:CANDIDATE ({ARCH_FORMS})")));
    };
    // A candidate is accepted in the spelling `einf nas --out` writes, so that one architecture
    // is one model name.
    let canonical = |written: String| -> Res<()> {
        if written == candidate {
            Ok(())
        } else {
            Err(invalid(format!(
                "arch: '{text}' is not written as einf nas --out writes the candidate: '{space}:{written}'"
            )))
        }
    };
    let malformed = |e: einf_models::ModelsError| {
        invalid(format!("arch: malformed {space} candidate '{candidate}': {e}"))
    };
    match space {
        "nb201" => {
            let cell = Nb201Cell::parse(candidate).map_err(malformed)?;
            canonical(cell.to_string())?;
            Ok(Arch::Nb201(cell))
        }
        "fbnet" | "fbnet-imagenet" => {
            let a = FbnetArch::parse(candidate).map_err(malformed)?;
            canonical(a.to_string())?;
            let setting = if space == "fbnet" { Setting::Cifar100 } else { Setting::ImageNet };
            Ok(Arch::Fbnet(a, setting))
        }
        "zoo" => parse_zoo(candidate),
        _ => Err(invalid(format!("arch: unknown space '{space}' in '{text}' (arch is {ARCH_FORMS})"))),
    }
}

/// `NAME[@wWIDTH][@rRESOLUTION][@vSEED]`.
fn parse_zoo(text: &str) -> Res<Arch> {
    let mut parts = text.split('@');
    let name = parts.next().unwrap_or("");
    let info = einf_models::arch::find(name).map_err(|e| invalid(format!("arch: zoo: {e}")))?;
    let mut opts = ArchOptions::default();
    let mut last = 0;
    for p in parts {
        let bad = |what: &str| invalid(format!("arch: zoo:{text}: '@{p}' {what}"));
        let order = match p.chars().next() {
            Some('w') => 1,
            Some('r') => 2,
            Some('v') => 3,
            _ => return Err(bad("is not @w<width>, @r<resolution> or @v<seed>")),
        };
        if order <= last {
            return Err(bad("is out of order or repeated (the suffixes are @w, @r, @v, in this order)"));
        }
        last = order;
        let value = p.get(1..).unwrap_or("");
        match order {
            1 => opts.width = value.parse().map_err(|_| bad("does not give a width (a number)"))?,
            2 => {
                opts.resolution =
                    Some(value.parse().map_err(|_| bad("does not give a resolution in pixels"))?)
            }
            _ => opts.variant = Some(Variant::new(value.parse().map_err(|_| bad("does not give a seed"))?)),
        }
    }
    opts.validate().map_err(|e| invalid(format!("arch: zoo:{text}: {e}")))?;
    Ok(Arch::Zoo(info.name, opts))
}

/// What a linked model is: the same for every row of one model.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum LinkKey {
    /// A model file, by its sha256.
    File(String),
    /// An architecture, by its text.
    Arch(String),
}

/// A parsed model file (its kernels are in [`Linker::graphs`]).
struct FileLink {
    sha256: String,
}

/// Links of whole-model rows to their kernels, collected row by row; [`Linker::finish`] builds
/// the architectures and gives every linked model's graphs.
pub(crate) struct Linker {
    dir: PathBuf,
    backends: Vec<(&'static str, Rules)>,
    table: Vec<(KernelKind, KernelConfig)>,
    index: FxHashMap<(KernelKind, KernelConfig), u32>,
    /// Model files by their cell text.
    files: FxHashMap<String, Arc<FileLink>>,
    /// Kernels per backend of each model file (by sha256) and built architecture (by text).
    graphs: FxHashMap<LinkKey, Arc<Vec<Split>>>,
    /// Architectures to build: text, parsed, first line.
    pending: Vec<(String, Arch, usize)>,
    /// Linked models in first-seen order, with their link and first line.
    models: Vec<(ModelRecord, LinkKey, usize)>,
    model_index: FxHashMap<(String, Option<String>), usize>,
}

impl Linker {
    /// A linker for a file in the folder `dir` (model files are relative to it).
    pub(crate) fn new(dir: &Path) -> Res<Linker> {
        let backends = Rules::builtin_names()
            .into_iter()
            .map(|name| {
                Ok((name, Rules::builtin(name).map_err(|e| invalid(format!("backend {name}: {e}")))?))
            })
            .collect::<Res<Vec<_>>>()?;
        Ok(Linker {
            dir: dir.to_path_buf(),
            backends,
            table: Vec::new(),
            index: FxHashMap::default(),
            files: FxHashMap::default(),
            graphs: FxHashMap::default(),
            pending: Vec::new(),
            models: Vec::new(),
            model_index: FxHashMap::default(),
        })
    }

    /// A generic CSV row's `model_file` and `arch` cells (empty: not given) with its `model` and
    /// `model_sha256`: the model it measures (name and file hash), linked. A kernel row may give
    /// neither.
    pub(crate) fn row(
        &mut self,
        kernel_row: bool,
        file: &str,
        arch: &str,
        model: Option<String>,
        sha: Option<&str>,
        line: usize,
    ) -> Res<(Option<String>, Option<String>)> {
        if kernel_row {
            for (column, cell) in COLUMNS.into_iter().zip([file, arch]) {
                if !cell.is_empty() {
                    return Err(invalid(format!(
                        "{column} on a kernel row: only a whole-model row (empty kind) links to its model"
                    )));
                }
            }
            return Ok((model, sha.map(str::to_string)));
        }
        match (file, arch) {
            ("", "") => Ok((model, sha.map(str::to_string))),
            (_, "") => {
                let Some(name) = model else {
                    return Err(invalid(format!("model_file '{file}' on a row without a model name")));
                };
                let link = self.file(file)?;
                if let Some(given) = sha
                    && !given.eq_ignore_ascii_case(&link.sha256)
                {
                    return Err(invalid(format!(
                        "model_sha256 {given} is not the sha256 of model_file '{file}' ({})",
                        link.sha256
                    )));
                }
                let record = ModelRecord { name, file_sha256: Some(link.sha256.clone()) };
                self.attach(record, LinkKey::File(link.sha256.clone()), line)
            }
            ("", _) => {
                self.arch(arch, line)?;
                let record = ModelRecord {
                    name: model.unwrap_or_else(|| arch.to_string()),
                    file_sha256: sha.map(str::to_string),
                };
                self.attach(record, LinkKey::Arch(arch.to_string()), line)
            }
            _ => Err(invalid(
                "model_file and arch on one row: a model is a file or a built architecture".into(),
            )),
        }
    }

    /// Link `model` (of a HELP row) to the architecture `arch`.
    pub(crate) fn link_arch(&mut self, model: ModelRecord, arch: &str, line: usize) -> Res<()> {
        self.arch(arch, line)?;
        self.attach(model, LinkKey::Arch(arch.to_string()), line).map(|_| ())
    }

    /// Record that `model` is `key`; the same model may not be something else on another row.
    fn attach(
        &mut self,
        model: ModelRecord,
        key: LinkKey,
        line: usize,
    ) -> Res<(Option<String>, Option<String>)> {
        let id = (model.name.clone(), model.file_sha256.clone());
        if let Some(&i) = self.model_index.get(&id) {
            if let Some((_, first, first_line)) = self.models.get(i)
                && *first != key
            {
                return Err(invalid(format!(
                    "model '{}' is {} here and {} on line {first_line}",
                    model.name,
                    describe(&key),
                    describe(first)
                )));
            }
        } else {
            self.model_index.insert(id, self.models.len());
            self.models.push((model.clone(), key, line));
        }
        Ok((Some(model.name), model.file_sha256))
    }

    /// The model file `rel`, read and split on its first use.
    fn file(&mut self, rel: &str) -> Res<Arc<FileLink>> {
        if let Some(f) = self.files.get(rel) {
            return Ok(Arc::clone(f));
        }
        let path = Path::new(rel);
        if path.is_absolute()
            || path.components().any(|c| matches!(c, Component::RootDir | Component::Prefix(_)))
        {
            return Err(invalid(format!(
                "model_file '{rel}' is an absolute path: give it relative to the CSV's folder"
            )));
        }
        let full = self.dir.join(path);
        let bad = |e: &dyn std::fmt::Display| invalid(format!("model_file '{rel}': {e}"));
        let sha256 = crate::store::sha256_file(&full).map_err(|e| bad(&e))?;
        let graph = einf_parser::load_model(&full, &[]).map_err(|e| bad(&e))?;
        let split = self
            .backends
            .iter()
            .map(|(name, rules)| fuse(&graph, rules).map_err(|e| bad(&format!("splitting for {name}: {e}"))))
            .collect::<Res<Vec<_>>>()?;
        let graphs: Vec<Split> = split.into_iter().map(|k| self.intern(k)).collect();
        self.graphs.insert(LinkKey::File(sha256.clone()), Arc::new(graphs));
        let link = Arc::new(FileLink { sha256 });
        self.files.insert(rel.to_string(), Arc::clone(&link));
        Ok(link)
    }

    /// Check the architecture `text`, to be built by [`Linker::finish`].
    fn arch(&mut self, text: &str, line: usize) -> Res<()> {
        let key = LinkKey::Arch(text.to_string());
        if self.graphs.contains_key(&key) {
            return Ok(());
        }
        let arch = parse_arch(text)?;
        self.graphs.insert(key, Arc::new(Vec::new()));
        self.pending.push((text.to_string(), arch, line));
        Ok(())
    }

    /// The table index of `k`, `None` when it is not costed.
    fn intern_one(&mut self, k: Kernel) -> Option<u32> {
        let costed = k.is_costed();
        let config = k.config.filter(|_| costed)?;
        let key = (k.kind, config);
        if let Some(&i) = self.index.get(&key) {
            return Some(i);
        }
        let i = u32::try_from(self.table.len()).unwrap_or(u32::MAX - 2);
        self.table.push(key.clone());
        self.index.insert(key, i);
        Some(i)
    }

    /// The costed kernels of `kernels` as indices into the table, and the uncosted count.
    fn intern(&mut self, kernels: Vec<Kernel>) -> Split {
        let mut out = Vec::with_capacity(kernels.len());
        let mut uncosted = 0u32;
        for k in kernels {
            match self.intern_one(k) {
                Some(i) => out.push(i),
                None => uncosted += 1,
            }
        }
        (out, uncosted)
    }

    /// Build the architectures (a chunk at a time, in parallel) and give every linked model's
    /// graphs, models in first-seen order, backends in built-in order. An architecture that
    /// cannot be built is an error at its first line.
    pub(crate) fn finish(mut self) -> Result<Vec<ModelGraph>, (usize, ImportErrorKind)> {
        let mut pending = std::mem::take(&mut self.pending);
        // NAS-Bench-201 cells with the same live edges are the same network (the others are left
        // out of it): each network is split once.
        let mut first_of: FxHashMap<Vec<(usize, usize, Nb201Op)>, String> = FxHashMap::default();
        let mut same: Vec<(String, String)> = Vec::new();
        pending.retain(|(text, arch, _)| {
            let Arch::Nb201(cell) = arch else { return true };
            match first_of.entry(cell.live_edges()) {
                Entry::Occupied(first) => {
                    same.push((text.clone(), first.get().clone()));
                    false
                }
                Entry::Vacant(slot) => {
                    slot.insert(text.clone());
                    true
                }
            }
        });
        let mut fast = FastPaths::default();
        for chunk in pending.chunks(1024) {
            if chunk.iter().any(|(_, a, _)| matches!(a, Arch::Nb201(_))) && fast.nb201.is_none() {
                fast.nb201 = Some(self.nb201_splitters().map_err(|e| (chunk[0].2, e))?);
            }
            let splitters = fast.nb201.as_ref().map(|(s, _)| s.as_slice());
            let built: Vec<Result<Built, (usize, ImportErrorKind)>> = chunk
                .par_iter()
                .map(|(text, arch, line)| {
                    build(arch, splitters, &self.backends)
                        .map_err(|e| (*line, invalid(format!("arch: cannot build '{text}': {e}"))))
                })
                .collect();
            for ((text, arch, line), b) in chunk.iter().zip(built) {
                let graphs = match (b?, arch) {
                    (Built::Kernels(per_backend), _) => {
                        per_backend.into_iter().map(|k| self.intern(k)).collect()
                    }
                    (Built::Nb201Ids(per_backend), _) => self.map_nb201(&mut fast, per_backend),
                    (Built::Later, Arch::Fbnet(a, setting)) => {
                        self.fbnet(&mut fast, a, *setting).map_err(|e| (*line, e))?
                    }
                    (Built::Later, _) => Vec::new(),
                };
                self.graphs.insert(LinkKey::Arch(text.clone()), Arc::new(graphs));
            }
        }
        for (text, first) in same {
            let graphs = self.graphs.get(&LinkKey::Arch(first)).cloned().unwrap_or_default();
            self.graphs.insert(LinkKey::Arch(text), graphs);
        }
        let table = Arc::new(std::mem::take(&mut self.table));
        let names: Vec<&str> = self.backends.iter().map(|(n, _)| *n).collect();
        let mut out = Vec::with_capacity(self.models.len() * names.len());
        for (model, key, line) in self.models {
            let graphs = self.graphs.get(&key).cloned().unwrap_or_default();
            let arch = match &key {
                LinkKey::Arch(a) => Some(a.clone()),
                LinkKey::File(_) => None,
            };
            for (backend, (index, uncosted)) in names.iter().zip(graphs.iter()) {
                let kernels = GraphKernels::new(Arc::clone(&table), index.clone())
                    .ok_or_else(|| (line, invalid("a graph names a kernel its table lacks".into())))?;
                out.push(ModelGraph {
                    model: model.clone(),
                    backend: Some((*backend).to_string()),
                    kernels,
                    uncosted: *uncosted,
                    arch: arch.clone(),
                });
            }
        }
        Ok(out)
    }

    /// One NAS-Bench-201 splitter per backend.
    fn nb201_splitters(&self) -> Res<(Vec<Nb201Splitter>, Vec<Vec<u32>>)> {
        let splitters = self
            .backends
            .iter()
            .map(|(_, rules)| Nb201Splitter::new(rules.clone()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| invalid(format!("arch: the NAS-Bench-201 parts: {e}")))?;
        let maps = vec![Vec::new(); splitters.len()];
        Ok((splitters, maps))
    }

    /// A cell's kernel ids per backend (of the splitters in `fast`) as table indices.
    fn map_nb201(&mut self, fast: &mut FastPaths, per_backend: Vec<Vec<u32>>) -> Vec<Split> {
        let Some((splitters, maps)) = fast.nb201.as_mut() else { return Vec::new() };
        let mut out = Vec::with_capacity(per_backend.len());
        for ((ids, splitter), map) in per_backend.into_iter().zip(splitters.iter()).zip(maps.iter_mut()) {
            let mut index = Vec::with_capacity(ids.len());
            let mut uncosted = 0;
            for id in ids {
                let slot = id as usize;
                if map.len() <= slot {
                    map.resize(slot + 1, UNMAPPED);
                }
                if map[slot] == UNMAPPED {
                    map[slot] = match splitter.kernel(id) {
                        Some(k) => self.intern_one(k).unwrap_or(UNCOSTED),
                        None => UNCOSTED,
                    };
                }
                match map[slot] {
                    UNCOSTED => uncosted += 1,
                    i => index.push(i),
                }
            }
            out.push((index, uncosted));
        }
        out
    }

    /// An FBNet network's kernels per backend, from the pieces of its blocks.
    fn fbnet(&mut self, fast: &mut FastPaths, arch: &FbnetArch, setting: Setting) -> Res<Vec<Split>> {
        let at = usize::from(setting == Setting::ImageNet);
        if fast.fbnet[at].is_none() {
            let mut per_backend = Vec::with_capacity(self.backends.len());
            for (name, rules) in &self.backends {
                let parts = FbnetParts::new(setting, rules)
                    .map_err(|e| invalid(format!("arch: the FBNet parts for {name}: {e}")))?;
                per_backend.push(parts);
            }
            let pieces = per_backend
                .iter()
                .map(|parts| {
                    parts.pieces().to_vec().into_iter().map(|p| self.intern(p)).collect::<Vec<Split>>()
                })
                .collect::<Vec<_>>();
            fast.fbnet[at] = Some(per_backend.into_iter().zip(pieces).collect());
        }
        let Some(backends) = fast.fbnet[at].as_ref() else { return Ok(Vec::new()) };
        Ok(backends
            .iter()
            .map(|(parts, pieces)| {
                let mut index = Vec::new();
                let mut uncosted = 0;
                for p in parts.piece_ids(arch) {
                    if let Some((ks, u)) = pieces.get(p) {
                        index.extend_from_slice(ks);
                        uncosted += u;
                    }
                }
                (index, uncosted)
            })
            .collect())
    }
}

/// A splitter's kernel id not looked up yet.
const UNMAPPED: u32 = u32::MAX;
/// A splitter's kernel id of an uncosted kernel.
const UNCOSTED: u32 = u32::MAX - 1;

/// The fast paths of the built-in spaces, made on first use: NAS-Bench-201 splitters per backend
/// with their ids' table indices, FBNet pieces per setting (CIFAR-100, ImageNet) and backend
/// with their kernels' table indices.
#[derive(Default)]
struct FastPaths {
    nb201: Option<(Vec<Nb201Splitter>, Vec<Vec<u32>>)>,
    fbnet: [Option<Vec<FbnetPieces>>; 2],
}

/// One backend's FBNet pieces and each piece's kernels as table indices.
type FbnetPieces = (FbnetParts, Vec<Split>);

/// What building an architecture gives, per backend.
enum Built {
    /// Kernels of a built graph.
    Kernels(Vec<Vec<Kernel>>),
    /// Kernel ids of the NAS-Bench-201 splitters.
    Nb201Ids(Vec<Vec<u32>>),
    /// Made from the FBNet pieces afterwards.
    Later,
}

/// `model_file with sha256 ...` / `arch ...`, for messages.
fn describe(key: &LinkKey) -> String {
    match key {
        LinkKey::File(sha) => format!("the model file of sha256 {sha}"),
        LinkKey::Arch(a) => format!("arch {a}"),
    }
}

/// Build `arch` for each backend: NAS-Bench-201 cells through `nb201` (one splitter per backend),
/// FBNet networks later from their pieces, the others built and split.
fn build(
    arch: &Arch,
    nb201: Option<&[Nb201Splitter]>,
    backends: &[(&'static str, Rules)],
) -> Result<Built, String> {
    let graph = match arch {
        Arch::Nb201(cell) => {
            let splitters = nb201.ok_or("the NAS-Bench-201 splitters are missing")?;
            let ids: Result<Vec<Vec<u32>>, String> =
                splitters.iter().map(|s| s.kernel_ids(cell).map_err(|e| e.to_string())).collect();
            return ids.map(Built::Nb201Ids);
        }
        Arch::Fbnet(..) => return Ok(Built::Later),
        Arch::Zoo(name, opts) => einf_models::arch::build(name, opts).map_err(|e| e.to_string())?,
    };
    let kernels: Result<Vec<Vec<Kernel>>, String> =
        backends.iter().map(|(_, r)| fuse(&graph, r).map_err(|e| e.to_string())).collect();
    kernels.map(Built::Kernels)
}

#[cfg(test)]
mod tests {
    use super::*;
    use einf_models::space::Space;

    /// The spaces `arch` names are einf nas's.
    #[test]
    fn the_arch_spaces_are_einf_nas_spaces() {
        for space in ["nb201", "fbnet", "fbnet-imagenet"] {
            assert_eq!(Space::named(space).map(|s| s.name()).ok().as_deref(), Some(space));
        }
    }

    #[test]
    fn arch_texts_are_parsed_or_refused_naming_what_is_allowed() {
        let cell =
            "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|";
        assert!(matches!(parse_arch(&format!("nb201:{cell}")), Ok(Arch::Nb201(_))));
        let blocks = "7 8 1 8 4 8 8 8 7 4 1 4 7 3 2 7 3 2 4 2 4 5";
        assert!(matches!(
            parse_arch(&format!("fbnet-imagenet:{blocks}")),
            Ok(Arch::Fbnet(_, Setting::ImageNet))
        ));
        match parse_arch("zoo:mobilenet_v2@w0.5@r160@v3") {
            Ok(Arch::Zoo("mobilenet_v2", o)) => {
                assert_eq!((o.width, o.resolution, o.variant.map(|v| v.seed)), (0.5, Some(160), Some(3)));
            }
            other => panic!("{other:?}"),
        }
        let e = |t: &str| parse_arch(t).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e("darts:x").contains("unknown space 'darts'") && e("darts:x").contains("zoo:<name>"));
        assert!(e("nb201").contains("is not SPACE:CANDIDATE"));
        assert!(e("nb201:|none~0|").contains("malformed nb201 candidate"));
        let commas = format!("fbnet:{}", blocks.replace(' ', ","));
        assert!(e(&commas).contains(&format!("'fbnet:{blocks}'")), "{}", e(&commas));
        assert!(e("zoo:resnet9000").contains("unknown architecture 'resnet9000'"));
        assert!(e("zoo:resnet18@r224@w0.5").contains("out of order"));
        assert!(e("zoo:resnet18@x1").contains("is not @w<width>"));
        assert!(e("zoo:resnet18@w9").contains("width"));
    }
}
