//! Reading a large CSV file without holding it: one pass over it in blocks for what must be known
//! before the rows ([`scan`]: its line count, a quote left open, its last byte), then the file
//! again in chunks of whole records ([`Chunks`]), each with the line it starts on.

use super::common::QuoteScan;
use super::error::{ImportError, ImportErrorKind};
use std::fs::File;
use std::io::Read;
use std::path::Path;

/// Bytes read at a time (a chunk grows past this only to hold one longer record).
const BLOCK: usize = 1 << 20;

/// What one pass over a file tells before its rows are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Scan {
    /// Its `\n` bytes (an upper bound of its records).
    pub newlines: usize,
    /// The line of a quote that is never closed, as [`QuoteScan`] finds it.
    pub unclosed_quote: Option<usize>,
    /// Whether the file's last byte is `\n`.
    pub ends_with_newline: bool,
}

fn io(path: &Path, e: std::io::Error) -> ImportError {
    ImportError::new(path, 0, ImportErrorKind::Io(e))
}

/// Read into `buf` until it is full or the file ends; the bytes read.
fn fill(file: &mut File, buf: &mut [u8], path: &Path) -> Result<usize, ImportError> {
    let mut n = 0;
    while let Some(rest) = buf.get_mut(n..).filter(|r| !r.is_empty()) {
        match file.read(rest) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(io(path, e)),
        }
    }
    Ok(n)
}

/// One pass over the file at `path` in blocks.
pub(crate) fn scan(path: &Path) -> Result<Scan, ImportError> {
    let mut file = File::open(path).map_err(|e| io(path, e))?;
    let mut buf = vec![0u8; BLOCK];
    let (mut quotes, mut last) = (QuoteScan::default(), None);
    loop {
        let n = fill(&mut file, &mut buf, path)?;
        let block = buf.get(..n).unwrap_or_default();
        if block.is_empty() {
            break;
        }
        quotes.feed(block);
        last = block.last().copied();
    }
    Ok(Scan {
        newlines: quotes.newlines(),
        unclosed_quote: quotes.unclosed_quote_line(),
        ends_with_newline: last == Some(b'\n'),
    })
}

/// Where a CSV parser stands after a byte, as far as record ends go (the `csv` crate's rules: a
/// quote opens a quoted field only as the field's first byte; `""` inside one is a quote).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    FieldStart,
    Unquoted,
    Quoted,
    QuoteInQuoted,
}

/// The end of the last record that ends in `bytes` (just past its `\n`), for bytes that start a
/// record; 0 when none does.
fn last_record_end(bytes: &[u8]) -> usize {
    if !bytes.contains(&b'"') {
        return bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    }
    let (mut state, mut end) = (State::FieldStart, 0);
    for (i, &b) in bytes.iter().enumerate() {
        state = match (state, b) {
            (State::Quoted, b'"') => State::QuoteInQuoted,
            (State::Quoted, _) => State::Quoted,
            (State::QuoteInQuoted, b'"') => State::Quoted,
            (State::FieldStart, b'"') => State::Quoted,
            (_, b'\n') => {
                end = i + 1;
                State::FieldStart
            }
            (_, b',' | b'\r') => State::FieldStart,
            _ => State::Unquoted,
        };
    }
    end
}

/// The file again, in chunks of whole records.
pub(crate) struct Chunks<'p> {
    path: &'p Path,
    file: File,
    buf: Vec<u8>,
    /// Bytes of `buf` read from the file.
    filled: usize,
    /// Bytes of `buf` handed out by the last chunk.
    taken: usize,
    eof: bool,
    /// The line the next chunk starts on.
    line: usize,
}

/// Whole records of a file.
pub(crate) struct Chunk<'a> {
    /// The records' bytes.
    pub bytes: &'a [u8],
    /// The 1-based line of the file its first byte is on.
    pub line: usize,
    /// Whether the file ends with this chunk.
    pub last: bool,
}

