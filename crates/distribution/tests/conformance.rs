//! sigstore-conformance's `bundle-verify` cases that apply to a verifier of
//! DSSE (in-toto) bundles with Fulcio certificates and Rekor v1 entries
//! (vendored in `data/conformance`, see `data/README.md`): each `_fail`
//! case is refused, each other case accepted. Expected identity and issuer
//! are the suite's defaults unless the case names its own; the trusted root
//! is the case's own or the public-good root; the subject is the sha256 of
//! the case's `artifact` (else the suite's `a.txt`).
//!
//! The statements are SLSA provenance attestations, not cosign signatures,
//! so they go through `verify_statement` with the predicate check off; the
//! gate's `verify` would refuse every one of them as `not-a-signature`.

use std::path::Path;

use clawlaw_distribution::bundle::{self, BundleTrust, Check};
use clawlaw_distribution::identity::{KeylessEntry, KeylessIdentity};
use clawlaw_distribution::trusted_root::TrustedRoot;
use sha2::{Digest, Sha256};

const DEFAULT_IDENTITY: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const DEFAULT_ISSUER: &str = "https://token.actions.githubusercontent.com";

fn run(case: &str) -> Result<bundle::Verified, bundle::BundleError> {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let dir = data.join("conformance").join(case);
    let read = |name: &str| std::fs::read(dir.join(name)).ok();
    let text = |name: &str, default: &str| {
        read(name).map_or(default.to_string(), |b| {
            String::from_utf8(b).unwrap().trim().to_string()
        })
    };
    let root = match read("trusted_root.json") {
        Some(bytes) => TrustedRoot::from_json(&bytes).unwrap(),
        None => TrustedRoot::load(&data.join("sigstore_trusted_root.json")).unwrap(),
    };
    let artifact =
        read("artifact").unwrap_or_else(|| std::fs::read(data.join("conformance/a.txt")).unwrap());
    let digest = format!("sha256:{}", hex::encode(Sha256::digest(&artifact)));
    let ids = [KeylessIdentity::new(&KeylessEntry {
        identity: Some(text("identity", DEFAULT_IDENTITY)),
        identity_regexp: None,
        issuer: text("issuer", DEFAULT_ISSUER),
    })
    .unwrap()];
    bundle::verify_statement(
        &read("bundle.sigstore.json").unwrap(),
        &digest,
        &BundleTrust {
            keys: &[],
            identities: &ids,
            root: Some(&root),
        },
        jiff::Timestamp::now(),
        false,
    )
}

#[test]
fn passing_cases_verify() {
    let case = "happy-path-intoto-in-dsse-v3";
    let v = run(case).unwrap_or_else(|e| panic!("{case}: {e}"));
    assert!(v.passed.contains(&Check::Tlog), "{case}");
}

#[test]
fn failing_cases_are_refused_by_the_right_check() {
    for (case, check) in [
        ("bundle-malformed-json_fail", Check::Bundle),
        ("dsse-invalid-sig_fail", Check::Signature),
        ("dsse-mismatch-envelope_fail", Check::Tlog),
        ("dsse-mismatch-sig_fail", Check::Tlog),
    ] {
        match run(case) {
            Ok(v) => panic!("{case} was accepted: {v:?}"),
            Err(e) => assert_eq!(e.check, check, "{case}: {e}"),
        }
    }
}

#[test]
fn the_gate_refuses_an_attestation_as_not_a_signature() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let root = TrustedRoot::load(&data.join("sigstore_trusted_root.json")).unwrap();
    let artifact = std::fs::read(data.join("conformance/a.txt")).unwrap();
    let digest = format!("sha256:{}", hex::encode(Sha256::digest(&artifact)));
    let ids = [KeylessIdentity::new(&KeylessEntry {
        identity: Some(DEFAULT_IDENTITY.into()),
        identity_regexp: None,
        issuer: DEFAULT_ISSUER.into(),
    })
    .unwrap()];
    let bytes =
        std::fs::read(data.join("conformance/happy-path-intoto-in-dsse-v3/bundle.sigstore.json"))
            .unwrap();
    let e = bundle::verify(
        &bytes,
        &digest,
        &BundleTrust {
            keys: &[],
            identities: &ids,
            root: Some(&root),
        },
        jiff::Timestamp::now(),
    )
    .unwrap_err();
    assert_eq!(e.check, Check::Predicate, "{e}");
    assert_eq!(e.check.reason(), "not-a-signature");
}
