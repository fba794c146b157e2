//! The format readers on the bundled data (row counts pinned) and on the fixtures in
//! `tests/data/import` (values, units, kinds and configurations checked row by row).
//!
//! The qed-usc, NeurstrucEnergy, MLPerf Tiny and HELP fixtures are real rows cut from the bundled
//! files; the nn-Meter and generic CSV fixtures are SYNTHETIC format examples (see the README there).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use einf_dataset::batch::{DeviceClass, ImportBatch, Measurement, Metric, Subject};
use einf_dataset::import::{Format, ReadOptions, read};
use einf_parser::kernel::{KernelConfig, KernelKind};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn bundled(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data").join(rel)
}

fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/import").join(rel)
}

fn load(format: Format, path: &Path) -> ImportBatch {
    read(format, path, &ReadOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

/// (measurements, devices, models named by a measurement or as the model a kernel ran in).
fn counts(b: &ImportBatch) -> (usize, usize, usize) {
    let models: BTreeSet<&str> = b
        .measurements
        .iter()
        .filter_map(|m| match &m.subject {
            Subject::Model(r) => Some(r.name.as_str()),
            Subject::Kernel(k) => k.model.as_deref(),
        })
        .collect();
    (b.measurements.len(), b.devices.len(), models.len())
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * a.abs().max(b.abs())
}

fn kernel(m: &Measurement) -> (&KernelKind, &KernelConfig) {
    match &m.subject {
        Subject::Kernel(k) => (&k.kind, &k.config),
        Subject::Model(r) => panic!("model {} where a kernel was expected", r.name),
    }
}

fn model(m: &Measurement) -> &str {
    match &m.subject {
        Subject::Model(r) => &r.name,
        Subject::Kernel(_) => panic!("kernel where a model was expected"),
    }
}

fn on<'a>(b: &'a ImportBatch, device: &str, line: usize) -> Vec<&'a Measurement> {
    b.measurements.iter().filter(|m| m.device == device && m.line == line).collect()
}

/// Every measurement is finite and positive, on a device of the batch, with a line past the header.
fn well_formed(b: &ImportBatch) {
    let devices: BTreeSet<&str> = b.devices.iter().map(|d| d.name.as_str()).collect();
    for m in &b.measurements {
        assert!(m.value.is_finite() && m.value > 0.0, "{m:?}");
        assert!(m.std.is_none_or(|s| s.is_finite() && s >= 0.0), "{m:?}");
        assert!(devices.contains(m.device.as_str()), "{m:?}");
        assert!(m.line >= 2, "{m:?}");
        if let Subject::Kernel(k) = &m.subject {
            // Kinds are spelled as the parser spells them.
            assert_eq!(KernelKind::from_roles(k.kind.roles()), k.kind, "{}", k.kind);
            assert_eq!(k.kind.to_string().parse::<KernelKind>().ok().as_ref(), Some(&k.kind));
        }
    }
}

