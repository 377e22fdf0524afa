//! Test support (feature `test-support`): a throwaway Sigstore instance
//! that signs keyless bundles as the public-good one does, for tests that
//! need a keyless signature of a digest they made (the public-good root
//! cannot sign new entries). A Fulcio CA, a CT log and a Rekor log with
//! fresh P-256 keys; a short-lived certificate for an identity and issuer
//! with its embedded SCT; a DSSE bundle over an in-toto statement; the
//! log's `dsse` entry with its signed entry timestamp, a one-leaf inclusion
//! proof and a signed checkpoint; and the `trusted_root.json` naming them.
//! Nothing here is used outside tests.

use crate::bundle;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use rcgen::{
    BasicConstraints, CertificateParams, CustomExtension, DistinguishedName,
    ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose, PKCS_ECDSA_P256_SHA256,
    PublicKeyData, SanType, SerialNumber, SigningKey,
};
use serde_json::json;
use sha2::{Digest, Sha256};
use x509_cert::der::{Decode, Encode};

/// What a throwaway instance made: the bundle, and the trusted root that
/// verifies it (and nothing else).
pub struct Signed {
    /// `trusted_root.json`.
    pub trusted_root: Vec<u8>,
    /// The Sigstore bundle (v0.3).
    pub bundle: Vec<u8>,
}

fn p256() -> KeyPair {
    KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap()
}

fn key_id(key: &KeyPair) -> [u8; 32] {
    Sha256::digest(key.subject_public_key_info()).into()
}

fn u16_len(bytes: &[u8]) -> Vec<u8> {
    let mut out = (bytes.len() as u16).to_be_bytes().to_vec();
    out.extend_from_slice(bytes);
    out
}

/// The leaf certificate's parameters, with or without the SCT extension.
fn leaf_params(
    identity: &str,
    issuer: &str,
    now: i64,
    sct_list: Option<Vec<u8>>,
) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name = DistinguishedName::new();
    params.serial_number = Some(SerialNumber::from_slice(&[0x42, 0x17]));
    params.not_before = time_of(now - 60);
    params.not_after = time_of(now + 600);
    params.subject_alt_names = vec![SanType::URI(identity.try_into().unwrap())];
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::CodeSigning];
    params.is_ca = IsCa::ExplicitNoCa;
    // Fulcio's OIDC issuer extension (v1: the raw string).
    params.custom_extensions = vec![CustomExtension::from_oid_content(
        &[1, 3, 6, 1, 4, 1, 57264, 1, 1],
        issuer.as_bytes().to_vec(),
    )];
    if let Some(list) = sct_list {
        // The SCT list extension: an OCTET STRING of the TLS-encoded list.
        let octets = x509_cert::der::asn1::OctetString::new(list).unwrap();
        params
            .custom_extensions
            .push(CustomExtension::from_oid_content(
                &[1, 3, 6, 1, 4, 1, 11129, 2, 4, 2],
                octets.to_der().unwrap(),
            ));
    }
    params
}

fn time_of(secs: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp(secs).unwrap()
}

fn tbs_der(cert_der: &[u8]) -> Vec<u8> {
    x509_cert::Certificate::from_der(cert_der)
        .unwrap()
        .tbs_certificate()
        .to_der()
        .unwrap()
}

