//! Strings from the file as they appear in the graph and in messages: control characters are
//! escaped (`a\nb` → `a\\nb`), so that names print on one line and every error stays one line.

use std::borrow::Cow;

/// `s` with its control characters escaped (borrowed when it has none).
pub(crate) fn printable(s: &str) -> Cow<'_, str> {
    if s.chars().any(char::is_control) {
        Cow::Owned(
            s.chars()
                .map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() })
                .collect(),
        )
    } else {
        Cow::Borrowed(s)
    }
}

#[cfg(test)]
mod tests {
    use super::printable;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(printable("conv1/weight:0"), "conv1/weight:0");
        assert_eq!(printable("a\nb\tc\u{1b}"), "a\\nb\\tc\\u{1b}");
        assert!(matches!(printable("plain"), std::borrow::Cow::Borrowed(_)));
    }
}
