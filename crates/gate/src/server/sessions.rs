//! Sessions: open, list, read, evaluate actions, report outcomes, read evidence.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;

use super::extract::{Caller, JsonBody, RawJson};
use super::{ApiError, AppState};
use crate::auth::Permission;
use crate::session::Declaration;

pub async fn open(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    JsonBody(mut declaration): JsonBody<Declaration>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Permission::Act)?;
    if declaration.principal.is_none() {
        declaration.principal = Some(caller.0.name.clone());
    }
    let session = state.gate.open_session(declaration).await?;
    Ok((StatusCode::CREATED, Json(session)))
}

pub async fn show(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Permission::ReadSessions)?;
    state
        .gate
        .session_summary(&id)
        .await
        .map(Json)
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, format!("no session {id}")))
}

pub async fn evaluate(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
    RawJson(body): RawJson,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Permission::Act)?;
    let answer = state.gate.evaluate(&id, &body).await?;
    Ok(Json(answer))
}

pub async fn outcome(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path((id, action)): Path<(String, String)>,
    JsonBody(result): JsonBody<serde_json::Value>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Permission::Act)?;
    state.gate.report_outcome(&id, &action, result).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct EvidenceQuery {
    action: Option<String>,
}

pub async fn evidence(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<EvidenceQuery>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Permission::ReadEvidence)?;
    let records = state
        .gate
        .store()
        .records(&id, q.action.as_deref())
        .await
        .map_err(|e| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, e))?;
    Ok(Json(records))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    limit: Option<usize>,
}

/// The newest sessions first, summarised (bounded: see `Gate::list_sessions`).
pub async fn list(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Permission::ReadEvidence)?;
    Ok(Json(state.gate.list_sessions(q.limit.unwrap_or(100)).await))
}
