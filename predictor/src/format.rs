//! The portable predictor file (`.einfp`), little-endian:
//!
//! ```text
//! magic      8 bytes  "EINFPRED"
//! version    u32      FORMAT_VERSION
//! header     u32 length + JSON: metadata (einf version, device, hyperparameters, feature set,
//!                     sha256 of the training data, calibration, evaluation summary) and one
//!                     entry per forest (kind, metric, family, feature names, samples, trees, nodes)
//! forests    per forest, nodes in pre-order, tree after tree: feature u8[nodes] (255 = leaf),
//!            then per node its threshold (inner, f64) or output (leaf, f32); the tree boundaries
//!            and right children follow from the pre-order and are rebuilt on load
//! checksum   32 bytes sha256 of everything before it
//! ```
//!
//! Writing is deterministic (the JSON has a fixed field order and round-trip floats), so the same
//! training gives the same bytes. Loading checks the magic, refuses newer versions, verifies the
//! checksum, bounds every read, validates every tree and checks each forest's feature names against
//! this build's definitions.

use crate::error::{PredictorError, Result};
use crate::features::Family;
use crate::forest::{FlatForest, LEAF};
use crate::forests::{ForestKey, Forests, KindForest};
use crate::predictor::{DevicePredictor, Meta};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::Path;

/// File magic.
pub const MAGIC: &[u8; 8] = b"EINFPRED";
/// The format version this build writes and the newest it reads.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct ForestHeader {
    key: ForestKey,
    family: Family,
    features: Vec<String>,
    samples: u32,
    trees: u32,
    nodes: u32,
}

#[derive(Serialize, Deserialize)]
struct Header {
    meta: Meta,
    forests: Vec<ForestHeader>,
}

