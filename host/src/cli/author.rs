//! The policy author's workflow: `clawlaw policy new` (scaffold a crate),
//! `policy build` (cargo to a component, then check it is one), `policy test`
//! (a case file against the component, as a pass/fail table) and
//! `policy bench` (time fresh-instance evaluations).
//!
//! Decisions:
//! - A scaffold depends on the SDK by path when it can (`--sdk-path`, else
//!   the SDK source this binary was built from, when it is still there), else
//!   by git on the project's repository. It carries its own `[workspace]` so
//!   it builds alone even inside another workspace, the gate's stack-size
//!   flag in `.cargo/config.toml`, and an LTO release profile.
//! - `policy build` builds for `wasm32-unknown-unknown` (std without WASI)
//!   and names `wasm-component-ld` (shipped with Rust) as the linker, so any
//!   crate becomes a component importing only what it calls. It installs
//!   nothing: a missing target is an error saying how to add it. Cargo runs
//!   in the crate's directory, so its own `.cargo/config.toml` applies.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Args;
use clawlaw_engine::limits::Limits;
use clawlaw_engine::policy::LoadedPolicy;
use clawlaw_engine::policy_set::engine_for;
use clawlaw_sdk::testing::{CaseFile, Outcome, human, render_table};
use clawlaw_sdk::{ActionRequest, Session};
use sha2::{Digest, Sha256};

use super::{EXIT_ALLOW, EXIT_DENY, EXIT_ERROR, EXIT_USAGE, EngineArgs};

/// The target policies are built for.
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// What makes cargo link [`WASM_TARGET`] into a component rather than a
/// core module.
const COMPONENT_LINKER: &str = "target.wasm32-unknown-unknown.linker=\"wasm-component-ld\"";

#[derive(Debug, Args)]
pub struct NewArgs {
    /// The policy's name: lowercase letters, digits and dashes, starting with
    /// a letter (e.g. `no-git-writes`). It names the crate and the policy.
    pub name: String,
    /// Where to create the crate [default: ./<name>]. It must not exist or be empty.
    #[arg(long, value_name = "PATH")]
    pub dir: Option<PathBuf>,
    /// Depend on the SDK at this path (a checkout's `sdk/` directory)
    /// [default: the SDK this clawlaw was built from, if present; else git].
    #[arg(
        long,
        value_name = "PATH",
        env = "CLAWLAW_SDK_PATH",
        conflicts_with = "sdk_git"
    )]
    pub sdk_path: Option<PathBuf>,
    /// Depend on the SDK from this git repository instead.
    #[arg(long, value_name = "URL")]
    pub sdk_git: Option<String>,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The policy crate's Cargo.toml.
    #[arg(long, value_name = "PATH", default_value = "Cargo.toml")]
    pub manifest_path: PathBuf,
    /// The cargo profile to build with.
    #[arg(long, value_name = "NAME", default_value = "release")]
    pub profile: String,
    /// Print the result as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub engine: EngineArgs,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// The policy component (.wasm).
    pub component: PathBuf,
    /// The action to evaluate, as JSON (`-` for stdin)
    /// [default: a `shell.exec` of `cargo test` in /work/app].
    #[arg(long, value_name = "FILE")]
    pub action: Option<PathBuf>,
    /// The session view, as JSON [default: a fresh session].
    #[arg(long, value_name = "FILE")]
    pub session: Option<PathBuf>,
    /// The policy's settings, as JSON text.
    #[arg(long, value_name = "JSON", default_value = "{}")]
    pub settings: String,
    /// How many evaluations to time (each in a fresh instance).
    #[arg(long, short = 'n', default_value_t = 1000,
          value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
    pub iterations: u32,
    /// Evaluations run first and not timed.
    #[arg(long, default_value_t = 20)]
    pub warmup: u32,
    #[command(flatten)]
    pub engine: EngineArgs,
}

// ---------------------------------------------------------------- new

