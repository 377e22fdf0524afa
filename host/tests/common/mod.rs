//! Shared by the host's integration tests: real policy components, built
//! once per test process with the same command `cargo xtask policies` runs.

#![allow(dead_code)]

pub mod postgres;
pub mod registry;
pub mod server;

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use clawlaw_engine::engine::{Engine, EngineConfig};
use clawlaw_engine::spec::SetSpec;

/// The crates built to components for the tests.
pub const POLICY_CRATES: &[&str] = &[
    "fs-boundary",
    "shell-guard",
    "secrets-guard",
    "hostile-policy",
    "legacy-policy",
    "kinds-policy",
];

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
}

/// Polls `done` every 10 ms until it holds, for at most `within`; fails the
/// test naming `what` if it never does.
pub fn eventually(what: &str, within: std::time::Duration, mut done: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + within;
    while !done() {
        assert!(
            std::time::Instant::now() < deadline,
            "{what} did not happen within {within:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// A loopback port nobody listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A Claude Code `PreToolUse` event for a `Bash` call of `command`, as the
/// hook adapter reads it on stdin.
pub fn pre_tool_use(command: &str) -> Vec<u8> {
    serde_json::json!({
        "session_id": "s-hook", "transcript_path": "/t", "cwd": "/work/app",
        "permission_mode": "default", "hook_event_name": "PreToolUse",
        "tool_name": "Bash", "tool_input": { "command": command }, "tool_use_id": "toolu_1",
    })
    .to_string()
    .into_bytes()
}

/// Runs `cmd` with `input` on its standard input (written from a thread,
/// so a child that answers before reading it all cannot deadlock us) and
/// returns what it printed.
pub fn run_with_input(cmd: &mut std::process::Command, input: &[u8]) -> std::process::Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting the command");
    let mut stdin = child.stdin.take().expect("piped stdin");
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().expect("waiting for the command");
    writer.join().expect("the stdin writer");
    out
}

/// The bundled policy crates: every directory under `policies/`, as
/// `cargo xtask policies` builds them.
pub fn bundled_policies() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(workspace_root().join("policies"))
        .expect("the policies directory")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("Cargo.toml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The test components built with a WASI standard library (the hostile
/// policy probes the sandbox through WASI; the legacy one stands for
/// components built before the bundled ones dropped it); the rest are built
/// for `wasm32-unknown-unknown`, as `cargo xtask policies` builds them.
const WASI_CRATES: &[&str] = &["hostile-policy", "legacy-policy"];

/// Builds every test component (once per process) and returns the
/// directory of those built without WASI (every bundled policy's).
pub fn components_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let (wasi, plain): (Vec<String>, Vec<String>) = POLICY_CRATES
            .iter()
            .map(|c| c.to_string())
            .chain(bundled_policies())
            .partition(|c| WASI_CRATES.contains(&c.as_str()));
        build_components("wasm32-unknown-unknown", &plain);
        build_components("wasm32-wasip2", &wasi);
        target_dir().join("wasm32-unknown-unknown").join("policy")
    })
}

fn build_components(target: &str, crates: &[String]) {
    let mut cmd = std::process::Command::new(env!("CARGO"));
    cmd.current_dir(workspace_root()).args([
        "build",
        "--quiet",
        "--target",
        target,
        "--profile",
        "policy",
    ]);
    for c in crates {
        cmd.args(["-p", c]);
    }
    let status = cmd
        .status()
        .expect("running cargo to build the policy components");
    assert!(
        status.success(),
        "building the policy components for {target} failed"
    );
}

/// The compiled component of a crate, e.g. `fs-boundary`.
pub fn component(crate_name: &str) -> PathBuf {
    let dir = components_dir();
    let dir = if WASI_CRATES.contains(&crate_name) {
        target_dir().join("wasm32-wasip2").join("policy")
    } else {
        dir.to_path_buf()
    };
    dir.join(format!("{}.wasm", crate_name.replace('-', "_")))
}

/// A set of the one component `crate_name` with `settings` (a TOML value,
/// `{}` for the policy's defaults).
pub fn one_policy_spec(crate_name: &str, settings: &str) -> SetSpec {
    let text = format!(
        "version = 1\n[[policy]]\npath = {:?}\nsettings = {settings}\n",
        component(crate_name).display().to_string()
    );
    clawlaw_gate::config::SetConfig::from_config_text(&text, Path::new("/nonexistent/clawlaw.toml"))
        .unwrap()
        .set
}

/// The compiled-component cache every engine and gate in this test process
/// shares, so each component is compiled (and each snapshot taken) once per
/// process, as a gate restarted on one machine does. Tests about a cold
/// cache give their gate a directory of its own.
pub fn cache_dir() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("cache dir"))
        .path()
}

type SharedEngine = OnceLock<Arc<Engine>>;

/// One engine per test process, as the gate builds it (policies
/// pre-initialised), over the shared compile cache.
pub fn engine() -> Arc<Engine> {
    static ENGINE: SharedEngine = OnceLock::new();
    shared(&ENGINE, true)
}

/// The same without pre-initialisation: every evaluation starts from the
/// component as it was built.
pub fn plain_engine() -> Arc<Engine> {
    static ENGINE: SharedEngine = OnceLock::new();
    shared(&ENGINE, false)
}

fn shared(engine: &'static SharedEngine, preinitialize: bool) -> Arc<Engine> {
    engine
        .get_or_init(|| {
            Engine::new(&EngineConfig {
                cache_dir: Some(cache_dir().to_path_buf()),
                cache_key: None,
                cache_max_bytes: clawlaw_engine::cache::prune::DEFAULT_MAX_BYTES,
                max_sandboxes: 64,
                preinitialize,
                one_shot: false,
            })
            .expect("engine")
        })
        .clone()
}
