//! `cargo xtask`: the project's build and dev tasks, in Rust so they run
//! wherever cargo does.
//!
//! - `cargo xtask policies`: installs the wasm32-unknown-unknown and
//!   wasm32-wasip2 targets if missing and builds every bundled policy to a
//!   component in `target/policies/`.
//! - `cargo xtask test`: everything CI runs: formatting, `arch`, the
//!   components, every test, the benches and the load generator once each.
//! - `cargo xtask lint`: formatting, `arch` (module cycles, and no source
//!   file over 600 lines before its tests) and `clippy --all-targets -D
//!   warnings` (a separate task: clippy is a second full build).
//! - `cargo xtask arch [--top N] [--max-lines N]`: fails on a cycle between
//!   modules of any workspace crate and lists the largest source files
//!   (failing over `--max-lines`); see `arch.rs`.
//! - `cargo xtask bench [--quick] [--dcg PATH]`: the criterion benches, the
//!   comparison with regorus and Cedar, in-process latency, HTTP load
//!   against the CPU bound, the seed's benchmark, the hook adapter and
//!   replicas, three runs, folded into `BENCHMARKS.md`; `--quick` runs each
//!   once, unmeasured, so they never rot (`cargo xtask test` runs them so
//!   too). `--dcg PATH` times destructive_command_guard beside the hook
//!   adapter: PATH is its binary, or a checkout of its repository outside
//!   the workspace, built first with `cargo build --release --locked`.
//! - `cargo xtask demo`: starts the gate on a free loopback port, replays
//!   `examples/demo/session.jsonl` (200 actions, reviews, outcomes) over HTTP
//!   and prints counts, denials, latencies and the evidence log's verification.
//! - `cargo xtask corpus`: measures shell-guard on destructive_command_guard's
//!   corpus and secrets-guard on gitleaks' rule samples (vendored under
//!   `corpora/`), natively, and prints recall and false positives; each
//!   corpus test also fails below its target in `cargo xtask test`.
//! - `cargo xtask start`: builds the policies and the gate, shows it
//!   deciding a few actions, then starts it on its embedded defaults
//!   (127.0.0.1:7070, evidence in `target/clawlaw-data`).

