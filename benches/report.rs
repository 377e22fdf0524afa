//! BENCHMARKS.md: every figure as min/median/max over the runs, the ratios
//! against regorus and Cedar, and the targets met or not.

use std::fmt::Write as _;

use crate::{POLICIES, Rules};

/// (min, median, max) of a figure over the runs, in µs (or per second).
pub type Spread = (f64, f64, f64);

/// What the report is made from.
pub struct Input<'a> {
    pub runs: usize,
    /// When the last run ended (UTC).
    pub date: String,
    pub cpu: String,
    pub nproc: String,
    pub kernel: String,
    pub loadavg: String,
    /// Criterion medians by benchmark id, µs.
    pub crit: &'a dyn Fn(&str) -> Option<Spread>,
    /// The load binary's figures by name.
    pub load: &'a dyn Fn(&str) -> Option<Spread>,
    /// Which destructive_command_guard the hook figures timed: the
    /// `version: …` and `built: …` lines `cargo xtask bench --dcg` records.
    pub dcg: Option<String>,
}

/// What a hook row says when no dcg binary was timed.
const NO_DCG: &str = "not measured (no dcg binary: `cargo xtask bench --dcg PATH`)";

/// The `key: value` line of the dcg record.
fn dcg_field<'a>(record: Option<&'a str>, key: &str) -> Option<&'a str> {
    record?
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .map(str::trim)
}

fn us(v: f64) -> String {
    if v >= 1000.0 {
        format!("{:.2} ms", v / 1000.0)
    } else if v >= 10.0 {
        format!("{v:.0} µs")
    } else {
        format!("{v:.2} µs")
    }
}

fn cell(s: Option<Spread>, fmt: fn(f64) -> String) -> String {
    match s {
        Some((min, med, max)) => format!("{} ({} – {})", fmt(med), fmt(min), fmt(max)),
        None => "not measured".into(),
    }
}

fn rate(v: f64) -> String {
    format!("{v:.0}/s")
}

fn percent(v: f64) -> String {
    format!("{:.0}%", v * 100.0)
}

fn ratio(a: Option<Spread>, b: Option<Spread>) -> Option<f64> {
    Some(a?.1 / b?.1)
}

fn met(ok: Option<bool>) -> &'static str {
    match ok {
        Some(true) => "met",
        Some(false) => "**missed**",
        None => "not measured",
    }
}

