//! `/mcp/{server}`: the MCP gateway over the streamable HTTP transport
//! (MCP 2025-03-26 / 2025-06-18) for the upstream servers named in the
//! config's `[[mcp.server]]`, behind the agent token.
//!
//! - `POST` carries JSON-RPC messages. An `initialize` without a session
//!   starts one: the gate launches the server's command (one process per
//!   MCP session) or, for a `url` server, opens a bridge to it that starts
//!   an upstream MCP session of its own (`upstream_http`), opens a gate
//!   session (principal: the token's name) and
//!   answers with `Mcp-Session-Id`, which every later request must carry
//!   (missing: 400; unknown, ended, or another token's: 404). Requests are
//!   answered as `text/event-stream` when the client accepts it — the
//!   stream also carries the relay's `elicitation/create` for an ESCALATE —
//!   else as `application/json`; notifications and responses alone get 202.
//! - `GET` (a stream for server-initiated messages) is not offered: 405.
//! - `DELETE` ends the session (its server is killed, or its upstream
//!   session ended with a `DELETE` of its own).
//!
//! Every `tools/call` is governed as `clawlaw mcp stdio` governs it (the
//! same [`clawlaw_mcp::Relay`]), decided in the MCP session's gate session;
//! tool definitions are pinned in `<data_dir>/mcp/pins`; with `hide_denied`
//! the tools the policies deny outright are left out of `tools/list`
//! (judged by [`Gate::judge`], which records nothing).

mod session;
mod sse;
mod upstream_http;

use std::collections::HashMap;
use std::path::{Path as FsPath, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Extension;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use clawlaw_mcp::RelayConfig;
use clawlaw_mcp::jsonrpc::{INVALID_REQUEST, PARSE_ERROR};
use clawlaw_mcp::pins::Pins;
use serde_json::{Value, json};

use super::extract::{Caller, RawJson};
use super::{ApiError, AppState, Closing};
use crate::auth::Permission;
use crate::gate::Gate;
use crate::mcp_config::{McpConfigError, McpSection, McpServer, checked};
use crate::mcp_governor::{GateGovernor, Unasked};
use crate::session::{Declaration, Scope};
use session::{Exchange, Launch, McpSession};

/// The header naming the MCP session.
const SESSION_HEADER: &str = "mcp-session-id";

/// The MCP sessions of a gate.
pub struct McpHub {
    servers: HashMap<String, McpServer>,
    /// The client HTTP upstreams are reached with.
    http: reqwest::Client,
    sessions: Mutex<HashMap<String, Arc<McpSession>>>,
    gate: Arc<Gate>,
    pins_dir: PathBuf,
    max_wait: Duration,
    max_sessions: usize,
    elicitation_timeout: Duration,
    idle_timeout: Duration,
}

impl McpHub {
    /// The hub for `section`; pins live in `<data_dir>/mcp/pins`, and a
    /// call waits for a reviewer at most `max_wait`.
    pub fn new(
        section: McpSection,
        data_dir: &FsPath,
        gate: Arc<Gate>,
        max_wait: Duration,
    ) -> Result<Arc<McpHub>, McpConfigError> {
        let servers = checked(section.servers, |var| std::env::var(var).ok())?;
        let http = upstream_http::client().map_err(|e| McpConfigError::Http(e.to_string()))?;
        Ok(Arc::new(McpHub {
            servers,
            http,
            sessions: Mutex::new(HashMap::new()),
            gate,
            pins_dir: data_dir.join("mcp").join("pins"),
            max_wait,
            max_sessions: section.max_sessions,
            elicitation_timeout: Duration::from_secs(section.elicitation_timeout_secs),
            idle_timeout: Duration::from_secs(section.idle_timeout_secs),
        }))
    }

    fn sessions(&self) -> MutexGuard<'_, HashMap<String, Arc<McpSession>>> {
        self.sessions.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// How many MCP sessions are live.
    pub fn session_count(&self) -> usize {
        self.sessions().len()
    }

    /// Ends one session (its server is killed once nothing uses it).
    fn remove(&self, id: &str) -> Option<Arc<McpSession>> {
        self.sessions().remove(id)
    }

    /// Ends every session: at the gate's shutdown.
    pub fn close_all(&self) {
        let ended: Vec<_> = self.sessions().drain().collect();
        if !ended.is_empty() {
            tracing::info!(sessions = ended.len(), "ending the MCP sessions");
        }
    }

    /// Starts a session of `server` for `principal`.
    async fn open(
        self: &Arc<Self>,
        server: &McpServer,
        principal: &str,
    ) -> Result<Arc<McpSession>, ApiError> {
        let entry = &server.entry;
        let idle = self.idle_timeout;
        self.sessions().retain(|_, s| !s.is_idle(idle));
        if self.session_count() >= self.max_sessions {
            return Err(self.full());
        }
        let declaration = Declaration {
            intent: entry.intent.clone(),
            scope: Scope {
                roots: entry.roots.clone(),
                ..Scope::default()
            },
            principal: Some(principal.to_string()),
            ..Declaration::default()
        };
        let opened = self.gate.open_session(declaration).await?;
        let gate_session = opened["session_id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let pins = if entry.pin {
            let loaded = Pins::load(&self.pins_dir, &entry.name).map_err(|e| {
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("the tool pins of MCP server {}: {e}", entry.name),
                )
            })?;
            Some(loaded)
        } else {
            None
        };
        let cwd = entry.cwd.as_ref().map(|d| d.display().to_string());
        let relay = RelayConfig {
            server: entry.name.clone(),
            pins,
            max_message_bytes: 64 << 20,
            elicit_reviews: entry.elicit && !self.gate.four_eyes(),
            elicitation_timeout: self.elicitation_timeout,
            review_timeout: self.max_wait,
            cwd: cwd.or_else(|| entry.roots.first().cloned()),
            hide_denied: entry.hide_denied,
        };
        let id = uuid::Uuid::new_v4().simple().to_string();
        let launch = Launch {
            id: id.clone(),
            server: entry.name.clone(),
            principal: principal.to_string(),
            upstream: server.upstream.clone(),
            http: self.http.clone(),
            relay,
            governor: GateGovernor {
                gate: self.gate.clone(),
                session: gate_session.clone(),
                principal: Some(principal.to_string()),
                unasked: Unasked::Reviewers {
                    max_wait: self.max_wait,
                },
            },
        };
        let session = McpSession::start(launch, Arc::downgrade(self)).map_err(|e| {
            ApiError::new(
                StatusCode::BAD_GATEWAY,
                format!("starting the MCP server {}: {e}", entry.name),
            )
        })?;
        let mut sessions = self.sessions();
        // Others may have started meanwhile: the bound holds all the same.
        if sessions.len() >= self.max_sessions {
            return Err(self.full());
        }
        sessions.insert(id.clone(), session.clone());
        drop(sessions);
        tracing::info!(mcp_session = %id, %gate_session, server = %entry.name, %principal, "MCP session opened");
        Ok(session)
    }

    fn full(&self) -> ApiError {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "the gate serves {} MCP sessions already (mcp.max_sessions); end one first",
                self.max_sessions
            ),
        )
    }

    /// The session a request names, if it is `principal`'s on `server`.
    fn find(
        &self,
        headers: &HeaderMap,
        server: &str,
        principal: &str,
    ) -> Result<Arc<McpSession>, NoSession> {
        let id = headers
            .get(SESSION_HEADER)
            .and_then(|v| v.to_str().ok())
            .ok_or(NoSession::Missing)?;
        match self.sessions().get(id) {
            // Another token's session is as unknown as one that never was.
            Some(s) if s.server == server && s.principal == principal => {
                s.touch();
                Ok(s.clone())
            }
            _ => Err(NoSession::Unknown),
        }
    }
}

