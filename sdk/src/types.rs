//! The contract's values as plain Rust types, free of any WebAssembly binding,
//! so policies are written and unit-tested as ordinary Rust.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::view::{SessionPart, SessionParts};

/// The action kinds the gate's adapters produce. A policy must treat a kind
/// it does not know conservatively.
pub mod kinds {
    pub const FILE_READ: &str = "file.read";
    pub const FILE_WRITE: &str = "file.write";
    pub const FILE_DELETE: &str = "file.delete";
    pub const SHELL_EXEC: &str = "shell.exec";
    pub const NET_REQUEST: &str = "net.request";
    pub const TOOL_CALL: &str = "tool.call";
    pub const K8S_APPLY: &str = "k8s.apply";
    pub const MODEL_PROMOTE: &str = "model.promote";
    pub const TRAIN_SUBMIT: &str = "train.submit";
    pub const TRAIN_STEP: &str = "train.step";
}

/// Whether `s` is a name as the contract requires of a decision's labels,
/// counters and redaction kinds and of a policy's name, rule ids and
/// kinds: 1 to 64 of `a-z`, `0-9`, `.`, `-`, `_`, `:`. The gate refuses a
/// decision that breaks it (the policy faults).
pub fn is_name(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'_' | b':')
        })
}

/// An answer: the action may run, must not run, or a human decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Verdict {
    #[serde(alias = "allow")]
    Allow,
    #[serde(alias = "escalate")]
    Escalate,
    #[serde(alias = "deny")]
    Deny,
}

impl Verdict {
    /// The stricter of two verdicts: deny over escalate over allow.
    pub fn max(self, other: Verdict) -> Verdict {
        std::cmp::max(self, other)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allow => "ALLOW",
            Verdict::Escalate => "ESCALATE",
            Verdict::Deny => "DENY",
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One action an agent proposes to take. Nothing has happened yet.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Action {
    pub id: String,
    /// `file.write`, `shell.exec`, ... (see [`kinds`]).
    pub kind: String,
    /// The agent's tool name, e.g. `Bash`; empty when none was given.
    pub tool: String,
    /// A path, URL, host or resource.
    pub target: Option<String>,
    /// The command line, for `shell.exec`.
    pub command: Option<String>,
    /// What is to be written or sent.
    pub content: Option<String>,
    /// The tool's full input as JSON text (`{}` when none).
    pub input: String,
    /// The agent's working directory.
    pub cwd: Option<String>,
}

impl Action {
    /// An action of `kind` with an empty input.
    pub fn new(kind: &str) -> Action {
        Action {
            id: "a1".into(),
            kind: kind.into(),
            input: "{}".into(),
            ..Action::default()
        }
    }

    /// A `shell.exec` of `command`, as the `Bash` tool proposes it.
    pub fn shell(command: &str) -> Action {
        Action {
            tool: "Bash".into(),
            command: Some(command.into()),
            ..Action::new(kinds::SHELL_EXEC)
        }
    }

    /// A `file.read` of `path`, as the `Read` tool proposes it.
    pub fn read(path: &str) -> Action {
        Action {
            tool: "Read".into(),
            target: Some(path.into()),
            ..Action::new(kinds::FILE_READ)
        }
    }

    /// A `file.write` of `content` to `path`, as the `Write` tool proposes it.
    pub fn write(path: &str, content: &str) -> Action {
        Action {
            tool: "Write".into(),
            target: Some(path.into()),
            content: Some(content.into()),
            ..Action::new(kinds::FILE_WRITE)
        }
    }

    /// A `net.request` to `url`.
    pub fn request(url: &str) -> Action {
        Action {
            tool: "WebFetch".into(),
            target: Some(url.into()),
            ..Action::new(kinds::NET_REQUEST)
        }
    }

    /// The same action with its working directory set.
    pub fn in_dir(mut self, cwd: &str) -> Action {
        self.cwd = Some(cwd.into());
        self
    }

    /// The tool's input parsed into `T`.
    pub fn input_as<T: DeserializeOwned>(&self) -> Result<T, String> {
        serde_json::from_str(self.input_or_empty()).map_err(|e| format!("tool input: {e}"))
    }

    /// The tool's input as a JSON value (`Null` when it is not JSON).
    pub fn input_json(&self) -> serde_json::Value {
        serde_json::from_str(self.input_or_empty()).unwrap_or(serde_json::Value::Null)
    }

    /// One string field of the tool's input, e.g. `file_path`.
    pub fn input_str(&self, key: &str) -> Option<String> {
        match self.input_json().get(key) {
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            _ => None,
        }
    }

    fn input_or_empty(&self) -> &str {
        if self.input.trim().is_empty() {
            "{}"
        } else {
            &self.input
        }
    }
}

/// An action as JSON writes it — in a request to the gate, in the evidence,
/// in a case file: `input` is the tool's input as any JSON value, not text,
/// and everything but `kind` may be left out.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionRequest {
    #[serde(default)]
    pub id: Option<String>,
    pub kind: String,
    #[serde(default)]
    pub tool: Option<String>,
    #[serde(default)]
    pub target: Option<String>,
    #[serde(default)]
    pub command: Option<String>,
    #[serde(default)]
    pub content: Option<String>,
    #[serde(default)]
    pub input: Option<serde_json::Value>,
    #[serde(default)]
    pub cwd: Option<String>,
}

impl ActionRequest {
    /// The action as a policy receives it, named `fallback_id` when the
    /// request gives no id. Checks nothing: the gate validates first.
    pub fn to_action(&self, fallback_id: impl FnOnce() -> String) -> Action {
        Action {
            id: self.id.clone().unwrap_or_else(fallback_id),
            kind: self.kind.clone(),
            tool: self.tool.clone().unwrap_or_default(),
            target: self.target.clone(),
            command: self.command.clone(),
            content: self.content.clone(),
            input: match &self.input {
                None | Some(serde_json::Value::Null) => "{}".to_string(),
                Some(v) => v.to_string(),
            },
            cwd: self.cwd.clone(),
        }
    }
}

impl From<&Action> for ActionRequest {
    /// The action as JSON writes it: its input parsed back into a value
    /// (kept as a string when it is not JSON).
    fn from(a: &Action) -> ActionRequest {
        ActionRequest {
            id: Some(a.id.clone()),
            kind: a.kind.clone(),
            tool: Some(a.tool.clone()),
            target: a.target.clone(),
            command: a.command.clone(),
            content: a.content.clone(),
            input: Some(
                serde_json::from_str(&a.input)
                    .unwrap_or_else(|_| serde_json::Value::String(a.input.clone())),
            ),
            cwd: a.cwd.clone(),
        }
    }
}

/// What the session remembers of one earlier action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PastAction {
    pub kind: String,
    #[serde(default)]
    pub target: Option<String>,
    pub verdict: Verdict,
    #[serde(default)]
    pub labels: Vec<String>,
}

