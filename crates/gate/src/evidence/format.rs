//! The on-disk format: segment file names, one line of the log, the hash
//! that links it to the line before, and the `HEAD` anchor.
//!
//! A line is, byte for byte (no spaces, fields in this order, `\n` at the end):
//!
//! ```text
//! {"seq":<N>,"prev":"sha256:<64 hex>","hash":"sha256:<64 hex>","entry":<entry JSON>}
//! ```
//!
//! and its hash is [`link_hash`]: SHA-256 over
//! `clawlaw-evidence-v1\n<N>\n<prev>\n<entry bytes>`, where `<N>` is the
//! decimal sequence number, `<prev>` the previous line's `hash` as written
//! (`sha256:<hex>`, [`GENESIS`] before the first line) and `<entry bytes>`
//! the entry JSON exactly as it appears in the line. Nothing is
//! re-serialised to check a hash, and since the frame around the entry is
//! fixed, a line is accepted only in exactly this form: any edited byte is
//! either a hash mismatch or a malformed line.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The `prev` of the first line: `sha256:` and 64 zeros.
pub const GENESIS: Link = Link([0; 32]);

/// The anchor file: the last committed sequence number and hash.
pub const HEAD_FILE: &str = "HEAD";
/// Where `HEAD` is written before it is renamed into place.
pub(crate) const HEAD_TMP_FILE: &str = "HEAD.tmp";
/// Held locked by the one process that writes the log.
pub(crate) const LOCK_FILE: &str = "LOCK";

const SEGMENT_PREFIX: &str = "evidence-";
const SEGMENT_SUFFIX: &str = ".jsonl";
const HASH_DOMAIN: &[u8] = b"clawlaw-evidence-v1\n";
const HASH_PREFIX: &str = "sha256:";

/// A link of the chain: the SHA-256 of one line, written `sha256:<hex>`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Link(pub [u8; 32]);

impl Link {
    /// Parses `sha256:<64 lowercase hex>`.
    pub fn parse(text: &str) -> Option<Link> {
        Self::parse_bytes(text.as_bytes())
    }

    fn parse_bytes(text: &[u8]) -> Option<Link> {
        let hex = text.strip_prefix(HASH_PREFIX.as_bytes())?;
        if hex.len() != 64 || !hex.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return None;
        }
        let mut out = [0u8; 32];
        hex::decode_to_slice(hex, &mut out).ok()?;
        Some(Link(out))
    }
}

impl fmt::Display for Link {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{HASH_PREFIX}{}", hex::encode(self.0))
    }
}

impl fmt::Debug for Link {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// The hash of the line with sequence number `seq`, previous link `prev`
/// and entry JSON `entry` (the exact bytes written).
pub fn link_hash(seq: u64, prev: &Link, entry: &[u8]) -> Link {
    let mut h = Sha256::new();
    h.update(HASH_DOMAIN);
    h.update(seq.to_string().as_bytes());
    h.update(b"\n");
    h.update(prev.to_string().as_bytes());
    h.update(b"\n");
    h.update(entry);
    Link(h.finalize().into())
}

/// Appends one whole line, with its `\n`, to `out`.
pub fn encode_line(out: &mut Vec<u8>, seq: u64, prev: &Link, hash: &Link, entry: &[u8]) {
    out.extend_from_slice(b"{\"seq\":");
    out.extend_from_slice(seq.to_string().as_bytes());
    out.extend_from_slice(b",\"prev\":\"");
    out.extend_from_slice(prev.to_string().as_bytes());
    out.extend_from_slice(b"\",\"hash\":\"");
    out.extend_from_slice(hash.to_string().as_bytes());
    out.extend_from_slice(b"\",\"entry\":");
    out.extend_from_slice(entry);
    out.extend_from_slice(b"}\n");
}

/// One line taken apart (not yet checked against the chain).
#[derive(Debug, Clone, Copy)]
pub struct Line<'a> {
    pub seq: u64,
    pub prev: Link,
    pub hash: Link,
    /// The entry JSON exactly as written.
    pub entry: &'a [u8],
}