mod arch;
mod demo;
mod demo_run;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// The target the bundled policies are built for: a standard library with
/// no WASI, linked into a component by `wasm-component-ld`
/// (`.cargo/config.toml`), so a component imports the contract and nothing
/// it does not call, and instantiates as one core module.
const TARGET: &str = "wasm32-unknown-unknown";
/// The target of the test components that exercise WASI: the hostile policy
/// probes the sandbox through it, the legacy one stands for components built
/// with a WASI standard library (as 0.1.0 policies were).
const WASI_TARGET: &str = "wasm32-wasip2";
const WASI_CRATES: &[&str] = &["hostile-policy", "legacy-policy"];
const PROFILE: &str = "policy";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("policies") => policies().map(|_| ()),
        Some("test") => test(),
        Some("lint") => lint(),
        Some("start") => start(),
        Some("bench") => bench(&args[1..]),
        Some("demo") => demo_run::demo(),
        Some("corpus") => corpus(),
        Some("arch") => arch::Options::parse(&args[1..]).and_then(|o| arch::arch(&o)),
        _ => {
            eprintln!(
                "usage: cargo xtask <task>\n\n\
                 tasks:\n  \
                 policies   build every bundled policy to a component in target/policies/\n  \
                 test       run everything CI runs (fmt, components, every test, the benches once)\n  \
                 lint       check formatting, module cycles and file sizes (arch), run clippy on every target\n  \
                 arch       fail on module cycles, list the largest files (--top N, --max-lines N)\n  \
                 start      build the policies and the gate, show a few decisions, start the gate\n  \
                 bench      run every benchmark and write BENCHMARKS.md (--quick: once, unmeasured;\n  \
                            --dcg PATH: time destructive_command_guard beside the hook adapter)\n  \
                 demo       start the gate, replay a 200-action development session, summarise it\n  \
                 corpus     measure shell-guard and secrets-guard on the vendored public corpora"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

type Result<T> = std::result::Result<T, String>;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

fn cargo() -> Command {
    let mut c = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    c.current_dir(root());
    c
}

fn run(what: &str, cmd: &mut Command) -> Result<()> {
    eprintln!("xtask: {what}");
    let started = std::time::Instant::now();
    let status = cmd.status().map_err(|e| format!("{what}: {e}"))?;
    took(what, started);
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed ({status})"))
    }
}

/// Says how long a step took, so a slow CI run shows where its time went.
fn took(what: &str, started: std::time::Instant) {
    eprintln!("xtask: {what}: {:.0} s", started.elapsed().as_secs_f64());
}

/// The bundled policy crates: every directory under `policies/`.
fn policy_crates() -> Result<Vec<String>> {
    let dir = root().join("policies");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("Cargo.toml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    Ok(names)
}

fn ensure_wasm_targets() -> Result<()> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    for target in [TARGET, WASI_TARGET] {
        if !installed.lines().any(|l| l.trim() == target) {
            run(
                &format!("installing the {target} target"),
                Command::new("rustup").args(["target", "add", target]),
            )?;
        }
    }
    Ok(())
}

/// Builds the bundled policies (and the test components) and copies the
/// bundled ones to `target/policies/<name>.wasm`.
fn policies() -> Result<PathBuf> {
    ensure_wasm_targets()?;
    let crates = policy_crates()?;
    let mut cmd = cargo();
    cmd.args(["build", "--target", TARGET, "--profile", PROFILE]);
    for c in &crates {
        cmd.args(["-p", c]);
    }
    run("building the policy components", &mut cmd)?;
    let mut cmd = cargo();
    cmd.args(["build", "--target", WASI_TARGET, "--profile", PROFILE]);
    for c in WASI_CRATES {
        cmd.args(["-p", c]);
    }
    run("building the test components that use WASI", &mut cmd)?;
    let built = target_dir().join(TARGET).join(PROFILE);
    let out = target_dir().join("policies");
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    for c in &crates {
        let from = built.join(format!("{}.wasm", c.replace('-', "_")));
        let to = out.join(format!("{c}.wasm"));
        std::fs::copy(&from, &to).map_err(|e| format!("copying {}: {e}", from.display()))?;
        let size = std::fs::metadata(&to).map(|m| m.len()).unwrap_or(0);
        eprintln!(
            "xtask:   {:<40} {:>8} bytes",
            to.strip_prefix(root()).unwrap_or(&to).display(),
            size
        );
    }
    Ok(out)
}

fn test() -> Result<()> {
    policies()?;
    check_formatting()?;
    check_architecture()?;
    // One build of every target, with the whole workspace's features, so no
    // later step rebuilds a dependency with another feature set.
    run(
        "building every test, bench, binary and the gate",
        cargo().args(["test", "--workspace", "--all-targets", "--no-run"]),
    )?;
    quick_load(None)?;
    let mut total = Tally::default();
    total.add(run_tests(
        "running the doc tests",
        cargo().args(["test", "--workspace", "--doc"]),
    )?);
    // The benches run here too, once each, in criterion's test mode.
    total.add(run_tests(
        "running every test",
        cargo().args(["test", "--workspace", "--all-targets", "--no-fail-fast"]),
    )?);
    // One closing line for the whole run: cargo's own last line is the
    // summary of whichever test binary ran last, often one with no tests.
    println!("xtask: {} passed, {} failed", total.passed, total.failed);
    if total.failed > 0 {
        return Err(format!("{} tests failed", total.failed));
    }
    Ok(())
}

/// `cargo xtask corpus`: the public-corpus measures, with their figures.
fn corpus() -> Result<()> {
    for (policy, what) in [
        ("shell-guard", "destructive_command_guard's corpus"),
        ("secrets-guard", "gitleaks' rule samples"),
    ] {
        let started = std::time::Instant::now();
        eprintln!("xtask: measuring {policy} on {what}");
        let out = cargo()
            .args([
                "test",
                "--quiet",
                "-p",
                policy,
                "--test",
                "corpus",
                "--",
                "--nocapture",
            ])
            .output()
            .map_err(|e| format!("{policy}: {e}"))?;
        let text = String::from_utf8_lossy(&out.stdout);
        for line in text
            .lines()
            .filter(|l| !l.starts_with("running ") && !l.trim().is_empty())
        {
            if !line.starts_with("test ") {
                println!("{line}");
            }
        }
        took(&format!("{policy} corpus"), started);
        if !out.status.success() {
            eprint!("{}", String::from_utf8_lossy(&out.stderr));
            return Err(format!(
                "{policy}: the corpus measure failed or missed its target"
            ));
        }
    }
    Ok(())
}

fn check_formatting() -> Result<()> {
    run(
        "checking formatting",
        cargo().args(["fmt", "--all", "--", "--check"]),
    )
}

/// The most lines a source file may have before its tests.
const MAX_SOURCE_LINES: usize = 600;

/// `arch` as CI and lint run it: a module cycle fails, and so does a source
/// file over [`MAX_SOURCE_LINES`] before its tests.
fn check_architecture() -> Result<()> {
    arch::arch(&arch::Options {
        max_lines: Some(MAX_SOURCE_LINES),
        ..arch::Options::default()
    })
}

/// `cargo xtask lint`: formatting, module cycles, file sizes and clippy on
/// every target.
fn lint() -> Result<()> {
    check_formatting()?;
    check_architecture()?;
    run(
        "running clippy",
        cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]),
    )
}