/// A bounded view of the session the action belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Session {
    pub id: String,
    pub intent: Option<String>,
    /// Declared scope: workspace roots, hosts, tools.
    pub scope: Vec<String>,
    /// Actions proposed before this one.
    pub actions: u64,
    pub labels: Vec<String>,
    pub counters: Vec<(String, i64)>,
    pub risk: f32,
    /// The most recent actions, oldest first.
    pub recent: Vec<PastAction>,
}

impl Default for Session {
    fn default() -> Session {
        Session {
            id: "session".into(),
            intent: None,
            scope: Vec::new(),
            actions: 0,
            labels: Vec::new(),
            counters: Vec::new(),
            risk: 0.0,
            recent: Vec::new(),
        }
    }
}

impl Session {
    /// Whether a label is set on the session.
    pub fn has_label(&self, label: &str) -> bool {
        self.labels.iter().any(|l| l == label)
    }

    /// A counter's value, 0 when unset.
    pub fn counter(&self, name: &str) -> i64 {
        self.counters
            .iter()
            .find(|(n, _)| n == name)
            .map_or(0, |(_, v)| *v)
    }
}

/// A policy's answer for one action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub verdict: Verdict,
    /// 0.0 (none) to 1.0.
    pub risk: f32,
    pub reason: String,
    /// Ids of the rules that matched.
    pub rules: Vec<String>,
    /// Labels to set on the session.
    pub labels: Vec<String>,
    /// Counters to add to the session's.
    pub counters: Vec<(String, i64)>,
    /// Secrets found in the action, for the gate to mask in everything it
    /// stores or shows (see [`Redaction`]). Empty for most decisions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub redactions: Vec<Redaction>,
}

/// A secret a policy found in the action it judged, and where: the gate
/// masks it (and every other occurrence of the same value) in the evidence
/// record, review payloads and its log. Offsets are bytes into `field`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Redaction {
    /// `content`, `command`, `target` or `input` (offsets into the input's
    /// JSON text): see [`Redaction::FIELDS`].
    pub field: String,
    pub start: u32,
    pub end: u32,
    /// What was found, e.g. `github-token`.
    pub kind: String,
}

impl Redaction {
    /// The action fields a redaction may point into.
    pub const FIELDS: [&'static str; 4] = ["content", "command", "target", "input"];
}

impl Decision {
    /// Allow, with no rule matched and no risk.
    pub fn allow() -> Decision {
        Decision {
            verdict: Verdict::Allow,
            risk: 0.0,
            reason: "no rule matched".into(),
            rules: Vec::new(),
            labels: Vec::new(),
            counters: Vec::new(),
            redactions: Vec::new(),
        }
    }