/// The targets, each with its figure and whether it is met.
fn targets(w: &mut String, i: &Input<'_>) {
    let (crit, load) = (i.crit, i.load);
    let _ = writeln!(w, "## Targets\n");
    let _ = writeln!(w, "| target | measured | |\n|---|---|---|");
    let mut row = |target: String, measured: String, ok: Option<bool>| {
        let _ = writeln!(w, "| {target} | {measured} | {} |", met(ok));
    };
    for (kind, label) in [("shell", "`shell.exec`"), ("write", "`file.write`")] {
        for (q, bound) in [("p50", 60.0), ("p99", 200.0)] {
            let s = load(&format!("latency.set-fresh.{kind}.{q}_us"));
            row(
                format!(
                    "strict isolation, bundled set ({} policies), on a {label}: {q} ≤ {bound:.0} µs",
                    POLICIES.len()
                ),
                cell(s, us),
                s.map(|s| s.1 <= bound),
            );
        }
    }
    let pooled = load("latency.set-pooled.p50_us");
    row(
        "pooled set: p50 ≤ 10 µs (shell, write and read mixed)".into(),
        cell(pooled, us),
        pooled.map(|s| s.1 <= 10.0),
    );
    let share = load("http.c32.share_of_cpu_bound");
    let bound = match (
        load("http.c32.decisions_per_s"),
        load("http.cpu_bound_per_s"),
        load("http.cpu_per_decision_us"),
        share,
    ) {
        (Some(rps), Some(b), Some(cpu), Some(sh)) => format!(
            "{} = {:.0}% ({:.0}% – {:.0}%) of the bound {} ({} cores ÷ {} of CPU per decision)",
            rate(rps.1),
            sh.1 * 100.0,
            sh.0 * 100.0,
            sh.2 * 100.0,
            rate(b.1),
            load("http.cores").map_or(i.nproc.clone(), |c| format!("{:.0}", c.1)),
            us(cpu.1)
        ),
        _ => "not measured".into(),
    };
    row(
        "HTTP at concurrency 32, durable evidence: decisions/s ≥ 60% of the CPU bound \
         (cores ÷ in-process CPU time of one decision, same run)"
            .into(),
        bound,
        share.map(|s| s.1 >= 0.6),
    );
    let c1_p99 = load("http.c1.p99_us");
    row(
        "HTTP at concurrency 1: p99 ≤ 1 ms".into(),
        cell(c1_p99, us),
        c1_p99.map(|s| s.1 <= 1000.0),
    );
    for (mode, command) in [
        ("policies", "clawlaw hook claude-code --policies"),
        ("gate", "clawlaw hook claude-code --gate"),
        ("forwarder", "clawlaw-hook claude-code --gate"),
    ] {
        for (case, what) in [("allow", "allowed"), ("deny", "denied")] {
            let ours = load(&format!("hook.{mode}.{case}.p50_us"));
            let dcg = load(&format!("hook.dcg.{case}.p50_us"));
            let measured = match (ours, dcg, ratio(ours, dcg)) {
                (Some(o), Some(d), Some(r)) => {
                    format!("{} vs dcg {} ({r:.2}×)", us(o.1), us(d.1))
                }
                (Some(o), None, _) => format!("{}; dcg {NO_DCG}", us(o.1)),
                _ => "not measured".into(),
            };
            row(
                format!("`{command}`, {what} command: p50 ≤ dcg's p50"),
                measured,
                ratio(ours, dcg).map(|r| r <= 1.0),
            );
        }
    }
    let comp = ratio(
        crit("composition/prior-10000"),
        crit("composition/prior-10"),
    );
    row(
        "composition: 10,000-action session ≤ 1.2× the 10-action one".into(),
        comp.map_or("not measured".into(), |r| format!("{r:.2}×")),
        comp.map(|r| r <= 1.2),
    );
    for rules in [Rules::FsBoundary, Rules::ShellGuard] {
        let n = rules.name();
        let pooled = crit(&format!("compare/{n}/wasm-pooled"));
        let rego = ratio(pooled, crit(&format!("compare/{n}/rego")));
        let cedar = ratio(pooled, crit(&format!("compare/{n}/cedar")));
        row(
            format!("pooled ≤ 1.0× regorus ({n})"),
            rego.map_or("not measured".into(), |r| format!("{r:.2}×")),
            rego.map(|r| r <= 1.0),
        );
        row(
            format!("pooled ≤ 3× Cedar ({n})"),
            cedar.map_or("not measured".into(), |r| format!("{r:.2}×")),
            cedar.map(|r| r <= 3.0),
        );
    }
    let _ = writeln!(w);
}

/// The hook adapter beside destructive_command_guard.
fn hooks(w: &mut String, i: &Input<'_>) {
    let load = i.load;
    let _ = writeln!(
        w,
        "\n`load hook`: the whole-process time of a Claude Code `PreToolUse` hook per tool \
         call, a new process each call as the agent runs it, the same JSON on stdin: \
         `clawlaw hook claude-code` forwarding to the running gate above (`--gate`, which \
         the `clawlaw` front answers itself) and evaluating in process with the bundled \
         policies (`--policies`, which the front hands to `clawlaw-full`), the small \
         forwarder `clawlaw-hook claude-code --gate` (the same forwarding as a binary of \
         its own), beside \
         destructive_command_guard (dcg), a single-purpose guard for shell commands, on an \
         allowed command (`cargo test --workspace`) and a denied one (`rm -rf /`). The calls \
         are interleaved (each round runs every contender once per command, starting with \
         another each round), in one scratch `HOME` and working directory, after five rounds \
         that fill clawlaw's compile cache; every answer is checked (allow, or dcg's silent \
         allow; deny).\n"
    );
    let record = i.dcg.as_deref();
    match (dcg_field(record, "version"), dcg_field(record, "built")) {
        (Some(version), Some(built)) => {
            let _ = writeln!(w, "dcg timed: {version}, {built}.\n");
        }
        _ => {
            let _ = writeln!(w, "dcg: {NO_DCG}.\n");
        }
    }
    let _ = writeln!(
        w,
        "| hook | allowed p50 | allowed p99 | denied p50 | denied p99 |\n|---|---|---|---|---|"
    );
    for (mode, label) in [
        ("gate", "`clawlaw hook … --gate URL`"),
        ("forwarder", "`clawlaw-hook … --gate URL`"),
        ("policies", "`clawlaw hook … --policies DIR`"),
        ("dcg", "dcg"),
    ] {
        let f = |case: &str, q: &str| {
            let s = load(&format!("hook.{mode}.{case}.{q}_us"));
            match (s, mode) {
                (None, "dcg") => "not measured".into(),
                _ => cell(s, us),
            }
        };
        let _ = writeln!(
            w,
            "| {label} | {} | {} | {} | {} |",
            f("allow", "p50"),
            f("allow", "p99"),
            f("deny", "p50"),
            f("deny", "p99")
        );
    }
    let _ = writeln!(w);
}