/// The load generator once, unmeasured, against the debug gate, both as
/// `cargo test --all-targets` built them: it must never rot. With `dcg`,
/// destructive_command_guard's binary is timed beside the hook adapter.
fn quick_load(dcg: Option<&Path>) -> Result<()> {
    let debug = target_dir().join("debug");
    let mut cmd = Command::new(debug.join("load"));
    cmd.current_dir(root())
        .args(["all", "--quick", "--gate"])
        .arg(debug.join("clawlaw"))
        .arg("--out")
        .arg(target_dir().join("bench-runs").join("quick.json"));
    if let Some(dcg) = dcg {
        cmd.arg("--dcg").arg(dcg);
    }
    run("running the load generator once", &mut cmd)
}

/// Tests counted from cargo's `test result:` lines.
#[derive(Default)]
struct Tally {
    passed: u64,
    failed: u64,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        self.passed += other.passed;
        self.failed += other.failed;
    }
}

/// Runs a `cargo test`, passing its output through and counting its results.
fn run_tests(what: &str, cmd: &mut Command) -> Result<Tally> {
    use std::io::BufRead;
    eprintln!("xtask: {what}");
    let started = std::time::Instant::now();
    let mut child = cmd
        .stdout(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("{what}: {e}"))?;
    let mut tally = Tally::default();
    if let Some(out) = child.stdout.take() {
        for line in std::io::BufReader::new(out).lines().map_while(|l| l.ok()) {
            println!("{line}");
            if let Some(rest) = line.strip_prefix("test result: ") {
                let count = |word: &str| {
                    rest.split([';', '.'])
                        .find_map(|part| part.trim().strip_suffix(word)?.trim().parse::<u64>().ok())
                        .unwrap_or(0)
                };
                tally.passed += count("passed");
                tally.failed += count("failed");
            }
        }
    }
    let status = child.wait().map_err(|e| format!("{what}: {e}"))?;
    took(what, started);
    if status.success() {
        Ok(tally)
    } else {
        Err(format!("{what} failed ({status})"))
    }
}

