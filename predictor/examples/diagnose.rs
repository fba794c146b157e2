//! Where do einf's kernel-level misses come from? For one device, the kernel k-fold of
//! `einf evaluate` (fold = i mod k) with einf's forests, broken down by kind and by the GPU kernel
//! the delegate chose (qed-usc `source_id`, digits stripped), next to an "oracle": the median of the
//! training kernels with the identical kind and configuration.
//!
//! ```sh
//! cargo run --release -p einf-predictor --example diagnose -- pixel4-gpu-tflite-fp16 [worst]
//! ```
use einf_predictor::bundled_data::load;
use einf_predictor::data::KernelSample;
use einf_predictor::features::FeatureSet;
use einf_predictor::forests::{Forests, MetricName};
use einf_predictor::params::ForestParams;
use std::collections::BTreeMap;

fn algo(s: &KernelSample) -> String {
    let id = s.source_id.clone().unwrap_or_default();
    let head = id.split("_linked_").next().unwrap_or_default().to_string();
    head.trim_end_matches(|c: char| c.is_ascii_digit() || c == '_').to_string()
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 { v[n / 2] } else { 0.5 * (v[n / 2 - 1] + v[n / 2]) }
}

#[derive(Default)]
struct Acc {
    n: usize,
    w10: usize,
    oracle_n: usize,
    oracle_w10: usize,
    einf_on_oracle_w10: usize,
    uniq_n: usize,
    uniq_w10: usize,
    log_err: f64,
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let device = args.get(1).cloned().unwrap_or_else(|| "pixel4-gpu-tflite-fp16".into());
    let worst: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(25);
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../dataset/data");
    let data = load(&root, &device)?;
    let samples: Vec<&KernelSample> = data.kernels.iter().collect();
    let metric: MetricName = data.kernels[0].metric;
    let samples: Vec<&KernelSample> = samples.into_iter().filter(|s| s.metric == metric).collect();
    let k = 5;
    let mut params = ForestParams::for_device(&device);
    let env = |k: &str| std::env::var(k).ok();
    if env("EINF_TARGET").as_deref() == Some("lograte") {
        params.target = einf_predictor::params::Target::LogRate;
    }
    if env("EINF_TARGET").as_deref() == Some("log") {
        params.target = einf_predictor::params::Target::Log;
    }
    if let Some(v) = env("EINF_LEAF").and_then(|v| v.parse().ok()) {
        params.min_samples_leaf = v;
    }
    if let Some(v) = env("EINF_MF").and_then(|v| v.parse().ok()) {
        params.max_features = einf_predictor::params::MaxFeatures::Count(v);
    }
    if let Some(v) = env("EINF_KIND_MIN").and_then(|v| v.parse().ok()) {
        params.min_kind_samples = v;
    }
    if let Some(v) = env("EINF_TREES").and_then(|v| v.parse().ok()) {
        params.n_trees = v;
    }
    let mut by_kind: BTreeMap<String, Acc> = BTreeMap::new();
    let mut rows = Vec::new();
    for fold in 0..k {
        let train: Vec<&KernelSample> =
            samples.iter().enumerate().filter(|(i, _)| i % k != fold).map(|(_, s)| *s).collect();
        let f = Forests::train(&train, &params, FeatureSet::Einf)?;
        let mut same: BTreeMap<String, Vec<f64>> = BTreeMap::new();
        for s in &train {
            same.entry(format!("{} {:?}", s.kind, s.config)).or_default().push(s.value);
        }
        for (i, s) in samples.iter().enumerate().filter(|(i, _)| i % k == fold) {
            let p = f.predict(&s.kind, &s.config, metric, "x")?.map_or(0.0, |e| e.value);
            let err = p / s.value - 1.0;
            let oracle = same.get(&format!("{} {:?}", s.kind, s.config)).map(|v| median(&mut v.clone()));
            for key in [format!("kind {}", s.kind), format!("algo {}", algo(s)), "all".into()] {
                let a = by_kind.entry(key).or_default();
                a.n += 1;
                a.w10 += usize::from(err.abs() <= 0.1);
                a.log_err += (p / s.value).ln();
                if let Some(o) = oracle {
                    a.oracle_n += 1;
                    a.oracle_w10 += usize::from((o / s.value - 1.0).abs() <= 0.1);
                    a.einf_on_oracle_w10 += usize::from(err.abs() <= 0.1);
                } else {
                    a.uniq_n += 1;
                    a.uniq_w10 += usize::from(err.abs() <= 0.1);
                }
            }
            rows.push((err, i, *s, p, oracle));
        }
    }
    println!("{device}: {} kernels", samples.len());
    println!(
        "{:<44} {:>5} {:>7} {:>8} | {:>6} {:>9} {:>9} | {:>6} {:>9}",
        "group", "n", "einf10", "meanlog", "dup n", "oracle10", "einf10dup", "uniq n", "einf10uniq"
    );
    for (key, a) in &by_kind {
        if a.n < 10 {
            continue;
        }
        let pc = |x: usize, n: usize| if n == 0 { f64::NAN } else { 100.0 * x as f64 / n as f64 };
        println!(
            "{:<44} {:>5} {:>6.1}% {:>8.3} | {:>6} {:>8.1}% {:>8.1}% | {:>6} {:>8.1}%",
            key,
            a.n,
            pc(a.w10, a.n),
            a.log_err / a.n as f64,
            a.oracle_n,
            pc(a.oracle_w10, a.oracle_n),
            pc(a.einf_on_oracle_w10, a.oracle_n),
            a.uniq_n,
            pc(a.uniq_w10, a.uniq_n)
        );
    }
    // Leave-models-out: signed error of held-out models' kernel sums.
    let groups = einf_predictor::eval::model_groups(&samples);
    if groups.is_empty() {
        return Ok(());
    }
    let fold_of: BTreeMap<&str, usize> =
        groups.iter().enumerate().flat_map(|(g, ms)| ms.iter().map(move |m| (m.as_str(), g % k))).collect();
    let mut sums: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
    for fold in 0..k {
        let inf = |s: &&KernelSample| s.model.as_deref().and_then(|m| fold_of.get(m)) == Some(&fold);
        let train: Vec<&KernelSample> = samples.iter().filter(|s| !inf(s)).copied().collect();
        let f = Forests::train(&train, &params, FeatureSet::Einf)?;
        for s in samples.iter().filter(|s| inf(s)) {
            let p = f.predict(&s.kind, &s.config, metric, "x")?.map_or(0.0, |e| e.value);
            let e = sums.entry(s.model.as_deref().unwrap_or_default()).or_default();
            e.0 += s.value;
            e.1 += p;
        }
    }
    // Calibration against end-to-end: term sets fitted on training models' measured sums.
    use einf_predictor::calibrate::{Calibration, ModelTerms, Term};
    let mut meas: BTreeMap<&str, ModelTerms> = BTreeMap::new();
    for s in &samples {
        if let Some(m) = &s.model {
            let t = meas.entry(m.as_str()).or_default();
            t.kernel_sum += s.value;
            t.kernels += 1.0;
            if einf_predictor::features::Family::of(&s.kind) != einf_predictor::features::Family::Conv {
                t.other_elements += einf_predictor::features::counts(&s.kind, &s.config).output_elements;
            }
        }
    }
    let e2e: BTreeMap<&str, f64> = data.models.iter().map(|m| (m.name.as_str(), m.value)).collect();
    let sets: Vec<(&str, Vec<Term>)> = vec![
        ("sum+1", vec![Term::KernelSum, Term::Intercept]),
        ("sum+n+1", vec![Term::KernelSum, Term::Kernels, Term::Intercept]),
        ("sum+n+other+1", vec![Term::KernelSum, Term::Kernels, Term::OtherElements, Term::Intercept]),
        ("sum+other+1", vec![Term::KernelSum, Term::OtherElements, Term::Intercept]),
        ("sum+n", vec![Term::KernelSum, Term::Kernels]),
    ];
    for (label, terms) in &sets {
        let mut ok = 0;
        let mut okm = 0;
        let mut n = 0;
        for fold in 0..k {
            let train: Vec<(ModelTerms, f64)> = meas
                .iter()
                .filter(|(m, _)| fold_of.get(*m) != Some(&fold))
                .filter_map(|(m, t)| e2e.get(m).map(|y| (*t, *y)))
                .collect();
            let cal = Calibration::fit(terms, &train)?;
            for (m, t) in meas.iter().filter(|(m, _)| fold_of.get(*m) == Some(&fold)) {
                let Some(y) = e2e.get(m) else { continue };
                let p = sums.get(m).map_or(0.0, |s| s.1);
                n += 1;
                ok += usize::from((cal.apply(&ModelTerms { kernel_sum: p, ..*t }) / y - 1.0).abs() <= 0.1);
                okm += usize::from((cal.apply(t) / y - 1.0).abs() <= 0.1);
            }
        }
        println!(
            "calibration {label}: predicted sums {:.1}%, measured sums {:.1}% of {n}",
            100.0 * ok as f64 / n as f64,
            100.0 * okm as f64 / n as f64
        );
    }
    let errs: Vec<(f64, &str)> = sums.iter().map(|(m, (y, p))| (p / y - 1.0, *m)).collect();
    let w10 = errs.iter().filter(|e| e.0.abs() <= 0.1).count();
    let mean = errs.iter().map(|e| e.0).sum::<f64>() / errs.len() as f64;
    println!(
        "models: {} within 10%: {w10} ({:.1}%), mean signed error {:+.2}%",
        errs.len(),
        100.0 * w10 as f64 / errs.len() as f64,
        100.0 * mean
    );
    let mut bad: Vec<_> = errs.iter().filter(|e| e.0.abs() > 0.1).collect();
    bad.sort_by(|a, b| b.0.abs().total_cmp(&a.0.abs()));
    for (e, m) in bad {
        println!("  {m}: {:+.1}%", 100.0 * e);
    }
    // Is there a per-model effect? Mean log residual per model in the kernel folds.
    let mut per_model: BTreeMap<&str, (f64, f64, usize)> = BTreeMap::new();
    let mut tot = 0.0;
    for (_, _, s, p, _) in &rows {
        let r = (p / s.value).ln();
        tot += r * r;
        let e = per_model.entry(s.model.as_deref().unwrap_or_default()).or_default();
        e.0 += r;
        e.2 += 1;
        e.1 += s.value;
    }
    let explained: f64 = per_model.values().map(|(r, _, n)| r * r / *n as f64).sum();
    println!(
        "per-model mean log residual explains {:.1}% of the residual sum of squares ({} models)",
        100.0 * explained / tot,
        per_model.len()
    );
    let mut pm: Vec<_> = per_model.iter().map(|(m, (r, sum, n))| (r / *n as f64, *sum, *m)).collect();
    pm.sort_by(|a, b| a.1.total_cmp(&b.1));
    for (r, sum, m) in pm.iter().step_by(8) {
        println!("  {m}: kernel sum {sum:.1} ms, mean log residual {r:+.3}");
    }
    rows.sort_by(|a, b| b.0.abs().total_cmp(&a.0.abs()));
    println!("worst:");
    for (err, i, s, p, o) in rows.iter().take(worst) {
        let c = &s.config;
        println!(
            "{:>+7.1}% #{i} {} {} {}x{}->{}x{} {}->{} k{}x{} s{} g{} meas {:.1} pred {:.1} oracle {:?} [{}]",
            100.0 * err,
            s.model.as_deref().unwrap_or("-"),
            s.kind,
            c.input_h,
            c.input_w,
            c.output_h,
            c.output_w,
            c.cin,
            c.cout,
            c.kernel_h,
            c.kernel_w,
            c.stride_h,
            c.groups,
            s.value,
            p,
            o.map(|v| (v * 10.0).round() / 10.0),
            s.source_id.as_deref().unwrap_or("")
        );
    }
    Ok(())
}