/// Why a request names no session of its caller (the spec's 400 and 404).
enum NoSession {
    Missing,
    Unknown,
}

impl IntoResponse for NoSession {
    fn into_response(self) -> Response {
        match self {
            NoSession::Missing => rpc_error(
                StatusCode::BAD_REQUEST,
                INVALID_REQUEST,
                "missing Mcp-Session-Id: initialize first",
            ),
            NoSession::Unknown => rpc_error(
                StatusCode::NOT_FOUND,
                INVALID_REQUEST,
                "no such MCP session (it ended, or never existed): initialize a new one",
            ),
        }
    }
}

/// The hub and the server a request names, for an agent.
fn resolve<'a>(
    state: &'a AppState,
    caller: &Caller,
    server: &str,
) -> Result<(&'a Arc<McpHub>, &'a McpServer), ApiError> {
    caller.require(Permission::Act)?;
    let hub = state
        .mcp
        .as_ref()
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "this gate serves no MCP servers"))?;
    let entry = hub.servers.get(server).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            format!("no MCP server {server:?} in this gate's config"),
        )
    })?;
    Ok((hub, entry))
}

/// A JSON-RPC error without an id, as an HTTP error's body.
fn rpc_error(status: StatusCode, code: i64, message: &str) -> Response {
    let body = json!({"jsonrpc": "2.0", "id": null, "error": {"code": code, "message": message}});
    (status, axum::Json(body)).into_response()
}

fn is_initialize(body: &Value) -> bool {
    body.get("method").and_then(Value::as_str) == Some("initialize")
}

