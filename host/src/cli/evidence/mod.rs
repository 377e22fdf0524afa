//! `clawlaw evidence ...`: check the evidence log and read its records.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use clawlaw_gate::evidence::{self, VerifyError};

use super::store::StoreArgs;
use super::{EXIT_ALLOW, EXIT_DENY, EXIT_ERROR, EXIT_USAGE};

mod shared;

#[derive(Debug, Subcommand)]
pub enum EvidenceCommand {
    /// Check the hash chain of an evidence log and name the first broken
    /// link.
    ///
    /// Every line carries the hash of the line before it; `verify` reads
    /// every segment in order and checks each line's own hash, that sequence
    /// numbers run on without gaps or repeats, that each line links to the
    /// one before, that no segment is missing, that the last line is whole,
    /// and that the log reaches the entry recorded in HEAD (so entries
    /// removed from the end show).
    ///
    /// Exit status: 0 when the chain is sound, 3 when it is broken (printed
    /// as `BROKEN: <file>:<line> (seq N): <what is wrong>`), 2 when the
    /// directory is missing, 1 when a file cannot be read. A log being
    /// written may show its last batch as a partial line: verify it again.
    #[command(after_help = "Examples:\n  \
        clawlaw evidence verify /var/lib/clawlaw/evidence\n    \
        OK: 1204 entries in 1 segments, last seq 1204, head sha256:9c1f…\n  \
        clawlaw evidence verify ./data/evidence\n    \
        BROKEN: ./data/evidence/evidence-000001.jsonl:17 (seq 17): found seq 18 where 17 was \
        expected: entry 17 is missing (a deleted line) or lines are out of order\n\n\
        `clawlaw serve` keeps its log in <data_dir>/evidence.")]
    Verify {
        /// The evidence directory (it holds evidence-000001.jsonl, ... and HEAD).
        #[arg(required_unless_present = "url")]
        dir: Option<PathBuf>,
        /// Or the PostgreSQL store: every session's chain and every
        /// checkpoint (`BROKEN: <what>` names the first problem).
        #[command(flatten)]
        store: StoreArgs,
    },

    /// Print the full evidence records of a session as JSON: each action
    /// record with its review and outcome folded in.
    ///
    /// Reviews and outcomes are appended after the action they answer; this
    /// folds each into the latest record of the same session and action id
    /// before it. The chain is checked on the way: a broken log is refused
    /// (exit 3) as `verify` would report it.
    #[command(after_help = "Examples:\n  \
        clawlaw evidence show /var/lib/clawlaw/evidence --session 0192f7e0-...\n  \
        clawlaw evidence show ./evidence --session s1 --action a7 --compact")]
    Show {
        /// The evidence directory.
        #[arg(required_unless_present = "url")]
        dir: Option<PathBuf>,
        /// Or the PostgreSQL store (then --session is required).
        #[command(flatten)]
        store: StoreArgs,
        /// The session whose records to print (every session's when omitted).
        #[arg(long, value_name = "ID")]
        session: Option<String>,
        /// Only the records of this action id.
        #[arg(long, value_name = "ID")]
        action: Option<String>,
        /// One line of JSON instead of indented.
        #[arg(long)]
        compact: bool,
    },

    /// Write every entry of the PostgreSQL store as JSON lines, in the
    /// order they were written: `{"session_id", "session_seq", "prev",
    /// "hash", "entry"}`, each session's chain checkable line by line as
    /// `verify` checks it. (A local log is already JSON lines: copy its
    /// directory.)
    #[command(after_help = "Examples:\n  \
        clawlaw evidence export --store postgres://clawlaw@db/clawlaw > evidence.jsonl")]
    Export {
        #[command(flatten)]
        store: StoreArgs,
    },
}

pub fn run(cmd: EvidenceCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        EvidenceCommand::Verify { dir: Some(dir), .. } => Ok(verify(dir)),
        EvidenceCommand::Verify { dir: None, store } => shared::verify(&store),
        EvidenceCommand::Show {
            dir: Some(dir),
            session,
            action,
            compact,
            ..
        } => show(dir, session, action, compact),
        EvidenceCommand::Show {
            dir: None,
            store,
            session,
            action,
            compact,
        } => shared::show(&store, session, action, compact),
        EvidenceCommand::Export { store } => shared::export(&store),
    }
}

fn verify(dir: PathBuf) -> ExitCode {
    match evidence::verify(&dir) {
        Ok(report) => {
            println!(
                "OK: {} entries in {} segments, last seq {}, head {}",
                report.entries, report.segments, report.last_seq, report.last_hash
            );
            if report.head_seq.is_none() && report.entries > 0 {
                eprintln!(
                    "warning: {} has no HEAD anchor: entries removed from the end would not show",
                    dir.display()
                );
            }
            if let Some(head) = report.head_seq
                && head < report.last_seq
            {
                eprintln!(
                    "note: {} entries follow seq {head}, the last HEAD records: appended while verify ran, or before a crash let HEAD catch up (or appended by someone who can write the directory)",
                    report.last_seq - head
                );
            }
            for torn in &report.torn {
                eprintln!(
                    "note: {torn} holds a partial line a crash left at the end of the log, set aside (never acknowledged)"
                );
            }
            ExitCode::from(EXIT_ALLOW)
        }
        Err(e) => failed(&e),
    }
}

fn show(
    dir: PathBuf,
    session: Option<String>,
    action: Option<String>,
    compact: bool,
) -> anyhow::Result<ExitCode> {
    let records = match evidence::records(&dir, session.as_deref(), action.as_deref()) {
        Ok(records) => records,
        Err(e) => return Ok(failed(&e)),
    };
    let text = if compact {
        serde_json::to_string(&records)?
    } else {
        serde_json::to_string_pretty(&records)?
    };
    println!("{text}");
    Ok(ExitCode::from(EXIT_ALLOW))
}

fn failed(e: &VerifyError) -> ExitCode {
    match e {
        VerifyError::Broken(at) => {
            println!("BROKEN: {at}");
            ExitCode::from(EXIT_DENY)
        }
        VerifyError::Missing { .. } => {
            eprintln!("error: {e}");
            ExitCode::from(EXIT_USAGE)
        }
        VerifyError::Io { .. } => {
            eprintln!("error: {e}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}
