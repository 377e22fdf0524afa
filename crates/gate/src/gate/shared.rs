//! Holding a session for a change, on either store, reading it on first
//! use, and what the gate runs beside requests.
//!
//! [`Gate::hold`] locks a session in memory and, on PostgreSQL, takes its
//! lease (the database lock every replica respects) and folds in what other
//! replicas recorded since this one last looked; [`Gate::commit`] records
//! an entry for it and makes it durable. Between the two, the session is
//! exactly what every replica would compute, and nobody else changes it.
//!
//! A gate reads a session on its first use ([`Gate::session_cell`]): from
//! PostgreSQL, or from the local log through its session index; and drops
//! sessions idle for `[store] idle_secs` from memory ([`Gate::evict_idle`]):
//! memory and start-up stay bounded by what is in use, not by history. A
//! replica on the shared store also follows the others' commits
//! (LISTEN/NOTIFY: a review decided elsewhere wakes a waiter here;
//! [`Gate::follow`]).

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::OwnedMutexGuard;

use super::{Gate, GateError, SessionCell, SessionEntryState};
use crate::evidence::EvidenceError;
use crate::evidence::record::Entry;
use crate::review::Review;
use crate::store::{ChainPos, Lease, Notice, Store, StoredEntry};

/// A session held for one change (see the module doc).
pub(super) struct Held {
    pub session: OwnedMutexGuard<SessionEntryState>,
    lease: Option<Lease>,
}

impl Gate {
    /// The session's cell, read from the store on its first use here (or
    /// its first use since it left memory idle).
    pub(super) async fn session_cell(&self, id: &str) -> Result<Option<SessionCell>, GateError> {
        if let Some(cell) = self.session(id) {
            return Ok(Some(cell));
        }
        let state = match &self.store {
            Store::Local(log) => {
                let (index, session) = (log.index().clone(), id.to_string());
                let entries = tokio::task::spawn_blocking(move || index.read_session(&session))
                    .await
                    .map_err(|e| {
                        GateError::Evidence(EvidenceError::Closed {
                            dir: log.dir().join(format!("(reading a session: {e})")),
                        })
                    })?
                    .map_err(GateError::Evidence)?;
                let positioned = entries
                    .into_iter()
                    .flatten()
                    .map(|e| (e, ChainPos::default()));
                self.read_session(positioned)
            }
            Store::Postgres(pg) => {
                let entries = pg.entries_after(id, 0).await.map_err(GateError::Evidence)?;
                self.read_session(entries.into_iter().map(|s| (s.entry, s.pos)))
            }
        };
        let Some(state) = state else {
            return Ok(None);
        };
        // Another request may have read it meanwhile: the first one stays.
        let mut map = self.sessions.write().unwrap_or_else(|p| p.into_inner());
        let cell = map
            .entry(id.to_string())
            .or_insert_with(|| Arc::new(tokio::sync::Mutex::new(state)));
        Ok(Some(cell.clone()))
    }

    /// A session rebuilt from its stored entries, from its declaration on
    /// (refusals recorded before it was opened, when it was unknown, are
    /// not part of it); `None` when it was never opened.
    fn read_session(
        &self,
        entries: impl IntoIterator<Item = (Entry, ChainPos)>,
    ) -> Option<SessionEntryState> {
        let mut entries = entries.into_iter();
        let mut state = loop {
            if let (Entry::Session(opened), pos) = entries.next()? {
                let mut state = SessionEntryState::opened(&opened, self.options.recent);
                state.chain = pos;
                break state;
            }
        };
        for (entry, pos) in entries {
            self.fold(&mut state, &entry);
            state.chain = pos;
        }
        Some(state)
    }

    /// Locks a session for a change (see the module doc). `Ok(None)`: no
    /// such session.
    pub(super) async fn hold(&self, id: &str) -> Result<Option<Held>, GateError> {
        let mut session = loop {
            let Some(cell) = self.session_cell(id).await? else {
                return Ok(None);
            };
            let session = cell.clone().lock_owned().await;
            // Left memory idle while this waited: a cell nobody else will
            // see. Read it again (now fresh, it is not idle).
            if self.session(id).is_some_and(|c| Arc::ptr_eq(&c, &cell)) {
                break session;
            }
        };
        session.last_used = Instant::now();
        let lease = match self.store.postgres() {
            None => None,
            Some(pg) => {
                let mut lease = pg.lease(id).await.map_err(GateError::Evidence)?;
                let new = lease
                    .entries_after(session.chain.seq)
                    .await
                    .map_err(GateError::Evidence)?;
                self.fold_all(&mut session, new);
                Some(lease)
            }
        };
        Ok(Some(Held { session, lease }))
    }

