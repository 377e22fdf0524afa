//! A real `clawlaw serve` on a free loopback port, with its own data
//! directory and tokens, stopped when dropped.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub const AGENT: &str = "agent-token-0123456789abcdef";
pub const REVIEWER: &str = "reviewer-token-0123456789abcdef";
pub const ADMIN: &str = "admin-token-0123456789abcdef";

pub struct Server {
    child: Option<Child>,
    pub url: String,
    pub config: PathBuf,
    pub data_dir: PathBuf,
}

/// A `shell.exec` of `cmd` in /work/app, as the Bash tool proposes it.
pub fn shell(cmd: &str) -> Value {
    json!({"kind": "shell.exec", "tool": "Bash", "command": cmd, "cwd": "/work/app", "input": {"command": cmd}})
}

/// A test gate on the bundled policies with `extra` TOML sections, in a
/// scratch directory dropped with it.
pub fn gate(extra: &str) -> (Server, tempfile::TempDir) {
    gate_with_env(extra, &[])
}

/// The same, with environment variables for the gate process.
pub fn gate_with_env(extra: &str, env: &[(&str, &str)]) -> (Server, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), extra);
    (Server::start_with_env(&config, env), dir)
}

/// The config of a test gate: the bundled policies, inline tokens, and
/// `extra` TOML sections appended.
pub fn config(dir: &Path, extra: &str) -> PathBuf {
    let comps = super::components_dir();
    let mut text = format!(
        "version = 1\n{extra}\n[server]\nlisten = \"127.0.0.1:0\"\ndata_dir = {:?}\n\n\
         [[auth.token]]\nname = \"claude\"\nrole = \"agent\"\ntoken = \"{AGENT}\"\n\
         [[auth.token]]\nname = \"alice\"\nrole = \"reviewer\"\ntoken = \"{REVIEWER}\"\n\
         [[auth.token]]\nname = \"ops\"\nrole = \"admin\"\ntoken = \"{ADMIN}\"\n",
        dir.join("data")
    );
    for name in [
        "fs-boundary",
        "shell-guard",
        "secrets-guard",
        "exfiltration",
    ] {
        text.push_str(&format!(
            "[[policy]]\npath = {:?}\n",
            comps.join(format!("{}.wasm", name.replace('-', "_")))
        ));
    }
    let path = dir.join("gate.toml");
    std::fs::write(&path, text).unwrap();
    path
}

impl Server {
    /// Starts the gate on `config` and waits until it listens.
    pub fn start(config: &Path) -> Server {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_clawlaw"));
        cmd.args(["serve", "--config"]).arg(config);
        Server::spawn(cmd, config)
    }

    /// Starts the gate with its data directory on a `kib` KiB tmpfs of its
    /// own (in a private mount namespace, gone when the gate exits), so the
    /// evidence log fills the disk after a few records.
    /// Starts a gate with extra environment variables (secrets named by
    /// the config's `*_env` fields).
    pub fn start_with_env(config: &Path, env: &[(&str, &str)]) -> Server {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_clawlaw"));
        cmd.args(["serve", "--config"]).arg(config);
        for (k, v) in env {
            cmd.env(k, v);
        }
        Server::spawn(cmd, config)
    }

    pub fn start_on_small_disk(config: &Path, kib: u64) -> Server {
        let data = config.parent().unwrap().join("data");
        std::fs::create_dir_all(&data).unwrap();
        let mut cmd = Command::new("unshare");
        cmd.args(["--mount", "--propagation", "private", "bash", "-c"])
            .arg(format!("mount -t tmpfs -o size={kib}k clawlaw-test \"$1\" && exec \"$0\" serve --config \"$2\""))
            .arg(env!("CARGO_BIN_EXE_clawlaw"))
            .arg(&data)
            .arg(config);
        Server::spawn(cmd, config)
    }

