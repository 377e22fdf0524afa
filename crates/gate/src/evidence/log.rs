//! The writer: appends entries to the chain, durably, with group commit.
//!
//! One thread owns the segment file. Callers (any number, from tokio tasks
//! or plain threads) serialise their entry, queue it, and wait. The writer
//! takes everything queued (up to [`EvidenceOptions::max_batch_entries`] or 8 MiB),
//! links each entry to the one before, writes the batch in one `write`,
//! `fsync`s once (`File::sync_data`), and only then answers every caller of
//! the batch. While one batch is being synced the next one queues up, so
//! under load one fsync serves many appends. `HEAD`, the anchor that
//! catches entries removed from the end, is brought up to date after the
//! answers, at most every [`HEAD_INTERVAL`](super::writer::HEAD_INTERVAL)
//! under load and that long after the last batch at the latest, and when
//! the log closes; it never records a seq that is not yet synced. (It is not
//! fsynced itself: after a power loss it may trail further.)
//!
//! Failure is closed: if writing, syncing or rotating fails, every entry of
//! the batch is answered with the error, the segment
//! is truncated back to the end of the last good batch (if that fails too,
//! the partial line is set aside as torn at the next open), and the log
//! turns unhealthy ([`EvidenceLog::is_healthy`]): it refuses every later
//! append, so the gate denies, until it is opened again. (After a failed
//! fsync the kernel may have dropped the dirty pages; retrying in place
//! could acknowledge data that is not on disk.) A failure to update `HEAD`
//! turns the log unhealthy the same way; the entries already answered were
//! synced before it.

use std::borrow::Borrow;
use std::fs::{File, OpenOptions, TryLockError};
use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread::JoinHandle;
use std::time::Instant;

use tokio::sync::oneshot;

use super::error::EvidenceError;
use super::format::{self, Link};
use super::index::{LogIndex, Mark};
use super::record::Entry;
use super::recover::{self, write_head};
use super::verify::{VerifyError, verify_up_to};
pub use super::writer::{Appended, EvidenceOptions};
use super::writer::{Message, Request, Shared, Writer};

/// Counters for metrics, since the log was opened.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EvidenceStats {
    /// Entries written and synced.
    pub entries: u64,
    /// Batches written (one write and one data fsync each).
    pub batches: u64,
    /// fsyncs of any kind: one per batch, plus one of the directory per new
    /// segment.
    pub fsyncs: u64,
    /// Bytes written to segments.
    pub bytes: u64,
    /// The most entries in one batch.
    pub max_batch: u64,
    /// Batches that failed (each turns the log unhealthy).
    pub failed_batches: u64,
    /// Appends acknowledged to their callers, and the sum and maximum of
    /// their latency (queueing, write and fsync), in microseconds.
    pub acked: u64,
    pub latency_us_sum: u64,
    pub latency_us_max: u64,
    /// The segment being written, and the last seq in the chain.
    pub segment: u64,
    pub last_seq: u64,
}

/// An append-only, hash-chained, durable evidence log in one directory.
///
/// Share it (`Arc<EvidenceLog>`, or inside another shared value) between
/// everything that appends. [`EvidenceLog::close`], or dropping it, writes
/// what is queued and stops the writer.
#[derive(Debug)]
pub struct EvidenceLog {
    shared: Arc<Shared>,
    index: Arc<LogIndex>,
    /// The end of the chain when it was opened.
    opened: (u64, Link),
    tx: mpsc::Sender<Message>,
    writer: Mutex<Option<JoinHandle<()>>>,
}

