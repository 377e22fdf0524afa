//! The evidence log: one durable, tamper-evident record per governed action.
//!
//! - [`record`]: what is recorded, the [`Entry`] kinds;
//! - [`format`](mod@format): how it lies on disk, and how lines are chained;
//! - [`EvidenceLog`] ([`log`]): appending, durably, with group commit;
//!   [`EvidenceError`] ([`error`]): why it refused;
//! - `writer`: the thread that commits batches;
//! - `recover`: opening again after a crash;
//! - [`index`]: where each session's entries lie, so a session is read
//!   when first used rather than the whole log at start-up;
//! - [`verify()`] ([`verify`](mod@verify)): finding the first broken link;
//! - [`read_entries`], [`records`] ([`read`]): replaying the log and folding
//!   reviews and outcomes into full records.
//!
//! # On disk
//!
//! A directory holds the segments `evidence-000001.jsonl`,
//! `evidence-000002.jsonl`, … numbered from 1 without gaps; a segment that
//! has reached [`EvidenceOptions::max_segment_bytes`] (64 MiB) is closed and the
//! next batch starts the next one. Every line is one entry:
//!
//! ```text
//! {"seq":1,"prev":"sha256:000…000","hash":"sha256:3f…","entry":{"type":"session",…}}
//! ```
//!
//! `seq` counts from 1 across segments; `prev` is the `hash` of the line
//! before (`sha256:` and 64 zeros before the first); `hash` is SHA-256 over
//! `clawlaw-evidence-v1\n<seq>\n<prev>\n<entry bytes>`, the entry's JSON
//! exactly as it appears in the line ([`format::link_hash`]). The frame is
//! fixed byte for byte, so a hash is checked on the bytes read, never on a
//! re-serialisation, and any edited byte shows.
//!
//! Beside them: `HEAD` (`{"seq":N,"hash":"sha256:…"}`, the last committed
//! link, replaced atomically by rename after every batch; not fsynced, so
//! after a power cut it may lag the log, which is fine, or be empty, which
//! counts as absent), `LOCK` (held by the one writer), `*.torn` (partial
//! final lines a crash left, set aside when the log was opened again), and
//! `INDEX` (where each session's entries lie; derived from the log, and
//! rebuilt from it when missing or wrong).
//!
//! # Guarantees
//!
//! - An append returns only after its line is written and fsynced; callers
//!   that fail are told so, and after any I/O failure the log refuses every
//!   append ([`EvidenceLog::is_healthy`]) so the gate fails closed.
//! - [`verify()`] detects an edited byte, a deleted, inserted, duplicated or
//!   reordered line, a cut last line, a missing segment, and (with `HEAD`)
//!   entries removed from the end or a last entry replaced with a
//!   recomputed hash, and names the first broken link: file, line, seq,
//!   what is wrong and what was expected.
//!
//! # Limits
//!
//! The chain is unkeyed: someone who can write the directory can rewrite an
//! entry *and* recompute every hash after it *and* rewrite `HEAD`, and
//! nothing here will notice. Deleting `HEAD` with the last entries removes
//! the evidence that they existed (`verify` reports when there is no
//! `HEAD`). Signed checkpoints, kept elsewhere, are what close this; the
//! format leaves room for them as another entry type.

pub mod error;
pub mod format;
pub mod index;
pub mod log;
pub mod read;
pub mod record;
mod recover;
#[cfg(test)]
mod testing;
pub mod verify;
mod writer;

pub use error::EvidenceError;
pub use index::{IndexOpened, LogIndex};
pub use log::{Appended, EvidenceLog, EvidenceOptions, EvidenceStats};
pub use read::{Entries, Fold, StoredEntry, fold, read_entries, records};
pub use record::{
    ActionRecord, CompositionState, Entry, OutcomeEntry, PolicyConsulted, PolicyMatched,
    PrincipalReview, ReviewEntry, SessionEntry,
};
pub use verify::{Break, VerifyError, VerifyReport, verify, verify_up_to};