#[test]
fn every_bundled_file_imports_with_its_pinned_counts() {
    let cases: &[(Format, &str, (usize, usize, usize))] = &[
        (Format::QedOps, "qed-usc-mobile-ml-benchmark/tflite_cnn_ops_gpu.csv", (33_312, 6, 102)),
        (Format::QedOps, "qed-usc-mobile-ml-benchmark/torch_cnn_ops_gpu.csv", (26_234, 4, 100)),
        (Format::QedE2e, "qed-usc-mobile-ml-benchmark/tflite_cnn_e2e.csv", (9_180, 90, 102)),
        (Format::Neurstruc, "neurstrucenergy/conv2d.txt", (1_998, 1, 0)),
        (Format::Neurstruc, "neurstrucenergy/conv2d_PreVIousNet.txt", (112, 1, 0)),
        (Format::Neurstruc, "neurstrucenergy/random_testset_1.txt", (17, 1, 17)),
        (Format::Neurstruc, "neurstrucenergy/random_testset_2.txt", (17, 1, 17)),
        (Format::Neurstruc, "neurstrucenergy/random_testset_3.txt", (17, 1, 17)),
        (Format::Neurstruc, "neurstrucenergy/custom_testset_1.txt", (5, 1, 5)),
        (Format::Neurstruc, "neurstrucenergy/custom_testset_2.txt", (5, 1, 5)),
        (Format::Neurstruc, "neurstrucenergy/custom_testset_3.txt", (5, 1, 5)),
        (Format::MlperfTiny, "mlperf-tiny-energy/mlperf_tiny_results_v0.5-v1.3.csv", (581, 103, 14)),
        (Format::Help, "help-nasbench201-fbnet-latency/nasbench201_latency_ms.csv", (421_875, 27, 15_625)),
        (Format::Help, "help-nasbench201-fbnet-latency/fbnet_latency_ms.csv", (135_000, 27, 5_000)),
    ];
    // The measurements only: the graphs of HELP's architectures (tens of seconds in a debug
    // build) are checked in tests/help_graphs.rs.
    let measurements_only = ReadOptions { without_graphs: true, ..ReadOptions::default() };
    for (format, rel, expected) in cases {
        let b = read(*format, &bundled(rel), &measurements_only).unwrap_or_else(|e| panic!("{e}"));
        assert!(b.graphs.is_empty(), "{rel}");
        assert_eq!(counts(&b), *expected, "{rel}");
        assert_eq!(b.format, format.name());
        let licence = b.provenance.to_ascii_lowercase().contains("licen");
        assert!(b.provenance.contains("--- SOURCE.txt ---") && licence, "{rel}: provenance");
        well_formed(&b);
    }
}

