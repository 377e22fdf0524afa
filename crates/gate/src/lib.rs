//! # clawlaw-gate
//!
//! The gate service on top of `clawlaw-engine`: what turns a policy engine
//! into a governance gate that agents cannot bypass.
//!
//! It owns sessions and their composition ([`session`], [`budget`]),
//! human review of ESCALATEs ([`review`]), the durable, hash-chained
//! [`evidence`] log, the [`store`] it lives in (the local log, or PostgreSQL
//! shared by replicas), and the [`redact`]ion of secrets before anything is
//! stored, the gate's configuration file ([`config`]) and what the gate
//! tells policies about itself ([`gate_facts`]), hot reload of the policy
//! set from files or signed registry artifacts ([`reload`], [`resolve`]),
//! the threads evaluations run on ([`evaluators`]), and the HTTP API
//! ([`server`], with [`auth`] roles and [`metrics`]).
//!
//! It depends on `clawlaw-engine` (evaluation), `clawlaw-distribution`
//! (verified pulls) and `clawlaw-hooks` (agents' hook payloads); none of
//! them depends on it, and it must not depend on the command line.
//!
//! ## Follow one action
//!
//! [`server`] (the HTTP route) → [`gate`] (session, budgets, the policy set,
//! review, evidence) → `clawlaw_engine::policy_set` and
//! `clawlaw_engine::policy` (the sandboxed evaluations, on the
//! [`evaluators`]' threads) →
//! `clawlaw_engine::combine` → [`evidence`] (the record, committed before
//! the answer).

pub mod auth;
pub mod budget;
pub mod config;
pub mod evaluators;
pub mod evidence;
pub mod gate;
pub mod gate_facts;
pub mod mcp_config;
pub mod mcp_governor;
pub mod metrics;
pub mod notify;
pub mod redact;
pub mod reload;
pub mod resolve;
pub mod review;
pub mod scripts;
pub mod server;
pub mod session;
pub mod store;
