//! The measurements criterion does not make, and BENCHMARKS.md:
//!
//! - `latency`: per-call latency distribution (p50/p99) of the bundled set
//!   in process, fresh instances and pooled, mixed and per action kind;
//! - `http`: a bounded load generator against a real `clawlaw serve` on
//!   127.0.0.1 with durable evidence: p50/p99 at concurrency 1, throughput
//!   and p99 at concurrency 32 (one session per client), against the CPU
//!   bound measured in the same run (the cores over the in-process CPU time
//!   of one decision), with the CPU the gate and the clients spent;
//! - `seed`: the seed's benchmark: 200 sequential file-write/read/shell
//!   actions run for real in a scratch workspace, without the gate and with
//!   it (each action asked over HTTP first, run only on ALLOW): wall times
//!   and the per-action overhead median/p95/p99;
//! - `hook`: the whole-process time of `clawlaw hook claude-code` per tool
//!   call, as an agent runs it (a new process each call): forwarding to a
//!   running gate (`--gate`) and evaluating in-process (`--policies`),
//!   interleaved with destructive_command_guard (`--dcg PATH`) on the same
//!   input, for an allowed and a denied command (see `hook.rs`);
//! - `replicas`: one gate on its local log, then 1, 2 and 3 replicas on
//!   one PostgreSQL store, requests sent round robin (`replicas`);
//! - `all`: the five, written as one JSON object (`--out FILE`);
//! - `snapshot --run N`: copies criterion's latest medians to
//!   `target/bench-runs/criterion-N.json`;
//! - `report --runs N`: folds every run into BENCHMARKS.md (min/median/max
//!   over runs, ratios, targets).
//!
//! `--quick` runs everything a few times only, so CI proves it still works.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use clawlaw_benches::{bundled_set, components, engine, kind_actions, root, runs_dir, target_dir};
use clawlaw_engine::action::{DEFAULT_MAX_ACTION_BYTES, parse_action};
use clawlaw_engine::pool::Isolation;
use clawlaw_gate::session::{Applied, DEFAULT_RECENT, Declaration, SessionState};
use clawlaw_sdk::{Action, Session};
use serde_json::{Value, json};

mod client;
mod gate;
mod hook;
mod replicas;

use gate::Gate;

const TOKEN: &str = "bench-agent-token-0123456789abcdef";

/// Figures of one run, by name; latencies in microseconds.
type Figures = BTreeMap<String, f64>;

/// What each measurement is given (the flags every command shares).
#[derive(clap::Args)]
struct Args {
    /// Run everything a few times only (CI proves the commands still work).
    #[arg(long, global = true)]
    quick: bool,
    /// Write the figures to FILE (JSON) instead of standard output.
    #[arg(long, global = true, value_name = "FILE")]
    out: Option<PathBuf>,
    /// The gate binary to serve.
    #[arg(long, global = true, value_name = "PATH", default_value_os_t = target_dir().join("release/clawlaw"))]
    gate: PathBuf,
    /// destructive_command_guard's binary, timed beside the hook adapter.
    #[arg(long, global = true, value_name = "PATH")]
    dcg: Option<PathBuf>,
}

/// The measurements criterion does not make, and BENCHMARKS.md (see the
/// source's module doc for what each measures; `cargo xtask bench` runs
/// them all).
#[derive(clap::Parser)]
#[command(name = "load")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
    #[command(flatten)]
    args: Args,
}

#[derive(clap::Subcommand)]
enum Cmd {
    /// Per-call latency of the bundled set in process: fresh, pooled, by kind.
    Latency,
    /// HTTP load against `clawlaw serve`, at concurrency 1 and 32, and its CPU bound.
    Http,
    /// The seed's benchmark: 200 real actions without the gate and with it.
    Seed,
    /// A Claude Code hook per tool call, a process each, beside dcg (`--dcg`).
    Hook,
    /// One gate on its log, then 1-3 replicas on one PostgreSQL store.
    Replicas,
    /// All five, as one JSON object.
    All,
    /// Copy criterion's latest medians to target/bench-runs/criterion-N.json.
    Snapshot {
        #[arg(long, value_name = "N")]
        run: usize,
    },
    /// Fold every run into BENCHMARKS.md (min, median and max over runs).
    Report {
        #[arg(long, value_name = "N")]
        runs: usize,
    },
}

