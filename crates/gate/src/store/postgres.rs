//! The PostgreSQL store: evidence shared by any number of gate replicas.
//!
//! Every entry is a row of `clawlaw_evidence`, in its session's hash chain
//! ([`super::chain`]). A change to a session happens inside a [`Lease`]: a
//! transaction holding the session's advisory lock (`pg_advisory_xact_lock`
//! on the session id), in which the replica first reads what other
//! replicas recorded since it last looked, then appends, then commits. So a
//! session's actions are decided one at a time, in order, across replicas,
//! on exactly the composition every replica would compute; the unique
//! `(session_id, session_seq)` key refuses a fork even if a lock were lost.
//!
//! Every commit also notifies `clawlaw_entries` (LISTEN/NOTIFY) with the
//! session and the entry's kind, so replicas waiting on a review wake when
//! another decides it ([`PgStore::listen`]).
//!
//! Appends take the checkpoint lock shared; a checkpoint takes it
//! exclusively, so it sees every entry up to the highest `seq` committed.
//!
//! Failure is closed and temporary: any database error is an
//! [`EvidenceError::Database`] (the gate denies, `/healthz` is 503), the
//! store turns unhealthy, and a probe every second turns it healthy again
//! when the database answers.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};
use sqlx::{ConnectOptions, PgPool, Postgres, Row, Transaction};

use super::chain::{ChainPos, link};
use crate::evidence::EvidenceError;
use crate::evidence::record::Entry;

/// The channel every commit notifies.
pub const CHANNEL: &str = "clawlaw_entries";

/// The key (two 32-bit halves) of the lock appends share and checkpoints take.
pub(super) const CHECKPOINT_LOCK: (i32, i32) = (0x636c_6177, 1);

/// The versioned schema, embedded; applied at start and by `clawlaw store migrate`.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// How to reach the database.
#[derive(Debug, Clone)]
pub struct PgSettings {
    /// `postgres://user@host:port/db`; a password in it is used but never shown.
    pub url: String,
    /// The password, when it is not in the URL (read from an env var or file).
    pub password: Option<String>,
    pub max_connections: u32,
    /// How long a request waits for a connection before it fails closed.
    pub acquire_timeout: Duration,
}

/// One entry as stored, with its place in the session's chain.
#[derive(Debug, Clone)]
pub struct StoredEntry {
    pub seq: i64,
    pub pos: ChainPos,
    pub entry: Entry,
}

/// What a commit tells the other replicas.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Notice {
    pub session: String,
    pub kind: String,
    /// Whether the entry opens or decides a review.
    #[serde(default)]
    pub review: bool,
}

/// The shared store. Cheap to clone.
#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
    healthy: Arc<AtomicBool>,
    /// The URL without its password, for messages.
    shown: String,
}

/// A session held for a change: an open transaction with its lock.
pub struct Lease {
    tx: Transaction<'static, Postgres>,
    store: PgStore,
    session: String,
    notices: Vec<Notice>,
}

impl PgStore {
    /// A pool on the store. Connections are made lazily, so a database down
    /// later is a failure of the requests then, which recover with it; with
    /// `migrate`, the migrations are applied first, which needs it up (a
    /// gate does not start on a schema it has not checked).
    pub async fn connect(settings: &PgSettings, migrate: bool) -> Result<PgStore, EvidenceError> {
        let mut options: PgConnectOptions = settings.url.parse().map_err(|e| {
            EvidenceError::Database(format!("store url {}: {e}", redact_url(&settings.url)))
        })?;
        if let Some(password) = &settings.password {
            options = options.password(password);
        }
        // A whole-store scan (verify, export) takes seconds by design: slow
        // statements are information, not warnings.
        options = options.log_slow_statements(log::LevelFilter::Info, Duration::from_secs(1));
        let pool = PgPoolOptions::new()
            .max_connections(settings.max_connections)
            .acquire_timeout(settings.acquire_timeout)
            .connect_lazy_with(options);
        let store = PgStore {
            pool,
            healthy: Arc::new(AtomicBool::new(true)),
            shown: redact_url(&settings.url),
        };
        if migrate {
            store.migrate().await?;
        }
        Ok(store)
    }

    /// Where the store is, without its password.
    pub fn describe(&self) -> &str {
        &self.shown
    }