impl Line<'_> {
    /// What the line's content hashes to (equal to `hash` unless edited).
    pub fn computed_hash(&self) -> Link {
        link_hash(self.seq, &self.prev, self.entry)
    }
}

/// Takes apart one line (without its `\n`), or says what is malformed.
pub fn parse_line(line: &[u8]) -> Result<Line<'_>, String> {
    let rest = expect(line, b"{\"seq\":", "does not start with {\"seq\":")?;
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let (num, rest) = rest.split_at(digits);
    if num.is_empty() || (num.len() > 1 && num[0] == b'0') {
        return Err("seq is not a plain decimal number".into());
    }
    let seq: u64 = std::str::from_utf8(num)
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or("seq is out of range")?;
    let rest = expect(rest, b",\"prev\":\"", "no \"prev\" after seq")?;
    let (prev, rest) = take_link(rest, "prev")?;
    let rest = expect(rest, b"\",\"hash\":\"", "no \"hash\" after prev")?;
    let (hash, rest) = take_link(rest, "hash")?;
    let rest = expect(rest, b"\",\"entry\":", "no \"entry\" after hash")?;
    let entry = rest
        .strip_suffix(b"}")
        .ok_or("the line does not end with }")?;
    if !entry.starts_with(b"{") {
        return Err("entry is not a JSON object".into());
    }
    Ok(Line {
        seq,
        prev,
        hash,
        entry,
    })
}

fn expect<'a>(bytes: &'a [u8], prefix: &[u8], problem: &str) -> Result<&'a [u8], String> {
    bytes
        .strip_prefix(prefix)
        .ok_or_else(|| problem.to_string())
}

fn take_link<'a>(bytes: &'a [u8], field: &str) -> Result<(Link, &'a [u8]), String> {
    let len = HASH_PREFIX.len() + 64;
    if bytes.len() < len {
        return Err(format!("{field} is not sha256:<64 hex>"));
    }
    let (text, rest) = bytes.split_at(len);
    let link = Link::parse_bytes(text).ok_or_else(|| format!("{field} is not sha256:<64 hex>"))?;
    Ok((link, rest))
}

/// The file name of segment `n` (from 1): `evidence-000001.jsonl`.
pub fn segment_name(n: u64) -> String {
    format!("{SEGMENT_PREFIX}{n:06}{SEGMENT_SUFFIX}")
}

/// The number of a segment file name, if it is one exactly as
/// [`segment_name`] writes it.
pub fn parse_segment_name(name: &str) -> Option<u64> {
    let digits = name
        .strip_prefix(SEGMENT_PREFIX)?
        .strip_suffix(SEGMENT_SUFFIX)?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = digits.parse().ok()?;
    (n >= 1 && segment_name(n) == name).then_some(n)
}

/// The segments in `dir`, in order of their number (gaps are the caller's
/// to judge).
pub fn list_segments(dir: &Path) -> std::io::Result<Vec<(u64, PathBuf)>> {
    let mut out = Vec::new();
    for item in std::fs::read_dir(dir)? {
        let item = item?;
        if let Some(n) = item.file_name().to_str().and_then(parse_segment_name) {
            out.push((n, item.path()));
        }
    }
    out.sort_by_key(|(n, _)| *n);
    Ok(out)
}

/// Files set aside by recovery (`*.torn`), by name, sorted.
pub fn list_torn(dir: &Path) -> std::io::Result<Vec<String>> {
    let mut out = Vec::new();
    for item in std::fs::read_dir(dir)? {
        let name = item?.file_name().to_string_lossy().into_owned();
        if name.ends_with(".torn") {
            out.push(name);
        }
    }
    out.sort();
    Ok(out)
}

/// The `HEAD` anchor: `{"seq":N,"hash":"sha256:<hex>"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Head {
    pub seq: u64,
    pub hash: String,
}

impl Head {
    /// The anchor's text, with its newline.
    pub fn to_bytes(&self) -> Vec<u8> {
        format!("{{\"seq\":{},\"hash\":\"{}\"}}\n", self.seq, self.hash).into_bytes()
    }