/// Runs of the full benchmark that BENCHMARKS.md folds into min/median/max.
const BENCH_RUNS: usize = 3;

/// Which destructive_command_guard a bench run timed, in `bench-runs/`:
/// `version: …` and `built: …` lines (read by `load report`).
const DCG_RECORD: &str = "dcg.txt";

/// `cargo xtask bench [--quick] [--dcg PATH]` (see the crate doc).
fn bench(args: &[String]) -> Result<()> {
    let mut quick = false;
    let mut dcg_arg = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--quick" => quick = true,
            "--dcg" => dcg_arg = Some(PathBuf::from(it.next().ok_or("--dcg needs a path")?)),
            other => return Err(format!("bench: unknown argument {other:?}")),
        }
    }
    let runs_dir = target_dir().join("bench-runs");
    // A report never names a dcg this run did not time.
    let _ = std::fs::remove_file(runs_dir.join(DCG_RECORD));
    let dcg = dcg_arg
        .map(|path| dcg_binary(&path, &runs_dir))
        .transpose()?;
    policies()?;
    if quick {
        run(
            "building the gate, the benches and the load generator",
            cargo().args(["test", "--workspace", "--all-targets", "--no-run"]),
        )?;
        run(
            "running the benches once (criterion's test mode) and the agreement check",
            cargo().args(["test", "-p", "clawlaw-benches", "--benches", "--lib"]),
        )?;
        return quick_load(dcg.as_deref());
    }
    run(
        "building the gate",
        cargo().args(["build", "--release", "-p", "clawlaw"]),
    )?;
    let load = |args: &[&str]| {
        let mut c = cargo();
        c.args([
            "run",
            "--release",
            "-q",
            "-p",
            "clawlaw-benches",
            "--bin",
            "load",
            "--",
        ])
        .args(args);
        c
    };
    for i in 0..BENCH_RUNS {
        let n = i.to_string();
        let out = runs_dir.join(format!("load-{i}.json"));
        let what = |step: &str| format!("run {}/{BENCH_RUNS}: {step}", i + 1);
        run(
            &what("criterion"),
            cargo().args([
                "bench",
                "-p",
                "clawlaw-benches",
                "--bench",
                "evaluate",
                "--bench",
                "compare",
            ]),
        )?;
        run(
            &what("criterion figures"),
            &mut load(&["snapshot", "--run", &n]),
        )?;
        let mut all = load(&["all", "--out"]);
        all.arg(&out);
        if let Some(dcg) = &dcg {
            all.arg("--dcg").arg(dcg);
        }
        run(
            &what("latency, HTTP load, the seed's benchmark, hooks, replicas"),
            &mut all,
        )?;
    }
    run(
        "writing BENCHMARKS.md",
        &mut load(&["report", "--runs", &BENCH_RUNS.to_string()]),
    )
}

