//! A small JSON reader that keeps the line of every value and object key, so that a reader can
//! say `file:line: what is wrong` about a field, not only about a syntax error.
//!
//! It reads RFC 8259 JSON plus the bare `NaN`, `Infinity` and `-Infinity` Python's `json.dump`
//! writes, kept as number text so the reader can refuse them by name. Duplicate keys are kept (in
//! order) for the reader to refuse. Nesting is limited to [`MAX_DEPTH`] levels.

use super::error::ImportErrorKind;

/// Deepest nesting of arrays and objects accepted.
pub(crate) const MAX_DEPTH: usize = 64;

/// A JSON value and the 1-based line it starts on.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Json {
    /// Line of the value's first character.
    pub line: usize,
    /// The value.
    pub value: Value,
}

/// A JSON value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number (or `NaN`, `Infinity`, `-Infinity`), as written.
    Number(String),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Json>),
    /// An object's members in file order: key, line of the key, value.
    Object(Vec<Member>),
}

/// One member of an object.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Member {
    /// The key.
    pub key: String,
    /// Line of the key.
    pub line: usize,
    /// The value.
    pub value: Json,
}

impl Value {
    /// What kind of value this is, for error messages.
    pub(crate) fn describe(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }
}

/// Parse a whole document; an error carries the line it is on.
pub(crate) fn parse(text: &str) -> Result<Json, (usize, ImportErrorKind)> {
    let mut p = Parser { bytes: text.as_bytes(), pos: 0, line: 1 };
    p.skip_ws();
    if p.pos >= p.bytes.len() {
        return Err((0, ImportErrorKind::Truncated("empty file: no JSON document".into())));
    }
    let v = p.value(0)?;
    p.skip_ws();
    if p.pos < p.bytes.len() {
        return Err((
            p.line,
            ImportErrorKind::Invalid("not JSON: text after the end of the document".into()),
        ));
    }
    Ok(v)
}

struct Parser<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: usize,
}

type Res<T> = Result<T, (usize, ImportErrorKind)>;

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn eof(&self, what: &str) -> (usize, ImportErrorKind) {
        (self.line, ImportErrorKind::Truncated(format!("the JSON document ends inside {what}")))
    }

    fn unexpected(&self, expected: &str) -> (usize, ImportErrorKind) {
        let found = match self.peek() {
            Some(b) if b.is_ascii_graphic() => format!("'{}'", b as char),
            Some(b) => format!("byte 0x{b:02x}"),
            None => return self.eof("a value"),
        };
        (self.line, ImportErrorKind::Invalid(format!("not JSON: {found} where {expected} was expected")))
    }

    fn skip_ws(&mut self) {
        while let Some(b) = self.peek() {
            match b {
                b'\n' => self.line += 1,
                b' ' | b'\t' | b'\r' => {}
                _ => return,
            }
            self.pos += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Res<Json> {
        if depth > MAX_DEPTH {
            return Err((
                self.line,
                ImportErrorKind::Invalid(format!("JSON nested deeper than {MAX_DEPTH} levels")),
            ));
        }
        self.skip_ws();
        let line = self.line;
        let value = match self.peek() {
            None => return Err(self.eof("a value")),
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => Value::String(self.string()?),
            Some(b't') => self.word("true", Value::Bool(true))?,
            Some(b'f') => self.word("false", Value::Bool(false))?,
            Some(b'n') => self.word("null", Value::Null)?,
            Some(b'N') => self.word("NaN", Value::Number("NaN".into()))?,
            Some(b'I') => self.word("Infinity", Value::Number("Infinity".into()))?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(_) => return Err(self.unexpected("a value")),
        };
        Ok(Json { line, value })
    }

    fn word(&mut self, word: &str, value: Value) -> Res<Value> {
        let end = self.pos + word.len();
        match self.bytes.get(self.pos..end) {
            Some(b) if b == word.as_bytes() => {
                self.pos = end;
                Ok(value)
            }
            None if word.as_bytes().starts_with(self.bytes.get(self.pos..).unwrap_or_default()) => {
                Err(self.eof("a value"))
            }
            _ => Err(self.unexpected("a value")),
        }
    }

    fn number(&mut self) -> Res<Value> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
            if self.peek() == Some(b'I') {
                self.word("Infinity", Value::Null)?;
                return Ok(Value::Number("-Infinity".into()));
            }
        }
        while let Some(b) = self.peek() {
            if b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-') {
                self.pos += 1;
            } else {
                break;
            }
        }
        let text =
            std::str::from_utf8(self.bytes.get(start..self.pos).unwrap_or_default()).unwrap_or_default();
        if !valid_number(text) {
            if self.pos >= self.bytes.len() {
                return Err(self.eof("a number"));
            }
            return Err((self.line, ImportErrorKind::Invalid(format!("not JSON: '{text}' is not a number"))));
        }
        Ok(Value::Number(text.to_string()))
    }

    fn string(&mut self) -> Res<String> {
        // At the opening quote.
        self.pos += 1;
        let mut out = String::new();
        loop {
            let start = self.pos;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            let chunk = self.bytes.get(start..self.pos).unwrap_or_default();
            out.push_str(
                std::str::from_utf8(chunk)
                    .map_err(|_| (self.line, ImportErrorKind::Invalid("not UTF-8".into())))?,
            );
            match self.peek() {
                None => return Err(self.eof("a string")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let c = self.escape()?;
                    out.push(c);
                }
                Some(_) => {
                    return Err((
                        self.line,
                        ImportErrorKind::Invalid(
                            "not JSON: a control character (line break?) inside a string".into(),
                        ),
                    ));
                }
            }
        }
    }

    fn escape(&mut self) -> Res<char> {
        let Some(b) = self.peek() else { return Err(self.eof("a string")) };
        self.pos += 1;
        Ok(match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let hi = self.hex4()?;
                if (0xD800..0xDC00).contains(&hi) {
                    if self.bytes.get(self.pos..self.pos + 2) != Some(b"\\u") {
                        return Err(self.bad_escape());
                    }
                    self.pos += 2;
                    let lo = self.hex4()?;
                    if !(0xDC00..0xE000).contains(&lo) {
                        return Err(self.bad_escape());
                    }
                    char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                        .ok_or_else(|| self.bad_escape())?
                } else {
                    char::from_u32(hi).ok_or_else(|| self.bad_escape())?
                }
            }
            _ => return Err(self.bad_escape()),
        })
    }

    fn bad_escape(&self) -> (usize, ImportErrorKind) {
        (self.line, ImportErrorKind::Invalid("not JSON: bad escape in a string".into()))
    }

    fn hex4(&mut self) -> Res<u32> {
        let Some(h) = self.bytes.get(self.pos..self.pos + 4) else { return Err(self.eof("a string")) };
        let text = std::str::from_utf8(h).map_err(|_| self.bad_escape())?;
        let v = u32::from_str_radix(text, 16).map_err(|_| self.bad_escape())?;
        self.pos += 4;
        Ok(v)
    }

    fn array(&mut self, depth: usize) -> Res<Value> {
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::Array(items));
                }
                None => return Err(self.eof("an array")),
                Some(_) => return Err(self.unexpected("',' or ']'")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Res<Value> {
        self.pos += 1;
        let mut members = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value::Object(members));
        }
        loop {
            self.skip_ws();
            let line = self.line;
            match self.peek() {
                Some(b'"') => {}
                None => return Err(self.eof("an object")),
                Some(_) => return Err(self.unexpected("a quoted key")),
            }
            let key = self.string()?;
            self.skip_ws();
            match self.peek() {
                Some(b':') => self.pos += 1,
                None => return Err(self.eof("an object")),
                Some(_) => return Err(self.unexpected("':'")),
            }
            let value = self.value(depth + 1)?;
            members.push(Member { key, line, value });
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::Object(members));
                }
                None => return Err(self.eof("an object")),
                Some(_) => return Err(self.unexpected("',' or '}'")),
            }
        }
    }
}