    fn fold_all(&self, session: &mut SessionEntryState, entries: Vec<StoredEntry>) {
        for stored in entries {
            self.fold(session, &stored.entry);
            session.chain = stored.pos;
        }
    }

    /// Catches a session up with the shared store without its lease (to
    /// show it, or after another replica's notice).
    pub(super) async fn refresh(&self, session: &mut SessionEntryState) -> Result<(), GateError> {
        if let Some(pg) = self.store.postgres() {
            let new = pg
                .entries_after(&session.state.id, session.chain.seq)
                .await
                .map_err(GateError::Evidence)?;
            self.fold_all(session, new);
        }
        Ok(())
    }

    /// Records `entry` for the held session and makes it durable. On
    /// failure nothing of it is kept: the session is as it was.
    pub(super) async fn commit(&self, held: &mut Held, entry: Entry) -> Result<(), GateError> {
        let started = Instant::now();
        let result = match (held.lease.take(), &self.store) {
            (None, Store::Local(log)) => log.append(entry).await.map(drop),
            (Some(mut lease), _) => {
                let mut pos = held.session.chain.clone();
                let written = match lease.append(&mut pos, &entry).await {
                    Ok(()) => lease.commit().await,
                    Err(e) => Err(e),
                };
                if written.is_ok() {
                    held.session.chain = pos;
                }
                written
            }
            (None, Store::Postgres(_)) => Err(EvidenceError::Database(
                "a session was held without its lease".into(),
            )),
        };
        self.observe_write(started, result)
    }

    /// A review, read with its session from the store if it is not in
    /// memory (its session left memory idle, or another replica opened it).
    pub async fn review(&self, id: &str) -> Option<Review> {
        if let Some(r) = self.reviews.get(id) {
            return Some(r);
        }
        let session = match &self.store {
            Store::Local(log) => log.index().review_session(id)?,
            Store::Postgres(pg) => pg.review_session(id).await.ok()??,
        };
        // Held here already, but from before the review was opened.
        let cell = self.session_cell(&session).await.ok()??;
        let mut held = cell.lock().await;
        self.refresh(&mut held).await.ok()?;
        drop(held);
        self.reviews.get(id)
    }

    /// Waits until a review is decided (here or on another replica), or
    /// `timeout` passes.
    pub async fn wait_review(&self, id: &str, timeout: Duration) -> Option<Review> {
        self.review(id).await?;
        self.reviews.wait(id, timeout).await
    }

    /// Follows the other replicas' commits for ever (the server aborts it
    /// at shutdown): catches up sessions held in memory, and reads those
    /// with a review opened or decided, so waiters wake and the review
    /// list is whole. After a lost connection, catches up everything.
    pub async fn follow(self: Arc<Self>) {
        let Some(pg) = self.store.postgres().cloned() else {
            return;
        };
        loop {
            let mut listener = match pg.listen().await {
                Ok(l) => l,
                Err(_) => {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            };
            // Notices sent while nobody listened are lost: look instead.
            self.catch_up_everything().await;
            loop {
                match listener.try_recv().await {
                    Ok(Some(n)) => {
                        if let Ok(notice) = serde_json::from_str::<Notice>(n.payload()) {
                            self.on_notice(&notice).await;
                        }
                    }
                    Ok(None) => {
                        tracing::warn!("lost the store's notifications; catching up");
                        self.catch_up_everything().await;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "the store's notifications failed; reconnecting");
                        break;
                    }
                }
            }
        }
    }

    async fn on_notice(&self, notice: &Notice) {
        match self.session(&notice.session) {
            Some(cell) => {
                let mut session = cell.lock().await;
                let _ = self.refresh(&mut session).await;
            }
            None if notice.review => {
                let _ = self.session_cell(&notice.session).await;
            }
            None => {}
        }
        self.gauge_pending_reviews();
    }

