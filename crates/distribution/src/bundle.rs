//! Sigstore bundles (`application/vnd.dev.sigstore.bundle.v0.{1,2,3}+json`),
//! the form cosign v3 signs OCI artifacts in: a DSSE envelope over an in-toto
//! statement whose subject is the manifest digest and whose predicate type
//! is cosign's signature predicate, with the verification material (a Fulcio
//! certificate, or a public-key hint) and the Rekor entry that logged it.
//!
//! This module decides whether one bundle is a valid signature of one
//! manifest digest by one trusted signer, check by check in a fixed order
//! ([`Check`]), so a refusal names the first check that failed:
//!
//! - keyless: sigstore's verifier checks the certificate chain to a Fulcio
//!   CA of the trusted root at the signing time, the SCT, the identity, the
//!   signature over the DSSE pre-authentication encoding, the subject, that
//!   the log entry's body is this envelope and certificate, and that the
//!   integrated time falls within the certificate's validity; [`tlog`] adds
//!   the signed entry timestamp, inclusion proof and checkpoint it skips;
//! - key-based (which sigstore's verifier rejects): the signature against
//!   the trusted keys, then the same statement checks, and the log entry if
//!   the bundle carries one and a trusted root is given.
//!
//! Either way the statement must be a cosign *signature*
//! (`https://sigstore.dev/cosign/sign/v1`): an attestation signed by the
//! same identity says something else about the artifact and is refused.

use std::future::Future;
use std::task::{Context, Poll, Waker};

use jiff::Timestamp;
use rustls::pki_types::CertificateDer;
use sigstore::bundle::Bundle;
use sigstore::bundle::verify::{
    ArtifactDigest, BundleErrorKind, CertificateErrorKind, SignatureErrorKind, VerificationError,
    Verifier,
};
use sigstore::crypto::Signature;
use sigstore::trust::ManualTrustRoot;
use sigstore_protobuf_specs::dev::sigstore::bundle::v1::{bundle, verification_material};
use sigstore_protobuf_specs::io::intoto::Envelope;
use x509_cert::der::Decode;

use super::identity::{AnyIdentity, CertIdentity, KeylessIdentity};
use super::tlog::{self, LoggedAt};
use super::trust::{TrustPolicy, TrustedKey};
use super::trusted_root::TrustedRoot;

/// The media types of the bundle versions this verifier reads.
pub const BUNDLE_MEDIA_TYPES: [&str; 4] = [
    "application/vnd.dev.sigstore.bundle+json;version=0.1",
    "application/vnd.dev.sigstore.bundle+json;version=0.2",
    "application/vnd.dev.sigstore.bundle.v0.3+json",
    "application/vnd.dev.sigstore.bundle+json;version=0.3",
];
/// The media type cosign v3 (and `clawlaw policy sign --signature-format v3`) writes.
pub const BUNDLE_V03_MEDIA_TYPE: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";
/// The in-toto predicate type of a cosign signature.
pub const COSIGN_SIGN_PREDICATE: &str = "https://sigstore.dev/cosign/sign/v1";
/// The DSSE payload type of an in-toto statement.
pub const IN_TOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";
/// The in-toto statement types read (v1 is what cosign writes).
pub const STATEMENT_TYPES: [&str; 2] = [
    "https://in-toto.io/Statement/v1",
    "https://in-toto.io/Statement/v0.1",
];

/// The checks, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Check {
    /// The bundle parses, is a known version and holds a DSSE envelope.
    Bundle,
    /// The certificate chains to the trusted root's Fulcio CA, with an SCT.
    Certificate,
    /// The certificate names a trusted identity and issuer.
    Identity,
    /// The signature over the DSSE envelope verifies.
    Signature,
    /// The statement's subject is the manifest digest.
    Subject,
    /// The statement is a cosign signature, not an attestation.
    Predicate,
    /// The transparency-log entry and its proofs.
    Tlog,
}

impl Check {
    pub fn name(self) -> &'static str {
        match self {
            Check::Bundle => "bundle",
            Check::Certificate => "certificate chain and SCT",
            Check::Identity => "certificate identity",
            Check::Signature => "signature",
            Check::Subject => "subject digest",
            Check::Predicate => "predicate type",
            Check::Tlog => "transparency log",
        }
    }

    /// The refusal reason a failure of this check gives.
    pub fn reason(self) -> &'static str {
        match self {
            Check::Bundle => "malformed",
            Check::Certificate => "certificate-invalid",
            Check::Identity => "untrusted-identity",
            Check::Signature => "signature-invalid",
            Check::Subject => "wrong-digest",
            Check::Predicate => "not-a-signature",
            Check::Tlog => "tlog-invalid",
        }
    }
}

/// A bundle that is not a valid signature: the check that failed first.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}: {message}", check.name())]
pub struct BundleError {
    pub check: Check,
    pub message: String,
}

