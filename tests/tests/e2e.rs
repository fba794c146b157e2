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
        let model = fixture("generated/tinynet_op13.onnx");
        let out = einf(&["kernels", model.to_str().unwrap_or_default(), "--backend", "nope"])?;
        assert!(!out.status.success());
        assert!(stderr_line(&out).contains("unknown backend 'nope'"));
        Ok(())
    }
}
