//! Operational endpoints: health, metrics (as Prometheus text and as the
//! console's JSON summary), the loaded policies, and the evidence chain's
//! verification state.

use std::sync::Arc;

use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::{Extension, Json};

use super::extract::Caller;
use super::{ApiError, AppState};
use crate::auth::Permission;
use crate::reload::Trigger;
use crate::store::Store;

pub async fn healthz(State(state): State<Arc<AppState>>) -> impl IntoResponse {
    let gate = &state.gate;
    let set = gate.policies();
    let body = serde_json::json!({
        "status": if gate.is_healthy() { "ok" } else { "unhealthy" },
        "evidence": if gate.store().is_healthy() { "writable" } else { "failing: every action is denied" },
        "policy_set": set.version(),
        "policies": set.policies().len(),
        "sessions": gate.session_count(),
        "pending_reviews": gate.reviews().pending(),
    });
    let status = if gate.is_healthy() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body))
}

pub async fn metrics(State(state): State<Arc<AppState>>) -> impl IntoResponse {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.gate.metrics().render(),
    )
}

pub async fn policies(State(state): State<Arc<AppState>>, _caller: Caller) -> impl IntoResponse {
    let set = state.gate.policies();
    let (last_reload, last_refusal) = state
        .reloader
        .as_ref()
        .map(|r| r.status())
        .unwrap_or_default();
    Json(serde_json::json!({
        "policy_set": set.version(),
        "escalation_threshold": set.escalation_threshold(),
        "policies": set.policies(),
        "last_reload": last_reload,
        "last_refusal": last_refusal,
    }))
}

/// Reloads the policy set now, off the reactor; the last good set keeps
/// serving if the new one is refused.
pub async fn reload(
    State(state): State<Arc<AppState>>,
    caller: Caller,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Permission::Admin)?;
    let reloader = state.reloader.clone().ok_or_else(|| {
        ApiError::new(
            StatusCode::CONFLICT,
            "this gate has no reloadable policy source",
        )
    })?;
    let report = tokio::task::spawn_blocking(move || reloader.reload(Trigger::Api))
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    let status = if report.outcome == "refused" {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    Ok((status, Json(report)))
}

/// Decisions per verdict, latency and reviews, from the gate's own metrics.
pub async fn summary(
    State(state): State<Arc<AppState>>,
    caller: Caller,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Permission::ReadEvidence)?;
    let gate = &state.gate;
    let mut body = gate.metrics().snapshot();
    body["reviews"]["pending"] = gate.reviews().pending().into();
    body["sessions"] = gate.session_count().into();
    body["policy_set"] = gate.policies().version().into();
    body["healthy"] = gate.is_healthy().into();
    body["four_eyes"] = gate.four_eyes().into();
    Ok(Json(body))
}

/// How long a verification result is served again before the chain is
/// walked anew.
const VERIFY_FRESH: Duration = Duration::from_secs(10);

/// The last verification of the chain. Walking the whole log costs time
/// in proportion to its size, so at most one walk runs at a time (callers
/// meanwhile wait for it and share its result) and a result younger than
/// [`VERIFY_FRESH`] is served as it is: however many consoles ask, the
/// gate walks the log at most once per ten seconds, off the reactor.
#[derive(Default)]
pub struct VerifyCache {
    last: tokio::sync::Mutex<Option<(Instant, serde_json::Value)>>,
}

/// The evidence chain's verification state: sound (entries, segments,
/// last link) or the first broken link.
pub async fn verify(
    State(state): State<Arc<AppState>>,
    Extension(cache): Extension<Arc<VerifyCache>>,
    caller: Caller,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Permission::ReadEvidence)?;
    let mut last = cache.last.lock().await;
    if let Some((at, report)) = last.as_ref()
        && at.elapsed() < VERIFY_FRESH
    {
        return Ok(Json(report.clone()));
    }
    let started = Instant::now();
    let checked_at = jiff::Timestamp::now().to_string();
    let dir = match state.gate.store() {
        Store::Local(log) => log.dir().to_path_buf(),
        Store::Postgres(pg) => {
            let report = match pg.verify().await {
                Ok(r) => serde_json::json!({
                    "ok": r.broken.is_none(),
                    "problem": r.broken,
                    "entries": r.entries,
                    "sessions": r.sessions,
                    "checkpoints": r.checkpoints,
                    "checked_at": checked_at,
                    "took_ms": started.elapsed().as_secs_f64() * 1e3,
                }),
                Err(e) => serde_json::json!({
                    "ok": false,
                    "problem": e.to_string(),
                    "checked_at": checked_at,
                    "took_ms": started.elapsed().as_secs_f64() * 1e3,
                }),
            };
            *last = Some((Instant::now(), report.clone()));
            return Ok(Json(report));
        }
    };
    let result = tokio::task::spawn_blocking(move || crate::evidence::verify(&dir))
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    let took_ms = started.elapsed().as_secs_f64() * 1e3;
    let report = match result {
        Ok(r) => serde_json::json!({
            "ok": true,
            "entries": r.entries,
            "segments": r.segments,
            "last_seq": r.last_seq,
            "last_hash": r.last_hash,
            "head_seq": r.head_seq,
            "torn": r.torn,
            "checked_at": checked_at,
            "took_ms": took_ms,
        }),
        Err(crate::evidence::VerifyError::Broken(b)) => serde_json::json!({
            "ok": false,
            "problem": b.to_string(),
            "break": {
                "file": b.file.display().to_string(),
                "line": b.line,
                "seq": b.seq,
                "problem": b.problem,
            },
            "checked_at": checked_at,
            "took_ms": took_ms,
        }),
        Err(e) => serde_json::json!({
            "ok": false,
            "problem": e.to_string(),
            "checked_at": checked_at,
            "took_ms": took_ms,
        }),
    };
    *last = Some((Instant::now(), report.clone()));
    Ok(Json(report))
}
