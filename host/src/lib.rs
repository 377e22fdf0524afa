//! # clawlaw: the gate
//!
//! Evaluates every action an AI agent proposes, before it runs, against
//! policies compiled to WebAssembly components, and answers ALLOW, DENY or
//! ESCALATE. Follow one action through these modules:
//!
//! - [`action`]: the action as received, parsed and bounded;
//! - [`policy_set`]: the policies the gate runs, loaded from a [`config`]
//!   file, a directory or single components;
//! - [`policy`]: one policy, evaluated in a fresh [`sandbox`] on the shared
//!   [`engine`] under its [`limits`]; every failure is a [`fault`];
//! - [`combine`]: the policies' decisions folded into the gate's evaluation;
//! - [`gate`]: the whole path of one action — [`session`] composition and
//!   [`budget`]s, the policies, [`review`] on ESCALATE, the durable
//!   [`evidence`] record — behind the HTTP [`server`] with [`auth`] roles
//!   and [`metrics`].

pub mod action;
pub mod auth;
pub mod budget;
pub mod cache;
pub mod combine;
pub mod config;
pub mod contract;
pub mod distribution;
pub mod engine;
pub mod evidence;
pub mod fault;
pub mod gate;
pub mod gate_facts;
pub mod hook;
pub mod key_file;
pub mod limits;
pub mod metrics;
pub mod policy;
pub mod policy_set;
pub mod pool;
pub mod preinit;
pub mod redact;
pub mod reload;
pub mod review;
pub mod sandbox;
pub mod scripts;
pub mod server;
pub mod session;

pub use clawlaw_sdk::{Action, Decision, Session, Verdict};