const CARGO_TOML: &str = include_str!("scaffold/Cargo.toml.tmpl");
const LIB_RS: &str = include_str!("scaffold/lib.rs.tmpl");
const CASES_YAML: &str = include_str!("scaffold/cases.yaml.tmpl");
const CONFIG_TOML: &str = include_str!("scaffold/config.toml.tmpl");
const GITIGNORE: &str = include_str!("scaffold/gitignore.tmpl");
/// The workspace manifest this binary was built from: the repository URL
/// and Rust version a scaffold uses.
const WORKSPACE_TOML: &str = include_str!("../../../Cargo.toml");

pub fn new(args: NewArgs) -> anyhow::Result<ExitCode> {
    if let Err(e) = check_name(&args.name) {
        eprintln!("error: {e}");
        return Ok(ExitCode::from(EXIT_USAGE));
    }
    let dir = args
        .dir
        .clone()
        .unwrap_or_else(|| PathBuf::from(&args.name));
    if dir.exists()
        && std::fs::read_dir(&dir)
            .with_context(|| format!("{}", dir.display()))?
            .next()
            .is_some()
    {
        eprintln!(
            "error: {} exists and is not empty; choose another --dir",
            dir.display()
        );
        return Ok(ExitCode::from(EXIT_USAGE));
    }
    let sdk = match sdk_dependency(&args) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(EXIT_USAGE));
        }
    };
    let files = scaffold(&args.name, &sdk.line)?;
    for (rel, text) in &files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    let d = dir.display();
    println!("created policy crate {} in {d}", args.name);
    for (rel, _) in &files {
        println!("  {d}/{rel}");
    }
    println!("the SDK comes from {}", sdk.from);
    println!("\nnext:");
    println!("  cd {d}");
    println!("  cargo test                                   # the native tests and cases.yaml");
    println!("  clawlaw policy build                         # the component, checked");
    println!(
        "  clawlaw policy test target/{WASM_TARGET}/release/{}.wasm cases.yaml",
        args.name.replace('-', "_")
    );
    Ok(ExitCode::from(EXIT_ALLOW))
}

/// A policy name: a crate name and a policy name at once.
fn check_name(name: &str) -> Result<(), String> {
    let ok = (1..=64).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && !name.ends_with('-')
        && !name.contains("--")
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "invalid policy name {name:?}: use 1 to 64 lowercase letters, digits and single \
             dashes, starting with a letter (e.g. no-git-writes)"
        ))
    }
}

struct SdkDependency {
    /// The `clawlaw-sdk = ...` line of the scaffold's Cargo.toml.
    line: String,
    /// Where it comes from, for the user.
    from: String,
}

fn sdk_dependency(args: &NewArgs) -> Result<SdkDependency, String> {
    let path_dep = |dir: &Path| -> Result<SdkDependency, String> {
        let dir = dir
            .canonicalize()
            .map_err(|e| format!("--sdk-path {}: {e}", dir.display()))?;
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml"))
            .map_err(|e| format!("--sdk-path {}: no Cargo.toml: {e}", dir.display()))?;
        if !manifest.contains("name = \"clawlaw-sdk\"") {
            return Err(format!(
                "--sdk-path {}: not the clawlaw-sdk crate (its Cargo.toml does not name clawlaw-sdk)",
                dir.display()
            ));
        }
        let shown = dir.display().to_string();
        Ok(SdkDependency {
            line: format!("clawlaw-sdk = {{ path = {} }}", toml_string(&shown)),
            from: format!("the path {shown}"),
        })
    };
    if let Some(dir) = &args.sdk_path {
        return path_dep(dir);
    }
    let git = |url: &str| SdkDependency {
        line: format!(
            "# Pin a release with `tag = \"v…\"` or `rev = \"…\"`.\nclawlaw-sdk = {{ git = {} }}",
            toml_string(url)
        ),
        from: format!("git {url}"),
    };
    if let Some(url) = &args.sdk_git {
        return Ok(git(url));
    }
    let built_from = Path::new(env!("CARGO_MANIFEST_DIR")).join("../sdk");
    if built_from.join("Cargo.toml").is_file() {
        return path_dep(&built_from);
    }
    Ok(git(&workspace_field("repository").ok_or(
        "the SDK's location is unknown: pass --sdk-path or --sdk-git",
    )?))
}