#[test]
fn qed_ops_reads_the_pytorch_table_as_single_ops_on_its_own_devices() {
    let b = load(Format::QedOps, &fixture("qed_ops/torch_cnn_ops_gpu.csv"));
    // 16 rows x 4 phones, less the 11 cells without a latency (iPhone activations and BatchNorm,
    // s10 cells of ghostnet, iPhone cells naming a kernel without a latency).
    assert_eq!(counts(&b), (53, 4, 8));
    well_formed(&b);
    let names: Vec<&str> = b.devices.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "pixel4-gpu-pytorch-vulkan-fp16",
            "s10-gpu-pytorch-vulkan-fp16",
            "onefusion-gpu-pytorch-vulkan-fp16",
            "iphonexs-gpu-pytorch-metal-fp16"
        ]
    );
    let runtimes: Vec<&str> = b.devices.iter().filter_map(|d| d.runtime.as_deref()).collect();
    assert_eq!(runtimes, ["pytorch-vulkan", "pytorch-vulkan", "pytorch-vulkan", "pytorch-metal"]);
    assert!(b.devices.iter().all(|d| d.class == DeviceClass::Gpu && d.precision.as_deref() == Some("fp16")));
    let (pixel, s10, iphone) =
        ("pixel4-gpu-pytorch-vulkan-fp16", "s10-gpu-pytorch-vulkan-fp16", "iphonexs-gpu-pytorch-metal-fp16");

    // Line 2: bagnet9's classifier, 1123.64 µs on the Pixel 4; the iPhone names metal.linear but
    // gives no latency: no measurement.
    let m = on(&b, pixel, 2);
    assert!(close(m[0].value, 1.12364));
    let (kind, config) = kernel(m[0]);
    assert_eq!((kind.to_string().as_str(), config.cin, config.cout), ("fc", 2048, 1000));
    assert!(on(&b, iphone, 2).is_empty());

    // Line 3: a 1x1 convolution (groups given); line 4: groups 3; line 5: no groups field, a
    // depthwise 5x5 by its filter_size.
    let (kind, config) = kernel(on(&b, s10, 3)[0]);
    assert_eq!(kind.to_string(), "conv-bn");
    assert_eq!(
        (config.input_h, config.output_h, config.cin, config.cout, config.groups),
        (224, 224, 3, 64, 1)
    );
    let (kind, config) = kernel(on(&b, iphone, 4)[0]);
    assert_eq!(
        (kind.to_string().as_str(), config.groups, config.stride_h, config.pads),
        ("groupconv-bn", 3, 2, [1; 4])
    );
    assert!(close(on(&b, iphone, 4)[0].value, 0.057093747));
    let (kind, config) = kernel(on(&b, pixel, 5)[0]);
    assert_eq!(
        (kind.to_string().as_str(), config.groups, config.cout, config.kernel_h, config.output_h),
        ("dwconv-bn", 384, 384, 5, 14)
    );

    // Line 6: a ceil_mode max pool 112 -> 56 (k3 s2 p0); line 7: a windowed average pool, which
    // the iPhone's kernel name calls metal.max_pool2d (kept as given); line 8: floor.
    let (kind, config) = kernel(on(&b, pixel, 6)[0]);
    assert_eq!(
        (kind.to_string().as_str(), config.input_h, config.output_h, config.pads),
        ("maxpool", 112, 56, [0; 4])
    );
    let m = on(&b, iphone, 7);
    assert_eq!((kernel(m[0]).0.to_string().as_str(), m[0].line), ("avgpool", 7));
    match &m[0].subject {
        Subject::Kernel(k) => assert_eq!(k.source_id.as_deref(), Some("metal.max_pool2d")),
        Subject::Model(_) => panic!("a kernel"),
    }
    assert_eq!(kernel(on(&b, pixel, 8)[0]).1.output_h, 7);

    // Lines 9-10: two-operand elementwise ops (second operand unknown); the s10 has no ghostnet
    // latency.
    let (kind, config) = kernel(on(&b, pixel, 9)[0]);
    assert_eq!((kind.to_string().as_str(), config.input_h, config.cin), ("add", 110, 256));
    assert!(config.input_channels.is_empty());
    assert_eq!(kernel(on(&b, pixel, 10)[0]).0.to_string(), "mul");
    assert!(on(&b, s10, 10).is_empty());

    // Lines 11-12: adaptive_avg_pool2d and a windowless avg_pool2d are global pools over the map.
    for line in [11, 12] {
        let (kind, config) = kernel(on(&b, pixel, line)[0]);
        assert_eq!(kind.to_string(), "gap", "line {line}");
        assert_eq!((config.kernel_h, config.output_h), (config.input_h, 1), "line {line}");
    }

    // Lines 13-17: BatchNorm and activations, with no iPhone cell.
    let kinds: Vec<String> = (13..=17).map(|l| kernel(on(&b, pixel, l)[0]).0.to_string()).collect();
    assert_eq!(kinds, ["bn", "relu", "clip", "sigmoid", "hswish"]);
    assert!((13..=17).all(|l| on(&b, iphone, l).is_empty()));

    // What is unknown is said.
    assert!(b.provenance.contains("UNKNOWN per row"), "{}", b.provenance);
    assert!(b.provenance.contains("- iphonexs: 5 / 4"), "{}", b.provenance);
    assert!(b.provenance.contains("windowless avg_pool2d rows read as global: 1"), "{}", b.provenance);
}

/// What the `qed_torch` module documentation says of the bundled PyTorch table holds.
#[test]
fn pytorch_table_facts_the_reader_relies_on() {
    let b = load(Format::QedOps, &bundled("qed-usc-mobile-ml-benchmark/torch_cnn_ops_gpu.csv"));
    let pixel: Vec<(&str, String, u64)> = b
        .measurements
        .iter()
        .filter(|m| m.device == "pixel4-gpu-pytorch-vulkan-fp16")
        .map(|m| match &m.subject {
            Subject::Kernel(k) => (k.model.as_deref().unwrap(), k.kind.to_string(), k.config.cin),
            Subject::Model(_) => panic!("a kernel"),
        })
        .collect();
    assert_eq!(pixel.len(), 7_286, "the Pixel 4 has every row");
    // resnet18: 20 convolutions, no BatchNorm row (folded), 8 ReLU rows for its 17 ReLUs.
    let count = |model: &str, kind: &str| pixel.iter().filter(|(m, k, _)| *m == model && k == kind).count();
    assert_eq!(
        (count("resnet18", "conv-bn"), count("resnet18", "bn"), count("resnet18", "relu")),
        (20, 0, 8)
    );
    // Global pools read as 1x1: every model with a classifier has a gap row with as many channels
    // as the classifier has inputs.
    let classifiers: BTreeSet<(&str, u64)> =
        pixel.iter().filter(|(_, k, _)| k == "fc").map(|(m, _, cin)| (*m, *cin)).collect();
    assert_eq!(classifiers.len(), 76);
    for (model, features) in classifiers {
        assert!(
            pixel.iter().any(|(m, k, cin)| *m == model && k == "gap" && *cin == features),
            "{model}: no global pool of {features} channels"
        );
    }
}

