//! Reading the log back: [`read_entries`] streams every entry in order,
//! checking the chain as it goes, and [`Fold`] / [`records`] fold the linked
//! entries into full evidence records.
//!
//! Folding: each `action` entry starts a record. A `review` entry fills the
//! `principal_review`, and an `outcome` entry the `execution_result`, of the
//! latest `action` record with the same `(session_id, action_id)` that came
//! before it in the log. An action id evaluated twice in a session (say,
//! proposed again after an approval) thus yields two records, and a later
//! review or outcome belongs to the second. A later review or outcome
//! replaces an earlier one for the same record. A review or outcome with no
//! action record before it is ignored, with a warning.

use std::collections::HashMap;
use std::path::Path;

use super::record::{ActionRecord, Entry};
use super::verify::{VerifyError, VerifyReport, Walker};

/// One entry as stored: its place in the chain and what it says.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEntry {
    pub seq: u64,
    /// `sha256:<hex>`: this entry's link.
    pub hash: String,
    pub entry: Entry,
}

/// Streams the entries of the log in `dir` in order, checking every link
/// (the same checks as [`super::verify()`]); the first broken link or
/// unreadable entry is returned as an error and ends the stream.
pub fn read_entries(dir: impl AsRef<Path>) -> Result<Entries, VerifyError> {
    Ok(Entries {
        walker: Walker::open(dir.as_ref())?,
    })
}

/// The entries of a log, in order; see [`read_entries`].
pub struct Entries {
    walker: Walker,
}

impl Entries {
    /// What has been read so far (all of the log once the stream has ended
    /// without an error).
    pub fn report(&self) -> VerifyReport {
        self.walker.report()
    }

    /// Every entry, in order (what a gate replays at start-up), or the
    /// first broken link.
    pub fn into_entries(self) -> Result<Vec<Entry>, VerifyError> {
        self.map(|stored| stored.map(|s| s.entry)).collect()
    }
}

impl Iterator for Entries {
    type Item = Result<StoredEntry, VerifyError>;

    fn next(&mut self) -> Option<Self::Item> {
        let walked = match self.walker.next_line() {
            Ok(Some(walked)) => walked,
            Ok(None) => return None,
            Err(e) => return Some(Err(e)),
        };
        let (seq, hash) = (walked.seq, walked.hash);
        match serde_json::from_slice::<Entry>(walked.entry) {
            Ok(entry) => Some(Ok(StoredEntry {
                seq,
                hash: hash.to_string(),
                entry,
            })),
            Err(e) => Some(Err(self.walker.fail_here(format!(
                "the entry links correctly but is not an evidence entry this gate can read: {e}"
            )))),
        }
    }
}

/// Folds entries into full records, keeping those that match a filter.
#[derive(Debug, Default)]
pub struct Fold {
    session: Option<String>,
    action: Option<String>,
    records: Vec<ActionRecord>,
    /// `(session_id, action_id)` → index of its latest record.
    latest: HashMap<(String, String), usize>,
}

impl Fold {
    /// A fold keeping records of `session` (all when `None`) and `action`
    /// (all when `None`).
    pub fn new(session: Option<&str>, action: Option<&str>) -> Fold {
        Fold {
            session: session.map(str::to_owned),
            action: action.map(str::to_owned),
            ..Fold::default()
        }
    }

    fn wanted(&self, session_id: &str, action_id: &str) -> bool {
        self.session.as_deref().is_none_or(|s| s == session_id)
            && self.action.as_deref().is_none_or(|a| a == action_id)
    }

    fn latest_mut(&mut self, session_id: &str, action_id: &str) -> Option<&mut ActionRecord> {
        let key = (session_id.to_owned(), action_id.to_owned());
        match self.latest.get(&key) {
            Some(&i) => self.records.get_mut(i),
            None => {
                tracing::warn!(
                    session_id,
                    action_id,
                    "evidence: a review or outcome with no action record before it; ignored"
                );
                None
            }
        }
    }