fn fail<T>(check: Check, message: impl Into<String>) -> Result<T, BundleError> {
    Err(BundleError {
        check,
        message: message.into(),
    })
}

/// A verified bundle.
#[derive(Debug, Clone, PartialEq)]
pub struct Verified {
    /// The trusted key's name, or the certificate's identity and issuer.
    pub signer: String,
    /// Which trusted signer it was: a key's name or a keyless identity's
    /// description (what K-of-N counts).
    pub trusted_as: String,
    /// The checks that passed, in order.
    pub passed: Vec<Check>,
    /// The log entry, when one was verified.
    pub logged: Option<LoggedAt>,
}

/// Whom to trust for one bundle. A bundle with a public-key hint is
/// checked against `keys`; one with a Fulcio certificate against
/// `identities` under `root`. The root also verifies the log entry of a
/// key-based bundle, when it has one.
#[derive(Clone, Copy)]
pub struct BundleTrust<'a> {
    pub keys: &'a [TrustedKey],
    pub identities: &'a [KeylessIdentity],
    pub root: Option<&'a TrustedRoot>,
}

impl<'a> From<&'a TrustPolicy> for BundleTrust<'a> {
    /// Whom a bundle may be signed by under a trust policy.
    fn from(trust: &'a TrustPolicy) -> BundleTrust<'a> {
        BundleTrust {
            keys: &trust.keys,
            identities: &trust.keyless,
            root: trust.trusted_root.as_ref(),
        }
    }
}

/// A parsed bundle and its DSSE envelope.
struct Parsed {
    bundle: Bundle,
    envelope: Envelope,
    /// v0.2 and later must carry an inclusion proof.
    requires_proof: bool,
}

fn parse(bytes: &[u8]) -> Result<Parsed, BundleError> {
    let bundle: Bundle = serde_json::from_slice(bytes)
        .or_else(|e| fail(Check::Bundle, format!("not a Sigstore bundle: {e}")))?;
    let Some(version) = BUNDLE_MEDIA_TYPES
        .iter()
        .position(|t| *t == bundle.media_type)
    else {
        return fail(
            Check::Bundle,
            format!("unknown bundle media type {:?}", bundle.media_type),
        );
    };
    let envelope = match &bundle.content {
        Some(bundle::Content::DsseEnvelope(e)) => e.clone(),
        Some(bundle::Content::MessageSignature(_)) => {
            return fail(
                Check::Predicate,
                "a message signature over a blob, not a DSSE statement about a manifest",
            );
        }
        None => return fail(Check::Bundle, "no signature content"),
    };
    if envelope.signatures.len() != 1 {
        return fail(
            Check::Bundle,
            format!(
                "the DSSE envelope has {} signatures, not 1",
                envelope.signatures.len()
            ),
        );
    }
    Ok(Parsed {
        bundle,
        envelope,
        requires_proof: version > 0,
    })
}

/// Checks the in-toto statement: its subject names `digest`, and (if
/// `want_signature`) its predicate is cosign's signature predicate.
fn check_statement(
    envelope: &Envelope,
    digest: &str,
    want_signature: bool,
    passed: &mut Vec<Check>,
) -> Result<(), BundleError> {
    if envelope.payload_type != IN_TOTO_PAYLOAD_TYPE {
        return fail(
            Check::Predicate,
            format!(
                "payload type {:?} is not an in-toto statement",
                envelope.payload_type
            ),
        );
    }
    let statement: serde_json::Value = serde_json::from_slice(&envelope.payload)
        .or_else(|e| fail(Check::Subject, format!("the statement is not JSON: {e}")))?;
    if !STATEMENT_TYPES.iter().any(|t| statement["_type"] == *t) {
        return fail(
            Check::Subject,
            format!("statement type {} is not in-toto's", statement["_type"]),
        );
    }
    let Some(hex) = digest.strip_prefix("sha256:") else {
        return fail(Check::Subject, format!("{digest} is not a sha256 digest"));
    };
    let subjects = statement["subject"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    if !subjects.iter().any(|s| s["digest"]["sha256"] == hex) {
        let named: Vec<String> = subjects
            .iter()
            .filter_map(|s| s["digest"]["sha256"].as_str())
            .map(|h| format!("sha256:{h}"))
            .collect();
        return fail(
            Check::Subject,
            format!(
                "the statement is about {}, not {digest}",
                if named.is_empty() {
                    "nothing".into()
                } else {
                    named.join(", ")
                }
            ),
        );
    }
    passed.push(Check::Subject);
    let predicate = statement["predicateType"].as_str().unwrap_or("");
    if want_signature && predicate != COSIGN_SIGN_PREDICATE {
        return fail(
            Check::Predicate,
            format!(
                "predicate type {predicate:?} is an attestation, not a cosign signature ({COSIGN_SIGN_PREDICATE})"
            ),
        );
    }
    passed.push(Check::Predicate);
    Ok(())
}

/// The DSSE pre-authentication encoding: what a DSSE signature signs.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {} {} ",
        payload_type.len(),
        payload_type,
        payload.len()
    )
    .into_bytes();
    out.extend_from_slice(payload);
    out
}