    /// Parses and checks the anchor's text.
    pub fn parse(bytes: &[u8]) -> Result<(u64, Link), String> {
        let head: Head = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        let link = Link::parse(&head.hash).ok_or("hash is not sha256:<64 hex>")?;
        Ok((head.seq, link))
    }
}

/// Reads `HEAD` in `dir`: `Ok(None)` when there is none, or when it is
/// empty (it is not fsynced, so a crash may leave it empty on some file
/// systems); `Some(Err(why))` when it is malformed.
pub fn read_head(dir: &Path) -> std::io::Result<Option<Result<(u64, Link), String>>> {
    match std::fs::read(dir.join(HEAD_FILE)) {
        Ok(bytes) if bytes.is_empty() => Ok(None),
        Ok(bytes) => Ok(Some(Head::parse(&bytes))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_round_trips() {
        let entry = br#"{"type":"session","x":1}"#;
        let hash = link_hash(7, &GENESIS, entry);
        let mut out = Vec::new();
        encode_line(&mut out, 7, &GENESIS, &hash, entry);
        assert_eq!(out.last(), Some(&b'\n'));
        let line = parse_line(&out[..out.len() - 1]).unwrap();
        assert_eq!(line.seq, 7);
        assert_eq!(line.prev, GENESIS);
        assert_eq!(line.hash, hash);
        assert_eq!(line.entry, entry);
        assert_eq!(line.computed_hash(), hash);
    }

    #[test]
    fn the_hash_covers_seq_prev_and_entry() {
        let h = link_hash(1, &GENESIS, b"{}");
        assert_ne!(h, link_hash(2, &GENESIS, b"{}"));
        assert_ne!(h, link_hash(1, &h, b"{}"));
        assert_ne!(h, link_hash(1, &GENESIS, b"{ }"));
        assert_eq!(
            GENESIS.to_string(),
            format!("sha256:{}", "0".repeat(64)),
            "the genesis link"
        );
    }

    #[test]
    fn malformed_lines_are_named() {
        let entry = br#"{"type":"session"}"#;
        let hash = link_hash(1, &GENESIS, entry);
        let mut good = Vec::new();
        encode_line(&mut good, 1, &GENESIS, &hash, entry);
        good.pop();
        let text = String::from_utf8(good).unwrap();
        for (bad, why) in [
            (
                text.replacen("{\"seq\":1", "{ \"seq\":1", 1),
                "does not start",
            ),
            (
                text.replacen("{\"seq\":1", "{\"seq\": 1", 1),
                "plain decimal",
            ),
            (
                text.replacen("{\"seq\":1", "{\"seq\":01", 1),
                "plain decimal",
            ),
            (text.replacen("\"prev\"", "\"prev \"", 1), "no \"prev\""),
            (text.replacen("sha256:0", "sha256:O", 1), "prev is not"),
            (format!("{text} "), "does not end"),
            (
                text.replacen("\"entry\":{", "\"entry\":[", 1),
                "not a JSON object",
            ),
        ] {
            let err = parse_line(bad.as_bytes()).unwrap_err();
            assert!(err.contains(why), "{bad}: {err}");
        }
    }

    #[test]
    fn segment_names() {
        assert_eq!(segment_name(1), "evidence-000001.jsonl");
        assert_eq!(segment_name(1234567), "evidence-1234567.jsonl");
        assert_eq!(parse_segment_name("evidence-000042.jsonl"), Some(42));
        assert_eq!(parse_segment_name("evidence-1234567.jsonl"), Some(1234567));
        for bad in [
            "evidence-42.jsonl",
            "evidence-000000.jsonl",
            "evidence-00001a.jsonl",
            "evidence-000001.jsonl.torn",
            "HEAD",
        ] {
            assert_eq!(parse_segment_name(bad), None, "{bad}");
        }
    }

    #[test]
    fn head_round_trips() {
        let head = Head {
            seq: 3,
            hash: GENESIS.to_string(),
        };
        assert_eq!(Head::parse(&head.to_bytes()), Ok((3, GENESIS)));
        assert!(Head::parse(b"{\"seq\":3}").is_err());
    }
}