    /// Applies the embedded migrations not yet applied. Refuses a database
    /// whose schema has a migration this binary does not know (a newer
    /// clawlaw migrated it) or one that was changed after it was applied.
    pub async fn migrate(&self) -> Result<usize, EvidenceError> {
        let before = self.applied().await.unwrap_or(0);
        MIGRATOR.run(&self.pool).await.map_err(|e| {
            EvidenceError::Database(format!(
                "migrating {}: {e}{}",
                self.shown,
                match e {
                    sqlx::migrate::MigrateError::VersionMissing(_) =>
                        " (the database was migrated by a newer clawlaw; run that version)",
                    _ => "",
                }
            ))
        })?;
        Ok(self.applied().await.unwrap_or(0).saturating_sub(before))
    }

    async fn applied(&self) -> Result<usize, sqlx::Error> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations WHERE success")
            .fetch_one(&self.pool)
            .await?;
        Ok(n as usize)
    }

    pub fn is_healthy(&self) -> bool {
        self.healthy.load(Ordering::Relaxed)
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    fn fail(&self, what: &str, e: sqlx::Error) -> EvidenceError {
        if self.healthy.swap(false, Ordering::Relaxed) {
            tracing::error!(store = %self.shown, error = %e, "the store failed; the gate denies until it answers again");
        }
        EvidenceError::Database(format!("{what} in {}: {e}", self.shown))
    }

    fn ok<T>(&self, v: T) -> T {
        if !self.healthy.swap(true, Ordering::Relaxed) {
            tracing::info!(store = %self.shown, "the store answers again");
        }
        v
    }

    /// Checks the database answers; turns the store healthy or unhealthy.
    pub async fn probe(&self) -> bool {
        match sqlx::query("SELECT 1").execute(&self.pool).await {
            Ok(_) => self.ok(true),
            Err(e) => {
                self.fail("probing", e);
                false
            }
        }
    }

    /// Probes every second, for ever (the gate aborts it at shutdown).
    pub fn spawn_probe(&self) -> tokio::task::JoinHandle<()> {
        let store = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            loop {
                tick.tick().await;
                store.probe().await;
            }
        })
    }

    /// Begins a change to `session`: takes its lock (waiting for another
    /// replica's change to commit).
    pub async fn lease(&self, session: &str) -> Result<Lease, EvidenceError> {
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(|e| self.fail("beginning a transaction", e))?;
        sqlx::query("SELECT pg_advisory_xact_lock_shared($1, $2)")
            .bind(CHECKPOINT_LOCK.0)
            .bind(CHECKPOINT_LOCK.1)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.fail("taking the checkpoint lock", e))?;
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind(session)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.fail("locking the session", e))?;
        Ok(Lease {
            tx,
            store: self.clone(),
            session: session.to_string(),
            notices: Vec::new(),
        })
    }

    /// A session's entries after `after` in its chain, in order, without a lock.
    pub async fn entries_after(
        &self,
        session: &str,
        after: u64,
    ) -> Result<Vec<StoredEntry>, EvidenceError> {
        let rows = sqlx::query(ENTRIES_AFTER)
            .bind(session)
            .bind(after as i64)
            .fetch_all(&self.pool)
            .await
            .map_err(|e| self.fail("reading a session", e))?;
        Ok(self.ok(decode_rows(rows)))
    }

    /// The session a review belongs to, if any replica recorded it.
    pub async fn review_session(&self, review_id: &str) -> Result<Option<String>, EvidenceError> {
        let row =
            sqlx::query("SELECT session_id FROM clawlaw_evidence WHERE review_id = $1 LIMIT 1")
                .bind(review_id)
                .fetch_optional(&self.pool)
                .await
                .map_err(|e| self.fail("finding a review", e))?;
        Ok(self.ok(row.map(|r| r.get::<String, _>(0))))
    }

    /// Sessions with a review opened and not yet decided.
    pub async fn sessions_with_pending_reviews(&self) -> Result<Vec<String>, EvidenceError> {
        let rows = sqlx::query(
            "SELECT DISTINCT a.session_id FROM clawlaw_evidence a \
             WHERE a.kind = 'action' AND a.review_id IS NOT NULL AND NOT EXISTS \
             (SELECT 1 FROM clawlaw_evidence r WHERE r.kind = 'review' AND r.review_id = a.review_id)",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.fail("finding pending reviews", e))?;
        Ok(self.ok(rows.into_iter().map(|r| r.get(0)).collect()))
    }

    /// The newest `limit` sessions' ids, the last opened first.
    pub async fn newest_sessions(&self, limit: usize) -> Result<Vec<String>, EvidenceError> {
        let rows = sqlx::query(
            "SELECT session_id FROM clawlaw_evidence WHERE kind = 'session' \
             ORDER BY seq DESC LIMIT $1",
        )
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.fail("listing sessions", e))?;
        Ok(self.ok(rows.into_iter().map(|r| r.get(0)).collect()))
    }

    /// Appends one entry to a session in its own transaction, after its
    /// current head (for the refusal of an unknown session, and a session's
    /// first entry).
    pub async fn append_detached(
        &self,
        session: &str,
        entry: &Entry,
    ) -> Result<ChainPos, EvidenceError> {
        let mut lease = self.lease(session).await?;
        let mut pos = lease.head().await?;
        lease.append(&mut pos, entry).await?;
        lease.commit().await?;
        Ok(pos)
    }

    /// Opens a session with its `entry` unless its chain already holds an
    /// opening (another replica's): where it landed, or `None`.
    pub async fn open_once(
        &self,
        session: &str,
        entry: &Entry,
    ) -> Result<Option<ChainPos>, EvidenceError> {
        let mut lease = self.lease(session).await?;
        let known = lease.entries_after(0).await?;
        if known.iter().any(|e| matches!(e.entry, Entry::Session(_))) {
            return Ok(None);
        }
        let mut pos = known.last().map(|e| e.pos.clone()).unwrap_or_default();
        lease.append(&mut pos, entry).await?;
        lease.commit().await?;
        Ok(Some(pos))
    }

    /// A listener on [`CHANNEL`] (an error while the database is down).
    pub async fn listen(&self) -> Result<PgListener, EvidenceError> {
        let mut listener = PgListener::connect_with(&self.pool)
            .await
            .map_err(|e| self.fail("listening", e))?;
        listener
            .listen(CHANNEL)
            .await
            .map_err(|e| self.fail("listening", e))?;
        Ok(listener)
    }

    /// Writes every entry as a JSON line, in the order written:
    /// `{"session_id","session_seq","prev","hash","entry"}`, the entry's
    /// bytes exactly as hashed. Returns how many.
    pub async fn export(
        &self,
        out: &mut (dyn std::io::Write + Send),
    ) -> Result<u64, EvidenceError> {
        use futures_util::TryStreamExt;
        let mut rows = sqlx::query(
            "SELECT session_id, session_seq, prev, hash, entry FROM clawlaw_evidence ORDER BY seq",
        )
        .fetch(&self.pool);
        let mut n = 0u64;
        let io = |e: std::io::Error| EvidenceError::Database(format!("writing the export: {e}"));
        while let Some(r) = rows
            .try_next()
            .await
            .map_err(|e| self.fail("exporting", e))?
        {
            let text = |i: usize| serde_json::to_string(&r.get::<String, _>(i)).unwrap_or_default();
            writeln!(
                out,
                "{{\"session_id\":{},\"session_seq\":{},\"prev\":{},\"hash\":{},\"entry\":{}}}",
                text(0),
                r.get::<i64, _>(1),
                text(2),
                text(3),
                r.get::<String, _>(4)
            )
            .map_err(io)?;
            n += 1;
        }
        Ok(n)
    }

    /// Closes the pool (waits for connections in use to be returned).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