#[test]
fn qed_ops_rows_become_fused_kernels_in_ms() {
    let b = load(Format::QedOps, &fixture("qed_ops/tflite_cnn_ops_gpu.csv"));
    // 6 rows x 6 phones, less the two iPhone cells of the 1x1 row fused into the depthwise row.
    assert_eq!(counts(&b), (34, 6, 4));
    well_formed(&b);
    assert!(
        b.devices.iter().all(|d| d.class == DeviceClass::Gpu && d.runtime.as_deref() == Some("tflite-gpu"))
    );

    // Line 2 (bagnet9's first conv): 12167.6928 µs on the Pixel 4 = 12.1676928 ms; the Winograd
    // kernel on the S10 takes the ReLU the other phones link.
    let pixel = on(&b, "pixel4-gpu-tflite-fp16", 2);
    assert!(close(pixel[0].value, 12.1676928));
    let s10 = on(&b, "s10-gpu-tflite-fp16", 2);
    let (kind, config) = kernel(s10[0]);
    assert_eq!(kind.to_string(), "conv-bn-relu");
    assert_eq!(
        (config.input_h, config.output_h, config.cin, config.cout, config.pads),
        (224, 222, 64, 64, [0; 4])
    );

    // Line 3: MEAN is a global average pool; line 4: a concat of four inputs.
    let (kind, config) = kernel(on(&b, "a03s-gpu-tflite-fp16", 3)[0]);
    assert_eq!((kind.to_string().as_str(), config.kernel_h, config.cout), ("gap", 27, 2048));
    let (kind, config) = kernel(on(&b, "a03s-gpu-tflite-fp16", 4)[0]);
    assert_eq!((kind.to_string().as_str(), config.cout), ("concat", 256));
    assert!(config.input_channels.is_empty(), "the other three inputs' channels are unknown");

    // Lines 5-6: on the iPhones one fused kernel, stored once on line 5, the mean of both rows.
    let iphone7 = on(&b, "iphone7-gpu-tflite-fp16", 5);
    assert_eq!(iphone7.len(), 1);
    assert!(on(&b, "iphone7-gpu-tflite-fp16", 6).is_empty());
    assert!(close(iphone7[0].value, (54.309 + 49.82) / 2.0 / 1000.0));
    let (kind, config) = kernel(iphone7[0]);
    assert_eq!(kind.to_string(), "dwconv-bn-relu-conv-bn-add");
    assert_eq!((config.cin, config.cout, config.groups, config.output_h), (16, 16, 16, 112));
    assert!(
        b.provenance.contains("'depthwise_conv_plus_1x1_conv_5_6_7_linked_:_add_8' repeated on two rows")
    );
    // ... and two kernels on the Android phones.
    assert_eq!(on(&b, "pixel4-gpu-tflite-fp16", 6).len(), 1);
    assert_eq!(kernel(on(&b, "pixel4-gpu-tflite-fp16", 5)[0]).0.to_string(), "dwconv-bn-relu");

    // Line 7: a grouped convolution, groups 3.
    let (kind, config) = kernel(on(&b, "mi8se-gpu-tflite-fp16", 7)[0]);
    assert_eq!((kind.to_string().as_str(), config.groups, config.stride_h), ("groupconv-bn-relu", 3, 2));
}

