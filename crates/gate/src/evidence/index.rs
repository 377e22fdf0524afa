//! The session index: where each session's entries lie in the log, so a
//! gate reads one session when it is first used instead of replaying the
//! whole log at start-up, and can drop idle sessions from memory and read
//! them again.
//!
//! The index lives in memory and beside the log in `INDEX`, one line per
//! entry, in seq order:
//!
//! ```text
//! <seq>\t<segment>\t<offset>\t<len>\t<session id, JSON string>\t<mark>[\t<review id, JSON string>]
//! ```
//!
//! where `<mark>` is `s` (the session's opening), `e` (an action escalated:
//! it opens the review named next), `r` (a review decided: the review
//! named next) or `-` (anything else). JSON strings never hold a raw tab
//! or newline, so any session id fits.
//!
//! `INDEX` is derived data, never evidence: the writer adds a batch's lines
//! after the batch is durable and before it answers, without an fsync. At
//! open, the lines that parse and follow each other are kept, the last one
//! is checked against the log (the line it points at must be there with
//! that seq and a hash that matches its content), and the log is scanned on
//! from there, every link checked, to index what `INDEX` missed (a crash
//! between the log's fsync and the index's write). An `INDEX` that does not
//! match the log is rebuilt by scanning the log whole. Reading a session
//! checks each of its lines' own hash; the whole chain is `verify`'s.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use clawlaw_sdk::Verdict;

use super::error::EvidenceError;
use super::format::{self, GENESIS, Link, parse_line};
use super::record::Entry;
use super::recover::Tail;

/// The index file beside the segments.
pub const INDEX_FILE: &str = "INDEX";
const INDEX_TMP_FILE: &str = "INDEX.tmp";

/// Where one entry's line lies in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Loc {
    pub seq: u64,
    pub segment: u64,
    /// Byte offset of the line in its segment.
    pub offset: u64,
    /// The line's length, without its `\n`.
    pub len: u32,
}

/// What the index keeps of an entry besides its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    pub session: String,
    pub kind: MarkKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MarkKind {
    /// The session's opening.
    Opened,
    /// An action escalated, opening this review.
    Escalated(String),
    /// This review decided (answered or expired).
    Decided(String),
    Other,
}

impl Mark {
    /// The mark of an entry about to be written.
    pub fn of(entry: &Entry) -> Mark {
        let kind = match entry {
            Entry::Session(_) => MarkKind::Opened,
            Entry::Action(a) => match (&a.evaluation, &a.policy_matched.review_id) {
                (Verdict::Escalate, Some(id)) => MarkKind::Escalated(id.clone()),
                _ => MarkKind::Other,
            },
            Entry::Review(r) => MarkKind::Decided(r.principal_review.review_id.clone()),
            Entry::Outcome(_) => MarkKind::Other,
        };
        Mark {
            session: entry.session_id().to_string(),
            kind,
        }
    }
}

/// One session's entries.
#[derive(Debug, Default)]
struct Places {
    locs: Vec<Loc>,
    /// The seq of its opening (an unknown session's refusals have none).
    opened: Option<u64>,
    /// Reviews opened and not yet decided.
    open_reviews: Vec<String>,
}

#[derive(Debug)]
struct Inner {
    sessions: HashMap<String, Places>,
    /// Every review opened: its session.
    reviews: HashMap<String, String>,
    /// `INDEX`, open for appending; `None` once a write to it failed (the
    /// next open catches up from the log).
    file: Option<File>,
    entries: u64,
}

impl Inner {
    fn add(&mut self, loc: Loc, mark: &Mark) {
        self.entries += 1;
        let places = self.sessions.entry(mark.session.clone()).or_default();
        if mark.kind == MarkKind::Opened && places.opened.is_none() {
            places.opened = Some(loc.seq);
        }
        places.locs.push(loc);
        match &mark.kind {
            MarkKind::Escalated(id) => {
                places.open_reviews.push(id.clone());
                self.reviews.insert(id.clone(), mark.session.clone());
            }
            MarkKind::Decided(id) => places.open_reviews.retain(|r| r != id),
            MarkKind::Opened | MarkKind::Other => {}
        }
    }
}

/// What an open found, for the start-up log line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IndexOpened {
    /// Entries `INDEX` held and the log confirmed.
    pub indexed: u64,
    /// Entries read from the log to complete it.
    pub scanned: u64,
    /// Whether `INDEX` was missing or did not match and was rebuilt.
    pub rebuilt: bool,
}

