//! Checking the chain: [`verify`] walks every segment in order and names the
//! first broken link, precisely: the file, the line, the sequence number
//! expected there, what is wrong and what was expected.
//!
//! The `Walker` here is the only code that reads the log back; replaying
//! it ([`super::read_entries`]) checks exactly what `verify` checks, so a log
//! that verifies always replays.
//!
//! What each kind of damage looks like:
//!
//! | damage | reported at | as |
//! |---|---|---|
//! | a byte edited inside a line | that line | the content does not hash to the line's `hash`, or the line is malformed |
//! | a line deleted | the line after it | a seq gap |
//! | a line inserted or duplicated | the inserted line (or the one after a forged one) | seq repeats or goes backwards, or `prev` does not link |
//! | two lines swapped | the first of them | seq out of order |
//! | the last entry cut short | the last line | a partial line without its newline |
//! | whole entries removed from the end | after the last line | the log ends before the seq `HEAD` records |
//! | the last entry replaced, hash recomputed | that line | `HEAD` records another hash for that seq |
//! | a segment file missing | the first line of the next segment | the missing segment named |

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};

use super::format::{self, GENESIS, HEAD_FILE, Link};

/// The first broken link of a chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    /// The file where the chain breaks (a segment, or `HEAD`).
    pub file: PathBuf,
    /// The 1-based line in that file.
    pub line: u64,
    /// The sequence number that should be at that line.
    pub seq: u64,
    /// What is wrong, and what was expected.
    pub problem: String,
}

impl fmt::Display for Break {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{} (seq {}): {}",
            self.file.display(),
            self.line,
            self.seq,
            self.problem
        )
    }
}

/// Why a log could not be verified or read back.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The chain is broken: the first broken link.
    #[error("{0}")]
    Broken(Break),
    /// The evidence directory is not there.
    #[error("{}: {why}", path.display())]
    Missing { path: PathBuf, why: &'static str },
    /// A file of the log could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// What a verified log holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub entries: u64,
    pub segments: u64,
    /// 0 for an empty log.
    pub last_seq: u64,
    /// `sha256:<hex>`; the genesis link for an empty log.
    pub last_hash: String,
    /// The seq `HEAD` records, when there is a `HEAD` (without one, entries
    /// removed from the end cannot be detected).
    pub head_seq: Option<u64>,
    /// Torn final lines that opening the log set aside (`*.torn` files).
    pub torn: Vec<String>,
}

/// Checks the whole log in `dir` and reports the first broken link.
pub fn verify(dir: impl AsRef<Path>) -> Result<VerifyReport, VerifyError> {
    let mut entries = super::read_entries(dir)?;
    for entry in &mut entries {
        entry?;
    }
    Ok(entries.report())
}

/// Checks the log in `dir` from its first line to seq `upto`, which must
/// link as `last`: the end of the chain when the log was opened. Lines
/// appended since are not read, so a writer may be adding them meanwhile.
pub fn verify_up_to(dir: impl AsRef<Path>, upto: u64, last: &Link) -> Result<u64, VerifyError> {
    let mut walker = Walker::open(dir.as_ref())?;
    while walker.seq < upto {
        if walker.next_line()?.is_none() {
            break;
        }
    }
    if walker.seq != upto || walker.prev != *last {
        return Err(VerifyError::Broken(Break {
            file: dir.as_ref().to_path_buf(),
            line: 0,
            seq: upto,
            problem: format!(
                "the chain read from the start ends at seq {} with {}, but the log was opened at seq {upto} with {last}",
                walker.seq, walker.prev
            ),
        }));
    }
    Ok(walker.seq)
}

/// One checked line, as the walker yields it.
pub(crate) struct Walked<'a> {
    pub seq: u64,
    pub hash: Link,
    /// The entry JSON exactly as written.
    pub entry: &'a [u8],
}

struct Current {
    path: PathBuf,
    reader: BufReader<File>,
    line: u64,
}

/// Reads the segments in order, line by line, checking every link.
pub(crate) struct Walker {
    dir: PathBuf,
    segments: Vec<(u64, PathBuf)>,
    next_segment: usize,
    current: Option<Current>,
    /// The last segment read to its end, and its line count.
    last_file: Option<(PathBuf, u64)>,
    head: Option<Result<(u64, Link), String>>,
    torn: Vec<String>,
    /// The last link checked: its seq (0 before the first) and hash.
    seq: u64,
    prev: Link,
    buf: Vec<u8>,
    /// Where the entry of the line just checked lies in `buf`.
    entry: (usize, usize),
    done: bool,
}