pub fn render(i: &Input<'_>) -> String {
    let crit = i.crit;
    let load = i.load;
    let mut o = String::new();
    let w = &mut o;
    let _ = writeln!(w, "# Benchmarks\n");
    let _ = writeln!(
        w,
        "Written by `cargo xtask bench` from runs that ended on {} — do not edit by hand; rerun it.\n",
        i.date
    );
    let _ = writeln!(
        w,
        "Machine: {} cores, {}, {}. Load average when the report was written: {}.\n",
        i.nproc,
        i.cpu.trim(),
        i.kernel,
        i.loadavg
    );
    let _ = writeln!(
        w,
        "Every figure is the median over {} runs, with the smallest and largest run in \
         parentheses. This machine is shared with other builds (2 cores, compilers running \
         beside the benches), so single runs are noisy; spreads of 1.5–2× between runs are \
         the machine, not the code. Criterion figures are criterion's median per iteration; \
         the latency, HTTP and seed figures are percentiles of individually timed calls.\n",
        i.runs
    );

    targets(w, i);

    // The seed's benchmark, against the reference system.
    let _ = writeln!(w, "## The seed's benchmark\n");
    let _ = writeln!(
        w,
        "{} sequential file-write / file-read / shell actions run for real in a scratch \
         workspace; with the gate each is first asked over HTTP (`clawlaw serve` on \
         127.0.0.1, the bundled policies, durable evidence) and run only on ALLOW.\n",
        load("seed.actions").map_or(200.0, |s| s.1)
    );
    let _ = writeln!(w, "| | clawlaw | reference system |\n|---|---|---|");
    let _ = writeln!(
        w,
        "| wall time without the gate | {} | |",
        cell(load("seed.wall_without_ms"), |v| format!("{v:.0} ms"))
    );
    let _ = writeln!(
        w,
        "| wall time with the gate | {} | |",
        cell(load("seed.wall_with_ms"), |v| format!("{v:.0} ms"))
    );
    for (q, reference) in [("p50", "3.2 ms"), ("p95", "8.1 ms"), ("p99", "14.7 ms")] {
        let _ = writeln!(
            w,
            "| per-action overhead {q} | {} | {reference} |",
            cell(load(&format!("seed.overhead.{q}_us")), us)
        );
    }
    let _ = writeln!(
        w,
        "| composition tracking per action (session view at 1,000 actions) | {} | 0.4 ms |\n",
        cell(crit("parts/session-view"), us)
    );

    // HTTP.
    let _ = writeln!(w, "## HTTP load\n");
    let _ = writeln!(
        w,
        "`load http`: `clawlaw serve` on 127.0.0.1 with the bundled policies and durable \
         evidence (group commit: one fsync per batch). The client runs on the same cores as \
         the gate, so it is built to take little of them: one thread drives every \
         connection (a tokio current-thread runtime and hyper's HTTP/1 client, keep-alive), \
         each request body is serialised before the clock starts, and an answer is read \
         for its status and verdict only (`benches/src/bin/load/client.rs`).\n\n\
         The CPU bound is the cores divided by the in-process CPU time of one decision, \
         measured in the same run: the set the gate serves (the bundled policies, fresh \
         instances, settings `{{}}`) evaluating the action mix the HTTP load sends, each \
         action parsed as the gate parses it, in a session as the load's are once under \
         way (the gate's own session state after the mix: 16 recent actions and its \
         counters), the process's CPU time over 3,000 evaluations. The gate's and the client's CPU per decision at concurrency 32 are \
         their processes' user + system time over the run divided by its decisions: what \
         the gate spends beyond the policies' own work is its request path (HTTP, JSON, \
         evidence, sessions).\n"
    );
    let _ = writeln!(w, "| figure | value |\n|---|---|");
    for (name, label, f) in [
        (
            "http.c1.p50_us",
            "concurrency 1, p50",
            us as fn(f64) -> String,
        ),
        ("http.c1.p99_us", "concurrency 1, p99", us),
        ("http.c32.p50_us", "concurrency 32, p50", us),
        ("http.c32.p99_us", "concurrency 32, p99", us),
        (
            "http.c32.decisions_per_s",
            "concurrency 32, throughput",
            rate,
        ),
        (
            "http.cpu_per_decision_us",
            "in-process CPU time of one decision",
            us,
        ),
        ("http.cpu_bound_per_s", "CPU bound (cores ÷ that)", rate),
        (
            "http.c32.share_of_cpu_bound",
            "concurrency 32 throughput ÷ CPU bound",
            percent,
        ),
        (
            "http.c32.gate_cpu_per_decision_us",
            "concurrency 32, the gate process's CPU per decision",
            us,
        ),
        (
            "http.c32.client_cpu_per_decision_us",
            "concurrency 32, the load client's CPU per decision",
            us,
        ),
    ] {
        let _ = writeln!(w, "| {label} | {} |", cell(load(name), f));
    }
    hooks(w, i);

    // Replicas.
    let _ = writeln!(w, "## Replicas on PostgreSQL\n");
    let _ = writeln!(
        w,
        "`load replicas`: one gate on its local log, then 1, 2 and 3 replicas on one \
         PostgreSQL store (Debian's, on the same machine), each request sent to the next \
         replica in turn, so every action of a session is decided by another replica than \
         the one before, after catching up on what that one recorded. Everything (database, \
         replicas, clients) shares the same 2 cores: more replicas here add availability, \
         not throughput.\n"
    );
    let _ = writeln!(
        w,
        "| store | c1 p50 | c1 p99 | c32 decisions/s | c32 p99 |\n|---|---|---|---|---|"
    );
    for (key, label) in [
        ("local", "local log, 1 gate"),
        ("pg1", "PostgreSQL, 1 replica"),
        ("pg2", "PostgreSQL, 2 replicas"),
        ("pg3", "PostgreSQL, 3 replicas"),
    ] {
        let _ = writeln!(
            w,
            "| {label} | {} | {} | {} | {} |",
            cell(load(&format!("replicas.{key}.c1.p50_us")), us),
            cell(load(&format!("replicas.{key}.c1.p99_us")), us),
            cell(load(&format!("replicas.{key}.c32.decisions_per_s")), rate),
            cell(load(&format!("replicas.{key}.c32.p99_us")), us)
        );
    }
    let _ = writeln!(w);

    // In-process latency.
    let _ = writeln!(w, "## The bundled set in process, per call\n");
    let _ = writeln!(
        w,
        "`load latency`: 21,000 calls of `PolicySet::evaluate` (a `shell.exec`, a \
         `file.write` and a `file.read` in turn), each timed; the mixed distribution and \
         each action kind's own. The session is one the gate holds after 600 of these \
         actions (its own session state): a full window of recent actions and its \
         counters, as a long session hands the policies that read them.\n"
    );
    let _ = writeln!(w, "| isolation | action | p50 | p99 |\n|---|---|---|---|");
    for mode in ["fresh", "pooled"] {
        for (kind, label) in [
            ("", "mixed"),
            (".shell", "`shell.exec`"),
            (".write", "`file.write`"),
            (".read", "`file.read`"),
        ] {
            let _ = writeln!(
                w,
                "| {mode} | {label} | {} | {} |",
                cell(load(&format!("latency.set-{mode}{kind}.p50_us")), us),
                cell(load(&format!("latency.set-{mode}{kind}.p99_us")), us)
            );
        }
    }
    let _ = writeln!(w);

    // Comparison.
    let _ = writeln!(w, "## Side by side: Wasm, regorus (Rego), Cedar\n");
    let _ = writeln!(
        w,
        "`cargo bench --bench compare`: the same rules (`benches/rego/*.rego`, \
         `benches/cedar/*.cedar`) on the same inputs (`benches/lib.rs`); the three engines \
         must agree on every input's verdict before anything is timed (also a unit test). \
         One iteration evaluates every input of the rule set once; per-input figures divide \
         by the number of inputs. Rego's and Cedar's figures include the host-side \
         preparation they need (path normalisation, shell parsing, building the input or \
         context), as the Wasm figures include the policy's own parsing.\n"
    );
    let _ = writeln!(
        w,
        "| rules | engine | per input | × regorus | × Cedar |\n|---|---|---|---|---|"
    );
    for rules in [Rules::FsBoundary, Rules::ShellGuard] {
        let n = rules.name();
        let count = rules.inputs().len() as f64;
        let rego = crit(&format!("compare/{n}/rego"));
        let cedar = crit(&format!("compare/{n}/cedar"));
        for engine in ["wasm-fresh", "wasm-pooled", "rego", "cedar"] {
            let s = crit(&format!("compare/{n}/{engine}"));
            let per = s.map(|(a, b, c)| (a / count, b / count, c / count));
            let x = |other: Option<Spread>| {
                ratio(s, other).map_or("–".into(), |r| format!("{r:.2}×"))
            };
            let _ = writeln!(
                w,
                "| {n} | {engine} | {} | {} | {} |",
                cell(per, us),
                x(rego),
                x(cedar)
            );
        }
    }
    let _ = writeln!(w, "\n{GAPS}");

    // Every criterion figure.
    let _ = writeln!(w, "## Criterion figures\n");
    let _ = writeln!(w, "| benchmark | median per iteration |\n|---|---|");
    let mut ids: Vec<String> = vec![
        "sandbox/fresh-instance-floor".into(),
        "sandbox/instantiate-only".into(),
        "sandbox/pooled-call-floor".into(),
    ];
    ids.extend(POLICIES.iter().map(|p| format!("instantiate/{p}")));
    for group in ["policy", "policy-pooled"] {
        for p in POLICIES {
            for a in ["shell", "write", "read"] {
                ids.push(format!("{group}/{p}/{a}"));
            }
        }
    }
    for group in ["set", "set-pooled"] {
        for a in ["shell", "write", "read"] {
            ids.push(format!("{group}/bundled/{a}"));
        }
    }
    for p in [
        "session-view",
        "combine",
        "evidence-encode",
        "evidence-append-durable",
    ] {
        ids.push(format!("parts/{p}"));
    }
    for n in [10, 1_000, 10_000] {
        ids.push(format!("composition/prior-{n}"));
    }
    for id in ids {
        let _ = writeln!(w, "| `{id}` | {} |", cell(crit(&id), us));
    }
    let _ = writeln!(w, "\n{NOTES}");
    o
}