    /// Deny because `rule` matched; risk 1.0.
    pub fn deny(rule: &str, reason: impl Into<String>) -> Decision {
        Decision::matched(Verdict::Deny, 1.0, rule, reason)
    }

    /// Escalate to a human because `rule` matched; risk 0.5.
    pub fn escalate(rule: &str, reason: impl Into<String>) -> Decision {
        Decision::matched(Verdict::Escalate, 0.5, rule, reason)
    }

    /// Allow, noting that `rule` matched (e.g. a label-setting rule).
    pub fn allow_noting(rule: &str, reason: impl Into<String>) -> Decision {
        Decision::matched(Verdict::Allow, 0.0, rule, reason)
    }

    fn matched(verdict: Verdict, risk: f32, rule: &str, reason: impl Into<String>) -> Decision {
        Decision {
            verdict,
            risk,
            reason: reason.into(),
            rules: vec![rule.into()],
            ..Decision::allow()
        }
    }

    /// The same decision with its risk set (clamped to 0.0..=1.0).
    pub fn with_risk(mut self, risk: f32) -> Decision {
        self.risk = if risk.is_nan() {
            1.0
        } else {
            risk.clamp(0.0, 1.0)
        };
        self
    }

    /// The same decision setting a label on the session.
    pub fn with_label(mut self, label: &str) -> Decision {
        if !self.labels.iter().any(|l| l == label) {
            self.labels.push(label.into());
        }
        self
    }

    /// The same decision adding `delta` to a session counter.
    pub fn with_counter(mut self, name: &str, delta: i64) -> Decision {
        self.counters.push((name.into(), delta));
        self
    }

    /// The same decision reporting a secret of `kind` at `range` (bytes) of
    /// the action's `field` (`content`, `command`, `target`, or `input`,
    /// whose offsets index its JSON text), for the gate to mask. Offsets past
    /// `u32::MAX` are clipped (the gate caps actions far below that).
    pub fn redact(mut self, field: &str, range: std::ops::Range<usize>, kind: &str) -> Decision {
        let clip = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        let redaction = Redaction {
            field: field.into(),
            start: clip(range.start),
            end: clip(range.end),
            kind: kind.into(),
        };
        if !self.redactions.contains(&redaction) {
            self.redactions.push(redaction);
        }
        self
    }

    /// Folds another finding into this one: the stricter verdict and its
    /// reason win, risk is the higher, rules, labels and counters add up,
    /// and so do redactions (whatever either verdict).
    pub fn merge(self, other: Decision) -> Decision {
        let (mut first, second) = if other.verdict > self.verdict
            || (other.verdict == self.verdict && self.rules.is_empty() && !other.rules.is_empty())
        {
            (other, self)
        } else {
            (self, other)
        };
        first.risk = first.risk.max(second.risk);
        for r in second.rules {
            if !first.rules.contains(&r) {
                first.rules.push(r);
            }
        }
        for l in second.labels {
            if !first.labels.contains(&l) {
                first.labels.push(l);
            }
        }
        first.counters.extend(second.counters);
        for r in second.redactions {
            if !first.redactions.contains(&r) {
                first.redactions.push(r);
            }
        }
        first
    }
}

/// One rule a policy enforces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    pub id: String,
    pub summary: String,
}

/// A policy's name, version, rules, the action kinds it judges and the
/// parts of the session view it reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Info {
    pub name: String,
    pub version: String,
    pub rules: Vec<Rule>,
    /// The action kinds the policy judges: the gate consults it only on
    /// actions of these kinds. Empty (the default) means every kind.
    #[serde(default)]
    pub kinds: Vec<String>,
    /// The parts of the session view the policy reads; the gate hands it
    /// the others empty. All of them (the default) unless it declares
    /// fewer ([`Info::reading`]).
    #[serde(default)]
    pub session_parts: SessionParts,
}

impl Info {
    /// A policy that judges every kind, with no rules yet.
    pub fn new(name: &str, version: &str) -> Info {
        Info {
            name: name.into(),
            version: version.into(),
            rules: Vec::new(),
            kinds: Vec::new(),
            session_parts: SessionParts::ALL,
        }
    }

    /// Declares the parts of the session view the policy reads, and so
    /// that it reads no other: the gate hands it the others empty, which
    /// spares copying a long session's recent actions into its instance on
    /// every evaluation. `reading(&[])` reads none of them (the session's
    /// id, intent, scope, action count and risk are always handed over).
    /// The harness ([`crate::testing`]) judges every case on the view the
    /// gate would hand, and says so when the whole view would have decided
    /// otherwise.
    pub fn reading(mut self, parts: &[SessionPart]) -> Info {
        self.session_parts = SessionParts::of(parts);
        self
    }

