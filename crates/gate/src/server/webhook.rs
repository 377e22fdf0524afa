//! `POST /v1/webhooks/registry`: a registry's push notification (Harbor's
//! `PUSH_ARTIFACT` webhook payload) starts a reload at once, instead of at
//! the next poll. The registry authenticates with a shared secret, sent as
//! the whole `Authorization` header value (Harbor's "Auth Header"); the
//! secret comes from the environment variable `reload.webhook_secret_env`
//! names. Without it the endpoint is off.
//!
//! The reload runs in the background (202 Accepted): what it did shows in
//! `GET /v1/policies`, the logs and the `policy_reloads` metric. Events for
//! repositories no configured policy lives in are acknowledged and ignored.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use serde::Deserialize;
use subtle::ConstantTimeEq;

use super::extract::RawJson;
use super::{ApiError, AppState};
use crate::reload::Trigger;

/// The parts of Harbor's webhook payload the gate reads.
#[derive(Debug, Deserialize)]
struct Event {
    #[serde(rename = "type")]
    kind: String,
    event_data: EventData,
}

#[derive(Debug, Deserialize)]
struct EventData {
    #[serde(default)]
    resources: Vec<Resource>,
    repository: Repository,
}

#[derive(Debug, Deserialize)]
struct Resource {
    #[serde(default)]
    digest: Option<String>,
    #[serde(default)]
    tag: Option<String>,
    #[serde(default)]
    resource_url: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Repository {
    repo_full_name: String,
}

pub async fn registry(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: RawJson,
) -> Result<impl IntoResponse, ApiError> {
    let Some(secret) = &state.webhook_secret else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "the registry webhook is off: set reload.webhook_secret_env in the gate's config",
        ));
    };
    let given = headers
        .get(axum::http::header::AUTHORIZATION)
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if !bool::from(given.ct_eq(secret.as_bytes())) {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "the webhook's Authorization header does not carry the shared secret",
        ));
    }
    let event: Event = serde_json::from_slice(&body.0).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("not a registry webhook payload (Harbor's PUSH_ARTIFACT): {e}"),
        )
    })?;
    if event.kind != "PUSH_ARTIFACT" {
        return Ok((
            StatusCode::OK,
            Json(serde_json::json!({"ignored": format!("event type {}", event.kind)})),
        ));
    }
    let reloader = state.reloader.clone().ok_or_else(|| {
        ApiError::new(
            StatusCode::CONFLICT,
            "this gate has no reloadable policy source",
        )
    })?;
    let repo = event.event_data.repository.repo_full_name;
    let watched = reloader
        .references()
        .iter()
        .any(|r| r.repository() == repo || r.repository().ends_with(&format!("/{repo}")));
    if !watched {
        return Ok((
            StatusCode::OK,
            Json(serde_json::json!({"ignored": format!("no configured policy lives in {repo}")})),
        ));
    }
    let pushed: Vec<String> = event
        .event_data
        .resources
        .iter()
        .map(|r| {
            r.resource_url
                .clone()
                .or_else(|| r.tag.clone())
                .or_else(|| r.digest.clone())
                .unwrap_or_default()
        })
        .collect();
    tracing::info!(repository = %repo, ?pushed, "registry push webhook: reloading");
    tokio::task::spawn_blocking(move || reloader.reload(Trigger::Webhook));
    Ok((
        StatusCode::ACCEPTED,
        Json(serde_json::json!({"reload": "started", "repository": repo})),
    ))
}
