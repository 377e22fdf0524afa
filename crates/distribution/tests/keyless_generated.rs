//! Keyless signatures made by a throwaway Sigstore instance
//! ([`clawlaw_distribution::testing`]), end to end through the verifier:
//! accepted for their identity, refused for another identity, issuer,
//! digest, instance or predicate, and for a log time outside the
//! certificate's life. The public-good root cannot sign new entries, so
//! this is how a signature of *this* test's digest is made.

use clawlaw_distribution::bundle::{self, BundleTrust, COSIGN_SIGN_PREDICATE, Check};
use clawlaw_distribution::identity::{KeylessEntry, KeylessIdentity};
use clawlaw_distribution::testing::{Signed, sign_keyless};
use clawlaw_distribution::trusted_root::TrustedRoot;
use serde_json::Value;

const IDENTITY: &str =
    "https://github.com/clawlaw/policies/.github/workflows/release.yml@refs/tags/v0.3.0";
const ISSUER: &str = "https://token.actions.githubusercontent.com";
const DIGEST: &str = "sha256:2222222222222222222222222222222222222222222222222222222222222222";

fn signed(at: i64, predicate: &str) -> Signed {
    sign_keyless(DIGEST, IDENTITY, ISSUER, at, predicate)
}

fn verify(
    root_of: &Signed,
    bundle: &[u8],
    digest: &str,
    identity: &str,
    issuer: &str,
) -> Result<bundle::Verified, bundle::BundleError> {
    let root = TrustedRoot::from_json(&root_of.trusted_root).unwrap();
    let ids = [KeylessIdentity::new(&KeylessEntry {
        identity: Some(identity.into()),
        identity_regexp: None,
        issuer: issuer.into(),
    })
    .unwrap()];
    bundle::verify(
        bundle,
        digest,
        &BundleTrust {
            keys: &[],
            identities: &ids,
            root: Some(&root),
        },
        jiff::Timestamp::now(),
    )
}

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

#[test]
fn a_generated_keyless_signature_verifies_for_its_identity_only() {
    let instance = signed(now(), COSIGN_SIGN_PREDICATE);
    let v = verify(&instance, &instance.bundle, DIGEST, IDENTITY, ISSUER)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v.passed.len(), 7, "{v:?}");
    assert_eq!(v.logged.unwrap().log_url, "https://rekor.test");
    let e = verify(
        &instance,
        &instance.bundle,
        DIGEST,
        &IDENTITY.replace("v0.3.0", "v0.3.1"),
        ISSUER,
    )
    .unwrap_err();
    assert_eq!(e.check, Check::Identity, "{e}");
    let e = verify(
        &instance,
        &instance.bundle,
        DIGEST,
        IDENTITY,
        "https://accounts.google.com",
    )
    .unwrap_err();
    assert_eq!(e.check, Check::Identity, "{e}");
    let e = verify(
        &instance,
        &instance.bundle,
        &DIGEST.replace('2', "3"),
        IDENTITY,
        ISSUER,
    )
    .unwrap_err();
    assert_eq!(e.check, Check::Subject, "{e}");
}

#[test]
fn another_instance_or_an_attestation_is_refused() {
    let instance = signed(now(), COSIGN_SIGN_PREDICATE);
    let other = signed(now(), COSIGN_SIGN_PREDICATE);
    // Signed by another CA and log than the trusted root names.
    let e = verify(&other, &instance.bundle, DIGEST, IDENTITY, ISSUER).unwrap_err();
    assert_eq!(e.check, Check::Certificate, "{e}");
    let attestation = signed(now(), "https://slsa.dev/provenance/v1");
    let e = verify(&attestation, &attestation.bundle, DIGEST, IDENTITY, ISSUER).unwrap_err();
    assert_eq!(e.check, Check::Predicate, "{e}");
}

#[test]
fn a_log_entry_outside_the_certificates_life_or_in_the_future_is_refused() {
    let instance = signed(now(), COSIGN_SIGN_PREDICATE);
    let mut v: Value = serde_json::from_slice(&instance.bundle).unwrap();
    // Integrated an hour later: after the 10-minute certificate expired
    // (the signed timestamp no longer verifies either).
    let entry = &mut v["verificationMaterial"]["tlogEntries"][0];
    entry["integratedTime"] = (now() + 3600).to_string().into();
    let e = verify(
        &instance,
        v.to_string().as_bytes(),
        DIGEST,
        IDENTITY,
        ISSUER,
    )
    .unwrap_err();
    assert_eq!(e.check, Check::Tlog, "{e}");
    // A whole instance signing a day in the future.
    let future = signed(now() + 86_400, COSIGN_SIGN_PREDICATE);
    let e = verify(&future, &future.bundle, DIGEST, IDENTITY, ISSUER).unwrap_err();
    assert!(matches!(e.check, Check::Tlog | Check::Certificate), "{e}");
}
