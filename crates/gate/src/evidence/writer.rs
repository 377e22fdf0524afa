//! The writer thread: owns the segment being written and the end of the
//! chain, and commits queued entries in batches; and what it shares with
//! the callers — the options, the queue's messages, the health and
//! counters ([`super::log`] describes the protocol and its failure rules).

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::RecvTimeoutError;
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

use super::error::EvidenceError;
use super::format::{self, Link, encode_line, link_hash};
use super::index::{Loc, LogIndex, Mark};
use super::recover::{sync_dir, write_head};

/// How a log is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceOptions {
    /// A segment that has reached this size is closed and the next batch
    /// starts a new one. Batches are never split, so a segment may exceed it
    /// by one batch. Default 64 MiB.
    pub max_segment_bytes: u64,
    /// The most entries one write and fsync carry. Default 4096.
    pub max_batch_entries: usize,
}

impl Default for EvidenceOptions {
    fn default() -> Self {
        EvidenceOptions {
            max_segment_bytes: 64 * 1024 * 1024,
            max_batch_entries: 4096,
        }
    }
}

/// A batch stops taking queued entries past this many bytes.
pub(super) const MAX_BATCH_BYTES: usize = 8 * 1024 * 1024;

/// How long `HEAD` may trail the end of the chain. `HEAD` is brought up to
/// date after the batches' callers are answered, at most this often while
/// batches keep coming and at the latest this long after the last one; and
/// always when the log closes. Replacing it (a rename, which makes ext4
/// start writing the new file out) cost ~90 µs per batch when it came
/// before the answer.
pub(super) const HEAD_INTERVAL: Duration = Duration::from_millis(5);

/// Where an appended entry landed in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appended {
    pub seq: u64,
    /// `sha256:<hex>`: the entry's link.
    pub hash: String,
}

pub(super) type Ack = oneshot::Sender<Result<Appended, EvidenceError>>;

pub(super) struct Request {
    pub entry: Vec<u8>,
    /// What the session index keeps of it.
    pub mark: Mark,
    pub ack: Ack,
}

pub(super) enum Message {
    Append(Request),
    /// Write what came before, then stop.
    Close,
}

/// State shared by the callers and the writer.
#[derive(Debug)]
pub(super) struct Shared {
    pub dir: PathBuf,
    pub healthy: AtomicBool,
    pub closed: AtomicBool,
    pub cause: Mutex<String>,
    pub entries: AtomicU64,
    pub batches: AtomicU64,
    pub fsyncs: AtomicU64,
    pub bytes: AtomicU64,
    pub max_batch: AtomicU64,
    pub failed_batches: AtomicU64,
    pub acked: AtomicU64,
    pub latency_us_sum: AtomicU64,
    pub latency_us_max: AtomicU64,
    pub segment: AtomicU64,
    pub last_seq: AtomicU64,
}