/// Verifies that `bytes`, a Sigstore bundle, is a cosign signature of the
/// manifest `digest` by a signer `trust` names. `now` bounds log times.
pub fn verify(
    bytes: &[u8],
    digest: &str,
    trust: &BundleTrust<'_>,
    now: Timestamp,
) -> Result<Verified, BundleError> {
    verify_statement(bytes, digest, trust, now, true)
}

/// As [`verify`], with `want_signature` false accepting any predicate (an
/// attestation's bundle, as sigstore-conformance's DSSE cases are).
pub fn verify_statement(
    bytes: &[u8],
    digest: &str,
    trust: &BundleTrust<'_>,
    now: Timestamp,
    want_signature: bool,
) -> Result<Verified, BundleError> {
    let parsed = parse(bytes)?;
    let keyless = !matches!(
        parsed
            .bundle
            .verification_material
            .as_ref()
            .and_then(|m| m.content.as_ref()),
        Some(verification_material::Content::PublicKey(_))
    );
    if !keyless {
        return verify_keyed(&parsed, digest, trust.keys, trust.root, now, want_signature);
    }
    if trust.identities.is_empty() {
        return fail(
            Check::Identity,
            "a keyless signature, but no keyless identity is trusted",
        );
    }
    let Some(root) = trust.root else {
        return fail(
            Check::Certificate,
            "a keyless signature, but no trusted root to check its certificate against",
        );
    };
    verify_keyless(&parsed, digest, trust.identities, root, now, want_signature)
}

fn verify_keyed(
    parsed: &Parsed,
    digest: &str,
    keys: &[TrustedKey],
    root: Option<&TrustedRoot>,
    now: Timestamp,
    want_signature: bool,
) -> Result<Verified, BundleError> {
    let mut passed = vec![Check::Bundle];
    let env = &parsed.envelope;
    let sig = &env.signatures[0].sig;
    let signed = pae(&env.payload_type, &env.payload);
    let Some(TrustedKey { name, .. }) = keys
        .iter()
        .find(|k| k.key.verify_signature(Signature::Raw(sig), &signed).is_ok())
    else {
        return fail(
            Check::Signature,
            "the DSSE signature verifies against none of the trusted keys",
        );
    };
    passed.push(Check::Signature);
    check_statement(env, digest, want_signature, &mut passed)?;
    let entries = parsed
        .bundle
        .verification_material
        .as_ref()
        .map(|m| m.tlog_entries.as_slice())
        .unwrap_or(&[]);
    let logged = match (entries, root) {
        ([], _) | (_, None) => None,
        ([entry], Some(root)) => {
            tlog::body_matches_dsse(entry, &env.payload, sig)
                .or_else(|e| fail(Check::Tlog, e.to_string()))?;
            let at = tlog::verify_entry(entry, root, parsed.requires_proof, now)
                .or_else(|e| fail(Check::Tlog, e.to_string()))?;
            passed.push(Check::Tlog);
            Some(at)
        }
        (more, Some(_)) => {
            return fail(Check::Tlog, format!("{} log entries, not 1", more.len()));
        }
    };
    Ok(Verified {
        signer: name.clone(),
        trusted_as: name.clone(),
        passed,
        logged,
    })
}

/// Runs a future that never waits: sigstore's verifier is `async` but does
/// no I/O when given the trusted material up front (offline).
fn run_offline<F: Future>(f: F) -> Option<F::Output> {
    let mut f = std::pin::pin!(f);
    match f.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(v) => Some(v),
        Poll::Pending => None,
    }
}

fn leaf_certificate(parsed: &Parsed) -> Result<x509_cert::Certificate, BundleError> {
    let der = match parsed
        .bundle
        .verification_material
        .as_ref()
        .and_then(|m| m.content.as_ref())
    {
        Some(verification_material::Content::Certificate(c)) => &c.raw_bytes,
        Some(verification_material::Content::X509CertificateChain(ch)) => {
            match ch.certificates.first() {
                Some(c) => &c.raw_bytes,
                None => return fail(Check::Certificate, "an empty certificate chain"),
            }
        }
        Some(verification_material::Content::PublicKey(_)) => {
            return fail(
                Check::Certificate,
                "a key-based bundle (public key hint), not a keyless certificate",
            );
        }
        None => return fail(Check::Bundle, "no verification material"),
    };
    x509_cert::Certificate::from_der(der).or_else(|e| {
        fail(
            Check::Certificate,
            format!("the certificate does not parse: {e}"),
        )
    })
}

