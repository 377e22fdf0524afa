//! `clawlaw store ...`, and the `--store URL` the evidence commands take:
//! the PostgreSQL store replicas share.

use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use clawlaw_gate::store::{PgStore, StoreSection};

use super::EXIT_ALLOW;

/// How to reach the shared store from the command line.
#[derive(Debug, Clone, clap::Args)]
pub struct StoreArgs {
    /// The PostgreSQL store (postgres://user@host:port/db).
    #[arg(long = "store", value_name = "URL", env = "CLAWLAW_STORE_URL")]
    pub url: Option<String>,

    /// The environment variable holding the database password (when it is
    /// not in the URL).
    #[arg(long, value_name = "VAR", requires = "url")]
    pub store_password_env: Option<String>,
}

impl StoreArgs {
    /// Connects; applies the migrations first when `migrate` is set.
    pub fn open(
        &self,
        runtime: &tokio::runtime::Runtime,
        migrate: bool,
    ) -> anyhow::Result<PgStore> {
        let section = StoreSection {
            url: self.url.clone(),
            password_env: self.store_password_env.clone(),
            ..StoreSection::default()
        };
        let settings = section
            .settings()?
            .context("give the store's URL: --store postgres://… (or CLAWLAW_STORE_URL)")?;
        let store = runtime.block_on(PgStore::connect(&settings, migrate))?;
        if !migrate && !runtime.block_on(store.probe()) {
            anyhow::bail!("cannot reach the store at {}", store.describe());
        }
        Ok(store)
    }
}

/// A current-thread runtime for one command.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Apply the schema migrations this clawlaw carries to a PostgreSQL
    /// store (`clawlaw serve --store` also does at start). Refuses a
    /// database a newer clawlaw migrated.
    #[command(after_help = "Examples:\n  \
        clawlaw store migrate --store postgres://clawlaw@db:5432/clawlaw\n  \
        PGPASS=… clawlaw store migrate --store postgres://clawlaw@db/clawlaw --store-password-env PGPASS")]
    Migrate {
        #[command(flatten)]
        store: StoreArgs,
    },
}

pub fn run(cmd: StoreCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        StoreCommand::Migrate { store } => {
            let rt = runtime()?;
            let pg = store.open(&rt, false)?;
            let applied = rt.block_on(pg.migrate())?;
            println!(
                "{}: {applied} migration(s) applied; the schema is at version {}",
                pg.describe(),
                clawlaw_gate::store::postgres::MIGRATOR
                    .iter()
                    .map(|m| m.version)
                    .max()
                    .unwrap_or(0)
            );
            Ok(ExitCode::from(EXIT_ALLOW))
        }
    }
}
