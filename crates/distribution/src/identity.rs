//! Keyless identities: whom a Fulcio certificate must name for the gate to
//! trust a keyless signature. An identity is the certificate's subject
//! alternative name (a GitHub Actions workflow URI, an e-mail, …), exact or
//! as a regular expression, together with the OIDC issuer that vouched for
//! it (Fulcio's issuer extension), as `cosign verify
//! --certificate-identity[-regexp] --certificate-oidc-issuer` takes them.
//!
//! In the gate's config: `[[trust.keyless]]` with `identity` (or
//! `identity_regexp`) and `issuer`.

use const_oid::ObjectIdentifier;
use serde::Deserialize;
use sigstore::bundle::verify::policy::{PolicyError, VerificationPolicy};
use x509_cert::der::Decode;
use x509_cert::der::asn1::Utf8StringRef;
use x509_cert::ext::pkix::SubjectAltName;
use x509_cert::ext::pkix::name::GeneralName;

/// Fulcio's OIDC issuer extension, v1: the raw issuer string.
const ISSUER_V1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.1.1");
/// Fulcio's OIDC issuer extension, v2: a DER UTF8String.
const ISSUER_V2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.1.8");
/// Fulcio's "other name" SAN type (a username).
const OTHERNAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.1.7");

/// `[[trust.keyless]]` as written in the config.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct KeylessEntry {
    /// The exact certificate identity (subject alternative name).
    #[serde(default)]
    pub identity: Option<String>,
    /// A regular expression the whole identity must match.
    #[serde(default)]
    pub identity_regexp: Option<String>,
    /// The OIDC issuer, exactly.
    pub issuer: String,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum IdentityError {
    #[error("a keyless identity needs exactly one of identity and identity_regexp")]
    OneOf,
    #[error("identity_regexp {pattern:?}: {message}")]
    Regex { pattern: String, message: String },
    #[error("a keyless identity needs its OIDC issuer")]
    NoIssuer,
}

#[derive(Debug, Clone)]
enum Subject {
    Exact(String),
    Pattern(regex::Regex),
}

/// A trusted keyless identity.
#[derive(Debug, Clone)]
pub struct KeylessIdentity {
    subject: Subject,
    issuer: String,
}

impl KeylessIdentity {
    pub fn new(entry: &KeylessEntry) -> Result<KeylessIdentity, IdentityError> {
        if entry.issuer.is_empty() {
            return Err(IdentityError::NoIssuer);
        }
        let subject = match (&entry.identity, &entry.identity_regexp) {
            (Some(id), None) => Subject::Exact(id.clone()),
            (None, Some(re)) => {
                // Anchored: the pattern describes the whole identity, as
                // cosign's `--certificate-identity-regexp` is used in practice
                // (`^https://github.com/ORG/REPO/...$`).
                let anchored = format!("^(?:{re})$");
                Subject::Pattern(regex::Regex::new(&anchored).map_err(|e| {
                    IdentityError::Regex {
                        pattern: re.clone(),
                        message: e.to_string(),
                    }
                })?)
            }
            _ => return Err(IdentityError::OneOf),
        };
        Ok(KeylessIdentity {
            subject,
            issuer: entry.issuer.clone(),
        })
    }

    /// How refusals and `signed_by` name it.
    pub fn describe(&self) -> String {
        match &self.subject {
            Subject::Exact(s) => format!("{s} (issuer {})", self.issuer),
            Subject::Pattern(re) => format!("/{}/ (issuer {})", re.as_str(), self.issuer),
        }
    }

    fn matches(&self, name: &str) -> bool {
        match &self.subject {
            Subject::Exact(s) => s == name,
            Subject::Pattern(re) => re.is_match(name),
        }
    }
}

/// What a Fulcio certificate says about its holder.
#[derive(Debug, Clone, PartialEq)]
pub struct CertIdentity {
    /// The subject alternative names (URIs, e-mails, Fulcio other names).
    pub names: Vec<String>,
    pub issuer: Option<String>,
}

