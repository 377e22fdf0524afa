//! The tokens `clawlaw serve` generates when none are configured are saved
//! where the agent does not work: a per-user state directory (0700), in a
//! file only the owner can read (0600), never in the data directory.

use crate::common;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Kills the gate when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[cfg(unix)]
#[test]
fn generated_tokens_are_saved_owner_only_outside_the_data_dir() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir
        .path()
        .join("workspace")
        .join("target")
        .join("clawlaw-data");
    let state = dir.path().join("state");
    // A state directory others could list is narrowed, not trusted as is.
    std::fs::create_dir_all(state.join("clawlaw")).unwrap();
    std::fs::set_permissions(
        state.join("clawlaw"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    let config = dir.path().join("gate.toml");
    std::fs::write(
        &config,
        format!(
            "version = 1\n[server]\nlisten = \"127.0.0.1:0\"\ndata_dir = {:?}\n[[policy]]\npath = {:?}\n",
            data,
            common::component("fs-boundary")
        ),
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_clawlaw"))
        .args(["serve", "--config"])
        .arg(&config)
        .env("CLAWLAW_CACHE_DIR", common::cache_dir())
        .env("XDG_STATE_HOME", &state)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let _gate = Running(child);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let _ = tx.send(line);
        }
    });
    let mut banner: Vec<String> = Vec::new();
    let mut url = None;
    let mut printed = None;
    // Up to the last token shown.
    while !banner.iter().any(|l| l.trim_start().starts_with("admin ")) {
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("the gate's banner is incomplete: {banner:?}"));
        if let Some(rest) = line.strip_prefix("clawlaw gate listening on ") {
            url = rest.split_whitespace().next().map(String::from);
        }
        if let Some(path) = line.strip_prefix("tokens file: ") {
            printed = Some(PathBuf::from(path));
        }
        banner.push(line);
    }
    let url = url.unwrap();
    let port = url.rsplit(':').next().unwrap();

    let expected = state.join("clawlaw").join(format!("tokens-{port}.json"));
    assert_eq!(printed.as_ref(), Some(&expected), "{banner:?}");
    assert!(!expected.starts_with(&data));
    assert!(
        !data.join("tokens.json").exists(),
        "nothing in the data dir"
    );
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&expected), 0o600);
    assert_eq!(mode(&state.join("clawlaw")), 0o700);
    let leftovers: Vec<_> = std::fs::read_dir(state.join("clawlaw"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "no temporary file left: {leftovers:?}");

    // The saved tokens are the gate's: each works for its role.
    let tokens: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&expected).unwrap()).unwrap();
    for role in ["agent", "reviewer", "admin"] {
        let token = tokens[role].as_str().unwrap();
        assert!(banner.iter().any(|l| l.contains(token)), "{role} shown too");
    }
    let get = |token: &str| match ureq::get(&format!("{url}/v1/policies"))
        .set("authorization", &format!("Bearer {token}"))
        .call()
    {
        Ok(r) => r.status(),
        Err(ureq::Error::Status(code, _)) => code,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(get(tokens["reviewer"].as_str().unwrap()), 200);
    assert_eq!(get("claw_reviewer_not-the-token"), 401);
}
