//! The path of one governed `tools/call`: its actions decided in order, an
//! ESCALATE put to the human through the client's `elicitation/create`
//! (or a reviewer, or denied), a changed tool definition approved, then
//! the call forwarded — or answered with an `isError` result giving the
//! reason, which the model reads and can act on.

use std::sync::Arc;

use clawlaw_sdk::Verdict;
use serde_json::{Value, json};
use tokio::sync::oneshot;

use super::{Pending, Shared};
use crate::governor::{Decision, Governor, ReviewOutcome};
use crate::jsonrpc::{self, INVALID_PARAMS, id_key};
use crate::mapping;

/// Who answers a review given through the client's elicitation.
pub const ELICITATION_REVIEWER: &str = "mcp-client-elicitation";

/// The prefix of the ids of the relay's own `elicitation/create` requests.
pub(crate) const ELICIT_ID_PREFIX: &str = "clawlaw-elicit-";

/// Why a call does not reach the server.
enum Refusal {
    /// A tool result with `isError`: the model reads the reason.
    Tool(String),
    /// A JSON-RPC error: the request itself is not a valid call.
    Rpc(i64, String),
}

/// Decides one call and forwards or answers it.
pub(crate) async fn govern<G: Governor>(
    shared: Arc<Shared<G>>,
    id: Value,
    message: Value,
    size: usize,
    line: Vec<u8>,
) {
    let key = id_key(&id);
    let decided = decide(&shared, &message, size).await;
    let cancelled = shared.state().governing.remove(&key).unwrap_or(false);
    match decided {
        // A cancelled request is not answered (nor run).
        Ok((tool, action_ids)) if cancelled => {
            shared.record(
                &action_ids,
                &tool,
                json!({"not_run": "cancelled by the client"}),
            );
        }
        _ if cancelled => {}
        Ok((tool, action_ids)) => {
            let pending = Pending::ToolCall {
                id,
                tool,
                action_ids,
            };
            shared.forward(pending, line).await
        }
        Err(Refusal::Tool(text)) => shared.send_client(jsonrpc::tool_error(&id, &text)).await,
        Err(Refusal::Rpc(code, text)) => shared.send_client(jsonrpc::error(&id, code, &text)).await,
    }
}

/// The tool and the allowed actions' ids, or why the call is refused.
async fn decide<G: Governor>(
    shared: &Arc<Shared<G>>,
    message: &Value,
    size: usize,
) -> Result<(String, Vec<String>), Refusal> {
    let params = message.get("params");
    let Some(tool) = params.and_then(|p| p.get("name")).and_then(Value::as_str) else {
        return Err(Refusal::Rpc(
            INVALID_PARAMS,
            "clawlaw: a tools/call without a tool name; not forwarded".into(),
        ));
    };
    let arguments = match params.and_then(|p| p.get("arguments")) {
        None | Some(Value::Null) => json!({}),
        Some(a @ Value::Object(_)) => a.clone(),
        Some(_) => {
            return Err(Refusal::Rpc(
                INVALID_PARAMS,
                "clawlaw: tools/call arguments must be an object; not forwarded".into(),
            ));
        }
    };
    let name = mapping::tool_name(&shared.server, tool);
    let cap = shared.governor.max_action_bytes();
    if size > cap {
        return Err(Refusal::Tool(format!(
            "clawlaw: denied {name}: the call is {size} bytes, over the action limit of {cap} bytes; it was not read"
        )));
    }
    let call_id = {
        let mut state = shared.state();
        state.counter += 1;
        format!("mcp-{}", state.counter)
    };
    let actions = mapping::actions(
        &shared.server,
        tool,
        &arguments,
        &call_id,
        shared.cwd.as_deref(),
    );
    let mut allowed = Vec::new();
    for action in actions {
        let decision = shared
            .governor
            .evaluate(action)
            .await
            .map_err(|e| Refusal::Tool(format!("clawlaw failed closed on {name}: {e}")))?;
        match decision.verdict {
            Verdict::Allow => allowed.push(decision.action_id),
            Verdict::Deny => {
                shared.record(
                    &allowed,
                    tool,
                    json!({"not_run": "a later part of the call was denied"}),
                );
                return Err(Refusal::Tool(format!(
                    "clawlaw: denied {name}: {}",
                    with_rules(&decision)
                )));
            }
            Verdict::Escalate => match escalate(shared, &name, &decision).await {
                Ok(()) => allowed.push(decision.action_id),
                Err(why) => {
                    shared.record(
                        &allowed,
                        tool,
                        json!({"not_run": "a later part of the call was not approved"}),
                    );
                    return Err(Refusal::Tool(why));
                }
            },
        }
    }
    let changed = shared
        .state()
        .pins
        .as_ref()
        .is_some_and(|p| p.is_changed(tool));
    if changed && let Err(why) = approve_changed(shared, tool, &name).await {
        shared.record(&allowed, tool, json!({ "not_run": why }));
        return Err(Refusal::Tool(why));
    }
    Ok((tool.to_string(), allowed))
}

fn with_rules(d: &Decision) -> String {
    if d.rules.is_empty() {
        d.reason.clone()
    } else {
        format!("{} [{}]", d.reason, d.rules.join(", "))
    }
}

