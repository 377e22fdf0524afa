//! The bridge from one MCP session's relay to an upstream server over the
//! streamable HTTP transport (MCP 2025-03-26 / 2025-06-18), for a
//! `[[mcp.server]]` with a `url`.
//!
//! The relay talks to its server over a byte pipe, one JSON-RPC message a
//! line, as to a stdio server; the bridge is the other end of that pipe.
//! Each message the relay sends is POSTed to the URL as it is (`Accept:
//! application/json, text/event-stream`), with the configured headers, the
//! upstream's `Mcp-Session-Id` once its `initialize` answer gave one and
//! `MCP-Protocol-Version` once negotiated. A JSON answer, or each event of
//! an event-stream answer (which also carries the server's own requests
//! and notifications, e.g. its elicitation), goes back to the relay as a
//! message from the server; `202 Accepted` answers notifications and
//! responses. Requests are posted concurrently (a long call does not hold
//! the next one); notifications and responses in order, so `initialized`
//! reaches the server before what follows it.
//!
//! It fails closed: a request the upstream does not answer — an HTTP
//! error, a refused connection, a timeout, a body that is not JSON-RPC, a
//! stream that ends first — is answered to the relay with an error naming
//! the cause (a `tools/call` with an `isError` result, as the relay itself
//! does), never passed over. When the relay closes the pipe (the session
//! ended) the upstream session is ended with `DELETE`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use clawlaw_mcp::framing::{Frame, FrameReader, write_frame};
use clawlaw_mcp::jsonrpc::{self, INTERNAL_ERROR, Kind, id_key};
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderName, HeaderValue};
use serde_json::Value;
use tokio::io::{AsyncWriteExt, BufReader, DuplexStream, ReadHalf, WriteHalf};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use super::sse::SseDecoder;
use crate::mcp_config::HttpUpstream;

const SESSION_ID: HeaderName = HeaderName::from_static("mcp-session-id");
const PROTOCOL_VERSION: HeaderName = HeaderName::from_static("mcp-protocol-version");

/// How long the `DELETE` ending the upstream session may take.
const DELETE_TIMEOUT: Duration = Duration::from_secs(5);