const GAPS: &str = "\
What the Rego and Cedar versions leave out (also in the comments of each file):

- **Paths.** Neither language normalises a path (join to the cwd, resolve `..`, expand
  `~`); the host does it with the SDK function the Wasm policy uses. Cedar also cannot
  test a prefix known only at request time (`like` takes a literal pattern), so the host
  decides `inside_workspace` and `home_rel` for it. Globs become exact/prefix/suffix tests
  (Rego, no glob built-in in this build) or `like` patterns (Cedar, whose `*` crosses `/`).
  Left out of both: `fs.suspicious`, `fs.mass-delete`, several paths per delete, settings.
- **Shell lines.** Neither language parses a shell line; the host parses it with the SDK's
  parser into commands (program, arguments, wrappers, pipes). Rego then checks per command;
  Cedar has no quantifier over a list of records, so the host flattens the commands into
  sets and a rule that Rego checks within one command or pipeline is checked across the line.
  Only remote-exec, destructive `rm`, power, privileged, package-install, force-push,
  remote-access and unparseable are modelled; the Wasm policy has about three times as many
  rules, follows `cd`, variables, here-docs and nested `sh -c`, and resolves paths.
- **Answers.** Rego and Cedar return a verdict only; the Wasm policies also return risk,
  reasons, matched rules, labels and counters, checked by the gate. ESCALATE in Cedar is a
  `forbid` annotated `@verdict(\"escalate\")`, read from the determining policies.
