//! Search spaces and batch scoring: NAS-Bench-201 networks against hand-derived parameter and
//! MAC counts, FBNet blocks as HW-NAS-Bench defines them, mobile spaces from a file, and
//! `score_batch` against building and splitting each candidate, with each distinct kernel costed
//! once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use einf_models::ModelsError;
use einf_models::score::{FlopsCost, KernelCost, Score, Scorer, kernels_of, score_batch};
use einf_models::space::fbnet::{self, FbnetArch, Setting};
use einf_models::space::mobile::MobileSpace;
use einf_models::space::nb201::{self, Nb201Cell, Nb201Op};
use einf_models::space::{Candidate, Space};
use einf_models::summary::summarize;
use einf_parser::fusion::Rules;
use einf_parser::kernel::Kernel;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Trainable parameters and MACs of the NAS-Bench-201 network outside its cells, by hand:
/// stem conv 3·16·9 = 432 (+ BN 32); reduction 16→32: 16·32·9 + 32·32·9 + 16·32 = 14,336
/// (+ BN 128); reduction 32→64: 18,432 + 36,864 + 2,048 = 57,344 (+ BN 256); head BN 128 and
/// fc 64·10 + 10 = 650. MACs: stem 432·32² = 442,368; each reduction 3,670,016 (its 3×3 convs
/// at the reduced size, the 1×1 after pooling); fc 640.
const FIXED_PARAMS: u64 = 432 + 32 + 14_336 + 128 + 57_344 + 256 + 128 + 650;
const FIXED_MACS: u64 = 442_368 + 2 * 3_670_016 + 640;

#[test]
fn nb201_extremes_have_the_hand_derived_size() {
    // Only skip edges: no cell adds a parameter or a MAC (73,306 params, 7.78 M MACs: the smallest
    // NAS-Bench-201 network, "0.073 MB").
    let skip = Nb201Cell { ops: [Nb201Op::Skip; 6] };
    let s = summarize(&nb201::build(&skip).unwrap());
    assert_eq!((s.params, s.macs), (FIXED_PARAMS, FIXED_MACS));
    assert_eq!(FIXED_PARAMS, 73_306);
    // Six 3×3 convs per cell, 5 cells per stage: C²·9 + 2C params and C²·9·H·W MACs each, the
    // latter 2,359,296 at every stage (C doubles as H and W halve): 1,531,546 params ("1.53 MB",
    // the largest network) and 220.12 M MACs.
    let conv = Nb201Cell { ops: [Nb201Op::Conv3x3; 6] };
    let s = summarize(&nb201::build(&conv).unwrap());
    let cell_params: u64 = [16u64, 32, 64].iter().map(|c| 30 * (c * c * 9 + 2 * c)).sum();
    assert_eq!(s.params, FIXED_PARAMS + cell_params);
    assert_eq!(s.params, 1_531_546);
    assert_eq!(s.macs, FIXED_MACS + 90 * 2_359_296);
    // A zero cell is one multiply by 0 per cell.
    let zero = Nb201Cell { ops: [Nb201Op::None; 6] };
    let g = nb201::build(&zero).unwrap();
    assert_eq!(summarize(&g).macs, FIXED_MACS);
    assert_eq!(g.nodes.iter().filter(|n| n.name.contains("/mul")).count(), 15);
}

#[test]
fn nb201_helps_first_architecture_splits_into_the_expected_kernels() {
    // HELP's arch 0: node 1 = avgpool(x); node 2 = conv1x1(x) + node 1; node 3 = conv1x1(x) + node 1
    // + node 2. Every cell has two 1×1 convs, one pool and three adds.
    let c = Nb201Cell::parse(
        "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|",
    )
    .unwrap();
    let g = nb201::build(&c).unwrap();
    let ks = einf_parser::fusion::fuse(&g, &Rules::builtin("tflite-cpu").unwrap()).unwrap();
    let count = |kind: &str| ks.iter().filter(|k| k.kind.to_string() == kind).count();
    assert_eq!(count("avgpool"), 15 + 2);
    // 2 per cell and the 1x1 shortcut convs of the two reductions (no BN: still conv-bn).
    assert_eq!(ks.iter().filter(|k| k.kind.to_string().starts_with("conv")).count(), 30 + 2 * 3 + 1);
    assert_eq!(count("gap"), 1);
}

