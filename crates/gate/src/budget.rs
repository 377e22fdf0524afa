//! Budgets: structural gates a session declares. Crossing one is DENY (or
//! ESCALATE where the declaration says so) no matter what the policies say.

use clawlaw_sdk::{Action, Verdict, kinds};
use serde::{Deserialize, Serialize};

/// Limits on what a session may do in total. Unset means unlimited.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Budgets {
    pub max_actions: Option<u64>,
    pub max_writes: Option<u64>,
    pub max_bytes_written: Option<u64>,
    pub max_escalations: Option<u64>,
    /// What crossing a budget yields: `deny` (default) or `escalate`.
    pub on_exceed: OnExceed,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnExceed {
    #[default]
    Deny,
    Escalate,
}

/// What a session has used of its budgets so far (see
/// [`crate::session::SessionState::budget_usage`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    pub actions: u64,
    pub writes: u64,
    pub bytes_written: u64,
    pub escalations: u64,
}

/// A budget this action would cross.
#[derive(Debug, Clone, PartialEq)]
pub struct Exceeded {
    /// The gate's rule id, e.g. `gate/budget.max-writes`.
    pub rule: String,
    pub reason: String,
    pub verdict: Verdict,
}

impl Budgets {
    /// The budget `action` would cross if it ran, checked before policies.
    pub fn check(&self, used: &Usage, action: &Action) -> Option<Exceeded> {
        let verdict = match self.on_exceed {
            OnExceed::Deny => Verdict::Deny,
            OnExceed::Escalate => Verdict::Escalate,
        };
        let exceeded = |name: &str, what: String| Exceeded {
            rule: format!("gate/budget.{name}"),
            reason: format!("budget {name} exceeded: {what}"),
            verdict,
        };
        if let Some(max) = self.max_actions
            && used.actions >= max
        {
            return Some(exceeded(
                "max-actions",
                format!(
                    "the session already proposed {} actions, the budget is {max}",
                    used.actions
                ),
            ));
        }
        if action.kind == kinds::FILE_WRITE {
            let writes = used.writes;
            if let Some(max) = self.max_writes
                && writes >= max
            {
                return Some(exceeded(
                    "max-writes",
                    format!("{writes} writes already, the budget is {max}"),
                ));
            }
            let bytes = used.bytes_written + action.content.as_ref().map_or(0, |c| c.len()) as u64;
            if let Some(max) = self.max_bytes_written
                && bytes > max
            {
                return Some(exceeded(
                    "max-bytes-written",
                    format!(
                        "this write would bring the session to {bytes} bytes written, the budget is {max}"
                    ),
                ));
            }
        }
        None
    }

    /// An ESCALATE past the escalation budget becomes DENY: a session that
    /// keeps asking a human is itself a signal.
    pub fn check_escalation(&self, used: &Usage) -> Option<Exceeded> {
        let max = self.max_escalations?;
        let used = used.escalations;
        (used >= max).then(|| Exceeded {
            rule: "gate/budget.max-escalations".into(),
            reason: format!(
                "budget max-escalations exceeded: {used} escalations already, the budget is {max}"
            ),
            verdict: Verdict::Deny,
        })
    }

    /// Budget use, for the session view of the API.
    pub fn usage(&self, used: &Usage) -> serde_json::Value {
        let entry = |used: u64, max: Option<u64>| serde_json::json!({ "used": used, "max": max });
        serde_json::json!({
            "max_actions": entry(used.actions, self.max_actions),
            "max_writes": entry(used.writes, self.max_writes),
            "max_bytes_written": entry(used.bytes_written, self.max_bytes_written),
            "max_escalations": entry(used.escalations, self.max_escalations),
            "on_exceed": self.on_exceed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::{Applied, Declaration, SessionState};

    fn session(budgets: Budgets) -> SessionState {
        SessionState::new(
            "s".into(),
            Declaration {
                budgets,
                ..Declaration::default()
            },
            "t".into(),
            4,
        )
    }

    fn run(s: &mut SessionState, a: &Action, v: Verdict) {
        s.apply(&Applied {
            action: a,
            evaluation: v,
            risk: 0.0,
            labels: &[],
            counters: &[],
        });
    }

    #[test]
    fn writes_and_bytes_are_budgeted() {
        let budgets = Budgets {
            max_writes: Some(2),
            max_bytes_written: Some(10),
            ..Budgets::default()
        };
        let mut s = session(budgets.clone());
        let w = Action::write("/w/a", "12345");
        assert_eq!(budgets.check(&s.budget_usage(), &w), None);
        run(&mut s, &w, Verdict::Allow);
        let big = Action::write("/w/b", "123456");
        let e = budgets.check(&s.budget_usage(), &big).unwrap();
        assert_eq!(e.rule, "gate/budget.max-bytes-written");
        assert_eq!(e.verdict, Verdict::Deny);
        run(&mut s, &w, Verdict::Allow);
        assert_eq!(
            budgets.check(&s.budget_usage(), &w).unwrap().rule,
            "gate/budget.max-writes"
        );
        assert_eq!(budgets.check(&s.budget_usage(), &Action::shell("ls")), None);
    }

    #[test]
    fn actions_and_escalations_are_budgeted() {
        let budgets = Budgets {
            max_actions: Some(1),
            max_escalations: Some(1),
            on_exceed: OnExceed::Escalate,
            ..Budgets::default()
        };
        let mut s = session(budgets.clone());
        assert_eq!(budgets.check_escalation(&s.budget_usage()), None);
        run(&mut s, &Action::shell("sudo ls"), Verdict::Escalate);
        let e = budgets
            .check(&s.budget_usage(), &Action::shell("ls"))
            .unwrap();
        assert_eq!(
            (e.rule.as_str(), e.verdict),
            ("gate/budget.max-actions", Verdict::Escalate)
        );
        assert_eq!(
            budgets.check_escalation(&s.budget_usage()).unwrap().verdict,
            Verdict::Deny
        );
    }
}
