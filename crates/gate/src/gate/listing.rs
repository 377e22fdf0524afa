//! The sessions list (`GET /v1/sessions`): the newest sessions first, each
//! as a short summary, at most a bounded number of them.
//!
//! Session ids are UUIDv7, so they sort by opening time; the list sorts
//! the ids (no session lock taken), keeps the newest `limit`, and only then
//! locks those few sessions to summarise them. Its cost grows with the
//! number of sessions only through that sort, never through their actions.

use super::Gate;

/// Most sessions one list returns.
pub const MAX_SESSIONS_LISTED: usize = 500;

impl Gate {
    /// The newest `limit` sessions (at most `MAX_SESSIONS_LISTED`), newest
    /// first: id, opening time, intent, principal, actions, risk, labels,
    /// and the denial, escalation and out-of-scope counts.
    pub async fn list_sessions(&self, limit: usize) -> Vec<serde_json::Value> {
        let mut cells: Vec<_> = self
            .sessions
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .map(|(id, cell)| (id.clone(), cell.clone()))
            .collect();
        cells.sort_unstable_by(|a, b| b.0.cmp(&a.0));
        cells.truncate(limit.min(MAX_SESSIONS_LISTED));
        let mut out = Vec::with_capacity(cells.len());
        for (_, cell) in cells {
            let guard = cell.lock().await;
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
