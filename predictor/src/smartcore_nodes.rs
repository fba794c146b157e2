//! smartcore's tree nodes, read through its `Serialize` implementation: smartcore keeps its
//! nodes private, but with its `serde` feature a fitted forest serialises as
//! `{forest_regressor: {trees: [{nodes: [{output, split_feature, split_value, split_score,
//! true_child, false_child}, ...], ...}, ...], ...}}`. [`trees`] walks that serialisation with a
//! serializer that writes nothing and keeps only the node fields einf reads, so no JSON text or
//! `serde_json::Value` of a large forest (hundreds of thousands of nodes) is ever built.
//!
//! Values are as a JSON round trip would give them: a non-finite float is absent (JSON `null`).

use serde::ser::{self, Serialize};

/// One node as smartcore stores it: a split when both children are set, else a leaf.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Node {
    pub(crate) output: Option<f64>,
    pub(crate) split_feature: Option<u64>,
    pub(crate) split_value: Option<f64>,
    pub(crate) true_child: Option<u64>,
    pub(crate) false_child: Option<u64>,
}

/// The node list of each tree, in smartcore's order; `Err` when `model` does not serialise in
/// the shape above (a smartcore version change).
pub(crate) fn trees<T: Serialize>(model: &T) -> Result<Vec<Vec<Node>>, String> {
    let mut walk = Walk::default();
    model.serialize(&mut walk).map_err(|e| format!("reading smartcore's trees: {}", e.0))?;
    if !walk.saw_trees {
        return Err(
            "smartcore's serialised forest has no forest_regressor.trees (a smartcore version change?)"
                .into(),
        );
    }
    Ok(walk.trees)
}

/// Where the walk is.
#[derive(Default)]
struct Walk {
    trees: Vec<Vec<Node>>,
    /// The key of each open struct's field being serialised, outermost first.
    keys: Vec<&'static str>,
    /// The node being read, while inside a struct of a tree's `nodes`.
    node: Option<Node>,
    /// How many structs deep the node being read is (its struct's depth).
    node_depth: usize,
    /// Inside a tree's `nodes` sequence.
    in_nodes: bool,
    /// A `trees` field of `forest_regressor` was seen with a value.
    saw_trees: bool,
}

impl Walk {
    /// The field being serialised: `(parent field, field)`.
    fn field(&self) -> (Option<&'static str>, Option<&'static str>) {
        let n = self.keys.len();
        (n.checked_sub(2).map(|i| self.keys[i]), self.keys.last().copied())
    }

    /// The field of the node being read, when a value of it is being serialised.
    fn node_field(&mut self) -> Option<(&'static str, &mut Node)> {
        if self.keys.len() != self.node_depth {
            return None;
        }
        let key = *self.keys.last()?;
        Some((key, self.node.as_mut()?))
    }

    fn float(&mut self, v: f64) {
        let v = v.is_finite().then_some(v);
        if let Some((key, node)) = self.node_field() {
            match key {
                "output" => node.output = v,
                "split_value" => node.split_value = v,
                _ => {}
            }
        }
    }

    fn unsigned(&mut self, v: u64) {
        if let Some((key, node)) = self.node_field() {
            match key {
                "split_feature" => node.split_feature = Some(v),
                "true_child" => node.true_child = Some(v),
                "false_child" => node.false_child = Some(v),
                // An integer where a float is expected reads as that float, as JSON would.
                "output" => node.output = Some(v as f64),
                "split_value" => node.split_value = Some(v as f64),
                _ => {}
            }
        }
    }

    fn signed(&mut self, v: i64) {
        match u64::try_from(v) {
            Ok(u) => self.unsigned(u),
            Err(_) => self.float(v as f64),
        }
    }
}

/// The walk's error: smartcore's own serialisation failing.
#[derive(Debug)]
pub(crate) struct Error(String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<M: std::fmt::Display>(msg: M) -> Self {
        Error(msg.to_string())
    }
}

type R = Result<(), Error>;

