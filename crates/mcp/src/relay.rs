//! The relay between one MCP client and one MCP server over stdio.
//!
//! Messages it does not govern cross as the bytes that arrived: requests,
//! responses, notifications (progress, cancellation, logging, list
//! changes), the server's own requests to the client (sampling, roots,
//! elicitation) and batches without a governed request in them. It reads
//! every message far enough to route it, and acts on four:
//!
//! - `initialize` (client): whether the client declared `elicitation`;
//! - `tools/call` (client): governed (`call`): decided before the server
//!   sees it, answered by the relay with an `isError` result when refused;
//! - the `tools/list` response (server): checked against the [`Pins`]
//!   (a changed tool's description is marked so the model sees it), and,
//!   with `hide_denied`, tools the policies deny outright left out
//!   (`listing`);
//! - responses to the relay's own `elicitation/create` requests (client).
//!
//! It fails closed: an upstream that exits or writes malformed JSON-RPC
//! gets every request still waiting on it answered with an error naming
//! the cause (a tool result with `isError` for `tools/call`), and later
//! requests are answered the same way. Lines over the size cap are
//! skipped unread; JSON that is not JSON-RPC is answered with an error.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncWrite, BufReader};
use tokio::sync::{mpsc, oneshot};

mod call;
mod listing;

use crate::framing::{Frame, FrameReader, write_frame};
use crate::governor::Governor;
use crate::jsonrpc::{self, INTERNAL_ERROR, INVALID_REQUEST, Kind, PARSE_ERROR, id_key};
use crate::pins::Pins;

/// How a relay runs.
#[derive(Debug)]
pub struct RelayConfig {
    /// The server's name in actions (`mcp__<server>__<tool>`).
    pub server: String,
    /// The pinned tool definitions; `None` turns pinning off.
    pub pins: Option<Pins>,
    /// The longest line read from either side; a longer one is skipped unread.
    pub max_message_bytes: usize,
    /// Put an ESCALATE to the human through the client's elicitation
    /// (when it declared the capability); off when the governor cannot
    /// record their answer as a review.
    pub elicit_reviews: bool,
    /// How long an `elicitation/create` waits for the human.
    pub elicitation_timeout: Duration,
    /// How long an ESCALATE waits for a reviewer when the client cannot be asked.
    pub review_timeout: Duration,
    /// The working directory actions carry (the relative paths' base).
    pub cwd: Option<String>,
    /// Leave out of `tools/list` results the tools the governor judges
    /// denied outright (a call with no arguments, now, would be DENY).
    pub hide_denied: bool,
}

/// Why a relay stopped other than by its client closing.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    #[error("reading from the MCP client: {0}")]
    Client(std::io::Error),
}

/// A relay for one MCP session, deciding through `G`.
pub struct Relay<G> {
    governor: G,
    config: RelayConfig,
}

/// A request forwarded to the server, waiting on its response.
#[derive(Debug)]
pub(crate) enum Pending {
    /// A governed call: its outcome is recorded under these action ids.
    ToolCall {
        id: Value,
        tool: String,
        action_ids: Vec<String>,
    },
    ToolsList {
        id: Value,
    },
    Other {
        id: Value,
    },
}

#[derive(Default)]
pub(crate) struct State {
    /// The client declared the `elicitation` capability.
    pub elicitation: bool,
    pub pending: HashMap<String, Pending>,
    /// Requests the relay answered itself: the server's late answer is dropped.
    pub abandoned: HashSet<String>,
    /// Calls being decided, and whether the client cancelled them.
    pub governing: HashMap<String, bool>,
    /// The relay's own elicitation requests, by id key.
    pub elicits: HashMap<String, oneshot::Sender<Value>>,
    pub counter: u64,
    /// Why the upstream can no longer be reached.
    pub upstream_gone: Option<String>,
    pub pins: Option<Pins>,
}

/// What the relay's tasks share.
pub(crate) struct Shared<G> {
    pub governor: G,
    pub server: String,
    pub cwd: Option<String>,
    pub elicit_reviews: bool,
    pub elicitation_timeout: Duration,
    pub review_timeout: Duration,
    pub hide_denied: bool,
    state: Mutex<State>,
    to_client: mpsc::Sender<Vec<u8>>,
    to_server: mpsc::Sender<Vec<u8>>,
}