fn verify_keyless(
    parsed: &Parsed,
    digest: &str,
    identities: &[KeylessIdentity],
    root: &TrustedRoot,
    now: Timestamp,
    want_signature: bool,
) -> Result<Verified, BundleError> {
    let cert = leaf_certificate(parsed)?;
    let entries = parsed
        .bundle
        .verification_material
        .as_ref()
        .map(|m| m.tlog_entries.as_slice())
        .unwrap_or(&[]);
    let [entry] = entries else {
        return fail(
            Check::Tlog,
            format!(
                "{} transparency log entries; a keyless signature needs exactly 1",
                entries.len()
            ),
        );
    };
    // The CAs and CT logs valid when the certificate was issued.
    let issued = Timestamp::from_second(
        cert.tbs_certificate()
            .validity()
            .not_before
            .to_unix_duration()
            .as_secs() as i64,
    )
    .or_else(|e| fail(Check::Certificate, e.to_string()))?;
    let trust_root = ManualTrustRoot {
        fulcio_certs: root
            .fulcio_certificates(issued)
            .into_iter()
            .map(|c| CertificateDer::from(c.to_vec()))
            .collect(),
        rekor_keys: Default::default(),
        ctfe_keys: root
            .ct_keys(issued)
            .into_iter()
            .map(|k| (hex::encode(&k.key_id), k.spki_der.clone()))
            .collect(),
    };
    if trust_root.fulcio_certs.is_empty() {
        return fail(
            Check::Certificate,
            format!("the trusted root has no Fulcio CA valid at {issued}"),
        );
    }
    let verifier = Verifier::new(Default::default(), trust_root)
        .or_else(|e| fail(Check::Certificate, format!("the trusted root: {e}")))?;
    let hex = digest.strip_prefix("sha256:").unwrap_or(digest);
    let Some(Ok(raw)) = hex::decode(hex).ok().map(<[u8; 32]>::try_from) else {
        return fail(Check::Subject, format!("{digest} is not a sha256 digest"));
    };
    let policy = AnyIdentity(identities);
    let result = run_offline(verifier.verify_digest_with(
        ArtifactDigest::Sha256(raw),
        parsed.bundle.clone(),
        &policy,
        true,
    ))
    .unwrap_or_else(|| {
        Err(VerificationError::Input(std::io::Error::other(
            "the verifier waited on I/O",
        )))
    });
    if let Err(e) = result {
        let check = match &e {
            VerificationError::Bundle(BundleErrorKind::BundleProfile(_)) => Check::Tlog,
            VerificationError::Bundle(_) | VerificationError::Input(_) => Check::Bundle,
            // The integrated time is outside the certificate's validity.
            VerificationError::Certificate(CertificateErrorKind::Expired) => Check::Tlog,
            VerificationError::Certificate(_) => Check::Certificate,
            VerificationError::Policy(_) => Check::Identity,
            VerificationError::Signature(SignatureErrorKind::SubjectDigestMismatch) => {
                Check::Subject
            }
            // The log entry's body is not this envelope and certificate.
            VerificationError::Signature(SignatureErrorKind::Transparency) => Check::Tlog,
            VerificationError::Signature(_) => Check::Signature,
        };
        return fail(check, error_chain(&e));
    }
    let mut passed = vec![
        Check::Bundle,
        Check::Certificate,
        Check::Identity,
        Check::Signature,
    ];
    check_statement(&parsed.envelope, digest, want_signature, &mut passed)?;
    let logged = tlog::verify_entry(entry, root, parsed.requires_proof, now)
        .or_else(|e| fail(Check::Tlog, e.to_string()))?;
    passed.push(Check::Tlog);
    let found = CertIdentity::of(&cert);
    let trusted_as = policy
        .matching(&found)
        .map(KeylessIdentity::describe)
        .unwrap_or_default();
    Ok(Verified {
        signer: found.describe(),
        trusted_as,
        passed,
        logged: Some(logged),
    })
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        source = inner.source();
    }
    s
}

/// The checks a bundle goes through, by its kind (key-based or keyless),
/// for reporting which passed before one failed.
pub fn checks_for(bytes: &[u8]) -> &'static [Check] {
    const KEYED: [Check; 5] = [
        Check::Bundle,
        Check::Signature,
        Check::Subject,
        Check::Predicate,
        Check::Tlog,
    ];
    const KEYLESS: [Check; 7] = [
        Check::Bundle,
        Check::Certificate,
        Check::Identity,
        Check::Signature,
        Check::Subject,
        Check::Predicate,
        Check::Tlog,
    ];
    let keyed = serde_json::from_slice::<serde_json::Value>(bytes)
        .is_ok_and(|v| v["verificationMaterial"]["publicKey"].is_object());
    if keyed { &KEYED } else { &KEYLESS }
}