/// `[workspace.package] <key>` of the workspace this binary was built in.
fn workspace_field(key: &str) -> Option<String> {
    let doc: toml::Table = toml::from_str(WORKSPACE_TOML).ok()?;
    doc.get("workspace")?
        .get("package")?
        .get(key)?
        .as_str()
        .map(String::from)
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// The files of a new policy crate, relative to its directory.
fn scaffold(name: &str, sdk_line: &str) -> anyhow::Result<Vec<(&'static str, String)>> {
    let type_name: String = name
        .split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect();
    let rust_version = workspace_field("rust-version").unwrap_or_else(|| "1.95".into());
    let fill = |template: &str| {
        template
            .replace("{{name}}", name)
            .replace("{{type_name}}", &type_name)
            .replace("{{rust_version}}", &rust_version)
            .replace("{{sdk_dependency}}", sdk_line)
    };
    let files = vec![
        ("Cargo.toml", fill(CARGO_TOML)),
        (".cargo/config.toml", fill(CONFIG_TOML)),
        (".gitignore", fill(GITIGNORE)),
        ("src/lib.rs", fill(LIB_RS)),
        ("cases.yaml", fill(CASES_YAML)),
    ];
    if let Some((file, _)) = files.iter().find(|(_, text)| text.contains("{{")) {
        bail!("scaffold template {file} has an unfilled placeholder");
    }
    Ok(files)
}

// ---------------------------------------------------------------- build

pub fn build(args: BuildArgs) -> anyhow::Result<ExitCode> {
    let manifest = match args.manifest_path.canonicalize() {
        Ok(m) if m.is_file() => m,
        Ok(m) => {
            eprintln!("error: {} is not a file", m.display());
            return Ok(ExitCode::from(EXIT_USAGE));
        }
        Err(e) => {
            eprintln!(
                "error: {}: {e} (run it in a policy crate, or pass --manifest-path)",
                args.manifest_path.display()
            );
            return Ok(ExitCode::from(EXIT_USAGE));
        }
    };
    if let Err(e) = check_target_installed() {
        eprintln!("error: {e}");
        return Ok(ExitCode::from(EXIT_USAGE));
    }
    let dir = manifest.parent().expect("a file has a parent");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    eprintln!(
        "building {} for {WASM_TARGET} (profile {})",
        manifest.display(),
        args.profile
    );
    let mut child = Command::new(&cargo)
        .current_dir(dir)
        .args(["build", "--target", WASM_TARGET, "--profile", &args.profile])
        .args(["--config", COMPONENT_LINKER])
        .arg("--manifest-path")
        .arg(&manifest)
        .args(["--message-format", "json-render-diagnostics"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .with_context(|| format!("running {}", Path::new(&cargo).display()))?;
    let stdout = child.stdout.take().expect("piped");
    let mut component: Option<PathBuf> = None;
    for line in std::io::BufRead::lines(std::io::BufReader::new(stdout)) {
        let line = line.context("reading cargo's output")?;
        if let Some(path) = wasm_artifact(&line, &manifest) {
            component = Some(path);
        }
    }
    let status = child.wait().context("waiting for cargo")?;
    if !status.success() {
        eprintln!("error: cargo build failed ({status})");
        return Ok(ExitCode::from(EXIT_ERROR));
    }
    let Some(component) = component else {
        eprintln!(
            "error: cargo built no WebAssembly library for {}: a policy crate needs \
             `[lib] crate-type = [\"cdylib\", \"rlib\"]`",
            manifest.display()
        );
        return Ok(ExitCode::from(EXIT_USAGE));
    };
    let bytes =
        std::fs::read(&component).with_context(|| format!("reading {}", component.display()))?;
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let policy = match load(&bytes, &args.engine, "{}".into())? {
        Ok(p) => p,
        Err(e) => {
            eprintln!(
                "error: {} is not a clawlaw policy component: {e}",
                component.display()
            );
            return Ok(ExitCode::from(EXIT_DENY));
        }
    };
    let rules: Vec<&str> = policy.rules().iter().map(|r| r.id.as_str()).collect();
    if args.json {
        let out = serde_json::json!({
            "component": component,
            "size_bytes": bytes.len(),
            "sha256": sha256,
            "name": policy.id().name,
            "version": policy.id().version,
            "rules": rules,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        println!("built {} {}", policy.id().name, policy.id().version);
        println!("  component  {}", component.display());
        println!(
            "  size       {} bytes ({:.1} KiB)",
            bytes.len(),
            bytes.len() as f64 / 1024.0
        );
        println!("  sha256     {sha256}");
        println!(
            "  checked    exports clawlaw:policy; info: {} {}, {} rules: {}",
            policy.id().name,
            policy.id().version,
            rules.len(),
            rules.join(", ")
        );
    }
    Ok(ExitCode::from(EXIT_ALLOW))
}

/// Whether the Rust standard library for [`WASM_TARGET`] is installed;
/// the error says how to add it.
fn check_target_installed() -> Result<(), String> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let out = Command::new(&rustc)
        .args(["--print", "target-libdir", "--target", WASM_TARGET])
        .output()
        .map_err(|e| format!("running rustc: {e} (is Rust installed?)"))?;
    let libdir = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let has_std = out.status.success()
        && std::fs::read_dir(&libdir)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok())
                    .any(|e| e.file_name().to_string_lossy().starts_with("libstd-"))
            })
            .unwrap_or(false);
    if has_std {
        Ok(())
    } else {
        Err(format!(
            "the {WASM_TARGET} target is not installed; add it with:\n\n    \
             rustup target add {WASM_TARGET}\n"
        ))
    }
}

/// The `.wasm` file of a `compiler-artifact` message for the cdylib of the
/// package at `manifest`.
fn wasm_artifact(line: &str, manifest: &Path) -> Option<PathBuf> {
    let msg: serde_json::Value = serde_json::from_str(line).ok()?;
    if msg["reason"] != "compiler-artifact" {
        return None;
    }
    let ours = msg["manifest_path"]
        .as_str()
        .and_then(|p| Path::new(p).canonicalize().ok())
        .is_some_and(|p| p == manifest);
    let cdylib = msg["target"]["kind"]
        .as_array()
        .is_some_and(|k| k.iter().any(|k| k == "cdylib"));
    if !(ours && cdylib) {
        return None;
    }
    msg["filenames"]
        .as_array()?
        .iter()
        .filter_map(|f| f.as_str())
        .find(|f| f.ends_with(".wasm"))
        .map(PathBuf::from)
}

// ---------------------------------------------------------------- test

fn load(
    bytes: &[u8],
    engine_args: &EngineArgs,
    settings: String,
) -> anyhow::Result<Result<LoadedPolicy, String>> {
    let mut section = clawlaw_gate::config::EngineSection::default();
    engine_args.apply(&mut section);
    let engine = engine_for(&section).context("starting the WebAssembly engine")?;
    Ok(LoadedPolicy::load(&engine, bytes, settings, Limits::default()).map_err(|e| e.to_string()))
}

pub fn test(component: PathBuf, cases: PathBuf, engine: EngineArgs) -> anyhow::Result<ExitCode> {
    let file = match CaseFile::load(&cases) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(EXIT_USAGE));
        }
    };
    let bytes = match std::fs::read(&component) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: {}: {e}", component.display());
            return Ok(ExitCode::from(EXIT_USAGE));
        }
    };
    let mut loaded: Option<(String, LoadedPolicy)> = None;
    let mut outcomes = Vec::with_capacity(file.cases.len());
    for case in &file.cases {
        let settings = file.settings_for(case);
        if loaded.as_ref().is_none_or(|(s, _)| *s != settings) {
            match load(&bytes, &engine, settings.clone())? {
                Ok(p) => loaded = Some((settings, p)),
                Err(e) => {
                    eprintln!("error: case {:?}: {}: {e}", case.name, component.display());
                    return Ok(ExitCode::from(EXIT_USAGE));
                }
            }
        }
        let (_, policy) = loaded.as_ref().expect("loaded above");
        let outcome = policy.evaluate(&case.action(), &case.session());
        let decision = outcome.decision.as_ref().map_err(|f| f.to_string());
        outcomes.push(Outcome::of(case, decision, outcome.elapsed));
    }
    if let Some((_, policy)) = &loaded {
        println!(
            "{} {} ({}) against {}\n",
            policy.id().name,
            policy.id().version,
            component.display(),
            cases.display()
        );
    }
    print!("{}", render_table(&outcomes));
    let failed = outcomes.iter().any(|o| !o.passed());
    Ok(ExitCode::from(if failed { EXIT_DENY } else { EXIT_ALLOW }))
}

