//! `POST /v1/hooks/{agent}`: agents' hooks served by the gate itself.
//!
//! The body is exactly what the agent's hook sends (Claude Code's
//! `"type": "http"` hooks POST it here directly; `clawlaw hook <agent>
//! --gate URL` forwards its stdin here), and the answer is exactly what the
//! agent reads, always with status 200: an HTTP hook that fails (no
//! connection, a timeout, any non-2xx status) is a non-blocking error in
//! Claude Code and **the tool runs anyway**, so every problem — a bad token,
//! an unreadable body, a refused action — is a 200 carrying a deny. Even
//! so, a gate that cannot be reached fails open for HTTP hooks; the command
//! adapter is the fail-closed choice.
//!
//! Each agent session (its `session_id`, Cursor's `conversation_id`) gets
//! one gate session, opened on its first event. Its id is derived from the
//! caller's token name, the agent and the agent's session id
//! ([`gate_session_id`]), so the same agent session reaches the same gate
//! session on every replica and after a restart: its composition is whole
//! wherever its events land. The last prompt's hash rides along with every
//! action so evidence records carry `prompt_hash` (remembered by the
//! replica that saw the prompt); the prompt itself is not stored.
//!
//! ESCALATE: with `?wait_ms=N` the route waits (at most the gate's
//! `max_wait`) for a reviewer and answers allow or deny; an approval is
//! then used by evaluating the action again, which records it as allowed
//! in the review and consumes the approval in the store, so no replica can
//! honour it twice. Otherwise, where
//! the agent can ask its user (Claude Code, Cursor), the answer is `ask`:
//! the human at the agent's prompt is the principal. When the tool's
//! post-tool event then arrives — the human said yes — the route records
//! that approval in the review (by `<token name> (at the <agent> prompt)`),
//! consumes it at once so it approves nothing else, and records the
//! outcome. Only actions this route answered `ask` can be approved that
//! way: remembered by the replica that answered, or, for an agent that can
//! ask before every tool (Claude Code), any escalated action whose review
//! is still pending when its post-tool event reaches another replica.
//! Agents that cannot ask (Codex, Gemini CLI) get a deny naming the
//! review; a reviewer may approve it and the agent retry.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use clawlaw_sdk::{ActionRequest, Verdict};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::extract::Caller;
use super::{ApiError, AppState};
use crate::auth::Permission;
use crate::review::ReviewStatus;
use crate::session::Declaration;
use clawlaw_hooks::{Agent, Answer, Event, EventKind, HookInput, Reply, answer_for, fail};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HookQuery {
    /// On ESCALATE, wait this long for a reviewer instead of asking.
    wait_ms: Option<u64>,
}

pub async fn handle(
    State(state): State<Arc<AppState>>,
    Path(agent): Path<String>,
    caller: Result<Caller, ApiError>,
    query: Result<Query<HookQuery>, QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let Some(agent) = Agent::from_name(&agent) else {
        return ApiError::new(
            StatusCode::NOT_FOUND,
            format!("no hook adapter for {agent:?}; expected claude-code, codex, gemini or cursor"),
        )
        .into_response();
    };
    let reply = match (body, query) {
        (Err(e), _) => fail(agent, &EventKind::Unknown, &format!("request body: {e}")),
        (Ok(bytes), query) => match agent.parse(&bytes) {
            Err(e) => fail(agent, &agent.sniff_event(&bytes), &e.to_string()),
            Ok(input) => match (caller, query) {
                (Err(e), _) => fail(agent, &input.kind, &e.message),
                (_, Err(e)) => fail(agent, &input.kind, &e.body_text()),
                (Ok(caller), Ok(Query(q))) => match caller.require(Permission::Act) {
                    Err(e) => fail(agent, &input.kind, &e.message),
                    Ok(()) => run(&state, &caller, agent, input, q.wait_ms).await,
                },
            },
        },
    };
    (StatusCode::OK, Json(reply.http_body(agent))).into_response()
}