";

/// The notes under the figures: what each benchmark measures, and where the
/// time goes, from this pass's profiles (edited by hand, rendered as they are).
const NOTES: &str = include_str!("notes.md");

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn render_with(load: &[(&str, f64)], dcg: Option<&str>) -> String {
        let load: BTreeMap<String, f64> = load.iter().map(|(k, v)| (k.to_string(), *v)).collect();
        render(&Input {
            runs: 1,
            date: "2026-12-02T10:00Z".into(),
            cpu: "a CPU".into(),
            nproc: "2".into(),
            kernel: "Linux".into(),
            loadavg: "0 0 0".into(),
            crit: &|_| None,
            load: &|name| load.get(name).map(|&v| (v, v, v)),
            dcg: dcg.map(String::from),
        })
    }

    fn target_row<'a>(report: &'a str, starts: &str) -> &'a str {
        report
            .lines()
            .find(|l| l.starts_with(&format!("| {starts}")))
            .unwrap_or_else(|| panic!("no row starting {starts:?} in\n{report}"))
    }

    #[test]
    fn a_run_without_figures_renders_every_target_as_not_measured() {
        let r = render_with(&[], None);
        let targets = r
            .split("## Targets")
            .nth(1)
            .unwrap()
            .split("\n## ")
            .next()
            .unwrap();
        let rows: Vec<&str> = targets
            .lines()
            .filter(|l| l.starts_with("| "))
            .skip(1)
            .collect();
        // 4 strict, 1 pooled, 2 HTTP, 6 hook (three commands × allowed, denied), 1 composition, 4 regorus/Cedar.
        assert_eq!(rows.len(), 18, "{targets}");
        for row in rows {
            assert!(row.ends_with("| not measured |"), "{row}");
        }
        assert!(!r.contains("20,000 decisions/s"));
        assert!(r.contains("dcg: not measured (no dcg binary"));
    }

    #[test]
    fn targets_are_judged_on_their_own_figures() {
        let r = render_with(
            &[
                ("latency.set-fresh.shell.p50_us", 55.0),
                ("latency.set-fresh.shell.p99_us", 250.0),
                ("http.c32.decisions_per_s", 6_000.0),
                ("http.cpu_bound_per_s", 20_000.0),
                ("http.cpu_per_decision_us", 100.0),
                ("http.cores", 2.0),
                ("http.c32.share_of_cpu_bound", 0.3),
                ("hook.policies.allow.p50_us", 3_000.0),
                ("hook.dcg.allow.p50_us", 2_000.0),
                ("hook.gate.deny.p50_us", 1_500.0),
                ("hook.forwarder.allow.p50_us", 1_000.0),
                ("hook.dcg.deny.p50_us", 2_000.0),
            ],
            Some("version: dcg v0.4.1\nbuilt: built by cargo build --release\n"),
        );
        assert!(
            target_row(
                &r,
                "strict isolation, bundled set (7 policies), on a `shell.exec`: p50"
            )
            .ends_with("| 55 µs (55 µs – 55 µs) | met |")
        );
        assert!(
            target_row(
                &r,
                "strict isolation, bundled set (7 policies), on a `shell.exec`: p99"
            )
            .ends_with("| **missed** |")
        );
        let http = target_row(&r, "HTTP at concurrency 32");
        assert!(
            http.contains("6000/s = 30% (30% – 30%) of the bound 20000/s (2 cores ÷ 100 µs"),
            "{http}"
        );
        assert!(http.ends_with("| **missed** |"), "{http}");
        let policies = target_row(&r, "`clawlaw hook claude-code --policies`, allowed");
        assert!(
            policies.contains("3.00 ms vs dcg 2.00 ms (1.50×)"),
            "{policies}"
        );
        assert!(policies.ends_with("| **missed** |"));
        let gate = target_row(&r, "`clawlaw hook claude-code --gate`, denied");
        assert!(
            gate.contains("(0.75×)") && gate.ends_with("| met |"),
            "{gate}"
        );
        let forwarder = target_row(&r, "`clawlaw-hook claude-code --gate`, allowed");
        assert!(
            forwarder.contains("1.00 ms vs dcg 2.00 ms (0.50×)") && forwarder.ends_with("| met |"),
            "{forwarder}"
        );
        assert!(r.contains("dcg timed: dcg v0.4.1, built by cargo build --release."));
    }
}