/// Encode a predictor.
pub fn to_bytes(p: &DevicePredictor) -> Result<Vec<u8>> {
    let header = Header {
        meta: p.meta.clone(),
        forests: p
            .forests
            .list
            .iter()
            .map(|f| ForestHeader {
                key: f.key.clone(),
                family: f.family,
                features: f.features.clone(),
                samples: f.samples,
                trees: f.forest.n_trees() as u32,
                nodes: f.forest.n_nodes() as u32,
            })
            .collect(),
    };
    let json =
        serde_json::to_vec(&header).map_err(|e| PredictorError::TrainingData(format!("header: {e}")))?;
    let mut out = Vec::with_capacity(json.len() + 64);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(json.len() as u32).to_le_bytes());
    out.extend_from_slice(&json);
    for f in &p.forests.list {
        let ff = &f.forest;
        ff.feature.iter().for_each(|&v| out.push(if v == LEAF { DISK_LEAF } else { v as u8 }));
        for (&feat, &v) in ff.feature.iter().zip(&ff.value) {
            if feat == LEAF {
                out.extend_from_slice(&(v as f32).to_le_bytes());
            } else {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
    }
    let sum = Sha256::digest(&out);
    out.extend_from_slice(&sum);
    Ok(out)
}

/// Write a predictor file.
pub fn save(p: &DevicePredictor, path: &Path) -> Result<()> {
    let bytes = to_bytes(p)?;
    std::fs::write(path, bytes).map_err(|source| PredictorError::Io { path: path.to_path_buf(), source })
}

/// Read a predictor file.
pub fn load(path: &Path) -> Result<DevicePredictor> {
    let bytes =
        std::fs::read(path).map_err(|source| PredictorError::Io { path: path.to_path_buf(), source })?;
    from_bytes(&bytes, path)
}

struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> std::result::Result<&'a [u8], String> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.bytes.len()).ok_or_else(|| {
            format!(
                "truncated: {n} bytes needed at offset {}, {} left",
                self.pos,
                self.bytes.len() - self.pos
            )
        })?;
        let s = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn u32(&mut self) -> std::result::Result<u32, String> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn array4(&mut self) -> std::result::Result<[u8; 4], String> {
        let b = self.take(4)?;
        Ok([b[0], b[1], b[2], b[3]])
    }

    fn array8(&mut self) -> std::result::Result<[u8; 8], String> {
        let b = self.take(8)?;
        Ok([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
    }
}

/// `feature` byte of a leaf on disk.
const DISK_LEAF: u8 = u8::MAX;

/// Rebuild tree roots and right children from pre-order leaf flags: an inner node's right child
/// follows the end of its left subtree; a tree ends when every inner node has both children.
fn links(feature: &[u16]) -> std::result::Result<(Vec<u32>, Vec<u32>), String> {
    let mut roots = Vec::new();
    let mut right = vec![0u32; feature.len()];
    // Inner nodes whose left subtree (false) or both subtrees (true) are being read.
    let mut stack: Vec<(usize, bool)> = Vec::new();
    for (i, &f) in feature.iter().enumerate() {
        if stack.is_empty() {
            roots.push(i as u32);
        }
        if f != LEAF {
            stack.push((i, false));
            continue;
        }
        // A leaf completes subtrees: the nearest inner node still in its left subtree gets its
        // right child next.
        while let Some(top) = stack.last_mut() {
            if top.1 {
                stack.pop();
            } else {
                top.1 = true;
                right[top.0] = i as u32 + 1;
                break;
            }
        }
    }
    if !stack.is_empty() {
        return Err("the last tree is cut short".into());
    }
    Ok((roots, right))
}

/// Decode a predictor; `path` names the source in errors.
pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<DevicePredictor> {
    let corrupt = |reason: String| PredictorError::Corrupt { path: path.to_path_buf(), reason };
    if bytes.len() < MAGIC.len() + 4 || &bytes[..MAGIC.len()] != MAGIC {
        return Err(corrupt("not an einf predictor file (bad magic)".into()));
    }
    let mut c = Cursor { bytes, pos: MAGIC.len() };
    let version = c.u32().map_err(corrupt)?;
    if version > FORMAT_VERSION {
        return Err(PredictorError::NewerFormat {
            path: path.to_path_buf(),
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    if version == 0 {
        return Err(corrupt("format version 0".into()));
    }
    if bytes.len() < c.pos + 32 {
        return Err(corrupt(format!("truncated: {} bytes", bytes.len())));
    }
    let (body, sum) = bytes.split_at(bytes.len() - 32);
    if Sha256::digest(body).as_slice() != sum {
        return Err(corrupt("checksum mismatch: the file is corrupted or truncated".into()));
    }
    let mut c = Cursor { bytes: body, pos: c.pos };
    let len = c.u32().map_err(corrupt)? as usize;
    let json = c.take(len).map_err(corrupt)?;
    let header: Header = serde_json::from_slice(json).map_err(|e| corrupt(format!("header: {e}")))?;
    header.meta.params.validate().map_err(|e| corrupt(e.to_string()))?;
    let mut list = Vec::with_capacity(header.forests.len());
    for h in header.forests {
        let what = format!("forest {} {}", h.key.kind, h.key.metric.name());
        let want = h.family.names(header.meta.feature_set);
        if h.features.len() != want.len() || h.features.iter().zip(want).any(|(a, b)| a != b) {
            return Err(corrupt(format!(
                "{what}: its features ({}) differ from this einf's ({}); retrain the predictor",
                h.features.join(","),
                want.join(",")
            )));
        }
        let (t, n) = (h.trees as usize, h.nodes as usize);
        let feature: Vec<u16> = c
            .take(n)
            .map_err(corrupt)?
            .iter()
            .map(|&b| if b == DISK_LEAF { LEAF } else { b as u16 })
            .collect();
        let mut value = Vec::with_capacity(n);
        for &f in &feature {
            value.push(if f == LEAF {
                f32::from_le_bytes(c.array4().map_err(corrupt)?) as f64
            } else {
                f64::from_le_bytes(c.array8().map_err(corrupt)?)
            });
        }
        let (roots, right) = links(&feature).map_err(|e| corrupt(format!("{what}: {e}")))?;
        let forest = FlatForest { n_features: want.len() as u16, roots, feature, value, right };
        forest.validate().map_err(|e| corrupt(format!("{what}: {e}")))?;
        if forest.n_trees() != header.meta.params.n_trees as usize {
            return Err(corrupt(format!(
                "{what}: {} trees, hyperparameters say {}",
                t, header.meta.params.n_trees
            )));
        }
        list.push(KindForest {
            key: h.key,
            family: h.family,
            features: h.features,
            samples: h.samples,
            forest,
        });
    }
    if c.pos != body.len() {
        return Err(corrupt(format!("{} bytes after the last forest", body.len() - c.pos)));
    }
    if list.windows(2).any(|w| w[0].key >= w[1].key) {
        return Err(corrupt("forests are not sorted by kind and metric".into()));
    }
    let forests = Forests { params: header.meta.params.clone(), set: header.meta.feature_set, list };
    Ok(DevicePredictor { meta: header.meta, forests })
}