impl CertIdentity {
    pub fn of(cert: &x509_cert::Certificate) -> CertIdentity {
        let extensions = cert
            .tbs_certificate()
            .extensions()
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let mut issuer = None;
        let mut names = Vec::new();
        for ext in extensions {
            let value = ext.extn_value.as_bytes();
            if ext.extn_id == ISSUER_V2 {
                if let Ok(s) = Utf8StringRef::from_der(value) {
                    issuer = Some(s.as_str().to_string());
                }
            } else if ext.extn_id == ISSUER_V1 && issuer.is_none() {
                issuer = std::str::from_utf8(value).ok().map(str::to_string);
            } else if ext.extn_id == const_oid::db::rfc5280::ID_CE_SUBJECT_ALT_NAME
                && let Ok(san) = SubjectAltName::from_der(value)
            {
                for name in &san.0 {
                    match name {
                        GeneralName::Rfc822Name(n) => names.push(n.as_str().to_string()),
                        GeneralName::UniformResourceIdentifier(n) => {
                            names.push(n.as_str().to_string())
                        }
                        GeneralName::OtherName(n) if n.type_id == OTHERNAME => {
                            if let Ok(s) = std::str::from_utf8(n.value.value()) {
                                names.push(s.to_string());
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        CertIdentity { names, issuer }
    }

    pub fn describe(&self) -> String {
        format!(
            "{} (issuer {})",
            self.names.join(", "),
            self.issuer.as_deref().unwrap_or("none")
        )
    }
}

/// Any of a set of trusted identities: sigstore's verifier calls this with
/// the signing certificate once its chain is verified.
pub struct AnyIdentity<'a>(pub &'a [KeylessIdentity]);

impl AnyIdentity<'_> {
    /// The identity that `cert` satisfies.
    pub fn matching(&self, cert: &CertIdentity) -> Option<&KeylessIdentity> {
        self.0.iter().find(|id| {
            cert.issuer.as_deref() == Some(id.issuer.as_str())
                && cert.names.iter().any(|n| id.matches(n))
        })
    }
}

impl VerificationPolicy for AnyIdentity<'_> {
    fn verify(&self, cert: &x509_cert::Certificate) -> Result<(), PolicyError> {
        let found = CertIdentity::of(cert);
        if self.matching(&found).is_some() {
            return Ok(());
        }
        Err(PolicyError::ExtensionCheckFailed {
            extension: "identity".into(),
            expected: self
                .0
                .iter()
                .map(KeylessIdentity::describe)
                .collect::<Vec<_>>()
                .join(" or "),
            actual: found.describe(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(identity: Option<&str>, re: Option<&str>, issuer: &str) -> KeylessIdentity {
        KeylessIdentity::new(&KeylessEntry {
            identity: identity.map(str::to_string),
            identity_regexp: re.map(str::to_string),
            issuer: issuer.into(),
        })
        .unwrap()
    }

    #[test]
    fn exact_and_anchored_patterns() {
        const GH: &str = "https://token.actions.githubusercontent.com";
        let cert = CertIdentity {
            names: vec![
                "https://github.com/o/r/.github/workflows/release.yml@refs/tags/v1.2.0".into(),
            ],
            issuer: Some(GH.into()),
        };
        let exact = [id(Some(&cert.names[0]), None, GH)];
        assert!(AnyIdentity(&exact).matching(&cert).is_some());
        let pattern = [id(
            None,
            Some(r"https://github\.com/o/r/\.github/workflows/release\.yml@refs/tags/v.*"),
            GH,
        )];
        assert!(AnyIdentity(&pattern).matching(&cert).is_some());
        // Another issuer, a pattern that only matches a prefix, another repo.
        let issuer = [id(
            Some(&cert.names[0]),
            None,
            "https://accounts.google.com",
        )];
        assert!(AnyIdentity(&issuer).matching(&cert).is_none());
        let prefix = [id(None, Some("https://github.com/o/r"), GH)];
        assert!(AnyIdentity(&prefix).matching(&cert).is_none());
        let other = [id(None, Some(r"https://github\.com/o/other/.*"), GH)];
        assert!(AnyIdentity(&other).matching(&cert).is_none());
    }

    #[test]
    fn config_errors() {
        let e = |identity: Option<&str>, re: Option<&str>, issuer: &str| {
            KeylessIdentity::new(&KeylessEntry {
                identity: identity.map(str::to_string),
                identity_regexp: re.map(str::to_string),
                issuer: issuer.into(),
            })
            .unwrap_err()
        };
        assert_eq!(e(None, None, "i"), IdentityError::OneOf);
        assert_eq!(e(Some("a"), Some("b"), "i"), IdentityError::OneOf);
        assert_eq!(e(Some("a"), None, ""), IdentityError::NoIssuer);
        assert!(matches!(
            e(None, Some("("), "i"),
            IdentityError::Regex { .. }
        ));
    }
}