/// destructive_command_guard's binary for `bench --dcg PATH`: PATH itself,
/// or, when PATH is a checkout of its repository (a directory holding a
/// `Cargo.toml`, outside this workspace), `target/release/dcg` after a
/// `cargo build --release --locked` there. Which dcg it is (its
/// `--version`) and how it was built go to `bench-runs/`[`DCG_RECORD`],
/// which the report prints.
fn dcg_binary(path: &Path, runs_dir: &Path) -> Result<PathBuf> {
    let record = runs_dir.join(DCG_RECORD);
    let (binary, built) = if path.join("Cargo.toml").is_file() {
        let dir = path
            .canonicalize()
            .map_err(|e| format!("--dcg {}: {e}", path.display()))?;
        if dir.starts_with(root()) {
            return Err(format!(
                "--dcg {}: build destructive_command_guard in a scratch directory outside \
                 the workspace",
                dir.display()
            ));
        }
        // Its own cargo and toolchain: the `cargo` proxy run in its
        // directory picks its rust-toolchain.toml (nightly: a dependency
        // uses an unstable feature, so stable cannot build it), not the
        // toolchain this build runs on; its own target directory.
        let in_dir = |program: &str| {
            let mut c = Command::new(program);
            c.current_dir(&dir)
                .env_remove("RUSTUP_TOOLCHAIN")
                .env_remove("RUSTUP_TOOLCHAIN_SOURCE")
                .env("CARGO_TARGET_DIR", dir.join("target"));
            c
        };
        run(
            "building destructive_command_guard",
            in_dir("cargo").args(["build", "--release", "--locked"]),
        )?;
        let rustc = in_dir("rustc")
            .arg("--version")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default();
        (
            dir.join("target/release/dcg"),
            format!(
                "built by `cargo build --release --locked` of its repository in {}, a \
                 scratch directory outside the workspace, with its own toolchain file ({rustc})",
                dir.display()
            ),
        )
    } else {
        (
            path.to_path_buf(),
            format!(
                "the binary {} given by path (built outside this run)",
                path.display()
            ),
        )
    };
    let out = Command::new(&binary)
        .arg("--version")
        .output()
        .map_err(|e| format!("running {} --version: {e}", binary.display()))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // Its --version is a banner in a box: the line naming its version.
    let lines: Vec<&str> = text
        .lines()
        .map(|l| l.trim_matches(|c: char| c.is_whitespace() || "│╭╮╰╯─|+".contains(c)))
        .filter(|l| !l.is_empty())
        .collect();
    let version = lines
        .iter()
        .find(|l| l.starts_with("dcg "))
        .or(lines.first())
        .ok_or_else(|| format!("{} --version printed nothing", binary.display()))?;
    std::fs::create_dir_all(runs_dir).map_err(|e| format!("{}: {e}", runs_dir.display()))?;
    std::fs::write(&record, format!("version: {version}\nbuilt: {built}\n"))
        .map_err(|e| format!("{}: {e}", record.display()))?;
    eprintln!("xtask: timing {version} ({})", binary.display());
    Ok(binary)
}

fn start() -> Result<()> {
    let dir = policies()?;
    run(
        "building the gate",
        cargo().args(["build", "--release", "-p", "clawlaw"]),
    )?;
    let gate = target_dir().join("release").join("clawlaw");
    let examples = root().join("examples").join("actions");
    println!(
        "\nclawlaw decides three actions against the bundled policies in {}:\n",
        dir.display()
    );
    for (file, what) in [
        ("cargo-test.json", "run `cargo test` in the workspace"),
        ("rm-rf-root.json", "run `rm -rf / --no-preserve-root`"),
        ("write-etc-hosts.json", "write /etc/hosts"),
    ] {
        let out = Command::new(&gate)
            .args(["eval", "--compact", "--policy"])
            .arg(&dir)
            .arg("--action")
            .arg(examples.join(file))
            .output()
            .map_err(|e| format!("running {}: {e}", gate.display()))?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        let summary = summarize(&stdout).unwrap_or_else(|| stdout.trim().to_string());
        println!("  {what:<36} -> {summary}");
    }
    println!("\nstarting the gate on its embedded defaults (Ctrl-C stops it):\n");
    let data = target_dir().join("clawlaw-data");
    run(
        "serving",
        Command::new(&gate)
            .arg("serve")
            .arg("--policies")
            .arg(&dir)
            .arg("--data-dir")
            .arg(&data),
    )
}

/// `EVALUATION (reason)` from eval's one-line JSON, without a JSON parser.
fn summarize(json: &str) -> Option<String> {
    let field = |name: &str| -> Option<String> {
        let start = json.find(&format!("\"{name}\":\""))? + name.len() + 4;
        let mut out = String::new();
        let mut chars = json[start..].chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => out.push(chars.next()?),
                '"' => return Some(out),
                c => out.push(c),
            }
        }
        None
    };
    Some(format!("{} ({})", field("evaluation")?, field("reason")?))
}