/// RFC 8259 number grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
fn valid_number(t: &str) -> bool {
    let b = t.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let s = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - s
    };
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            digits(&mut i);
        }
        _ => return false,
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_keep_their_lines() {
        let doc = "{\n  \"a\": {\n    \"x\": 1.5e3,\n    \"y\": \"12.3 +- 0.4\"\n  },\n  \"b\": [true, null, NaN]\n}";
        let v = parse(doc).unwrap();
        let Value::Object(m) = &v.value else { panic!("object") };
        assert_eq!((m[0].key.as_str(), m[0].line), ("a", 2));
        let Value::Object(inner) = &m[0].value.value else { panic!("object") };
        assert_eq!(inner[1].line, 4);
        assert_eq!(inner[0].value.value, Value::Number("1.5e3".into()));
        assert_eq!(inner[1].value.value, Value::String("12.3 +- 0.4".into()));
        assert_eq!(m[1].line, 6);
        let Value::Array(items) = &m[1].value.value else { panic!("array") };
        assert_eq!(items[2].value, Value::Number("NaN".into()));
    }

    #[test]
    fn escapes_and_unicode() {
        let v = parse(r#"["a\"b\\c\u00e9\ud83d\ude00", "µs"]"#).unwrap();
        let Value::Array(items) = v.value else { panic!("array") };
        assert_eq!(items[0].value, Value::String("a\"b\\cé😀".into()));
        assert_eq!(items[1].value, Value::String("µs".into()));
    }

    #[test]
    fn cut_documents_are_truncated_and_garbage_is_invalid() {
        for cut in ["{\"a\": {\"x\": 1", "{\"a\": \"12.3 +", "[1, 2", "{\"a\"", "{\"a\": tr", "{\"a\": 1."] {
            let e = parse(cut).unwrap_err();
            assert!(matches!(e.1, ImportErrorKind::Truncated(_)), "{cut}: {:?}", e.1);
        }
        for bad in ["{a: 1}", "[1,]", "{\"a\": 01}", "[1] 2", "{\"a\": .5}", "[\"x\ny\"]"] {
            let e = parse(bad).unwrap_err();
            assert!(matches!(e.1, ImportErrorKind::Invalid(_)), "{bad}: {:?}", e.1);
        }
        assert!(matches!(parse("  ").unwrap_err().1, ImportErrorKind::Truncated(_)));
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse("{\n\"a\": 1,\n\"b\": x\n}").unwrap_err();
        assert_eq!(e.0, 3);
    }

    #[test]
    fn deep_nesting_is_refused_without_overflowing_the_stack() {
        let doc = "[".repeat(100_000);
        assert!(parse(&doc).is_err());
    }
}