#[test]
fn fbnet_blocks_follow_hw_nas_bench() {
    // All k3_e1_g2: every layer has a grouped expansion, a channel shuffle and a grouped projection.
    let g2 = FbnetArch { blocks: [1; fbnet::LAYERS] };
    let g = fbnet::build(&g2, Setting::Cifar100).unwrap();
    let ks = einf_parser::fusion::fuse(&g, &Rules::builtin("tflite-gpu").unwrap()).unwrap();
    assert_eq!(ks.iter().filter(|k| k.kind.to_string() == "channelshuffle").count(), 22);
    // All skip: the stem, the 1×1 convs where the shape changes (stages 2..7: 6 of them), the head.
    let skip = FbnetArch { blocks: [8; fbnet::LAYERS] };
    let s = summarize(&fbnet::build(&skip, Setting::Cifar100).unwrap());
    let convs = 3 * 16 * 9 + [16u64, 24, 32, 64, 112, 184, 352].windows(2).map(|w| w[0] * w[1]).sum::<u64>();
    let bn = 2 * (16 + 24 + 32 + 64 + 112 + 184 + 352 + 1504);
    assert_eq!(s.params, convs + 352 * 1504 + bn + 1504 * 100 + 100);
    // The ImageNet setting downsamples 32×: the head conv sees 7×7.
    let s224 = summarize(&fbnet::build(&skip, Setting::ImageNet).unwrap());
    assert!(s224.macs > s.macs);
    // Every block index builds at every layer (a block per layer, cycling).
    for shift in 0..9u8 {
        let mut blocks = [0u8; fbnet::LAYERS];
        for (i, b) in blocks.iter_mut().enumerate() {
            *b = (i as u8 + shift) % 9;
        }
        fbnet::build(&FbnetArch { blocks }, Setting::Cifar100).unwrap();
    }
}

const MOBILE: &str = r#"{
  "name": "m", "input": [3, 96, 96], "classes": 10, "stem_channels": 16, "head_channels": 256,
  "act": "hswish",
  "stages": [
    {"stride": 2, "kernel": [3, 5], "expansion": [1, 4], "depth": [1, 3], "width": [16, 24]},
    {"stride": 2, "kernel": [3, 7], "expansion": [6], "depth": [2], "width": [32]}
  ]
}"#;

#[test]
fn mobile_space_from_json_builds_each_choice() {
    let m = MobileSpace::from_json(MOBILE, "m.json").unwrap();
    let space = Space::Mobile(Box::new(m));
    assert_eq!(space.size(), 16 * 2);
    let all = space.all().unwrap();
    let rules = Rules::builtin("tflite-cpu").unwrap();
    for c in &all {
        let ks = kernels_of(&space, c, &rules).unwrap();
        let Candidate::Mobile(a) = c else { panic!() };
        let depth: u64 = a.stages.iter().map(|s| s.depth).sum();
        let dw = ks.iter().filter(|k| k.kind.to_string().starts_with("dwconv")).count() as u64;
        assert_eq!(dw, depth, "{c}");
    }
    assert!(matches!(space.parse("k3e1d1w16"), Err(ModelsError::Candidate { .. })));
    let bad = MOBILE.replace("\"depth\": [2]", "\"depth\": [0]");
    assert!(matches!(MobileSpace::from_json(&bad, "m.json"), Err(ModelsError::SpaceFile { .. })));
}

/// FLOPs, counting the kernels it is asked about.
struct Counting {
    inner: FlopsCost,
    asked: AtomicUsize,
}

impl KernelCost for Counting {
    fn name(&self) -> String {
        "counting".into()
    }
    fn unit(&self) -> String {
        "FLOPs".into()
    }
    fn rules(&self) -> &Rules {
        self.inner.rules()
    }
    fn cost(&self, kernels: &[Kernel]) -> einf_models::Result<Vec<f64>> {
        self.asked.fetch_add(kernels.len(), Ordering::SeqCst);
        self.inner.cost(kernels)
    }
}