impl EvidenceLog {
    /// Opens (creating it if needed) the log in `dir` and starts its
    /// writer. A torn final line left by a crash is set aside; a log whose
    /// end is missing or altered (against `HEAD`) is refused.
    pub fn open(
        dir: impl AsRef<Path>,
        options: EvidenceOptions,
    ) -> Result<EvidenceLog, EvidenceError> {
        let dir = dir.as_ref().to_path_buf();
        std::fs::create_dir_all(&dir).map_err(|e| io_error(&dir, "creating the directory", e))?;
        let lock = lock(&dir)?;
        let tail = recover::recover(&dir)?;
        let index = LogIndex::open(&dir, &tail)?;
        let path = dir.join(format::segment_name(tail.segment));
        let file = OpenOptions::new()
            .append(true)
            .open(&path)
            .map_err(|e| io_error(&path, "opening", e))?;
        if !tail.head_current {
            write_head(&dir, tail.seq, &tail.last)
                .map_err(|e| io_error(&dir.join(format::HEAD_FILE), "writing", e))?;
        }
        tracing::info!(dir = %dir.display(), segment = tail.segment, last_seq = tail.seq, "evidence log open");
        let shared = Arc::new(Shared {
            dir: dir.clone(),
            healthy: AtomicBool::new(true),
            closed: AtomicBool::new(false),
            cause: Mutex::new(String::new()),
            entries: AtomicU64::new(0),
            batches: AtomicU64::new(0),
            fsyncs: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            max_batch: AtomicU64::new(0),
            failed_batches: AtomicU64::new(0),
            acked: AtomicU64::new(0),
            latency_us_sum: AtomicU64::new(0),
            latency_us_max: AtomicU64::new(0),
            segment: AtomicU64::new(tail.segment),
            last_seq: AtomicU64::new(tail.seq),
        });
        let writer = Writer {
            shared: shared.clone(),
            dir: dir.clone(),
            options,
            segment: tail.segment,
            path,
            file,
            len: tail.len,
            seq: tail.seq,
            last: tail.last,
            buf: Vec::new(),
            index: index.clone(),
            head_seq: tail.seq,
            head_at: Instant::now(),
            _lock: lock,
        };
        let (tx, rx) = mpsc::channel();
        let handle = std::thread::Builder::new()
            .name("evidence-writer".into())
            .spawn(move || writer.run(rx))
            .map_err(|e| io_error(&dir, "starting the writer thread", e))?;
        Ok(EvidenceLog {
            shared,
            index,
            opened: (tail.seq, tail.last),
            tx,
            writer: Mutex::new(Some(handle)),
        })
    }

    /// Where each session's entries lie ([`super::index`]).
    pub fn index(&self) -> &Arc<LogIndex> {
        &self.index
    }

    /// Walks the chain from its first line to where it ended when the log
    /// was opened (appends may go on meanwhile); the entries checked.
    pub fn verify_opened(&self) -> Result<u64, VerifyError> {
        verify_up_to(&self.shared.dir, self.opened.0, &self.opened.1)
    }

    /// Turns the log unhealthy for `cause` (say, a broken link found after
    /// opening): every later append is refused, so the gate denies, until
    /// the log is opened again.
    pub fn refuse(&self, cause: String) {
        self.shared.fail(cause);
    }

    /// Appends `entry` and returns once it is written and fsynced.
    ///
    /// Cancelling the future does not withdraw the entry: once queued it is
    /// written.
    pub async fn append(&self, entry: impl Borrow<Entry>) -> Result<Appended, EvidenceError> {
        let start = Instant::now();
        let ack = self.submit(entry.borrow())?;
        let result = ack.await.unwrap_or_else(|_| Err(self.writer_gone()));
        self.count_latency(start, &result);
        result
    }

    /// [`EvidenceLog::append`] for plain threads. It blocks the thread, so
    /// it must not be called from inside an async runtime (tokio panics).
    pub fn append_blocking(&self, entry: impl Borrow<Entry>) -> Result<Appended, EvidenceError> {
        let start = Instant::now();
        let ack = self.submit(entry.borrow())?;
        let result = ack
            .blocking_recv()
            .unwrap_or_else(|_| Err(self.writer_gone()));
        self.count_latency(start, &result);
        result
    }

    /// False once a write has failed: every append is then refused.
    pub fn is_healthy(&self) -> bool {
        self.shared.healthy.load(Ordering::SeqCst)
    }

    /// The directory of the log.
    pub fn dir(&self) -> &Path {
        &self.shared.dir
    }

