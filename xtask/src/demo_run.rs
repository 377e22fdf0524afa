//! `cargo xtask demo`: builds the policies and the gate, starts the gate on
//! its embedded defaults (a free 127.0.0.1 port, its own data directory in
//! `target/clawlaw-demo`, a token per role), replays
//! `examples/demo/session.jsonl` through it ([`crate::demo`]), stops it,
//! verifies the evidence log and prints the summary.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{Result, cargo, demo, policies, root, run, target_dir};

/// Stops the gate when dropped, whatever happened.
struct Gate(Child);

impl Gate {
    /// SIGTERM, then wait (bounded) for the graceful exit.
    fn stop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Gate {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            self.stop();
        }
    }
}

pub fn demo() -> Result<()> {
    let dir = policies()?;
    run(
        "building the gate",
        cargo().args(["build", "--release", "-p", "clawlaw"]),
    )?;
    let bin = target_dir().join("release").join("clawlaw");
    let script_path = root().join("examples").join("demo").join("session.jsonl");
    let script = std::fs::read_to_string(&script_path)
        .map_err(|e| format!("{}: {e}", script_path.display()))?;
    let data = target_dir().join("clawlaw-demo");
    if data.exists() {
        std::fs::remove_dir_all(&data).map_err(|e| format!("{}: {e}", data.display()))?;
    }
    eprintln!("xtask: starting the gate (evidence in {})", data.display());
    let mut child = Command::new(&bin)
        .arg("serve")
        .arg("--policies")
        .arg(&dir)
        .arg("--data-dir")
        .arg(&data)
        .args(["--listen", "127.0.0.1:0"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("starting {}: {e}", bin.display()))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut gate = Gate(child);
    let (tx, rx) = std::sync::mpsc::channel();
    // The banner: the address first, then where the generated tokens are.
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let _ = tx.send(line);
        }
    });
    let first = rx
        .recv_timeout(Duration::from_secs(60))
        .map_err(|_| "the gate did not start within 60 s".to_string())?;
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .ok_or(format!("no address in the gate's first line: {first:?}"))?
        .to_string();
    let tokens_path = loop {
        let line = rx
            .recv_timeout(Duration::from_secs(10))
            .map_err(|_| "the gate did not say where its tokens are".to_string())?;
        if let Some(path) = line.strip_prefix("tokens file: ") {
            break std::path::PathBuf::from(path);
        }
    };
    let tokens: serde_json::Value = std::fs::read_to_string(&tokens_path)
        .map_err(|e| format!("{}: {e}", tokens_path.display()))
        .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))?;
    let token = |role: &str| {
        tokens[role]
            .as_str()
            .map(String::from)
            .ok_or(format!("no {role} token in {}", tokens_path.display()))
    };
    let tokens = demo::Tokens {
        agent: token("agent")?,
        reviewer: token("reviewer")?,
    };
    eprintln!(
        "xtask: replaying {} against {url}",
        script_path
            .strip_prefix(root())
            .unwrap_or(&script_path)
            .display()
    );
    let replay = demo::replay(&url, &tokens, &script);
    gate.stop();
    let replay = replay?;
    let evidence = data.join("evidence");
    let verify = Command::new(&bin)
        .args(["evidence", "verify"])
        .arg(&evidence)
        .output()
        .map_err(|e| format!("running clawlaw evidence verify: {e}"))?;
    let verify_text = format!(
        "{}{}",
        String::from_utf8_lossy(&verify.stdout),
        String::from_utf8_lossy(&verify.stderr)
    );
    let shown = evidence.strip_prefix(root()).unwrap_or(&evidence);
    println!();
    print!("{}", demo::render(&replay, shown, &verify_text));
    if !verify.status.success() {
        return Err("the evidence log did not verify".into());
    }
    let unexpected = replay.unexpected().len();
    if unexpected > 0 {
        return Err(format!(
            "{unexpected} actions were not answered as the script expects"
        ));
    }
    Ok(())
}
