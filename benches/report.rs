//! BENCHMARKS.md: every figure as min/median/max over the runs, the ratios
//! against regorus and Cedar, and the targets met or not.

use std::fmt::Write as _;

use crate::{POLICIES, Rules};

/// (min, median, max) of a figure over the runs, in µs (or per second).
pub type Spread = (f64, f64, f64);

/// What the report is made from.
pub struct Input<'a> {
    pub runs: usize,
    pub date: String,
    pub cpu: String,
    pub nproc: String,
    pub kernel: String,
    pub loadavg: String,
    /// Criterion medians by benchmark id, µs.
    pub crit: &'a dyn Fn(&str) -> Option<Spread>,
    /// The load binary's figures by name.
    pub load: &'a dyn Fn(&str) -> Option<Spread>,
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

pub fn render(i: &Input<'_>) -> String {
    let crit = i.crit;
    let load = i.load;
    let mut o = String::new();
    let w = &mut o;
    let _ = writeln!(w, "# Benchmarks\n");
    let _ = writeln!(
        w,
        "Written by `cargo xtask bench` on {} — do not edit by hand; rerun it.\n",
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

    // Targets.
    let set_p50 = load("latency.set-fresh.p50_us");
    let set_p99 = load("latency.set-fresh.p99_us");
    let pooled_p50 = load("latency.set-pooled.p50_us");
    let c1_p99 = load("http.c1.p99_us");
    let c32 = load("http.c32.decisions_per_s");
    let comp10 = crit("composition/prior-10");
    let comp10k = crit("composition/prior-10000");
    let comp_ratio = ratio(comp10k, comp10);
    let _ = writeln!(w, "## Targets\n");
    let _ = writeln!(w, "| target | measured | |\n|---|---|---|");
    let _ = writeln!(
        w,
        "| strict isolation, bundled set ({} policies), p50 ≤ 60 µs | {} | {} |",
        POLICIES.len(),
        cell(set_p50, us),
        met(set_p50.map(|s| s.1 <= 60.0))
    );
    let _ = writeln!(
        w,
        "| strict isolation, bundled set, p99 ≤ 200 µs | {} | {} |",
        cell(set_p99, us),
        met(set_p99.map(|s| s.1 <= 200.0))
    );
    let _ = writeln!(
        w,
        "| pooled mode, bundled set, p50 ≤ 10 µs | {} | {} |",
        cell(pooled_p50, us),
        met(pooled_p50.map(|s| s.1 <= 10.0))
    );
    for rules in [Rules::FsBoundary, Rules::ShellGuard] {
        let n = rules.name();
        let pooled = crit(&format!("compare/{n}/wasm-pooled"));
        let rego = ratio(pooled, crit(&format!("compare/{n}/rego")));
        let cedar = ratio(pooled, crit(&format!("compare/{n}/cedar")));
        let _ = writeln!(
            w,
            "| pooled ≤ 1.0× regorus ({n}) | {} | {} |",
            rego.map_or("not measured".into(), |r| format!("{r:.2}×")),
            met(rego.map(|r| r <= 1.0))
        );
        let _ = writeln!(
            w,
            "| pooled ≤ 3× Cedar ({n}) | {} | {} |",
            cedar.map_or("not measured".into(), |r| format!("{r:.2}×")),
            met(cedar.map(|r| r <= 3.0))
        );
    }
    let _ = writeln!(
        w,
        "| composition: 10,000-action session ≤ 1.2× the 10-action one | {} | {} |",
        comp_ratio.map_or("not measured".into(), |r| format!("{r:.2}×")),
        met(comp_ratio.map(|r| r <= 1.2))
    );
    let _ = writeln!(
        w,
        "| HTTP p99 ≤ 1 ms at concurrency 1 | {} | {} |",
        cell(c1_p99, us),
        met(c1_p99.map(|s| s.1 <= 1000.0))
    );
    let _ = writeln!(
        w,
        "| HTTP ≥ 20,000 decisions/s at concurrency 32, durable evidence | {} | {} |\n",
        cell(c32, rate),
        met(c32.map(|s| s.1 >= 20_000.0))
    );

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
         evidence (group commit: one fsync per batch). The client runs on the same 2 cores as \
         the gate, so at concurrency 32 the client threads take CPU from the gate.\n"
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
    ] {
        let _ = writeln!(w, "| {label} | {} |", cell(load(name), f));
    }
    let _ = writeln!(
        w,
        "\n`load hook`: the whole-process time of `clawlaw hook claude-code` per tool call, \
         a new process each call as the agent runs it (a `PreToolUse` for `Bash`), after five \
         calls that fill the compile cache: forwarding to the running gate above, and \
         evaluating in-process with the bundled policies.\n"
    );
    let _ = writeln!(w, "| mode | p50 | p99 |\n|---|---|---|");
    for (mode, label) in [("gate", "`--gate URL`"), ("policies", "`--policies DIR`")] {
        let _ = writeln!(
            w,
            "| {label} | {} | {} |",
            cell(load(&format!("hook.{mode}.p50_us")), us),
            cell(load(&format!("hook.{mode}.p99_us")), us)
        );
    }
    let _ = writeln!(w);

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
        "`load latency`: 20,000 calls of `PolicySet::evaluate` (shell, write, read in turn), \
         each timed.\n"
    );
    let _ = writeln!(w, "| isolation | p50 | p99 |\n|---|---|---|");
    for mode in ["fresh", "pooled"] {
        let _ = writeln!(
            w,
            "| {mode} | {} | {} |",
            cell(load(&format!("latency.set-{mode}.p50_us")), us),
            cell(load(&format!("latency.set-{mode}.p99_us")), us)
        );
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

const NOTES: &str = "\
## Notes

- `sandbox/fresh-instance-floor` is a policy that allows at once, in a fresh instance: what
  strict isolation costs by itself; `sandbox/instantiate-only` is the store and instance
  without the call; `sandbox/pooled-call-floor` is the same policy on a reused instance.
- `parts/evidence-append-durable` is one append on an otherwise idle log: a write and an
  `fsync` per entry. Under concurrent load the log's group commit makes one `fsync` serve a
  whole batch. `parts/evidence-encode` is the same entry serialised, hashed into the chain and
  encoded, without the write.
- `composition/prior-N` is the session view, the bundled set and the session update for one
  action in a session that has seen N actions before.
- Pooled mode (`mode = \"pooled\"` on a `[[policy]]` entry) reuses warm instances; an instance
  is dropped after any fault and after `recycle_after` evaluations (default 1,000). A pooled
  policy can carry state from one evaluation (and one session) to the next within those
  bounds; strict isolation, the default, cannot. See `host/src/pool.rs`.

## Where the time goes (biggest remaining costs)

- **Strict isolation: instantiation.** Policies are pre-initialised (snapshotted after
  `validate-settings`, `host/src/preinit.rs`), so a fresh instance no longer parses its
  settings or builds its glob sets; what is left is the instance itself:
  `sandbox/instantiate-only` is ~22 µs of the ~25 µs floor, and one per policy of the set is
  most of its p50. A profile of the floor (release, `perf record` over `clawlaw policy bench` of the
  policy that allows at once, 300,000 fresh instances) puts the time in wasmtime's component
  instantiation bookkeeping, not in the policy: ~14% finding the code of each lowered
  import's trampoline (`CompiledFunctionsTable::func_loc`, two lookups per trampoline per
  instance; a wasip2 component lowers every WASI function its std adapter imports), ~18%
  wiring imports, exports and function references, ~7% registering the modules' code with
  each new store, ~6% copying instance state, ~6% resetting dirty pages on release
  (PAGEMAP_SCAN). Still to try, each measured: components that import less (no WASI
  adapter; a std build for wasm32-unknown-unknown measured no faster, so it takes a no-std
  SDK), one store per evaluation shared by the set's fresh instances, and running a set's
  policies in parallel (which costs HTTP throughput on 2 cores).
- **Pooled mode: the policies' own work.** A call on a warm instance costs ~2.5 µs
  (`sandbox/pooled-call-floor`); the rest of the pooled set's time is the policies' own
  computation on the action, now that settings are parsed once per instance: shell-guard
  (~11 µs) and secrets-guard (~15 µs) on a shell line parse it and scan it, each on its own.
  Parsing the action once in the host and handing every policy the parsed form is the
  next lever.
- **HTTP: the fsync and the shared cores.** One durable append on an idle log costs ~0.36 ms
  (`parts/evidence-append-durable`), inside every concurrency-1 round trip; at concurrency 32
  the 32 client threads run on the same 2 cores as the gate. The throughput target
  (20,000/s) was not profiled in this pass.
- **Composition is flat**: 10 → 10,000 prior actions changes nothing measurable; the session
  view costs ~1.5 µs at 1,000 actions (the reference system spends 0.4 ms).
";
