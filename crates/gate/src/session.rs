//! Sessions and their composition: what a session declared (intent, scope,
//! budgets, principal) and what its actions add up to — counters by kind,
//! distinct targets and hosts, bytes written, labels, cumulative risk,
//! out-of-scope actions, the last few actions. The view handed to policies
//! is bounded, so a decision costs the same at action 10 and at 10,000.

use std::collections::{BTreeMap, BTreeSet, HashSet, VecDeque};
use std::hash::{Hash, Hasher};

use clawlaw_sdk::{Action, PastAction, Session, Verdict, kinds};
use serde::{Deserialize, Serialize};

use crate::budget::{Budgets, Usage};

/// How many recent actions the view carries.
pub const DEFAULT_RECENT: usize = 16;
/// Distinct targets remembered exactly; past this the count stops growing.
const MAX_DISTINCT_TARGETS: usize = 100_000;
/// Distinct hosts remembered exactly.
const MAX_DISTINCT_HOSTS: usize = 10_000;
/// Distinct `kind:*` counters kept; further kinds count as `kind:other`.
const MAX_KIND_COUNTERS: usize = 32;
/// Labels a session can carry.
const MAX_LABELS: usize = 64;
/// Counters a session can carry in total.
const MAX_COUNTERS: usize = 128;

/// What a session declares when it is opened.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Declaration {
    /// What the agent intends to do, free text.
    pub intent: Option<String>,
    pub scope: Scope,
    pub budgets: Budgets,
    /// Who the agent acts for.
    pub principal: Option<String>,
}

/// The declared scope. An empty list leaves that dimension undeclared.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Scope {
    /// Workspace roots: absolute paths.
    pub roots: Vec<String>,
    /// Network hosts the session may reach (globs such as `*.github.com`).
    pub hosts: Vec<String>,
    /// Tools the session may use (e.g. `Bash`, `mcp__github__*`).
    pub tools: Vec<String>,
}

impl Scope {
    /// Checks the declaration; the error names the field.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(r) = self.roots.iter().find(|r| !r.starts_with('/')) {
            return Err(format!("scope.roots: {r:?} is not an absolute path"));
        }
        for (field, list) in [("hosts", &self.hosts), ("tools", &self.tools)] {
            if let Some(bad) = list
                .iter()
                .find(|e| e.is_empty() || e.chars().any(char::is_whitespace))
            {
                return Err(format!("scope.{field}: {bad:?} is not a name"));
            }
        }
        Ok(())
    }

    /// The scope as the WIT `session.scope` list encodes it: roots as
    /// absolute paths, `host:<glob>`, `tool:<glob>`.
    pub fn encode(&self) -> Vec<String> {
        let mut v = self.roots.clone();
        v.extend(self.hosts.iter().map(|h| format!("host:{h}")));
        v.extend(self.tools.iter().map(|t| format!("tool:{t}")));
        v
    }

    /// Whether `action` falls outside the declared scope, and why.
    pub fn violation(&self, action: &Action) -> Option<String> {
        if !self.tools.is_empty()
            && !action.tool.is_empty()
            && !self
                .tools
                .iter()
                .any(|t| clawlaw_sdk::glob::matches(t, &action.tool))
        {
            return Some(format!("tool {} is not in the declared scope", action.tool));
        }
        if !self.hosts.is_empty()
            && let Some(host) = host_of(action)
            && !self
                .hosts
                .iter()
                .any(|h| clawlaw_sdk::glob::matches(h, &host))
        {
            return Some(format!("host {host} is not in the declared scope"));
        }
        if !self.roots.is_empty()
            && is_file_kind(&action.kind)
            && let Some(path) = file_path(action)
        {
            let inside = clawlaw_sdk::path::normalize(&path, action.cwd.as_deref(), None)
                .map(|p| clawlaw_sdk::path::within_any(&p, &self.roots))
                .unwrap_or(false);
            if !inside {
                return Some(format!("path {path} is outside the declared workspace"));
            }
        }
        None
    }
}

fn is_file_kind(kind: &str) -> bool {
    matches!(
        kind,
        kinds::FILE_READ | kinds::FILE_WRITE | kinds::FILE_DELETE
    )
}

fn file_path(action: &Action) -> Option<String> {
    action.target.clone().or_else(|| {
        ["file_path", "path", "notebook_path"]
            .iter()
            .find_map(|k| action.input_str(k))
    })
}

/// The host a `net.request` goes to, from its target URL or host.
pub fn host_of(action: &Action) -> Option<String> {
    if action.kind != kinds::NET_REQUEST {
        return None;
    }
    let target = action.target.clone().or_else(|| action.input_str("url"))?;
    url_host(&target)
}

