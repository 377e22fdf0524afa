//! One MCP session served over HTTP: its upstream (the server process the
//! gate launched for it, or the bridge to an HTTP server,
//! `upstream_http`), a [`Relay`] driven through an in-memory pipe, and the
//! routing of what the relay says to the client back onto the open POST
//! responses.
//!
//! A POST's requests are written into the relay's client side; each
//! response the relay writes back goes to the POST that sent its request
//! (by JSON-RPC id). Requests and notifications the relay or the server
//! start (`elicitation/create`, progress, logging) go to the newest open
//! POST stream — they belong to a request still in flight, which keeps its
//! stream open (this gate offers no GET stream). The session ends when it
//! is dropped: the relay's input closes and the server is killed (an HTTP
//! upstream's session is ended with `DELETE`).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use clawlaw_mcp::framing::{Frame, FrameReader, write_frame};
use clawlaw_mcp::jsonrpc::id_key;
use clawlaw_mcp::{Relay, RelayConfig};
use serde_json::Value;
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::sync::{mpsc, oneshot};

use super::{McpHub, upstream_http};
use crate::mcp_config::Upstream;
use crate::mcp_governor::GateGovernor;

/// How long an exited server's session stays, so that the relay's error
/// answers (naming why) reach the requests still waiting, before later
/// requests get 404 and the client starts a new session.
const EXIT_GRACE: Duration = Duration::from_secs(2);

/// How long an ended session's server has to exit by itself.
const STOP_GRACE: Duration = Duration::from_secs(2);

/// What the session needs to start.
pub struct Launch {
    pub id: String,
    pub server: String,
    pub principal: String,
    pub upstream: Upstream,
    /// The HTTP client an HTTP upstream is reached with.
    pub http: reqwest::Client,
    pub relay: RelayConfig,
    pub governor: GateGovernor,
}

/// A live MCP session.
pub struct McpSession {
    pub id: String,
    pub server: String,
    /// The agent token's name: only its holder may use the session.
    pub principal: String,
    /// The gate session the calls are recorded in.
    pub gate_session: String,
    to_relay: mpsc::Sender<Vec<u8>>,
    routes: Mutex<Routes>,
    /// When a request last named it.
    touched: Mutex<Instant>,
    /// Dropping it (with the session) kills the server.
    _kill: oneshot::Sender<()>,
}

#[derive(Default)]
struct Routes {
    next: u64,
    /// Open POST responses, oldest first.
    streams: BTreeMap<u64, mpsc::UnboundedSender<Value>>,
    /// Requests in flight: their id key and the stream awaiting the answer.
    waiting: HashMap<String, u64>,
}

/// The messages one POST waits for; dropping it forgets the POST.
pub struct Exchange {
    session: Arc<McpSession>,
    stream: u64,
    keys: Vec<String>,
    pub rx: mpsc::UnboundedReceiver<Value>,
    /// Responses still to come.
    pub remaining: usize,
}

impl Drop for Exchange {
    fn drop(&mut self) {
        let mut routes = self.session.routes();
        routes.streams.remove(&self.stream);
        for k in &self.keys {
            if routes.waiting.get(k) == Some(&self.stream) {
                routes.waiting.remove(k);
            }
        }
    }
}

impl Exchange {
    /// The next message for this POST, counting responses.
    pub async fn next(&mut self) -> Option<Value> {
        if self.remaining == 0 {
            return None;
        }
        let message = self.rx.recv().await?;
        if message.get("method").is_none() {
            self.remaining -= 1;
        }
        Some(message)
    }
}

impl McpSession {
    /// Reaches the upstream (launching the server's command, or bridging
    /// to its URL) and starts the relay. `hub` hears when the upstream is gone.
    pub fn start(launch: Launch, hub: Weak<McpHub>) -> std::io::Result<Arc<McpSession>> {
        let Launch {
            id,
            server,
            principal,
            upstream,
            http,
            relay,
            governor,
        } = launch;
        let gate_session = governor.session.clone();
        let cap = relay.max_message_bytes;
        let (kill_tx, kill_rx) = oneshot::channel::<()>();
        let (server_in, server_out, exit_rx): (ServerIn, ServerOut, Exited) = match upstream {
            Upstream::Command { command, cwd } => {
                let (i, o, exited) = spawn_command(&command, cwd.as_deref(), kill_rx)?;
                (Box::pin(i), Box::pin(o), Box::pin(exited))
            }
            Upstream::Http(upstream) => {
                let (i, o, exited) = upstream_http::start(http, upstream, &server, cap);
                (Box::pin(i), Box::pin(o), Box::pin(exited))
            }
        };
        let session_id = id.clone();
        let exited = async move {
            let cause = exit_rx.await;
            tracing::info!(session = %session_id, %cause, "MCP upstream gone; ending the session");
            tokio::spawn(async move {
                tokio::time::sleep(EXIT_GRACE).await;
                if let Some(hub) = hub.upgrade() {
                    hub.remove(&session_id);
                }
            });
            cause
        };

        let (ours, theirs) = tokio::io::duplex(1 << 16);
        let (relay_in, relay_out) = tokio::io::split(theirs);
        let (our_read, mut our_write) = tokio::io::split(ours);
        let (to_relay, mut rx) = mpsc::channel::<Vec<u8>>(64);
        let session = Arc::new(McpSession {
            id,
            server,
            principal,
            gate_session,
            to_relay,
            routes: Mutex::new(Routes::default()),
            touched: Mutex::new(Instant::now()),
            _kill: kill_tx,
        });
        tokio::spawn(async move {
            while let Some(line) = rx.recv().await {
                if write_frame(&mut our_write, &line).await.is_err() {
                    return;
                }
            }
            // The session ended: the relay reads the end of its client.
            let _ = our_write.shutdown().await;
        });
        let weak = Arc::downgrade(&session);
        tokio::spawn(async move {
            let mut reader = FrameReader::new(BufReader::new(our_read), cap);
            loop {
                match reader.next().await {
                    Ok(Frame::Line(line)) => {
                        let Some(session) = weak.upgrade() else {
                            return;
                        };
                        session.deliver(&line);
                    }
                    Ok(Frame::Oversized { bytes }) => {
                        tracing::warn!(bytes, "the MCP relay wrote an oversized message; dropped");
                    }
                    Ok(Frame::Eof) | Err(_) => return,
                }
            }
        });
        tokio::spawn(async move {
            if let Err(e) = Relay::new(governor, relay)
                .run(relay_in, relay_out, server_in, server_out, exited)
                .await
            {
                tracing::warn!(error = %e, "MCP relay stopped");
            }
        });
        Ok(session)
    }