async fn run(
    state: &AppState,
    caller: &Caller,
    agent: Agent,
    input: HookInput,
    wait_ms: Option<u64>,
) -> Reply {
    let kind = input.kind.clone();
    let entry = registry_entry(state, &caller.0.name, agent, &input.session_id);
    let (session, prompt_hash) = {
        let mut hs = entry.lock().await;
        if hs.gate_session.is_none() {
            let declaration = Declaration {
                intent: Some(format!("{} session {}", agent.name(), input.session_id)),
                principal: Some(caller.0.name.clone()),
                ..Declaration::default()
            };
            let id = gate_session_id(&caller.0.name, agent, &input.session_id);
            match state.gate.open_session_as(&id, declaration).await {
                Ok(summary) => {
                    hs.gate_session = summary
                        .get("session_id")
                        .and_then(|v| v.as_str())
                        .map(str::to_string);
                }
                Err(e) => return fail(agent, &kind, &format!("opening a gate session: {e}")),
            }
        }
        let Some(session) = hs.gate_session.clone() else {
            return fail(agent, &kind, "the gate opened a session without an id");
        };
        if let Event::Prompt { prompt } = &input.event {
            hs.prompt_hash = Some(format!(
                "sha256:{}",
                hex::encode(Sha256::digest(prompt.as_bytes()))
            ));
        }
        (session, hs.prompt_hash.clone())
    };
    let answer = match input.event {
        Event::SessionStart | Event::Prompt { .. } | Event::Other => {
            Answer::Continue { warning: None }
        }
        Event::PreTool { action } => {
            decide(state, &entry, &kind, &session, action, prompt_hash, wait_ms).await
        }
        Event::PostTool {
            action_id,
            tool,
            response,
        } => {
            let outcome = clawlaw_hooks::outcome_value(agent, &tool, &response);
            let mut asked = entry.lock().await.asked.remove(&action_id);
            if asked.is_none() && agent.always_asks() {
                // Answered `ask` by another replica, or before a restart.
                asked = state.gate.pending_review_of(&session, &action_id).await;
            }
            let warning =
                record_outcome(state, caller, agent, &session, &action_id, asked, outcome).await;
            Answer::Continue { warning }
        }
    };
    agent.render(&kind, &answer)
}

async fn decide(
    state: &AppState,
    entry: &Arc<tokio::sync::Mutex<HookSession>>,
    kind: &EventKind,
    session: &str,
    action: ActionRequest,
    prompt_hash: Option<String>,
    wait_ms: Option<u64>,
) -> Answer {
    let mut body = serde_json::json!({ "action": action });
    if let Some(h) = prompt_hash {
        body["prompt_hash"] = h.into();
    }
    let answer = match state
        .gate
        .evaluate(session, body.to_string().as_bytes())
        .await
    {
        Ok(a) => a,
        Err(e) => {
            let reason = e.answer().map(|a| a.reason.clone()).unwrap_or_default();
            return Answer::Deny {
                reason: format!("clawlaw: denied: {e} {reason}")
                    .trim_end()
                    .to_string(),
            };
        }
    };
    let review_id = answer.review_id.clone();
    if let (Verdict::Escalate, Some(id), Some(ms)) = (answer.evaluation, &review_id, wait_ms) {
        let timeout = Duration::from_millis(ms).min(state.gate.options().max_wait);
        let review = state.gate.wait_review(id, timeout).await;
        return match review {
            Some(r) if r.status == ReviewStatus::Approved => {
                // Used by evaluating the action again: recorded as allowed
                // and consumed under the session's lock, so no replica
                // honours it twice (if one already did, this is no ALLOW).
                match state
                    .gate
                    .evaluate(session, body.to_string().as_bytes())
                    .await
                {
                    Ok(again) if again.evaluation == Verdict::Allow => Answer::Allow {
                        reason: format!("clawlaw: {}", again.reason),
                    },
                    Ok(again) => Answer::Deny {
                        reason: format!(
                            "clawlaw: review {id} was approved but its approval is used up: {}",
                            again.reason
                        ),
                    },
                    Err(e) => Answer::Deny {
                        reason: format!("clawlaw: review {id} was approved but: {e}"),
                    },
                }
            }
            Some(r) if r.status == ReviewStatus::Pending => Answer::Deny {
                reason: format!(
                    "clawlaw: no reviewer answered review {id} within {} ms: {}; \
                     retry once a reviewer has approved it",
                    timeout.as_millis(),
                    answer.reason
                ),
            },
            Some(r) => {
                let status = format!("{:?}", r.status).to_lowercase();
                let why = r.decision.map(|d| d.reason).unwrap_or(answer.reason);
                Answer::Deny {
                    reason: format!("clawlaw: review {id} {status}: {why}"),
                }
            }
            None => Answer::Deny {
                reason: format!("clawlaw: review {id} vanished"),
            },
        };
    }
    let out = answer_for(
        kind,
        answer.evaluation,
        &answer.reason,
        &answer.rules,
        review_id.as_deref(),
    );
    if let (Answer::Ask { .. }, Some(id)) = (&out, review_id) {
        let mut hs = entry.lock().await;
        if hs.asked.len() >= MAX_ASKED {
            hs.asked.clear();
        }
        hs.asked.insert(answer.action_id, id);
    }
    out
}

