//! Operational endpoints: health, metrics, the loaded policies.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;

use super::AppState;
use super::extract::Caller;
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
    Json(serde_json::json!({
        "policy_set": set.version(),
        "escalation_threshold": set.escalation_threshold(),
        "policies": set.policies(),
    }))
}
