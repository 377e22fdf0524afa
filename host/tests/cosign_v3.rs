//! cosign v3's form: Sigstore bundles. Offline, `clawlaw policy verify
//! --bundle` on a real keyless bundle (kubewarden-controller's release, from
//! the `sigstore` crate's test data) and on a key-based one made by an
//! independent tool (model-signing). On Debian's docker-registry (no
//! referrers API, so the `sha256-<hex>` index tag is what is exercised):
//! `policy sign --signature-format v3` lays the bundle out as cosign does,
//! `policy verify` and the gate find and accept it, and refuse an
//! attestation-only artifact (`not-a-signature`), a keyless policy's wrong
//! identity (`untrusted-identity`), and a registry that fails while
//! signatures are fetched (`unreachable`).

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use clawlaw_distribution::bundle::{IN_TOTO_PAYLOAD_TYPE, pae};
use clawlaw_distribution::{PolicyRef, Registry, RegistryEntry, keys, referrers};
use common::registry::{TestRegistry, skopeo_raw};
use common::server::{REVIEWER, Server, config};
use serde_json::json;

const PASSWORD: &str = "v3 signing key password";
const DIGEST: &str = "sha256:c811d58de79c92f03214e63aa339484e488d694ae8a6283b5f3f17a9faf50172";
const IDENTITY: &str = "https://github.com/kubewarden/kubewarden-controller/.github/workflows/release.yml@refs/tags/v1.34.0";
const ISSUER: &str = "https://token.actions.githubusercontent.com";

fn data(name: &str) -> String {
    common::workspace_root()
        .join("crates/distribution/tests/data")
        .join(name)
        .to_str()
        .unwrap()
        .to_string()
}

