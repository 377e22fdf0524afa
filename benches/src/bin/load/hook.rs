//! `load hook`: the whole-process time of a Claude Code `PreToolUse` hook per
//! tool call, as the agent runs it — a new process per call, the hook input
//! as JSON on stdin, the answer on stdout — for clawlaw's adapter forwarding
//! to a running gate (`--gate`), the small forwarder `clawlaw-hook` doing
//! the same, clawlaw's adapter evaluating in process (`--policies`) and,
//! when its binary is given (`--dcg PATH`), destructive_command_guard
//! (dcg), a single-purpose guard for shell commands.
//!
//! Every contender answers the same inputs, an allowed command and a denied
//! one, in the same environment (a scratch `HOME` and working directory, so
//! dcg's configuration and history and clawlaw's compile cache live in
//! temporary directories). The calls are interleaved: each round runs every
//! contender once per command, starting with another contender each round,
//! so whatever else the machine does falls on all of them alike. Every
//! answer is checked; a contender that answers otherwise fails the run.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::Instant;

use anyhow::{Context, bail};
use clawlaw_benches::{POLICIES, component, components};
use serde_json::{Value, json};

use super::gate::Gate;
use super::{Args, Figures, TOKEN, insert_quantiles, micros};

/// One tool call every contender is timed on.
struct Case {
    /// The figures' name for it.
    name: &'static str,
    command: &'static str,
    /// Whether every contender must deny it (else allow it).
    denied: bool,
}

/// A command a developer's agent runs all day, and one that destroys the
/// machine: both clawlaw (shell-guard) and dcg (its core filesystem pack)
/// deny `rm -rf /`.
const CASES: [Case; 2] = [
    Case {
        name: "allow",
        command: "cargo test --workspace",
        denied: false,
    },
    Case {
        name: "deny",
        command: "rm -rf /",
        denied: true,
    },
];

/// A hook program and how it is run.
struct Contender {
    /// The figures' name for it.
    name: &'static str,
    program: PathBuf,
    args: Vec<OsString>,
    /// Added to the warm-up calls only.
    warm_up_args: Vec<OsString>,
    /// Allows by exiting 0 with nothing on stdout (dcg) rather than with an
    /// explicit `allow` (clawlaw).
    silent_allow: bool,
}

/// The scratch environment every contender runs in.
struct Scratch {
    home: tempfile::TempDir,
    work: PathBuf,
    cache: tempfile::TempDir,
}

impl Scratch {
    fn new() -> anyhow::Result<Scratch> {
        let home = tempfile::tempdir()?;
        let work = home.path().join("work");
        std::fs::create_dir(&work)?;
        Ok(Scratch {
            home,
            work,
            cache: tempfile::tempdir()?,
        })
    }

    /// The command for `program`, with only this environment: `PATH`, the
    /// scratch `HOME` and working directory, clawlaw's cache directory and
    /// token, and quiet logs.
    fn command(&self, program: &PathBuf) -> Command {
        let mut c = Command::new(program);
        c.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("CLAWLAW_CACHE_DIR", self.cache.path())
            .env("CLAWLAW_TOKEN", TOKEN)
            .env("RUST_LOG", "error")
            .current_dir(&self.work);
        c
    }
}

pub fn hook(args: &Args) -> anyhow::Result<Figures> {
    let gate = Gate::start(&args.gate)?;
    let comps = components()?;
    let policies = tempfile::tempdir()?;
    for name in POLICIES {
        let from = component(&comps, name);
        let file = from.file_name().context("a component file name")?;
        std::fs::copy(&from, policies.path().join(file))?;
    }
    // Warm-up calls may take long (the first `--policies` call compiles the
    // components into the cache, as a user's first tool call after an
    // install does); measured calls run under the adapter's default
    // deadline, as agents run it.
    let clawlaw = |name, flag: &str, value: OsString| Contender {
        name,
        program: args.gate.clone(),
        args: vec!["hook".into(), "claude-code".into(), flag.into(), value],
        warm_up_args: vec!["--timeout-ms".into(), "120000".into()],
        silent_allow: false,
    };
    let forwarder = args.gate.with_file_name("clawlaw-hook");
    if !forwarder.is_file() {
        bail!(
            "{}: no such file (`cargo build --release -p clawlaw` builds it beside clawlaw)",
            forwarder.display()
        );
    }
    let mut contenders = vec![
        clawlaw("gate", "--gate", gate.url.clone().into()),
        Contender {
            name: "forwarder",
            program: forwarder,
            args: vec![
                "claude-code".into(),
                "--gate".into(),
                gate.url.clone().into(),
            ],
            warm_up_args: Vec::new(),
            silent_allow: false,
        },
        clawlaw("policies", "--policies", policies.path().into()),
    ];
    if let Some(dcg) = &args.dcg {
        if !dcg.is_file() {
            bail!("--dcg {}: no such file", dcg.display());
        }
        contenders.push(Contender {
            name: "dcg",
            program: dcg.clone(),
            args: Vec::new(),
            warm_up_args: Vec::new(),
            silent_allow: true,
        });
    }
    let scratch = Scratch::new()?;
    let (warm_up, n) = if args.quick { (1, 3) } else { (5, 200) };
    let mut samples: BTreeMap<(&str, &str), Vec<f64>> = BTreeMap::new();
    for round in 0..warm_up + n {
        for case in &CASES {
            for k in 0..contenders.len() {
                let c = &contenders[(round + k) % contenders.len()];
                let warming = round < warm_up;
                let took = call(&scratch, c, case, round, warming)?;
                if !warming {
                    samples.entry((c.name, case.name)).or_default().push(took);
                }
            }
        }
    }
    let mut f = Figures::new();
    for ((contender, case), s) in samples {
        insert_quantiles(&mut f, &format!("hook.{contender}.{case}"), s);
    }
    Ok(f)
}

