//! Policy references: `oci://registry/repository:tag` or `…@sha256:<hex>`,
//! as the gate's config and the CLI name an artifact.

use std::fmt;

use oci_client::Reference;

/// The scheme prefix the config uses to tell a registry reference from a path.
pub const SCHEME: &str = "oci://";

/// A reference to a policy artifact in a registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyRef {
    inner: Reference,
}

#[derive(Debug, thiserror::Error)]
#[error(
    "{input:?} is not an OCI reference ({reason}); expected oci://host[:port]/repository:tag or oci://host[:port]/repository@sha256:<64 hex>"
)]
pub struct RefError {
    pub input: String,
    pub reason: String,
}

impl PolicyRef {
    /// Parses `oci://host/repo:tag`, `oci://host/repo@sha256:…`, or the same
    /// without the scheme. The registry host must be explicit: a gate never
    /// guesses Docker Hub.
    pub fn parse(input: &str) -> Result<PolicyRef, RefError> {
        let err = |reason: &str| RefError {
            input: input.to_string(),
            reason: reason.to_string(),
        };
        let rest = input.strip_prefix(SCHEME).unwrap_or(input);
        let first = rest.split('/').next().unwrap_or("");
        if !rest.contains('/')
            || !(first.contains('.') || first.contains(':') || first == "localhost")
        {
            return Err(err("it does not start with a registry host"));
        }
        let inner: Reference = rest.parse().map_err(|e| err(&format!("{e}")))?;
        if let Some(d) = inner.digest() {
            let hex = d
                .strip_prefix("sha256:")
                .ok_or_else(|| err("only sha256 digests are accepted"))?;
            if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(err("the digest is not sha256:<64 hex digits>"));
            }
        }
        Ok(PolicyRef { inner })
    }

    /// The registry host (with port).
    pub fn registry(&self) -> &str {
        self.inner.resolve_registry()
    }

    pub fn repository(&self) -> &str {
        self.inner.repository()
    }

    pub fn tag(&self) -> Option<&str> {
        self.inner.tag()
    }

    /// The pinned digest, when the reference names one.
    pub fn digest(&self) -> Option<&str> {
        self.inner.digest()
    }

    /// The same repository, pinned to `digest`.
    pub fn at_digest(&self, digest: &str) -> PolicyRef {
        PolicyRef {
            inner: Reference::with_digest(
                self.registry().to_string(),
                self.repository().to_string(),
                digest.to_string(),
            ),
        }
    }

    /// The same repository, at `tag`.
    pub fn at_tag(&self, tag: &str) -> PolicyRef {
        PolicyRef {
            inner: Reference::with_tag(
                self.registry().to_string(),
                self.repository().to_string(),
                tag.to_string(),
            ),
        }
    }

    /// Where cosign keeps the signatures of the manifest `digest`:
    /// the tag `sha256-<hex>.sig` in the same repository.
    pub fn signature_ref(&self, digest: &str) -> PolicyRef {
        self.at_tag(&format!("{}.sig", digest.replace(':', "-")))
    }

    /// `registry/repository`, without tag or digest: what identifies the
    /// policy across versions (downgrade checks, the verified store).
    pub fn repository_key(&self) -> String {
        format!("{}/{}", self.registry(), self.repository())
    }

    pub fn oci(&self) -> &Reference {
        &self.inner
    }
}

impl fmt::Display for PolicyRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{SCHEME}{}", self.inner.whole())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn tags_and_digests() {
        let r = PolicyRef::parse("oci://127.0.0.1:5000/clawlaw/fs-boundary:v1").unwrap();
        assert_eq!(r.registry(), "127.0.0.1:5000");
        assert_eq!(r.repository(), "clawlaw/fs-boundary");
        assert_eq!(r.tag(), Some("v1"));
        assert_eq!(r.digest(), None);
        assert_eq!(r.to_string(), "oci://127.0.0.1:5000/clawlaw/fs-boundary:v1");
        assert_eq!(r.repository_key(), "127.0.0.1:5000/clawlaw/fs-boundary");

        let pinned = PolicyRef::parse(&format!("harbor.example.com/p/x@{D}")).unwrap();
        assert_eq!(pinned.digest(), Some(D));
        assert_eq!(
            r.signature_ref(D).tag(),
            Some("sha256-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.sig")
        );
        assert_eq!(r.at_digest(D).digest(), Some(D));
    }

    #[test]
    fn refuses_what_is_not_a_registry_reference() {
        for bad in [
            "fs-boundary:v1",
            "oci://library/fs:v1",
            "oci://",
            "oci://127.0.0.1:5000/x@sha256:abc",
            "oci://127.0.0.1:5000/x@md5:0123456789abcdef0123456789abcdef",
            "oci://127.0.0.1:5000/UPPER:v1",
        ] {
            let e = PolicyRef::parse(bad).unwrap_err();
            assert!(e.to_string().contains("expected oci://"), "{bad}: {e}");
        }
    }
}