#[test]
fn qed_e2e_means_and_stds_in_ms_per_core_configuration() {
    let b = load(Format::QedE2e, &fixture("qed_e2e/tflite_cnn_e2e.csv"));
    assert_eq!(counts(&b), (180, 90, 2));
    well_formed(&b);
    let m = on(&b, "pixel4-1large-tflite-fp32", 2);
    assert_eq!(model(m[0]), "bagnet9");
    assert!(close(m[0].value, 908.365) && close(m[0].std.unwrap(), 1.46));
    let d = b.devices.iter().find(|d| d.name == "pixel4-1large-tflite-fp32").unwrap();
    assert_eq!((d.class, d.runtime.as_deref()), (DeviceClass::Cpu, Some("tflite-cpu")));
    // The GPU columns are the qed-ops devices, so kernel sums and model latencies meet.
    assert!(b.devices.iter().any(|d| d.name == "pixel4-gpu-tflite-fp16"));
}

#[test]
fn neurstruc_layers_runs_and_skipped_lines() {
    let b = load(Format::Neurstruc, &fixture("neurstruc/conv2d.txt"));
    // 7 lines: 6 layers (energy + latency each) and one all-zero marker.
    assert_eq!(counts(&b), (12, 1, 0));
    well_formed(&b);
    let dev = "neurstrucenergy-cuda";
    let first = on(&b, dev, 2);
    let energy = first.iter().find(|m| m.metric == Metric::Energy).unwrap();
    let latency = first.iter().find(|m| m.metric == Metric::Latency).unwrap();
    assert!(close(energy.value, 5.23545769718), "J -> mJ");
    assert!(close(latency.value, 4.007 / 2513.0 * 1000.0), "s -> ms per forward");
    let (kind, config) = kernel(energy);
    assert_eq!(kind.to_string(), "conv-bn");
    assert_eq!(
        (config.input_h, config.cin, config.cout, config.kernel_h, config.pads),
        (9, 131, 270, 3, [1; 4])
    );
    assert_eq!(kernel(on(&b, dev, 5)[0]).0.to_string(), "groupconv-bn");
    // Lines 6 and 7 measure the same configuration: runs 1 and 2, not duplicates.
    assert_eq!(on(&b, dev, 6)[0].run, Some(1));
    assert_eq!(on(&b, dev, 7)[0].run, Some(2));
    assert_eq!(on(&b, dev, 2)[0].run, None);
    assert!(on(&b, dev, 8).is_empty() && b.provenance.contains("(all zeros): 8"));

    let b = load(Format::Neurstruc, &fixture("neurstruc/conv2d_PreVIousNet.txt"));
    assert_eq!(counts(&b), (4, 1, 0));
    assert!(b.provenance.contains("line 5: output 6x6 is not what a 3x3 conv"), "{}", b.provenance);

    let opts = ReadOptions { device: Some("my-jetson".into()), ..ReadOptions::default() };
    let b = read(Format::Neurstruc, &fixture("neurstruc/random_testset_2.txt"), &opts).unwrap();
    assert_eq!(counts(&b), (2, 1, 2));
    assert_eq!(b.devices[0].name, "my-jetson");
    let resnet = &b.measurements[0];
    assert_eq!((model(resnet), resnet.run, resnet.line), ("ResNet18", Some(2), 2));
    assert!(close(resnet.value, 425.7594880554248));
}

#[test]
fn mlperf_tiny_energy_power_latency_and_no_stream_energy() {
    let b = load(Format::MlperfTiny, &fixture("mlperf_tiny/mlperf_tiny_results.csv"));
    assert_eq!(counts(&b), (8, 3, 3));
    well_formed(&b);
    let dev = "mlperf-tiny-v0.5/reference/Nucleo-L4R5ZI";
    let ad = on(&b, dev, 2);
    let get = |metric| ad.iter().find(|m| m.metric == metric).unwrap().value;
    assert!(close(get(Metric::Energy), 0.416312), "µJ -> mJ");
    assert!(close(get(Metric::Power), 40.095437), "µW -> mW");
    assert!(close(get(Metric::Latency), 10.0516));
    assert_eq!(model(ad[0]), "mlperf-tiny-ad");
    assert!(b.measurements.iter().any(|m| model(m) == "mlperf-tiny-open-v0.5-hls4ml-ic"));
    assert!(on(&b, "mlperf-tiny-v1.3/STMicroelectronics/NUCLEO_H7A3ZI_Q", 6).is_empty());
    assert!(b.provenance.contains("sww (streaming wakeword) energies on lines 6"));
}

