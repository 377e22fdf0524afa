//! What the relay does to a `tools/list` result on its way to the client:
//! every tool is checked against the [`crate::pins::Pins`] (a tool whose
//! definition changed has its description marked, so the model sees it),
//! then, with `hide_denied`, the tools the policies deny outright are left
//! out. "Denied outright" means a call to the tool with empty arguments,
//! judged now in this session without side effects
//! ([`Governor::judge`]), would be DENY: for such a tool no call can pass,
//! so showing it only invites the model to try. A hidden tool is still
//! governed if called by name; a governor that cannot judge hides nothing.

use std::sync::Arc;

use clawlaw_sdk::Verdict;
use serde_json::{Value, json};

use super::Shared;
use crate::governor::Governor;
use crate::jsonrpc;
use crate::mapping;

impl<G: Governor> Shared<G> {
    /// The `tools/list` response to send instead of the server's, when
    /// pinning or hiding changed it.
    pub(super) async fn review_listing(self: &Arc<Self>, mut message: Value) -> Option<Vec<u8>> {
        let marked = self.pin_listing(&mut message);
        let hidden = self.hide_denied && self.hide_denied_tools(&mut message).await;
        (marked || hidden).then(|| jsonrpc::bytes(&message))
    }

    /// Checks the listed tools against the pins and marks the changed
    /// ones' descriptions. Whether it marked any.
    fn pin_listing(&self, message: &mut Value) -> bool {
        let Some(tools) = message.pointer("/result/tools").and_then(Value::as_array) else {
            return false;
        };
        let changed = {
            let mut state = self.state();
            let Some(pins) = state.pins.as_mut() else {
                return false;
            };
            match pins.check(tools) {
                Ok(c) => c,
                Err(e) => {
                    tracing::error!(error = %e, "saving tool pins");
                    Vec::new()
                }
            }
        };
        if changed.is_empty() {
            return false;
        }
        tracing::warn!(server = %self.server, tools = ?changed, "tool definitions changed since pinned");
        let Some(list) = tools_mut(message) else {
            return false;
        };
        for tool in list.iter_mut() {
            let name = tool.get("name").and_then(Value::as_str).unwrap_or_default();
            if changed.iter().any(|c| c == name) {
                let old = tool
                    .get("description")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                tool["description"] = Value::String(format!(
                    "[clawlaw: this tool's definition changed since it was pinned; calls need a human's approval] {old}"
                ));
            }
        }
        true
    }

    /// Leaves out the tools denied outright. Whether it left out any.
    async fn hide_denied_tools(&self, message: &mut Value) -> bool {
        let names: Vec<String> = match message.pointer("/result/tools").and_then(Value::as_array) {
            Some(tools) => tools
                .iter()
                .filter_map(|t| t.get("name").and_then(Value::as_str))
                .map(str::to_string)
                .collect(),
            None => return false,
        };
        let mut hidden = Vec::new();
        for name in names {
            if self.denied_outright(&name).await {
                hidden.push(name);
            }
        }
        if hidden.is_empty() {
            return false;
        }
        tracing::info!(server = %self.server, tools = ?hidden, "tools the policies deny outright hidden from tools/list");
        if let Some(list) = tools_mut(message) {
            list.retain(|t| {
                let name = t.get("name").and_then(Value::as_str).unwrap_or_default();
                !hidden.iter().any(|h| h == name)
            });
        }
        true
    }

    /// Whether a call of `tool` with empty arguments would be denied now.
    async fn denied_outright(&self, tool: &str) -> bool {
        let actions = mapping::actions(
            &self.server,
            tool,
            &json!({}),
            "mcp-judged",
            self.cwd.as_deref(),
        );
        for action in actions {
            if self.governor.judge(action).await == Some(Verdict::Deny) {
                return true;
            }
        }
        false
    }
}

fn tools_mut(message: &mut Value) -> Option<&mut Vec<Value>> {
    message.pointer_mut("/result/tools")?.as_array_mut()
}
