//! Distribution: policies as signed OCI artifacts. Publishing (push, sign),
//! and the gate's verified pulls of the references in its config.
//!
//! - [`reference`] names an artifact: `oci://registry/repository:tag|@digest`;
//! - [`registry`] is the OCI registry client (credentials, insecure hosts);
//! - [`artifact`] is the CNCF Wasm artifact layout;
//! - [`keys`], [`signature`] and [`trust`] are cosign key files, signatures,
//!   and whom the gate trusts;
//! - [`store`] keeps the verified artifacts on disk for restarts;
//! - [`fetch`] resolves, verifies, pulls and stores, or refuses with a reason;
//! - [`resolve`] does it for a whole policy set, at start and on reload.

pub mod artifact;
pub mod fetch;
pub mod keys;
pub mod reference;
pub mod registry;
pub mod resolve;
pub mod signature;
pub mod store;
pub mod trust;

pub use fetch::{Distribution, Fetched, Refusal, RefusalKind};
pub use reference::PolicyRef;
pub use registry::{Registry, RegistryEntry};
pub use trust::{TrustPolicy, TrustSection};