#[test]
fn help_latencies_with_simulated_columns_named_in_the_provenance() {
    let b = load(Format::Help, &fixture("help/nasbench201_latency_ms.csv"));
    assert_eq!(counts(&b), (81, 27, 3));
    well_formed(&b);
    let raspi = on(&b, "help-raspi4", 2);
    assert!(close(raspi[0].value, 10.481976820010459));
    assert!(model(raspi[0]).starts_with("nasbench201:|avg_pool_3x3~0|+|"));
    let eyeriss = b.devices.iter().find(|d| d.name == "help-eyeriss").unwrap();
    assert_eq!(eyeriss.class, DeviceClass::Accelerator);
    assert!(eyeriss.notes.as_deref().unwrap_or("").contains("SIMULATED"));
    assert!(
        b.provenance.contains("SIMULATED columns (HW-NAS-Bench estimates, not measurements): eyeriss, fpga")
    );
    let measured = b.provenance.lines().find(|l| l.starts_with("MEASURED columns:")).unwrap();
    assert!(measured.contains("1080ti_1") && measured.contains("raspi4") && !measured.contains("eyeriss"));

    let b = load(Format::Help, &fixture("help/fbnet_latency_ms.csv"));
    assert_eq!(counts(&b), (54, 27, 2));
    assert!(b.measurements.iter().any(|m| model(m) == "fbnet:7-8-1-8-4-8-8-8-7-4-1-4-7-3-2-7-3-2-4-2-4-5"));
}

fn nn_meter_opts() -> ReadOptions {
    ReadOptions { device: Some("synthetic-adreno640gpu".into()), ..ReadOptions::default() }
}

#[test]
fn nn_meter_single_file_synthetic() {
    let path = fixture("nn_meter/synthetic_nnmeter_results.json");
    let b = read(Format::NnMeter, &path, &nn_meter_opts()).unwrap();
    assert_eq!(counts(&b), (8, 1, 0));
    well_formed(&b);
    assert_eq!(b.devices[0].class, DeviceClass::Gpu, "told by the name");
    let by_id = |id: &str| {
        b.measurements
            .iter()
            .find(|m| matches!(&m.subject, Subject::Kernel(k) if k.source_id.as_deref() == Some(id)))
            .unwrap()
    };
    let m = by_id("SYN0A1");
    assert_eq!((m.line, m.metric, m.value, m.std), (3, Metric::Latency, 1.5, Some(0.1)));
    let (kind, config) = kernel(m);
    assert_eq!(kind.to_string(), "conv-bn-relu");
    assert_eq!(
        (config.input_h, config.output_h, config.cin, config.cout, config.pads),
        (28, 28, 32, 64, [1; 4])
    );
    assert_eq!(by_id("SYN0A2").std, None);
    let (kind, config) = kernel(by_id("SYN0B1"));
    assert_eq!(
        (kind.to_string().as_str(), config.groups, config.cout, config.output_h),
        ("dwconv-bn-relu", 96, 96, 28)
    );
    assert_eq!(kernel(by_id("SYN0D1")).0.to_string(), "gap");
    assert_eq!(kernel(by_id("SYN0E1")).1.input_channels, vec![64, 32, 32]);
    assert_eq!(kernel(by_id("SYN0G1")).0.to_string(), "add-relu");

    // The files do not name their device.
    let e = read(Format::NnMeter, &path, &ReadOptions::default()).unwrap_err();
    assert!(e.to_string().contains("--device"), "{e}");
    let no_class = ReadOptions { device: Some("lab-board-3".into()), ..ReadOptions::default() };
    let e = read(Format::NnMeter, &path, &no_class).unwrap_err();
    assert!(e.to_string().contains("--device-class"), "{e}");
}