/// The session index of one log (see the module doc).
#[derive(Debug)]
pub struct LogIndex {
    dir: PathBuf,
    inner: Mutex<Inner>,
    opened: IndexOpened,
}

impl LogIndex {
    /// Loads `INDEX` in `dir` and completes it from the log up to `tail`.
    /// Fails only when the log itself is broken where it was scanned.
    pub(crate) fn open(dir: &Path, tail: &Tail) -> Result<Arc<LogIndex>, EvidenceError> {
        let path = dir.join(INDEX_FILE);
        let mut inner = Inner {
            sessions: HashMap::new(),
            reviews: HashMap::new(),
            file: None,
            entries: 0,
        };
        let (kept, kept_bytes) = load(&path, tail.seq).unwrap_or_default();
        let start = match kept.last() {
            Some((last, _)) => match confirm(dir, last) {
                Some(link) => Some((*last, link)),
                None => {
                    tracing::warn!(index = %path.display(), "the evidence index does not match the log; rebuilding it");
                    None
                }
            },
            None => None,
        };
        let rebuilt = start.is_none();
        let indexed = if rebuilt { Vec::new() } else { kept };
        for (loc, mark) in &indexed {
            inner.add(*loc, mark);
        }
        let (from, prev) = match start {
            Some((loc, link)) => ((loc.segment, loc.offset + u64::from(loc.len) + 1), link),
            None => ((1, 0), GENESIS),
        };
        let next_seq = indexed.last().map_or(1, |(loc, _)| loc.seq + 1);
        let scanned = scan(dir, from, next_seq, prev)?;
        if let Some((last, _)) = scanned.last().or(indexed.last())
            && last.seq != tail.seq
        {
            return Err(EvidenceError::Corrupt {
                path: dir.to_path_buf(),
                detail: format!(
                    "the chain read up to seq {} but ends at seq {}",
                    last.seq, tail.seq
                ),
            });
        }
        for (loc, mark) in &scanned {
            inner.add(*loc, mark);
        }
        inner.file = if rebuilt {
            rewrite(dir, &scanned)
        } else {
            append_lines(&path, kept_bytes, &scanned)
        }
        .map_err(|e| tracing::warn!(index = %path.display(), error = %e, "cannot write the evidence index; the next start reads the log instead"))
        .ok();
        let opened = IndexOpened {
            indexed: indexed.len() as u64,
            scanned: scanned.len() as u64,
            rebuilt,
        };
        Ok(Arc::new(LogIndex {
            dir: dir.to_path_buf(),
            inner: Mutex::new(inner),
            opened,
        }))
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// What the open found.
    pub fn opened(&self) -> IndexOpened {
        self.opened
    }

    /// Adds a durable batch (the writer calls this before answering it).
    pub(crate) fn record(&self, batch: &[(Loc, Mark)]) {
        let mut inner = self.lock();
        for (loc, mark) in batch {
            inner.add(*loc, mark);
        }
        if let Some(file) = &mut inner.file {
            let mut text = String::new();
            for (loc, mark) in batch {
                line(&mut text, loc, mark);
            }
            if let Err(e) = file.write_all(text.as_bytes()) {
                tracing::warn!(dir = %self.dir.display(), error = %e, "cannot write the evidence index; the next start reads the log instead");
                inner.file = None;
            }
        }
    }

    /// Entries indexed.
    pub fn entries(&self) -> u64 {
        self.lock().entries
    }

    /// Sessions opened in the log.
    pub fn sessions(&self) -> usize {
        self.lock()
            .sessions
            .values()
            .filter(|p| p.opened.is_some())
            .count()
    }

    /// The sessions with a review opened and not decided.
    pub fn sessions_with_open_reviews(&self) -> Vec<String> {
        let inner = self.lock();
        let mut ids: Vec<String> = (inner.sessions.iter())
            .filter(|(_, p)| p.opened.is_some() && !p.open_reviews.is_empty())
            .map(|(id, _)| id.clone())
            .collect();
        ids.sort_unstable();
        ids
    }

    /// The session a review was opened in.
    pub fn review_session(&self, review_id: &str) -> Option<String> {
        self.lock().reviews.get(review_id).cloned()
    }

    /// The newest `limit` sessions' ids, the last opened first.
    pub fn newest_sessions(&self, limit: usize) -> Vec<String> {
        let inner = self.lock();
        let mut ids: Vec<(u64, &String)> = (inner.sessions.iter())
            .filter_map(|(id, p)| Some((p.opened?, id)))
            .collect();
        ids.sort_unstable_by_key(|(seq, _)| std::cmp::Reverse(*seq));
        ids.into_iter()
            .take(limit)
            .map(|(_, id)| id.clone())
            .collect()
    }

    /// Reads a session's entries from the log, in order, each line checked
    /// against its own hash; `Ok(None)` when the log has none. (An unknown
    /// session's refusals are entries too: they do not open with the
    /// session's declaration.)
    pub fn read_session(&self, id: &str) -> Result<Option<Vec<Entry>>, EvidenceError> {
        let Some(locs) = self.lock().sessions.get(id).map(|p| p.locs.clone()) else {
            return Ok(None);
        };
        let mut open: Option<(u64, PathBuf, File, u64)> = None;
        let mut entries = Vec::with_capacity(locs.len());
        let mut buf = Vec::new();
        for loc in locs {
            if open.as_ref().is_none_or(|(n, ..)| *n != loc.segment) {
                let path = self.dir.join(format::segment_name(loc.segment));
                let file = File::open(&path).map_err(|e| io_error(&path, "opening", e))?;
                let end = (file.metadata())
                    .map_err(|e| io_error(&path, "reading", e))?
                    .len();
                open = Some((loc.segment, path, file, end));
            }
            let Some((_, path, file, end)) = &open else {
                unreachable!("opened above")
            };
            if loc.offset.saturating_add(u64::from(loc.len)) > *end {
                return Err(EvidenceError::Corrupt {
                    path: path.clone(),
                    detail: format!(
                        "seq {} (session {id}): indexed past the segment's end",
                        loc.seq
                    ),
                });
            }
            buf.resize(loc.len as usize, 0);
            file.read_exact_at(&mut buf, loc.offset)
                .map_err(|e| io_error(path, "reading", e))?;
            let entry = checked_entry(&buf, loc.seq).map_err(|detail| EvidenceError::Corrupt {
                path: path.clone(),
                detail: format!("seq {} (session {id}): {detail}", loc.seq),
            })?;
            entries.push(entry);
        }
        Ok(Some(entries))
    }
}

/// The entry of a line that must be seq `seq` and link correctly to itself.
fn checked_entry(bytes: &[u8], seq: u64) -> Result<Entry, String> {
    let line = parse_line(bytes)?;
    if line.seq != seq {
        return Err(format!("the indexed line is seq {}", line.seq));
    }
    if line.computed_hash() != line.hash {
        return Err("the line's content does not match its hash".into());
    }
    serde_json::from_slice(line.entry).map_err(|e| format!("not an evidence entry: {e}"))
}

/// The lines of `INDEX` that parse, follow each other from seq 1, and do
/// not pass the log's end, with their length in bytes; `None` when there
/// is no `INDEX`.
fn load(path: &Path, last_seq: u64) -> Option<(Vec<(Loc, Mark)>, u64)> {
    let file = File::open(path).ok()?;
    let len = file.metadata().ok()?.len();
    let mut reader = BufReader::new(file.take(len));
    let (mut out, mut bytes) = (Vec::new(), 0);
    let mut text = String::new();
    loop {
        text.clear();
        match reader.read_line(&mut text) {
            Ok(n) if n > 0 && text.ends_with('\n') => {}
            _ => break,
        }
        let Some((loc, mark)) = parse(&text[..text.len() - 1]) else {
            break;
        };
        if loc.seq != out.len() as u64 + 1 || loc.seq > last_seq {
            break;
        }
        out.push((loc, mark));
        bytes += text.len() as u64;
    }
    Some((out, bytes))
}

/// The link of the line `loc` points at, if the log has it there.
fn confirm(dir: &Path, loc: &Loc) -> Option<Link> {
    let file = File::open(dir.join(format::segment_name(loc.segment))).ok()?;
    if loc.offset.saturating_add(u64::from(loc.len)) >= file.metadata().ok()?.len() {
        return None;
    }
    let mut buf = vec![0; loc.len as usize + 1];
    file.read_exact_at(&mut buf, loc.offset).ok()?;
    if buf.pop() != Some(b'\n') {
        return None;
    }
    let line = parse_line(&buf).ok()?;
    (line.seq == loc.seq && line.computed_hash() == line.hash).then_some(line.hash)
}

/// Reads the log from `(segment, offset)` to its end, checking every link
/// from `prev` on, and returns where each entry lies.
fn scan(
    dir: &Path,
    (segment, offset): (u64, u64),
    mut seq: u64,
    mut prev: Link,
) -> Result<Vec<(Loc, Mark)>, EvidenceError> {
    let segments = format::list_segments(dir).map_err(|e| io_error(dir, "listing", e))?;
    let mut out = Vec::new();
    let mut buf = Vec::new();
    for (number, path) in segments.into_iter().filter(|(n, _)| *n >= segment) {
        let mut file = File::open(&path).map_err(|e| io_error(&path, "opening", e))?;
        let mut at = if number == segment { offset } else { 0 };
        // Up to its length now: a device or a growing file is not read on.
        let end = (file.metadata())
            .map_err(|e| io_error(&path, "reading", e))?
            .len();
        file.seek(SeekFrom::Start(at))
            .map_err(|e| io_error(&path, "reading", e))?;
        let mut reader = BufReader::with_capacity(1 << 20, file.take(end.saturating_sub(at)));
        loop {
            buf.clear();
            let n = reader
                .read_until(b'\n', &mut buf)
                .map_err(|e| io_error(&path, "reading", e))?;
            if n == 0 {
                break;
            }
            let broken = |detail: String| EvidenceError::Corrupt {
                path: path.clone(),
                detail: format!(
                    "seq {seq}: {detail}; refusing to continue a broken chain (run `clawlaw evidence verify`)"
                ),
            };
            let text = buf
                .strip_suffix(b"\n")
                .ok_or_else(|| broken("a partial line".into()))?;
            let line = parse_line(text).map_err(broken)?;
            if line.seq != seq || line.prev != prev || line.computed_hash() != line.hash {
                return Err(broken("the line does not link to the one before".into()));
            }
            let entry: Entry = serde_json::from_slice(line.entry)
                .map_err(|e| broken(format!("not an evidence entry: {e}")))?;
            let len = u32::try_from(text.len()).map_err(|_| broken("a line over 4 GiB".into()))?;
            out.push((
                Loc {
                    seq,
                    segment: number,
                    offset: at,
                    len,
                },
                Mark::of(&entry),
            ));
            prev = line.hash;
            seq += 1;
            at += n as u64;
        }
    }
    Ok(out)
}

/// Writes `INDEX` anew with `entries` and opens it for appending.
fn rewrite(dir: &Path, entries: &[(Loc, Mark)]) -> io::Result<File> {
    let tmp = dir.join(INDEX_TMP_FILE);
    let mut text = String::new();
    for (loc, mark) in entries {
        line(&mut text, loc, mark);
    }
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, dir.join(INDEX_FILE))?;
    OpenOptions::new().append(true).open(dir.join(INDEX_FILE))
}