/// The client the bridges of a gate share (connections pooled per host).
pub fn client() -> reqwest::Result<reqwest::Client> {
    // The gate's TLS is rustls over ring everywhere (a second install is a no-op).
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        // A redirect could carry the upstream's credentials elsewhere.
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10))
        .user_agent(concat!("clawlaw-gate/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// One session's bridge.
struct Bridge {
    client: reqwest::Client,
    upstream: HttpUpstream,
    /// The server's name, for causes.
    server: String,
    /// The URL as causes and logs show it (no credentials or query).
    shown: String,
    /// The longest message taken from the upstream.
    cap: usize,
    session_id: Mutex<Option<HeaderValue>>,
    protocol: Mutex<Option<HeaderValue>>,
    to_relay: mpsc::Sender<Vec<u8>>,
}

/// A request posted, waiting for its answer.
struct Asked {
    id: Value,
    method: String,
}

/// Starts the bridge of one session. Returns the relay's ends of the pipe
/// (what it writes to the server, what it reads from it) and a future
/// that resolves, once the bridge stopped, to why.
pub fn start(
    client: reqwest::Client,
    upstream: HttpUpstream,
    server: &str,
    cap: usize,
) -> (
    WriteHalf<DuplexStream>,
    ReadHalf<DuplexStream>,
    impl Future<Output = String> + Send + 'static,
) {
    let (relay_side, bridge_side) = tokio::io::duplex(1 << 16);
    let (relay_out, relay_in) = tokio::io::split(relay_side);
    let (from_relay, mut to_relay_pipe) = tokio::io::split(bridge_side);
    let (to_relay, mut rx) = mpsc::channel::<Vec<u8>>(64);
    let shown = shown_url(&upstream.url);
    let bridge = Arc::new(Bridge {
        client,
        upstream,
        server: server.to_string(),
        shown,
        cap,
        session_id: Mutex::new(None),
        protocol: Mutex::new(None),
        to_relay,
    });
    tokio::spawn(async move {
        while let Some(line) = rx.recv().await {
            if write_frame(&mut to_relay_pipe, &line).await.is_err() {
                return;
            }
        }
        // Every sender gone: the bridge stopped; the relay reads the end.
        let _ = to_relay_pipe.shutdown().await;
    });
    let (done_tx, done_rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let cause = bridge.run(from_relay).await;
        let _ = done_tx.send(cause);
    });
    let exited = async move {
        done_rx
            .await
            .unwrap_or_else(|_| "the MCP server's bridge stopped".to_string())
    };
    (relay_in, relay_out, exited)
}

/// The URL without credentials, query or fragment.
fn shown_url(url: &reqwest::Url) -> String {
    let mut u = url.clone();
    let _ = u.set_username("");
    let _ = u.set_password(None);
    u.set_query(None);
    u.set_fragment(None);
    u.to_string()
}

impl Bridge {
    /// Posts what the relay sends until it closes the pipe; then ends the
    /// upstream session.
    async fn run(self: Arc<Self>, from_relay: ReadHalf<DuplexStream>) -> String {
        let mut reader = FrameReader::new(BufReader::new(from_relay), self.cap);
        let mut requests = JoinSet::new();
        loop {
            while requests.try_join_next().is_some() {}
            let line = match reader.next().await {
                Ok(Frame::Line(line)) => line,
                Ok(Frame::Oversized { bytes }) => {
                    tracing::warn!(bytes, "an oversized message to the MCP server dropped");
                    continue;
                }
                Ok(Frame::Eof) | Err(_) => break,
            };
            let Ok(message) = serde_json::from_slice::<Value>(&line) else {
                continue;
            };
            let asked = asked(&message);
            let initialize = asked.iter().any(|a| a.method == "initialize");
            let post = self.clone().post(line, asked);
            if initialize {
                // Without an upstream session there is nothing to relay to:
                // the session ends, later requests answered with the cause.
                if let Some(cause) = post.await {
                    return format!(
                        "the MCP server {} at {} {cause} (at initialize)",
                        self.server, self.shown
                    );
                }
            } else if has_request(&message) {
                requests.spawn(post);
            } else {
                // In order: `initialized` reaches the server before what follows.
                post.await;
            }
        }
        requests.abort_all();
        self.end().await;
        "the MCP session ended".to_string()
    }

    /// Sends one message (or batch) and feeds back what answers it; what
    /// it could not get answered is answered with the cause, returned.
    async fn post(self: Arc<Self>, body: Vec<u8>, mut asked: Vec<Asked>) -> Option<String> {
        let mut request = self
            .client
            .post(self.upstream.url.clone())
            .headers(self.upstream.headers.clone())
            .header(ACCEPT, "application/json, text/event-stream")
            .header(CONTENT_TYPE, "application/json")
            .timeout(self.upstream.timeout);
        if let Some(id) = self
            .session_id
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
        {
            request = request.header(SESSION_ID, id);
        }
        if let Some(v) = self
            .protocol
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
        {
            request = request.header(PROTOCOL_VERSION, v);
        }
        // Whether the server surely did not act on it: it was never
        // connected to, or refused the request as such.
        let (result, unsent) = match request.body(body).send().await {
            Ok(response) => {
                let refused = response.status().is_client_error();
                (self.answer(response, &mut asked).await, refused)
            }
            Err(e) => (
                Err(transport_cause(&e, self.upstream.timeout)),
                e.is_connect(),
            ),
        };
        let cause = match result {
            Ok(()) if asked.is_empty() => return None,
            Ok(()) => "ended its answer without responding to the request".to_string(),
            Err(cause) if asked.is_empty() => {
                tracing::warn!(server = %self.server, %cause, "a message to the MCP server was not taken");
                return None;
            }
            Err(cause) => cause,
        };
        self.fail(&asked, &cause, unsent).await;
        Some(cause)
    }

    /// Reads one HTTP answer, feeding its messages to the relay and
    /// striking the requests they answer off `asked`.
    async fn answer(
        &self,
        mut response: reqwest::Response,
        asked: &mut Vec<Asked>,
    ) -> Result<(), String> {
        let status = response.status();
        if !status.is_success() {
            let ended = status == reqwest::StatusCode::NOT_FOUND
                && self.session_id.lock().is_ok_and(|s| s.is_some());
            let detail = if ended {
                " (its MCP session ended: start a new one)".to_string()
            } else {
                error_detail(response).await
            };
            return Err(format!("answered HTTP {status}{detail}"));
        }
        if asked.iter().any(|a| a.method == "initialize")
            && let Some(id) = response.headers().get(&SESSION_ID)
        {
            let mut id = id.clone();
            id.set_sensitive(true);
            *self.session_id.lock().unwrap_or_else(|p| p.into_inner()) = Some(id);
        }
        if status == reqwest::StatusCode::ACCEPTED {
            return Ok(());
        }
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase();
        if content_type.starts_with("text/event-stream") {
            let mut decoder = SseDecoder::new(self.cap);
            while !asked.is_empty() {
                let chunk = response
                    .chunk()
                    .await
                    .map_err(|e| transport_cause(&e, self.upstream.timeout))?;
                let Some(chunk) = chunk else {
                    break;
                };
                let events = decoder
                    .feed(&chunk)
                    .map_err(|e| format!("sent {e}, over the relay's limit"))?;
                for event in events.into_iter().filter(|e| e.event == "message") {
                    if event.data.trim().is_empty() {
                        continue;
                    }
                    self.deliver(event.data.as_bytes(), asked).await?;
                }
            }
            Ok(())
        } else if content_type.starts_with("application/json") {
            let body = self.bounded_body(&mut response).await?;
            self.deliver(&body, asked).await
        } else if asked.is_empty() {
            Ok(())
        } else {
            let shown = if content_type.is_empty() {
                "no Content-Type".to_string()
            } else {
                format!("Content-Type {content_type:?}")
            };
            Err(format!(
                "answered with {shown}, not JSON or an event stream"
            ))
        }
    }

    /// A JSON body, read up to the cap.
    async fn bounded_body(&self, response: &mut reqwest::Response) -> Result<Vec<u8>, String> {
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| transport_cause(&e, self.upstream.timeout))?
        {
            if body.len() + chunk.len() > self.cap {
                return Err(format!(
                    "sent an answer of over {} bytes, over the relay's limit",
                    self.cap
                ));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    /// Feeds one JSON text (a message or a batch) to the relay.
    async fn deliver(&self, text: &[u8], asked: &mut Vec<Asked>) -> Result<(), String> {
        let value: Value = serde_json::from_slice(text)
            .map_err(|e| format!("sent a body that is not JSON ({e}); malformed JSON-RPC"))?;
        let messages = match value {
            Value::Array(items) => items,
            one => vec![one],
        };
        for message in messages {
            if let Kind::Response { id } = jsonrpc::kind(&message) {
                let key = id_key(&id);
                if let Some(i) = asked.iter().position(|a| id_key(&a.id) == key) {
                    let done = asked.swap_remove(i);
                    if done.method == "initialize" {
                        self.negotiated(&message);
                    }
                }
            }
            let line = jsonrpc::bytes(&message);
            if self.to_relay.send(line).await.is_err() {
                return Err("the session ended".into());
            }
        }
        Ok(())
    }

    /// Notes the protocol version an `initialize` answer agreed on.
    fn negotiated(&self, response: &Value) {
        let version = response
            .pointer("/result/protocolVersion")
            .and_then(Value::as_str)
            .and_then(|v| HeaderValue::from_str(v).ok());
        if let Some(v) = version {
            *self.protocol.lock().unwrap_or_else(|p| p.into_inner()) = Some(v);
        }
    }

    /// Answers each of `asked` with `cause`; `unsent`: the server surely
    /// did not act on them.
    async fn fail(&self, asked: &[Asked], cause: &str, unsent: bool) {
        tracing::warn!(server = %self.server, url = %self.shown, %cause, "an MCP request failed closed");
        for a in asked {
            let text = format!(
                "clawlaw: the MCP server {} at {} {cause}",
                self.server, self.shown
            );
            let message = if a.method == "tools/call" {
                let text = if unsent {
                    text
                } else {
                    format!("{text}; the call's result is unknown (it may have run)")
                };
                jsonrpc::tool_error(&a.id, &text)
            } else {
                jsonrpc::error(&a.id, INTERNAL_ERROR, &text)
            };
            let _ = self.to_relay.send(message).await;
        }
    }

    /// Ends the upstream session, if it gave one.
    async fn end(&self) {
        let Some(id) = self
            .session_id
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
        else {
            return;
        };
        let request = self
            .client
            .delete(self.upstream.url.clone())
            .headers(self.upstream.headers.clone())
            .header(SESSION_ID, id)
            .timeout(DELETE_TIMEOUT);
        match request.send().await {
            Ok(r) => {
                tracing::debug!(server = %self.server, status = %r.status(), "upstream MCP session ended")
            }
            Err(e) => {
                tracing::warn!(server = %self.server, error = %e.without_url(), "ending the upstream MCP session")
            }
        }
    }
}

/// The requests in a message or batch (what must be answered).
fn asked(message: &Value) -> Vec<Asked> {
    let items = match message {
        Value::Array(items) => items.iter().collect(),
        one => vec![one],
    };
    items
        .into_iter()
        .filter_map(|m| match jsonrpc::kind(m) {
            Kind::Request { id, method } => Some(Asked { id, method }),
            _ => None,
        })
        .collect()
}

fn has_request(message: &Value) -> bool {
    !asked(message).is_empty()
}

/// A refused connection, a timeout or a broken transfer, with its cause.
fn transport_cause(e: &reqwest::Error, timeout: Duration) -> String {
    let what = if e.is_timeout() {
        format!("did not answer within {} s", timeout.as_secs())
    } else if e.is_connect() {
        "cannot be reached".to_string()
    } else if e.is_body() || e.is_decode() {
        "broke off its answer".to_string()
    } else {
        "could not be asked".to_string()
    };
    let mut causes = Vec::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        causes.push(s.to_string());
        source = s.source();
    }
    // The innermost cause is the telling one ("Connection refused").
    match causes.last() {
        Some(c) => format!("{what}: {c}"),
        None => what,
    }
}

/// What an error answer says, briefly: a JSON-RPC error's message, or the
/// head of its text.
async fn error_detail(mut response: reqwest::Response) -> String {
    let mut head = Vec::new();
    while head.len() < 4096
        && let Ok(Some(chunk)) = response.chunk().await
    {
        head.extend_from_slice(&chunk);
    }
    let body = String::from_utf8_lossy(&head).into_owned();
    let message = serde_json::from_str::<Value>(&body)
        .ok()
        .and_then(|v| {
            v.pointer("/error/message")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .unwrap_or(body);
    let message = message.trim();
    if message.is_empty() {
        return String::new();
    }
    let mut end = message.len().min(200);
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    format!(": {}", &message[..end])
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use axum::Router;
    use axum::body::Bytes;
    use axum::http::{HeaderMap, StatusCode};
    use axum::response::{IntoResponse, Response};
    use axum::routing::post;
    use serde_json::json;
    use tokio::io::BufReader;

    use super::*;

    /// What the fake upstream saw: `method session protocol auth` per POST,
    /// `DELETE session` per DELETE.
    type Seen = Arc<Mutex<Vec<String>>>;

    fn header(h: &HeaderMap, name: &str) -> String {
        h.get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-")
            .to_string()
    }

    /// An upstream answering by method: the ways a server answers, and fails.
    async fn upstream(seen: Seen) -> String {
        let on_post = {
            let seen = seen.clone();
            move |h: HeaderMap, body: Bytes| {
                let seen = seen.clone();
                async move {
                    let m: Value = serde_json::from_slice(&body).unwrap();
                    let method = m["method"].as_str().unwrap_or("response").to_string();
                    seen.lock().unwrap().push(format!(
                        "{method} {} {} {}",
                        header(&h, "mcp-session-id"),
                        header(&h, "mcp-protocol-version"),
                        header(&h, "authorization"),
                    ));
                    let id = m["id"].clone();
                    let sse = |events: &str| -> Response {
                        ([("content-type", "text/event-stream")], events.to_string())
                            .into_response()
                    };
                    match method.as_str() {
                        "initialize" => (
                            [("mcp-session-id", "s-1"), ("content-type", "application/json")],
                            json!({"jsonrpc": "2.0", "id": id, "result": {"protocolVersion": "2025-06-18"}}).to_string(),
                        )
                            .into_response(),
                        "tools/list" => sse(&format!(
                            ": hello\n\nevent: message\ndata: {}\n\ndata: {}\n\n",
                            json!({"jsonrpc": "2.0", "method": "notifications/message", "params": {"level": "info", "data": "x"}}),
                            json!({"jsonrpc": "2.0", "id": id, "result": {"tools": []}}),
                        )),
                        "tools/call" => ([("content-type", "application/json")], "<html>oops").into_response(),
                        "ping" => (
                            StatusCode::INTERNAL_SERVER_ERROR,
                            json!({"jsonrpc": "2.0", "id": null, "error": {"code": -1, "message": "upstream broke"}}).to_string(),
                        )
                            .into_response(),
                        "resources/list" => sse(&format!(
                            "data: {}\n\n",
                            json!({"jsonrpc": "2.0", "method": "notifications/progress", "params": {}})
                        )),
                        _ => StatusCode::ACCEPTED.into_response(),
                    }
                }
            }
        };
        let on_delete = move |h: HeaderMap| {
            let seen = seen.clone();
            async move {
                seen.lock()
                    .unwrap()
                    .push(format!("DELETE {}", header(&h, "mcp-session-id")));
                StatusCode::NO_CONTENT
            }
        };
        let app = Router::new().route("/mcp", post(on_post).delete(on_delete));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://user:pw@{addr}/mcp?key=k")
    }

    fn http_upstream(url: &str) -> HttpUpstream {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("authorization", HeaderValue::from_static("Bearer t"));
        HttpUpstream {
            url: reqwest::Url::parse(url).unwrap(),
            headers,
            timeout: Duration::from_secs(5),
        }
    }

    async fn next(reader: &mut FrameReader<BufReader<ReadHalf<DuplexStream>>>) -> Value {
        let frame = tokio::time::timeout(Duration::from_secs(5), reader.next())
            .await
            .expect("a message within 5 s")
            .unwrap();
        match frame {
            Frame::Line(l) => serde_json::from_slice(&l).unwrap(),
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn messages_cross_over_http_with_the_session_and_failures_are_answered() {
        let seen = Seen::default();
        let url = upstream(seen.clone()).await;
        let (mut to_server, from_server, exited) =
            start(client().unwrap(), http_upstream(&url), "up", 1 << 20);
        let mut reader = FrameReader::new(BufReader::new(from_server), 1 << 20);
        let send = |m: Value| jsonrpc::bytes(&m);

        let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}});
        write_frame(&mut to_server, &send(init)).await.unwrap();
        assert_eq!(
            next(&mut reader).await["result"]["protocolVersion"],
            "2025-06-18"
        );
        let note = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
        write_frame(&mut to_server, &send(note)).await.unwrap();

        // An event stream: the server's own message, then the response.
        let list = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"});
        write_frame(&mut to_server, &send(list)).await.unwrap();
        assert_eq!(next(&mut reader).await["method"], "notifications/message");
        assert_eq!(next(&mut reader).await["id"], 2);

        // Failures answer the request, naming the server and the cause,
        // never the URL's credentials or query.
        let call =
            json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "t"}});
        write_frame(&mut to_server, &send(call)).await.unwrap();
        let got = next(&mut reader).await;
        assert_eq!(got["id"], 3);
        assert_eq!(got["result"]["isError"], true);
        let text = got["result"]["content"][0]["text"].as_str().unwrap();
        assert!(
            text.contains("the MCP server up at http://127.0.0.1:"),
            "{text}"
        );
        assert!(
            text.contains("not JSON") && text.contains("it may have run"),
            "{text}"
        );
        assert!(!text.contains("pw") && !text.contains("key=k"), "{text}");

        let ping = json!({"jsonrpc": "2.0", "id": 4, "method": "ping"});
        write_frame(&mut to_server, &send(ping)).await.unwrap();
        let got = next(&mut reader).await;
        assert_eq!(got["id"], 4);
        let message = got["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("answered HTTP 500") && message.contains("upstream broke"),
            "{message}"
        );

        let cut = json!({"jsonrpc": "2.0", "id": 5, "method": "resources/list"});
        write_frame(&mut to_server, &send(cut)).await.unwrap();
        assert_eq!(next(&mut reader).await["method"], "notifications/progress");
        let got = next(&mut reader).await;
        assert_eq!(got["id"], 5);
        assert!(
            got["error"]["message"]
                .as_str()
                .unwrap()
                .contains("without responding"),
            "{got}"
        );

        // The relay closes the pipe: the bridge ends the upstream session.
        to_server.shutdown().await.unwrap();
        assert_eq!(
            tokio::time::timeout(Duration::from_secs(5), exited)
                .await
                .unwrap(),
            "the MCP session ended"
        );
        let seen = seen.lock().unwrap().clone();
        assert_eq!(
            seen,
            [
                "initialize - - Bearer t",
                "notifications/initialized s-1 2025-06-18 Bearer t",
                "tools/list s-1 2025-06-18 Bearer t",
                "tools/call s-1 2025-06-18 Bearer t",
                "ping s-1 2025-06-18 Bearer t",
                "resources/list s-1 2025-06-18 Bearer t",
                "DELETE s-1",
            ]
        );
    }

    #[tokio::test]
    async fn a_refused_connection_is_named() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = format!("http://127.0.0.1:{port}/mcp");
        let (mut to_server, from_server, exited) =
            start(client().unwrap(), http_upstream(&url), "gone", 1 << 20);
        let mut exited = Box::pin(exited);
        let mut reader = FrameReader::new(BufReader::new(from_server), 1 << 20);
        let call =
            json!({"jsonrpc": "2.0", "id": "c", "method": "tools/call", "params": {"name": "t"}});
        write_frame(&mut to_server, &jsonrpc::bytes(&call))
            .await
            .unwrap();
        let got = next(&mut reader).await;
        let text = got["result"]["content"][0]["text"].as_str().unwrap();
        assert!(
            text.contains("the MCP server gone at") && text.contains("cannot be reached"),
            "{text}"
        );
        assert!(text.to_ascii_lowercase().contains("refused"), "{text}");
        assert!(!text.contains("may have run"), "{text}");
        // The bridge lives on (the next request may find the server back)…
        assert!(
            tokio::time::timeout(Duration::from_millis(200), &mut exited)
                .await
                .is_err()
        );
        // …unless it cannot even initialize: then the session ends, saying why.
        let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}});
        write_frame(&mut to_server, &jsonrpc::bytes(&init))
            .await
            .unwrap();
        let got = next(&mut reader).await;
        assert_eq!(got["id"], 1);
        assert!(
            got["error"]["message"]
                .as_str()
                .unwrap()
                .contains("cannot be reached")
        );
        let cause = tokio::time::timeout(Duration::from_secs(5), exited)
            .await
            .unwrap();
        assert!(
            cause.contains("cannot be reached") && cause.ends_with("(at initialize)"),
            "{cause}"
        );
    }
}