    /// Declares the action kinds the policy judges ([`kinds`]): the gate
    /// calls it only for actions of these kinds, and answers every other
    /// kind without it, as an ALLOW with risk 0 and nothing else. Declare
    /// them only when that is what the policy answers for every other kind;
    /// the harness ([`crate::testing`]) checks it on every case. The export
    /// adds the kinds whose actions imply one of these (a `tool.call` can
    /// carry a command), see [`crate::implied::implying`].
    pub fn judging(mut self, kinds: &[&str]) -> Info {
        for k in kinds {
            if !self.kinds.iter().any(|have| have == k) {
                self.kinds.push((*k).to_string());
            }
        }
        self
    }

    /// Whether the policy judges actions of `kind`: it declares it, or it
    /// declares no kinds at all.
    pub fn judges(&self, kind: &str) -> bool {
        self.kinds.is_empty() || self.kinds.iter().any(|k| k == kind)
    }

    /// Declares a rule the policy may report.
    pub fn rule(mut self, id: &str, summary: &str) -> Info {
        self.rules.push(Rule {
            id: id.into(),
            summary: summary.into(),
        });
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_keeps_the_stricter_verdict_and_unions_rules() {
        let d = Decision::escalate("a", "first")
            .with_label("x")
            .merge(Decision::deny("b", "second").with_label("x"));
        assert_eq!(d.verdict, Verdict::Deny);
        assert_eq!(d.reason, "second");
        assert_eq!(d.rules, vec!["b", "a"]);
        assert_eq!(d.labels, vec!["x"]);
        assert_eq!(d.risk, 1.0);
    }

    #[test]
    fn merge_into_plain_allow_keeps_a_noted_rule() {
        let d = Decision::allow().merge(Decision::allow_noting("n", "noted"));
        assert_eq!(d.verdict, Verdict::Allow);
        assert_eq!(d.rules, vec!["n"]);
        assert_eq!(d.reason, "noted");
    }

    #[test]
    fn verdicts_order_by_strictness_and_parse_either_case() {
        assert_eq!(Verdict::Allow.max(Verdict::Escalate), Verdict::Escalate);
        assert_eq!(Verdict::Deny.max(Verdict::Escalate), Verdict::Deny);
        let v: Verdict = serde_json::from_str("\"deny\"").unwrap();
        assert_eq!(v, Verdict::Deny);
        assert_eq!(
            serde_json::to_string(&Verdict::Escalate).unwrap(),
            "\"ESCALATE\""
        );
    }

    #[test]
    fn redactions_are_kept_by_merge_whatever_the_verdict() {
        let found = Decision::allow().redact("content", 4..44, "github-token");
        let d = Decision::deny("b", "leak")
            .redact("input", 10..50, "github-token")
            .merge(found.clone())
            .merge(found);
        assert_eq!(d.verdict, Verdict::Deny);
        let spans: Vec<(&str, u32, u32)> = d
            .redactions
            .iter()
            .map(|r| (r.field.as_str(), r.start, r.end))
            .collect();
        assert_eq!(spans, vec![("input", 10, 50), ("content", 4, 44)]);
        assert!(Decision::allow().redactions.is_empty());
    }

    #[test]
    fn risk_is_clamped_and_nan_is_maximal() {
        assert_eq!(Decision::allow().with_risk(3.0).risk, 1.0);
        assert_eq!(Decision::allow().with_risk(f32::NAN).risk, 1.0);
        assert_eq!(Decision::allow().with_risk(-1.0).risk, 0.0);
    }

    #[test]
    fn an_action_survives_its_json_form() {
        let mut a = Action::write("/w/a.rs", "fn main() {}");
        a.input = r#"{"content":"fn main() {}","file_path":"/w/a.rs"}"#.into();
        let json = serde_json::to_string(&ActionRequest::from(&a)).unwrap();
        let back: ActionRequest = serde_json::from_str(&json).unwrap();
        assert_eq!(back.to_action(|| unreachable!()), a);
        let minimal: ActionRequest = serde_json::from_str(r#"{"kind":"shell.exec"}"#).unwrap();
        let m = minimal.to_action(|| "gen".into());
        assert_eq!(
            (m.id.as_str(), m.tool.as_str(), m.input.as_str()),
            ("gen", "", "{}")
        );
    }

    #[test]
    fn typed_input_access() {
        let mut a = Action::new(kinds::TOOL_CALL);
        a.input = r#"{"file_path":"/w/a.rs","n":3}"#.into();
        assert_eq!(a.input_str("file_path").as_deref(), Some("/w/a.rs"));
        assert_eq!(a.input_str("n"), None);
        #[derive(Deserialize)]
        struct In {
            n: u32,
        }
        assert_eq!(a.input_as::<In>().unwrap().n, 3);
        a.input = "not json".into();
        assert!(a.input_as::<In>().is_err());
        assert_eq!(a.input_json(), serde_json::Value::Null);
    }
}