/// Cuts `INDEX` after the `kept` bytes of lines kept, appends `entries`,
/// and opens it for appending.
fn append_lines(path: &Path, kept: u64, entries: &[(Loc, Mark)]) -> io::Result<File> {
    let mut file = OpenOptions::new().write(true).open(path)?;
    file.set_len(kept)?;
    file.seek(SeekFrom::End(0))?;
    let mut text = String::new();
    for (loc, mark) in entries {
        line(&mut text, loc, mark);
    }
    file.write_all(text.as_bytes())?;
    drop(file);
    OpenOptions::new().append(true).open(path)
}

fn line(out: &mut String, loc: &Loc, mark: &Mark) {
    let json = |s: &str| serde_json::to_string(s).unwrap_or_default();
    let _ = write!(
        out,
        "{}\t{}\t{}\t{}\t{}\t",
        loc.seq,
        loc.segment,
        loc.offset,
        loc.len,
        json(&mark.session)
    );
    match &mark.kind {
        MarkKind::Opened => out.push('s'),
        MarkKind::Other => out.push('-'),
        MarkKind::Escalated(id) => {
            let _ = write!(out, "e\t{}", json(id));
        }
        MarkKind::Decided(id) => {
            let _ = write!(out, "r\t{}", json(id));
        }
    }
    out.push('\n');
}

