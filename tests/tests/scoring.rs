//! End-to-end tests of `einf score`, `einf solution` and `einf cascade`: the worked examples of
//! REFERENCE §4, JSON fields, plots and errors.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use einf_tests::einf;
use serde_json::Value;
use std::path::PathBuf;
use std::process::Output;

/// Runs `einf` and parses its JSON output, failing on a non-zero exit.
fn json(args: &[&str]) -> Value {
    let out = einf(args).unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn stdout(args: &[&str]) -> String {
    let out = einf(args).unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Runs `einf`, expects failure with a one-line error, and returns that line.
fn fails(args: &[&str]) -> String {
    let out: Output = einf(args).unwrap();
    assert!(!out.status.success(), "{args:?} succeeded");
    assert_eq!(out.status.code(), Some(1), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    let err = String::from_utf8_lossy(&out.stderr).trim_end().to_string();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("einf: "), "{err}");
    err
}

/// The arguments written in `line`, split at spaces (none of these holds one).
fn words(line: &str) -> Vec<&str> {
    line.split_whitespace().collect()
}

/// The arguments written in `line`, then `paths` as they are (a path may hold a space).
fn words_then<'a>(line: &'a str, paths: &[&'a str]) -> Vec<&'a str> {
    let mut args = words(line);
    args.extend_from_slice(paths);
    args
}

/// Runs each command line (its arguments split at spaces), expects a one-line error, and checks
/// that the error holds every text wanted of it.
fn fail_each(cases: &[(&str, &[&str])]) {
    for &(line, wants) in cases {
        let err = fails(&words(line));
        for want in wants {
            assert!(err.contains(want), "{line}: {want:?} missing in {err}");
        }
    }
}

fn f(v: &Value, key: &str) -> f64 {
    v[key].as_f64().unwrap_or_else(|| panic!("{key} missing in {v}"))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

/// A file in a fresh temporary folder for this test.
fn temp_file(test: &str, name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("einf-scoring-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

mod score {
    use super::*;

    #[test]
    fn recognition_efficiency_examples() {
        let v = json(&["score", "--einf", "1mJ", "--recgrad", "0.5", "--classes", "4", "--json"]);
        assert_eq!(v["schema"], "einf.score/1");
        assert_eq!(f(&v, "re"), 2.0);
        assert_eq!(v["energy_class"], "C");
        assert!(v["te"].is_null() && v["relc"].is_null());
        let v = json(&["score", "--einf", "100mJ", "--recgrad", "1", "--classes", "1000", "--json"]);
        assert_eq!(f(&v, "re"), 100.0);
        assert_eq!(v["energy_class"], "B");
        // The same energy in another unit.
        let v = json(&["score", "--einf", "0.1J", "--recgrad", "1", "--classes", "1000", "--json"]);
        assert_eq!(f(&v, "re"), 100.0);
    }

    #[test]
    fn training_and_lifecycle_examples() {
        let v = json(&words("score --einf 1mJ --recgrad 0.5 --classes 4 --etrain 16kJ --json"));
        assert_eq!(f(&v, "te"), 1.0);
        assert_eq!(f(&v, "etrain_kj"), 16.0);
        assert_eq!(f(&v, "break_even_uses"), 16e6);
        let args = "score --einf 1mJ --recgrad 0.1 --classes 1000 --etrain 10000kJ --uses 1e10 --json";
        let v = json(&words(args));
        assert_eq!(f(&v, "te"), 100.0);
        // F½ = 10⁷ kJ / 1 mJ = 10¹⁰: DLLCE = 0.5 and E_LC = 2 Etrain.
        assert_eq!(f(&v, "dllce"), 0.5);
        assert_eq!(f(&v, "lifecycle_energy_mj"), 2e10);
        assert!(close(f(&v, "relc"), 100.0 / 2f64.sqrt()), "{v}");
        assert!(f(&v, "relc") < f(&v, "re"));
    }

    #[test]
    fn table_and_whole_system_factor() {
        let text = stdout(&words("score --einf 12.5mJ --recgrad 0.8 --classes 10 --etrain 3kJ --uses 1e6"));
        for want in
            ["Einf", "12.5 mJ", "RE = ", "2.2627 /√mJ, energy class C", "TE = ", "DLLCE", "0.80645", "RELC"]
        {
            assert!(text.contains(want), "{want} missing in\n{text}");
        }
        let v = json(&words("score --einf 2mJ --recgrad 0.5 --classes 4 --system-factor single --json"));
        assert_eq!(f(&v, "einf_mj"), 5.0);
        assert_eq!(f(&v, "baselined_einf_mj"), 2.0);
        assert_eq!(f(&v, "system_factor"), 2.5);
        assert_eq!(f(&v, "re"), 2.0 / 5f64.sqrt());
        let v = json(&words("score --einf 16mJ --recgrad 0.5 --classes 4 --error-rate 0.5 --alpha 4 --json"));
        assert_eq!(f(&v, "energy_precision_ratio_mj"), 1.0);
    }

    #[test]
    fn recgrad_from_a_probabilities_file() {
        let probs = temp_file("probs", "p.csv", "label,p0,p1,p2\n0,0.7,0.2,0.1\n0,0.2,0.7,0.1\n");
        let p = probs.to_str().unwrap();
        let out = einf(&["score", "--einf", "1mJ", "--probs", p, "--json"]).unwrap();
        assert!(out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("warning") && stderr.contains("2 test cases"), "{stderr}");
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(close(f(&v, "recgrad"), 0.0), "{v}");
        assert_eq!(v["cases"], 2);
        assert_eq!(v["classes"], 3);
        assert_eq!(v["warnings"].as_array().map(Vec::len), Some(1));
        // k = 2 doubles the miss: (0.5 − 1.0) / 2.
        let v = json(&["score", "--einf", "1mJ", "--probs", p, "--miss-penalty", "2", "--json"]);
        assert!(close(f(&v, "recgrad"), -0.25), "{v}");
        assert!(f(&v, "re") < 0.0);
        assert_eq!(v["energy_class"], "D");
    }

    #[test]
    fn plot_is_svg_with_titled_axes() {
        let dir = temp_file("plot", "keep", "");
        let svg = dir.with_file_name("relc.svg");
        let s = svg.to_str().unwrap();
        let args = "score --einf 12.5mJ --recgrad 0.8 --classes 10 --etrain 3kJ --uses 1e6 --plot";
        stdout(&words_then(args, &[s]));
        let text = std::fs::read_to_string(&svg).unwrap();
        assert!(text.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""), "{text}");
        assert!(text.trim_end().ends_with("</svg>"));
        assert!(text.contains(">uses F (inferences)</text>") && text.contains(">efficiency (1/√mJ)</text>"));
    }

    #[test]
    fn bad_input_is_a_named_one_line_error() {
        fail_each(&[
            ("score --einf 12.5 --recgrad 0.8 --classes 10", &["--einf", "'12.5' has no unit"]),
            (
                "score --einf 12mW --recgrad 0.8 --classes 10",
                &["'mW' is a unit of power, but an energy is needed"],
            ),
            ("score --einf=-1mJ --recgrad 0.8 --classes 10", &["is negative"]),
            ("score --einf 0mJ --recgrad 0.8 --classes 10", &["Einf must be a positive energy"]),
            ("score --einf 1mJ --recgrad 0.8 --classes 0", &["at least 2 classes, got 0"]),
            ("score --einf 1mJ --recgrad NaN --classes 10", &["RECgrad"]),
            (
                "score --einf 1mJ --recgrad 0.8 --classes 10 --etrain 3kJ --uses 0",
                &["uses F must be positive"],
            ),
            ("score --einf 1mJ --recgrad 0.8 --classes 10 --system-factor 0.2", &["whole-system factor"]),
        ]);
    }

    #[test]
    fn bad_probabilities_files_name_file_and_line() {
        let cases = [
            (
                "range.csv",
                "0,0.7,0.2,0.1\n3,0.7,0.2,0.1\n",
                "range.csv:2: label 3 is outside the class range 0..3",
            ),
            ("sum.csv", "0,0.7,0.2,0.05\n", "sum.csv:1: probabilities sum to 0.95"),
            ("neg.csv", "label,a,b\n1,-0.2,1.2\n", "neg.csv:2: probability -0.2 of class 0 is negative"),
            ("empty.csv", "", "empty.csv: no data rows"),
            ("header.csv", "label,p0,p1\n", "header.csv: no data rows"),
        ];
        for (name, text, want) in cases {
            let path = temp_file("badprobs", name, text);
            let err = fails(&["score", "--einf", "1mJ", "--probs", path.to_str().unwrap()]);
            assert!(err.contains(want), "{name}: {err}");
        }
        let err = fails(&["score", "--einf", "1mJ", "--probs", "no/such/p.csv"]);
        assert!(err.contains("no/such/p.csv: cannot read"), "{err}");
    }
}

mod solution {
    use super::*;

    #[test]
    fn power_battery_and_break_even() {
        let v = json(&words("solution --einf 2mJ --rate 10fps --static 1mW --battery 2100mWh --json"));
        assert_eq!(v["schema"], "einf.solution/1");
        assert_eq!(f(&v, "power_mw"), 21.0);
        assert_eq!(f(&v, "dynamic_mw"), 20.0);
        assert_eq!(f(&v, "break_even_fps"), 0.5);
        assert_eq!(f(&v, "battery_hours"), 100.0);
        assert!(v["duty_cycle"].is_null());
        // 600 frames a minute is 10 fps.
        let v = json(&words("solution --einf 2000uJ --rate 600/min --static 0.001W --latency 25ms --json"));
        assert!(close(f(&v, "power_mw"), 21.0), "{v}");
        assert_eq!(f(&v, "duty_cycle"), 0.25);
    }

    #[test]
    fn table_and_plot() {
        let dir = temp_file("solplot", "keep", "");
        let svg = dir.with_file_name("solution.svg");
        let args = "solution --einf 50uJ --rate 10fps --static 1mW --battery 300mAh@3.7V --plot";
        let text = stdout(&words_then(args, &[svg.to_str().unwrap()]));
        assert!(text.contains("solution power P") && text.contains("1.5 mW"), "{text}");
        assert!(text.contains("740.00 h"), "{text}");
        let plot = std::fs::read_to_string(&svg).unwrap();
        assert!(plot.contains(">frame rate (fps)</text>") && plot.contains(">power (mW)</text>"));
    }

    #[test]
    fn bad_input_is_a_named_one_line_error() {
        fail_each(&[
            ("solution --einf 2mJ --rate 10 --static 1mW", &["--rate", "has no unit"]),
            ("solution --einf 2mJ --rate 10fps --static 1mJ", &["--static", "a power is needed"]),
            ("solution --einf 2mJ --rate 10fps --static 1mW --battery 300mAh", &["needs its voltage"]),
            ("solution --einf 2mJ --rate 100fps --static 1mW --latency 20ms", &["200%"]),
            ("solution --einf 2mJ --rate 0fps --static 0W --battery 1Wh", &["unbounded"]),
        ]);
    }
}

mod cascade {
    use super::*;

    /// REFERENCE §4's example: the two models, always on and woken for 10 s.
    const MODELS: &str = "cascade --static 1mW --small 50uJ --small-rate 10fps --medium 2mJ --active 10s";
    /// The rest of the example: how often it is woken, the cloud share and the battery.
    const EVENTS: &str = "--events 6/h --cloud-share 0.5 --cloud-size 70kB --battery 300mAh@3.7V";

    fn example<'a>(extra: &[&'a str]) -> Vec<&'a str> {
        let mut v: Vec<&'a str> = words(MODELS);
        v.extend(words(EVENTS));
        v.extend_from_slice(extra);
        v
    }

    /// REFERENCE §4: 13.608 mW and 81.57 h.
    #[test]
    fn the_worked_example() {
        let v = json(&example(&["--json"]));
        assert_eq!(v["schema"], "einf.cascade/1");
        let at = &v["at"];
        let exact = 1.0 + 0.5 * 59.0 / 60.0 + 20.0 / 60.0 + 3.0 * 14_140.0 / 3600.0;
        assert!(close(f(at, "total_mw"), exact), "{at}");
        assert_eq!(format!("{:.3}", f(at, "total_mw")), "13.608");
        assert!(close(f(at, "active_share"), 1.0 / 60.0));
        assert!(close(f(at, "cloud_mw"), 3.0 * 14_140.0 / 3600.0));
        assert_eq!(f(&v["cloud"], "energy_j"), 14.14);
        assert_eq!(format!("{:.2}", f(&v, "battery_hours")), "81.57");
        assert_eq!(at["winner"], "cascade");
        assert!(v["sweep"].is_null());
        let text = stdout(&example(&[]));
        assert!(text.contains("13.608 mW") && text.contains("81.57 h"), "{text}");
    }

    #[test]
    fn the_sweep_shows_where_the_medium_model_first_wins() {
        let rest = "--wake 195mJ --sweep --from 1/h --to 3600/h --points 13 --json";
        let args = [words(MODELS), words(rest)].concat();
        let v = json(&args);
        assert!(close(f(&v, "break_even_events_per_hour"), 180.0), "{v}");
        let sweep = v["sweep"].as_array().unwrap();
        assert_eq!(sweep.len(), 13);
        assert_eq!(f(&sweep[0], "events_per_hour"), 1.0);
        assert_eq!(f(&sweep[12], "events_per_hour"), 3600.0);
        assert_eq!(sweep[0]["winner"], "cascade");
        assert_eq!(sweep[12]["winner"], "large-first");
        assert!(sweep.windows(2).all(|w| f(&w[0], "total_mw") <= f(&w[1], "total_mw")));
        assert!(v["at"].is_null());
        let text = stdout(&args[..args.len() - 1]);
        assert!(
            text.contains("events/h") && text.contains("large first") && text.contains("180 /h"),
            "{text}"
        );
    }

    #[test]
    fn plot_is_svg_with_titled_axes() {
        let dir = temp_file("casplot", "keep", "");
        let svg = dir.with_file_name("cascade.svg");
        stdout(&example(&["--plot", svg.to_str().unwrap()]));
        let plot = std::fs::read_to_string(&svg).unwrap();
        assert!(plot.starts_with("<svg") && plot.contains(">event rate (events per hour)</text>"));
        assert!(plot.contains(">power (mW)</text>") && plot.contains(">6 /h</text>"));
    }

    #[test]
    fn bad_input_is_a_named_one_line_error() {
        // The example with one value replaced: (its index, the value, what the error must say).
        let cases: [(usize, &str, &[&str]); 5] = [
            (4, "50", &["--small", "has no unit"]),
            (12, "6", &["--events"]),
            (14, "1.5", &["cloud share"]),
            (8, "0J", &["medium model energy E_M must be a positive energy"]),
            (10, "0s", &["active time"]),
        ];
        for (i, value, wants) in cases {
            let mut args = example(&[]);
            args[i] = value;
            let err = fails(&args);
            for want in wants {
                assert!(err.contains(want), "{args:?}: {want:?} missing in {err}");
            }
        }
    }
}

/// `einf score --model` and `einf device-score`: Einf and device costs from the predictor.
mod predicted {
    use super::*;
    use einf_tests::fixture;

    fn resnet() -> String {
        fixture("onnx-light/light_resnet50.onnx").display().to_string()
    }

    /// `einf score --model <model>`, then the arguments written in `rest`.
    fn score_model<'a>(model: &'a str, rest: &'a str) -> Vec<&'a str> {
        let mut args = vec!["score", "--model", model];
        args.extend(words(rest));
        args
    }

    #[test]
    fn score_model_takes_einf_from_the_predictor() {
        let m = resnet();
        let p = json(&["predict", &m, "--device", "neurstrucenergy-cuda", "--json"]);
        let energy = p[0]["totals"].as_array().unwrap().iter().find(|t| t["metric"] == "energy").unwrap();
        // The calibrated whole-model energy (the device has a calibration from 17 measured CNNs).
        let want = energy["calibrated"][0].as_f64().unwrap();
        let v = json(&score_model(&m, "--device neurstrucenergy-cuda --recgrad 0.5 --classes 1000 --json"));
        assert!(close(f(&v, "einf_mj"), want), "{v}");
        assert_eq!(v["predicted"]["basis"], "calibrated whole model");
        // Only energy has a whole-model calibration on this device: the power is the kernel sums'
        // energy over their latency, as `einf predict` reports it, and says so.
        assert_eq!(v["predicted"]["power_basis"], "kernel sum");
        assert_eq!(p[0]["power_basis"], "kernel-sum");
        assert!(close(f(&v["predicted"], "power_mw"), f(&p[0], "power_mw")), "{v}");
        assert_eq!(v["predicted"]["device"], "neurstrucenergy-cuda");
        // The same metrics as --einf with that energy.
        assert!(close(f(&v, "re"), 0.5 * 1000.0 / want.sqrt()));
        let text = stdout(&score_model(&m, "--device neurstrucenergy-cuda --recgrad 0.5 --classes 1000"));
        assert!(text.contains("predicted for light_resnet50 on neurstrucenergy-cuda"), "{text}");
    }

    #[test]
    fn score_model_on_a_latency_only_device_is_a_named_error() {
        let m = resnet();
        let err = fails(&score_model(&m, "--device pixel4-gpu-tflite-fp16 --recgrad 0.5 --classes 1000"));
        assert!(err.contains("device pixel4-gpu-tflite-fp16 predicts no energy (only latency)"), "{err}");
        let err = fails(&score_model(&m, "--recgrad 0.5 --classes 10"));
        assert!(err.contains("--device"), "{err}");
        let err = fails(&score_model(&m, "--device pixel9 --recgrad 0.5 --classes 10"));
        assert!(err.contains("unknown device 'pixel9'"), "{err}");
    }

    #[test]
    fn device_score_from_predictions_equals_the_score_of_the_same_costs_as_csv() {
        let v = json(&["device-score", "--device", "neurstrucenergy-cuda", "--json"]);
        assert_eq!(v["schema"], "einf.device-score/1");
        assert_eq!(v["predicted"], true);
        assert_eq!(v["score"]["set"], "einf-mobile/1");
        let models = v["models"].as_array().unwrap();
        assert_eq!(models.len(), 7);
        // IES = 1000 / geometric mean of the energies in mJ; PS likewise with powers in mW.
        let gm = |key: &str| (models.iter().map(|m| f(m, key).ln()).sum::<f64>() / models.len() as f64).exp();
        assert!(
            (f(&v["score"], "energy_score") - 1000.0 / gm("energy_mj")).abs()
                < 1e-9 * f(&v["score"], "energy_score")
        );
        assert!(
            (f(&v["score"], "power_score") - 1000.0 / gm("power_mw")).abs()
                < 1e-9 * f(&v["score"], "power_score")
        );
        // The resnet's energy is what `einf score --model` uses.
        let r = models.iter().find(|m| m["model"] == "light_resnet50").unwrap();
        let s = json(&score_model(&resnet(), "--device neurstrucenergy-cuda --recgrad 1 --classes 2 --json"));
        assert!(close(f(r, "energy_mj"), f(&s, "einf_mj")));
        // The same costs written as a measurement CSV give the same scores.
        let mut csv = String::from("model,energy,power\n");
        for m in models {
            csv.push_str(&format!(
                "{},{:?}mJ,{:?}mW\n",
                m["model"].as_str().unwrap(),
                f(m, "energy_mj"),
                f(m, "power_mw")
            ));
        }
        let path = temp_file("device-score", "costs.csv", &csv);
        let c = json(&["device-score", "--costs", path.to_str().unwrap(), "--json"]);
        assert_eq!(c["predicted"], false);
        assert!(close(f(&c["score"], "energy_score"), f(&v["score"], "energy_score")));
        assert!(close(f(&c["score"], "power_score"), f(&v["score"], "power_score")));
        let text = stdout(&["device-score", "--device", "neurstrucenergy-cuda"]);
        assert!(
            text.contains("predicted by neurstrucenergy-cuda") && text.contains("not measurements"),
            "{text}"
        );
    }

    #[test]
    fn device_score_takes_any_predictor_file() {
        let dir = einf_tests::scratch_dir("scoring", "device-score-file");
        let bundled = json(&["device-score", "--device", "neurstrucenergy-cuda", "--json"]);
        // A copy of the bundled file elsewhere, under another name, scores the same.
        let copy = dir.join("board.einfp");
        std::fs::copy(einf_tests::repo_root().join("predictor/data/neurstrucenergy-cuda.einfp"), &copy)
            .unwrap();
        let copy = copy.to_str().unwrap();
        assert_eq!(json(&["device-score", "--predictor", copy, "--json"]), bundled);
        // A device einf does not bundle: the same forests saved under a new device name.
        let mut p = einf_predictor::format::load(copy.as_ref()).unwrap();
        p.meta.device.name = "my-board-cuda".into();
        let renamed = dir.join("my-board.einfp");
        einf_predictor::format::save(&p, &renamed).unwrap();
        let renamed = renamed.to_str().unwrap();
        let v = json(&["device-score", "--predictor", renamed, "--json"]);
        assert_eq!(v["source"], "predicted by my-board-cuda");
        assert_eq!((&v["score"], &v["models"]), (&bundled["score"], &bundled["models"]));
        let text = stdout(&["device-score", "--predictor", renamed, "--set", "einf-mobile/1"]);
        assert!(text.contains("predicted by my-board-cuda") && text.contains("energy score IES"), "{text}");
        // A latency-only predictor file, a truncated one, and two sources of costs.
        let pixel4 = einf_tests::repo_root().join("predictor/data/pixel4-gpu-tflite-fp16.einfp");
        let err = fails(&["device-score", "--predictor", pixel4.to_str().unwrap()]);
        assert!(err.contains("device pixel4-gpu-tflite-fp16 predicts no energy"), "{err}");
        let bytes = std::fs::read(copy).unwrap();
        let cut = dir.join("cut.einfp");
        std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
        let err = fails(&["device-score", "--predictor", cut.to_str().unwrap()]);
        assert!(err.contains("cut.einfp"), "{err}");
        let err = fails(&["device-score", "--predictor", copy, "--device", "neurstruc"]);
        assert!(err.contains("give one of them"), "{err}");
        let err = fails(&["device-score", "--predictor", copy, "--costs", copy]);
        assert!(err.contains("give one of them"), "{err}");
    }

    #[test]
    fn device_score_bad_input_is_a_named_one_line_error() {
        let path = temp_file("device-score-bad", "costs.csv", "model,energy,power\nlight_resnet50,10mJ,2W\n");
        let err = fails(&["device-score", "--costs", path.to_str().unwrap()]);
        assert!(err.contains("light_squeezenet"), "{err}");
        let err = fails(&["device-score", "--device", "pixel4-gpu-tflite-fp16"]);
        assert!(err.contains("predicts no energy"), "{err}");
        let err = fails(&["device-score", "--set", "einf-huge/9", "--device", "neurstrucenergy-cuda"]);
        assert!(err.contains("einf-huge/9"), "{err}");
        let err = fails(&["device-score"]);
        assert!(err.contains("--costs"), "{err}");
        // The models folder is for predicted costs; with measured ones it would be ignored.
        let err = fails(&["device-score", "--costs", path.to_str().unwrap(), "--models-dir", "tests"]);
        assert!(err.contains("--models-dir tests is where predicted costs find their models"), "{err}");
    }
}