/// Signs manifest `digest` as a fresh instance would for `identity` (issued
/// by `issuer`) at `now` (Unix seconds), in an in-toto statement of
/// `predicate` type (cosign's signature predicate for a signature).
pub fn sign_keyless(
    digest: &str,
    identity: &str,
    issuer: &str,
    now: i64,
    predicate: &str,
) -> Signed {
    let (ca_key, ct_key, rekor_key, leaf_key) = (p256(), p256(), p256(), p256());
    let mut ca_params = CertificateParams::default();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca_params.not_before = time_of(now - 86_400);
    ca_params.not_after = time_of(now + 86_400 * 365);
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let ca = Issuer::new(ca_params, &ca_key);

    // The precertificate's TBS, then the SCT over it, then the
    // certificate with the SCT embedded.
    let precert = leaf_params(identity, issuer, now, None)
        .signed_by(&leaf_key, &ca)
        .unwrap();
    let precert_tbs = tbs_der(precert.der());
    let ca_spki = ca_key.subject_public_key_info();
    let timestamp = (now as u64) * 1000;
    let mut signed = vec![0u8, 0u8];
    signed.extend_from_slice(&timestamp.to_be_bytes());
    signed.extend_from_slice(&1u16.to_be_bytes());
    signed.extend_from_slice(&Sha256::digest(&ca_spki));
    signed.extend_from_slice(&(precert_tbs.len() as u32).to_be_bytes()[1..]);
    signed.extend_from_slice(&precert_tbs);
    signed.extend_from_slice(&0u16.to_be_bytes());
    let sct_sig = ct_key.sign(&signed).unwrap();
    let mut sct = vec![0u8];
    sct.extend_from_slice(&key_id(&ct_key));
    sct.extend_from_slice(&timestamp.to_be_bytes());
    sct.extend_from_slice(&0u16.to_be_bytes());
    sct.extend_from_slice(&[4, 3]);
    sct.extend_from_slice(&u16_len(&sct_sig));
    let list = u16_len(&u16_len(&sct));
    let leaf = leaf_params(identity, issuer, now, Some(list))
        .signed_by(&leaf_key, &ca)
        .unwrap();
    let leaf_der = leaf.der().to_vec();

    // The DSSE envelope over cosign's statement.
    let statement = json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"digest": {"sha256": digest.trim_start_matches("sha256:")}}],
        "predicateType": predicate,
    });
    let payload = serde_json::to_vec(&statement).unwrap();
    let sig = leaf_key
        .sign(&bundle::pae(bundle::IN_TOTO_PAYLOAD_TYPE, &payload))
        .unwrap();
    let envelope = json!({
        "payload": BASE64.encode(&payload),
        "payloadType": bundle::IN_TOTO_PAYLOAD_TYPE,
        "signatures": [{"sig": BASE64.encode(&sig)}],
    });
    // Rekor's envelope hash is over the envelope as sigstore serialises it.
    let proto: sigstore_protobuf_specs::io::intoto::Envelope =
        serde_json::from_value(envelope.clone()).unwrap();
    let envelope_hash = hex::encode(Sha256::digest(serde_json::to_vec(&proto).unwrap()));
    let pem = x509_cert::der::pem::encode_string(
        "CERTIFICATE",
        x509_cert::der::pem::LineEnding::LF,
        &leaf_der,
    )
    .unwrap();
    // Canonical JSON: sorted keys, no spaces (serde_json's default map).
    let body = serde_json::to_vec(&json!({
        "apiVersion": "0.0.1",
        "kind": "dsse",
        "spec": {
            "envelopeHash": {"algorithm": "sha256", "value": envelope_hash},
            "payloadHash": {"algorithm": "sha256", "value": hex::encode(Sha256::digest(&payload))},
            "signatures": [{"signature": BASE64.encode(&sig), "verifier": BASE64.encode(pem)}],
        },
    }))
    .unwrap();

    // The log: one entry, index 0, a tree of size 1 whose root is the
    // entry's leaf hash; its signed timestamp and checkpoint.
    let log_id = key_id(&rekor_key);
    let set_payload = format!(
        r#"{{"body":"{}","integratedTime":{now},"logID":"{}","logIndex":0}}"#,
        BASE64.encode(&body),
        hex::encode(log_id)
    );
    let set = rekor_key.sign(set_payload.as_bytes()).unwrap();
    let mut leaf_hash = Sha256::new();
    leaf_hash.update([0u8]);
    leaf_hash.update(&body);
    let root_hash = leaf_hash.finalize();
    let note = format!("test-rekor - 1\n1\n{}\n", BASE64.encode(root_hash));
    let note_sig = rekor_key.sign(note.as_bytes()).unwrap();
    let checkpoint = format!(
        "{note}\n\u{2014} test-rekor {}\n",
        BASE64.encode([&log_id[..4], &note_sig[..]].concat())
    );
    let bundle = json!({
        "mediaType": bundle::BUNDLE_V03_MEDIA_TYPE,
        "verificationMaterial": {
            "certificate": {"rawBytes": BASE64.encode(&leaf_der)},
            "tlogEntries": [{
                "logIndex": "0",
                "logId": {"keyId": BASE64.encode(log_id)},
                "kindVersion": {"kind": "dsse", "version": "0.0.1"},
                "integratedTime": now.to_string(),
                "inclusionPromise": {"signedEntryTimestamp": BASE64.encode(&set)},
                "inclusionProof": {
                    "logIndex": "0",
                    "rootHash": BASE64.encode(root_hash),
                    "treeSize": "1",
                    "hashes": [],
                    "checkpoint": {"envelope": checkpoint},
                },
                "canonicalizedBody": BASE64.encode(&body),
            }],
        },
        "dsseEnvelope": envelope,
    });
    let since = jiff::Timestamp::from_second(now - 86_400)
        .unwrap()
        .to_string();
    let log = |key: &KeyPair, url: &str| {
        json!({
            "baseUrl": url,
            "hashAlgorithm": "SHA2_256",
            "publicKey": {
                "rawBytes": BASE64.encode(key.subject_public_key_info()),
                "keyDetails": "PKIX_ECDSA_P256_SHA_256",
                "validFor": {"start": since},
            },
            "logId": {"keyId": BASE64.encode(key_id(key))},
        })
    };
    let root = json!({
        "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
        "tlogs": [log(&rekor_key, "https://rekor.test")],
        "ctlogs": [log(&ct_key, "https://ctfe.test")],
        "certificateAuthorities": [{
            "subject": {"organization": "test", "commonName": "test-fulcio"},
            "uri": "https://fulcio.test",
            "certChain": {"certificates": [{"rawBytes": BASE64.encode(ca_cert.der())}]},
            "validFor": {"start": since},
        }],
    });
    Signed {
        trusted_root: serde_json::to_vec(&root).unwrap(),
        bundle: serde_json::to_vec(&bundle).unwrap(),
    }
}
