//! Key-based DSSE bundles, which sigstore's own verifier rejects: one made
//! by an independent tool (model-signing, see data/README.md) and ones
//! made here with cosign's statement, checked against trusted keys.

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use clawlaw_distribution::bundle::{self, BundleTrust, Check};
use clawlaw_distribution::trust::TrustedKey;
use clawlaw_distribution::{keys, signature};

const MODEL_DIGEST: &str =
    "sha256:5bab08f5ce2ae000f60ad0b160f9665ec93e8c9dc75512a2e8cd656f3525f704";

fn data(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn key(name: &str) -> TrustedKey {
    TrustedKey {
        name: name.to_string(),
        key: keys::public_key(&data(name)).unwrap(),
    }
}

fn run(
    bytes: &[u8],
    digest: &str,
    keys: &[TrustedKey],
    signature: bool,
) -> Result<bundle::Verified, bundle::BundleError> {
    bundle::verify_statement(
        bytes,
        digest,
        &BundleTrust {
            keys,
            identities: &[],
            root: None,
        },
        jiff::Timestamp::now(),
        signature,
    )
}

#[test]
fn a_model_signing_bundle_verifies_with_its_key_only() {
    let sig = std::fs::read(data("model-signing/model.sig")).unwrap();
    let good = [key("model-signing/other.pub"), key("model-signing/key.pub")];
    let v = run(&sig, MODEL_DIGEST, &good, false).unwrap();
    assert_eq!(v.signer, "model-signing/key.pub");
    assert_eq!(v.logged, None);
    let e = run(&sig, MODEL_DIGEST, &[key("model-signing/other.pub")], false).unwrap_err();
    assert_eq!(e.check, Check::Signature, "{e}");
    let e = run(&sig, &MODEL_DIGEST.replace("5bab", "5bac"), &good, false).unwrap_err();
    assert_eq!(e.check, Check::Subject, "{e}");
    // It is a model signature, not a cosign signature of a manifest.
    let e = run(&sig, MODEL_DIGEST, &good, true).unwrap_err();
    assert_eq!(e.check, Check::Predicate, "{e}");
    // A flipped bit in the payload breaks the signature.
    let mut v: serde_json::Value = serde_json::from_slice(&sig).unwrap();
    let mut payload = BASE64
        .decode(v["dsseEnvelope"]["payload"].as_str().unwrap())
        .unwrap();
    payload[30] ^= 1;
    v["dsseEnvelope"]["payload"] = BASE64.encode(payload).into();
    let e = run(v.to_string().as_bytes(), MODEL_DIGEST, &good, false).unwrap_err();
    assert_eq!(e.check, Check::Signature, "{e}");
}

#[test]
fn cosign_statements_signed_here_verify_and_bind_the_digest() {
    let dir = tempfile::tempdir().unwrap();
    let files = keys::generate(dir.path(), "k", b"pw").unwrap();
    let signer = keys::signer(&files.private, b"pw").unwrap();
    let digest = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    let signed = signature::sign_bundle(&signer, digest).unwrap();
    let trusted = [TrustedKey {
        name: "k.pub".into(),
        key: keys::public_key(&files.public).unwrap(),
    }];
    let v = bundle::verify(
        &signed,
        digest,
        &BundleTrust {
            keys: &trusted,
            identities: &[],
            root: None,
        },
        jiff::Timestamp::now(),
    )
    .unwrap();
    assert_eq!(
        v.passed,
        vec![
            Check::Bundle,
            Check::Signature,
            Check::Subject,
            Check::Predicate
        ]
    );
    let e = bundle::verify(
        &signed,
        &digest.replace('1', "2"),
        &BundleTrust {
            keys: &trusted,
            identities: &[],
            root: None,
        },
        jiff::Timestamp::now(),
    )
    .unwrap_err();
    assert_eq!(e.check, Check::Subject);
    let parsed: serde_json::Value = serde_json::from_slice(&signed).unwrap();
    assert_eq!(parsed["mediaType"], bundle::BUNDLE_V03_MEDIA_TYPE);
    assert!(parsed["verificationMaterial"]["publicKey"]["hint"].is_string());
}
