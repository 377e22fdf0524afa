//! # clawlaw-distribution
//!
//! Policies as signed OCI artifacts. Publishing (push, sign),
//! and the gate's verified pulls of the references in its config.
//!
//! - [`reference`](mod@reference) names an artifact: `oci://registry/repository:tag|@digest`;
//! - [`registry`] is the OCI registry client (credentials, insecure hosts);
//! - [`artifact`] is the CNCF Wasm artifact layout;
//! - [`keys`], [`signature`] and [`trust`] are cosign key files, signatures,
//!   and whom the gate trusts;
//! - [`bundle`], [`tlog`], [`identity`] and [`trusted_root`] verify cosign v3's
//!   Sigstore bundles: key-based or keyless (Fulcio identity, Rekor proofs);
//! - [`store`] keeps the verified artifacts on disk for restarts;
//! - [`fetch`] resolves, verifies, pulls and stores, or refuses with a reason.
//!
//! This crate knows nothing of policies' contents or of the engine that runs
//! them: it hands verified component bytes on disk to whoever asked
//! (`clawlaw-gate` at start and reload, the CLI's `eval` and `policy`
//! commands). It must not depend on `clawlaw-engine` or `clawlaw-gate`.

pub mod artifact;
pub mod bundle;
pub mod fetch;
pub mod identity;
pub mod keys;
pub mod reference;
pub mod referrers;
pub mod registry;
pub mod signature;
pub mod store;
#[cfg(feature = "test-support")]
pub mod testing;
pub mod tlog;
pub mod trust;
pub mod trusted_root;

pub use fetch::{Distribution, DistributionSpec, Fetched, Refusal, RefusalKind};
pub use reference::PolicyRef;
pub use registry::{Registry, RegistryEntry};
pub use trust::{TrustPolicy, TrustSection};
