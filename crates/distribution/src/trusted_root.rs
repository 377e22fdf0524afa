//! The Sigstore trusted root a keyless signature is checked against: a
//! local `trusted_root.json` (`application/vnd.dev.sigstore.trustedroot+json`,
//! the file `cosign verify --trusted-root` reads and the Sigstore TUF
//! repository distributes), so an air-gapped gate needs no network.
//!
//! It names the Fulcio certificate authorities (certificate chains), the
//! transparency logs (Rekor keys) and the certificate-transparency logs (CT
//! keys for the SCT), each with the period it was valid for. Lookups take the
//! signing time: a key or CA outside its validity period does not count.

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use jiff::Timestamp;
use serde::Deserialize;
use sigstore::crypto::{CosignVerificationKey, SigningScheme};

/// The largest trusted root file read.
const MAX_TRUSTED_ROOT_BYTES: u64 = 1 << 20;

#[derive(Debug, thiserror::Error)]
pub enum TrustedRootError {
    #[error("{path}: {message}")]
    Read { path: String, message: String },
    #[error("not a Sigstore trusted root: {0}")]
    Format(String),
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RootFile {
    #[serde(default)]
    tlogs: Vec<LogFile>,
    #[serde(default)]
    certificate_authorities: Vec<CaFile>,
    #[serde(default)]
    ctlogs: Vec<LogFile>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LogFile {
    #[serde(default)]
    base_url: String,
    public_key: PublicKeyFile,
    log_id: LogIdFile,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PublicKeyFile {
    raw_bytes: String,
    #[serde(default)]
    key_details: String,
    #[serde(default)]
    valid_for: Option<ValidForFile>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LogIdFile {
    key_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ValidForFile {
    #[serde(default)]
    start: Option<Timestamp>,
    #[serde(default)]
    end: Option<Timestamp>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CaFile {
    #[serde(default)]
    uri: String,
    cert_chain: CertChainFile,
    #[serde(default)]
    valid_for: Option<ValidForFile>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CertChainFile {
    certificates: Vec<RawBytes>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawBytes {
    raw_bytes: String,
}

/// When a key or CA may be used. Open ends are unbounded.
#[derive(Debug, Clone, Copy, Default)]
pub struct Validity {
    pub start: Option<Timestamp>,
    pub end: Option<Timestamp>,
}

impl Validity {
    pub fn contains(&self, at: Timestamp) -> bool {
        self.start.is_none_or(|s| s <= at) && self.end.is_none_or(|e| at <= e)
    }
}

/// A transparency log's (or CT log's) key.
#[derive(Debug, Clone)]
pub struct LogKey {
    pub base_url: String,
    /// The log id: SHA-256 of the DER public key, as entries name it.
    pub key_id: Vec<u8>,
    /// The DER SubjectPublicKeyInfo.
    pub spki_der: Vec<u8>,
    pub key_details: String,
    pub valid: Validity,
}

impl LogKey {
    /// The key as a verifier.
    pub fn verifier(&self) -> Result<CosignVerificationKey, String> {
        let key = match self.key_details.as_str() {
            "PKIX_ECDSA_P256_SHA_256" => CosignVerificationKey::from_der(
                &self.spki_der,
                &SigningScheme::ECDSA_P256_SHA256_ASN1,
            ),
            "PKIX_ECDSA_P384_SHA_384" => CosignVerificationKey::from_der(
                &self.spki_der,
                &SigningScheme::ECDSA_P384_SHA384_ASN1,
            ),
            _ => CosignVerificationKey::try_from_der(&self.spki_der),
        };
        key.map_err(|e| format!("the key of log {}: {e}", self.base_url))
    }
}

/// A Fulcio certificate authority: its chain, leaf-most first.
#[derive(Debug, Clone)]
pub struct CertificateAuthority {
    pub uri: String,
    pub certificates: Vec<Vec<u8>>,
    pub valid: Validity,
}

/// A loaded trusted root.
#[derive(Debug, Clone)]
pub struct TrustedRoot {
    pub tlogs: Vec<LogKey>,
    pub ctlogs: Vec<LogKey>,
    pub authorities: Vec<CertificateAuthority>,
}

fn b64(what: &str, s: &str) -> Result<Vec<u8>, TrustedRootError> {
    BASE64
        .decode(s)
        .map_err(|e| TrustedRootError::Format(format!("{what}: {e}")))
}

fn validity(v: Option<ValidForFile>) -> Validity {
    v.map_or_else(Validity::default, |v| Validity {
        start: v.start,
        end: v.end,
    })
}

fn logs(files: Vec<LogFile>, what: &str) -> Result<Vec<LogKey>, TrustedRootError> {
    files
        .into_iter()
        .map(|l| {
            Ok(LogKey {
                key_id: b64(&format!("{what} {} logId", l.base_url), &l.log_id.key_id)?,
                spki_der: b64(
                    &format!("{what} {} publicKey", l.base_url),
                    &l.public_key.raw_bytes,
                )?,
                key_details: l.public_key.key_details,
                valid: validity(l.public_key.valid_for),
                base_url: l.base_url,
            })
        })
        .collect()
}

impl TrustedRoot {
    pub fn from_json(bytes: &[u8]) -> Result<TrustedRoot, TrustedRootError> {
        let file: RootFile =
            serde_json::from_slice(bytes).map_err(|e| TrustedRootError::Format(e.to_string()))?;
        let authorities = file
            .certificate_authorities
            .into_iter()
            .map(|ca| {
                let certificates = ca
                    .cert_chain
                    .certificates
                    .iter()
                    .map(|c| b64(&format!("certificate authority {}", ca.uri), &c.raw_bytes))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(CertificateAuthority {
                    uri: ca.uri,
                    certificates,
                    valid: validity(ca.valid_for),
                })
            })
            .collect::<Result<Vec<_>, TrustedRootError>>()?;
        let root = TrustedRoot {
            tlogs: logs(file.tlogs, "tlog")?,
            ctlogs: logs(file.ctlogs, "ctlog")?,
            authorities,
        };
        if root.authorities.is_empty() && root.tlogs.is_empty() {
            return Err(TrustedRootError::Format(
                "it lists no certificate authority and no transparency log".into(),
            ));
        }
        Ok(root)
    }

    pub fn load(path: &Path) -> Result<TrustedRoot, TrustedRootError> {
        let read_err = |message: String| TrustedRootError::Read {
            path: path.display().to_string(),
            message,
        };
        let len = std::fs::metadata(path)
            .map_err(|e| read_err(e.to_string()))?
            .len();
        if len > MAX_TRUSTED_ROOT_BYTES {
            return Err(read_err(format!(
                "larger than {MAX_TRUSTED_ROOT_BYTES} bytes"
            )));
        }
        let bytes = std::fs::read(path).map_err(|e| read_err(e.to_string()))?;
        TrustedRoot::from_json(&bytes).map_err(|e| read_err(e.to_string()))
    }

    /// The transparency log whose id is `key_id`, valid at `at`.
    pub fn tlog(&self, key_id: &[u8], at: Timestamp) -> Option<&LogKey> {
        self.tlogs
            .iter()
            .find(|l| l.key_id == key_id && l.valid.contains(at))
    }

    /// The DER certificates of the Fulcio CAs valid at `at`.
    pub fn fulcio_certificates(&self, at: Timestamp) -> Vec<&[u8]> {
        self.authorities
            .iter()
            .filter(|ca| ca.valid.contains(at))
            .flat_map(|ca| ca.certificates.iter().map(Vec::as_slice))
            .collect()
    }

    /// The CT logs' DER keys valid at `at`.
    pub fn ct_keys(&self, at: Timestamp) -> Vec<&LogKey> {
        self.ctlogs
            .iter()
            .filter(|l| l.valid.contains(at))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_public_good_root_and_honours_validity() {
        let root =
            TrustedRoot::from_json(include_bytes!("../tests/data/sigstore_trusted_root.json"))
                .unwrap();
        assert_eq!(root.tlogs.len(), 2);
        assert_eq!(root.authorities.len(), 2);
        let rekor_id = BASE64
            .decode("wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0=")
            .unwrap();
        let now: Timestamp = "2026-04-09T07:23:29Z".parse().unwrap();
        let log = root.tlog(&rekor_id, now).unwrap();
        assert_eq!(log.base_url, "https://rekor.sigstore.dev");
        // The log id is the SHA-256 of the key.
        assert_eq!(
            <sha2::Sha256 as sha2::Digest>::digest(&log.spki_der).as_slice(),
            rekor_id.as_slice()
        );
        log.verifier().unwrap();
        // Before the log existed, it is not trusted.
        assert!(
            root.tlog(&rekor_id, "2020-01-01T00:00:00Z".parse().unwrap())
                .is_none()
        );
        // The first Fulcio CA ended in 2022: in 2026 only the second counts.
        assert_eq!(root.fulcio_certificates(now).len(), 2);
        assert_eq!(
            root.fulcio_certificates("2022-06-01T00:00:00Z".parse().unwrap())
                .len(),
            3
        );
        assert!(TrustedRoot::from_json(b"{}").is_err());
        assert!(TrustedRoot::from_json(b"[1]").is_err());
    }
}