const ENTRIES_AFTER: &str = "SELECT seq, session_seq, hash, entry FROM clawlaw_evidence \
     WHERE session_id = $1 AND session_seq > $2 ORDER BY session_seq";

fn decode_rows(rows: Vec<sqlx::postgres::PgRow>) -> Vec<StoredEntry> {
    rows.into_iter()
        .filter_map(|r| {
            let text: String = r.get(3);
            let entry = match serde_json::from_str::<Entry>(&text) {
                Ok(e) => e,
                Err(e) => {
                    // Verification names it; the session goes on without it.
                    tracing::error!(error = %e, "an evidence entry in the store does not parse");
                    return None;
                }
            };
            Some(StoredEntry {
                seq: r.get(0),
                pos: ChainPos {
                    seq: r.get::<i64, _>(1) as u64,
                    hash: r.get(2),
                },
                entry,
            })
        })
        .collect()
}

impl Lease {
    /// What other replicas appended to the session after `after`.
    pub async fn entries_after(&mut self, after: u64) -> Result<Vec<StoredEntry>, EvidenceError> {
        let rows = sqlx::query(ENTRIES_AFTER)
            .bind(&self.session)
            .bind(after as i64)
            .fetch_all(&mut *self.tx)
            .await
            .map_err(|e| self.store.fail("reading a session", e))?;
        Ok(decode_rows(rows))
    }