#[test]
fn deepen_pair_is_joined_on_kind_and_id_synthetic() {
    let configs = fixture("nn_meter/synthetic_deepen_configs.json");
    let energy = fixture("nn_meter/synthetic_deepen_energy.json");
    let opts = ReadOptions {
        configs: Some(configs.clone()),
        device_class: Some(DeviceClass::Cpu),
        ..nn_meter_opts()
    };
    let b = read(Format::NnMeter, &energy, &opts).unwrap();
    assert_eq!(counts(&b), (4, 1, 0));
    well_formed(&b);
    assert_eq!(b.devices[0].class, DeviceClass::Cpu, "the class given wins over the name");
    let first = &b.measurements[0];
    assert_eq!((first.line, first.metric, first.value), (3, Metric::Energy, 2.0));
    assert_eq!(kernel(first).1.cin, 32);
    let power = b.measurements.iter().find(|m| m.metric == Metric::Power).unwrap();
    assert_eq!((power.line, power.value), (4, 500.0));
    let dw = b.measurements.iter().find(|m| m.line == 7).unwrap();
    assert_eq!((dw.value, dw.std), (0.5, Some(0.125)));
    assert!(b.provenance.contains("1 of its 4 configurations have no measurement here"));

    // Either file alone is refused, with what to do.
    let e = read(Format::NnMeter, &energy, &nn_meter_opts()).unwrap_err();
    assert!(e.to_string().contains("this is a measurement file"), "{e}");
    let e = read(Format::NnMeter, &configs, &nn_meter_opts()).unwrap_err();
    assert!(e.to_string().contains("this is a configuration file"), "{e}");
}

#[test]
fn generic_csv_converts_each_row_once_synthetic() {
    let b = load(Format::Csv, &fixture("csv/synthetic_measurements.csv"));
    assert_eq!(counts(&b), (6, 2, 1));
    well_formed(&b);
    let row = |line: usize| b.measurements.iter().find(|m| m.line == line).unwrap();
    assert_eq!(
        (row(2).metric, row(2).value, row(2).std, row(2).repetitions),
        (Metric::Energy, 0.8, Some(0.01), Some(100))
    );
    assert!(close(row(3).value, 2.5) && close(row(3).std.unwrap(), 0.05), "µs -> ms");
    let (kind, config) = kernel(row(2));
    assert_eq!((kind.to_string().as_str(), config.output_h, config.pads), ("conv-bn-relu", 56, [1; 4]));
    let (kind, config) = kernel(row(4));
    assert_eq!(kind.to_string(), "dwconv-bn-relu", "the parser's spelling");
    assert_eq!((config.output_h, config.groups, config.pads), (56, 32, [0, 0, 1, 1]));
    assert_eq!((row(4).run, row(5).run), (Some(1), Some(2)));
    assert_eq!(model(row(6)), "synthetic-net");
    assert!(close(row(6).value, 20.0) && close(row(6).std.unwrap(), 1.0), "s -> ms");
    assert_eq!((row(7).metric, row(7).value), (Metric::Power, 1500.0));
    let gpu = b.devices.iter().find(|d| d.name == "synthetic-gpu-b").unwrap();
    assert_eq!(gpu.class, DeviceClass::Gpu);
}

#[test]
fn neurstruc_whole_cnns_come_with_their_conv_layers() {
    for (file, models, convs) in [("random_testset_1.txt", 17, 912), ("custom_testset_2.txt", 5, 194)] {
        let b = load(Format::Neurstruc, &bundled(&format!("neurstrucenergy/{file}")));
        assert_eq!(b.graphs.len(), models, "{file}");
        assert!(b.graphs.iter().all(|g| g.backend.is_none() && g.uncosted == 0 && !g.kernels.is_empty()));
        // Conv2d layers (layer id 1) counted in the files independently of einf, with a few lines
        // of Python: 912 in the 17 random models, 194 in the 5 custom ones.
        assert_eq!(b.graphs.iter().map(|g| g.kernels.len()).sum::<usize>(), convs, "{file}");
        let kinds: BTreeSet<String> =
            b.graphs.iter().flat_map(|g| g.kernels.iter().map(|(k, _)| k.to_string())).collect();
        assert!(
            kinds.iter().all(|k| ["conv", "dwconv", "groupconv"].iter().any(|b| k.starts_with(b))),
            "{kinds:?}"
        );
    }
}