    /// Starts the gate `cmd` runs (which must print the banner first).
    pub fn spawn(mut cmd: Command, config: &Path) -> Server {
        let data_dir = config.parent().unwrap().join("data");
        let mut child = cmd
            .env("CLAWLAW_CACHE_DIR", super::cache_dir())
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("starting clawlaw serve");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            if let Some(Ok(first)) = lines.next() {
                let _ = tx.send(first);
            }
            for _ in lines {}
        });
        let first = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the gate did not start within 60 s");
        let url = first
            .split_whitespace()
            .find(|w| w.starts_with("http://") || w.starts_with("https://"))
            .unwrap_or_else(|| panic!("no address in {first:?}"))
            .to_string();
        Server {
            child: Some(child),
            url,
            config: config.to_path_buf(),
            data_dir,
        }
    }

    /// The gate's process id.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("running").id()
    }

    pub fn evidence_dir(&self) -> PathBuf {
        self.data_dir.join("evidence")
    }

    /// SIGKILL, no chance to flush.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Sends a signal (`HUP`, `TERM`...) to the gate.
    pub fn signal(&self, name: &str) {
        let pid = self.child.as_ref().expect("running").id();
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(pid.to_string())
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// SIGTERM, then wait for the graceful exit.
    pub fn stop(&mut self) -> i32 {
        let Some(mut c) = self.child.take() else {
            return -1;
        };
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(c.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = c.try_wait() {
                return status.code().unwrap_or(-1);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = c.kill();
        -1
    }

    pub fn get(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        let mut req = ureq::get(&format!("{}{path}", self.url)).timeout(Duration::from_secs(30));
        if let Some(t) = token {
            req = req.set("authorization", &format!("Bearer {t}"));
        }
        response(req.call())
    }

    /// Sends only the headers of a POST announcing `length` bytes of body;
    /// returns the status line the gate answers with.
    pub fn post_announcing(&self, path: &str, token: &str, length: usize) -> String {
        use std::io::{Read, Write};
        let addr = self.url.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        write!(
            stream,
            "POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
        )
        .unwrap();
        let mut buf = [0u8; 256];
        let n = stream.read(&mut buf).unwrap_or(0);
        String::from_utf8_lossy(&buf[..n])
            .lines()
            .next()
            .unwrap_or("")
            .to_string()
    }

    pub fn post(&self, path: &str, token: Option<&str>, body: &Value) -> (u16, Value) {
        self.post_raw(path, token, "application/json", &body.to_string())
    }

    pub fn post_raw(
        &self,
        path: &str,
        token: Option<&str>,
        content_type: &str,
        body: &str,
    ) -> (u16, Value) {
        let mut req = ureq::post(&format!("{}{path}", self.url))
            .timeout(Duration::from_secs(30))
            .set("content-type", content_type);
        if let Some(t) = token {
            req = req.set("authorization", &format!("Bearer {t}"));
        }
        response(req.send_string(body))
    }

    /// POSTs a JSON body with one extra header (e.g. a webhook's secret).
    pub fn post_raw_with_header(
        &self,
        path: &str,
        header: &str,
        value: &str,
        body: &str,
    ) -> (u16, Value) {
        let req = ureq::post(&format!("{}{path}", self.url))
            .timeout(Duration::from_secs(30))
            .set("content-type", "application/json")
            .set(header, value);
        response(req.send_string(body))
    }

    /// Opens a session as the agent; returns its id.
    pub fn open_session(&self, declaration: Value) -> String {
        let (status, body) = self.post("/v1/sessions", Some(AGENT), &declaration);
        assert_eq!(status, 201, "{body}");
        body["session_id"].as_str().unwrap().to_string()
    }

    /// The Prometheus text the gate exports.
    pub fn metrics(&self) -> String {
        ureq::get(&format!("{}/metrics", self.url))
            .call()
            .unwrap()
            .into_string()
            .unwrap()
    }

    /// Evaluates an action as the agent.
    pub fn evaluate(&self, session: &str, action: Value) -> (u16, Value) {
        self.post(
            &format!("/v1/sessions/{session}/actions"),
            Some(AGENT),
            &serde_json::json!({ "action": action }),
        )
    }
}

/// Evaluates an action as the agent against the gate at `url`, from any
/// thread (client loops use it); a transport failure or an error status is
/// an `Err` saying which.
pub fn evaluate_at(url: &str, session: &str, action: Value) -> Result<Value, String> {
    let body = serde_json::json!({ "action": action });
    let resp = ureq::post(&format!("{url}/v1/sessions/{session}/actions"))
        .timeout(Duration::from_secs(10))
        .set("authorization", &format!("Bearer {AGENT}"))
        .set("content-type", "application/json")
        .send_string(&body.to_string())
        .map_err(|e| e.to_string())?;
    resp.into_json::<Value>().map_err(|e| e.to_string())
}

/// Policy limits for [`reloads_under_load`]: a deadline long enough that a
/// policy starved of CPU by a reload's compilation still answers (a
/// deadline hit would be a fail-closed DENY, correct but not what is
/// tested there).
pub const UNDER_LOAD_LIMITS: &str = "[limits]\ndeadline_ms = 10000\n";

/// Runs `rounds` reloads, each made by `reload(i)` (which changes the
/// source and asks for a reload, returning the answer), while `clients`
/// threads evaluate a harmless action as fast as they can (at most 5,000
/// each). Every reload must swap; every answer must have come back, be
/// ALLOW from a complete set of `policy_count` policies, and be from a set
/// that served. Returns those set versions, the first one included.
///
/// The gate's config should carry [`UNDER_LOAD_LIMITS`]: the reloads
/// compile components on the same cores the clients and the gate use, and
/// what this checks is that no request is dropped or answered by a torn
/// set, not how fast a starved machine answers.
pub fn reloads_under_load(
    server: &Server,
    clients: usize,
    policy_count: usize,
    rounds: usize,
    mut reload: impl FnMut(usize) -> (u16, Value),
) -> HashSet<String> {
    let session = server.open_session(serde_json::json!({}));
    let stop = AtomicBool::new(false);
    let set_version = |v: &Value| v["policy_set"].as_str().unwrap().to_string();
    std::thread::scope(|s| {
        let clients: Vec<_> = (0..clients)
            .map(|_| {
                s.spawn(|| {
                    let mut answers = Vec::new();
                    while answers.len() < 5000 && !stop.load(Ordering::Relaxed) {
                        let action = serde_json::json!({"kind": "shell.exec", "command": "cargo test", "cwd": "/work/app"});
                        answers.push(
                            evaluate_at(&server.url, &session, action)
                                .expect("no evaluation may fail during a reload"),
                        );
                    }
                    answers
                })
            })
            .collect();
        let (status, first) = server.get("/v1/policies", Some(REVIEWER));
        assert_eq!(status, 200, "{first}");
        let mut sets = HashSet::from([set_version(&first)]);
        for i in 0..rounds {
            let (status, report) = reload(i);
            assert_eq!(status, 200, "reload {i}: {report}");
            assert_eq!(report["outcome"], "swapped", "reload {i}: {report}");
            sets.insert(set_version(&report));
        }
        stop.store(true, Ordering::Relaxed);
        let mut total = 0;
        for client in clients {
            for answer in client.join().unwrap() {
                total += 1;
                assert_eq!(answer["evaluation"], "ALLOW", "{answer}");
                assert_eq!(
                    answer["policies"].as_array().unwrap().len(),
                    policy_count,
                    "a complete set: {answer}"
                );
                let set = answer["policy_set"].as_str().unwrap();
                assert!(sets.contains(set), "from a set that served: {answer}");
            }
        }
        assert!(total > 0, "the clients got answers");
        sets
    })
}

fn response(r: Result<ureq::Response, ureq::Error>) -> (u16, Value) {
    let resp = match r {
        Ok(resp) => resp,
        Err(ureq::Error::Status(_, resp)) => resp,
        Err(e) => panic!("request failed: {e}"),
    };
    let status = resp.status();
    let text = resp.into_string().unwrap_or_default();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Runs `clawlaw` with `args`; returns (exit code, stdout).
pub fn clawlaw(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_clawlaw"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}
