//! Transparency-log proofs in a Sigstore bundle: that Rekor logged this
//! signature, and when. `sigstore` 0.15's bundle verifier checks that the
//! entry's body matches the bundle but skips the rest (sigstore-rs#285);
//! this module does the rest, with sigstore's checkpoint and Merkle types:
//!
//! - the log is one the trusted root lists, valid at the entry's time;
//! - the **signed entry timestamp** (the log's promise) is the log key's
//!   signature over the canonical `{body, integratedTime, logID, logIndex}`;
//!   it is what vouches for the integrated time;
//! - the **inclusion proof** leads from the entry's leaf hash to the root
//!   hash of a **checkpoint** (signed tree head) that the same log key
//!   signed, for the same tree size and root;
//! - the integrated time is not in the future.
//!
//! That the integrated time falls within the signing certificate's
//! validity is the caller's check (it knows the certificate).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use jiff::Timestamp;
use sigstore::crypto::Signature;
use sigstore::rekor::models::InclusionProof;
use sigstore::rekor::models::checkpoint::SignedCheckpoint;
use sigstore_protobuf_specs::dev::sigstore::rekor::v1::TransparencyLogEntry;

use super::trusted_root::TrustedRoot;

/// How far in the future an integrated time may be (clock skew).
const MAX_SKEW_SECS: i64 = 300;

/// Why a log entry does not prove what it claims.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("transparency log entry {log_index}: {message}")]
pub struct TlogError {
    pub log_index: i64,
    pub message: String,
}

/// A verified log entry.
#[derive(Debug, Clone, PartialEq)]
pub struct LoggedAt {
    pub log_url: String,
    pub log_index: i64,
    /// When the log integrated the entry, as its signed timestamp says.
    pub integrated_time: Timestamp,
}

/// Verifies `entry` against the logs of `root`. `require_proof`: the bundle
/// version (v0.2 and later) requires an inclusion proof with a checkpoint.
pub fn verify_entry(
    entry: &TransparencyLogEntry,
    root: &TrustedRoot,
    require_proof: bool,
    now: Timestamp,
) -> Result<LoggedAt, TlogError> {
    let fail = |message: String| TlogError {
        log_index: entry.log_index,
        message,
    };
    if entry.log_index < 0 {
        return Err(fail("a negative log index".into()));
    }
    let integrated_time = Timestamp::from_second(entry.integrated_time)
        .map_err(|e| fail(format!("integrated time {}: {e}", entry.integrated_time)))?;
    if entry.integrated_time <= 0 {
        return Err(fail("no integrated time".into()));
    }
    if integrated_time.as_second() > now.as_second() + MAX_SKEW_SECS {
        return Err(fail(format!(
            "integrated time {integrated_time} is in the future"
        )));
    }
    let key_id = entry
        .log_id
        .as_ref()
        .map(|l| l.key_id.as_slice())
        .unwrap_or_default();
    let log = root.tlog(key_id, integrated_time).ok_or_else(|| {
        fail(format!(
            "log {} is not a transparency log the trusted root lists for {integrated_time}",
            BASE64.encode(key_id)
        ))
    })?;
    let key = log.verifier().map_err(fail)?;

    // The signed entry timestamp: the only thing that vouches for the
    // integrated time, which bounds the short-lived certificate's use.
    let promise = entry.inclusion_promise.as_ref().ok_or_else(|| {
        fail(
            "no signed entry timestamp (inclusion promise), so nothing vouches for its time".into(),
        )
    })?;
    let signed = format!(
        r#"{{"body":"{}","integratedTime":{},"logID":"{}","logIndex":{}}}"#,
        BASE64.encode(&entry.canonicalized_body),
        entry.integrated_time,
        hex::encode(key_id),
        entry.log_index
    );
    key.verify_signature(
        Signature::Raw(&promise.signed_entry_timestamp),
        signed.as_bytes(),
    )
    .map_err(|_| {
        fail(format!(
            "its signed entry timestamp does not verify with the key of {}",
            log.base_url
        ))
    })?;

    match &entry.inclusion_proof {
        Some(proof) => {
            let fail_proof = |m: String| fail(format!("inclusion proof: {m}"));
            let checkpoint = proof
                .checkpoint
                .as_ref()
                .filter(|c| !c.envelope.is_empty())
                .ok_or_else(|| fail_proof("no checkpoint".into()))?;
            let mut checkpoint: SignedCheckpoint =
                serde_json::from_value(serde_json::Value::String(checkpoint.envelope.clone()))
                    .map_err(|e| fail_proof(format!("checkpoint: {e}")))?;
            // Only signatures whose key hint names this log's key count.
            checkpoint
                .signatures
                .retain(|s| key_id.len() >= 4 && s.key_fingerprint == key_id[..4]);
            if checkpoint.signatures.is_empty() {
                return Err(fail_proof(format!(
                    "the checkpoint carries no signature by {}",
                    log.base_url
                )));
            }
            if proof.log_index < 0 || proof.tree_size <= proof.log_index {
                return Err(fail_proof(format!(
                    "index {} is not inside a tree of size {}",
                    proof.log_index, proof.tree_size
                )));
            }
            let hash32 = |h: &[u8]| -> Result<[u8; 32], TlogError> {
                h.try_into()
                    .map_err(|_| fail_proof(format!("a hash of {} bytes", h.len())))
            };
            let hashes = proof
                .hashes
                .iter()
                .map(|h| hash32(h))
                .collect::<Result<Vec<_>, _>>()?;
            InclusionProof::new(
                proof.log_index,
                hash32(&proof.root_hash)?,
                proof.tree_size as u64,
                hashes,
                Some(checkpoint),
            )
            .verify(&entry.canonicalized_body, &key)
            .map_err(|e| fail_proof(e.to_string()))?;
        }
        None if require_proof => {
            return Err(fail(
                "no inclusion proof (bundles from v0.2 on must carry one)".into(),
            ));
        }
        None => {}
    }
    Ok(LoggedAt {
        log_url: log.base_url.clone(),
        log_index: entry.log_index,
        integrated_time,
    })
}

/// Checks that a `dsse` entry's body describes this envelope: its payload
/// hash and its signature. (The keyless path gets the fuller check,
/// including the signing certificate, from sigstore's verifier.)
pub fn body_matches_dsse(
    entry: &TransparencyLogEntry,
    payload: &[u8],
    signature: &[u8],
) -> Result<(), TlogError> {
    let fail = |message: &str| TlogError {
        log_index: entry.log_index,
        message: message.to_string(),
    };
    let body: serde_json::Value = serde_json::from_slice(&entry.canonicalized_body)
        .map_err(|_| fail("its body is not JSON"))?;
    if body["kind"] != "dsse" || body["apiVersion"] != "0.0.1" {
        return Err(fail("its body is not a dsse 0.0.1 entry"));
    }
    let spec = &body["spec"];
    let payload_hash = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(payload));
    if spec["payloadHash"]["algorithm"] != "sha256"
        || spec["payloadHash"]["value"] != payload_hash.as_str()
    {
        return Err(fail("its body logs another payload"));
    }
    let logged = spec["signatures"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["signature"].as_str())
        .filter_map(|s| BASE64.decode(s).ok());
    if !logged.into_iter().any(|s| s == signature) {
        return Err(fail("its body logs another signature"));
    }
    Ok(())
}
