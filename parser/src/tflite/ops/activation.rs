//! Fused activations (`fused_activation_function` of CONV_2D, ADD, pools, ...).

use crate::ir::UnaryOp;
use crate::tflite::schema::ActivationFunctionType;

/// The implied unary node of a fused activation and its TFLite name; `Ok(None)` for `NONE`, `Err`
/// with the raw value for one the schema does not define.
pub(crate) fn fused_activation(act: ActivationFunctionType) -> Result<Option<(UnaryOp, &'static str)>, i8> {
    Ok(Some(match act {
        ActivationFunctionType::NONE => return Ok(None),
        ActivationFunctionType::RELU => (UnaryOp::Relu, "RELU"),
        ActivationFunctionType::RELU_N1_TO_1 => {
            (UnaryOp::Clip { min: Some(-1.0), max: Some(1.0) }, "RELU_N1_TO_1")
        }
        ActivationFunctionType::RELU6 => (UnaryOp::Relu6, "RELU6"),
        ActivationFunctionType::TANH => (UnaryOp::Tanh, "TANH"),
        // sign(x) bit; TFLite's own kernels do not implement it, but the schema defines it.
        ActivationFunctionType::SIGN_BIT => (UnaryOp::Math("SignBit".into()), "SIGN_BIT"),
        other => return Err(other.0),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapping() {
        assert_eq!(fused_activation(ActivationFunctionType::NONE), Ok(None));
        assert_eq!(fused_activation(ActivationFunctionType::RELU6), Ok(Some((UnaryOp::Relu6, "RELU6"))));
        assert_eq!(
            fused_activation(ActivationFunctionType::RELU_N1_TO_1),
            Ok(Some((UnaryOp::Clip { min: Some(-1.0), max: Some(1.0) }, "RELU_N1_TO_1")))
        );
        assert_eq!(fused_activation(ActivationFunctionType(42)), Err(42));
    }
}
