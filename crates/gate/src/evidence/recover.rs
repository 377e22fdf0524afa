//! Opening a log again: find where the chain ends without reading it all,
//! set aside a torn final line, and refuse to continue a chain whose end is
//! missing or altered.
//!
//! A crash can leave the last segment ending in a partial line (no `\n`).
//! Such a line was never acknowledged (acks follow the fsync of whole
//! lines), so it is moved into `<segment>.torn` (`<segment>.<n>.torn` if
//! that exists), fsynced, the segment truncated back to its last newline,
//! and a warning logged. It is never chained over. Whole lines of a batch
//! whose fsync had not returned when the process died are kept: they are
//! sound links, only their callers never heard back.
//!
//! Only the last line is read and checked (its own hash, and against
//! `HEAD`); checking the whole chain is [`super::verify()`]'s job, and
//! replaying it ([`super::read_entries`]) does so on the way.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::error::EvidenceError;
use super::format::{self, GENESIS, Head, Link};

/// Where the chain ends: the segment to append to, its length, and the last
/// link.
#[derive(Debug, Clone)]
pub(crate) struct Tail {
    pub segment: u64,
    pub len: u64,
    pub seq: u64,
    pub last: Link,
    /// Whether `HEAD` already records the last link.
    pub head_current: bool,
}

fn io_err(path: &Path, op: &'static str) -> impl FnOnce(io::Error) -> EvidenceError {
    let path = path.to_path_buf();
    move |source| EvidenceError::Io {
        path,
        op,
        source: Arc::new(source),
    }
}

fn corrupt(path: &Path, detail: String) -> EvidenceError {
    EvidenceError::Corrupt {
        path: path.to_path_buf(),
        detail,
    }
}

/// Finds the end of the chain in `dir`, creating the first segment of a new
/// log.
pub(crate) fn recover(dir: &Path) -> Result<Tail, EvidenceError> {
    let segments = format::list_segments(dir).map_err(io_err(dir, "listing"))?;
    for (i, (number, path)) in segments.iter().enumerate() {
        if *number != i as u64 + 1 {
            return Err(corrupt(
                path,
                format!(
                    "segment {} is missing; refusing to continue a broken chain (run `clawlaw evidence verify`)",
                    format::segment_name(i as u64 + 1)
                ),
            ));
        }
    }
    let Some((last_number, last_path)) = segments.last().cloned() else {
        let path = dir.join(format::segment_name(1));
        OpenOptions::new()
            .append(true)
            .create_new(true)
            .open(&path)
            .map_err(io_err(&path, "creating"))?;
        sync_dir(dir).map_err(io_err(dir, "syncing the directory"))?;
        return check_head(
            dir,
            Tail {
                segment: 1,
                len: 0,
                seq: 0,
                last: GENESIS,
                head_current: false,
            },
        );
    };
    let len = set_aside_torn(dir, &last_path)?;
    // The last whole line: in the last segment, or in an earlier one when
    // the last is empty (a crash right after a rotation).
    let mut found = None;
    for (_, path) in segments.iter().rev() {
        let mut file = File::open(path).map_err(io_err(path, "opening"))?;
        let end = file.metadata().map_err(io_err(path, "reading"))?.len();
        if let Some(line) = last_line(&mut file, end).map_err(io_err(path, "reading"))? {
            found = Some((path.clone(), line));
            break;
        }
    }
    let (seq, last) = match found {
        None => (0, GENESIS),
        Some((path, line)) => {
            let parsed = format::parse_line(&line).map_err(|why| {
                corrupt(
                    &path,
                    format!("the last line is unparseable ({why}); refusing to chain onto it"),
                )
            })?;
            if parsed.computed_hash() != parsed.hash {
                return Err(corrupt(
                    &path,
                    format!(
                        "the last line (seq {}) does not hash to its recorded hash; refusing to chain onto an edited entry",
                        parsed.seq
                    ),
                ));
            }
            (parsed.seq, parsed.hash)
        }
    };
    check_head(
        dir,
        Tail {
            segment: last_number,
            len,
            seq,
            last,
            head_current: false,
        },
    )
}

/// Refuses a log shorter than `HEAD` says, or whose last entry differs.
fn check_head(dir: &Path, mut tail: Tail) -> Result<Tail, EvidenceError> {
    let head_path = dir.join(format::HEAD_FILE);
    match format::read_head(dir).map_err(io_err(&head_path, "reading"))? {
        None => {}
        Some(Err(why)) => {
            return Err(corrupt(&head_path, format!("HEAD is malformed: {why}")));
        }
        Some(Ok((seq, _))) if seq > tail.seq => {
            return Err(corrupt(
                &head_path,
                format!(
                    "HEAD records seq {seq} but the log ends at seq {}: acknowledged entries are missing; refusing to continue the chain (run `clawlaw evidence verify`, and move the directory aside to start a new log)",
                    tail.seq
                ),
            ));
        }
        Some(Ok((seq, hash))) if seq == tail.seq => {
            if hash != tail.last {
                return Err(corrupt(
                    &head_path,
                    format!(
                        "HEAD records {hash} for seq {seq} but the log's last entry is {}; refusing to continue the chain",
                        tail.last
                    ),
                ));
            }
            tail.head_current = true;
        }
        Some(Ok(_)) => {}
    }
    Ok(tail)
}