/// Records an approval given at the agent's prompt (when the action was
/// answered `ask`), then the outcome. Returns a warning for the user when
/// either cannot be recorded.
async fn record_outcome(
    state: &AppState,
    caller: &Caller,
    agent: Agent,
    session: &str,
    action_id: &str,
    asked: Option<String>,
    outcome: serde_json::Value,
) -> Option<String> {
    if let Some(review_id) = asked {
        let by = format!("{} (at the {} prompt)", caller.0.name, agent.name());
        let reason = "approved at the agent's permission prompt: the tool ran";
        match state
            .gate
            .answer_review(&review_id, &by, true, reason)
            .await
        {
            Ok(review) => {
                state.gate.reviews().take_approval(
                    session,
                    || review.action_digest.clone(),
                    jiff::Timestamp::now(),
                );
            }
            Err(e) => {
                return Some(format!(
                    "clawlaw: the tool ran, but review {review_id} could not be approved: {e}"
                ));
            }
        }
    }
    match state.gate.report_outcome(session, action_id, outcome).await {
        Ok(()) => None,
        Err(e) => Some(format!("clawlaw: the outcome was not recorded: {e}")),
    }
}

// -------------------------------------------------- agent session registry

/// Agent sessions remembered; past this the least recently used is dropped.
const MAX_SESSIONS: usize = 10_000;
/// Pending `ask` answers remembered per session.
const MAX_ASKED: usize = 1_000;

#[derive(Default)]
struct HookSession {
    gate_session: Option<String>,
    prompt_hash: Option<String>,
    /// Actions answered `ask`: action id → review id.
    asked: HashMap<String, String>,
}

/// The gate, the caller's token name, the agent, its session id.
type Key = (usize, String, Agent, String);

#[derive(Default)]
struct Registry {
    map: HashMap<Key, (u64, Arc<tokio::sync::Mutex<HookSession>>)>,
    tick: u64,
}

static REGISTRY: LazyLock<Mutex<Registry>> = LazyLock::new(Mutex::default);

/// The gate session of one agent session: a UUID (version 8) made of the
/// SHA-256 of the caller's token name, the agent and its session id, the
/// same on every replica and after a restart, and another for another
/// token or agent.
pub fn gate_session_id(caller: &str, agent: Agent, agent_session: &str) -> String {
    let digest = Sha256::new()
        .chain_update(b"clawlaw-hook-session\n")
        .chain_update(format!("{}\n{}\n", caller.len(), caller))
        .chain_update(format!("{}\n", agent.name()))
        .chain_update(agent_session.as_bytes())
        .finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes)
        .into_uuid()
        .to_string()
}

/// The entry of one agent session on one gate.
fn registry_entry(
    state: &AppState,
    caller: &str,
    agent: Agent,
    session_id: &str,
) -> Arc<tokio::sync::Mutex<HookSession>> {
    let key = (
        Arc::as_ptr(&state.gate) as usize,
        caller.to_string(),
        agent,
        session_id.to_string(),
    );
    let mut reg = REGISTRY.lock().unwrap_or_else(|p| p.into_inner());
    reg.tick += 1;
    let tick = reg.tick;
    if let Some((used, entry)) = reg.map.get_mut(&key) {
        *used = tick;
        return entry.clone();
    }
    if reg.map.len() >= MAX_SESSIONS
        && let Some(oldest) = reg
            .map
            .iter()
            .min_by_key(|(_, (used, _))| *used)
            .map(|(k, _)| k.clone())
    {
        reg.map.remove(&oldest);
    }
    let entry = Arc::new(tokio::sync::Mutex::new(HookSession::default()));
    reg.map.insert(key, (tick, entry.clone()));
    entry
}