impl ser::Serializer for &mut Walk {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    fn serialize_bool(self, _: bool) -> R {
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> R {
        self.signed(v.into());
        Ok(())
    }
    fn serialize_i16(self, v: i16) -> R {
        self.signed(v.into());
        Ok(())
    }
    fn serialize_i32(self, v: i32) -> R {
        self.signed(v.into());
        Ok(())
    }
    fn serialize_i64(self, v: i64) -> R {
        self.signed(v);
        Ok(())
    }
    fn serialize_u8(self, v: u8) -> R {
        self.unsigned(v.into());
        Ok(())
    }
    fn serialize_u16(self, v: u16) -> R {
        self.unsigned(v.into());
        Ok(())
    }
    fn serialize_u32(self, v: u32) -> R {
        self.unsigned(v.into());
        Ok(())
    }
    fn serialize_u64(self, v: u64) -> R {
        self.unsigned(v);
        Ok(())
    }
    fn serialize_f32(self, v: f32) -> R {
        self.float(v.into());
        Ok(())
    }
    fn serialize_f64(self, v: f64) -> R {
        self.float(v);
        Ok(())
    }
    fn serialize_char(self, _: char) -> R {
        Ok(())
    }
    fn serialize_str(self, _: &str) -> R {
        Ok(())
    }
    fn serialize_bytes(self, _: &[u8]) -> R {
        Ok(())
    }
    fn serialize_none(self) -> R {
        Ok(())
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> R {
        value.serialize(self)
    }
    fn serialize_unit(self) -> R {
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> R {
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> R {
        Ok(())
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, _: &'static str, value: &T) -> R {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        value: &T,
    ) -> R {
        value.serialize(self)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self, Error> {
        if !self.in_nodes && self.node.is_none() && self.field() == (Some("forest_regressor"), Some("trees"))
        {
            self.saw_trees = true;
        }
        Ok(self)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self, Error> {
        Ok(self)
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self, Error> {
        Ok(self)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self, Error> {
        Ok(self)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self, Error> {
        Ok(self)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, Error> {
        if self.in_nodes && self.node.is_none() {
            self.node = Some(Node::default());
            self.node_depth = self.keys.len() + 1;
        }
        self.keys.push("");
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self, Error> {
        self.keys.push("");
        Ok(self)
    }
}

impl ser::SerializeSeq for &mut Walk {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> R {
        value.serialize(&mut **self)
    }
    fn end(self) -> R {
        Ok(())
    }
}

impl ser::SerializeTuple for &mut Walk {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> R {
        value.serialize(&mut **self)
    }
    fn end(self) -> R {
        Ok(())
    }
}

impl ser::SerializeTupleStruct for &mut Walk {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> R {
        value.serialize(&mut **self)
    }
    fn end(self) -> R {
        Ok(())
    }
}

impl ser::SerializeTupleVariant for &mut Walk {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> R {
        value.serialize(&mut **self)
    }
    fn end(self) -> R {
        Ok(())
    }
}

impl ser::SerializeMap for &mut Walk {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> R {
        key.serialize(&mut **self)
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> R {
        value.serialize(&mut **self)
    }
    fn end(self) -> R {
        Ok(())
    }
}

impl ser::SerializeStruct for &mut Walk {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> R {
        if let Some(k) = self.keys.last_mut() {
            *k = key;
        }
        // A tree's node list: the `nodes` field of an element of `forest_regressor.trees`.
        let nodes = self.saw_trees
            && !self.in_nodes
            && self.node.is_none()
            && self.field() == (Some("trees"), Some("nodes"));
        if nodes {
            self.trees.push(Vec::new());
            self.in_nodes = true;
        }
        let r = value.serialize(&mut **self);
        if nodes {
            self.in_nodes = false;
        }
        r
    }
    fn end(self) -> R {
        if self.node.is_some()
            && self.keys.len() == self.node_depth
            && let (Some(node), Some(tree)) = (self.node.take(), self.trees.last_mut())
        {
            tree.push(node);
        }
        self.keys.pop();
        Ok(())
    }
}

impl ser::SerializeStructVariant for &mut Walk {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> R {
        if let Some(k) = self.keys.last_mut() {
            *k = key;
        }
        value.serialize(&mut **self)
    }
    fn end(self) -> R {
        self.keys.pop();
        Ok(())
    }
}

/// The nodes as the JSON of a serialised forest gives them (what einf read before the walk).
#[cfg(test)]
pub(crate) fn from_json(json: &serde_json::Value) -> Vec<Vec<Node>> {
    let Some(trees) = json.pointer("/forest_regressor/trees").and_then(serde_json::Value::as_array) else {
        return Vec::new();
    };
    trees
        .iter()
        .map(|t| {
            let nodes = t.get("nodes").and_then(serde_json::Value::as_array).map_or(&[][..], |v| v);
            nodes
                .iter()
                .map(|n| Node {
                    output: n.get("output").and_then(serde_json::Value::as_f64),
                    split_feature: n.get("split_feature").and_then(serde_json::Value::as_u64),
                    split_value: n.get("split_value").and_then(serde_json::Value::as_f64),
                    true_child: n.get("true_child").and_then(serde_json::Value::as_u64),
                    false_child: n.get("false_child").and_then(serde_json::Value::as_u64),
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    #[derive(Serialize)]
    struct N {
        output: f64,
        split_feature: usize,
        split_value: Option<f64>,
        split_score: Option<f64>,
        true_child: Option<usize>,
        false_child: Option<usize>,
    }

    #[derive(Serialize)]
    struct Tree {
        nodes: Vec<N>,
        depth: u16,
    }

    #[derive(Serialize)]
    struct Forest {
        trees: Option<Vec<Tree>>,
        samples: Option<Vec<Vec<bool>>>,
    }

    #[derive(Serialize)]
    struct Model {
        forest_regressor: Option<Forest>,
    }

    fn split(f: usize, v: f64, t: usize, e: usize) -> N {
        N {
            output: 0.5,
            split_feature: f,
            split_value: Some(v),
            split_score: Some(1.0),
            true_child: Some(t),
            false_child: Some(e),
        }
    }

    fn leaf(v: f64) -> N {
        N {
            output: v,
            split_feature: 0,
            split_value: None,
            split_score: None,
            true_child: None,
            false_child: None,
        }
    }

    /// Synthetic: a hand-built forest in smartcore's shape reads as JSON would give it.
    #[test]
    fn nodes_read_as_their_json_gives_them() {
        let model = Model {
            forest_regressor: Some(Forest {
                trees: Some(vec![
                    Tree { nodes: vec![split(1, 2.5, 1, 2), leaf(3.0), leaf(f64::NAN)], depth: 2 },
                    Tree { nodes: vec![leaf(-0.0)], depth: 1 },
                ]),
                samples: Some(vec![vec![true]]),
            }),
        };
        let got = trees(&model).unwrap();
        let want = from_json(&serde_json::to_value(&model).unwrap());
        assert_eq!(got, want);
        assert_eq!(got[0][0].split_value, Some(2.5));
        assert_eq!(got[0][2].output, None, "NaN is JSON null");
        assert!(trees(&Model { forest_regressor: None }).is_err());
    }
}
