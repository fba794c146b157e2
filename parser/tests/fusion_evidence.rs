//! The TFLite GPU fusion rules against the evidence: every GPU-delegate kernel in the qed-usc op
//! tables whose name joins ops with `_linked_:_` must be a chain the `tflite-gpu` rules allow.

use einf_parser::fusion::Rules;
use einf_parser::kernel::Role;
use std::collections::BTreeMap;

const TABLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../dataset/data/qed-usc-mobile-ml-benchmark/tflite_cnn_ops_gpu.csv"
);

/// The role of a TFLite op row (the table's `operation` column).
fn base_role(op: &str) -> Option<Role> {
    Some(match op {
        "CONV_2D" => Role::Conv,
        "DEPTHWISE_CONV_2D" => Role::DwConv,
        "CONV_2D_GROUP" => Role::GroupConv,
        "FULLY_CONNECTED" => Role::Fc,
        "MAX_POOL_2D" => Role::MaxPool,
        "AVERAGE_POOL_2D" => Role::AvgPool,
        "CONCATENATION" => Role::Concat,
        "MEAN" => Role::Gap,
        _ => return None,
    })
}

/// The role of a linked GPU op name (`relu_12` → relu).
fn linked_role(part: &str) -> Option<Role> {
    let name = part.trim_end_matches(|c: char| c.is_ascii_digit() || c == '_');
    Some(match name {
        "relu" => Role::Relu,
        "add" => Role::Add,
        "mul" => Role::Mul,
        "sub" => Role::Sub,
        "hard_swish" => Role::Hswish,
        "sigmoid" => Role::Sigmoid,
        "minimum" | "maximum" => Role::Eltwise,
        "tanh" => Role::Tanh,
        _ => return None,
    })
}

/// Split a CSV line on commas outside double quotes.
fn fields(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut quoted) = (0, false);
    for (i, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                out.push(&line[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&line[start..]);
    out
}

#[test]
fn every_linked_gpu_kernel_is_allowed_by_the_tflite_gpu_rules() -> anyhow::Result<()> {
    let rules = Rules::builtin("tflite-gpu")?;
    let text = std::fs::read_to_string(TABLE)?;
    let mut lines = text.lines();
    let header = fields(lines.next().unwrap_or_default());
    let kernel_cols: Vec<usize> =
        header.iter().enumerate().filter(|(_, h)| h.ends_with("|kernel")).map(|(i, _)| i).collect();
    assert_eq!(kernel_cols.len(), 6, "six devices");
    let mut checked: BTreeMap<String, usize> = BTreeMap::new();
    let mut unmapped = 0usize;
    for line in lines {
        let f = fields(line);
        let Some(base) = f.get(1).and_then(|op| base_role(op)) else { continue };
        for &c in &kernel_cols {
            let Some(name) = f.get(c).filter(|n| n.contains("_linked_:_")) else { continue };
            let mut parts = name.split("_linked_:_");
            let head = parts.next().unwrap_or_default();
            if head.starts_with("depthwise_conv_plus_") {
                // Metal fuses a depthwise conv with the following 1×1 conv: a two-conv kernel the
                // role-pair rules do not model (see parser/rules/tflite-gpu.toml).
                continue;
            }
            let mut last = base.clone();
            for part in parts {
                let Some(next) = linked_role(part) else {
                    unmapped += 1;
                    continue;
                };
                assert!(rules.fuses(&last, &next), "{name} ({}): {last} > {next} is not in tflite-gpu", f[1]);
                *checked.entry(format!("{last} > {next}")).or_default() += 1;
                last = next;
            }
        }
    }
    assert_eq!(unmapped, 0, "linked op names without a role");
    // The tables show these pairs many times; make sure the test really read them.
    for pair in
        ["conv > relu", "conv > add", "add > relu", "dwconv > relu", "dwconv > hswish", "conv > sigmoid"]
    {
        assert!(checked.get(pair).copied().unwrap_or(0) >= 10, "{pair}: {checked:?}");
    }
    Ok(())
}

#[test]
fn mean_kernels_are_never_linked_so_gap_absorbs_nothing() {
    let rules = Rules::builtin("tflite-gpu").unwrap_or_else(|e| panic!("{e}"));
    for next in [Role::Relu, Role::Add, Role::Mul, Role::Hswish] {
        assert!(!rules.fuses(&Role::Gap, &next));
    }
}
