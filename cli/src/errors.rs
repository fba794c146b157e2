//! How the binary reports a failed command: one line, each cause once, and a reader that closed
//! the pipe early (`einf predict m.onnx --json | head`) is no failure at all.

/// The error and its causes on one line, `outer: cause: ...`, leaving out a cause whose text the
/// line already holds (an error that prints its source, as many do, would show it twice).
pub fn one_line(e: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line
}

/// Whether the error comes from writing to a pipe whose reader has gone.
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        let kind = cause
            .downcast_ref::<std::io::Error>()
            .map(std::io::Error::kind)
            .or_else(|| cause.downcast_ref::<serde_json::Error>().and_then(serde_json::Error::io_error_kind));
        kind == Some(std::io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    /// An error that prints its source and also chains it.
    #[derive(Debug)]
    struct Prints {
        source: std::io::Error,
    }

    impl std::fmt::Display for Prints {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "m.onnx: cannot read: {}", self.source)
        }
    }

    impl std::error::Error for Prints {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.source)
        }
    }

    #[test]
    fn a_cause_already_printed_is_not_repeated() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "No such file or directory (os error 2)");
        let e = anyhow::Error::new(Prints { source: io });
        assert_eq!(one_line(&e), "m.onnx: cannot read: No such file or directory (os error 2)");
        let e: anyhow::Error = Err::<(), _>(std::io::Error::other("disk full"))
            .context("writing out.csv")
            .err()
            .unwrap_or_else(|| anyhow::anyhow!("unreachable"));
        assert_eq!(one_line(&e), "writing out.csv: disk full");
    }

    #[test]
    fn a_closed_pipe_is_found_under_contexts_and_inside_serde_json() {
        let pipe = || std::io::Error::new(std::io::ErrorKind::BrokenPipe, "Broken pipe (os error 32)");
        assert!(is_broken_pipe(&anyhow::Error::new(pipe())));
        let wrapped: anyhow::Error = anyhow::Error::new(pipe()).context("writing the table");
        assert!(is_broken_pipe(&wrapped));
        let json = serde_json::Error::io(pipe());
        assert!(is_broken_pipe(&anyhow::Error::new(json)));
        assert!(!is_broken_pipe(&anyhow::anyhow!("no such device")));
    }
}
