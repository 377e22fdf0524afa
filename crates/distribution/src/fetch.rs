//! Verified pulls: resolving a policy reference to a component the gate may
//! compile. The order is the point: the manifest is pulled by digest, its
//! signatures are verified against the trust policy, its version is checked
//! against the last one accepted (no downgrade), and only then is the
//! component pulled, checked against the signed layer digest and stored.
//! Nothing reaches the compiler before its signature verifies.
//!
//! Signatures are looked for in both of cosign's forms: v3's Sigstore
//! bundles as referrers (the referrers API or its `sha256-<hex>` index
//! tag) and v2's `sha256-<hex>.sig` image. Failing to fetch them is
//! `unreachable`, never `unsigned`: a registry that answers badly must not
//! look like one that holds no signature.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;

use super::artifact;
use super::bundle::Check;
use super::reference::PolicyRef;
use super::referrers;
use super::registry::RegistryEntry;
use super::registry::{Registry, RegistryError};
use super::signature::{self, Found, VerifyError};
use super::store::Store;
use super::trust::{TrustPolicy, TrustSection};

/// The largest component the gate pulls.
pub const MAX_COMPONENT_BYTES: usize = 64 << 20;

/// Why a reference was refused, as metrics label it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalKind {
    /// The registry could not be reached (or timed out).
    Unreachable,
    /// The registry refused the credentials.
    Auth,
    /// The reference, manifest or blob does not exist.
    NotFound,
    /// No signature exists for the manifest.
    Unsigned,
    /// Signatures exist, but not enough of them verify against trusted keys.
    Untrusted,
    /// A keyless signature by an identity (or issuer) the trust policy does
    /// not name.
    #[serde(rename = "untrusted-identity")]
    UntrustedIdentity,
    /// A signature whose transparency-log entry or proofs do not verify.
    #[serde(rename = "tlog-invalid")]
    TlogInvalid,
    /// A signed statement that is not a cosign signature (an attestation).
    #[serde(rename = "not-a-signature")]
    NotASignature,
    /// A keyless signature whose certificate does not chain to the trusted
    /// root (or has no valid SCT).
    #[serde(rename = "certificate-invalid")]
    CertificateInvalid,
    /// A bundle signature that does not verify over its envelope.
    #[serde(rename = "signature-invalid")]
    SignatureInvalid,
    /// A signed statement about another artifact.
    #[serde(rename = "wrong-digest")]
    WrongDigest,
    /// Content does not match the digest the signed manifest names.
    Tampered,
    /// The registry answered with something that is not a policy artifact.
    Malformed,
    /// The version is older than the one accepted before.
    Downgrade,
    /// The local verified store failed.
    Store,
}

impl RefusalKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RefusalKind::Unreachable => "unreachable",
            RefusalKind::Auth => "auth",
            RefusalKind::NotFound => "not_found",
            RefusalKind::Unsigned => "unsigned",
            RefusalKind::Untrusted => "untrusted",
            RefusalKind::UntrustedIdentity => "untrusted-identity",
            RefusalKind::TlogInvalid => "tlog-invalid",
            RefusalKind::NotASignature => "not-a-signature",
            RefusalKind::CertificateInvalid => "certificate-invalid",
            RefusalKind::SignatureInvalid => "signature-invalid",
            RefusalKind::WrongDigest => "wrong-digest",
            RefusalKind::Tampered => "tampered",
            RefusalKind::Malformed => "malformed",
            RefusalKind::Downgrade => "downgrade",
            RefusalKind::Store => "store",
        }
    }
}

impl From<Check> for RefusalKind {
    fn from(check: Check) -> RefusalKind {
        match check {
            Check::Bundle => RefusalKind::Malformed,
            Check::Certificate => RefusalKind::CertificateInvalid,
            Check::Identity => RefusalKind::UntrustedIdentity,
            Check::Signature => RefusalKind::SignatureInvalid,
            Check::Subject => RefusalKind::WrongDigest,
            Check::Predicate => RefusalKind::NotASignature,
            Check::Tlog => RefusalKind::TlogInvalid,
        }
    }
}

/// A reference the gate would not load, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Refusal {
    pub reference: String,
    pub kind: RefusalKind,
    pub message: String,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} refused ({}): {}",
            self.reference,
            self.kind.as_str(),
            self.message
        )
    }
}