#[test]
fn batch_scores_equal_building_each_candidate_and_cost_each_kernel_once() {
    for (space, n) in [(Space::Nb201, 60), (Space::named("fbnet").unwrap(), 8)] {
        let cands = space.sample(n, 5);
        let cost = Counting { inner: FlopsCost::new("tflite-gpu").unwrap(), asked: AtomicUsize::new(0) };
        let mut scorer = Scorer::new(&space, &cost).unwrap();
        let scores = scorer.score(&cands).unwrap();
        let rules = cost.rules();
        for (c, s) in cands.iter().zip(&scores) {
            let ks = kernels_of(&space, c, rules).unwrap();
            assert_eq!(s.kernels, ks.len(), "{c}");
            assert_eq!(s.flops, ks.iter().map(|k| k.features.flops).sum::<u64>());
            assert_eq!(s.macs, ks.iter().map(|k| k.features.macs).sum::<u64>());
            assert_eq!(s.cost, s.flops as f64);
        }
        let asked = cost.asked.load(Ordering::SeqCst);
        assert_eq!(asked, scorer.distinct_kernels());
        assert!((asked as u64) < scorer.total_kernels() / 4, "{asked} of {}", scorer.total_kernels());
        // A second batch costs only kernels not seen before.
        let again = scorer.score(&cands).unwrap();
        assert_eq!(again, scores);
        assert_eq!(cost.asked.load(Ordering::SeqCst), asked);
    }
    // The one-call form agrees.
    let cands = Space::Nb201.sample(10, 9);
    let flops = FlopsCost::new("onnxruntime-cpu").unwrap();
    let a = score_batch(&Space::Nb201, &cands, &flops).unwrap();
    assert_eq!(a.len(), 10);
}

#[test]
fn a_candidate_of_another_space_is_a_named_error() {
    let c = Space::Nb201.parse(&Nb201Cell { ops: [Nb201Op::Skip; 6] }.to_string()).unwrap();
    assert!(matches!(Space::named("fbnet").unwrap().build(&c), Err(ModelsError::Candidate { .. })));
    assert!(matches!(FlopsCost::new("no-such-backend"), Err(ModelsError::Cost { .. })));
}

/// A cost with no exact sums (an irrational function of the FLOPs), as a predictor's are.
struct Irrational(FlopsCost);

impl KernelCost for Irrational {
    fn name(&self) -> String {
        "irrational".into()
    }
    fn unit(&self) -> String {
        "ms".into()
    }
    fn rules(&self) -> &Rules {
        self.0.rules()
    }
    fn cost(&self, kernels: &[Kernel]) -> einf_models::Result<Vec<f64>> {
        Ok(kernels.iter().map(|k| (k.features.flops as f64 + 1.0).sqrt() / 7.0).collect())
    }
}

#[test]
fn a_candidates_cost_does_not_depend_on_the_order_or_company_it_is_scored_in() {
    for (space, n) in [(Space::Nb201, 400), (Space::named("fbnet").unwrap(), 12)] {
        let cands = space.sample(n, 11);
        let cost = Irrational(FlopsCost::new("tflite-gpu").unwrap());
        let forward = Scorer::new(&space, &cost).unwrap().score(&cands).unwrap();
        let reversed: Vec<Candidate> = cands.iter().rev().cloned().collect();
        let mut backward = Scorer::new(&space, &cost).unwrap().score(&reversed).unwrap();
        backward.reverse();
        // Bit for bit: the same candidate costs the same whichever kernels were seen first.
        for ((c, a), b) in cands.iter().zip(&forward).zip(&backward) {
            assert_eq!(a.cost.to_bits(), b.cost.to_bits(), "{c}: {} vs {}", a.cost, b.cost);
        }
        let alone: Vec<Score> =
            cands.iter().map(|c| score_batch(&space, std::slice::from_ref(c), &cost).unwrap()[0]).collect();
        assert_eq!(alone, forward);
    }
}
