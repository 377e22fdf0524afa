//! A policy set's registry references, resolved to verified components on
//! disk: what the gate does at start and on every reload before it compiles
//! anything.

use clawlaw_distribution::{Distribution, Fetched, PolicyRef, Refusal, RefusalKind};
use clawlaw_engine::policy_set::PolicySet;
use clawlaw_engine::spec::SetSpec;

/// A spec whose registry policies point at verified local files.
pub struct Resolved {
    pub spec: SetSpec,
    /// One per registry policy, in the spec's order.
    pub fetched: Vec<Fetched>,
    /// References the registry refused or could not serve, for which the
    /// last verified artifact in the store was used instead (start-up only).
    pub fallbacks: Vec<Refusal>,
}

/// The registry references `spec` names, in order. A reference that does not
/// parse (the config checked them all) is left out here and refused by
/// [`resolve`].
pub fn registry_references(spec: &SetSpec) -> impl Iterator<Item = PolicyRef> + '_ {
    spec.policies
        .iter()
        .filter_map(|p| p.origin.as_ref())
        .filter_map(|o| PolicyRef::parse(&o.reference).ok())
}

/// Pulls and verifies every registry policy of `spec`. With `fallback`, a
/// reference that is refused is served from the verified store when it
/// holds an earlier accepted artifact (the gate's start: better the last
/// verified set than none); without, any refusal refuses the whole set
/// (a reload: the set already serving stays).
pub async fn resolve(
    dist: &Distribution,
    spec: &SetSpec,
    fallback: bool,
) -> Result<Resolved, Refusal> {
    let mut out = spec.clone();
    let mut fetched = Vec::new();
    let mut fallbacks = Vec::new();
    for p in out.policies.iter_mut() {
        let Some(origin) = &mut p.origin else {
            continue;
        };
        let reference = PolicyRef::parse(&origin.reference).map_err(|e| Refusal {
            reference: origin.reference.clone(),
            kind: RefusalKind::Malformed,
            message: e.to_string(),
        })?;
        let f = match dist.fetch(&reference).await {
            Ok(f) => f,
            Err(refusal) if fallback => match dist.cached(&reference) {
                Ok(f) => {
                    tracing::warn!(
                        reference = %origin.reference, digest = %f.digest,
                        version = f.version.as_deref().unwrap_or("?"), %refusal,
                        "starting from the verified store: the registry could not serve a verified artifact"
                    );
                    fallbacks.push(refusal);
                    f
                }
                Err(_) => return Err(refusal),
            },
            Err(refusal) => return Err(refusal),
        };
        p.path = f.component.clone();
        origin.digest = Some(f.digest.clone());
        origin.version = f.version.clone();
        fetched.push(f);
    }
    Ok(Resolved {
        spec: out,
        fetched,
        fallbacks,
    })
}

/// The version a component declares must be the version its signed
/// manifest announced (the annotation the downgrade check relied on).
pub fn check_versions(set: &PolicySet, resolved: &Resolved) -> Result<(), Refusal> {
    for (status, spec) in set.policies().iter().zip(&resolved.spec.policies) {
        let Some(origin) = &spec.origin else { continue };
        if origin.version.as_deref() != Some(status.id.version.as_str()) {
            return Err(Refusal {
                reference: origin.reference.to_string(),
                kind: RefusalKind::Malformed,
                message: format!(
                    "the signed manifest says version {}, the component calls itself {} {}",
                    origin.version.as_deref().unwrap_or("(none)"),
                    status.id.name,
                    status.id.version
                ),
            });
        }
    }
    Ok(())
}