/// `POST /mcp/{server}`
pub async fn post(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(server): Path<String>,
    closing: Option<Extension<Closing>>,
    headers: HeaderMap,
    RawJson(bytes): RawJson,
) -> Result<Response, ApiError> {
    let (hub, entry) = resolve(&state, &caller, &server)?;
    let body: Value = match serde_json::from_slice(&bytes) {
        Ok(v @ (Value::Object(_) | Value::Array(_))) => v,
        Ok(_) => {
            let why = "not a JSON-RPC message or batch";
            return Ok(rpc_error(StatusCode::BAD_REQUEST, INVALID_REQUEST, why));
        }
        Err(e) => {
            let why = format!("the body is not JSON: {e}");
            return Ok(rpc_error(StatusCode::BAD_REQUEST, PARSE_ERROR, &why));
        }
    };
    let principal = caller.0.name.as_str();
    let session = if is_initialize(&body) && headers.get(SESSION_HEADER).is_none() {
        hub.open(entry, principal).await?
    } else {
        match hub.find(&headers, &server, principal) {
            Ok(s) => s,
            Err(no) => return Ok(no.into_response()),
        }
    };
    let exchange = match session.send(&body).await {
        Ok(Some(x)) => x,
        Ok(None) => return Ok(with_session(StatusCode::ACCEPTED.into_response(), &session)),
        Err(why) => {
            hub.remove(&session.id);
            return Ok(rpc_error(StatusCode::NOT_FOUND, INVALID_REQUEST, &why));
        }
    };
    let sse = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("text/event-stream"));
    let closing = closing.map(|Extension(c)| c);
    let response = if sse {
        sse_response(exchange, closing)
    } else {
        json_response(exchange, closing, matches!(body, Value::Array(_))).await
    };
    Ok(with_session(response, &session))
}

fn with_session(mut response: Response, session: &McpSession) -> Response {
    if let Ok(v) = HeaderValue::from_str(&session.id) {
        response.headers_mut().insert(SESSION_HEADER, v);
    }
    response
}

/// The POST's answers as Server-Sent Events, ending with its last response
/// (or when the gate begins to shut down).
fn sse_response(exchange: Exchange, closing: Option<Closing>) -> Response {
    let stream = futures_util::stream::unfold(
        (exchange, closing.map(|c| Box::pin(c.begun()))),
        |(mut x, mut closing)| async move {
            let message = match closing.as_mut() {
                Some(begun) => tokio::select! {
                    m = x.next() => m,
                    () = begun => None,
                },
                None => x.next().await,
            }?;
            let event = Event::default().event("message").data(message.to_string());
            Some((Ok::<_, std::convert::Infallible>(event), (x, closing)))
        },
    );
    Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}

/// The POST's responses as one JSON body. Messages the relay starts cannot
/// ride on it (a client that wants elicitation must accept SSE).
async fn json_response(mut exchange: Exchange, closing: Option<Closing>, batch: bool) -> Response {
    let mut responses = Vec::new();
    let begun = async {
        match closing {
            Some(c) => c.begun().await,
            None => std::future::pending().await,
        }
    };
    tokio::pin!(begun);
    loop {
        let next = tokio::select! {
            m = exchange.next() => m,
            () = &mut begun => None,
        };
        match next {
            Some(m) if m.get("method").is_none() => responses.push(m),
            Some(_) => {
                tracing::debug!("a server-initiated MCP message dropped: the client accepts no SSE")
            }
            None => break,
        }
    }
    if exchange.remaining > 0 {
        return rpc_error(
            StatusCode::SERVICE_UNAVAILABLE,
            clawlaw_mcp::jsonrpc::INTERNAL_ERROR,
            "the gate is shutting down; the request was not answered",
        );
    }
    let body = if batch || responses.len() != 1 {
        Value::Array(responses)
    } else {
        responses.remove(0)
    };
    axum::Json(body).into_response()
}

/// `GET /mcp/{server}`: no stream for server-initiated messages (405).
pub async fn get(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(server): Path<String>,
) -> Result<Response, ApiError> {
    resolve(&state, &caller, &server)?;
    let mut response = (
        StatusCode::METHOD_NOT_ALLOWED,
        axum::Json(json!({"error": "this gate offers no GET stream; server messages ride on POST responses"})),
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("POST, DELETE"));
    Ok(response)
}

/// `DELETE /mcp/{server}`: ends the session.
pub async fn delete(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(server): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (hub, _) = resolve(&state, &caller, &server)?;
    let session = match hub.find(&headers, &server, &caller.0.name) {
        Ok(s) => s,
        Err(no) => return Ok(no.into_response()),
    };
    hub.remove(&session.id);
    tracing::info!(mcp_session = %session.id, gate_session = %session.gate_session, "MCP session ended by the client");
    Ok(StatusCode::NO_CONTENT.into_response())
}