/// Moves a partial final line of `path` aside; returns the segment's length
/// after.
fn set_aside_torn(dir: &Path, path: &Path) -> Result<u64, EvidenceError> {
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .map_err(io_err(path, "opening"))?;
    let len = file.metadata().map_err(io_err(path, "reading"))?.len();
    if len == 0 {
        return Ok(0);
    }
    let cut = match rfind_newline(&mut file, len).map_err(io_err(path, "reading"))? {
        Some(nl) if nl + 1 == len => return Ok(len),
        Some(nl) => nl + 1,
        None => 0,
    };
    let mut torn = Vec::new();
    file.seek(SeekFrom::Start(cut))
        .and_then(|_| file.read_to_end(&mut torn))
        .map_err(io_err(path, "reading"))?;
    let aside = torn_path(path);
    let mut out = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&aside)
        .map_err(io_err(&aside, "creating"))?;
    out.write_all(&torn)
        .and_then(|_| out.sync_all())
        .map_err(io_err(&aside, "writing"))?;
    file.set_len(cut)
        .and_then(|_| file.sync_all())
        .map_err(io_err(path, "truncating a torn final line"))?;
    sync_dir(dir).map_err(io_err(dir, "syncing the directory"))?;
    tracing::warn!(
        segment = %path.display(),
        set_aside = %aside.display(),
        bytes = torn.len(),
        offset = cut,
        "evidence: the log ended in a partial line (a write torn by a crash, never acknowledged); moved it aside"
    );
    Ok(cut)
}

fn torn_path(segment: &Path) -> PathBuf {
    let name = segment
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut candidate = segment.with_file_name(format!("{name}.torn"));
    let mut n = 1;
    while candidate.exists() {
        candidate = segment.with_file_name(format!("{name}.{n}.torn"));
        n += 1;
    }
    candidate
}

/// The offset of the last `\n` before `before`.
fn rfind_newline(file: &mut File, before: u64) -> io::Result<Option<u64>> {
    const CHUNK: u64 = 64 * 1024;
    let mut buf = vec![0u8; CHUNK as usize];
    let mut end = before;
    while end > 0 {
        let start = end.saturating_sub(CHUNK);
        let chunk = &mut buf[..(end - start) as usize];
        file.seek(SeekFrom::Start(start))?;
        file.read_exact(chunk)?;
        if let Some(i) = chunk.iter().rposition(|&b| b == b'\n') {
            return Ok(Some(start + i as u64));
        }
        end = start;
    }
    Ok(None)
}

/// The last whole line of a file of `end` bytes that ends with `\n`,
/// without its `\n`.
fn last_line(file: &mut File, end: u64) -> io::Result<Option<Vec<u8>>> {
    if end == 0 {
        return Ok(None);
    }
    let start = rfind_newline(file, end - 1)?.map_or(0, |nl| nl + 1);
    let mut line = vec![0u8; (end - 1 - start) as usize];
    file.seek(SeekFrom::Start(start))?;
    file.read_exact(&mut line)?;
    Ok(Some(line))
}

/// Makes the directory's entries (a new segment, a rename) durable.
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Writes `HEAD` atomically (temp file, then rename; not fsynced).
pub(crate) fn write_head(dir: &Path, seq: u64, last: &Link) -> io::Result<()> {
    let tmp = dir.join(format::HEAD_TMP_FILE);
    let head = Head {
        seq,
        hash: last.to_string(),
    };
    std::fs::write(&tmp, head.to_bytes())?;
    std::fs::rename(&tmp, dir.join(format::HEAD_FILE))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_line_spans_chunks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let long = "x".repeat(200_000);
        std::fs::write(&path, format!("a\n{long}\n")).unwrap();
        let mut file = File::open(&path).unwrap();
        let end = file.metadata().unwrap().len();
        assert_eq!(last_line(&mut file, end).unwrap().unwrap(), long.as_bytes());
        std::fs::write(&path, "only\n").unwrap();
        let mut file = File::open(&path).unwrap();
        assert_eq!(last_line(&mut file, 5).unwrap().unwrap(), b"only");
        assert_eq!(last_line(&mut file, 0).unwrap(), None);
    }

    #[test]
    fn a_torn_tail_is_set_aside_once_per_crash() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("evidence-000001.jsonl");
        std::fs::write(&path, "one\ntw").unwrap();
        assert_eq!(set_aside_torn(dir.path(), &path).unwrap(), 4);
        assert_eq!(std::fs::read(&path).unwrap(), b"one\n");
        std::fs::write(&path, "one\nthr").unwrap();
        set_aside_torn(dir.path(), &path).unwrap();
        let torn = dir.path().join("evidence-000001.jsonl.torn");
        let torn1 = dir.path().join("evidence-000001.jsonl.1.torn");
        assert_eq!(std::fs::read(torn).unwrap(), b"tw");
        assert_eq!(std::fs::read(torn1).unwrap(), b"thr");
        std::fs::write(&path, "partial").unwrap();
        assert_eq!(set_aside_torn(dir.path(), &path).unwrap(), 0);
    }
}
