//! The HTTP API (axum): routes, authentication by bearer token and role,
//! JSON errors, body limits, graceful shutdown. Handlers are thin: each
//! parses, checks the caller's role, and calls the [`Gate`].
//!
//! | method | path | role | what |
//! |---|---|---|---|
//! | GET | `/healthz` | none | 200 when the gate can decide and record, 503 otherwise |
//! | GET | `/metrics` | none | Prometheus text format |
//! | GET | `/v1/policies` | any | the loaded policy set |
//! | POST | `/v1/sessions` | agent | open a session: intent, scope, budgets, principal |
//! | GET | `/v1/sessions/{id}` | any | the session's composition state |
//! | POST | `/v1/sessions/{id}/actions` | agent | evaluate an action: `{"action": {...}, "prompt": "..."}` |
//! | POST | `/v1/sessions/{id}/actions/{action}/outcome` | agent | report what happened |
//! | GET | `/v1/sessions/{id}/evidence` | reviewer | the session's full evidence records (`?action=` for one) |
//! | GET | `/v1/reviews` | reviewer | reviews (`?status=pending`) |
//! | GET | `/v1/reviews/events` | reviewer | Server-Sent Events: each review opened or decided |
//! | GET | `/v1/reviews/{id}` | agent, reviewer | one review |
//! | GET | `/v1/reviews/{id}/wait` | agent, reviewer | long-poll until decided (`?timeout_ms=`, bounded) |
//! | POST | `/v1/reviews/{id}/approve` | reviewer | `{"reason": "..."}` |
//! | POST | `/v1/reviews/{id}/deny` | reviewer | `{"reason": "..."}` |
//! | POST | `/v1/webhooks/registry` | shared secret | a registry push (Harbor `PUSH_ARTIFACT`): reload now |
//! | POST | `/v1/hooks/{agent}` | agent | an agent's hook JSON in, its answer out, always 200 (see `hooks`) |
//! | POST, GET, DELETE | `/mcp/{server}` | agent | MCP streamable HTTP to a configured upstream server (see `mcp`) |
//! | POST | `/v1/admin/reload` | admin | reload the policy set now; 200 swapped/unchanged, 409 refused |
//! | GET | `/v1/sessions` | reviewer | the newest sessions first, summarised (`?limit=`, at most 500) |
//! | GET | `/v1/summary` | reviewer | decisions per verdict, latency, reviews (from the metrics), as JSON |
//! | GET | `/v1/evidence/verify` | reviewer | the evidence chain's verification state (one run at a time, cached 10 s) |
//! | GET, POST | `/console…` | cookie | the reviewers' web console (see `console`) |
//!
//! `reviewer` routes take a reviewer's or an admin's credential. Besides a
//! bearer token, a caller may present the console's session cookie (with
//! `X-CSRF-Token` on POST): see `extract`.

mod console;
mod error;
mod extract;
mod hooks;
pub mod mcp;
mod ops;
mod reviews;
mod sessions;
mod webhook;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::auth::Tokens;
use crate::gate::Gate;

pub use error::ApiError;

/// What every handler shares.
pub struct AppState {
    pub gate: Arc<Gate>,
    /// Reloads the policy set (`POST /v1/admin/reload`); `None` when the
    /// gate was built without a reloadable source.
    pub reloader: Option<Arc<crate::reload::Reloader>>,
    pub tokens: Tokens,
    /// Largest request body accepted (`server.max_body_bytes`).
    pub max_body_bytes: usize,
    /// The shared secret a registry's push webhook must present; `None`
    /// turns `POST /v1/webhooks/registry` off.
    pub webhook_secret: Option<String>,
    /// The MCP gateway (`/mcp/{server}`); `None` serves no MCP servers.
    pub mcp: Option<Arc<mcp::McpHub>>,
}

/// The router for a gate served over plain HTTP.
pub fn router(state: Arc<AppState>) -> Router {
    router_for(state, false)
}