/// Runs the CLI; (exit code, stdout, stderr).
fn cli(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_clawlaw"))
        .args(args)
        .env("CLAWLAW_KEY_PASSWORD", PASSWORD)
        .env_remove("COSIGN_PASSWORD")
        .env_remove("CLAWLAW_REGISTRY_USERNAME")
        .env_remove("CLAWLAW_REGISTRY_PASSWORD")
        .output()
        .expect("running clawlaw");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn verify_bundle(extra: &[&str]) -> (i32, String, String) {
    let bundle = data("bundle_v03.json");
    let root = data("sigstore_trusted_root.json");
    let mut args = vec![
        "policy",
        "verify",
        "--bundle",
        &bundle,
        "--trusted-root",
        &root,
    ];
    args.extend_from_slice(extra);
    cli(&args)
}

#[test]
fn verify_a_bundle_file_offline_with_cosigns_flags() {
    let (code, out, err) = verify_bundle(&[
        "--digest",
        DIGEST,
        "--certificate-identity",
        IDENTITY,
        "--certificate-oidc-issuer",
        ISSUER,
    ]);
    assert_eq!(code, 0, "{out}{err}");
    for check in [
        "ok      bundle",
        "ok      certificate chain and SCT",
        "ok      certificate identity",
        "ok      signature",
        "ok      subject digest",
        "ok      predicate type",
        "ok      transparency log: https://rekor.sigstore.dev entry 1261105807",
    ] {
        assert!(out.contains(check), "{check}: {out}");
    }
    assert!(out.contains(&format!("verified {DIGEST}")), "{out}");

    let re = r"^https://github\.com/kubewarden/kubewarden-controller/\.github/workflows/release\.yml@refs/tags/v1\.\d+\.\d+$";
    let (code, out, err) = verify_bundle(&[
        "--digest",
        DIGEST,
        "--certificate-identity-regexp",
        re,
        "--certificate-oidc-issuer",
        ISSUER,
    ]);
    assert_eq!(code, 0, "{out}{err}");

    // Another identity: the first failing check is named, exit 3.
    let (code, out, err) = verify_bundle(&[
        "--digest",
        DIGEST,
        "--certificate-identity",
        "https://github.com/someone/else/.github/workflows/release.yml@refs/heads/main",
        "--certificate-oidc-issuer",
        ISSUER,
    ]);
    assert_eq!(code, 3, "{out}{err}");
    assert!(out.contains("ok      certificate chain and SCT"), "{out}");
    assert!(out.contains("FAILED  certificate identity"), "{out}");
    assert!(err.contains("refused (untrusted-identity)"), "{err}");
    // Another digest.
    let (code, out, _) = verify_bundle(&[
        "--digest",
        &DIGEST.replace("c811", "0000"),
        "--certificate-identity",
        IDENTITY,
        "--certificate-oidc-issuer",
        ISSUER,
    ]);
    assert_eq!(code, 3);
    assert!(out.contains("FAILED  subject digest"), "{out}");
    // An identity without its issuer is a usage error.
    let (code, _, err) = verify_bundle(&["--digest", DIGEST, "--certificate-identity", IDENTITY]);
    assert_eq!(code, 2, "{err}");

    // A key-based bundle by model-signing: its signature verifies with its
    // key, but it signs a model, not a manifest with cosign's predicate.
    let sig = data("model-signing/model.sig");
    let key = data("model-signing/key.pub");
    let (code, out, err) = cli(&[
        "policy",
        "verify",
        "--bundle",
        &sig,
        "--digest",
        "sha256:5bab08f5ce2ae000f60ad0b160f9665ec93e8c9dc75512a2e8cd656f3525f704",
        "--key",
        &key,
    ]);
    assert_eq!(code, 3, "{out}{err}");
    assert!(out.contains("ok      signature"), "{out}");
    assert!(out.contains("FAILED  predicate type"), "{out}");
    assert!(err.contains("refused (not-a-signature)"), "{err}");
}

fn keypair(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let d = dir.to_str().unwrap();
    let (code, out, err) = cli(&["key", "generate", "--output-dir", d, "--name", name]);
    assert_eq!(code, 0, "{out}{err}");
    (
        dir.join(format!("{name}.key")),
        dir.join(format!("{name}.pub")),
    )
}

/// Pushes the hostile test policy (unsigned) under `reference`; its digest.
fn push(reference: &str) -> String {
    let component = common::component("hostile-policy");
    let (code, out, err) = cli(&[
        "policy",
        "push",
        component.to_str().unwrap(),
        reference,
        "--insecure",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    out.lines()
        .find_map(|l| l.strip_prefix("digest: "))
        .unwrap()
        .trim()
        .to_string()
}

/// A gate config loading `reference` with `trust` as its `[trust]` body.
fn gate_config(dir: &Path, host: &str, reference: &str, trust: &str) -> PathBuf {
    config(
        dir,
        &format!(
            "[[registry]]\nhost = \"{host}\"\ninsecure = true\n\n[trust]\n{trust}\n\n\
             [[policy]]\noci = \"{reference}\"\nsettings = {{ mode = \"ok\" }}\n"
        ),
    )
}

/// `clawlaw serve` with `cfg`: its exit code and stderr when it refuses to
/// start.
fn refused_start(cfg: &Path, dir: &Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_clawlaw"))
        .args(["serve", "--config"])
        .arg(cfg)
        .env("CLAWLAW_CACHE_DIR", dir.join("cache"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn v3_signatures_on_a_registry_without_the_referrers_api() {
    let registry = TestRegistry::start();
    let dir = tempfile::tempdir().unwrap();
    let (key, public) = keypair(dir.path(), "ci");
    let reference = registry.reference("clawlaw/hostile:v3");
    let digest = push(&reference);
    let (code, out, err) = cli(&[
        "policy",
        "sign",
        &reference,
        "--key",
        key.to_str().unwrap(),
        "--signature-format",
        "v3",
        "--insecure",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("bundle referrer"), "{out}");

    // cosign v3's layout, read by an independent client: the index under
    // the fallback tag lists a referrer whose subject is the manifest and
    // whose one layer is the bundle; no legacy .sig tag was written.
    let hex = digest.trim_start_matches("sha256:");
    let index = skopeo_raw(&registry.reference(&format!("clawlaw/hostile:sha256-{hex}")));
    assert_eq!(
        index["mediaType"],
        "application/vnd.oci.image.index.v1+json"
    );
    let entry = &index["manifests"][0];
    assert_eq!(
        entry["artifactType"],
        "application/vnd.dev.sigstore.bundle.v0.3+json"
    );
    let referrer = skopeo_raw(&registry.reference(&format!(
        "clawlaw/hostile@{}",
        entry["digest"].as_str().unwrap()
    )));
    assert_eq!(referrer["subject"]["digest"], digest.as_str());
    assert_eq!(
        referrer["config"]["mediaType"],
        "application/vnd.oci.empty.v1+json"
    );
    assert_eq!(
        referrer["layers"][0]["mediaType"],
        "application/vnd.dev.sigstore.bundle.v0.3+json"
    );
    let sig_tag = Command::new("skopeo")
        .args(["inspect", "--raw", "--tls-verify=false"])
        .arg(format!(
            "docker://{}",
            registry
                .reference(&format!("clawlaw/hostile:sha256-{hex}.sig"))
                .trim_start_matches("oci://")
        ))
        .output()
        .unwrap();
    assert!(!sig_tag.status.success(), "no legacy signature was written");

    // The CLI and the gate find it through the fallback tag.
    let (code, out, err) = cli(&[
        "policy",
        "verify",
        &reference,
        "--key",
        public.to_str().unwrap(),
        "--insecure",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("signed by: ci.pub"), "{out}");
    let cfg = gate_config(
        dir.path(),
        &registry.host,
        &reference,
        &format!("keys = [{public:?}]"),
    );
    let server = Server::start(&cfg);
    let (status, listed) = server.get("/v1/policies", Some(REVIEWER));
    assert_eq!(status, 200, "{listed}");
    let hostile = listed["policies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "hostile")
        .cloned()
        .unwrap_or_else(|| panic!("hostile is not serving: {listed}"));
    assert!(
        hostile["source"]
            .as_str()
            .unwrap()
            .ends_with(&format!("@{digest}")),
        "{hostile}"
    );
    drop(server);

    // A keyless policy whose identity did not sign it: untrusted-identity
    // needs a keyless signature; this one is key-based, so a keyless-only
    // policy refuses it as not signed by any trusted key or identity.
    let keyless_dir = tempfile::tempdir().unwrap();
    let root = data("sigstore_trusted_root.json");
    let cfg = gate_config(
        keyless_dir.path(),
        &registry.host,
        &reference,
        &format!(
            "trusted_root = {root:?}\n[[trust.keyless]]\nidentity = \"{IDENTITY}\"\nissuer = \"{ISSUER}\"\n"
        ),
    );
    let err = refused_start(&cfg, keyless_dir.path());
    assert!(err.contains("refused (signature-invalid)"), "{err}");
}

/// Signs an in-toto statement about `digest` with `predicate_type` as a
/// key-based bundle, the way an attestation tool would.
fn attestation(key: &Path, digest: &str, predicate_type: &str) -> Vec<u8> {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD as BASE64;
    let signer = keys::signer(key, PASSWORD.as_bytes()).unwrap();
    let statement = json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "policy", "digest": {"sha256": digest.trim_start_matches("sha256:")}}],
        "predicateType": predicate_type,
        "predicate": {"buildType": "https://example.com/build"},
    });
    let payload = serde_json::to_vec(&statement).unwrap();
    let sig = signer.sign(&pae(IN_TOTO_PAYLOAD_TYPE, &payload)).unwrap();
    serde_json::to_vec(&json!({
        "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": {"publicKey": {"hint": "test"}, "tlogEntries": []},
        "dsseEnvelope": {
            "payload": BASE64.encode(&payload),
            "payloadType": IN_TOTO_PAYLOAD_TYPE,
            "signatures": [{"sig": BASE64.encode(sig)}],
        },
    }))
    .unwrap()
}

#[test]
fn an_attestation_only_artifact_is_refused_as_not_a_signature() {
    let registry = TestRegistry::start();
    let dir = tempfile::tempdir().unwrap();
    let (key, public) = keypair(dir.path(), "ci");
    let reference = registry.reference("clawlaw/hostile:attested");
    let digest = push(&reference);
    let bundle = attestation(&key, &digest, "https://slsa.dev/provenance/v1");
    let r = PolicyRef::parse(&reference).unwrap();
    let client = Registry::new(
        &[RegistryEntry {
            host: registry.host.clone(),
            insecure: true,
            ..RegistryEntry::default()
        }],
        std::time::Duration::from_secs(10),
    );
    runtime()
        .block_on(referrers::push(
            &client,
            &r,
            &digest,
            bundle,
            "2026-12-01T00:00:00Z",
        ))
        .unwrap();

    let (code, out, err) = cli(&[
        "policy",
        "verify",
        &reference,
        "--key",
        public.to_str().unwrap(),
        "--insecure",
    ]);
    assert_eq!(code, 3, "{out}{err}");
    assert!(err.contains("refused (not-a-signature)"), "{err}");
    let cfg = gate_config(
        dir.path(),
        &registry.host,
        &reference,
        &format!("keys = [{public:?}]"),
    );
    let err = refused_start(&cfg, dir.path());
    assert!(err.contains("refused (not-a-signature)"), "{err}");
    assert!(err.contains("not a cosign signature"), "{err}");

    // A real keyless bundle (kubewarden-controller's) attached to this
    // manifest: under a keyless policy for another identity it is
    // untrusted-identity; for its own identity, it signs another digest.
    let real = std::fs::read(data("bundle_v03.json")).unwrap();
    runtime()
        .block_on(referrers::push(
            &client,
            &r,
            &digest,
            real,
            "2026-12-01T00:00:00Z",
        ))
        .unwrap();
    let root = data("sigstore_trusted_root.json");
    for (identity, reason) in [
        (
            "https://github.com/someone/else/.github/workflows/release.yml@refs/heads/main",
            "untrusted-identity",
        ),
        (IDENTITY, "wrong-digest"),
    ] {
        let keyless_dir = tempfile::tempdir().unwrap();
        let cfg = gate_config(
            keyless_dir.path(),
            &registry.host,
            &reference,
            &format!(
                "trusted_root = {root:?}\n[[trust.keyless]]\nidentity = \"{identity}\"\nissuer = \"{ISSUER}\"\n"
            ),
        );
        let err = refused_start(&cfg, keyless_dir.path());
        assert!(
            err.contains(&format!("refused ({reason})")),
            "{identity}: {err}"
        );
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn a_keyless_signature_loads_under_its_identity_only() {
    // A throwaway Sigstore instance signs the pushed manifest as a GitHub
    // Actions release workflow, and the gate trusts that instance's root.
    const WORKFLOW: &str =
        "https://github.com/clawlaw/policies/.github/workflows/release.yml@refs/tags/v0.1.0";
    let registry = TestRegistry::start();
    let dir = tempfile::tempdir().unwrap();
    let reference = registry.reference("clawlaw/hostile:keyless");
    let digest = push(&reference);
    let now = jiff::Timestamp::now().as_second();
    let signed = clawlaw_distribution::testing::sign_keyless(
        &digest,
        WORKFLOW,
        ISSUER,
        now,
        clawlaw_distribution::bundle::COSIGN_SIGN_PREDICATE,
    );
    let root = dir.path().join("trusted_root.json");
    std::fs::write(&root, &signed.trusted_root).unwrap();
    let r = PolicyRef::parse(&reference).unwrap();
    let client = Registry::new(
        &[RegistryEntry {
            host: registry.host.clone(),
            insecure: true,
            ..RegistryEntry::default()
        }],
        std::time::Duration::from_secs(10),
    );
    runtime()
        .block_on(referrers::push(
            &client,
            &r,
            &digest,
            signed.bundle,
            "2026-12-01T00:00:00Z",
        ))
        .unwrap();

    let keyless = |identity: &str| {
        format!("trusted_root = {root:?}\n[[trust.keyless]]\n{identity}\nissuer = \"{ISSUER}\"\n")
    };
    let cfg = gate_config(
        dir.path(),
        &registry.host,
        &reference,
        &keyless(
            r#"identity_regexp = 'https://github\.com/clawlaw/policies/\.github/workflows/release\.yml@refs/tags/v.*'"#,
        ),
    );
    let server = Server::start(&cfg);
    let (status, listed) = server.get("/v1/policies", Some(REVIEWER));
    assert_eq!(status, 200, "{listed}");
    assert!(
        listed["policies"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "hostile"
                && p["source"]
                    .as_str()
                    .unwrap()
                    .ends_with(&format!("@{digest}"))),
        "{listed}"
    );
    drop(server);

    // The same signature under another workflow's identity is refused.
    let other_dir = tempfile::tempdir().unwrap();
    let cfg = gate_config(
        other_dir.path(),
        &registry.host,
        &reference,
        &keyless(
            r#"identity = "https://github.com/clawlaw/policies/.github/workflows/nightly.yml@refs/heads/main""#,
        ),
    );
    let err = refused_start(&cfg, other_dir.path());
    assert!(err.contains("refused (untrusted-identity)"), "{err}");
    // And by the CLI, offline, with cosign's flags.
    let bundle_file = dir.path().join("bundle.json");
    let bundles = runtime()
        .block_on(referrers::fetch(&client, &r, &digest))
        .unwrap();
    std::fs::write(&bundle_file, &bundles[0]).unwrap();
    let (code, out, err) = cli(&[
        "policy",
        "verify",
        "--bundle",
        bundle_file.to_str().unwrap(),
        "--digest",
        &digest,
        "--certificate-identity",
        WORKFLOW,
        "--certificate-oidc-issuer",
        ISSUER,
        "--trusted-root",
        root.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("ok      transparency log: https://rekor.test entry 0"),
        "{out}"
    );
}