impl Walker {
    pub fn open(dir: &Path) -> Result<Walker, VerifyError> {
        match std::fs::metadata(dir) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => {
                return Err(VerifyError::Missing {
                    path: dir.into(),
                    why: "not a directory",
                });
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(VerifyError::Missing {
                    path: dir.into(),
                    why: "no such evidence directory",
                });
            }
            Err(source) => {
                return Err(VerifyError::Io {
                    path: dir.into(),
                    source,
                });
            }
        }
        let io_err = |source| VerifyError::Io {
            path: dir.into(),
            source,
        };
        // HEAD first: a log being written only grows past what HEAD says.
        let head = format::read_head(dir).map_err(|source| VerifyError::Io {
            path: dir.join(HEAD_FILE),
            source,
        })?;
        let segments = format::list_segments(dir).map_err(io_err)?;
        let torn = format::list_torn(dir).map_err(io_err)?;
        Ok(Walker {
            dir: dir.into(),
            segments,
            next_segment: 0,
            current: None,
            last_file: None,
            head,
            torn,
            seq: 0,
            prev: GENESIS,
            buf: Vec::with_capacity(64 * 1024),
            entry: (0, 0),
            done: false,
        })
    }

    /// The next checked line, `None` at the end of a sound log.
    pub fn next_line(&mut self) -> Result<Option<Walked<'_>>, VerifyError> {
        if self.done {
            return Ok(None);
        }
        match self.advance() {
            Ok(true) => {}
            Ok(false) => {
                self.done = true;
                return Ok(None);
            }
            Err(e) => {
                self.done = true;
                return Err(e);
            }
        }
        Ok(Some(Walked {
            seq: self.seq,
            hash: self.prev,
            entry: &self.buf[self.entry.0..self.entry.1],
        }))
    }

    /// Stops the walk with a break at the line just returned.
    pub fn fail_here(&mut self, problem: String) -> VerifyError {
        self.done = true;
        let (file, line) = match &self.current {
            Some(c) => (c.path.clone(), c.line),
            None => (self.dir.clone(), 0),
        };
        VerifyError::Broken(Break {
            file,
            line,
            seq: self.seq,
            problem,
        })
    }

    pub fn report(&self) -> VerifyReport {
        VerifyReport {
            entries: self.seq,
            segments: self.segments.len() as u64,
            last_seq: self.seq,
            last_hash: self.prev.to_string(),
            head_seq: match &self.head {
                Some(Ok((seq, _))) => Some(*seq),
                _ => None,
            },
            torn: self.torn.clone(),
        }
    }

    /// Reads and checks the next line; false at the end of the log.
    fn advance(&mut self) -> Result<bool, VerifyError> {
        loop {
            let Some(current) = self.current.as_mut() else {
                if !self.open_next_segment()? {
                    self.check_head_at_end()?;
                    return Ok(false);
                }
                continue;
            };
            self.buf.clear();
            let read = current
                .reader
                .read_until(b'\n', &mut self.buf)
                .map_err(|source| VerifyError::Io {
                    path: current.path.clone(),
                    source,
                })?;
            if read == 0 {
                self.last_file = Some((current.path.clone(), current.line));
                self.current = None;
                continue;
            }
            current.line += 1;
            self.check_line()?;
            return Ok(true);
        }
    }

    /// Opens the next segment; false when there is none.
    fn open_next_segment(&mut self) -> Result<bool, VerifyError> {
        let Some((number, path)) = self.segments.get(self.next_segment).cloned() else {
            return Ok(false);
        };
        let expected = match self.next_segment {
            0 => 1,
            i => self.segments[i - 1].0 + 1,
        };
        if number != expected {
            let missing = if number == expected + 1 {
                format!("segment {} is missing", format::segment_name(expected))
            } else {
                format!(
                    "segments {} to {} are missing",
                    format::segment_name(expected),
                    format::segment_name(number - 1)
                )
            };
            return Err(VerifyError::Broken(Break {
                file: path,
                line: 1,
                seq: self.seq + 1,
                problem: format!(
                    "{missing}: expected seq {} here to follow {} (segments are numbered from 1 without gaps)",
                    self.seq + 1,
                    self.describe_prev()
                ),
            }));
        }
        let file = File::open(&path).map_err(|source| VerifyError::Io {
            path: path.clone(),
            source,
        })?;
        self.next_segment += 1;
        self.current = Some(Current {
            path,
            reader: BufReader::with_capacity(1 << 20, file),
            line: 0,
        });
        Ok(true)
    }

    fn describe_prev(&self) -> String {
        if self.seq == 0 {
            "the genesis link".into()
        } else {
            format!("seq {} ({})", self.seq, self.prev)
        }
    }

    /// Checks the line in `buf` against the chain and advances it.
    fn check_line(&mut self) -> Result<(), VerifyError> {
        let expected = self.seq + 1;
        let is_last_segment = self.next_segment == self.segments.len();
        let fail = |this: &Self, problem: String| {
            let current = this.current.as_ref();
            VerifyError::Broken(Break {
                file: current.map(|c| c.path.clone()).unwrap_or_default(),
                line: current.map_or(0, |c| c.line),
                seq: expected,
                problem,
            })
        };
        let Some(content) = self.buf.strip_suffix(b"\n") else {
            let problem = if is_last_segment {
                format!(
                    "truncated entry: the last line ({} bytes) has no newline; a torn write from a crash, or the end of the log was cut (opening the log sets it aside into a .torn file)",
                    self.buf.len()
                )
            } else {
                "truncated entry: a line without its newline ends a segment that is not the last"
                    .into()
            };
            return Err(fail(self, problem));
        };
        if content.is_empty() {
            return Err(fail(self, "empty line (expected an entry)".into()));
        }
        let line = format::parse_line(content).map_err(|why| {
            fail(
                self,
                format!("unparseable line (an edited byte or a corrupt write): {why}"),
            )
        })?;
        let computed = line.computed_hash();
        if computed != line.hash {
            return Err(fail(
                self,
                format!(
                    "edited: the line's content hashes to {computed}, but it records {}",
                    line.hash
                ),
            ));
        }
        if line.seq != expected {
            let problem = if line.seq > expected {
                let missing = if line.seq == expected + 1 {
                    format!("entry {expected} is missing")
                } else {
                    format!("entries {expected} to {} are missing", line.seq - 1)
                };
                format!(
                    "found seq {} where {expected} was expected: {missing} (a deleted line) or lines are out of order",
                    line.seq
                )
            } else {
                format!(
                    "found seq {} where {expected} was expected: a line was inserted, duplicated or moved here",
                    line.seq
                )
            };
            return Err(fail(self, problem));
        }
        if line.prev != self.prev {
            return Err(fail(
                self,
                format!(
                    "prev is {} but {} is {}: this entry does not follow the one before it (an entry inserted, replaced or removed)",
                    line.prev,
                    if self.seq == 0 {
                        "the genesis link".to_string()
                    } else {
                        format!("the hash of seq {}", self.seq)
                    },
                    self.prev
                ),
            ));
        }
        if let Some(Ok((head_seq, head_hash))) = &self.head
            && *head_seq == line.seq
            && *head_hash != line.hash
        {
            return Err(fail(
                self,
                format!(
                    "HEAD records {head_hash} for seq {head_seq}, but this entry is {}: the entry was replaced and its hash recomputed",
                    line.hash
                ),
            ));
        }
        // The entry is the end of the line but its closing brace.
        let end = content.len() - 1;
        self.entry = (end - line.entry.len(), end);
        self.seq = line.seq;
        self.prev = line.hash;
        Ok(())
    }

    fn check_head_at_end(&self) -> Result<(), VerifyError> {
        let head_path = self.dir.join(HEAD_FILE);
        match &self.head {
            None => Ok(()),
            Some(Err(why)) => Err(VerifyError::Broken(Break {
                file: head_path,
                line: 1,
                seq: self.seq,
                problem: format!("HEAD is malformed: {why}"),
            })),
            Some(Ok((head_seq, head_hash))) if *head_seq > self.seq => {
                let (file, line) = match &self.last_file {
                    Some((path, lines)) => (path.clone(), lines + 1),
                    None => (self.dir.join(format::segment_name(1)), 1),
                };
                let removed = if *head_seq == self.seq + 1 {
                    format!("entry {head_seq} was removed")
                } else {
                    format!("entries {} to {head_seq} were removed", self.seq + 1)
                };
                Err(VerifyError::Broken(Break {
                    file,
                    line,
                    seq: self.seq + 1,
                    problem: format!(
                        "the log ends at seq {} but HEAD records seq {head_seq} ({head_hash}): {removed} from the end",
                        self.seq
                    ),
                }))
            }
            Some(Ok(_)) => Ok(()),
        }
    }
}