fn main() -> anyhow::Result<()> {
    let Cli { command, args } = clap::Parser::parse();
    let figures = match command {
        Cmd::Latency => latency(&args)?,
        Cmd::Http => http(&args)?,
        Cmd::Seed => seed(&args)?,
        Cmd::All => {
            let mut f = latency(&args)?;
            f.extend(http(&args)?);
            f.extend(seed(&args)?);
            f.extend(hook::hook(&args)?);
            f.extend(replicas::replicas(&args)?);
            f
        }
        Cmd::Replicas => replicas::replicas(&args)?,
        Cmd::Hook => hook::hook(&args)?,
        Cmd::Snapshot { run } => return snapshot(run),
        Cmd::Report { runs } => return report(runs),
    };
    let text = serde_json::to_string_pretty(&figures)?;
    match &args.out {
        Some(path) => {
            std::fs::create_dir_all(path.parent().unwrap_or(Path::new(".")))?;
            std::fs::write(path, text)?;
        }
        None => println!("{text}"),
    }
    Ok(())
}

/// The `q` quantile (0..=1) of sorted samples.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[i]
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(f64::total_cmp);
    v
}

/// Per-call latency of the bundled set in process: the shell, write and
/// read actions in turn, as one mixed distribution and per action kind, in
/// a session as the gate holds one once under way ([`load_session`] of
/// these actions): a full window of recent actions and the gate's counters.
fn latency(args: &Args) -> anyhow::Result<Figures> {
    let dir = components()?;
    let engine = engine()?;
    let calls = if args.quick { 30 } else { 21_000 };
    let actions = kind_actions();
    let history: Vec<Action> = actions
        .iter()
        .map(|(_, a)| a.clone())
        .cycle()
        .take(600)
        .collect();
    let session = load_session(&history)?;
    let mut f = Figures::new();
    for (label, isolation) in [
        ("fresh", Isolation::Fresh),
        (
            "pooled",
            Isolation::Pooled {
                recycle_after: 1_000,
            },
        ),
    ] {
        let set = bundled_set(&engine, &dir, isolation)?;
        for (_, a) in &actions {
            set.evaluate(a, &session); // warm up
        }
        let mut mixed = Vec::with_capacity(calls);
        let mut by_kind = vec![Vec::with_capacity(calls / actions.len() + 1); actions.len()];
        for i in 0..calls {
            let k = i % actions.len();
            let t = Instant::now();
            std::hint::black_box(set.evaluate(&actions[k].1, &session));
            let took = micros(t.elapsed());
            mixed.push(took);
            by_kind[k].push(took);
        }
        let prefix = format!("latency.set-{label}");
        insert_quantiles(&mut f, &prefix, mixed);
        for ((kind, _), samples) in actions.iter().zip(by_kind) {
            insert_quantiles(&mut f, &format!("{prefix}.{kind}"), samples);
        }
    }
    Ok(f)
}

/// `{prefix}.p50_us` and `{prefix}.p99_us` of the samples.
fn insert_quantiles(f: &mut Figures, prefix: &str, samples: Vec<f64>) {
    let s = sorted(samples);
    f.insert(format!("{prefix}.p50_us"), quantile(&s, 0.5));
    f.insert(format!("{prefix}.p99_us"), quantile(&s, 0.99));
}

fn bench_action(i: usize) -> Value {
    match i % 3 {
        0 => {
            json!({"kind": "shell.exec", "tool": "Bash", "command": "cargo test", "cwd": "/work/app"})
        }
        1 => json!({"kind": "file.write", "tool": "Write", "target": format!("src/m{i}.rs"),
                    "content": "fn f() {}\n", "cwd": "/work/app"}),
        _ => {
            json!({"kind": "file.read", "tool": "Read", "target": "README.md", "cwd": "/work/app"})
        }
    }
}

