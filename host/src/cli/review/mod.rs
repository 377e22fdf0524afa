//! `clawlaw review`: the human reviewer's side of escalations, against a
//! running gate's HTTP API — list the queue, read one review with its
//! session's context, approve or deny it, watch for new ones.

mod client;
mod diff;
mod model;
mod render;
mod text;
mod watch;

use std::process::ExitCode;

use jiff::Timestamp;
use serde_json::{Value, json};

use client::{ClientError, Gate};
use model::{Record, Review, Session, Status};
use text::{ColorChoice, Style};

/// Exit codes of `clawlaw review`, one per way it can fail (0 is success,
/// 1 any other error, 2 a usage error or an ambiguous id).
pub mod exit {
    /// The gate could not be reached.
    pub const UNREACHABLE: u8 = 10;
    /// No token in the environment.
    pub const NO_TOKEN: u8 = 11;
    /// The gate does not know the token (401).
    pub const UNAUTHORIZED: u8 = 12;
    /// The token's role may not review (403).
    pub const FORBIDDEN: u8 = 13;
    /// No such review (404, or no id starts with the prefix given).
    pub const NOT_FOUND: u8 = 14;
    /// The review was already decided (409).
    pub const CONFLICT: u8 = 15;
    /// The gate answered something the API does not allow.
    pub const MALFORMED: u8 = 16;
}

/// Actions of the session `show` lists.
const RECENT: usize = 10;

/// The help's exit status paragraph (a macro, for `concat!`).
macro_rules! exit_help {
    () => {
        "Exit status: 0 success, 1 other error, 2 usage error or ambiguous id, \
         10 gate unreachable, 11 no token, 12 token unknown to the gate (401), \
         13 role may not review (403), 14 no such review, 15 review already decided, \
         16 malformed answer from the gate."
    };
}

#[derive(Debug, clap::Args)]
#[command(after_help = concat!("Examples:\n  \
    export CLAWLAW_TOKEN=...   # a reviewer or admin token\n  \
    clawlaw review list\n  \
    clawlaw review show 0193f1a2-7b3c\n  \
    clawlaw review approve 0193f1a2-7b3c --reason 'jq is needed by the build'\n\n", exit_help!()))]
pub struct ReviewArgs {
    #[command(flatten)]
    connection: Connection,

    #[command(subcommand)]
    command: ReviewCommand,
}

/// Where the gate is and how to authenticate; accepted before or after
/// the subcommand.
#[derive(Debug, clap::Args)]
struct Connection {
    /// The gate's base URL.
    #[arg(
        long,
        global = true,
        value_name = "URL",
        env = "CLAWLAW_GATE",
        default_value = "http://127.0.0.1:7070"
    )]
    gate: String,

    /// The environment variable holding a reviewer or admin token (a token
    /// is never taken on the command line, where `ps` would show it).
    #[arg(
        long,
        global = true,
        value_name = "NAME",
        default_value = "CLAWLAW_TOKEN"
    )]
    token_env: String,

    /// When to colour the output: auto colours only a terminal, and never
    /// when $NO_COLOR is set.
    #[arg(
        long,
        global = true,
        value_name = "WHEN",
        value_enum,
        default_value = "auto"
    )]
    color: ColorChoice,
}

#[derive(Debug, clap::Subcommand)]
enum ReviewCommand {
    /// The review queue as a table: pending reviews first (oldest, the
    /// first to expire, on top), then the others newest first.
    #[command(after_help = concat!("Examples:\n  \
        clawlaw review list\n  \
        clawlaw review list --status all --wide\n  \
        clawlaw review list --json | jq -r '.[].id'", "\n\n", exit_help!()))]
    List {
        /// Which reviews: pending, approved, denied, expired or all.
        #[arg(long, value_name = "STATUS", default_value = "pending", value_parser = parse_filter)]
        status: Filter,
        /// Print the gate's JSON as it answered (oldest first).
        #[arg(long)]
        json: bool,
        /// Full ids instead of the shortest unique prefixes, and no cut
        /// to the terminal's width.
        #[arg(long, short)]
        wide: bool,
    },

