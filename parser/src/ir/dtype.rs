//! Element types of tensors.

use serde::{Deserialize, Serialize};

/// The element type of a tensor, as both ONNX and TFLite name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum DType {
    /// 32-bit IEEE float.
    F32,
    /// 16-bit IEEE float.
    F16,
    /// bfloat16.
    Bf16,
    /// 64-bit IEEE float.
    F64,
    /// Signed 4-bit integer (packed two per byte).
    I4,
    /// Signed 8-bit integer.
    I8,
    /// Unsigned 8-bit integer.
    U8,
    /// Signed 16-bit integer.
    I16,
    /// Unsigned 16-bit integer.
    U16,
    /// Signed 32-bit integer.
    I32,
    /// Unsigned 32-bit integer.
    U32,
    /// Signed 64-bit integer.
    I64,
    /// Unsigned 64-bit integer.
    U64,
    /// Boolean (one byte).
    Bool,
    /// Complex with two f32.
    C64,
    /// Complex with two f64.
    C128,
    /// Variable-length string.
    String,
    /// The file does not say (or uses a type einf does not know).
    Unknown,
}

impl DType {
    /// Storage size of one element in bits (strings and unknown types count as 0).
    pub fn bits(self) -> u64 {
        match self {
            DType::I4 => 4,
            DType::I8 | DType::U8 | DType::Bool => 8,
            DType::F16 | DType::Bf16 | DType::I16 | DType::U16 => 16,
            DType::F32 | DType::I32 | DType::U32 => 32,
            DType::F64 | DType::I64 | DType::U64 | DType::C64 => 64,
            DType::C128 => 128,
            DType::String | DType::Unknown => 0,
        }
    }

    /// Bytes taken by `elements` elements of this type (rounded up for sub-byte types).
    pub fn bytes(self, elements: u64) -> u64 {
        elements.saturating_mul(self.bits()).div_ceil(8)
    }

    /// Whether this is an integer type (values of shape tensors are folded for these).
    pub fn is_integer(self) -> bool {
        matches!(
            self,
            DType::I4
                | DType::I8
                | DType::U8
                | DType::I16
                | DType::U16
                | DType::I32
                | DType::U32
                | DType::I64
                | DType::U64
                | DType::Bool
        )
    }

    /// Whether this is a floating-point type.
    pub fn is_float(self) -> bool {
        matches!(self, DType::F32 | DType::F16 | DType::Bf16 | DType::F64)
    }

    /// Short lowercase name used in tables and JSON (`f32`, `i8`, ...).
    pub fn name(self) -> &'static str {
        match self {
            DType::F32 => "f32",
            DType::F16 => "f16",
            DType::Bf16 => "bf16",
            DType::F64 => "f64",
            DType::I4 => "i4",
            DType::I8 => "i8",
            DType::U8 => "u8",
            DType::I16 => "i16",
            DType::U16 => "u16",
            DType::I32 => "i32",
            DType::U32 => "u32",
            DType::I64 => "i64",
            DType::U64 => "u64",
            DType::Bool => "bool",
            DType::C64 => "c64",
            DType::C128 => "c128",
            DType::String => "string",
            DType::Unknown => "unknown",
        }
    }
}

impl DType {
    /// Every type, in declaration order.
    pub const ALL: [DType; 18] = [
        DType::F32,
        DType::F16,
        DType::Bf16,
        DType::F64,
        DType::I4,
        DType::I8,
        DType::U8,
        DType::I16,
        DType::U16,
        DType::I32,
        DType::U32,
        DType::I64,
        DType::U64,
        DType::Bool,
        DType::C64,
        DType::C128,
        DType::String,
        DType::Unknown,
    ];

    /// The type named `name` ([`DType::name`]).
    pub fn from_name(name: &str) -> Option<DType> {
        DType::ALL.into_iter().find(|d| d.name() == name)
    }
}

impl std::fmt::Display for DType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_is_found_by_its_name_and_nothing_else_is() {
        for d in DType::ALL {
            assert_eq!(DType::from_name(d.name()), Some(d));
        }
        assert_eq!(DType::from_name("float32"), None);
    }
}
