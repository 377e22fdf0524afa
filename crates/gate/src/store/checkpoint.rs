//! Checkpoints of the shared store and its verification: the database
//! side of [`super::chain`]'s scheme (what is hashed is defined there).
//!
//! A checkpoint is taken while no append is in flight (appends hold the
//! checkpoint lock shared, a checkpoint exclusively) so it sees every entry
//! up to the highest `seq` committed. [`PgStore::verify`] walks every
//! session's chain and every checkpoint, and checks each checkpointed head
//! is still in its chain with the same hash.

use std::collections::HashMap;

use serde::Serialize;
use sqlx::Row;

use super::chain::{ChainPos, GENESIS, checkpoint_hash, link};
use super::postgres::{CHECKPOINT_LOCK, PgStore};
use crate::evidence::EvidenceError;

/// What a verification found.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct StoreReport {
    pub entries: u64,
    pub sessions: u64,
    pub checkpoints: u64,
    /// The first problem, when the evidence does not verify.
    pub broken: Option<String>,
}

impl StoreReport {
    fn fail(&mut self, problem: String) {
        if self.broken.is_none() {
            self.broken = Some(problem);
        }
    }
}

impl PgStore {
    /// Takes a checkpoint over every session changed since the last one;
    /// returns the sessions it covered (0: nothing new, nothing written).
    pub async fn checkpoint(&self) -> Result<usize, EvidenceError> {
        let db = |e: sqlx::Error| EvidenceError::Database(format!("checkpoint: {e}"));
        let mut tx = self.pool().begin().await.map_err(db)?;
        sqlx::query("SELECT pg_advisory_xact_lock($1, $2)")
            .bind(CHECKPOINT_LOCK.0)
            .bind(CHECKPOINT_LOCK.1)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        let last =
            sqlx::query("SELECT upto_seq, hash FROM clawlaw_checkpoints ORDER BY id DESC LIMIT 1")
                .fetch_optional(&mut *tx)
                .await
                .map_err(db)?;
        let (after, prev) = last
            .map(|r| (r.get::<i64, _>(0), r.get::<String, _>(1)))
            .unwrap_or((0, GENESIS.to_string()));
        let rows = sqlx::query(
            "SELECT DISTINCT ON (session_id) session_id, session_seq, hash, \
             max(seq) OVER () FROM clawlaw_evidence WHERE seq > $1 \
             ORDER BY session_id, session_seq DESC",
        )
        .bind(after)
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
        if rows.is_empty() {
            return Ok(0);
        }
        let upto: i64 = rows[0].get(3);
        let heads: Vec<(String, i64, String)> = rows
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect();
        let heads_json = serde_json::to_string(&heads).unwrap_or_default();
        let hash = checkpoint_hash(upto, &prev, &heads_json);
        sqlx::query(
            "INSERT INTO clawlaw_checkpoints (upto_seq, heads, prev, hash) VALUES ($1, $2::jsonb, $3, $4)",
        )
        .bind(upto)
        .bind(&heads_json)
        .bind(&prev)
        .bind(&hash)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(heads.len())
    }

    /// Checkpoints every `every`, for ever (the gate aborts it at shutdown).
    /// Replicas may all run it: the lock makes them take turns, and one
    /// with nothing new writes nothing.
    pub fn spawn_checkpoints(&self, every: std::time::Duration) -> tokio::task::JoinHandle<()> {
        let store = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                if let Err(e) = store.checkpoint().await {
                    tracing::warn!(error = %e, "evidence checkpoint failed; the next tick retries");
                }
            }
        })
    }

    /// Verifies every session's chain and every checkpoint.
    pub async fn verify(&self) -> Result<StoreReport, EvidenceError> {
        use futures_util::TryStreamExt;
        let db = |e: sqlx::Error| EvidenceError::Database(format!("verify: {e}"));
        let mut report = StoreReport::default();
        // Each session's head as its chain verifies: (seq, hash).
        let mut heads: HashMap<String, ChainPos> = HashMap::new();
        {
            let mut rows = sqlx::query(
                "SELECT session_id, session_seq, prev, hash, entry FROM clawlaw_evidence \
                 ORDER BY session_id, session_seq",
            )
            .fetch(self.pool());
            let mut current: Option<(String, ChainPos)> = None;
            while let Some(r) = rows.try_next().await.map_err(db)? {
                report.entries += 1;
                let (session, seq, prev, hash, entry): (String, i64, String, String, String) =
                    (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4));
                let pos = match current.take() {
                    Some((s, pos)) if s == session => pos,
                    Some((s, pos)) => {
                        heads.insert(s, pos);
                        ChainPos::default()
                    }
                    None => ChainPos::default(),
                };
                let expected = link(&session, &pos, entry.as_bytes());
                if seq as u64 != expected.seq {
                    report.fail(format!(
                        "session {session}: entry {seq} follows {} (an entry is missing or inserted)",
                        pos.seq
                    ));
                } else if prev != pos.hash {
                    report.fail(format!(
                        "session {session} entry {seq}: prev is {prev}, the entry before has {}",
                        pos.hash
                    ));
                } else if hash != expected.hash {
                    report.fail(format!(
                        "session {session} entry {seq}: the hash does not match its content (edited)"
                    ));
                }
                current = Some((
                    session,
                    ChainPos {
                        seq: seq as u64,
                        hash,
                    },
                ));
            }
            if let Some((s, pos)) = current {
                heads.insert(s, pos);
            }
        }
        report.sessions = heads.len() as u64;
        // Every entry a checkpoint saw, per session: the highest it covered.
        let rows = sqlx::query(
            "SELECT id, upto_seq, heads::text, prev, hash FROM clawlaw_checkpoints ORDER BY id",
        )
        .fetch_all(self.pool())
        .await
        .map_err(db)?;
        let mut prev_hash = GENESIS.to_string();
        for r in rows {
            report.checkpoints += 1;
            let (id, upto, heads_text, prev, hash): (i64, i64, String, String, String) =
                (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4));
            let listed: Vec<(String, i64, String)> =
                serde_json::from_str(&heads_text).unwrap_or_default();
            // jsonb normalises whitespace; hash the canonical compact form.
            let canonical = serde_json::to_string(&listed).unwrap_or_default();
            if prev != prev_hash {
                report.fail(format!(
                    "checkpoint {id}: does not follow the checkpoint before it"
                ));
            } else if checkpoint_hash(upto, &prev, &canonical) != hash {
                report.fail(format!(
                    "checkpoint {id}: its hash does not match its content"
                ));
            }
            prev_hash = hash;
            for (session, seq, hash) in listed {
                let ok = heads.get(&session).is_some_and(|h| h.seq >= seq as u64);
                if !ok {
                    report.fail(format!(
                        "session {session}: checkpoint {id} saw entry {seq}, which is gone (entries were removed)"
                    ));
                    continue;
                }
                let at: Option<String> = sqlx::query_scalar(
                    "SELECT hash FROM clawlaw_evidence WHERE session_id = $1 AND session_seq = $2",
                )
                .bind(&session)
                .bind(seq)
                .fetch_optional(self.pool())
                .await
                .map_err(db)?;
                if at.as_deref() != Some(hash.as_str()) {
                    report.fail(format!(
                        "session {session} entry {seq}: not the entry checkpoint {id} saw (replaced)"
                    ));
                }
            }
        }
        Ok(report)
    }
}
