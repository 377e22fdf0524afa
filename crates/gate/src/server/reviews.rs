//! Reviews: list, read, wait on, watch, approve and deny.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::{Extension, Json};
use futures_util::StreamExt;
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;

use super::extract::{Caller, JsonBody};
use super::{ApiError, AppState, Closing};
use crate::auth::Permission;
use crate::review::ReviewStatus;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    status: Option<ReviewStatusParam>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum ReviewStatusParam {
    Pending,
    Approved,
    Denied,
    Expired,
}

impl From<ReviewStatusParam> for ReviewStatus {
    fn from(p: ReviewStatusParam) -> ReviewStatus {
        match p {
            ReviewStatusParam::Pending => ReviewStatus::Pending,
            ReviewStatusParam::Approved => ReviewStatus::Approved,
            ReviewStatusParam::Denied => ReviewStatus::Denied,
            ReviewStatusParam::Expired => ReviewStatus::Expired,
        }
    }
}

pub async fn list(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Permission::Review)?;
    Ok(Json(state.gate.reviews().list(q.status.map(Into::into))))
}

pub async fn show(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require_any(&[Permission::Review, Permission::Act])?;
    state
        .gate
        .review(&id)
        .await
        .map(Json)
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, format!("no review {id}")))
}

/// How often an idle event stream sends a comment, so proxies and clients
/// keep it open and notice a dead gate.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// `GET /v1/reviews/events`: Server-Sent Events, one `review` event per
/// review opened or decided (`{"kind": "opened"|"decided", "review": …}`),
/// and `resync` when this watcher fell behind and missed some: read the
/// list again.
pub async fn events(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    closing: Option<Extension<Closing>>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Permission::Review)?;
    let receiver = state.gate.reviews().subscribe();
    let stream = futures_util::stream::unfold(receiver, |mut receiver| async move {
        let event = match receiver.recv().await {
            Ok(e) => Event::default()
                .event("review")
                .json_data(&e)
                .unwrap_or_else(|_| resync()),
            Err(RecvError::Lagged(_)) => resync(),
            Err(RecvError::Closed) => return None,
        };
        Some((Ok::<_, Infallible>(event), receiver))
    });
    // The stream ends when the gate shuts down, so the shutdown does not
    // wait for watchers that never hang up.
    let end = async move {
        match closing {
            Some(Extension(closing)) => closing.begun().await,
            None => std::future::pending().await,
        }
    };
    let stream = stream.take_until(end);
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)))
}

fn resync() -> Event {
    Event::default().event("resync").data("{}")
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaitQuery {
    timeout_ms: Option<u64>,
}

pub async fn wait(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<WaitQuery>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require_any(&[Permission::Review, Permission::Act])?;
    let max = state.gate.options().max_wait;
    let timeout = Duration::from_millis(q.timeout_ms.unwrap_or(max.as_millis() as u64)).min(max);
    state
        .gate
        .wait_review(&id, timeout)
        .await
        .map(Json)
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, format!("no review {id}")))
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct AnswerBody {
    reason: String,
}

pub async fn approve(
    state: State<Arc<AppState>>,
    caller: Caller,
    id: Path<String>,
    body: JsonBody<AnswerBody>,
) -> Result<impl IntoResponse, ApiError> {
    answer(state, caller, id, body, true).await
}

pub async fn deny(
    state: State<Arc<AppState>>,
    caller: Caller,
    id: Path<String>,
    body: JsonBody<AnswerBody>,
) -> Result<impl IntoResponse, ApiError> {
    answer(state, caller, id, body, false).await
}

async fn answer(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<AnswerBody>,
    approve: bool,
) -> Result<Json<crate::review::Review>, ApiError> {
    caller.require(Permission::Review)?;
    let review = state
        .gate
        .answer_review(&id, &caller.0.name, approve, &body.reason)
        .await?;
    Ok(Json(review))
}
