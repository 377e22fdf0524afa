//! The gate's integration tests, one module per area, linked into one test
//! binary: each binary links wasmtime, Cranelift and the whole gate, and
//! linking them once instead of once per area is most of a cold build's
//! link time. Run one area with `cargo test -p clawlaw --test gate registry::`.

mod common;

mod author;
mod bundled;
mod cache_auth;
mod cache_budget;
mod ci_example;
mod cli;
mod console;
mod cosign_v3;
mod demo;
mod embed;
mod evidence;
mod front;
mod gate_api;
mod governance;
mod hook;
mod hook_gate;
mod kinds;
mod local_store;
mod logging;
mod mcp;
mod notify;
mod one_shot;
mod pooled;
mod redaction;
mod registry;
mod reload;
mod review_cli;
mod sandbox;
mod scale_out;
mod scripts;
mod session_parts;
mod tls;
mod token_file;