impl<G: Governor> Relay<G> {
    pub fn new(governor: G, config: RelayConfig) -> Relay<G> {
        Relay { governor, config }
    }

    /// Relays until the client closes its side. `exited` resolves to why
    /// the server stopped (e.g. its exit status) once its output ended.
    pub async fn run<CI, CO, SI, SO, X>(
        self,
        client_in: CI,
        client_out: CO,
        server_in: SI,
        server_out: SO,
        exited: X,
    ) -> Result<(), RelayError>
    where
        CI: AsyncRead + Unpin + Send + 'static,
        CO: AsyncWrite + Unpin + Send + 'static,
        SI: AsyncWrite + Unpin + Send + 'static,
        SO: AsyncRead + Unpin + Send + 'static,
        X: Future<Output = String> + Send + 'static,
    {
        let cap = self.config.max_message_bytes;
        let (to_client, client_rx) = mpsc::channel(64);
        let (to_server, server_rx) = mpsc::channel(64);
        let shared = Arc::new(Shared {
            governor: self.governor,
            server: self.config.server,
            cwd: self.config.cwd,
            elicit_reviews: self.config.elicit_reviews,
            elicitation_timeout: self.config.elicitation_timeout,
            review_timeout: self.config.review_timeout,
            hide_denied: self.config.hide_denied,
            state: Mutex::new(State {
                pins: self.config.pins,
                ..State::default()
            }),
            to_client,
            to_server,
        });
        let client_writer = tokio::spawn(write_all(client_out, client_rx));
        let server_writer = tokio::spawn(write_all(server_in, server_rx));
        let upstream = {
            let shared = shared.clone();
            tokio::spawn(async move {
                let mut reader = FrameReader::new(BufReader::new(server_out), cap);
                loop {
                    match reader.next().await {
                        Ok(Frame::Line(line)) => shared.from_server(line).await,
                        Ok(Frame::Oversized { bytes }) => {
                            let cause = format!(
                                "the MCP server sent a message of {bytes} bytes, over the relay's limit of {cap}"
                            );
                            shared.fail_pending(&cause).await;
                        }
                        Ok(Frame::Eof) => break,
                        Err(e) => {
                            tracing::warn!(error = %e, "reading from the MCP server");
                            break;
                        }
                    }
                }
                let cause = exited.await;
                shared.upstream_gone(cause).await;
            })
        };

        let mut reader = FrameReader::new(BufReader::new(client_in), cap);
        let result = loop {
            match reader.next().await {
                Ok(Frame::Line(line)) => shared.clone().from_client(line).await,
                Ok(Frame::Oversized { bytes }) => {
                    let why = format!(
                        "clawlaw: a message of {bytes} bytes is over the relay's limit of {cap}; it was not read or forwarded"
                    );
                    shared
                        .send_client(jsonrpc::error(&Value::Null, INVALID_REQUEST, &why))
                        .await;
                }
                Ok(Frame::Eof) => break Ok(()),
                Err(e) => break Err(RelayError::Client(e)),
            }
        };
        // The client is gone: close the server's input so it exits, and
        // let what was written to the client drain.
        upstream.abort();
        server_writer.abort();
        drop(shared);
        let _ = tokio::time::timeout(Duration::from_secs(1), client_writer).await;
        result
    }
}

async fn write_all<W: AsyncWrite + Unpin>(mut out: W, mut rx: mpsc::Receiver<Vec<u8>>) {
    while let Some(message) = rx.recv().await {
        if let Err(e) = write_frame(&mut out, &message).await {
            tracing::warn!(error = %e, "writing a message; the peer is gone");
            return;
        }
    }
}