    /// One review: the proposed action (the command line, the content, or
    /// a diff for an edit), the rules and the gate's reason, its decision,
    /// and the session it belongs to — intent, scope, principal, labels,
    /// risk, budgets and recent actions.
    #[command(
        after_help = concat!("ID may be any unique prefix of a review's id, as `list` shows it.\n\n\
        Examples:\n  \
        clawlaw review show 0193f1a2-7b3c\n  \
        clawlaw review show 0193f1a2-7b3c --json | jq .session.labels", "\n\n", exit_help!())
    )]
    Show {
        /// The review's id, or a unique prefix of it.
        id: String,
        /// Print `{"review": …, "session": …}` as the gate answered them.
        #[arg(long)]
        json: bool,
    },

    /// Approve a pending review: the agent's wait returns approved, and
    /// the same action, proposed again in the same session, is allowed
    /// once.
    #[command(after_help = concat!("Examples:\n  \
        clawlaw review approve 0193f1a2-7b3c --reason 'jq is needed by the build script'", "\n\n", exit_help!()))]
    Approve(Answer),

    /// Deny a pending review: the agent's wait returns denied.
    #[command(after_help = concat!("Examples:\n  \
        clawlaw review deny 0193f1a2-7b3c --reason 'no package installs in this session'", "\n\n", exit_help!()))]
    Deny(Answer),

    /// Print each review as it opens and each decision as it is taken, one
    /// line each (pending ones first). Reconnects when the gate restarts;
    /// stops on Ctrl-C.
    #[command(after_help = concat!("Examples:\n  \
        clawlaw review watch\n  \
        clawlaw review watch --json | jq -c '{kind, id: .review.id}'", "\n\n", exit_help!()))]
    Watch {
        /// One JSON object per line: `{"kind": "opened"|"decided"|"pending", "review": …}`.
        #[arg(long)]
        json: bool,
        /// Exit after this many events (opened or decided).
        #[arg(long, value_name = "N")]
        count: Option<u64>,
    },
}

#[derive(Debug, clap::Args)]
struct Answer {
    /// The review's id, or a unique prefix of it.
    id: String,
    /// Why; recorded with the decision in the evidence, so it is required.
    #[arg(long, short = 'm', value_name = "TEXT", value_parser = parse_reason)]
    reason: String,
    /// Print the decided review as the gate's JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Clone, Copy)]
enum Filter {
    All,
    Only(Status),
}

fn parse_filter(s: &str) -> Result<Filter, String> {
    if s == "all" {
        return Ok(Filter::All);
    }
    <Status as clap::ValueEnum>::from_str(s, true)
        .map(Filter::Only)
        .map_err(|_| "expected pending, approved, denied, expired or all".to_string())
}

fn parse_reason(s: &str) -> Result<String, String> {
    if s.trim().is_empty() {
        Err("a reason is required: it goes into the evidence with the decision".into())
    } else {
        Ok(s.to_string())
    }
}

pub fn run(args: ReviewArgs) -> anyhow::Result<ExitCode> {
    let style = Style::new(args.connection.color);
    let result = Gate::connect(&args.connection.gate, &args.connection.token_env)
        .and_then(|gate| dispatch(&gate, args.command, style));
    Ok(match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    })
}

fn dispatch(gate: &Gate, command: ReviewCommand, style: Style) -> Result<(), ClientError> {
    match command {
        ReviewCommand::List { status, json, wide } => list(gate, status, json, wide, style),
        ReviewCommand::Show { id, json } => show(gate, &id, json, style),
        ReviewCommand::Approve(a) => decide(gate, &a, true, style),
        ReviewCommand::Deny(a) => decide(gate, &a, false, style),
        ReviewCommand::Watch { json, count } => watch::Watch {
            gate,
            style,
            json,
            count,
        }
        .run(),
    }
}

fn list(
    gate: &Gate,
    filter: Filter,
    json: bool,
    wide: bool,
    style: Style,
) -> Result<(), ClientError> {
    let path = match filter {
        Filter::All => "/v1/reviews".to_string(),
        Filter::Only(s) => format!("/v1/reviews?status={}", s.name()),
    };
    let (mut reviews, raw): (Vec<Review>, Value) = gate.get(&path)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&raw).unwrap_or_default());
        return Ok(());
    }
    if reviews.is_empty() {
        let which = match filter {
            Filter::All => String::new(),
            Filter::Only(s) => format!("{} ", s.name()),
        };
        println!("no {which}reviews");
        return Ok(());
    }
    // Abbreviations must be unique among every review, not just those shown.
    let all: Vec<Review> = match filter {
        Filter::All => Vec::new(),
        Filter::Only(_) => gate.get("/v1/reviews")?.0,
    };
    render::sort(&mut reviews);
    let width = if wide { None } else { text::width() };
    print!(
        "{}",
        render::table(&reviews, &all, Timestamp::now(), width, wide, style)
    );
    Ok(())
}

