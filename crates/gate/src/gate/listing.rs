//! The sessions list (`GET /v1/sessions`): the newest sessions first, each
//! as a short summary, at most a bounded number of them.
//!
//! Session ids are UUIDv7, so they sort by opening time; the list sorts
//! the ids (no session lock taken), keeps the newest `limit`, and only then
//! locks those few sessions to summarise them. Its cost grows with the
//! number of sessions only through that sort, never through their actions.
//! The newest ids come from the store (the local log's index, or the
//! database), and each session listed is read (or caught up) from it.

use super::Gate;
use crate::store::Store;

/// Most sessions one list returns.
pub const MAX_SESSIONS_LISTED: usize = 500;

impl Gate {
    /// The newest `limit` sessions (at most `MAX_SESSIONS_LISTED`), newest
    /// first: id, opening time, intent, principal, actions, risk, labels,
    /// and the denial, escalation and out-of-scope counts.
    pub async fn list_sessions(&self, limit: usize) -> Vec<serde_json::Value> {
        let limit = limit.min(MAX_SESSIONS_LISTED);
        let ids = match &self.store {
            Store::Local(log) => Ok(log.index().newest_sessions(limit)),
            Store::Postgres(pg) => pg.newest_sessions(limit).await,
        };
        if let Ok(ids) = ids {
            let mut cells = Vec::with_capacity(ids.len());
            for id in ids {
                if let Ok(Some(cell)) = self.session_cell(&id).await {
                    cells.push((id, cell));
                }
            }
            return self.summaries(cells).await;
        }
        let mut cells: Vec<_> = self
            .sessions
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .map(|(id, cell)| (id.clone(), cell.clone()))
            .collect();
        cells.sort_unstable_by(|a, b| b.0.cmp(&a.0));
        cells.truncate(limit);
        self.summaries(cells).await
    }

    async fn summaries(&self, cells: Vec<(String, super::SessionCell)>) -> Vec<serde_json::Value> {
        let mut out = Vec::with_capacity(cells.len());
        for (_, cell) in cells {
            let mut guard = cell.lock().await;
            let _ = self.refresh(&mut guard).await;
            let s = &guard.state;
            out.push(serde_json::json!({
                "session_id": s.id,
                "opened_at": s.opened_at,
                "intent": s.declaration.intent,
                "principal": s.declaration.principal,
                "actions": s.actions,
                "risk": s.risk,
                "labels": s.view().labels,
                "denials": s.counter("denials"),
                "escalations": s.counter("escalations"),
                "out_of_scope": s.counter("out_of_scope"),
            }));
        }
        out
    }
}
