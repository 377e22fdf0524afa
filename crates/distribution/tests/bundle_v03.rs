//! A real cosign v3 keyless signature of an OCI manifest (kubewarden-
//! controller's release pipeline, via the `sigstore` crate's test data) and
//! the public-good trusted root of its time: it verifies for its identity,
//! and every tampering or wrong expectation is refused by the right check.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use clawlaw_distribution::bundle::{self, BundleTrust, Check};
use clawlaw_distribution::identity::{KeylessEntry, KeylessIdentity};
use clawlaw_distribution::trusted_root::TrustedRoot;
use serde_json::Value;

const BUNDLE: &str = include_str!("data/bundle_v03.json");
const ROOT: &[u8] = include_bytes!("data/sigstore_trusted_root.json");
const DIGEST: &str = "sha256:c811d58de79c92f03214e63aa339484e488d694ae8a6283b5f3f17a9faf50172";
const IDENTITY: &str = "https://github.com/kubewarden/kubewarden-controller/.github/workflows/release.yml@refs/tags/v1.34.0";
const ISSUER: &str = "https://token.actions.githubusercontent.com";

fn identity(identity: Option<&str>, regexp: Option<&str>, issuer: &str) -> KeylessIdentity {
    KeylessIdentity::new(&KeylessEntry {
        identity: identity.map(str::to_string),
        identity_regexp: regexp.map(str::to_string),
        issuer: issuer.to_string(),
    })
    .unwrap()
}

fn check(
    bundle: &str,
    digest: &str,
    ids: &[KeylessIdentity],
) -> Result<bundle::Verified, bundle::BundleError> {
    let root = TrustedRoot::from_json(ROOT).unwrap();
    bundle::verify(
        bundle.as_bytes(),
        digest,
        &BundleTrust {
            keys: &[],
            identities: ids,
            root: Some(&root),
        },
        jiff::Timestamp::now(),
    )
}

fn refused(bundle: &str, digest: &str, ids: &[KeylessIdentity]) -> bundle::BundleError {
    match check(bundle, digest, ids) {
        Ok(v) => panic!("accepted: {v:?}"),
        Err(e) => e,
    }
}

/// The bundle with `edit` applied to its JSON.
fn edited(edit: impl FnOnce(&mut Value)) -> String {
    let mut v: Value = serde_json::from_str(BUNDLE).unwrap();
    edit(&mut v);
    serde_json::to_string(&v).unwrap()
}

/// Flips one bit of the base64 field at `pointer`.
fn flip_b64(v: &mut Value, pointer: &str, byte: usize) {
    let field = v
        .pointer_mut(pointer)
        .unwrap_or_else(|| panic!("{pointer}"));
    let mut raw = BASE64.decode(field.as_str().unwrap()).unwrap();
    raw[byte] ^= 0x01;
    *field = Value::String(BASE64.encode(raw));
}

const ENTRY: &str = "/verificationMaterial/tlogEntries/0";

#[test]
fn verifies_for_its_identity_and_issuer() {
    let v = check(BUNDLE, DIGEST, &[identity(Some(IDENTITY), None, ISSUER)]).unwrap();
    assert_eq!(
        v.passed,
        vec![
            Check::Bundle,
            Check::Certificate,
            Check::Identity,
            Check::Signature,
            Check::Subject,
            Check::Predicate,
            Check::Tlog
        ]
    );
    assert!(v.signer.contains(IDENTITY), "{}", v.signer);
    let logged = v.logged.unwrap();
    assert_eq!(logged.log_url, "https://rekor.sigstore.dev");
    assert_eq!(logged.integrated_time.as_second(), 1775719409);
    // A workflow pattern, as a trust policy for every release tag writes it.
    let pattern = identity(
        None,
        Some(
            r"https://github\.com/kubewarden/kubewarden-controller/\.github/workflows/release\.yml@refs/tags/v.*",
        ),
        ISSUER,
    );
    check(BUNDLE, DIGEST, &[pattern]).unwrap();
}

#[test]
fn another_identity_or_issuer_is_untrusted() {
    let other = identity(
        Some("https://github.com/kubewarden/other/.github/workflows/release.yml@refs/tags/v1.34.0"),
        None,
        ISSUER,
    );
    let e = refused(BUNDLE, DIGEST, &[other]);
    assert_eq!(e.check, Check::Identity, "{e}");
    assert_eq!(e.check.reason(), "untrusted-identity");
    let issuer = identity(Some(IDENTITY), None, "https://accounts.google.com");
    assert_eq!(refused(BUNDLE, DIGEST, &[issuer]).check, Check::Identity);
    // A pattern that matches only a prefix does not match.
    let prefix = identity(None, Some("https://github.com/kubewarden"), ISSUER);
    assert_eq!(refused(BUNDLE, DIGEST, &[prefix]).check, Check::Identity);
}

#[test]
fn another_digest_is_refused() {
    let ids = [identity(Some(IDENTITY), None, ISSUER)];
    let other = DIGEST.replace("c811", "c812");
    let e = refused(BUNDLE, &other, &ids);
    assert_eq!(e.check, Check::Subject, "{e}");
    assert_eq!(e.check.reason(), "wrong-digest");
}

#[test]
fn a_flipped_bit_in_the_signed_entry_timestamp_is_refused() {
    let ids = [identity(Some(IDENTITY), None, ISSUER)];
    for byte in [8, 40, 70] {
        let b = edited(|v| {
            flip_b64(
                v,
                &format!("{ENTRY}/inclusionPromise/signedEntryTimestamp"),
                byte,
            )
        });
        let e = refused(&b, DIGEST, &ids);
        assert_eq!(e.check, Check::Tlog, "{e}");
        assert!(e.message.contains("signed entry timestamp"), "{e}");
    }
    // A changed integrated time breaks the timestamp's signature too.
    let b = edited(|v| {
        v["verificationMaterial"]["tlogEntries"][0]["integratedTime"] = "1775719410".into()
    });
    assert_eq!(refused(&b, DIGEST, &ids).check, Check::Tlog);
}

