//! # clawlaw-mcp
//!
//! The MCP gateway: it sits between an MCP client (a desktop or IDE agent,
//! an agent framework) and one MCP server, relays their JSON-RPC both ways
//! and governs what crosses: every `tools/call` becomes an action that a
//! [`Governor`] judges before the server sees it.
//!
//! - [`framing`]: newline-delimited JSON-RPC over a byte stream, with a size cap;
//! - [`jsonrpc`]: reading just enough of a message to route it, and the
//!   error answers the relay gives;
//! - [`mapping`]: a `tools/call` as the actions it amounts to (`tool.call`,
//!   and for the well-known reference servers `file.read`/`file.write`/
//!   `file.delete`/`shell.exec`/`net.request`);
//! - [`pins`]: tool definitions pinned per server (a changed one is
//!   escalated until a human approves it);
//! - [`relay`]: the relay itself, and within it the path of one governed
//!   call (decide, escalate through `elicitation/create`, forward, record)
//!   and what it does to a `tools/list` result (changed tools marked,
//!   tools the governor judges denied outright hidden on request).
//!
//! The crate decides nothing: the [`Governor`] the binary gives it does
//! (policies in-process, or a remote gate). It must not depend on the gate,
//! the engine or the CLI. It fails closed: whatever goes wrong on the way
//! to a governed call — a governor that cannot answer, an upstream that
//! crashed or sent malformed JSON-RPC — is an error result naming the
//! cause, never a silent pass-through.

pub mod framing;
mod governor;
pub mod jsonrpc;
pub mod mapping;
pub mod pins;
pub mod relay;

pub use governor::{Decision, GovernError, Governor, ReviewOutcome};
pub use relay::{Relay, RelayConfig, RelayError};
