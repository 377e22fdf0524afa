//! Policies as signed OCI artifacts, end to end against a real registry
//! (Debian's `docker-registry`, the CNCF distribution registry): push, sign,
//! verify and pull from the CLI (checked with skopeo as an independent
//! client); the gate loading `oci://` references, verifying before
//! compiling, swapping on poll and on webhook, refusing what it must, and
//! restarting from its verified store with the registry down.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::registry::{FakeRegistry, TestRegistry, skopeo_raw};
use common::server::{ADMIN, REVIEWER, Server, UNDER_LOAD_LIMITS, config, reloads_under_load};
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery staple";
const SECRET: &str = "webhook-shared-secret-0123";

/// Runs the CLI with the key password set; (exit code, stdout, stderr).
fn cli(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_clawlaw"));
    cmd.args(args)
        .env("CLAWLAW_KEY_PASSWORD", PASSWORD)
        .env_remove("COSIGN_PASSWORD")
        .env_remove("CLAWLAW_REGISTRY_USERNAME")
        .env_remove("CLAWLAW_REGISTRY_PASSWORD");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("running clawlaw");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Generates a key pair `<name>.key`/`<name>.pub` in `dir`.
fn keypair(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let d = dir.to_str().unwrap();
    let (code, out, err) = cli(&["key", "generate", "--output-dir", d, "--name", name], &[]);
    assert_eq!(code, 0, "{out}{err}");
    (
        dir.join(format!("{name}.key")),
        dir.join(format!("{name}.pub")),
    )
}

/// The hostile test policy (mode `ok` allows everything) at `version`:
/// the compiled component with its version bytes patched.
fn hostile_at(dir: &Path, version: &str) -> PathBuf {
    let marker = b"CLAWLAW_TEST_VERSION=0.1.0";
    let mut bytes = std::fs::read(common::component("hostile-policy")).unwrap();
    let at = bytes
        .windows(marker.len())
        .position(|w| w == marker)
        .expect("the version marker is in the component");
    assert_eq!(version.len(), 5, "same length as 0.1.0");
    bytes[at + marker.len() - 5..at + marker.len()].copy_from_slice(version.as_bytes());
    let path = dir.join(format!("hostile-{version}.wasm"));
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Pushes (and with `key`, signs) a component; returns the manifest digest.
fn push(component: &Path, reference: &str, key: Option<&Path>) -> String {
    let mut args = vec![
        "policy",
        "push",
        component.to_str().unwrap(),
        reference,
        "--insecure",
    ];
    if let Some(k) = key {
        args.extend(["--sign", "--key", k.to_str().unwrap()]);
    }
    let (code, out, err) = cli(&args, &[]);
    assert_eq!(code, 0, "push {reference}: {out}{err}");
    out.lines()
        .find_map(|l| l.strip_prefix("digest: "))
        .unwrap_or_else(|| panic!("no digest in {out}"))
        .trim()
        .to_string()
}

/// A gate config with one registry policy and the trusted `keys`.
fn gate_config(
    dir: &Path,
    registry_host: &str,
    reference: &str,
    keys: &[&Path],
    extra: &str,
) -> PathBuf {
    let keys: Vec<String> = keys.iter().map(|k| format!("{:?}", k)).collect();
    config(
        dir,
        &format!(
            "{extra}\n[[registry]]\nhost = \"{registry_host}\"\ninsecure = true\n\n\
             [trust]\nkeys = [{}]\n\n\
             [[policy]]\noci = \"{reference}\"\nsettings = {{ mode = \"ok\" }}\n",
            keys.join(", ")
        ),
    )
}

/// A registry holding the hostile test policy under one tag, pushed and
/// signed at a first version, with the key pair the gate trusts.
struct Published {
    registry: TestRegistry,
    dir: tempfile::TempDir,
    key: PathBuf,
    public: PathBuf,
    reference: String,
}

impl Published {
    fn new(first_version: &str) -> Published {
        let registry = TestRegistry::start();
        let dir = tempfile::tempdir().unwrap();
        let (key, public) = keypair(dir.path(), "ci");
        let reference = registry.reference("clawlaw/hostile:stable");
        let published = Published {
            registry,
            dir,
            key,
            public,
            reference,
        };
        published.push(first_version, true);
        published
    }

    /// Pushes the policy at `version` under the tag, signed or not;
    /// returns the manifest digest.
    fn push(&self, version: &str, signed: bool) -> String {
        let key = signed.then_some(self.key.as_path());
        push(&hostile_at(self.dir.path(), version), &self.reference, key)
    }

    /// A gate config that loads the tag and trusts the key, with `extra`.
    fn gate_config(&self, extra: &str) -> PathBuf {
        let host = &self.registry.host;
        gate_config(
            self.dir.path(),
            host,
            &self.reference,
            &[&self.public],
            extra,
        )
    }
}

fn policies(server: &Server) -> Value {
    let (status, body) = server.get("/v1/policies", Some(REVIEWER));
    assert_eq!(status, 200, "{body}");
    body
}

fn hostile_version(server: &Server) -> String {
    policies(server)["policies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "hostile")
        .map(|p| p["version"].as_str().unwrap().to_string())
        .unwrap_or_default()
}

fn wait_for(what: &str, limit: Duration, mut f: impl FnMut() -> bool) -> Duration {
    let started = Instant::now();
    while !f() {
        assert!(started.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
    started.elapsed()
}

fn reload(server: &Server) -> (u16, Value) {
    server.post("/v1/admin/reload", Some(ADMIN), &json!({}))
}

fn allowed(server: &Server, session: &str) -> Value {
    let (status, answer) = server.evaluate(
        session,
        json!({"kind": "shell.exec", "command": "cargo test", "cwd": "/work/app"}),
    );
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["evaluation"], "ALLOW", "{answer}");
    answer
}

#[test]
fn push_sign_verify_pull_as_cli_and_skopeo_read_it() {
    let registry = TestRegistry::start();
    let dir = tempfile::tempdir().unwrap();
    let (key, public) = keypair(dir.path(), "ci");
    let (_, other_public) = keypair(dir.path(), "other");
    let pem = std::fs::read_to_string(&key).unwrap();
    assert!(pem.contains("ENCRYPTED SIGSTORE PRIVATE KEY"), "{pem}");
    let (code, _, err) = cli(
        &[
            "key",
            "generate",
            "--output-dir",
            dir.path().to_str().unwrap(),
            "--name",
            "ci",
        ],
        &[],
    );
    assert_ne!(code, 0);
    assert!(err.contains("already exists"), "{err}");

    let component = hostile_at(dir.path(), "0.1.0");
    let reference = registry.reference("clawlaw/hostile:0.1.0");
    let digest = push(&component, &reference, Some(&key));

    // An independent client reads the CNCF Wasm layout.
    let manifest = skopeo_raw(&reference);
    assert_eq!(
        manifest["config"]["mediaType"],
        "application/vnd.wasm.config.v0+json"
    );
    assert_eq!(manifest["layers"].as_array().unwrap().len(), 1);
    assert_eq!(manifest["layers"][0]["mediaType"], "application/wasm");
    let annotations = &manifest["annotations"];
    assert_eq!(annotations["org.opencontainers.image.title"], "hostile");
    assert_eq!(annotations["org.opencontainers.image.version"], "0.1.0");
    assert!(annotations["org.opencontainers.image.created"].is_string());
    let sig = skopeo_raw(
        &registry.reference(&format!("clawlaw/hostile:{}.sig", digest.replace(':', "-"))),
    );
    assert_eq!(
        sig["layers"][0]["mediaType"],
        "application/vnd.dev.cosign.simplesigning.v1+json"
    );
    assert!(sig["layers"][0]["annotations"]["dev.cosignproject.cosign/signature"].is_string());

    let pubkey = public.to_str().unwrap();
    let (code, out, err) = cli(
        &[
            "policy",
            "verify",
            &reference,
            "--key",
            pubkey,
            "--insecure",
        ],
        &[],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains(&digest) && out.contains("ci.pub"), "{out}");
    let (code, _, err) = cli(
        &[
            "policy",
            "verify",
            &reference,
            "--key",
            other_public.to_str().unwrap(),
            "--insecure",
        ],
        &[],
    );
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("untrusted") && err.contains("none of the trusted keys"),
        "{err}"
    );
    // Both keys required, one signed.
    let (code, _, err) = cli(
        &[
            "policy",
            "verify",
            &reference,
            "--key",
            pubkey,
            "--key",
            other_public.to_str().unwrap(),
            "--threshold",
            "2",
            "--insecure",
        ],
        &[],
    );
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("1 of the required 2"), "{err}");

    // Pull by tag and by digest, verified, gives back the same bytes.
    for r in [
        reference.clone(),
        format!(
            "{}/clawlaw/hostile@{digest}",
            registry.reference("").trim_end_matches('/')
        ),
    ] {
        let out_file = dir.path().join("pulled.wasm");
        let (code, out, err) = cli(
            &[
                "policy",
                "pull",
                &r,
                "-o",
                out_file.to_str().unwrap(),
                "--key",
                pubkey,
                "--insecure",
            ],
            &[],
        );
        assert_eq!(code, 0, "{out}{err}");
        assert_eq!(
            std::fs::read(&out_file).unwrap(),
            std::fs::read(&component).unwrap()
        );
    }

    // Unsigned: verify and a verified pull refuse it; nothing is written.
    let unsigned = registry.reference("clawlaw/hostile:unsigned");
    push(&component, &unsigned, None);
    let (code, _, err) = cli(
        &["policy", "verify", &unsigned, "--key", pubkey, "--insecure"],
        &[],
    );
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("unsigned"), "{err}");
    let never = dir.path().join("never.wasm");
    let (code, _, _) = cli(
        &[
            "policy",
            "pull",
            &unsigned,
            "-o",
            never.to_str().unwrap(),
            "--key",
            pubkey,
            "--insecure",
        ],
        &[],
    );
    assert_eq!(code, 3);
    assert!(!never.exists());
    // Signing afterwards makes it verify.
    let (code, out, err) = cli(
        &[
            "policy",
            "sign",
            &unsigned,
            "--key",
            key.to_str().unwrap(),
            "--insecure",
        ],
        &[],
    );
    assert_eq!(code, 0, "{out}{err}");
    let (code, _, err) = cli(
        &["policy", "verify", &unsigned, "--key", pubkey, "--insecure"],
        &[],
    );
    assert_eq!(code, 0, "{err}");

    // A wrong password, a bad reference, a component that is not a policy.
    let (code, _, err) = cli(
        &[
            "policy",
            "sign",
            &unsigned,
            "--key",
            key.to_str().unwrap(),
            "--insecure",
        ],
        &[("CLAWLAW_KEY_PASSWORD", "wrong")],
    );
    assert_eq!(code, 1);
    assert!(err.contains("wrong password"), "{err}");
    let (code, _, err) = cli(&["policy", "verify", "not-a-ref", "--key", pubkey], &[]);
    assert_eq!(code, 2);
    assert!(err.contains("expected oci://"), "{err}");
    let junk = dir.path().join("junk.wasm");
    std::fs::write(&junk, b"\0asm junk").unwrap();
    let (code, _, err) = cli(
        &[
            "policy",
            "push",
            junk.to_str().unwrap(),
            &reference,
            "--insecure",
        ],
        &[],
    );
    assert_eq!(code, 2);
    assert!(err.contains("not a clawlaw policy component"), "{err}");
}

#[test]
fn basic_auth_from_the_environment_and_from_the_gate_config() {
    let registry = TestRegistry::start_with_auth("ci", "registry-pass");
    let dir = tempfile::tempdir().unwrap();
    let (key, public) = keypair(dir.path(), "ci");
    let component = hostile_at(dir.path(), "0.1.0");
    let reference = registry.reference("clawlaw/hostile:stable");
    let args = [
        "policy",
        "push",
        component.to_str().unwrap(),
        reference.as_str(),
        "--insecure",
        "--sign",
        "--key",
        key.to_str().unwrap(),
    ];
    let (code, _, err) = cli(&args, &[]);
    assert_eq!(code, 1);
    assert!(
        err.contains("refused the credentials") || err.contains("401"),
        "{err}"
    );
    let (code, out, err) = cli(
        &args,
        &[
            ("CLAWLAW_REGISTRY_USERNAME", "ci"),
            ("CLAWLAW_REGISTRY_PASSWORD", "wrong"),
        ],
    );
    assert_eq!(code, 1, "{out}");
    assert!(
        err.contains("refused the credentials") || err.contains("401"),
        "{err}"
    );
    let (code, out, err) = cli(
        &args,
        &[
            ("CLAWLAW_REGISTRY_USERNAME", "ci"),
            ("CLAWLAW_REGISTRY_PASSWORD", "registry-pass"),
        ],
    );
    assert_eq!(code, 0, "{out}{err}");

    let gate_dir = tempfile::tempdir().unwrap();
    let cfg = config(
        gate_dir.path(),
        &format!(
            "[[registry]]\nhost = \"{}\"\ninsecure = true\nusername = \"ci\"\npassword_env = \"REGISTRY_PASSWORD\"\n\n\
             [trust]\nkeys = [{:?}]\n\n[[policy]]\noci = \"{reference}\"\nsettings = {{ mode = \"ok\" }}\n",
            registry.host, public
        ),
    );
    let server = Server::start_with_env(&cfg, &[("REGISTRY_PASSWORD", "registry-pass")]);
    assert_eq!(hostile_version(&server), "0.1.0");
}

#[test]
fn governance_guard_denies_writes_to_the_repository_the_gate_pulls_from() {
    // The gate tells governance-guard (a local component here, with empty
    // settings) where its registry policy comes from.
    let published = Published::new("0.1.0");
    let gov = common::component("governance-guard");
    let cfg = published.gate_config(&format!("[[policy]]\npath = {gov:?}\n"));
    let server = Server::start(&cfg);
    let session = server.open_session(json!({}));
    let repository = format!("{}/clawlaw/hostile", published.registry.host);
    let decide = |command: String| {
        let (status, answer) = server.evaluate(
            &session,
            json!({"kind": "shell.exec", "tool": "Bash", "command": command, "cwd": "/work/app"}),
        );
        assert_eq!(status, 200, "{answer}");
        answer
    };
    for command in [
        format!("oras push {repository}:stable evil.wasm:application/wasm"),
        format!("cosign sign --key stolen.key {repository}:stable"),
        format!("crane copy ghcr.io/me/allow-all:1 {repository}:stable"),
    ] {
        let answer = decide(command.clone());
        assert_eq!(answer["evaluation"], "DENY", "{command}: {answer}");
        assert!(
            answer["rules"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r.as_str().unwrap().ends_with("governance.gate-files")),
            "{command}: {answer}"
        );
    }
    // Reading it, and pushing elsewhere on the same registry (which
    // shell-guard escalates as a publish), are not governance-guard's.
    for command in [
        format!("oras pull {repository}:stable"),
        format!("oras push {}/team/app:1 app.wasm", published.registry.host),
    ] {
        let answer = decide(command.clone());
        let gov = answer["policies"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "governance-guard")
            .unwrap_or_else(|| panic!("{answer}"));
        assert_eq!(gov["verdict"], "ALLOW", "{command}: {answer}");
    }
}

#[test]
fn the_gate_loads_a_signed_policy_and_swaps_on_poll_and_on_webhook() {
    let published = Published::new("0.1.0");
    let cfg =
        published.gate_config("[reload]\npoll_secs = 1\nwebhook_secret_env = \"HOOK_SECRET\"\n");
    let server = Server::start_with_env(&cfg, &[("HOOK_SECRET", SECRET)]);
    let listed = policies(&server);
    let hostile = listed["policies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "hostile")
        .unwrap()
        .clone();
    assert!(
        hostile["source"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{}@sha256:", published.reference)),
        "{hostile}"
    );
    let session = server.open_session(json!({}));
    let first = allowed(&server, &session);

    // v0.2.0 is picked up by polling the tag.
    published.push("0.2.0", true);
    let took = wait_for("the poll to swap in 0.2.0", Duration::from_secs(30), || {
        hostile_version(&server) == "0.2.0"
    });
    eprintln!(
        "push -> serving, by poll (1 s interval): {} ms",
        took.as_millis()
    );
    assert_eq!(policies(&server)["last_reload"]["trigger"], "poll");
    let second = allowed(&server, &session);

    // v0.3.0 at once on the registry's webhook.
    published.push("0.3.0", true);
    let payload = json!({
        "type": "PUSH_ARTIFACT",
        "occur_at": 1_763_856_000,
        "operator": "ci",
        "event_data": {
            "resources": [{"digest": "sha256:x", "tag": "stable", "resource_url": format!("{}/clawlaw/hostile:stable", published.registry.host)}],
            "repository": {"name": "hostile", "namespace": "clawlaw", "repo_full_name": "clawlaw/hostile", "repo_type": "private"}
        }
    });
    let started = Instant::now();
    let (status, body) = server.post_raw_with_header(
        "/v1/webhooks/registry",
        "authorization",
        SECRET,
        &payload.to_string(),
    );
    assert_eq!(status, 202, "{body}");
    wait_for(
        "the webhook to swap in 0.3.0",
        Duration::from_secs(10),
        || hostile_version(&server) == "0.3.0",
    );
    eprintln!("webhook -> serving: {} ms", started.elapsed().as_millis());
    let third = allowed(&server, &session);

    // The evidence names each version's digest and set.
    let (_, records) = server.get(&format!("/v1/sessions/{session}/evidence"), Some(REVIEWER));
    let versions: Vec<String> = records
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["policy_matched"]["policies"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["name"] == "hostile")
                .map(|p| {
                    format!(
                        "{}@{}",
                        p["version"].as_str().unwrap(),
                        &p["digest"].as_str().unwrap()[..15]
                    )
                })
                .unwrap()
        })
        .collect();
    assert_eq!(versions.len(), 3);
    assert!(
        versions[0].starts_with("0.1.0@sha256:")
            && versions[1].starts_with("0.2.0@")
            && versions[2].starts_with("0.3.0@"),
        "{versions:?}"
    );
    let sets: std::collections::HashSet<&str> = [&first, &second, &third]
        .iter()
        .map(|a| a["policy_set"].as_str().unwrap())
        .collect();
    assert_eq!(sets.len(), 3);

    // The webhook: wrong secret, garbage, another repository, another event.
    let (status, _) = server.post_raw_with_header(
        "/v1/webhooks/registry",
        "authorization",
        "nope",
        &payload.to_string(),
    );
    assert_eq!(status, 401);
    let (status, body) = server.post_raw_with_header(
        "/v1/webhooks/registry",
        "authorization",
        SECRET,
        "{not json",
    );
    assert_eq!(status, 400, "{body}");
    let mut other = payload.clone();
    other["event_data"]["repository"]["repo_full_name"] = json!("someone/else");
    let (status, body) = server.post_raw_with_header(
        "/v1/webhooks/registry",
        "authorization",
        SECRET,
        &other.to_string(),
    );
    assert_eq!(status, 200);
    assert!(
        body["ignored"].as_str().unwrap().contains("someone/else"),
        "{body}"
    );
    let mut delete = payload.clone();
    delete["type"] = json!("DELETE_ARTIFACT");
    let (status, body) = server.post_raw_with_header(
        "/v1/webhooks/registry",
        "authorization",
        SECRET,
        &delete.to_string(),
    );
    assert_eq!(status, 200, "{body}");
    assert!(body["ignored"].is_string(), "{body}");
}

#[test]
fn a_refused_tag_is_not_retried_by_every_poll_but_is_once_it_is_signed() {
    let published = Published::new("0.1.0");
    let cfg = published.gate_config("[reload]\npoll_secs = 1\n");
    let server = Server::start(&cfg);
    let unsigned =
        |metrics: &str| metrics.contains("clawlaw_policy_refusals_total{reason=\"unsigned\"} 1");

    // The tag moves to an unsigned version: a poll refuses it, once.
    published.push("0.2.0", false);
    wait_for(
        "a poll to refuse the unsigned tag",
        Duration::from_secs(30),
        || policies(&server)["last_refusal"]["reason"] == "unsigned",
    );
    std::thread::sleep(Duration::from_secs(3));
    let metrics = server.metrics();
    assert!(unsigned(&metrics), "refused once in three polls: {metrics}");
    assert_eq!(hostile_version(&server), "0.1.0");

    // Signing that digest is a change: the next poll takes it.
    let (code, out, err) = cli(
        &[
            "policy",
            "sign",
            &published.reference,
            "--key",
            published.key.to_str().unwrap(),
            "--insecure",
        ],
        &[],
    );
    assert_eq!(code, 0, "{out}{err}");
    wait_for(
        "a poll to take the signed version",
        Duration::from_secs(30),
        || hostile_version(&server) == "0.2.0",
    );
    assert_eq!(policies(&server)["last_reload"]["trigger"], "poll");
    assert!(unsigned(&server.metrics()));
}

#[test]
fn refusals_leave_the_last_good_set_serving() {
    let mut registry = TestRegistry::start();
    let dir = tempfile::tempdir().unwrap();
    let (key, public) = keypair(dir.path(), "ci");
    let (rogue, _) = keypair(dir.path(), "rogue");
    let reference = registry.reference("clawlaw/hostile:stable");

    // A gate whose only source is unsigned refuses to start, and says why.
    push(&hostile_at(dir.path(), "0.1.0"), &reference, None);
    let unsigned_dir = tempfile::tempdir().unwrap();
    let cfg = gate_config(
        unsigned_dir.path(),
        &registry.host,
        &reference,
        &[&public],
        "",
    );
    let out = Command::new(env!("CARGO_BIN_EXE_clawlaw"))
        .args(["serve", "--config"])
        .arg(&cfg)
        .env("CLAWLAW_CACHE_DIR", unsigned_dir.path().join("cache"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("refused (unsigned)"), "{err}");

    push(&hostile_at(dir.path(), "0.2.0"), &reference, Some(&key));
    let cfg = gate_config(
        dir.path(),
        &registry.host,
        &reference,
        &[&public],
        "[reload]\npoll_secs = 0\nregistry_timeout_secs = 5\n",
    );
    let server = Server::start(&cfg);
    let session = server.open_session(json!({}));
    let good = policies(&server)["policy_set"].clone();
    assert_eq!(hostile_version(&server), "0.2.0");

    let refused = |what: &str, reason: &str, message: &str| {
        let (status, report) = reload(&server);
        assert_eq!(status, 409, "{what}: {report}");
        assert_eq!(report["outcome"], "refused", "{what}: {report}");
        assert_eq!(report["reason"], reason, "{what}: {report}");
        let error = report["error"].as_str().unwrap();
        assert!(error.contains(message), "{what}: {error}");
        let listed = policies(&server);
        assert_eq!(
            listed["policy_set"], good,
            "{what}: the last good set serves"
        );
        assert_eq!(listed["last_refusal"]["reason"], reason, "{what}");
        assert_eq!(hostile_version(&server), "0.2.0");
        let answer = allowed(&server, &session);
        assert_eq!(answer["policy_set"], good);
    };

    // The tag moved to an unsigned digest.
    push(&hostile_at(dir.path(), "0.3.0"), &reference, None);
    refused("unsigned", "unsigned", "no cosign signature");
    // Signed, but by a key the gate does not trust.
    push(&hostile_at(dir.path(), "0.3.0"), &reference, Some(&rogue));
    refused("wrong key", "untrusted", "not by a trusted key");
    // Signed by the right key, then the layer is rewritten in the registry.
    let component = hostile_at(dir.path(), "0.4.0");
    push(&component, &reference, Some(&key));
    let layer = format!("sha256:{}", sha256_hex(&std::fs::read(&component).unwrap()));
    let mut bytes = std::fs::read(registry.blob_file(&layer)).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(registry.blob_file(&layer), bytes).unwrap();
    refused("tampered layer", "tampered", "digest");
    // An older version, properly signed, pushed under the same tag.
    push(&hostile_at(dir.path(), "0.1.0"), &reference, Some(&key));
    refused("downgrade", "downgrade", "older than 0.2.0");
    // A registry answering garbage.
    let garbage = FakeRegistry::garbage(64);
    let text = std::fs::read_to_string(&cfg).unwrap();
    std::fs::write(&cfg, text.replace(&registry.host, &garbage.host)).unwrap();
    refused("garbage", "malformed", "not an OCI image manifest");
    // A registry that accepts and never answers: the reload waits out the
    // registry timeout off the request path, and the gate answers meanwhile.
    let silent = FakeRegistry::silent(16);
    std::fs::write(&cfg, text.replace(&registry.host, &silent.host)).unwrap();
    std::thread::scope(|s| {
        let pending = s.spawn(|| reload(&server));
        std::thread::sleep(Duration::from_millis(500));
        assert_eq!(hostile_version(&server), "0.2.0");
        allowed(&server, &session);
        assert!(
            !pending.is_finished(),
            "the silent registry's reload should still be waiting out its 5 s timeout"
        );
        let (status, report) = pending.join().unwrap();
        assert_eq!(status, 409, "{report}");
        assert_eq!(report["reason"], "unreachable", "{report}");
    });
    std::fs::write(&cfg, &text).unwrap();
    // The registry down.
    registry.stop();
    refused("registry down", "unreachable", "unreachable");

    let metrics = server.metrics();
    for (reason, times) in [
        ("unsigned", 1),
        ("untrusted", 1),
        ("tampered", 1),
        ("downgrade", 1),
        ("malformed", 1),
        ("unreachable", 2),
    ] {
        assert!(
            metrics.contains(&format!(
                "clawlaw_policy_refusals_total{{reason=\"{reason}\"}} {times}"
            )),
            "{reason} counted: {metrics}"
        );
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

#[test]
fn a_restart_with_the_registry_down_starts_from_the_verified_store() {
    let mut published = Published::new("0.2.0");
    let cfg = published.gate_config("[reload]\npoll_secs = 0\n");
    let mut server = Server::start(&cfg);
    // What is serving: every policy's name, version, digest and source.
    let serving = |server: &Server| -> Vec<[Value; 4]> {
        policies(server)["policies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| ["name", "version", "digest", "source"].map(|k| p[k].clone()))
            .collect()
    };
    let before = serving(&server);
    server.stop();
    published.registry.stop();

    let server = Server::start(&cfg);
    assert_eq!(hostile_version(&server), "0.2.0");
    assert_eq!(serving(&server), before);
    let refusal = &policies(&server)["last_refusal"];
    assert_eq!(refusal["trigger"], "start", "{refusal}");
    assert_eq!(refusal["reason"], "unreachable", "{refusal}");
    assert!(
        refusal["error"]
            .as_str()
            .unwrap()
            .contains("verified store"),
        "{refusal}"
    );
    let session = server.open_session(json!({}));
    allowed(&server, &session);
    drop(server);

    // A store edited on disk is not trusted: with the registry down there
    // is nothing verified to start from, and the gate says so.
    let blobs = published.dir.path().join("data/artifacts/blobs");
    for entry in std::fs::read_dir(&blobs).unwrap() {
        let path = entry.unwrap().path();
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[10] ^= 1;
        std::fs::write(&path, bytes).unwrap();
    }
    let out = Command::new(env!("CARGO_BIN_EXE_clawlaw"))
        .args(["serve", "--config"])
        .arg(&cfg)
        .env("CLAWLAW_CACHE_DIR", published.dir.path().join("cache"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("refused (unreachable)"), "{err}");
}

#[test]
fn twenty_registry_reloads_under_load_drop_nothing() {
    let published = Published::new("1.0.0");
    let cfg = published.gate_config(&format!("{UNDER_LOAD_LIMITS}[reload]\npoll_secs = 0\n"));
    let server = Server::start(&cfg);
    // The policies that judge the clients' `shell.exec`: those declaring no
    // kinds (every kind) or that one.
    let count = policies(&server)["policies"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| {
            p["kinds"]
                .as_array()
                .is_none_or(|k| k.iter().any(|k| k == "shell.exec"))
        })
        .count();
    let sets = reloads_under_load(&server, 3, count, 20, |i| {
        let i = i + 1;
        published.push(&format!("1.{}.{}", i / 10, i % 10), true);
        reload(&server)
    });
    assert_eq!(sets.len(), 21, "every version served a set of its own");
    assert_eq!(hostile_version(&server), "1.2.0");
}
