//! Operational endpoints: health, metrics, the loaded policies.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;

use super::extract::Caller;
use super::{ApiError, AppState};
use crate::auth::Permission;
use crate::reload::Trigger;
use crate::review::ReviewStatus;

pub async fn healthz(State(state): State<Arc<AppState>>) -> impl IntoResponse {
    let gate = &state.gate;
    let set = gate.policies();
    let body = serde_json::json!({
        "status": if gate.is_healthy() { "ok" } else { "unhealthy" },
        "evidence": if gate.evidence().is_healthy() { "writable" } else { "failing: every action is denied" },
        "policy_set": set.version(),
        "policies": set.policies().len(),
        "sessions": gate.session_count(),
        "pending_reviews": gate.reviews().count(ReviewStatus::Pending),
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