fn parse(text: &str) -> Option<(Loc, Mark)> {
    let mut fields = text.split('\t');
    let mut number = || fields.next()?.parse::<u64>().ok();
    let loc = Loc {
        seq: number()?,
        segment: number()?,
        offset: number()?,
        len: u32::try_from(number()?).ok()?,
    };
    let string = |field: Option<&str>| serde_json::from_str::<String>(field?).ok();
    let session = string(fields.next())?;
    let kind = match fields.next()? {
        "s" => MarkKind::Opened,
        "-" => MarkKind::Other,
        "e" => MarkKind::Escalated(string(fields.next())?),
        "r" => MarkKind::Decided(string(fields.next())?),
        _ => return None,
    };
    if fields.next().is_some() {
        return None;
    }
    Some((loc, Mark { session, kind }))
}

fn io_error(path: &Path, op: &'static str, source: io::Error) -> EvidenceError {
    EvidenceError::Io {
        path: path.to_path_buf(),
        op,
        source: Arc::new(source),
    }
}

#[cfg(test)]
mod tests {
    use clawlaw_sdk::Verdict;
    use serde_json::json;

    use super::*;
    use crate::evidence::record::SessionEntry;
    use crate::evidence::testing::{action, outcome, review};
    use crate::evidence::{EvidenceLog, EvidenceOptions};