impl Shared {
    pub fn unhealthy(&self) -> EvidenceError {
        let cause = match self.cause.lock() {
            Ok(cause) => cause.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        EvidenceError::Unhealthy {
            dir: self.dir.clone(),
            cause,
        }
    }

    pub fn fail(&self, cause: String) {
        tracing::error!(dir = %self.dir.display(), %cause, "evidence log failed; refusing appends from now on");
        match self.cause.lock() {
            Ok(mut slot) => *slot = cause,
            Err(poisoned) => *poisoned.into_inner() = cause,
        }
        self.healthy.store(false, Ordering::SeqCst);
    }
}

/// The writer thread's state: the open segment and the end of the chain.
pub(super) struct Writer {
    pub shared: Arc<Shared>,
    pub dir: PathBuf,
    pub options: EvidenceOptions,
    pub segment: u64,
    pub path: PathBuf,
    pub file: File,
    /// Bytes of the segment that are whole, synced lines.
    pub len: u64,
    pub seq: u64,
    pub last: Link,
    pub buf: Vec<u8>,
    pub index: Arc<LogIndex>,
    /// The seq `HEAD` records, and when it was last written.
    pub head_seq: u64,
    pub head_at: Instant,
    pub _lock: File,
}

/// A failed step of a commit.
struct Failure {
    path: PathBuf,
    op: &'static str,
    source: io::Error,
}

impl Writer {
    pub(super) fn run(mut self, rx: mpsc::Receiver<Message>) {
        let max = self.options.max_batch_entries.max(1);
        let mut batch = Vec::new();
        let mut closing = false;
        while !closing {
            let first = if self.head_seq == self.seq {
                rx.recv().map_err(|_| ())
            } else {
                // `HEAD` trails: wait no longer than it may trail.
                let wait = HEAD_INTERVAL.saturating_sub(self.head_at.elapsed());
                match rx.recv_timeout(wait) {
                    Ok(message) => Ok(message),
                    Err(RecvTimeoutError::Timeout) => {
                        self.update_head();
                        continue;
                    }
                    Err(RecvTimeoutError::Disconnected) => Err(()),
                }
            };
            let Ok(Message::Append(first)) = first else {
                break;
            };
            // Callers just answered are about to queue their next entry:
            // let them, so that they share this batch's fsync rather than
            // wait for the next one (on 8 threads, ~4.5 → ~6.5 entries per
            // fsync; it costs one syscall per batch when idle).
            std::thread::yield_now();
            let mut bytes = first.entry.len();
            batch.push(first);
            while batch.len() < max && bytes < MAX_BATCH_BYTES {
                match rx.try_recv() {
                    Ok(Message::Append(request)) => {
                        bytes += request.entry.len();
                        batch.push(request);
                    }
                    Ok(Message::Close) => {
                        closing = true;
                        break;
                    }
                    Err(_) => break,
                }
            }
            self.commit(&mut batch);
            if self.head_at.elapsed() >= HEAD_INTERVAL {
                self.update_head();
            }
        }
        self.update_head();
        tracing::debug!(dir = %self.dir.display(), last_seq = self.seq, "evidence writer stopped");
    }

    /// Records the end of the chain in `HEAD`, if it trails. `HEAD` is only
    /// ever written with a seq whose batch is synced, so it never runs ahead
    /// of what is durable. A failure turns the log unhealthy: the entries
    /// already answered are durable, and every later append is refused.
    fn update_head(&mut self) {
        if self.head_seq == self.seq || !self.shared.healthy.load(Ordering::SeqCst) {
            return;
        }
        self.head_at = Instant::now();
        match write_head(&self.dir, self.seq, &self.last) {
            Ok(()) => self.head_seq = self.seq,
            Err(e) => self.shared.fail(format!(
                "updating {}: {e}",
                self.dir.join(format::HEAD_FILE).display()
            )),
        }
    }

    /// Writes, syncs and answers one batch.
    fn commit(&mut self, batch: &mut Vec<Request>) {
        if !self.shared.healthy.load(Ordering::SeqCst) {
            let err = self.shared.unhealthy();
            for request in batch.drain(..) {
                let _ = request.ack.send(Err(err.clone()));
            }
            return;
        }
        self.buf.clear();
        let mut links = Vec::with_capacity(batch.len());
        // Where each line starts in `buf`, and its length without `\n`.
        let mut spans = Vec::with_capacity(batch.len());
        let mut prev = self.last;
        for (i, request) in batch.iter().enumerate() {
            let seq = self.seq + 1 + i as u64;
            let hash = link_hash(seq, &prev, &request.entry);
            let start = self.buf.len();
            encode_line(&mut self.buf, seq, &prev, &hash, &request.entry);
            spans.push((start as u64, (self.buf.len() - start - 1) as u32));
            links.push(hash);
            prev = hash;
        }
        let first_seq = self.seq + 1;
        match self.write_batch() {
            Ok(()) => {
                self.seq += batch.len() as u64;
                self.last = prev;
                let s = &self.shared;
                s.entries.fetch_add(batch.len() as u64, Ordering::Relaxed);
                s.batches.fetch_add(1, Ordering::Relaxed);
                s.bytes.fetch_add(self.buf.len() as u64, Ordering::Relaxed);
                s.max_batch.fetch_max(batch.len() as u64, Ordering::Relaxed);
                s.last_seq.store(self.seq, Ordering::Relaxed);
                // The batch ends the segment it was written to.
                let base = self.len - self.buf.len() as u64;
                let places: Vec<_> = (batch.iter().zip(spans).enumerate())
                    .map(|(i, (request, (start, len)))| {
                        let loc = Loc {
                            seq: first_seq + i as u64,
                            segment: self.segment,
                            offset: base + start,
                            len,
                        };
                        (loc, request.mark.clone())
                    })
                    .collect();
                self.index.record(&places);
                for ((i, request), hash) in batch.drain(..).enumerate().zip(links) {
                    let _ = request.ack.send(Ok(Appended {
                        seq: first_seq + i as u64,
                        hash: hash.to_string(),
                    }));
                }
            }
            Err(failure) => {
                self.shared.failed_batches.fetch_add(1, Ordering::Relaxed);
                let cause = format!(
                    "{} {}: {}",
                    failure.op,
                    failure.path.display(),
                    failure.source
                );
                self.shared.fail(cause);
                let err = EvidenceError::Write {
                    path: failure.path,
                    op: failure.op,
                    source: Arc::new(failure.source),
                };
                for request in batch.drain(..) {
                    let _ = request.ack.send(Err(err.clone()));
                }
            }
        }
    }