impl<'p> Chunks<'p> {
    /// The chunks of the file at `path`.
    pub(crate) fn open(path: &'p Path) -> Result<Chunks<'p>, ImportError> {
        let file = File::open(path).map_err(|e| io(path, e))?;
        Ok(Chunks { path, file, buf: vec![0u8; BLOCK], filled: 0, taken: 0, eof: false, line: 1 })
    }

    /// The next chunk: from the end of the last one to the end of the last record the buffer
    /// holds whole (the rest of the file at its end); `None` after the last.
    pub(crate) fn next_chunk(&mut self) -> Result<Option<Chunk<'_>>, ImportError> {
        self.buf.copy_within(self.taken..self.filled, 0);
        self.filled -= self.taken;
        self.taken = 0;
        let end = loop {
            if !self.eof {
                let rest = self.buf.get_mut(self.filled..).unwrap_or_default();
                let n = fill(&mut self.file, rest, self.path)?;
                self.eof = n < rest.len();
                self.filled += n;
            }
            let held = self.buf.get(..self.filled).unwrap_or_default();
            if self.eof {
                break held.len();
            }
            match last_record_end(held) {
                0 => {
                    // One record longer than the buffer: read more of it.
                    let grown = 2 * self.buf.len();
                    self.buf.resize(grown, 0);
                }
                end => break end,
            }
        };
        if end == 0 {
            return Ok(None);
        }
        self.taken = end;
        let bytes = self.buf.get(..end).unwrap_or_default();
        let line = self.line;
        self.line += bytes.iter().filter(|&&b| b == b'\n').count();
        Ok(Some(Chunk { bytes, line, last: self.eof && end == self.filled }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_end_at_newlines_outside_quoted_fields() {
        assert_eq!(last_record_end(b"a,b\nc,d\ne"), 8);
        assert_eq!(last_record_end(b"a,b"), 0);
        // A newline inside a quoted field ends nothing; an escaped quote does not close it.
        assert_eq!(last_record_end(b"a,\"x\ny\"\nb,\"p\"\"\nq"), 8);
        // A quote inside an unquoted field is a literal (the csv crate's rule).
        assert_eq!(last_record_end(b"a\"b,\"x\ny\"\n"), 10);
        assert_eq!(last_record_end(b"a,b\r\nc"), 5);
    }

    /// SYNTHETIC: a made-up CSV with a quoted newline, read in chunks smaller than the file.
    #[test]
    fn chunks_cover_the_file_in_whole_records_with_their_lines() {
        let dir = std::env::temp_dir().join(format!("einf-chunks-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let path = dir.join("chunks.csv");
        let mut text = String::from("h1,h2\n");
        for i in 0..(3 * BLOCK / 10) {
            if i % 1000 == 7 {
                text.push_str(&format!("{i},\"two\nlines\"\n"));
            } else {
                text.push_str(&format!("{i},x\n"));
            }
        }
        text.push_str("end,\"no newline\"");
        std::fs::write(&path, &text).unwrap_or_else(|e| panic!("{e}"));

        let s = scan(&path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.newlines, text.matches('\n').count());
        assert_eq!((s.unclosed_quote, s.ends_with_newline), (None, false));

        let mut chunks = Chunks::open(&path).unwrap_or_else(|e| panic!("{e}"));
        let (mut joined, mut n, mut lines_ok, mut last_seen) = (Vec::new(), 0, true, false);
        while let Some(c) = chunks.next_chunk().unwrap_or_else(|e| panic!("{e}")) {
            lines_ok &= 1 + joined.iter().filter(|&&b| b == b'\n').count() == c.line;
            assert!(!last_seen, "a chunk after the last");
            last_seen = c.last;
            joined.extend_from_slice(c.bytes);
            n += 1;
        }
        assert!(n > 1 && lines_ok && last_seen);
        assert_eq!(joined, text.as_bytes());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