/// The review whose id is `id`, or the only one starting with it.
fn resolve(gate: &Gate, id: &str) -> Result<(Review, Value), ClientError> {
    let (reviews, raw): (Vec<Review>, Value) = gate.get("/v1/reviews")?;
    let raws = raw.as_array().cloned().unwrap_or_default();
    let pick = |r: &Review| {
        let raw = raws.iter().find(|v| v["id"] == r.id.as_str()).cloned();
        (r.clone(), raw.unwrap_or(Value::Null))
    };
    if let Some(r) = reviews.iter().find(|r| r.id == id) {
        return Ok(pick(r));
    }
    let matches: Vec<&Review> = reviews
        .iter()
        .filter(|r| !id.is_empty() && r.id.starts_with(id))
        .collect();
    match matches.as_slice() {
        [] => Err(ClientError::NotFound {
            message: format!("no review at {} has an id starting with {id:?}", gate.url()),
        }),
        [r] => Ok(pick(r)),
        many => Err(ClientError::Ambiguous {
            prefix: id.to_string(),
            matches: many.iter().map(|r| r.id.clone()).collect(),
        }),
    }
}

fn show(gate: &Gate, id: &str, json: bool, style: Style) -> Result<(), ClientError> {
    let (review, raw) = resolve(gate, id)?;
    let session_path = format!("/v1/sessions/{}", review.session_id);
    // A session the gate no longer holds still leaves the review to show.
    let session: Option<(Session, Value)> = match gate.get(&session_path) {
        Ok(s) => Some(s),
        Err(ClientError::NotFound { .. }) => None,
        Err(e) => return Err(e),
    };
    // The session's last actions from its evidence, which has their
    // commands and targets (the summary keeps kinds and verdicts only).
    let timeline: Option<Vec<Record>> =
        match gate.get::<Vec<Record>>(&format!("{session_path}/evidence")) {
            Ok((mut records, _)) => {
                let skip = records.len().saturating_sub(RECENT);
                Some(records.split_off(skip))
            }
            Err(ClientError::NotFound { .. } | ClientError::Forbidden { .. }) => None,
            Err(e) => return Err(e),
        };
    if json {
        let out = json!({ "review": raw, "session": session.as_ref().map(|s| &s.1) });
        println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    } else {
        print!(
            "{}",
            render::page(
                &review,
                session.as_ref().map(|s| &s.0),
                timeline.as_deref(),
                Timestamp::now(),
                style
            )
        );
    }
    Ok(())
}

fn decide(gate: &Gate, answer: &Answer, approve: bool, style: Style) -> Result<(), ClientError> {
    let (review, _) = resolve(gate, &answer.id)?;
    let verb = if approve { "approve" } else { "deny" };
    let path = format!("/v1/reviews/{}/{verb}", review.id);
    match gate.post::<Review>(&path, &json!({ "reason": answer.reason })) {
        Ok((decided, raw)) => {
            if answer.json {
                println!("{}", serde_json::to_string_pretty(&raw).unwrap_or_default());
            } else {
                println!(
                    "{}",
                    render::line(&decided, "pending", Timestamp::now(), style)
                );
            }
            Ok(())
        }
        // Say how it was decided, and by whom.
        Err(ClientError::Conflict { message }) => Err(ClientError::Conflict {
            message: already_decided(gate, &review.id).unwrap_or(message),
        }),
        Err(e) => Err(e),
    }
}

/// "review … was already approved by alice at …: reason".
fn already_decided(gate: &Gate, id: &str) -> Option<String> {
    let (review, _): (Review, Value) = gate.get(&format!("/v1/reviews/{id}")).ok()?;
    let d = review.decision?;
    let how = if d.expired {
        format!("expired at {} (nobody answered in time)", d.at)
    } else {
        format!(
            "{} by {} at {}",
            review.status.name(),
            text::one_line(&d.by),
            d.at
        )
    };
    let why = if d.reason.is_empty() {
        String::new()
    } else {
        format!(": {}", text::one_line(&d.reason))
    };
    Some(format!("review {id} was already {how}{why}"))
}