    /// Rotates if due, writes and syncs `buf`; on failure, truncates the
    /// segment back.
    fn write_batch(&mut self) -> Result<(), Failure> {
        let n = self.buf.len() as u64;
        if self.len > 0 && self.len + n > self.options.max_segment_bytes {
            self.rotate()?;
        }
        let good = self.len;
        let result = self
            .file
            .write_all(&self.buf)
            .map_err(|e| (self.path.clone(), "writing", e))
            .and_then(|()| {
                self.shared.fsyncs.fetch_add(1, Ordering::Relaxed);
                self.file
                    .sync_data()
                    .map_err(|e| (self.path.clone(), "syncing", e))
            })
            .and_then(|()| {
                still_in_place(&self.file, &self.path)
                    .map_err(|e| (self.path.clone(), "checking", e))
            });
        match result {
            Ok(()) => {
                self.len += n;
                Ok(())
            }
            Err((path, op, source)) => {
                self.roll_back(good);
                Err(Failure { path, op, source })
            }
        }
    }

    /// Truncates the segment back to `good` bytes after a failed batch.
    /// (A segment no longer in place is truncated too: its entries were
    /// never answered, and nothing reads it.)
    fn roll_back(&mut self, good: u64) {
        let result = self.file.set_len(good).and_then(|()| self.file.sync_data());
        if let Err(e) = result {
            tracing::error!(
                segment = %self.path.display(),
                offset = good,
                error = %e,
                "evidence: could not truncate a failed batch back; the next open sets a partial line aside"
            );
        }
    }

    /// Starts the next segment, durably.
    fn rotate(&mut self) -> Result<(), Failure> {
        let next = self.segment + 1;
        let path = self.dir.join(format::segment_name(next));
        let file = OpenOptions::new()
            .append(true)
            .create_new(true)
            .open(&path)
            .map_err(|source| Failure {
                path: path.clone(),
                op: "creating",
                source,
            })?;
        self.shared.fsyncs.fetch_add(1, Ordering::Relaxed);
        sync_dir(&self.dir).map_err(|source| Failure {
            path: self.dir.clone(),
            op: "syncing the directory",
            source,
        })?;
        tracing::debug!(segment = %path.display(), "evidence: new segment");
        self.file = file;
        self.segment = next;
        self.path = path;
        self.len = 0;
        self.shared.segment.store(next, Ordering::Relaxed);
        Ok(())
    }
}

/// Whether `file` is still the segment at `path`. A write and an `fsync` to
/// a segment whose directory was removed, or that was moved or replaced,
/// succeed, but what they wrote is not in the log anyone will read: such a
/// batch must fail rather than be answered.
fn still_in_place(file: &File, path: &std::path::Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let (open, named) = (file.metadata()?, std::fs::metadata(path)?);
        if (open.dev(), open.ino()) != (named.dev(), named.ino()) {
            return Err(io::Error::other(
                "the segment being written is no longer at this path (was the evidence directory moved, or the file replaced?)",
            ));
        }
    }
    #[cfg(not(unix))]
    let _ = (file, path);
    Ok(())
}