/// An ESCALATE: the human through the client when it can ask, else a
/// reviewer through the governor, else refused.
async fn escalate<G: Governor>(
    shared: &Arc<Shared<G>>,
    name: &str,
    d: &Decision,
) -> Result<(), String> {
    let reason = with_rules(d);
    let elicitation = shared.state().elicitation;
    if elicitation && shared.elicit_reviews {
        let question = format!(
            "clawlaw: the agent wants to call {name} (MCP server {}), which needs your approval: {reason}\n\nApprove this call?",
            shared.server
        );
        let answer = elicit(shared, question).await;
        let (approve, why) = match &answer {
            Ok(true) => (
                true,
                "approved by the user when the MCP client asked".to_string(),
            ),
            Ok(false) => (
                false,
                "denied by the user when the MCP client asked".to_string(),
            ),
            Err(e) => (false, format!("no answer from the user: {e}")),
        };
        if let Some(review) = &d.review_id {
            shared
                .governor
                .answer_review(review, approve, ELICITATION_REVIEWER, &why)
                .await
                .map_err(|e| {
                    format!("clawlaw failed closed on {name}: recording the review: {e}")
                })?;
        }
        return if approve {
            Ok(())
        } else {
            Err(format!(
                "clawlaw: denied {name}: {why} (it needed approval: {reason})"
            ))
        };
    }
    let Some(review) = &d.review_id else {
        return Err(format!(
            "clawlaw: denied {name}: it needs a human's approval ({reason}), and this MCP client cannot ask (it declared no elicitation capability)"
        ));
    };
    let waited = shared
        .governor
        .wait_review(review, shared.review_timeout)
        .await
        .map_err(|e| {
            format!("clawlaw failed closed on {name}: waiting for review {review}: {e}")
        })?;
    match waited {
        ReviewOutcome::Approved => Ok(()),
        ReviewOutcome::Denied => Err(format!(
            "clawlaw: denied {name}: a reviewer denied it (review {review}; it needed approval: {reason})"
        )),
        ReviewOutcome::Unanswered => Err(format!(
            "clawlaw: denied {name}: it needs a human's approval ({reason}); this MCP client cannot ask (no elicitation capability) and no reviewer answered review {review} in time"
        )),
    }
}

/// A tool whose definition changed since it was pinned: the human approves
/// the new definition (which then becomes the pin) or the call is refused.
async fn approve_changed<G: Governor>(
    shared: &Arc<Shared<G>>,
    tool: &str,
    name: &str,
) -> Result<(), String> {
    let pin_file = shared
        .state()
        .pins
        .as_ref()
        .map(|p| p.path().display().to_string())
        .unwrap_or_default();
    let reason = format!(
        "the definition of {name} (its description or input schema) changed since it was pinned in {pin_file}"
    );
    if !shared.state().elicitation {
        return Err(format!(
            "clawlaw: denied {name}: {reason}; a human must approve the new definition, and this MCP client cannot ask (no elicitation capability)"
        ));
    }
    let question = format!(
        "clawlaw: {reason}. A changed tool can carry instructions for the model. Trust the new definition and run this call?"
    );
    match elicit(shared, question).await {
        Ok(true) => {
            if let Some(pins) = shared.state().pins.as_mut()
                && let Err(e) = pins.approve(tool)
            {
                tracing::error!(error = %e, "saving the approved pin");
            }
            Ok(())
        }
        Ok(false) => Err(format!(
            "clawlaw: denied {name}: {reason}; the user did not approve it"
        )),
        Err(e) => Err(format!(
            "clawlaw: denied {name}: {reason}; no answer from the user: {e}"
        )),
    }
}

/// Asks the human through the client: true when they accepted and approved.
async fn elicit<G: Governor>(shared: &Arc<Shared<G>>, message: String) -> Result<bool, String> {
    let (tx, rx) = oneshot::channel();
    let id = {
        let mut state = shared.state();
        state.counter += 1;
        let id = json!(format!("{ELICIT_ID_PREFIX}{}", state.counter));
        state.elicits.insert(id_key(&id), tx);
        id
    };
    let params = json!({
        "message": message,
        "requestedSchema": {
            "type": "object",
            "properties": {
                "approve": {
                    "type": "boolean",
                    "title": "Approve",
                    "description": "Let this tool call run",
                },
            },
            "required": ["approve"],
        },
    });
    shared
        .send_client(jsonrpc::request(&id, "elicitation/create", params))
        .await;
    let answer = match tokio::time::timeout(shared.elicitation_timeout, rx).await {
        Ok(Ok(answer)) => answer,
        Ok(Err(_)) => return Err("the client went away".into()),
        Err(_) => {
            shared.state().elicits.remove(&id_key(&id));
            return Err(format!(
                "none within {} s",
                shared.elicitation_timeout.as_secs()
            ));
        }
    };
    if let Some(err) = answer.get("error") {
        let message = err.get("message").and_then(Value::as_str).unwrap_or("?");
        return Err(format!("the client could not ask: {message}"));
    }
    let result = answer.get("result").unwrap_or(&Value::Null);
    let accepted = result.get("action").and_then(Value::as_str) == Some("accept");
    let approved = result.pointer("/content/approve").and_then(Value::as_bool) == Some(true);
    Ok(accepted && approved)
}
