//! Search-space scoring speed: all 15,625 NAS-Bench-201 cells end to end (graph construction,
//! kernel splitting, deduplication and the FLOPs cost model), and one FBNet network. The
//! acceptance target is ≥ 10,000 NB201 candidates/s on 2 cores.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use einf_models::score::{FlopsCost, score_batch};
use einf_models::space::Space;
use std::hint::black_box;

fn nb201_all(c: &mut Criterion) {
    let space = Space::Nb201;
    let all = space.all().unwrap_or_default();
    let Ok(cost) = FlopsCost::new("tflite-gpu") else { return };
    let mut g = c.benchmark_group("nas");
    g.sample_size(10);
    g.throughput(Throughput::Elements(all.len() as u64));
    g.bench_function("nb201_all_15625_flops", |b| b.iter(|| black_box(score_batch(&space, &all, &cost))));
    let fb = Space::named("fbnet").ok();
    if let Some(fb) = fb {
        let some = fb.sample(1000, 1);
        g.throughput(Throughput::Elements(some.len() as u64));
        g.bench_function("fbnet_1000_flops", |b| b.iter(|| black_box(score_batch(&fb, &some, &cost))));
    }
    g.finish();
}

criterion_group!(benches, nb201_all);
criterion_main!(benches);
