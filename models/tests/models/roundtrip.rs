//! Every architecture exported to ONNX parses back (through the parser's ONNX frontend and its
//! own shape inference) to the same kernels: kinds, node names, configurations and features.

use super::kernels;
use einf_models::export::{Weights, to_onnx};
use einf_models::{ArchOptions, arch};
use einf_parser::{Format, parse_bytes};

fn reparse(bytes: &[u8], name: &str) -> einf_parser::ir::Graph {
    let mut g = parse_bytes(bytes, Format::Onnx, name, None).unwrap_or_else(|e| panic!("{name}: {e}"));
    einf_parser::shape::infer(&mut g, &[]).unwrap_or_else(|e| panic!("{name}: {e}"));
    g
}

#[test]
fn every_architecture_round_trips_through_onnx_to_the_same_kernels() {
    for a in arch::ARCHS {
        let g = a.build(&ArchOptions::default()).unwrap_or_else(|e| panic!("{}: {e}", a.name));
        let bytes = to_onnx(&g, Weights::Omitted).unwrap();
        let back = reparse(&bytes, a.name);
        for backend in ["onnxruntime-cpu", "tflite-gpu"] {
            let (ours, theirs) = (kernels(&g, backend), kernels(&back, backend));
            assert!(ours.iter().all(|k| k.is_costed()), "{}: uncosted kernel", a.name);
            assert_eq!(ours, theirs, "{} on {backend}", a.name);
        }
    }
}

#[test]
fn zero_filled_weights_round_trip_and_have_the_real_size() {
    let g = arch::build("mlperf_resnet8", &ArchOptions::default()).unwrap();
    let omitted = to_onnx(&g, Weights::Omitted).unwrap();
    let zeros = to_onnx(&g, Weights::Zeros).unwrap();
    let params = einf_models::summary::summarize(&g).params;
    // 4 bytes per float weight, BatchNorm statistics included: more than the trainable count.
    assert!(zeros.len() as u64 > omitted.len() as u64 + 4 * params);
    assert_eq!(kernels(&reparse(&zeros, "z"), "tflite-cpu"), kernels(&g, "tflite-cpu"));
}

#[test]
fn scaled_networks_round_trip() {
    let opts = ArchOptions { width: 0.5, resolution: Some(160), ..ArchOptions::default() };
    for name in ["mobilenet_v3_small", "shufflenet_v2", "resnext50_32x4d", "efficientnet_b0"] {
        let g = arch::build(name, &opts).unwrap();
        let back = reparse(&to_onnx(&g, Weights::Omitted).unwrap(), name);
        assert_eq!(kernels(&g, "tflite-cpu"), kernels(&back, "tflite-cpu"), "{name}");
        assert_eq!(g.tensor(g.inputs[0]).known_shape(), Some(vec![1, 3, 160, 160]));
    }
}
