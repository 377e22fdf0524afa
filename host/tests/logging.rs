//! The gate's log lines as they reach a file, a pipe or a terminal: colour
//! (ANSI escape sequences) only at a terminal, and not even there when
//! `NO_COLOR` is set.

use crate::common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::server::config;

/// A log line every start writes at the gate's default level.
const STARTUP_LINE: &str = "policy ready";

#[test]
fn log_lines_written_to_a_file_carry_no_colour_codes() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), "");
    let log = dir.path().join("gate.log");
    let mut child = Command::new(env!("CARGO_BIN_EXE_clawlaw"))
        .args(["serve", "--config"])
        .arg(&config)
        .env("CLAWLAW_CACHE_DIR", common::cache_dir())
        .env_remove("RUST_LOG")
        .env_remove("NO_COLOR")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    // The banner comes after the start-up log lines.
    let mut banner = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut banner)
        .unwrap();
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
    assert!(banner.contains("listening on"), "{banner}");
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains(STARTUP_LINE), "the log was written: {text}");
    assert!(text.contains(" INFO "), "{text}");
    assert!(!text.contains('\x1b'), "escape sequences in {text:?}");
}

/// Runs the gate under `script` (a pseudo-terminal for its stdout and
/// stderr) until its first log line; returns what the terminal showed.
fn at_a_terminal(no_color: Option<&str>) -> String {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), "");
    // `exec`: the shell's pid becomes the gate's, so it can be stopped by it.
    let inner = format!(
        "echo gate-pid=$$; exec {:?} serve --config {:?}",
        env!("CARGO_BIN_EXE_clawlaw"),
        config
    );
    let mut cmd = Command::new("script");
    cmd.args(["-qefc", &inner, "/dev/null"])
        .env("CLAWLAW_CACHE_DIR", common::cache_dir())
        .env_remove("RUST_LOG")
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(v) = no_color {
        cmd.env("NO_COLOR", v);
    }
    let mut script = cmd.spawn().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let stdout = script.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut shown = String::new();
    let mut gate_pid = None;
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(60)) {
        if let Some(pid) = line.trim().strip_prefix("gate-pid=") {
            gate_pid = Some(pid.to_string());
        }
        shown.push_str(&line);
        shown.push('\n');
        if line.contains(STARTUP_LINE) {
            break;
        }
    }
    if let Some(pid) = gate_pid {
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
    }
    let _ = script.wait();
    assert!(shown.contains(STARTUP_LINE), "{shown}");
    shown
}

#[test]
fn a_terminal_gets_colour_unless_no_color_is_set() {
    assert!(
        at_a_terminal(None).contains("\x1b["),
        "a terminal gets colour"
    );
    let plain = at_a_terminal(Some("1"));
    assert!(!plain.contains('\x1b'), "NO_COLOR: {plain:?}");
}