/// The host of a URL (`https://user@host:443/x` → `host`), or of a bare host.
pub fn url_host(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next()?;
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next()?
    } else {
        host_port.split(':').next()?
    };
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// One session's composition state.
#[derive(Debug, Clone)]
pub struct SessionState {
    pub id: String,
    pub declaration: Declaration,
    pub opened_at: String,
    pub actions: u64,
    counters: BTreeMap<String, i64>,
    targets: HashSet<u64>,
    hosts: BTreeSet<String>,
    labels: BTreeSet<String>,
    pub risk: f32,
    recent: VecDeque<PastAction>,
    recent_len: usize,
}

/// What one evaluated action changes in its session.
#[derive(Debug, Clone)]
pub struct Applied<'a> {
    pub action: &'a Action,
    pub evaluation: Verdict,
    pub risk: f32,
    pub labels: &'a [String],
    pub counters: &'a [(String, i64)],
}

impl SessionState {
    pub fn new(
        id: String,
        declaration: Declaration,
        opened_at: String,
        recent_len: usize,
    ) -> SessionState {
        SessionState {
            id,
            declaration,
            opened_at,
            actions: 0,
            counters: BTreeMap::new(),
            targets: HashSet::new(),
            hosts: BTreeSet::new(),
            labels: BTreeSet::new(),
            risk: 0.0,
            recent: VecDeque::with_capacity(recent_len),
            recent_len,
        }
    }

    pub fn counter(&self, name: &str) -> i64 {
        self.counters.get(name).copied().unwrap_or(0)
    }

    /// What the session has used of its budgets.
    pub fn budget_usage(&self) -> Usage {
        let counted = |name| u64::try_from(self.counter(name)).unwrap_or(0);
        Usage {
            actions: self.actions,
            writes: counted("writes"),
            bytes_written: counted("bytes_written"),
            escalations: counted("escalations"),
        }
    }

    /// The bounded view policies receive.
    pub fn view(&self) -> Session {
        Session {
            id: self.id.clone(),
            intent: self.declaration.intent.clone(),
            scope: self.declaration.scope.encode(),
            actions: self.actions,
            labels: self.labels.iter().cloned().collect(),
            counters: self.counters.iter().map(|(k, v)| (k.clone(), *v)).collect(),
            risk: self.risk,
            recent: self.recent.iter().cloned().collect(),
        }
    }

    /// Applies one evaluated action. The same function runs live and when
    /// a session is read back from its evidence, so both reach the same
    /// state.
    pub fn apply(&mut self, a: &Applied<'_>) {
        let action = a.action;
        self.actions += 1;
        self.bump("actions", 1);
        let kind_counter = format!("kind:{}", action.kind);
        let kinds_now = self
            .counters
            .keys()
            .filter(|k| k.starts_with("kind:"))
            .count();
        if self.counters.contains_key(&kind_counter) || kinds_now < MAX_KIND_COUNTERS {
            self.bump(&kind_counter, 1);
        } else {
            self.bump("kind:other", 1);
        }
        match a.evaluation {
            Verdict::Deny => self.bump("denials", 1),
            Verdict::Escalate => self.bump("escalations", 1),
            Verdict::Allow => {}
        }
        if action.kind == kinds::FILE_WRITE && a.evaluation == Verdict::Allow {
            let bytes = action.content.as_ref().map_or(0, |c| c.len()) as i64;
            self.bump("writes", 1);
            self.bump("bytes_written", bytes);
        }
        if let Some(target) = action.target.as_ref().or(action.command.as_ref()) {
            if self.targets.len() < MAX_DISTINCT_TARGETS {
                let mut h = std::collections::hash_map::DefaultHasher::new();
                target.hash(&mut h);
                self.targets.insert(h.finish());
            }
            self.counters
                .insert("distinct_targets".into(), self.targets.len() as i64);
        }
        if let Some(host) = host_of(action)
            && self.hosts.len() < MAX_DISTINCT_HOSTS
        {
            self.hosts.insert(host);
            self.counters
                .insert("distinct_hosts".into(), self.hosts.len() as i64);
        }
        if self.declaration.scope.violation(action).is_some() {
            self.bump("out_of_scope", 1);
        }
        for (name, delta) in a.counters {
            self.bump(name, *delta);
        }
        for l in a.labels {
            if self.labels.len() < MAX_LABELS {
                self.labels.insert(l.clone());
            }
        }
        self.risk += a.risk;
        if self.recent.len() == self.recent_len {
            self.recent.pop_front();
        }
        if self.recent_len > 0 {
            self.recent.push_back(PastAction {
                kind: action.kind.clone(),
                target: action.target.clone(),
                verdict: a.evaluation,
                labels: a.labels.to_vec(),
            });
        }
    }