    /// Sets the pending-reviews gauge from the reviews' count, after
    /// reviews were opened, decided or read back.
    pub(super) fn gauge_pending_reviews(&self) {
        self.metrics
            .reviews_pending
            .set(self.reviews.pending() as i64);
    }

    /// Reads every session with a pending review and (on the shared store)
    /// catches up every session in memory: at start-up, and after lost
    /// notifications.
    pub async fn catch_up_everything(&self) {
        let pending = match &self.store {
            Store::Local(log) => Ok(log.index().sessions_with_open_reviews()),
            Store::Postgres(pg) => pg.sessions_with_pending_reviews().await,
        };
        for id in pending.unwrap_or_default() {
            let _ = self.session_cell(&id).await;
        }
        if self.store.postgres().is_some() {
            let cells: Vec<SessionCell> = self
                .sessions
                .read()
                .unwrap_or_else(|p| p.into_inner())
                .values()
                .cloned()
                .collect();
            for cell in cells {
                let mut session = cell.lock().await;
                let _ = self.refresh(&mut session).await;
            }
        }
        self.gauge_pending_reviews();
    }

    /// Drops from memory the sessions not used for `idle`, and the decided
    /// reviews of sessions not in memory (they are read again with their
    /// session on its next use). Returns how many sessions.
    pub fn evict_idle(&self, idle: Duration) -> usize {
        let mut map = self.sessions.write().unwrap_or_else(|p| p.into_inner());
        let before = map.len();
        map.retain(|_, cell| match cell.try_lock() {
            Ok(session) => session.last_used.elapsed() < idle,
            // In use right now.
            Err(_) => true,
        });
        let evicted = before - map.len();
        if evicted > 0 {
            self.reviews
                .forget_decided(|session| !map.contains_key(session));
        }
        evicted
    }
}

impl Gate {
    /// Starts what the gate runs beside requests: dropping idle sessions
    /// from memory, on either store; on the local log, walking the chain
    /// as far as it was when opened (a broken link turns the log unhealthy,
    /// so the gate denies); on the shared store, following the other
    /// replicas, the health probe and checkpoints. Abort them at shutdown.
    pub fn spawn_tasks(
        self: &Arc<Self>,
        section: &crate::store::StoreSection,
    ) -> Vec<tokio::task::JoinHandle<()>> {
        let idle = section.idle();
        let gate = self.clone();
        let mut tasks = vec![tokio::spawn(async move {
            let mut tick = tokio::time::interval((idle / 4).max(Duration::from_secs(1)));
            loop {
                tick.tick().await;
                let n = gate.evict_idle(idle);
                if n > 0 {
                    tracing::debug!(sessions = n, "idle sessions left memory");
                }
            }
        })];
        match &self.store {
            Store::Local(_) => {
                let gate = self.clone();
                tasks.push(tokio::spawn(async move { gate.verify_local_chain().await }));
            }
            Store::Postgres(pg) => {
                tasks.push(tokio::spawn(self.clone().follow()));
                tasks.push(pg.spawn_probe());
                tasks.push(pg.spawn_checkpoints(section.checkpoint_every()));
            }
        }
        tasks
    }

    /// Walks the local log's chain up to where it ended when opened; a
    /// break turns the log unhealthy (start-up no longer replays it whole,
    /// so this is where a broken chain is found).
    async fn verify_local_chain(self: Arc<Self>) {
        let gate = self.clone();
        let result = tokio::task::spawn_blocking(move || match gate.store.local() {
            Some(log) => log.verify_opened().map_err(|e| e.to_string()),
            None => Ok(0),
        })
        .await
        .unwrap_or_else(|e| Err(format!("the check stopped: {e}")));
        let Some(log) = self.store.local() else {
            return;
        };
        match result {
            Ok(entries) => {
                self.metrics.evidence_chain_verified.set(1);
                tracing::info!(
                    entries,
                    "evidence chain verified up to where the log was opened"
                );
            }
            Err(e) => {
                tracing::error!(error = %e, "the evidence chain is broken; the gate denies until it is repaired");
                log.refuse(format!("the evidence chain is broken: {e}"));
            }
        }
    }
}
