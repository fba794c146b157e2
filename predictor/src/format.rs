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
    std::fs::write(path, bytes).map_err(|error| PredictorError::Io { path: path.to_path_buf(), error })
}

/// Read a predictor file.
pub fn load(path: &Path) -> Result<DevicePredictor> {
    let bytes =
        std::fs::read(path).map_err(|error| PredictorError::Io { path: path.to_path_buf(), error })?;
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
}

/// `feature` byte of a leaf on disk.
const DISK_LEAF: u8 = u8::MAX;

/// Decode one forest's nodes from its feature bytes (`DISK_LEAF` for leaves) and its values (f32
/// per leaf, f64 per inner node, in node order), in one pass that also rebuilds the tree roots and
/// right children from the pre-order: an inner node's right child follows the end of its left
/// subtree; a tree ends when every inner node has both children. The result is valid by
/// construction (children inside their tree and after their parent, features in range, values
/// finite), which is what [`FlatForest::validate`] checks.
fn decode_forest(feat: &[u8], vals: &[u8], n_features: u16) -> std::result::Result<FlatForest, String> {
    let n = feat.len();
    if n >= u32::MAX as usize {
        return Err(format!("{n} nodes"));
    }
    let mut feature = Vec::with_capacity(n);
    let mut value = Vec::with_capacity(n);
    let mut right = vec![0u32; n];
    let mut roots = Vec::new();
    // Inner nodes whose left subtree is being read (high bit clear) or both (high bit set).
    const BOTH: u32 = 1 << 31;
    let mut stack: Vec<u32> = Vec::with_capacity(64);
    let mut pos = 0usize;
    for (i, &b) in feat.iter().enumerate() {
        if stack.is_empty() {
            roots.push(i as u32);
        }
        let v = if b == DISK_LEAF {
            let Some(&[b0, b1, b2, b3]) = vals.get(pos..pos + 4) else {
                return Err(format!("node {i}: values end early"));
            };
            pos += 4;
            f64::from(f32::from_le_bytes([b0, b1, b2, b3]))
        } else {
            if u16::from(b) >= n_features {
                return Err(format!("node {i}: feature {b} of {n_features}"));
            }
            let Some(&[b0, b1, b2, b3, b4, b5, b6, b7]) = vals.get(pos..pos + 8) else {
                return Err(format!("node {i}: values end early"));
            };
            pos += 8;
            f64::from_le_bytes([b0, b1, b2, b3, b4, b5, b6, b7])
        };
        if !v.is_finite() {
            return Err(format!("node {i}: value {v} is not finite"));
        }
        value.push(v);
        if b != DISK_LEAF {
            feature.push(u16::from(b));
            stack.push(i as u32);
            continue;
        }
        feature.push(LEAF);
        // A leaf completes subtrees: the nearest inner node still in its left subtree gets its
        // right child next.
        while let Some(top) = stack.last_mut() {
            if *top & BOTH != 0 {
                stack.pop();
            } else {
                right[*top as usize] = i as u32 + 1;
                *top |= BOTH;
                break;
            }
        }
    }
    if !stack.is_empty() {
        return Err("the last tree is cut short".into());
    }
    if pos != vals.len() {
        return Err(format!("{} value bytes left over", vals.len() - pos));
    }
    if roots.is_empty() {
        return Err("a forest without trees".into());
    }
    Ok(FlatForest { n_features, roots, feature, value, right })
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
        let what = format!("forest {} {}", h.key.scope, h.key.metric.name());
        let want = h.family.names(header.meta.feature_set);
        if h.features.len() != want.len() || h.features.iter().zip(want).any(|(a, b)| a != b) {
            return Err(corrupt(format!(
                "{what}: its features ({}) differ from this einf's ({}); retrain the predictor",
                h.features.join(","),
                want.join(",")
            )));
        }
        let (t, n) = (h.trees as usize, h.nodes as usize);
        let feat = c.take(n).map_err(corrupt)?;
        let leaves = feat.iter().filter(|&&b| b == DISK_LEAF).count();
        let vals = c.take(4 * leaves + 8 * (n - leaves)).map_err(corrupt)?;
        let forest =
            decode_forest(feat, vals, want.len() as u16).map_err(|e| corrupt(format!("{what}: {e}")))?;
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Encode a flat forest's nodes as the file does.
    fn encode(f: &FlatForest) -> (Vec<u8>, Vec<u8>) {
        let feat = f.feature.iter().map(|&v| if v == LEAF { DISK_LEAF } else { v as u8 }).collect();
        let mut vals = Vec::new();
        for (&feat, &v) in f.feature.iter().zip(&f.value) {
            if feat == LEAF {
                vals.extend_from_slice(&(v as f32).to_le_bytes());
            } else {
                vals.extend_from_slice(&v.to_le_bytes());
            }
        }
        (feat, vals)
    }

    /// A synthetic forest: a three-level tree, a single leaf, a left-leaning tree.
    fn forest() -> FlatForest {
        let mut f =
            FlatForest { n_features: 3, roots: vec![], feature: vec![], value: vec![], right: vec![] };
        f.push_tree(&[
            (0, 1.5, 4),
            (1, 2.5, 3),
            (LEAF, 1.0, 0),
            (LEAF, 2.0, 0),
            (2, 0.5, 6),
            (LEAF, 3.0, 0),
            (LEAF, 4.0, 0),
        ]);
        f.push_tree(&[(LEAF, 5.0, 0)]);
        f.push_tree(&[(1, 1.0, 4), (0, 2.0, 3), (LEAF, 6.0, 0), (LEAF, 7.0, 0), (LEAF, 8.0, 0)]);
        f
    }

    #[test]
    fn decoding_rebuilds_roots_and_right_children() {
        let f = forest();
        assert!(f.validate().is_ok());
        let (feat, vals) = encode(&f);
        let d = decode_forest(&feat, &vals, 3).unwrap();
        assert!(d.validate().is_ok());
        assert_eq!(d, f);
    }

    #[test]
    fn decoding_refuses_cut_trees_bad_features_and_odd_values() {
        let f = forest();
        let (feat, vals) = encode(&f);
        // The last tree without its last leaf.
        let e = decode_forest(&feat[..feat.len() - 1], &vals[..vals.len() - 4], 3).unwrap_err();
        assert!(e.contains("cut short"), "{e}");
        assert!(decode_forest(&feat, &vals, 2).unwrap_err().contains("feature 2 of 2"));
        assert!(decode_forest(&feat, &vals[..vals.len() - 1], 3).unwrap_err().contains("end early"));
        let mut more = vals.clone();
        more.push(0);
        assert!(decode_forest(&feat, &more, 3).unwrap_err().contains("left over"));
        let mut nan = vals.clone();
        nan[16..20].copy_from_slice(&f32::NAN.to_le_bytes());
        assert!(decode_forest(&feat, &nan, 3).unwrap_err().contains("not finite"));
        assert!(decode_forest(&[], &[], 3).unwrap_err().contains("without trees"));
    }
}