/// The router for a gate; `tls` makes the console's cookie `Secure`.
fn router_for(state: Arc<AppState>, tls: bool) -> Router {
    let max_body_bytes = state.max_body_bytes;
    Router::new()
        .route("/healthz", get(ops::healthz))
        .route("/metrics", get(ops::metrics))
        .route("/v1/policies", get(ops::policies))
        .route("/v1/sessions", post(sessions::open).get(sessions::list))
        .route("/v1/summary", get(ops::summary))
        .route("/v1/evidence/verify", get(ops::verify))
        .route("/v1/sessions/{id}", get(sessions::show))
        .route("/v1/sessions/{id}/actions", post(sessions::evaluate))
        .route(
            "/v1/sessions/{id}/actions/{action}/outcome",
            post(sessions::outcome),
        )
        .route("/v1/sessions/{id}/evidence", get(sessions::evidence))
        .route("/v1/reviews", get(reviews::list))
        .route("/v1/reviews/events", get(reviews::events))
        .route("/v1/reviews/{id}", get(reviews::show))
        .route("/v1/reviews/{id}/wait", get(reviews::wait))
        .route("/v1/reviews/{id}/approve", post(reviews::approve))
        .route("/v1/reviews/{id}/deny", post(reviews::deny))
        .route("/v1/admin/reload", post(ops::reload))
        .route("/v1/webhooks/registry", post(webhook::registry))
        .route("/v1/hooks/{agent}", post(hooks::handle))
        .route(
            "/mcp/{server}",
            post(mcp::post).get(mcp::get).delete(mcp::delete),
        )
        .merge(console::routes())
        .fallback(error::not_found)
        .layer(axum::Extension(Arc::new(
            console::sessions::ConsoleSessions::new(tls),
        )))
        .layer(axum::Extension(Arc::new(ops::VerifyCache::default())))
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// TLS for the listener: a certificate chain and its private key, PEM.
#[derive(Debug, Clone)]
pub struct Tls {
    pub cert: std::path::PathBuf,
    pub key: std::path::PathBuf,
}

/// Turns true when the server begins to shut down (an extension of every
/// request served by [`serve`]).
#[derive(Clone)]
pub struct Closing(pub tokio::sync::watch::Receiver<bool>);

impl Closing {
    /// Resolves once the shutdown has begun (or the server is gone).
    pub async fn begun(mut self) {
        let _ = self.0.wait_for(|closing| *closing).await;
    }
}

/// Serves until `shutdown` resolves, then stops accepting, lets requests in
/// flight finish, and returns. The background review expiry runs meanwhile.
/// With `tls`, the listener speaks HTTPS (rustls) only.
pub async fn serve(
    listener: tokio::net::TcpListener,
    tls: Option<Tls>,
    state: Arc<AppState>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let gate = state.gate.clone();
    let expiry = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(250));
        loop {
            tick.tick().await;
            gate.expire_reviews().await;
        }
    });
    // Streams that never end by themselves (`GET /v1/reviews/events`) end
    // when the shutdown begins; graceful shutdown waits for every response.
    let (closing_tx, closing) = tokio::sync::watch::channel(false);
    let shutdown = async move {
        shutdown.await;
        let _ = closing_tx.send(true);
    };
    let app = router_for(state, tls.is_some())
        .layer(axum::Extension(Closing(closing)))
        .into_make_service_with_connect_info::<SocketAddr>();
    let result = match tls {
        None => {
            axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await
        }
        Some(tls) => {
            // rustls needs one process-wide crypto provider; ring is ours.
            let _ = rustls::crypto::ring::default_provider().install_default();
            let config = axum_server::tls_rustls::RustlsConfig::from_pem_file(&tls.cert, &tls.key)
                .await
                .map_err(|e| {
                    std::io::Error::new(
                        e.kind(),
                        format!("TLS {} / {}: {e}", tls.cert.display(), tls.key.display()),
                    )
                })?;
            let handle = axum_server::Handle::new();
            let stopper = handle.clone();
            tokio::spawn(async move {
                shutdown.await;
                stopper.graceful_shutdown(Some(Duration::from_secs(30)));
            });
            axum_server::from_tcp_rustls(listener.into_std()?, config)?
                .handle(handle)
                .serve(app)
                .await
        }
    };
    expiry.abort();
    result
}
