//! Seeded variants (DeepEn2023's model dataset): deterministic by seed, different across seeds,
//! within the configured spread, and valid networks that round-trip through ONNX.

use super::kernels;
use einf_models::export::{Weights, to_onnx};
use einf_models::summary::summarize;
use einf_models::{ArchOptions, Variant, arch};

fn variant(seed: u64) -> ArchOptions {
    ArchOptions { variant: Some(Variant::new(seed)), ..ArchOptions::default() }
}

#[test]
fn same_seed_same_bytes_other_seed_other_network() {
    for name in ["resnet18", "mobilenet_v2", "densenet121", "shufflenet_v2", "googlenet"] {
        let a = to_onnx(&arch::build(name, &variant(7)).unwrap(), Weights::Omitted).unwrap();
        let b = to_onnx(&arch::build(name, &variant(7)).unwrap(), Weights::Omitted).unwrap();
        let c = to_onnx(&arch::build(name, &variant(8)).unwrap(), Weights::Omitted).unwrap();
        assert_eq!(a, b, "{name}");
        assert_ne!(a, c, "{name}");
    }
}

#[test]
fn every_architecture_has_valid_variants_that_round_trip() {
    for a in arch::ARCHS {
        for seed in 0..3 {
            let g = a.build(&variant(seed)).unwrap_or_else(|e| panic!("{} seed {seed}: {e}", a.name));
            let bytes = to_onnx(&g, Weights::Omitted).unwrap();
            let mut back = einf_parser::parse_bytes(&bytes, einf_parser::Format::Onnx, a.name, None).unwrap();
            einf_parser::shape::infer(&mut back, &[]).unwrap();
            assert_eq!(kernels(&g, "tflite-cpu"), kernels(&back, "tflite-cpu"), "{} seed {seed}", a.name);
        }
    }
}

#[test]
fn variant_layers_stay_within_the_spread_and_kernels_are_resampled() {
    let reference = arch::build("vgg16", &ArchOptions::default()).unwrap();
    let v = arch::build("vgg16", &variant(3)).unwrap();
    let (kr, kv) = (kernels(&reference, "onnxruntime-cpu"), kernels(&v, "onnxruntime-cpu"));
    assert_eq!(kr.len(), kv.len(), "VGG variants keep the layer count");
    let mut kernel_changed = false;
    let mut cout_changed = false;
    for (r, v) in kr.iter().zip(&kv) {
        let (r, v) = (r.config.as_ref().unwrap(), v.config.as_ref().unwrap());
        if r.cout != 1000 {
            let ratio = v.cout as f64 / r.cout as f64;
            assert!((0.5..=1.5).contains(&ratio), "cout {} -> {}", r.cout, v.cout);
            cout_changed |= v.cout != r.cout;
        }
        assert!(v.kernel_h == r.kernel_h || v.kernel_h == r.kernel_h + 2, "3x3 becomes 3x3 or 5x5");
        kernel_changed |= v.kernel_h != r.kernel_h;
        // Same-padding is kept: every conv keeps its output size.
        assert_eq!((v.output_h, v.output_w), (r.output_h, r.output_w));
    }
    assert!(kernel_changed && cout_changed);
    assert_ne!(summarize(&reference).macs, summarize(&v).macs);
}

#[test]
fn no_spread_and_no_kernel_resampling_is_the_reference_network() {
    let v = Variant { seed: 5, channel_spread: 0.0, resample_kernels: false };
    let opts = ArchOptions { variant: Some(v), ..ArchOptions::default() };
    for name in ["resnet50", "mobilenet_v3_large"] {
        let a = to_onnx(&arch::build(name, &opts).unwrap(), Weights::Omitted).unwrap();
        let b = to_onnx(&arch::build(name, &ArchOptions::default()).unwrap(), Weights::Omitted).unwrap();
        assert_eq!(a, b, "{name}");
    }
}

#[test]
fn bad_options_and_names_are_named_errors() {
    let e = arch::build("resnet7", &ArchOptions::default()).unwrap_err().to_string();
    assert!(e.contains("unknown architecture 'resnet7'") && e.contains("resnet18"), "{e}");
    let e = arch::build("resnet18", &ArchOptions { width: 0.0, ..ArchOptions::default() }).unwrap_err();
    assert!(e.to_string().contains("width"), "{e}");
    // A resolution too small for AlexNet's 11x11 stride-4 stem and three pools.
    let e =
        arch::build("alexnet", &ArchOptions { resolution: Some(16), ..ArchOptions::default() }).unwrap_err();
    assert!(e.to_string().starts_with("alexnet: layer"), "{e}");
    // A resolution at which a strided layer would get a 1-pixel map (it used to build silently).
    let e =
        arch::build("resnet50", &ArchOptions { resolution: Some(3), ..ArchOptions::default() }).unwrap_err();
    assert!(e.to_string().contains("stride 2x2 on a 1x1 map: the input resolution is too small"), "{e}");
    assert!(arch::build("resnet50", &ArchOptions { resolution: Some(32), ..ArchOptions::default() }).is_ok());
    let e =
        arch::build("mlperf_autoencoder", &ArchOptions { resolution: Some(32), ..ArchOptions::default() });
    assert!(e.unwrap_err().to_string().contains("resolution"));
}