impl std::error::Error for Refusal {}

/// A verified component, ready to compile.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub reference: PolicyRef,
    /// The manifest digest the signatures name.
    pub digest: String,
    pub version: Option<String>,
    pub component: PathBuf,
    pub signed_by: Vec<String>,
    /// Loaded from the verified store because the registry could not be used.
    pub from_cache: bool,
}

/// A registry error as a refusal of `r`.
pub fn refusal(r: &PolicyRef, e: RegistryError) -> Refusal {
    let kind = match &e {
        RegistryError::Unreachable { .. } => RefusalKind::Unreachable,
        RegistryError::Auth { .. } | RegistryError::Credentials { .. } => RefusalKind::Auth,
        RegistryError::NotFound { .. } => RefusalKind::NotFound,
        RegistryError::DigestMismatch { .. } => RefusalKind::Tampered,
        RegistryError::TooLarge { .. } | RegistryError::Garbage { .. } => RefusalKind::Malformed,
    };
    Refusal {
        reference: r.to_string(),
        kind,
        message: e.to_string(),
    }
}

/// Every signature stored for manifest `digest`, in both forms.
pub async fn find_signatures(
    registry: &Registry,
    r: &PolicyRef,
    digest: &str,
) -> Result<Vec<Found>, Refusal> {
    let unreachable = |e: RegistryError| {
        let mut refused = refusal(r, e);
        if refused.kind != RefusalKind::Auth {
            refused.kind = RefusalKind::Unreachable;
            refused.message = format!("fetching its signatures: {}", refused.message);
        }
        refused
    };
    let bundles = referrers::fetch(registry, r, digest)
        .await
        .map_err(unreachable)?;
    let legacy = signature::fetch(registry, r, digest)
        .await
        .map_err(unreachable)?;
    Ok(bundles
        .into_iter()
        .map(|bundle| Found::Bundle { bundle })
        .chain(legacy.into_iter().map(Found::Legacy))
        .collect())
}

/// Checks signatures against `trust`: the names of the signers, or the
/// refusal (its kind the furthest check a refused bundle reached).
pub fn check_signatures(
    trust: &TrustPolicy,
    r: &PolicyRef,
    digest: &str,
    found: &[Found],
) -> Result<Vec<String>, Refusal> {
    signature::verify(trust, digest, found).map_err(|e| {
        let kind = match &e {
            VerifyError::Unsigned { .. } => RefusalKind::Unsigned,
            VerifyError::Untrusted {
                failed: Some(check),
                verified: 0,
                ..
            } => RefusalKind::from(*check),
            VerifyError::Untrusted { .. } => RefusalKind::Untrusted,
        };
        Refusal {
            reference: r.to_string(),
            kind,
            message: e.to_string(),
        }
    })
}

/// Fetches the signatures of manifest `digest` and checks them against
/// `trust`: the signatures, and the names of the signers.
pub async fn verified_signatures(
    registry: &Registry,
    trust: &TrustPolicy,
    r: &PolicyRef,
    digest: &str,
) -> Result<(Vec<Found>, Vec<String>), Refusal> {
    let found = find_signatures(registry, r, digest).await?;
    let signed_by = check_signatures(trust, r, digest, &found)?;
    Ok((found, signed_by))
}

/// How to pull policies: registries and trust (keys made absolute), as a
/// config file describes them.
#[derive(Debug, Clone, Default)]
pub struct DistributionSpec {
    pub registries: Vec<RegistryEntry>,
    pub trust: TrustSection,
    pub timeout_secs: u64,
}

/// Registry, trust policy and verified store together.
pub struct Distribution {
    registry: Registry,
    trust: TrustPolicy,
    store: Store,
}

impl Distribution {
    pub fn new(registry: Registry, trust: TrustPolicy, store: Store) -> Distribution {
        Distribution {
            registry,
            trust,
            store,
        }
    }

    /// The distribution a spec's registries and trust describe, with its
    /// verified store in `store_dir`.
    pub fn from_spec(spec: &DistributionSpec, store_dir: &Path) -> Result<Distribution, String> {
        let trust = TrustPolicy::load(&spec.trust, Path::new(""))
            .map_err(|e| format!("{}: {e}", e.field()))?;
        let store = Store::open(store_dir)
            .map_err(|e| format!("the verified store {}: {e}", store_dir.display()))?;
        let registry = Registry::new(&spec.registries, Duration::from_secs(spec.timeout_secs));
        Ok(Distribution::new(registry, trust, store))
    }

    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    fn refuse(&self, r: &PolicyRef, kind: RefusalKind, message: impl Into<String>) -> Refusal {
        Refusal {
            reference: r.to_string(),
            kind,
            message: message.into(),
        }
    }