    /// Counters for metrics.
    pub fn stats(&self) -> EvidenceStats {
        let s = &self.shared;
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        EvidenceStats {
            entries: get(&s.entries),
            batches: get(&s.batches),
            fsyncs: get(&s.fsyncs),
            bytes: get(&s.bytes),
            max_batch: get(&s.max_batch),
            failed_batches: get(&s.failed_batches),
            acked: get(&s.acked),
            latency_us_sum: get(&s.latency_us_sum),
            latency_us_max: get(&s.latency_us_max),
            segment: get(&s.segment),
            last_seq: get(&s.last_seq),
        }
    }

    /// Writes what is queued and stops the writer; later appends are
    /// refused. Dropping the log does the same. Safe to call more than once,
    /// from anywhere: every call returns once the writer has stopped.
    pub fn close(&self) {
        if !self.shared.closed.swap(true, Ordering::SeqCst) {
            let _ = self.tx.send(Message::Close);
        }
        let mut slot = match self.writer.lock() {
            Ok(slot) => slot,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(handle) = slot.take()
            && handle.join().is_err()
        {
            self.shared.fail("the writer thread panicked".into());
        }
    }

    fn submit(
        &self,
        entry: &Entry,
    ) -> Result<oneshot::Receiver<Result<Appended, EvidenceError>>, EvidenceError> {
        if self.shared.closed.load(Ordering::SeqCst) {
            return Err(self.writer_gone());
        }
        if !self.is_healthy() {
            return Err(self.shared.unhealthy());
        }
        check_entry(entry)?;
        let bytes =
            serde_json::to_vec(entry).map_err(|e| EvidenceError::InvalidEntry(e.to_string()))?;
        let (ack, rx) = oneshot::channel();
        let request = Request {
            entry: bytes,
            mark: Mark::of(entry),
            ack,
        };
        match self.tx.send(Message::Append(request)) {
            Ok(()) => Ok(rx),
            Err(_) => Err(self.writer_gone()),
        }
    }

    fn writer_gone(&self) -> EvidenceError {
        if !self.shared.closed.load(Ordering::SeqCst) && self.is_healthy() {
            self.shared.fail("the writer thread stopped".into());
        }
        EvidenceError::Closed {
            dir: self.shared.dir.clone(),
        }
    }

    fn count_latency(&self, start: Instant, result: &Result<Appended, EvidenceError>) {
        if result.is_ok() {
            let us = u64::try_from(start.elapsed().as_micros()).unwrap_or(u64::MAX);
            self.shared.acked.fetch_add(1, Ordering::Relaxed);
            self.shared.latency_us_sum.fetch_add(us, Ordering::Relaxed);
            self.shared.latency_us_max.fetch_max(us, Ordering::Relaxed);
        }
    }
}

impl Drop for EvidenceLog {
    fn drop(&mut self) {
        self.close();
    }
}

/// Refuses what would be written but not read back: serde_json writes a
/// non-finite float as `null`, which no longer parses as a number.
fn check_entry(entry: &Entry) -> Result<(), EvidenceError> {
    if let Entry::Action(record) = entry {
        if !record.latency_ms.is_finite() {
            return Err(EvidenceError::InvalidEntry(format!(
                "action {}: latency_ms is {}",
                record.action_id, record.latency_ms
            )));
        }
        if !record.policy_matched.risk.is_finite() {
            return Err(EvidenceError::InvalidEntry(format!(
                "action {}: policy_matched.risk is {}",
                record.action_id, record.policy_matched.risk
            )));
        }
    }
    Ok(())
}

fn io_error(path: &Path, op: &'static str, source: io::Error) -> EvidenceError {
    EvidenceError::Io {
        path: path.to_path_buf(),
        op,
        source: Arc::new(source),
    }
}

/// Holds `LOCK` in the directory for as long as the writer lives.
fn lock(dir: &Path) -> Result<File, EvidenceError> {
    let path = dir.join(format::LOCK_FILE);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| io_error(&path, "opening", e))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(TryLockError::WouldBlock) => Err(EvidenceError::Locked { path }),
        Err(TryLockError::Error(e)) => Err(io_error(&path, "locking", e)),
    }
}