    fn bump(&mut self, name: &str, delta: i64) {
        if let Some(v) = self.counters.get_mut(name) {
            *v = v.saturating_add(delta);
        } else if self.counters.len() < MAX_COUNTERS {
            self.counters.insert(name.to_string(), delta);
        }
    }

    /// The session as the API shows it: declaration, composition, budget use.
    pub fn summary(&self) -> serde_json::Value {
        serde_json::json!({
            "session_id": self.id,
            "opened_at": self.opened_at,
            "declaration": self.declaration,
            "actions": self.actions,
            "counters": self.counters,
            "labels": self.labels,
            "risk": self.risk,
            "recent": self.recent,
            "budgets": self.declaration.budgets.usage(&self.budget_usage()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(scope: Scope) -> SessionState {
        SessionState::new(
            "s1".into(),
            Declaration {
                scope,
                ..Declaration::default()
            },
            "2026-01-01T00:00:00Z".into(),
            4,
        )
    }

    fn apply(s: &mut SessionState, action: &Action, labels: &[String]) {
        s.apply(&Applied {
            action,
            evaluation: Verdict::Allow,
            risk: 0.1,
            labels,
            counters: &[],
        });
    }

    #[test]
    fn composition_counts_kinds_bytes_targets_and_labels() {
        let mut s = state(Scope::default());
        apply(&mut s, &Action::write("/w/a.rs", "12345").in_dir("/w"), &[]);
        apply(&mut s, &Action::write("/w/a.rs", "678").in_dir("/w"), &[]);
        apply(
            &mut s,
            &Action::read("/w/.env").in_dir("/w"),
            &["secret-read".to_string()],
        );
        apply(
            &mut s,
            &Action::request("https://api.github.com/repos"),
            &[],
        );
        assert_eq!(s.counter("kind:file.write"), 2);
        assert_eq!(s.counter("bytes_written"), 8);
        assert_eq!(s.counter("distinct_targets"), 3);
        assert_eq!(s.counter("distinct_hosts"), 1);
        assert_eq!(s.actions, 4);
        let view = s.view();
        assert_eq!(view.labels, vec!["secret-read"]);
        assert!((view.risk - 0.4).abs() < 1e-6);
    }

    #[test]
    fn the_view_is_bounded() {
        let mut s = state(Scope::default());
        for i in 0..10_000 {
            apply(
                &mut s,
                &Action::new(&format!("custom.kind{}", i % 100)),
                &[],
            );
        }
        let view = s.view();
        assert_eq!(view.recent.len(), 4);
        assert!(view.counters.len() <= MAX_COUNTERS);
        assert!(s.counter("kind:other") > 0);
        assert_eq!(view.actions, 10_000);
    }

    #[test]
    fn scope_violations_are_counted() {
        let mut s = state(Scope {
            roots: vec!["/work/app".into()],
            hosts: vec!["*.github.com".into()],
            tools: vec![
                "Bash".into(),
                "Read".into(),
                "Write".into(),
                "WebFetch".into(),
            ],
        });
        apply(
            &mut s,
            &Action::read("src/main.rs").in_dir("/work/app"),
            &[],
        );
        apply(&mut s, &Action::request("https://api.github.com/x"), &[]);
        assert_eq!(s.counter("out_of_scope"), 0);
        apply(
            &mut s,
            &Action::read("/etc/passwd").in_dir("/work/app"),
            &[],
        );
        apply(&mut s, &Action::request("https://evil.example/x"), &[]);
        let mut mcp = Action::new(kinds::TOOL_CALL);
        mcp.tool = "mcp__slack__post".into();
        apply(&mut s, &mcp, &[]);
        assert_eq!(s.counter("out_of_scope"), 3);
        assert_eq!(
            s.view().scope,
            vec![
                "/work/app",
                "host:*.github.com",
                "tool:Bash",
                "tool:Read",
                "tool:Write",
                "tool:WebFetch"
            ]
        );
    }

    #[test]
    fn url_hosts() {
        assert_eq!(
            url_host("https://user:pw@Example.COM:8443/a?b").as_deref(),
            Some("example.com")
        );
        assert_eq!(url_host("http://[::1]:80/").as_deref(), Some("::1"));
        assert_eq!(
            url_host("api.github.com").as_deref(),
            Some("api.github.com")
        );
        assert_eq!(url_host("https:///nohost"), None);
    }
}