    fn opened(session: &str) -> Entry {
        Entry::Session(SessionEntry {
            session_id: session.into(),
            timestamp: "2026-01-01T00:00:00Z".into(),
            declaration: json!({"intent": session}),
        })
    }

    fn escalated(session: &str, id: &str) -> Entry {
        let mut entry = action(session, id, Verdict::Escalate);
        if let Entry::Action(a) = &mut entry {
            a.policy_matched.review_id = Some(format!("r-{id}"));
        }
        entry
    }

    /// Two sessions interleaved, a third never opened (an unknown
    /// session's refusal), a review opened in `b` and one opened and
    /// decided in `a`. Small segments, so sessions span several.
    fn history() -> Vec<Entry> {
        vec![
            opened("a"),
            opened("b"),
            action("a", "1", Verdict::Allow),
            escalated("a", "2"),
            action("ghost", "x", Verdict::Deny),
            escalated("b", "1"),
            review("a", "2", "alice"),
            outcome("a", "1", 0),
            action("b", "2", Verdict::Allow),
        ]
    }

    fn small() -> EvidenceOptions {
        EvidenceOptions {
            max_segment_bytes: 700,
            ..EvidenceOptions::default()
        }
    }

    fn write(dir: &Path, entries: &[Entry]) {
        let log = EvidenceLog::open(dir, small()).unwrap();
        for entry in entries {
            log.append_blocking(entry).unwrap();
        }
    }

    fn of(entries: &[Entry], session: &str) -> Vec<Entry> {
        (entries.iter())
            .filter(|e| e.session_id() == session)
            .cloned()
            .collect()
    }

    #[test]
    fn a_session_reads_back_alone_and_in_order_across_segments() {
        let dir = tempfile::tempdir().unwrap();
        let entries = history();
        let log = EvidenceLog::open(dir.path(), small()).unwrap();
        for entry in &entries {
            log.append_blocking(entry).unwrap();
        }
        assert!(format::list_segments(dir.path()).unwrap().len() > 2);
        let index = log.index();
        assert_eq!(index.read_session("a").unwrap(), Some(of(&entries, "a")));
        assert_eq!(index.read_session("b").unwrap(), Some(of(&entries, "b")));
        assert_eq!(index.read_session("nobody").unwrap(), None);
        assert_eq!(index.entries(), entries.len() as u64);
        assert_eq!(index.sessions(), 2, "the ghost was never opened");
        assert_eq!(index.newest_sessions(10), ["b", "a"]);
        assert_eq!(index.newest_sessions(1), ["b"]);
        assert_eq!(index.sessions_with_open_reviews(), ["b"]);
        assert_eq!(index.review_session("r-2").as_deref(), Some("a"));
        assert_eq!(index.review_session("r-1").as_deref(), Some("b"));
        assert_eq!(index.review_session("r-9"), None);
    }