    /// The digest `r`'s tag points at now.
    pub async fn current_digest(&self, r: &PolicyRef) -> Result<String, Refusal> {
        self.registry.resolve(r).await.map_err(|e| refusal(r, e))
    }

    /// Pulls and verifies what `r` names now.
    pub async fn fetch(&self, r: &PolicyRef) -> Result<Fetched, Refusal> {
        let digest = self.current_digest(r).await?;
        if let Ok(stored) = self.store.load(&digest, &self.trust) {
            self.check_version(r, stored.version.as_deref())?;
            return Ok(Fetched {
                reference: r.clone(),
                digest,
                version: stored.version,
                component: stored.component,
                signed_by: stored.signed_by,
                from_cache: false,
            });
        }
        let manifest = self
            .registry
            .manifest(r, &digest)
            .await
            .map_err(|e| refusal(r, e))?;
        let parsed = artifact::parse(&manifest)
            .map_err(|e| self.refuse(r, RefusalKind::Malformed, e.to_string()))?;
        let (signatures, signed_by) =
            verified_signatures(&self.registry, &self.trust, r, &digest).await?;
        let version = parsed.version().map(str::to_string);
        self.check_version(r, version.as_deref())?;
        let component = self
            .registry
            .blob(r, &parsed.layer, MAX_COMPONENT_BYTES)
            .await
            .map_err(|e| refusal(r, e))?;
        let path = self
            .store
            .put(&digest, &manifest, &signatures, &component)
            .map_err(|e| self.refuse(r, RefusalKind::Store, e.to_string()))?;
        Ok(Fetched {
            reference: r.clone(),
            digest,
            version,
            component: path,
            signed_by,
            from_cache: false,
        })
    }

    /// The artifact last accepted for `r`, re-verified from the store
    /// without the registry.
    pub fn cached(&self, r: &PolicyRef) -> Result<Fetched, Refusal> {
        let accepted = self.store.accepted(r).ok_or_else(|| {
            self.refuse(
                r,
                RefusalKind::Store,
                format!(
                    "nothing verified is stored for it in {}",
                    self.store.dir().display()
                ),
            )
        })?;
        let stored = self
            .store
            .load(&accepted.digest, &self.trust)
            .map_err(|e| self.refuse(r, RefusalKind::Store, e))?;
        Ok(Fetched {
            reference: r.clone(),
            digest: stored.digest,
            version: stored.version,
            component: stored.component,
            signed_by: stored.signed_by,
            from_cache: true,
        })
    }

    /// Records that `f` now serves: its version becomes the floor.
    pub fn accept(&self, f: &Fetched) {
        if let Err(e) = self
            .store
            .accept(&f.reference, &f.digest, f.version.as_deref())
        {
            tracing::warn!(reference = %f.reference, error = %e, "could not record the accepted artifact");
        }
    }

    /// Refuses a version older than the one accepted before for `r`.
    fn check_version(&self, r: &PolicyRef, version: Option<&str>) -> Result<(), Refusal> {
        let Some(version) = version else {
            return Err(self.refuse(
                r,
                RefusalKind::Malformed,
                format!("the manifest has no {} annotation", artifact::VERSION),
            ));
        };
        let Some(floor) = self.store.accepted(r).and_then(|a| a.version) else {
            return Ok(());
        };
        if floor == version {
            return Ok(());
        }
        match (semver::Version::parse(version), semver::Version::parse(&floor)) {
            (Ok(new), Ok(old)) if new < old => Err(self.refuse(
                r,
                RefusalKind::Downgrade,
                format!("version {new} is older than {old}, which this gate already accepted"),
            )),
            (Ok(_), Ok(_)) => Ok(()),
            _ => Err(self.refuse(
                r,
                RefusalKind::Downgrade,
                format!(
                    "cannot order version {version:?} against {floor:?} (not semver), so cannot rule out a downgrade"
                ),
            )),
        }
    }
}
