//! External tensor data: a side file next to the model (`external_data` location / offset /
//! length). Locations must stay inside the model folder: absolute paths, `..` components and
//! links leading outside are refused. The file's size is always checked; its bytes are read
//! only for tensors small enough to decode.

use super::data::{Data, SideFile};
use super::names::printable;
use super::proto::TensorProto;
use crate::error::{Error, ErrorKind, Result};
use std::io::{Read, Seek, SeekFrom};
use std::path::{Component, Path};

fn ext_err(name: &str, msg: impl std::fmt::Display) -> Error {
    ErrorKind::ExternalData(printable(&format!("tensor '{name}': {msg}")).into_owned()).into()
}

/// Check the external data of `t` and, when `want()`, read its bytes. `expected` is the byte size
/// that the shape and type require, when computable.
pub(crate) fn read(
    t: &TensorProto,
    name: &str,
    data: &Data<'_>,
    expected: Option<u64>,
    want: &dyn Fn() -> bool,
) -> Result<Option<Vec<u8>>> {
    let mut location = None;
    let mut offset = 0u64;
    let mut length = None;
    for kv in &t.external_data {
        let number = || {
            kv.value()
                .trim()
                .parse::<u64>()
                .map_err(|_| ext_err(name, format!("{} '{}' is not a number", kv.key(), kv.value())))
        };
        match kv.key() {
            "location" => location = Some(kv.value()),
            "offset" => offset = number()?,
            "length" => length = Some(number()?),
            _ => {}
        }
    }
    let location = location.filter(|l| !l.is_empty()).ok_or_else(|| ext_err(name, "no location"))?;
    let SideFile { path, size } = match data.side_file(location) {
        Some(f) => f,
        None => {
            let f = resolve(location, data.model_dir).map_err(|why| ext_err(name, why))?;
            data.remember(location, f.clone());
            f
        }
    };
    if let (Some(l), Some(e)) = (length, expected)
        && l != e
    {
        return Err(ext_err(
            name,
            format!("length {l} in '{location}' but the shape and type need {e} bytes"),
        ));
    }
    let length = match (length, expected) {
        (Some(l), _) | (None, Some(l)) => l,
        (None, None) => size.saturating_sub(offset),
    };
    offset.checked_add(length).filter(|&end| end <= size).ok_or_else(|| {
        ext_err(name, format!("bytes {offset}+{length} lie beyond the end of '{location}' ({size} bytes)"))
    })?;
    if !want() {
        return Ok(None);
    }
    let mut bytes = vec![0u8; usize::try_from(length).map_err(|_| ext_err(name, "too large to read"))?];
    let mut file =
        std::fs::File::open(&path).map_err(|e| ext_err(name, format!("cannot open '{location}': {e}")))?;
    file.seek(SeekFrom::Start(offset))
        .and_then(|_| file.read_exact(&mut bytes))
        .map_err(|e| ext_err(name, format!("cannot read '{location}': {e}")))?;
    Ok(Some(bytes))
}

/// Check a location and find its file: inside the model folder, a regular file.
fn resolve(location: &str, model_dir: Option<&Path>) -> std::result::Result<SideFile, String> {
    let dir = model_dir.ok_or_else(|| {
        format!("data is in '{location}' but the model folder is unknown (model not read from a file)")
    })?;
    // A model given by a bare file name has the empty path as its folder.
    let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
    check_relative(location).map_err(|why| format!("location '{location}' {why}"))?;
    let canon_dir = dir.canonicalize().map_err(|e| format!("model folder '{}': {e}", dir.display()))?;
    let path = dir.join(location).canonicalize().map_err(|e| format!("cannot open '{location}': {e}"))?;
    if !path.starts_with(&canon_dir) {
        return Err(format!("location '{location}' leads outside the model folder"));
    }
    let meta = std::fs::metadata(&path).map_err(|e| format!("cannot open '{location}': {e}"))?;
    if !meta.is_file() {
        return Err(format!("'{location}' is not a file"));
    }
    Ok(SideFile { path, size: meta.len() })
}

/// Refuse locations that are absolute or climb out of the folder (checked for both `/` and `\`
/// separators, whatever the host system).
fn check_relative(location: &str) -> std::result::Result<(), &'static str> {
    if location.starts_with(['/', '\\']) || location.get(1..2) == Some(":") {
        return Err("is an absolute path");
    }
    if location.split(['/', '\\']).any(|c| c == "..") {
        return Err("climbs out of the model folder ('..')");
    }
    let path = Path::new(location);
    if path.is_absolute() || path.components().any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
    {
        return Err("is not a plain relative path");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_relative;

    #[test]
    fn locations_must_be_relative_and_inside() {
        assert!(check_relative("weights.bin").is_ok());
        assert!(check_relative("data/weights.bin").is_ok());
        assert!(check_relative("./w.bin").is_ok());
        for bad in ["/etc/passwd", "../x.bin", "a/../../x", "a\\..\\x", "\\\\server\\x", "C:\\x", "c:x"] {
            assert!(check_relative(bad).is_err(), "{bad}");
        }
    }
}