    #[test]
    fn a_reopened_log_uses_its_index_and_reads_only_what_it_missed() {
        let dir = tempfile::tempdir().unwrap();
        let entries = history();
        write(dir.path(), &entries);
        let reopen = || EvidenceLog::open(dir.path(), small()).unwrap();
        let whole = entries.len() as u64;

        let log = reopen();
        let o = log.index().opened();
        assert_eq!((o.indexed, o.scanned, o.rebuilt), (whole, 0, false));
        drop(log);

        // A crash between the log's fsync and the index's write.
        let path = dir.path().join(INDEX_FILE);
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let cut = lines[..lines.len() - 3].join("\n") + "\n" + &lines[lines.len() - 3][..5];
        std::fs::write(&path, cut).unwrap();
        let log = reopen();
        let o = log.index().opened();
        assert_eq!((o.indexed, o.scanned, o.rebuilt), (whole - 3, 3, false));
        assert_eq!(
            log.index().read_session("b").unwrap(),
            Some(of(&entries, "b"))
        );
        log.append_blocking(action("a", "3", Verdict::Allow))
            .unwrap();
        drop(log);
        let log = reopen();
        let o = log.index().opened();
        assert_eq!(
            (o.indexed, o.scanned),
            (whole + 1, 0),
            "the cut index was repaired"
        );
        drop(log);

        // Gone, or pointing elsewhere: rebuilt from the log.
        std::fs::remove_file(&path).unwrap();
        let log = reopen();
        let o = log.index().opened();
        assert_eq!((o.indexed, o.scanned, o.rebuilt), (0, whole + 1, true));
        drop(log);
        let text = std::fs::read_to_string(&path).unwrap();
        let last = text.lines().last().unwrap().to_string();
        let mut fields: Vec<String> = last.split('\t').map(str::to_string).collect();
        fields[2] = (fields[2].parse::<u64>().unwrap() + 1).to_string();
        let moved = fields.join("\t");
        std::fs::write(&path, text.replace(&last, &moved)).unwrap();
        let log = reopen();
        assert!(log.index().opened().rebuilt);
        let mut a = of(&entries, "a");
        a.push(action("a", "3", Verdict::Allow));
        assert_eq!(log.index().read_session("a").unwrap(), Some(a));
    }

    #[test]
    fn an_edited_line_is_refused_when_its_session_is_read_and_by_the_walk() {
        let dir = tempfile::tempdir().unwrap();
        let entries = history();
        write(dir.path(), &entries);
        let (_, first) = format::list_segments(dir.path()).unwrap().remove(0);
        let text = std::fs::read_to_string(&first).unwrap();
        std::fs::write(
            &first,
            text.replacen("\"intent\":\"a\"", "\"intent\":\"z\"", 1),
        )
        .unwrap();

        let log = EvidenceLog::open(dir.path(), small()).unwrap();
        let err = log.index().read_session("a").unwrap_err().to_string();
        assert!(err.contains("seq 1 (session a)"), "{err}");
        assert!(err.contains("does not match its hash"), "{err}");
        let err = log.verify_opened().unwrap_err().to_string();
        assert!(err.contains("seq 1"), "{err}");
        assert_eq!(
            log.index().read_session("b").unwrap(),
            Some(of(&entries, "b"))
        );
    }

    #[test]
    fn a_broken_chain_is_refused_when_the_index_must_be_rebuilt() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &history());
        std::fs::remove_file(dir.path().join(INDEX_FILE)).unwrap();
        let (_, first) = format::list_segments(dir.path()).unwrap().remove(0);
        let text = std::fs::read_to_string(&first).unwrap();
        let without_second: Vec<&str> = (text.lines().enumerate())
            .filter(|(i, _)| *i != 1)
            .map(|(_, l)| l)
            .collect();
        std::fs::write(&first, without_second.join("\n") + "\n").unwrap();
        let err = EvidenceLog::open(dir.path(), small())
            .unwrap_err()
            .to_string();
        assert!(err.contains("seq 2"), "{err}");
        assert!(err.contains("broken chain"), "{err}");
    }

    #[test]
    fn index_lines_round_trip_any_session_id() {
        for kind in [
            MarkKind::Opened,
            MarkKind::Other,
            MarkKind::Escalated("r\t1".into()),
            MarkKind::Decided("r-2".into()),
        ] {
            let loc = Loc {
                seq: 7,
                segment: 2,
                offset: 1234,
                len: 99,
            };
            let mark = Mark {
                session: "odd\tid\nwith \"quotes\"".into(),
                kind,
            };
            let mut text = String::new();
            line(&mut text, &loc, &mark);
            assert_eq!(text.matches('\n').count(), 1);
            assert_eq!(parse(text.trim_end()), Some((loc, mark)));
        }
        assert_eq!(parse("1\t1\t0\t10\t\"a\"\tx"), None);
        assert_eq!(parse("1\t1\t0\t10\t\"a\"\ts\textra"), None);
        assert_eq!(parse("1\t1\t0"), None);
    }
}