/// HTTP load against a real gate, and the CPU bound it is measured against:
/// the cores over the in-process CPU time of one decision.
fn http(args: &Args) -> anyhow::Result<Figures> {
    let mut f = Figures::new();
    let cores = std::thread::available_parallelism()?.get() as f64;
    let cpu_us = cpu_per_decision(args.quick)?;
    let bound = cores * 1e6 / cpu_us;
    f.insert("http.cores".into(), cores);
    f.insert("http.cpu_per_decision_us".into(), cpu_us);
    f.insert("http.cpu_bound_per_s".into(), bound);

    let gate = Gate::start(&args.gate)?;
    let n = if args.quick { 20 } else { 5_000 };
    let (samples, _) = client::run(&[&gate], 1, n.min(200), n)?;
    insert_quantiles(&mut f, "http.c1", samples);

    let per_client = if args.quick { 5 } else { 600 };
    let (gate_before, load_before) = (gate.cpu_time()?, own_cpu_time()?);
    let (all, elapsed) = client::run(&[&gate], 32, 0, per_client)?;
    let (gate_cpu, load_cpu) = (
        gate.cpu_time()? - gate_before,
        own_cpu_time()? - load_before,
    );
    let total = all.len() as f64;
    let per_s = total / elapsed.as_secs_f64();
    insert_quantiles(&mut f, "http.c32", all);
    f.insert("http.c32.decisions_per_s".into(), per_s);
    f.insert("http.c32.share_of_cpu_bound".into(), per_s / bound);
    f.insert(
        "http.c32.gate_cpu_per_decision_us".into(),
        micros(gate_cpu) / total,
    );
    f.insert(
        "http.c32.client_cpu_per_decision_us".into(),
        micros(load_cpu) / total,
    );
    Ok(f)
}

/// The in-process CPU time of one decision, µs: the set the gate serves
/// (the bundled policies, fresh instances, settings `{}`) evaluating the
/// action mix the HTTP load sends, each action parsed from its JSON as the
/// gate parses it (beforehand: only the evaluation is timed). This
/// process's CPU time over the calls (nothing else runs in it then), so
/// other processes on the machine do not count, and policies evaluated on
/// other threads do. The session is as the load's sessions are once under
/// way ([`load_session`]): what the gate hands the policies that read it
/// is part of their work.
fn cpu_per_decision(quick: bool) -> anyhow::Result<f64> {
    let set = bundled_set(&engine()?, &components()?, Isolation::Fresh)?;
    let calls = if quick { 30 } else { 3_000 };
    let actions = (0..calls)
        .map(|i| {
            let json = bench_action(i).to_string();
            parse_action(json.as_bytes(), DEFAULT_MAX_ACTION_BYTES, || {
                format!("bench-{i}")
            })
            .map_err(|e| anyhow!("bench action {i}: {e}"))
        })
        .collect::<anyhow::Result<Vec<Action>>>()?;
    let session = load_session(&actions)?;
    for a in actions.iter().take(30) {
        set.evaluate(a, &session); // warm up
    }
    let started = own_cpu_time()?;
    for a in &actions {
        std::hint::black_box(set.evaluate(a, &session));
    }
    Ok(micros(own_cpu_time()? - started) / calls as f64)
}

/// The view of a session of the HTTP load once it is under way, made by the
/// gate's own session state (`clawlaw_gate::session`) from the load's
/// declaration and its action mix, each allowed: a full window of recent
/// actions and the counters the gate keeps.
fn load_session(actions: &[Action]) -> anyhow::Result<Session> {
    let declaration: Declaration =
        serde_json::from_value(json!({"intent": "benchmark", "scope": {"roots": ["/work/app"]}}))?;
    let mut state = SessionState::new(
        "01938f3e-7c1a-7d2e-9b4f-3a5c6d7e8f90".into(),
        declaration,
        "2026-12-06T00:00:00Z".into(),
        DEFAULT_RECENT,
    );
    for action in actions.iter().take(600) {
        state.apply(&Applied {
            action,
            evaluation: clawlaw_sdk::Verdict::Allow,
            risk: 0.0,
            labels: &[],
            counters: &[],
        });
    }
    Ok(state.view())
}

