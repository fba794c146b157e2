//! Per-stage timing of the parser on one model, for finding where time goes:
//! `cargo run --release -p einf-parser --example stages -- MODEL [NAME=DIMS]...` (N=iterations).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
use einf_parser::fusion::Rules;
use einf_parser::shape::{InputShape, infer};
use einf_parser::{analyze, detect, parse_bytes};
use std::time::Instant;
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let p = std::path::PathBuf::from(&args[1]);
    let shapes: Vec<InputShape> = args.iter().skip(2).map(|s| s.parse().unwrap()).collect();
    let bytes = std::fs::read(&p).unwrap();
    let rules = Rules::builtin("onnxruntime-cpu").unwrap();
    let n: usize = std::env::var("N").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    let (mut tp, mut tv, mut ti, mut ta) = (0.0, 0.0, 0.0, 0.0);
    for _ in 0..n {
        let t = Instant::now();
        let mut g = parse_bytes(&bytes, detect(&p, &bytes), "m", p.parent()).unwrap();
        tp += t.elapsed().as_secs_f64();
        let t = Instant::now();
        g.validate().unwrap();
        tv += t.elapsed().as_secs_f64();
        let t = Instant::now();
        infer(&mut g, &shapes).unwrap();
        ti += t.elapsed().as_secs_f64();
        let t = Instant::now();
        std::hint::black_box(analyze(&g, &rules).unwrap());
        ta += t.elapsed().as_secs_f64();
    }
    let ms = |x: f64| x * 1000.0 / n as f64;
    println!("parse {:.3} ms, validate {:.3}, infer {:.3}, analyze {:.3}", ms(tp), ms(tv), ms(ti), ms(ta));
}
