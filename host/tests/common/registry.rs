//! A real OCI registry for tests: the CNCF distribution registry from
//! Debian (`/usr/bin/docker-registry`), on a free 127.0.0.1 port, storage in
//! a temporary directory, optionally with htpasswd basic auth; stopped when
//! dropped. Also a fake "registry" that answers garbage.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BINARY: &str = "/usr/bin/docker-registry";

pub struct TestRegistry {
    child: Option<Child>,
    pub host: String,
    dir: tempfile::TempDir,
}

impl TestRegistry {
    /// An anonymous registry.
    pub fn start() -> TestRegistry {
        TestRegistry::start_with(None)
    }

    /// A registry that requires basic auth as `user`/`password`.
    pub fn start_with_auth(user: &str, password: &str) -> TestRegistry {
        TestRegistry::start_with(Some((user, password)))
    }

    fn start_with(auth: Option<(&str, &str)>) -> TestRegistry {
        assert!(
            Path::new(BINARY).exists(),
            "{BINARY} is missing: apt-get install -y docker-registry (.ci/run does)"
        );
        let dir = tempfile::tempdir().unwrap();
        let host = format!("127.0.0.1:{}", super::free_port());
        let mut config = format!(
            "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: {host}\n",
            dir.path().join("storage").display()
        );
        if let Some((user, password)) = auth {
            let out = Command::new("htpasswd")
                .args(["-Bbn", user, password])
                .output()
                .expect("htpasswd (apt-get install -y apache2-utils)");
            assert!(out.status.success());
            let file = dir.path().join("htpasswd");
            std::fs::write(&file, out.stdout).unwrap();
            config.push_str(&format!(
                "auth:\n  htpasswd:\n    realm: clawlaw-test\n    path: {}\n",
                file.display()
            ));
        }
        std::fs::write(dir.path().join("config.yml"), config).unwrap();
        let mut r = TestRegistry {
            child: None,
            host,
            dir,
        };
        r.restart();
        r
    }

    /// Starts (again) on the same port and storage.
    pub fn restart(&mut self) {
        let child = Command::new(BINARY)
            .arg("serve")
            .arg(self.dir.path().join("config.yml"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting docker-registry");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(&self.host).is_err() {
            assert!(Instant::now() < deadline, "the registry did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// `oci://<host>/<repo>:<tag>`.
    pub fn reference(&self, repo_tag: &str) -> String {
        format!("oci://{}/{repo_tag}", self.host)
    }

    /// Where the registry keeps blob `digest` on disk (to tamper with it).
    pub fn blob_file(&self, digest: &str) -> PathBuf {
        let hex = digest.trim_start_matches("sha256:");
        self.dir
            .path()
            .join("storage/docker/registry/v2/blobs/sha256")
            .join(&hex[..2])
            .join(hex)
            .join("data")
    }
}

impl Drop for TestRegistry {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A server on 127.0.0.1 that is not a registry, for `bound` connections,
/// then stops: it answers garbage, or nothing at all.
pub struct FakeRegistry {
    pub host: String,
}

impl FakeRegistry {
    /// Answers every HTTP request with 200 and a body that is not JSON.
    pub fn garbage(bound: usize) -> FakeRegistry {
        FakeRegistry::start(bound, |mut s| {
            let body = "\u{fffd}\u{0}<html>not a registry</html>";
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        })
    }

    /// Accepts connections, reads the requests and never answers; each
    /// connection is held until the client gives up (or 60 s pass).
    pub fn silent(bound: usize) -> FakeRegistry {
        FakeRegistry::start(bound, |mut s| {
            std::thread::spawn(move || {
                let _ = s.set_read_timeout(Some(Duration::from_secs(60)));
                let mut buf = [0u8; 4096];
                while matches!(s.read(&mut buf), Ok(n) if n > 0) {}
            });
        })
    }

    fn start(bound: usize, answer: fn(TcpStream)) -> FakeRegistry {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let host = listener.local_addr().unwrap().to_string();
        std::thread::spawn(move || {
            for stream in listener.incoming().take(bound) {
                let Ok(mut s) = stream else { continue };
                let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
                let mut buf = [0u8; 4096];
                let _ = s.read(&mut buf);
                answer(s);
            }
        });
        FakeRegistry { host }
    }
}

/// The raw manifest (or index) at `reference` (`oci://` optional), as
/// skopeo, another client than ours, reads it from the registry.
pub fn skopeo_raw(reference: &str) -> serde_json::Value {
    let out = Command::new("skopeo")
        .args(["inspect", "--raw", "--tls-verify=false"])
        .arg(format!(
            "docker://{}",
            reference.trim_start_matches("oci://")
        ))
        .output()
        .expect("skopeo (apt-get install -y skopeo)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}
