//! Where the gate keeps its state: sessions with their composition and
//! budgets, reviews and approvals, and the evidence they are rebuilt from.
//!
//! Both backends keep the same thing, the evidence entries; everything
//! else is folded from them by the gate's one `apply`:
//!
//! - [`Store::Local`]: the hash-chained log in a directory
//!   ([`crate::evidence`]), the embedded default, for one gate. A session
//!   is read when it is first used, through the log's session index.
//! - [`Store::Postgres`]: PostgreSQL ([`postgres`]), shared by any number
//!   of replicas, chosen by `[store] url`. One chain per session
//!   ([`chain`]); a session is read when it is first used and caught up
//!   under its lock before every change, so any replica serves any request.

pub mod chain;
pub mod checkpoint;
pub mod postgres;

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

pub use chain::ChainPos;
pub use checkpoint::StoreReport;
pub use postgres::{Lease, Notice, PgSettings, PgStore, StoredEntry};

use crate::evidence::{ActionRecord, EvidenceLog};

/// The gate's store.
pub enum Store {
    Local(EvidenceLog),
    Postgres(PgStore),
}

impl From<EvidenceLog> for Store {
    fn from(log: EvidenceLog) -> Store {
        Store::Local(log)
    }
}

impl From<PgStore> for Store {
    fn from(pg: PgStore) -> Store {
        Store::Postgres(pg)
    }
}

impl Store {
    /// Whether the gate can record: the log is writable, the database answers.
    pub fn is_healthy(&self) -> bool {
        match self {
            Store::Local(log) => log.is_healthy(),
            Store::Postgres(pg) => pg.is_healthy(),
        }
    }

    pub fn local(&self) -> Option<&EvidenceLog> {
        match self {
            Store::Local(log) => Some(log),
            Store::Postgres(_) => None,
        }
    }

    pub fn postgres(&self) -> Option<&PgStore> {
        match self {
            Store::Postgres(pg) => Some(pg),
            Store::Local(_) => None,
        }
    }

    /// Where it is, for people (no password).
    pub fn describe(&self) -> String {
        match self {
            Store::Local(log) => log.dir().display().to_string(),
            Store::Postgres(pg) => pg.describe().to_string(),
        }
    }
}

impl Store {
    /// The full records of `session` (and only `action`, when given), from
    /// either store.
    pub async fn records(
        &self,
        session: &str,
        action: Option<&str>,
    ) -> Result<Vec<ActionRecord>, String> {
        match self {
            Store::Local(log) => {
                let (index, id) = (log.index().clone(), session.to_string());
                let entries = tokio::task::spawn_blocking(move || index.read_session(&id))
                    .await
                    .map_err(|e| e.to_string())?
                    .map_err(|e| e.to_string())?;
                Ok(crate::evidence::fold(
                    entries.into_iter().flatten(),
                    Some(session),
                    action,
                ))
            }
            Store::Postgres(pg) => {
                let entries = pg
                    .entries_after(session, 0)
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(crate::evidence::fold(
                    entries.into_iter().map(|e| e.entry),
                    Some(session),
                    action,
                ))
            }
        }
    }
}

/// `[store]` in the gate's config.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct StoreSection {
    /// `postgres://user@host:port/database`. Absent: the local log in
    /// `[server] data_dir`.
    pub url: Option<String>,
    /// The environment variable holding the database password.
    pub password_env: Option<String>,
    /// A file holding the database password (its first line).
    pub password_file: Option<PathBuf>,
    /// Connections in the pool [default 16].
    pub max_connections: Option<u32>,
    /// Seconds a request waits for a connection before it is denied [default 5].
    pub acquire_timeout_secs: Option<u64>,
    /// Seconds a session unused stays in memory before it is dropped (it
    /// is read again on its next use), on either store [default 600].
    pub idle_secs: Option<u64>,
    /// Seconds between evidence checkpoints [default 5].
    pub checkpoint_secs: Option<u64>,
}

/// Why a `[store]` section cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum StoreConfigError {
    #[error("[store] password_env names {0}, which is not set")]
    PasswordEnv(String),
    #[error("[store] password_file {}: {source}", path.display())]
    PasswordFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("[store] gives both password_env and password_file; give one")]
    TwoPasswords,
}

impl StoreSection {
    /// The connection settings, when a URL is set; the password read now.
    pub fn settings(&self) -> Result<Option<PgSettings>, StoreConfigError> {
        let Some(url) = &self.url else {
            return Ok(None);
        };
        let password = match (&self.password_env, &self.password_file) {
            (Some(_), Some(_)) => return Err(StoreConfigError::TwoPasswords),
            (Some(var), None) => {
                Some(std::env::var(var).map_err(|_| StoreConfigError::PasswordEnv(var.clone()))?)
            }
            (None, Some(path)) => Some(
                std::fs::read_to_string(path)
                    .map_err(|source| StoreConfigError::PasswordFile {
                        path: path.clone(),
                        source,
                    })?
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .to_string(),
            ),
            (None, None) => None,
        };
        Ok(Some(PgSettings {
            url: url.clone(),
            password,
            max_connections: self.max_connections.unwrap_or(16),
            acquire_timeout: Duration::from_secs(self.acquire_timeout_secs.unwrap_or(5)),
        }))
    }

    pub fn idle(&self) -> Duration {
        Duration::from_secs(self.idle_secs.unwrap_or(600))
    }

    pub fn checkpoint_every(&self) -> Duration {
        Duration::from_secs(self.checkpoint_secs.unwrap_or(5).max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_url_is_the_local_log() {
        assert!(StoreSection::default().settings().unwrap().is_none());
    }

    #[test]
    fn password_from_a_file_or_env_never_both() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pw");
        std::fs::write(&file, "hunter2\nignored\n").unwrap();
        let s = StoreSection {
            url: Some("postgres://gate@127.0.0.1/clawlaw".into()),
            password_file: Some(file.clone()),
            ..Default::default()
        };
        assert_eq!(
            s.settings().unwrap().unwrap().password.as_deref(),
            Some("hunter2")
        );
        let both = StoreSection {
            password_env: Some("X".into()),
            ..s
        };
        assert!(matches!(
            both.settings(),
            Err(StoreConfigError::TwoPasswords)
        ));
        let missing = StoreSection {
            url: Some("postgres://gate@127.0.0.1/clawlaw".into()),
            password_env: Some("CLAWLAW_TEST_SURELY_UNSET_VAR".into()),
            ..Default::default()
        };
        assert!(matches!(
            missing.settings(),
            Err(StoreConfigError::PasswordEnv(_))
        ));
    }
}