#[test]
fn a_flipped_bit_in_an_inclusion_proof_hash_is_refused() {
    let ids = [identity(Some(IDENTITY), None, ISSUER)];
    for (i, byte) in [(0, 0), (7, 31), (17, 12)] {
        let b = edited(|v| flip_b64(v, &format!("{ENTRY}/inclusionProof/hashes/{i}"), byte));
        let e = refused(&b, DIGEST, &ids);
        assert_eq!(e.check, Check::Tlog, "{e}");
        assert!(e.message.contains("inclusion proof"), "{e}");
    }
    let b = edited(|v| flip_b64(v, &format!("{ENTRY}/inclusionProof/rootHash"), 3));
    assert_eq!(refused(&b, DIGEST, &ids).check, Check::Tlog);
}

#[test]
fn a_flipped_bit_in_the_checkpoint_is_refused() {
    let ids = [identity(Some(IDENTITY), None, ISSUER)];
    let pointer = format!("{ENTRY}/inclusionProof/checkpoint/envelope");
    let original: Value = serde_json::from_str(BUNDLE).unwrap();
    let envelope = original
        .pointer(&pointer)
        .unwrap()
        .as_str()
        .unwrap()
        .to_string();
    // Flip one bit of the note (tree size, root hash) and of its signature.
    let (note, sig_line) = envelope.split_once("\n\n").unwrap();
    let flip_char = |s: &str, at: usize| {
        let mut bytes = s.as_bytes().to_vec();
        bytes[at] ^= 0x01;
        String::from_utf8(bytes).unwrap()
    };
    let size_at = note.find('\n').unwrap() + 3;
    let hash_at = note.rfind('\n').unwrap() + 5;
    let sig_at = sig_line.len() - 10;
    for tampered in [
        format!("{}\n\n{sig_line}", flip_char(note, size_at)),
        format!("{}\n\n{sig_line}", flip_char(note, hash_at)),
        format!("{note}\n\n{}", flip_char(sig_line, sig_at)),
    ] {
        assert_ne!(tampered, envelope);
        let b = edited(|v| *v.pointer_mut(&pointer).unwrap() = Value::String(tampered.clone()));
        let e = refused(&b, DIGEST, &ids);
        assert_eq!(e.check, Check::Tlog, "{tampered:?}: {e}");
    }
}

#[test]
fn a_flipped_bit_in_the_signature_is_refused() {
    let ids = [identity(Some(IDENTITY), None, ISSUER)];
    let b = edited(|v| flip_b64(v, "/dsseEnvelope/signatures/0/sig", 20));
    let e = refused(&b, DIGEST, &ids);
    assert_eq!(e.check, Check::Signature, "{e}");
    assert_eq!(e.check.reason(), "signature-invalid");
}

#[test]
fn an_attestation_is_not_a_signature() {
    // The same statement with another predicate type, re-signed by nobody:
    // the signature check fails first. The predicate check itself is shown
    // with the statement checks of a key-based bundle (tests/keyed.rs).
    let ids = [identity(Some(IDENTITY), None, ISSUER)];
    let b = edited(|v| {
        let p = v["dsseEnvelope"]["payload"].as_str().unwrap();
        let statement = String::from_utf8(BASE64.decode(p).unwrap())
            .unwrap()
            .replace(
                "https://sigstore.dev/cosign/sign/v1",
                "https://slsa.dev/provenance/v1",
            );
        v["dsseEnvelope"]["payload"] = BASE64.encode(statement).into();
    });
    assert_eq!(refused(&b, DIGEST, &ids).check, Check::Signature);
}

#[test]
fn a_trusted_root_without_the_log_or_the_ca_refuses() {
    let ids = [identity(Some(IDENTITY), None, ISSUER)];
    let mut root: Value = serde_json::from_slice(ROOT).unwrap();
    root["tlogs"] = Value::Array(vec![]);
    let root = TrustedRoot::from_json(root.to_string().as_bytes()).unwrap();
    let e = bundle::verify(
        BUNDLE.as_bytes(),
        DIGEST,
        &BundleTrust {
            keys: &[],
            identities: &ids,
            root: Some(&root),
        },
        jiff::Timestamp::now(),
    )
    .unwrap_err();
    assert_eq!(e.check, Check::Tlog, "{e}");
    let mut root: Value = serde_json::from_slice(ROOT).unwrap();
    root["certificateAuthorities"]
        .as_array_mut()
        .unwrap()
        .remove(1);
    let root = TrustedRoot::from_json(root.to_string().as_bytes()).unwrap();
    let e = bundle::verify(
        BUNDLE.as_bytes(),
        DIGEST,
        &BundleTrust {
            keys: &[],
            identities: &ids,
            root: Some(&root),
        },
        jiff::Timestamp::now(),
    )
    .unwrap_err();
    assert_eq!(e.check, Check::Certificate, "{e}");
}

#[test]
fn garbage_and_unknown_versions_are_malformed() {
    let ids = [identity(Some(IDENTITY), None, ISSUER)];
    assert_eq!(refused("{", DIGEST, &ids).check, Check::Bundle);
    let b = edited(|v| v["mediaType"] = "application/vnd.dev.sigstore.bundle.v0.9+json".into());
    assert_eq!(refused(&b, DIGEST, &ids).check, Check::Bundle);
}
