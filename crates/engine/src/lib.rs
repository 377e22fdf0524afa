//! # clawlaw-engine
//!
//! The policy engine: it loads policies compiled to WebAssembly components
//! against the `clawlaw:policy` WIT contract, runs each in a sandbox that
//! trusts nothing the component does, and combines their decisions into one
//! ALLOW, DENY or ESCALATE.
//!
//! It owns loading (compile, the sealed compile cache, pre-initialised
//! snapshots), the sandbox (memory, fuel, deadline, output and log limits; a
//! WASI that grants nothing), evaluation (fresh or pooled instances) and the
//! combination of decisions. It must not depend on an async runtime, HTTP,
//! sessions, evidence or distribution: those are `clawlaw-gate`'s and
//! `clawlaw-distribution`'s, which build on this crate. Its only clawlaw
//! dependency is the SDK's types (`clawlaw-sdk`).
//!
//! ## Embedding
//!
//! ```no_run
//! use clawlaw_engine::policy_set::{OnLoadError, PolicySet, engine_for};
//! use clawlaw_engine::spec::{PolicySpec, SetSpec};
//! use clawlaw_engine::{Action, Session, Verdict};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // One policy component, its settings as JSON; default limits and engine.
//! let spec = SetSpec {
//!     policies: vec![PolicySpec {
//!         settings: r#"{"roots": ["/work/app"]}"#.into(),
//!         ..PolicySpec::component("target/policies/fs_boundary.wasm")
//!     }],
//!     ..SetSpec::default()
//! };
//! let engine = engine_for(&spec.engine)?;
//! let set = PolicySet::load(&engine, &spec, OnLoadError::Refuse)?;
//!
//! let action = Action::write("/etc/passwd", "root::0:0::/root:/bin/sh\n");
//! let evaluation = set.evaluate(&action, &Session::default());
//! assert_eq!(evaluation.evaluation, Verdict::Deny);
//! println!("{}", evaluation.reason);
//! # Ok(())
//! # }
//! ```
//!
//! ## Modules, in the order an action meets them
//!
//! - [`spec`]: what a set is made of; [`action`]: an action's bytes parsed
//!   and bounded;
//! - [`policy_set`]: the loaded policies, evaluated in order;
//! - [`policy`]: one policy, instantiated per evaluation in a [`sandbox`]
//!   (or taken from its [`pool`]) on the shared [`engine`], under its
//!   [`limits`], through the [`contract`]'s bindings; every failure is a
//!   [`fault`];
//! - [`combine`]: the decisions folded into one [`combine::Evaluation`];
//! - loading: [`cache`] (sealed with a key from a [`key_file`]) and
//!   [`preinit`] snapshots.

pub mod action;
pub mod cache;
pub mod combine;
pub mod contract;
pub mod engine;
pub mod fault;
pub mod key_file;
pub mod limits;
pub mod policy;
pub mod policy_set;
pub mod pool;
pub mod preinit;
pub mod sandbox;
pub mod spec;

pub use clawlaw_sdk::{Action, Decision, Session, Verdict};
