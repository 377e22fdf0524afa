//! The CI publishing example (`examples/ci/`) runs for real: the script the
//! GitHub workflow calls tests, pushes, signs and verifies every bundled
//! policy against a local registry, and a gate started from the example's
//! config (pointed at that registry) loads them all, verified.

use crate::common;

use std::process::Command;

use common::registry::TestRegistry;
use common::server::Server;

#[test]
fn the_publishing_workflow_steps_run_against_a_local_registry() {
    let registry = TestRegistry::start();
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_clawlaw");
    let password = "ci-key-password";
    let status = Command::new(bin)
        .args(["key", "generate", "--output-dir"])
        .arg(dir.path())
        .env("CLAWLAW_KEY_PASSWORD", password)
        .status()
        .unwrap();
    assert!(status.success());

    // The components the workflow's build step makes, named as
    // `cargo xtask policies` names them.
    let policies = dir.path().join("policies");
    std::fs::create_dir_all(&policies).unwrap();
    let root = common::workspace_root();
    let names = common::bundled_policies();
    for name in &names {
        std::fs::copy(
            common::component(name),
            policies.join(format!("{name}.wasm")),
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    }

    let out = Command::new("bash")
        .arg(root.join("examples/ci/publish.sh"))
        .env("REGISTRY", &registry.host)
        .env("SIGNING_KEY", dir.path().join("cosign.key"))
        .env("PUBLIC_KEY", dir.path().join("cosign.pub"))
        .env("CLAWLAW_KEY_PASSWORD", password)
        .env("CLAWLAW", bin)
        .env("POLICIES_DIR", &policies)
        .env("INSECURE", "1")
        .env("SOURCE_URL", "https://github.com/clawlaw/clawlaw")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for name in &names {
        assert!(
            stdout.contains(&format!(
                "verified oci://{}/clawlaw/{name}:stable",
                registry.host
            )),
            "{name}: {stdout}"
        );
    }

    // The example's gate config, pointed at this registry.
    let text = std::fs::read_to_string(root.join("examples/ci/gate.toml"))
        .unwrap()
        .replace("harbor.example.com", &registry.host)
        .replace("127.0.0.1:7070", "127.0.0.1:0")
        .replace("username = \"robot$clawlaw+gate\"\n", "insecure = true\n")
        .replace("password_env = \"HARBOR_PASSWORD\"\n", "")
        .replace(
            "\"cosign.pub\"",
            &format!("{:?}", dir.path().join("cosign.pub")),
        )
        .replace("\"gate-data\"", &format!("{:?}", dir.path().join("data")));
    let cfg = dir.path().join("gate.toml");
    std::fs::write(&cfg, text).unwrap();
    let state = dir.path().join("state");
    let server = Server::start_with_env(
        &cfg,
        &[
            ("HARBOR_WEBHOOK_SECRET", "s"),
            ("XDG_STATE_HOME", state.to_str().unwrap()),
        ],
    );
    let port = server.url.rsplit(':').next().unwrap();
    let tokens: serde_json::Value = serde_json::from_slice(
        &std::fs::read(state.join(format!("clawlaw/tokens-{port}.json"))).unwrap(),
    )
    .unwrap();
    let (status, listed) = server.get("/v1/policies", tokens["reviewer"].as_str());
    assert_eq!(status, 200, "{listed}");
    let sources: Vec<&str> = listed["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["source"].as_str().unwrap())
        .collect();
    assert_eq!(sources.len(), 4, "{listed}");
    for s in sources {
        assert!(
            s.starts_with(&format!("oci://{}/clawlaw/", registry.host)),
            "{s}"
        );
        assert!(s.contains(":stable@sha256:"), "{s}");
    }
}
