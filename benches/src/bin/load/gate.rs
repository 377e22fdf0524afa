//! The gate under load: a real `clawlaw serve` child process.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use clawlaw_benches::{POLICIES, compile_cache, component, components};
use serde_json::{Value, json};

use super::TOKEN;

/// A `clawlaw serve` on 127.0.0.1 with the bundled policies and durable
/// evidence in a scratch directory; killed when dropped.
pub struct Gate {
    child: Child,
    pub url: String,
    _dir: tempfile::TempDir,
}

/// Where a gate keeps its state.
pub enum Backing<'a> {
    /// Its own local evidence log.
    Local,
    /// A PostgreSQL store shared with other replicas, with the redaction
    /// key file they share.
    Shared { url: &'a str, key: &'a Path },
}

impl Gate {
    pub fn start(bin: &Path) -> anyhow::Result<Gate> {
        Gate::start_on(bin, Backing::Local)
    }

    pub fn start_on(bin: &Path, backing: Backing) -> anyhow::Result<Gate> {
        if !bin.is_file() {
            bail!(
                "{} not found: build the gate first (cargo build --release -p clawlaw)",
                bin.display()
            );
        }
        let comps = components()?;
        let dir = tempfile::tempdir()?;
        let (store, key) = match backing {
            Backing::Local => (String::new(), String::new()),
            Backing::Shared { url, key } => (
                format!("[store]\nurl = {url:?}\n"),
                format!("redaction_key = {key:?}\n"),
            ),
        };
        let mut text = format!(
            "version = 1\n{store}[server]\nlisten = \"127.0.0.1:0\"\ndata_dir = {:?}\n{key}\n\
             [[auth.token]]\nname = \"bench\"\nrole = \"agent\"\ntoken = \"{TOKEN}\"\n",
            dir.path().join("data")
        );
        for name in POLICIES {
            text.push_str(&format!(
                "[[policy]]\npath = {:?}\n",
                component(&comps, name)
            ));
        }
        let config = dir.path().join("gate.toml");
        std::fs::write(&config, text)?;
        // The benches' compile cache: the first start compiles the
        // policies, the others load them. A gate's start is not what is
        // measured, and the cache checks what it loads.
        let cache = compile_cache();
        let mut child = Command::new(bin)
            .args(["serve", "--config"])
            .arg(&config)
            .env("CLAWLAW_CACHE_DIR", &cache)
            .env("RUST_LOG", "error")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("starting {}", bin.display()))?;
        let stdout = child.stdout.take().context("gate stdout")?;
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            if let Some(Ok(first)) = lines.next() {
                let _ = tx.send(first);
            }
            for _ in lines {}
        });
        let first = match rx.recv_timeout(Duration::from_secs(120)) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                bail!("the gate did not start within 120 s");
            }
        };
        let url = first
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .ok_or_else(|| anyhow!("no address in the gate's first line {first:?}"))?
            .to_string();
        Ok(Gate {
            child,
            url,
            _dir: dir,
        })
    }

    /// The gate process's id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The CPU time (user and system) the gate process has used so far.
    pub fn cpu_time(&self) -> anyhow::Result<Duration> {
        process_cpu_time(&format!("/proc/{}/stat", self.pid()))
    }

    pub fn open_session(&self, agent: &ureq::Agent, root: &str) -> anyhow::Result<String> {
        let body: Value = agent
            .post(&format!("{}/v1/sessions", self.url))
            .set("authorization", &format!("Bearer {TOKEN}"))
            .send_json(json!({"intent": "benchmark", "scope": {"roots": [root]}}))?
            .into_json()?;
        body["session_id"]
            .as_str()
            .map(String::from)
            .ok_or_else(|| anyhow!("no session_id in {body}"))
    }

    /// One evaluation; its verdict.
    pub fn evaluate(
        &self,
        agent: &ureq::Agent,
        session: &str,
        action: &Value,
    ) -> anyhow::Result<String> {
        let body: Value = agent
            .post(&format!("{}/v1/sessions/{session}/actions", self.url))
            .timeout(Duration::from_secs(10))
            .set("authorization", &format!("Bearer {TOKEN}"))
            .send_json(json!({ "action": action }))?
            .into_json()?;
        body["evaluation"]
            .as_str()
            .map(String::from)
            .ok_or_else(|| anyhow!("no evaluation in {body}"))
    }
}

/// A process's user plus system CPU time, from its `/proc/<pid>/stat`
/// (`utime` and `stime`, in clock ticks).
fn process_cpu_time(stat: &str) -> anyhow::Result<Duration> {
    let text = std::fs::read_to_string(stat).with_context(|| format!("reading {stat}"))?;
    let ticks = stat_cpu_ticks(&text).ok_or_else(|| anyhow!("no utime/stime in {stat}"))?;
    // SAFETY: sysconf only reads a system constant.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if per_second <= 0 {
        bail!("sysconf(_SC_CLK_TCK) failed");
    }
    Ok(Duration::from_secs_f64(ticks as f64 / per_second as f64))
}

/// `utime + stime` of a `/proc/<pid>/stat` line. The command name (field 2)
/// is in parentheses and may hold spaces, so fields are counted after its
/// closing parenthesis: `state` is the first there, `utime` the 12th.
fn stat_cpu_ticks(text: &str) -> Option<u64> {
    let rest = &text[text.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(utime + stime)
}

impl Drop for Gate {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_ticks_are_read_past_a_command_name_with_spaces() {
        let line = "4242 (clawlaw (x) y) S 1 4242 4242 0 -1 4194560 7000 0 0 0 \
                    150 25 0 0 20 0 9 0 12345 0 0";
        assert_eq!(stat_cpu_ticks(line), Some(175));
        assert_eq!(stat_cpu_ticks("4242 (truncated) S 1"), None);
    }

    #[test]
    fn this_process_has_used_some_cpu() {
        let spin = std::time::Instant::now();
        while spin.elapsed() < Duration::from_millis(30) {
            std::hint::black_box(spin.elapsed());
        }
        assert!(process_cpu_time("/proc/self/stat").unwrap() > Duration::ZERO);
    }
}