/// The CPU time this process has used, every thread's: a set that spreads
/// its policies over threads is charged for all of them.
fn own_cpu_time() -> anyhow::Result<Duration> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec for the call's duration.
    if unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) } != 0 {
        bail!(
            "clock_gettime(CLOCK_PROCESS_CPUTIME_ID): {}",
            std::io::Error::last_os_error()
        );
    }
    Ok(Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32))
}

/// Runs one seed action for real in `ws`.
fn execute(ws: &Path, i: usize) -> anyhow::Result<()> {
    match i % 3 {
        0 => std::fs::write(ws.join(format!("f{i}.txt")), format!("line {i}\n"))?,
        1 => {
            std::fs::read_to_string(ws.join(format!("f{}.txt", i - 1)))?;
        }
        _ => {
            let ok = Command::new("sh")
                .args(["-c", "echo ok"])
                .current_dir(ws)
                .stdout(Stdio::null())
                .status()?
                .success();
            if !ok {
                bail!("the shell action failed");
            }
        }
    }
    Ok(())
}

fn seed_action(ws: &Path, i: usize) -> Value {
    let cwd = ws.display().to_string();
    match i % 3 {
        0 => json!({"kind": "file.write", "tool": "Write", "target": format!("f{i}.txt"),
                    "content": format!("line {i}\n"), "cwd": cwd}),
        1 => {
            json!({"kind": "file.read", "tool": "Read", "target": format!("f{}.txt", i - 1), "cwd": cwd})
        }
        _ => json!({"kind": "shell.exec", "tool": "Bash", "command": "echo ok", "cwd": cwd}),
    }
}

/// The seed's benchmark: 200 sequential actions with and without the gate.
fn seed(args: &Args) -> anyhow::Result<Figures> {
    let gate = Gate::start(&args.gate)?;
    let agent = ureq::AgentBuilder::new().build();
    let n = if args.quick { 12 } else { 200 };
    let mut f = Figures::new();

    let bare = tempfile::tempdir()?;
    let t = Instant::now();
    for i in 0..n {
        execute(bare.path(), i)?;
    }
    let without = t.elapsed();

    let ws = tempfile::tempdir()?;
    let session = gate.open_session(&agent, &ws.path().display().to_string())?;
    let mut overhead = Vec::with_capacity(n);
    let t = Instant::now();
    for i in 0..n {
        let asked = Instant::now();
        let verdict = gate.evaluate(&agent, &session, &seed_action(ws.path(), i))?;
        overhead.push(micros(asked.elapsed()));
        if verdict != "ALLOW" {
            bail!("the gate answered {verdict} to seed action {i}; expected ALLOW");
        }
        execute(ws.path(), i)?;
    }
    let with = t.elapsed();
    let s = sorted(overhead);
    f.insert("seed.actions".into(), n as f64);
    f.insert("seed.wall_without_ms".into(), without.as_secs_f64() * 1e3);
    f.insert("seed.wall_with_ms".into(), with.as_secs_f64() * 1e3);
    f.insert("seed.overhead.p50_us".into(), quantile(&s, 0.5));
    f.insert("seed.overhead.p95_us".into(), quantile(&s, 0.95));
    f.insert("seed.overhead.p99_us".into(), quantile(&s, 0.99));
    Ok(f)
}

