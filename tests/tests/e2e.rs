//! End-to-end tests of the `einf` binary, grouped by behaviour.

use einf_tests::{einf, fixture};

fn stderr_line(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).trim_end().to_string()
}

mod errors {
    use super::*;

    #[test]
    fn missing_file_is_one_line_naming_the_file() -> anyhow::Result<()> {
        let out = einf(&["kernels", "no/such/model.onnx"])?;
        assert!(!out.status.success());
        let err = stderr_line(&out);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.starts_with("einf: no/such/model.onnx: cannot read"), "{err}");
        // The system's words once, not once per error in the chain.
        assert_eq!(err.matches("os error 2").count(), 1, "{err}");
        let out = einf(&["predict", "no/such/model.onnx"])?;
        assert_eq!(stderr_line(&out).matches("os error 2").count(), 1, "{}", stderr_line(&out));
        Ok(())
    }

    #[test]
    fn a_reader_that_stops_early_is_no_failure() -> anyhow::Result<()> {
        use std::io::Read;
        // ResNet-50's prediction on every bundled device is ~85 kB of JSON, more than a pipe holds.
        let model = fixture("onnx-light/light_resnet50.onnx");
        let mut child = std::process::Command::new(einf_tests::einf_binary())
            .args(["predict", model.to_str().unwrap_or_default(), "--json"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()?;
        let mut head = [0u8; 16];
        if let Some(mut stdout) = child.stdout.take() {
            stdout.read_exact(&mut head)?;
        }
        let out = child.wait_with_output()?;
        assert!(out.status.success(), "exit {:?}: {}", out.status, String::from_utf8_lossy(&out.stderr));
        assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(head.starts_with(b"["), "{head:?}");
        Ok(())
    }

    #[test]
    fn truncated_model_fails_cleanly() -> anyhow::Result<()> {
        let dir = std::env::temp_dir().join(format!("einf-e2e-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        for rel in ["onnx-light/light_resnet50.onnx", "generated/mobilenetv2_035.tflite"] {
            let bytes = std::fs::read(fixture(rel))?;
            let name = rel.rsplit('/').next().unwrap_or("m");
            let cut = dir.join(name);
            std::fs::write(&cut, &bytes[..bytes.len() / 3])?;
            let out = einf(&["kernels", cut.to_str().unwrap_or_default()])?;
            assert!(!out.status.success(), "{rel}");
            let err = stderr_line(&out);
            assert_eq!(err.lines().count(), 1, "{err}");
            assert!(err.contains(name), "{err}");
        }
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }

    #[test]
    fn unknown_backend_is_named() -> anyhow::Result<()> {
        let model = fixture("generated/mobilenetv2_035.tflite");
        let out = einf(&["kernels", model.to_str().unwrap_or_default(), "--backend", "nope"])?;
        assert!(!out.status.success());
        assert!(stderr_line(&out).contains("unknown backend 'nope'"));
        Ok(())
    }
}

mod kernels {
    use super::*;
    use einf_parser::onnx::proto::{
        GraphProto, ModelProto, NodeProto, OperatorSetIdProto, TensorShapeProto, TypeProto, ValueInfoProto,
        tensor_proto, tensor_shape_proto, type_proto,
    };
    use prost::Message;

    fn stdout(out: &std::process::Output) -> String {
        String::from_utf8_lossy(&out.stdout).to_string()
    }

    #[test]
    fn the_readme_command_prints_resnet50_kernels_totals_and_coverage() -> anyhow::Result<()> {
        let out = einf(&["kernels", "tests/fixtures/models/onnx-light/light_resnet50.onnx"])?;
        assert!(out.status.success(), "{}", stderr_line(&out));
        let text = stdout(&out);
        assert!(text.contains("conv-bn-add-relu"), "{text}");
        assert!(text.contains("total: 58 kernels, 4089184256 MACs"), "{text}");
        assert!(text.contains("0 of 58 kernels not costed"), "{text}");
        Ok(())
    }

    #[test]
    fn json_has_the_documented_schema() -> anyhow::Result<()> {
        let model = fixture("generated/mobilenetv2_035.tflite");
        let out =
            einf(&["kernels", model.to_str().unwrap_or_default(), "--json", "--backend", "tflite-gpu"])?;
        assert!(out.status.success(), "{}", stderr_line(&out));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)?;
        assert_eq!(v["schema"], "einf.kernels/1");
        assert_eq!(v["backend"], "tflite-gpu");
        assert_eq!(v["format"]["tflite"]["version"], 3);
        assert_eq!(v["inputs"][0]["shape"], serde_json::json!([1, 224, 224, 3]));
        let k = &v["kernels"][0];
        assert_eq!(k["kind"], "conv-bn-relu");
        for key in ["input_h", "input_w", "output_h", "output_w", "cin", "cout", "kernel_h", "kernel_w"] {
            assert!(k["config"][key].is_u64(), "{key}");
        }
        for key in ["stride_h", "stride_w", "pads", "dilation_h", "dilation_w", "groups", "dtype", "batch"] {
            assert!(!k["config"][key].is_null(), "{key}");
        }
        for key in ["macs", "flops", "params", "input_bytes", "output_bytes", "weight_bytes"] {
            assert!(k["features"][key].is_u64(), "{key}");
        }
        assert_eq!(v["totals"]["macs"], 59_285_808u64);
        assert_eq!(v["coverage"]["uncosted_kernels"], 0);
        Ok(())
    }

    #[test]
    fn a_dynamic_dim_must_be_set_and_can_be() -> anyhow::Result<()> {
        let model = fixture("pypi-extracted/rapidocr_ch_PP-OCRv4_det_infer.onnx");
        let path = model.to_str().unwrap_or_default();
        let out = einf(&["kernels", path])?;
        assert!(!out.status.success());
        let err = stderr_line(&out);
        assert!(err.contains("input 'x'") && err.contains("--input-shape x="), "{err}");
        let out = einf(&["kernels", path, "--input-shape", "x=1x3x640x640"])?;
        assert!(out.status.success(), "{}", stderr_line(&out));
        let out = einf(&["kernels", path, "--input-shape", "y=1x3x640x640"])?;
        assert!(!out.status.success());
        assert!(stderr_line(&out).contains("'y'"), "{}", stderr_line(&out));
        Ok(())
    }

    fn tensor_type(dims: &[i64]) -> Option<TypeProto> {
        let dim = dims
            .iter()
            .map(|&d| tensor_shape_proto::Dimension {
                value: Some(tensor_shape_proto::dimension::Value::DimValue(d)),
                ..Default::default()
            })
            .collect();
        Some(TypeProto {
            value: Some(type_proto::Value::TensorType(type_proto::Tensor {
                elem_type: Some(tensor_proto::DataType::Float as i32),
                shape: Some(TensorShapeProto { dim }),
            })),
            ..Default::default()
        })
    }

    /// Relu → an operator einf does not know (a contrib-domain op) → Relu.
    fn unsupported_model(dir: &std::path::Path) -> anyhow::Result<std::path::PathBuf> {
        let node = |op: &str, domain: &str, i: &str, o: &str| NodeProto {
            op_type: Some(op.into()),
            domain: Some(domain.into()),
            name: Some(format!("{op}_{o}")),
            input: vec![i.into()],
            output: vec![o.into()],
            ..Default::default()
        };
        let vi = |n: &str| ValueInfoProto {
            name: Some(n.into()),
            r#type: tensor_type(&[1, 8, 4, 4]),
            ..Default::default()
        };
        let graph = GraphProto {
            node: vec![
                node("Relu", "", "x", "a"),
                node("FancyOp", "com.example", "a", "b"),
                node("Relu", "", "b", "y"),
            ],
            input: vec![vi("x")],
            output: vec![vi("y")],
            value_info: vec![vi("b")],
            ..Default::default()
        };
        let model = ModelProto {
            ir_version: Some(8),
            opset_import: vec![OperatorSetIdProto { domain: Some(String::new()), version: Some(13) }],
            graph: Some(graph),
            ..Default::default()
        };
        let path = dir.join("unsupported.onnx");
        std::fs::write(&path, model.encode_to_vec())?;
        Ok(path)
    }

    #[test]
    fn unsupported_ops_are_reported_and_strict_fails() -> anyhow::Result<()> {
        let dir = std::env::temp_dir().join(format!("einf-e2e-unsup-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let model = unsupported_model(&dir)?;
        let path = model.to_str().unwrap_or_default();
        let out = einf(&["kernels", path])?;
        assert!(out.status.success(), "{}", stderr_line(&out));
        let text = stdout(&out);
        assert!(text.contains("unsupported:com.example:FancyOp (not costed)"), "{text}");
        assert!(text.contains("1 of 3 kernels not costed"), "{text}");
        let json = einf(&["kernels", path, "--json"])?;
        let v: serde_json::Value = serde_json::from_slice(&json.stdout)?;
        assert_eq!(v["coverage"]["unsupported_ops"]["com.example:FancyOp"], 1);
        let share = v["coverage"]["uncosted_node_share"].as_f64().unwrap_or(0.0);
        assert!((share - 1.0 / 3.0).abs() < 1e-9, "{share}");
        let out = einf(&["kernels", path, "--strict"])?;
        assert!(!out.status.success());
        let err = stderr_line(&out);
        assert!(err.contains("cannot be costed") && err.contains("com.example:FancyOp"), "{err}");
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }
}