// ---------------------------------------------------------------- bench

/// The action `policy bench` times when given none.
const DEFAULT_ACTION: &str =
    r#"{"kind":"shell.exec","tool":"Bash","command":"cargo test","cwd":"/work/app"}"#;

pub fn bench(args: BenchArgs) -> anyhow::Result<ExitCode> {
    let action = match read_json::<ActionRequest>(args.action.as_deref(), DEFAULT_ACTION, "action")
    {
        Ok(a) => a.to_action(|| "bench-1".into()),
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(EXIT_USAGE));
        }
    };
    let session = match read_json::<Session>(args.session.as_deref(), "{}", "session") {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(EXIT_USAGE));
        }
    };
    let bytes = match std::fs::read(&args.component) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: {}: {e}", args.component.display());
            return Ok(ExitCode::from(EXIT_USAGE));
        }
    };
    let policy = match load(&bytes, &args.engine, args.settings.clone())? {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {}: {e}", args.component.display());
            return Ok(ExitCode::from(EXIT_USAGE));
        }
    };
    let mut verdict = None;
    for _ in 0..args.warmup {
        if let Err(fault) = policy.evaluate(&action, &session).decision {
            eprintln!("error: {} faulted: {fault}", policy.id().name);
            return Ok(ExitCode::from(EXIT_DENY));
        }
    }
    let started = Instant::now();
    let mut times = Vec::with_capacity(args.iterations as usize);
    for _ in 0..args.iterations {
        let outcome = policy.evaluate(&action, &session);
        match outcome.decision {
            Ok(d) => verdict = Some(d.verdict),
            Err(fault) => {
                eprintln!("error: {} faulted: {fault}", policy.id().name);
                return Ok(ExitCode::from(EXIT_DENY));
            }
        }
        times.push(outcome.elapsed);
    }
    let wall = started.elapsed();
    times.sort();
    let pct = |p: f64| times[((times.len() as f64 * p).ceil() as usize).clamp(1, times.len()) - 1];
    let mean = times.iter().sum::<Duration>() / times.len() as u32;
    println!(
        "{} {} ({}): {} evaluations, each in a fresh instance{}; verdict {}",
        policy.id().name,
        policy.id().version,
        args.component.display(),
        times.len(),
        if policy.is_preinitialized() {
            " of the pre-initialised snapshot"
        } else {
            ""
        },
        verdict.map(|v| v.as_str()).unwrap_or("-")
    );
    println!(
        "  min {}  p50 {}  p99 {}  max {}  mean {}",
        human(times[0]),
        human(pct(0.50)),
        human(pct(0.99)),
        human(times[times.len() - 1]),
        human(mean)
    );
    println!(
        "  {:.0} evaluations/s on one thread",
        times.len() as f64 / wall.as_secs_f64()
    );
    Ok(ExitCode::from(EXIT_ALLOW))
}

/// Parses JSON from a file (`-` for stdin), or `default` when none is given.
fn read_json<T: serde::de::DeserializeOwned>(
    path: Option<&Path>,
    default: &str,
    what: &str,
) -> Result<T, String> {
    match path {
        None => serde_json::from_str(default).map_err(|e| format!("default {what}: {e}")),
        Some(p) => {
            let bytes = super::read_input(p).map_err(|e| format!("{}: {e}", p.display()))?;
            serde_json::from_slice(&bytes).map_err(|e| format!("{} ({what}): {e}", p.display()))
        }
    }
}