impl<G: Governor> Shared<G> {
    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) async fn send_client(&self, message: Vec<u8>) {
        let _ = self.to_client.send(message).await;
    }

    /// One message from the client.
    async fn from_client(self: Arc<Self>, line: Vec<u8>) {
        let message: Value = match serde_json::from_slice(&line) {
            Ok(v) => v,
            Err(e) => {
                let why = format!("clawlaw: the message is not JSON ({e}); not forwarded");
                return self
                    .send_client(jsonrpc::error(&Value::Null, PARSE_ERROR, &why))
                    .await;
            }
        };
        self.route_client(message, line).await;
    }

    async fn route_client(self: Arc<Self>, message: Value, line: Vec<u8>) {
        match jsonrpc::kind(&message) {
            Kind::Batch => {
                let items = message.as_array().cloned().unwrap_or_default();
                let governed = items.iter().any(|m| {
                    matches!(jsonrpc::kind(m), Kind::Request { method, .. } if is_governed(&method))
                });
                if !governed {
                    return self.forward_untracked(line).await;
                }
                // A batch with a governed request is taken apart, so that
                // each request is decided (and answered) on its own.
                for item in items {
                    let bytes = jsonrpc::bytes(&item);
                    Box::pin(self.clone().route_client(item, bytes)).await;
                }
            }
            Kind::Request { id, method } => {
                let gone = self.state().upstream_gone.clone();
                if let Some(cause) = gone {
                    return self.answer_gone(&id, &method, &cause).await;
                }
                match method.as_str() {
                    "tools/call" => {
                        let key = id_key(&id);
                        self.state().governing.insert(key, false);
                        tokio::spawn(call::govern(self.clone(), id, message, line.len(), line));
                    }
                    "tools/list" => self.forward(Pending::ToolsList { id }, line).await,
                    _ => {
                        if method == "initialize" {
                            self.state().elicitation = message
                                .pointer("/params/capabilities/elicitation")
                                .is_some();
                        }
                        self.forward(Pending::Other { id }, line).await
                    }
                }
            }
            Kind::Notification { method } => {
                if method == "notifications/cancelled"
                    && let Some(req) = message.pointer("/params/requestId")
                    && let Some(c) = self.state().governing.get_mut(&id_key(req))
                {
                    *c = true;
                }
                self.forward_untracked(line).await
            }
            Kind::Response { id } => {
                let waiter = self.state().elicits.remove(&id_key(&id));
                match waiter {
                    Some(tx) => {
                        let _ = tx.send(message);
                    }
                    None => self.forward_untracked(line).await,
                }
            }
            Kind::Invalid(why) => {
                let id = message.get("id").cloned().unwrap_or(Value::Null);
                let why = format!("clawlaw: not a JSON-RPC message: {why}; not forwarded");
                self.send_client(jsonrpc::error(&id, INVALID_REQUEST, &why))
                    .await
            }
        }
    }

    /// Forwards a request, tracking it until the server answers.
    pub(crate) async fn forward(self: &Arc<Self>, pending: Pending, line: Vec<u8>) {
        let (id, method) = match &pending {
            Pending::ToolCall { id, .. } => (id.clone(), "tools/call"),
            Pending::ToolsList { id } => (id.clone(), "tools/list"),
            Pending::Other { id } => (id.clone(), ""),
        };
        let gone = {
            let mut state = self.state();
            let gone = state.upstream_gone.clone();
            if gone.is_none() {
                state.pending.insert(id_key(&id), pending);
            }
            gone
        };
        if let Some(cause) = gone {
            return self.answer_gone(&id, method, &cause).await;
        }
        if self.to_server.send(line).await.is_err() {
            self.upstream_gone("the MCP server's input is closed".into())
                .await;
        }
    }

    async fn forward_untracked(&self, line: Vec<u8>) {
        if self.state().upstream_gone.is_none() {
            let _ = self.to_server.send(line).await;
        }
    }

    /// Answers a request the server can no longer answer.
    pub(crate) async fn answer_gone(&self, id: &Value, method: &str, cause: &str) {
        let text = format!(
            "clawlaw: the MCP server {} cannot be reached: {cause}",
            self.server
        );
        let message = if method == "tools/call" {
            jsonrpc::tool_error(id, &text)
        } else {
            jsonrpc::error(id, INTERNAL_ERROR, &text)
        };
        self.send_client(message).await
    }

    /// One message from the server.
    async fn from_server(self: &Arc<Self>, line: Vec<u8>) {
        let message: Value = match serde_json::from_slice(&line) {
            Ok(v) => v,
            Err(e) => {
                let cause = format!("the MCP server sent malformed JSON-RPC (not JSON: {e})");
                return self.fail_pending(&cause).await;
            }
        };
        match jsonrpc::kind(&message) {
            Kind::Response { id } => {
                let key = id_key(&id);
                let pending = self.state().pending.remove(&key);
                match pending {
                    Some(Pending::ToolCall {
                        tool, action_ids, ..
                    }) => {
                        self.record(&action_ids, &tool, outcome(&message));
                        self.send_client(line).await
                    }
                    Some(Pending::ToolsList { .. }) => {
                        let line = self.review_listing(message).await.unwrap_or(line);
                        self.send_client(line).await
                    }
                    Some(Pending::Other { .. }) => self.send_client(line).await,
                    None => {
                        if !self.state().abandoned.remove(&key) {
                            self.send_client(line).await
                        }
                    }
                }
            }
            // The relay's own elicitations use these ids: a server request
            // under one could pass the client's answer to it off as the
            // human's approval of a governed call.
            Kind::Request { id, .. }
                if id
                    .as_str()
                    .is_some_and(|s| s.starts_with(call::ELICIT_ID_PREFIX)) =>
            {
                let why = "clawlaw: request ids starting with `clawlaw-elicit-` are reserved";
                let _ = self
                    .to_server
                    .send(jsonrpc::error(&id, INVALID_REQUEST, why))
                    .await;
            }
            Kind::Invalid(why) => {
                let cause = format!("the MCP server sent malformed JSON-RPC ({why})");
                self.fail_pending(&cause).await
            }
            _ => self.send_client(line).await,
        }
    }

    /// Records a call's outcome under each of its actions, in the background.
    pub(crate) fn record(self: &Arc<Self>, action_ids: &[String], tool: &str, result: Value) {
        let shared = self.clone();
        let ids = action_ids.to_vec();
        let outcome = json!({"mcp_server": self.server, "tool": tool, "result": result});
        tokio::spawn(async move {
            for id in ids {
                if let Err(e) = shared.governor.record_outcome(&id, outcome.clone()).await {
                    tracing::warn!(action = %id, error = %e, "recording an outcome");
                }
            }
        });
    }

    /// Answers every request waiting on the server with `cause`.
    pub(crate) async fn fail_pending(self: &Arc<Self>, cause: &str) {
        tracing::error!(server = %self.server, %cause, "failing the pending requests closed");
        let pending: Vec<Pending> = {
            let mut state = self.state();
            let drained: Vec<(String, Pending)> = state.pending.drain().collect();
            drained
                .into_iter()
                .map(|(k, p)| {
                    state.abandoned.insert(k);
                    p
                })
                .collect()
        };
        for p in pending {
            let text = format!("clawlaw: {cause}");
            match p {
                Pending::ToolCall {
                    id,
                    tool,
                    action_ids,
                } => {
                    self.record(&action_ids, &tool, json!({ "error": cause }));
                    self.send_client(jsonrpc::tool_error(
                        &id,
                        &format!("{text}; the call's result is unknown (it may have run)"),
                    ))
                    .await
                }
                Pending::ToolsList { id } | Pending::Other { id } => {
                    self.send_client(jsonrpc::error(&id, INTERNAL_ERROR, &text))
                        .await
                }
            }
        }
    }

    async fn upstream_gone(self: &Arc<Self>, cause: String) {
        {
            let mut state = self.state();
            if state.upstream_gone.is_some() {
                return;
            }
            state.upstream_gone = Some(cause.clone());
        }
        self.fail_pending(&cause).await;
    }
}

fn is_governed(method: &str) -> bool {
    matches!(method, "tools/call" | "tools/list")
}

/// The largest result kept whole in an outcome; past it, its size, digest
/// and head.
const MAX_OUTCOME_BYTES: usize = 64 << 10;

/// A call's response as the evidence keeps it (bounded).
fn outcome(response: &Value) -> Value {
    let body = response
        .get("result")
        .or_else(|| response.get("error"))
        .cloned()
        .unwrap_or(Value::Null);
    let text = body.to_string();
    if text.len() <= MAX_OUTCOME_BYTES {
        return body;
    }
    let mut end = 4096;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    use sha2::Digest;
    json!({
        "truncated": true,
        "bytes": text.len(),
        "sha256": hex::encode(sha2::Sha256::digest(text.as_bytes())),
        "head": &text[..end],
    })
}