    /// Folds in the next entry of the log.
    pub fn add(&mut self, entry: Entry) {
        match entry {
            Entry::Session(_) => {}
            Entry::Action(record) => {
                if self.wanted(&record.session_id, &record.action_id) {
                    let key = (record.session_id.clone(), record.action_id.clone());
                    self.latest.insert(key, self.records.len());
                    self.records.push(record);
                }
            }
            Entry::Review(review) => {
                if self.wanted(&review.session_id, &review.action_id)
                    && let Some(record) = self.latest_mut(&review.session_id, &review.action_id)
                {
                    record.principal_review = Some(review.principal_review);
                }
            }
            Entry::Outcome(outcome) => {
                if self.wanted(&outcome.session_id, &outcome.action_id)
                    && let Some(record) = self.latest_mut(&outcome.session_id, &outcome.action_id)
                {
                    record.execution_result = Some(outcome.execution_result);
                }
            }
        }
    }

    /// The full records, in the order their actions were evaluated.
    pub fn finish(self) -> Vec<ActionRecord> {
        self.records
    }
}

/// Folds `entries` into the full records of `session` and `action` (all
/// when `None`).
pub fn fold(
    entries: impl IntoIterator<Item = Entry>,
    session: Option<&str>,
    action: Option<&str>,
) -> Vec<ActionRecord> {
    let mut fold = Fold::new(session, action);
    for entry in entries {
        fold.add(entry);
    }
    fold.finish()
}

/// Reads the log in `dir` (checking the chain) and folds it into the full
/// records of `session` and `action` (all when `None`).
pub fn records(
    dir: impl AsRef<Path>,
    session: Option<&str>,
    action: Option<&str>,
) -> Result<Vec<ActionRecord>, VerifyError> {
    let mut fold = Fold::new(session, action);
    for stored in read_entries(dir)? {
        fold.add(stored?.entry);
    }
    Ok(fold.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::record::SessionEntry;
    use crate::evidence::testing::{action, outcome, review};
    use clawlaw_sdk::Verdict;
    use serde_json::json;

    #[test]
    fn reviews_and_outcomes_fill_their_record() {
        let records = fold(
            [
                Entry::Session(SessionEntry {
                    session_id: "s".into(),
                    timestamp: "2026-01-01T00:00:00Z".into(),
                    declaration: json!({}),
                }),
                action("s", "a1", Verdict::Escalate),
                action("s", "a2", Verdict::Allow),
                review("s", "a1", "alice"),
                outcome("s", "a2", 0),
                outcome("s", "a1", 1),
            ],
            Some("s"),
            None,
        );
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].action_id, "a1");
        assert_eq!(records[0].principal_review.as_ref().unwrap().by, "alice");
        assert_eq!(records[0].execution_result, Some(json!({"exit": 1})));
        assert_eq!(records[1].principal_review, None);
        assert_eq!(records[1].execution_result, Some(json!({"exit": 0})));
    }

    #[test]
    fn a_reproposed_action_links_to_its_latest_record() {
        let records = fold(
            [
                action("s", "a", Verdict::Escalate),
                review("s", "a", "alice"),
                action("s", "a", Verdict::Allow),
                outcome("s", "a", 0),
            ],
            None,
            None,
        );
        assert_eq!(records.len(), 2);
        assert!(records[0].principal_review.is_some());
        assert_eq!(records[0].execution_result, None);
        assert_eq!(records[1].principal_review, None);
        assert_eq!(records[1].execution_result, Some(json!({"exit": 0})));
    }

    #[test]
    fn filters_keep_one_session_and_action() {
        let entries = [
            action("s1", "a", Verdict::Allow),
            action("s2", "a", Verdict::Deny),
            action("s1", "b", Verdict::Allow),
            outcome("s2", "a", 7),
            outcome("s1", "zzz", 7),
        ];
        let s1 = fold(entries.clone(), Some("s1"), None);
        assert_eq!(s1.len(), 2);
        let s2a = fold(entries.clone(), Some("s2"), Some("a"));
        assert_eq!(s2a.len(), 1);
        assert_eq!(s2a[0].evaluation, Verdict::Deny);
        assert_eq!(s2a[0].execution_result, Some(json!({"exit": 7})));
        assert_eq!(fold(entries, Some("nope"), None), vec![]);
    }
}