/// One call of `c` on `case`, checked; its wall time in µs.
fn call(
    scratch: &Scratch,
    c: &Contender,
    case: &Case,
    round: usize,
    warming: bool,
) -> anyhow::Result<f64> {
    let input = json!({
        "session_id": "bench-hook",
        "transcript_path": scratch.home.path().join("transcript.jsonl"),
        "cwd": scratch.work,
        "permission_mode": "default",
        "hook_event_name": "PreToolUse",
        "tool_name": "Bash",
        "tool_input": {"command": case.command},
        "tool_use_id": format!("toolu_{}_{}_{round}", c.name, case.name),
    })
    .to_string();
    let mut cmd = scratch.command(&c.program);
    cmd.args(&c.args);
    if warming {
        cmd.args(&c.warm_up_args);
    }
    let started = Instant::now();
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting {}", c.program.display()))?;
    let mut stdin = child.stdin.take().context("hook stdin")?;
    std::io::Write::write_all(&mut stdin, input.as_bytes())?;
    drop(stdin);
    let out = child.wait_with_output()?;
    let took = micros(started.elapsed());
    let expected = if case.denied { "deny" } else { "allow" };
    let got = decision(&out, c.silent_allow);
    if got.as_deref() != Some(expected) {
        bail!(
            "hook {} on `{}`: expected {expected}, got {} (exit {}), stdout {:?}, stderr {:?}",
            c.name,
            case.command,
            got.as_deref().unwrap_or("no decision"),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(took)
}

/// The decision a hook answered: the `permissionDecision` of its JSON answer
/// on stdout after exit 0, or `allow` for an empty stdout after exit 0 from
/// a hook that allows silently. `None` for anything else (a non-zero exit, a
/// crash, output that is no answer).
fn decision(out: &Output, silent_allow: bool) -> Option<String> {
    if !out.status.success() {
        return None;
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    if stdout.trim().is_empty() {
        return silent_allow.then(|| "allow".into());
    }
    let answer: Value = serde_json::from_str(&stdout).ok()?;
    answer["hookSpecificOutput"]["permissionDecision"]
        .as_str()
        .map(String::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::ExitStatusExt;

    fn output(code: i32, stdout: &str) -> Output {
        Output {
            status: std::process::ExitStatus::from_raw(code << 8),
            stdout: stdout.as_bytes().to_vec(),
            stderr: Vec::new(),
        }
    }

    #[test]
    fn decisions_are_read_from_the_answer_on_stdout() {
        let deny = r#"{"hookSpecificOutput":{"hookEventName":"PreToolUse",
            "permissionDecision":"deny","permissionDecisionReason":"no"}}"#;
        assert_eq!(decision(&output(0, deny), false).as_deref(), Some("deny"));
        assert_eq!(decision(&output(0, deny), true).as_deref(), Some("deny"));
    }

    #[test]
    fn silence_is_an_allow_only_for_a_hook_that_allows_silently() {
        assert_eq!(decision(&output(0, "\n"), true).as_deref(), Some("allow"));
        assert_eq!(decision(&output(0, ""), false), None);
    }

    #[test]
    fn a_failed_or_garbled_hook_has_no_decision() {
        let allow = r#"{"hookSpecificOutput":{"permissionDecision":"allow"}}"#;
        assert_eq!(decision(&output(2, allow), true), None);
        assert_eq!(decision(&output(0, "allow"), true), None);
        assert_eq!(decision(&output(0, r#"{"decision":"allow"}"#), true), None);
    }
}