/// Criterion's latest median (µs) of every benchmark, by id.
fn snapshot(run: usize) -> anyhow::Result<()> {
    let mut f = Figures::new();
    let base = target_dir().join("criterion");
    let mut stack = vec![base.clone()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() && p.file_name().is_some_and(|n| n != "report") {
                stack.push(p);
            }
        }
        let (est, meta) = (
            dir.join("new/estimates.json"),
            dir.join("new/benchmark.json"),
        );
        if est.is_file() && meta.is_file() {
            let est: Value = serde_json::from_str(&std::fs::read_to_string(&est)?)?;
            let meta: Value = serde_json::from_str(&std::fs::read_to_string(&meta)?)?;
            let id = meta["full_id"].as_str().unwrap_or_default().to_string();
            if let Some(ns) = est["median"]["point_estimate"].as_f64() {
                f.insert(id, ns / 1e3);
            }
        }
    }
    if f.is_empty() {
        bail!("no criterion results under {}", base.display());
    }
    let out = runs_dir().join(format!("criterion-{run}.json"));
    std::fs::create_dir_all(runs_dir())?;
    std::fs::write(&out, serde_json::to_string_pretty(&f)?)?;
    Ok(())
}

/// min, median, max of one figure over the runs.
#[derive(Clone, Copy)]
struct Spread {
    min: f64,
    median: f64,
    max: f64,
}

fn spread(runs: &[Figures], name: &str) -> Option<Spread> {
    let v = sorted(runs.iter().filter_map(|r| r.get(name).copied()).collect());
    (!v.is_empty()).then(|| Spread {
        min: v[0],
        median: quantile(&v, 0.5),
        max: v[v.len() - 1],
    })
}

fn load_runs(prefix: &str, runs: usize) -> anyhow::Result<Vec<Figures>> {
    (0..runs)
        .map(|i| {
            let p = runs_dir().join(format!("{prefix}-{i}.json"));
            let text = std::fs::read_to_string(&p).with_context(|| p.display().to_string())?;
            Ok(serde_json::from_str(&text)?)
        })
        .collect()
}

fn sh(cmd: &str) -> String {
    Command::new("sh")
        .args(["-c", cmd])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

/// When the last of `runs` stored runs was written (seconds since the
/// epoch): the report's date, also when it is rendered again later.
fn last_run_ended(runs: usize) -> anyhow::Result<u64> {
    let mut last = 0;
    for i in 0..runs {
        for prefix in ["criterion", "load"] {
            let p = runs_dir().join(format!("{prefix}-{i}.json"));
            let written = std::fs::metadata(&p)
                .and_then(|m| m.modified())
                .with_context(|| p.display().to_string())?;
            let secs = written.duration_since(std::time::UNIX_EPOCH)?.as_secs();
            last = last.max(secs);
        }
    }
    Ok(last)
}

/// Writes BENCHMARKS.md from every run's figures.
fn report(runs: usize) -> anyhow::Result<()> {
    let crit = load_runs("criterion", runs)?;
    let load = load_runs("load", runs)?;
    let text = clawlaw_benches::report::render(&clawlaw_benches::report::Input {
        runs,
        date: sh(&format!(
            "date -u -d @{} +%Y-%m-%dT%H:%MZ",
            last_run_ended(runs)?
        )),
        // The model name alone ("AMD EPYC") does not tell one generation
        // from the next; its family and model do.
        cpu: sh(
            "awk -F': *' '/^model name/ {n=$2} /^cpu family/ {f=$2} /^model\\t/ {m=$2} \
                 END {printf \"%s (family %s, model %s)\", n, f, m}' /proc/cpuinfo",
        ),
        nproc: sh("nproc"),
        kernel: sh("uname -sr"),
        loadavg: sh("cut -d' ' -f1-3 /proc/loadavg"),
        crit: &|name| spread(&crit, name).map(|s| (s.min, s.median, s.max)),
        load: &|name| spread(&load, name).map(|s| (s.min, s.median, s.max)),
        dcg: std::fs::read_to_string(runs_dir().join("dcg.txt")).ok(),
    });
    let out = root().join("BENCHMARKS.md");
    std::fs::write(&out, text)?;
    eprintln!("wrote {}", out.display());
    Ok(())
}