    /// The session's last link (genesis when it has none).
    pub async fn head(&mut self) -> Result<ChainPos, EvidenceError> {
        let row = sqlx::query(
            "SELECT session_seq, hash FROM clawlaw_evidence WHERE session_id = $1 \
             ORDER BY session_seq DESC LIMIT 1",
        )
        .bind(&self.session)
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(|e| self.store.fail("reading a session's head", e))?;
        Ok(row
            .map(|r| ChainPos {
                seq: r.get::<i64, _>(0) as u64,
                hash: r.get(1),
            })
            .unwrap_or_default())
    }

    /// Appends `entry` after `pos`, which becomes the entry's position.
    /// Nothing is durable before [`Lease::commit`].
    pub async fn append(&mut self, pos: &mut ChainPos, entry: &Entry) -> Result<(), EvidenceError> {
        let bytes = serde_json::to_string(entry)
            .map_err(|e| EvidenceError::Database(format!("serialising an evidence entry: {e}")))?;
        let next = link(&self.session, pos, bytes.as_bytes());
        let (kind, review_id) = describe(entry);
        sqlx::query(
            "INSERT INTO clawlaw_evidence (session_id, session_seq, prev, hash, kind, review_id, entry) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&self.session)
        .bind(next.seq as i64)
        .bind(&pos.hash)
        .bind(&next.hash)
        .bind(kind)
        .bind(review_id)
        .bind(&bytes)
        .execute(&mut *self.tx)
        .await
        .map_err(|e| self.store.fail("appending evidence", e))?;
        self.notices.push(Notice {
            session: self.session.clone(),
            kind: kind.to_string(),
            review: review_id.is_some(),
        });
        *pos = next;
        Ok(())
    }

    /// Makes the appended entries durable and tells the other replicas.
    pub async fn commit(mut self) -> Result<(), EvidenceError> {
        for notice in std::mem::take(&mut self.notices) {
            let payload = serde_json::to_string(&notice).unwrap_or_default();
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(CHANNEL)
                .bind(payload)
                .execute(&mut *self.tx)
                .await
                .map_err(|e| self.store.fail("notifying", e))?;
        }
        let store = self.store.clone();
        self.tx
            .commit()
            .await
            .map_err(|e| store.fail("committing evidence", e))?;
        store.ok(());
        Ok(())
    }
}

/// An entry's kind and the review it opens or decides.
fn describe(entry: &Entry) -> (&'static str, Option<&str>) {
    match entry {
        Entry::Session(_) => ("session", None),
        Entry::Action(a) => ("action", a.policy_matched.review_id.as_deref()),
        Entry::Review(r) => ("review", Some(r.principal_review.review_id.as_str())),
        Entry::Outcome(_) => ("outcome", None),
    }
}

/// `host:port/database` of a store URL (port 5432 when none is given, the
/// database named after the user when none is).
pub fn address(url: &str) -> Option<String> {
    let options: PgConnectOptions = url.parse().ok()?;
    let database = options
        .get_database()
        .unwrap_or_else(|| options.get_username());
    Some(format!(
        "{}:{}/{database}",
        options.get_host(),
        options.get_port()
    ))
}

/// The URL with any password replaced, for logs and errors.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    match authority.rsplit_once('@') {
        Some((user, host)) => match user.split_once(':') {
            Some((name, _)) => format!("{scheme}://{name}:***@{host}{path}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_shown() {
        assert_eq!(
            redact_url("postgres://gate:s3cret@db:5432/clawlaw"),
            "postgres://gate:***@db:5432/clawlaw"
        );
        assert_eq!(
            redact_url("postgres://gate@db/clawlaw"),
            "postgres://gate@db/clawlaw"
        );
        assert_eq!(
            redact_url("postgres://db:5432/clawlaw?sslmode=require"),
            "postgres://db:5432/clawlaw?sslmode=require"
        );
        assert!(!redact_url("postgres://u:p%40ss@h/d").contains("p%40ss"));
    }

    #[test]
    fn addresses_of_store_urls() {
        assert_eq!(
            address("postgres://gate:pw@db.internal/clawlaw").as_deref(),
            Some("db.internal:5432/clawlaw")
        );
        assert_eq!(
            address("postgres://127.0.0.1:5433/postgres").as_deref(),
            Some("127.0.0.1:5433/postgres")
        );
        assert_eq!(
            address("postgres://gate@127.0.0.1").as_deref(),
            Some("127.0.0.1:5432/gate")
        );
        assert_eq!(address("not a url"), None);
    }

    #[test]
    fn notices_round_trip() {
        let n = Notice {
            session: "s".into(),
            kind: "review".into(),
            review: true,
        };
        let text = serde_json::to_string(&n).unwrap();
        assert_eq!(serde_json::from_str::<Notice>(&text).unwrap(), n);
    }
}
