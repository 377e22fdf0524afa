//! The evidence commands on the PostgreSQL store (`--store URL`).

use std::io::Write;
use std::process::ExitCode;

use super::super::store::{StoreArgs, runtime};
use super::{EXIT_ALLOW, EXIT_DENY, EXIT_USAGE};

pub fn verify(store: &StoreArgs) -> anyhow::Result<ExitCode> {
    let rt = runtime()?;
    let pg = store.open(&rt, false)?;
    let report = rt.block_on(pg.verify())?;
    match report.broken {
        None => {
            println!(
                "OK: {} entries in {} session chains, {} checkpoints",
                report.entries, report.sessions, report.checkpoints
            );
            Ok(ExitCode::from(EXIT_ALLOW))
        }
        Some(problem) => {
            println!("BROKEN: {problem}");
            Ok(ExitCode::from(EXIT_DENY))
        }
    }
}

pub fn show(
    store: &StoreArgs,
    session: Option<String>,
    action: Option<String>,
    compact: bool,
) -> anyhow::Result<ExitCode> {
    let Some(session) = session else {
        eprintln!("error: with --store, name the session: --session ID");
        return Ok(ExitCode::from(EXIT_USAGE));
    };
    let rt = runtime()?;
    let pg = store.open(&rt, false)?;
    let store = clawlaw_gate::store::Store::Postgres(pg);
    let records = rt
        .block_on(store.records(&session, action.as_deref()))
        .map_err(anyhow::Error::msg)?;
    let text = if compact {
        serde_json::to_string(&records)?
    } else {
        serde_json::to_string_pretty(&records)?
    };
    println!("{text}");
    Ok(ExitCode::from(EXIT_ALLOW))
}

pub fn export(store: &StoreArgs) -> anyhow::Result<ExitCode> {
    let rt = runtime()?;
    let pg = store.open(&rt, false)?;
    let mut out = std::io::BufWriter::new(std::io::stdout());
    let n = rt.block_on(pg.export(&mut out))?;
    out.flush()?;
    eprintln!("exported {n} entries");
    Ok(ExitCode::from(EXIT_ALLOW))
}