    fn routes(&self) -> MutexGuard<'_, Routes> {
        self.routes.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Notes that a request named the session.
    pub fn touch(&self) {
        *self.touched.lock().unwrap_or_else(|p| p.into_inner()) = Instant::now();
    }

    /// Whether it has sat unused, with no request in flight, for `idle`.
    pub fn is_idle(&self, idle: Duration) -> bool {
        let touched = *self.touched.lock().unwrap_or_else(|p| p.into_inner());
        touched.elapsed() >= idle && self.routes().streams.is_empty()
    }

    /// Sends a POST's messages (one JSON value: a message or a batch) into
    /// the relay. `None` when it held no request (nothing to answer).
    pub async fn send(self: &Arc<Self>, body: &Value) -> Result<Option<Exchange>, String> {
        let items: Vec<&Value> = match body {
            Value::Array(items) => items.iter().collect(),
            one => vec![one],
        };
        let keys: Vec<String> = items
            .iter()
            .filter(|m| m.get("method").is_some())
            .filter_map(|m| m.get("id").filter(|id| !id.is_null()))
            .map(id_key)
            .collect();
        let exchange = if keys.is_empty() {
            None
        } else {
            let (tx, rx) = mpsc::unbounded_channel();
            let mut routes = self.routes();
            routes.next += 1;
            let stream = routes.next;
            routes.streams.insert(stream, tx);
            for k in &keys {
                routes.waiting.insert(k.clone(), stream);
            }
            drop(routes);
            Some(Exchange {
                session: self.clone(),
                stream,
                remaining: keys.len(),
                keys,
                rx,
            })
        };
        let line = serde_json::to_vec(body).map_err(|e| e.to_string())?;
        self.to_relay
            .send(line)
            .await
            .map_err(|_| "the MCP session's relay has stopped".to_string())?;
        Ok(exchange)
    }

    /// One message the relay wrote to the client.
    fn deliver(&self, line: &[u8]) {
        let Ok(message) = serde_json::from_slice::<Value>(line) else {
            return;
        };
        let items = match message {
            Value::Array(items) => items,
            one => vec![one],
        };
        let mut routes = self.routes();
        for item in items {
            let target = if item.get("method").is_some() {
                // Started by the relay or the server: the newest open stream.
                routes.streams.keys().next_back().copied()
            } else {
                let key = item.get("id").map(id_key).unwrap_or_default();
                routes.waiting.remove(&key)
            };
            match target.and_then(|s| routes.streams.get(&s)) {
                Some(tx) => {
                    let _ = tx.send(item);
                }
                None => tracing::warn!(
                    session = %self.id,
                    "an MCP message with no open request to carry it was dropped"
                ),
            }
        }
    }
}

/// What the relay writes to its server, reads from it, and hears why it went.
type ServerIn = std::pin::Pin<Box<dyn tokio::io::AsyncWrite + Send>>;
type ServerOut = std::pin::Pin<Box<dyn tokio::io::AsyncRead + Send>>;
type Exited = std::pin::Pin<Box<dyn std::future::Future<Output = String> + Send>>;

/// Launches a stdio server. Its pipes, and a future resolving to why it
/// stopped: it exited, or `kill` fired (the session ended) and it was
/// stopped.
fn spawn_command(
    command: &[String],
    cwd: Option<&std::path::Path>,
    kill: oneshot::Receiver<()>,
) -> std::io::Result<(
    tokio::process::ChildStdin,
    tokio::process::ChildStdout,
    impl std::future::Future<Output = String> + Send + 'static,
)> {
    let mut cmd = tokio::process::Command::new(&command[0]);
    cmd.args(&command[1..])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .kill_on_drop(true);
    if let Some(dir) = cwd {
        cmd.current_dir(dir);
    }
    let mut child = cmd.spawn()?;
    let server_in = child.stdin.take().expect("piped");
    let server_out = child.stdout.take().expect("piped");
    let (exit_tx, exit_rx) = oneshot::channel::<String>();
    tokio::spawn(async move {
        let cause = tokio::select! {
            status = child.wait() => match status {
                Ok(s) => format!("the MCP server exited ({s})"),
                Err(e) => format!("the MCP server could not be watched ({e})"),
            },
            _ = kill => {
                // The relay closes the server's input as it stops: a
                // server gets a moment to exit by itself, then is killed.
                if tokio::time::timeout(STOP_GRACE, child.wait()).await.is_err() {
                    let _ = child.kill().await;
                }
                "the MCP session ended".to_string()
            }
        };
        let _ = exit_tx.send(cause);
    });
    let exited = async move {
        exit_rx
            .await
            .unwrap_or_else(|_| "the MCP server's watcher stopped".to_string())
    };
    Ok((server_in, server_out, exited))
}
