//! What one evaluation has found so far ([`Eval`]): the decision merged
//! from every finding, the action's network uses (loopback left out), the
//! bytes it visibly sends, the credential files it names, and whether and
//! why it leaves the declared scope.

use crate::hosts::is_local;
use crate::uses::NetUse;
use clawlaw_sdk::Decision;

/// What one evaluation found so far.
#[derive(Debug)]
pub(crate) struct Eval {
    pub(crate) decision: Decision,
    /// The action leaves the declared scope.
    pub(crate) out_of_scope: bool,
    /// Its network uses, loopback ones left out.
    pub(crate) uses: Vec<NetUse>,
    /// The bytes it visibly sends.
    pub(crate) bytes: u64,
    /// Credential files the action itself names (shell lines).
    pub(crate) credentials: Vec<(String, &'static str)>,
    /// Credential variables sent to sign in, with the service they are
    /// for (shell lines).
    pub(crate) sign_ins: Vec<(String, &'static str)>,
    /// Why the action leaves the scope, for the creep rule's reason.
    pub(crate) oos_reasons: Vec<String>,
}

impl Default for Eval {
    fn default() -> Eval {
        Eval {
            decision: Decision::allow(),
            out_of_scope: false,
            uses: Vec::new(),
            bytes: 0,
            credentials: Vec::new(),
            sign_ins: Vec::new(),
            oos_reasons: Vec::new(),
        }
    }
}

impl Eval {
    pub(crate) fn add(&mut self, d: Decision) {
        let cur = std::mem::replace(&mut self.decision, Decision::allow());
        self.decision = cur.merge(d);
    }

    /// The action leaves the declared scope: escalated under `rule`, the
    /// reason kept for the creep rule.
    pub(crate) fn leave_scope(&mut self, rule: &str, reason: String) {
        self.out_of_scope = true;
        self.oos_reasons.push(reason.clone());
        self.add(Decision::escalate(rule, reason));
    }

    pub(crate) fn push_use(&mut self, u: NetUse) {
        if u.dest.host().is_some_and(is_local) {
            return;
        }
        if !self.uses.contains(&u) {
            self.uses.push(u);
        }
    }

    pub(crate) fn egress(&self) -> impl Iterator<Item = &NetUse> {
        self.uses.iter().filter(|u| u.egress)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hosts::Dest;
    use clawlaw_sdk::Verdict;

    #[test]
    fn loopback_and_repeated_uses_are_not_recorded() {
        let mut ev = Eval::default();
        ev.push_use(NetUse::new("curl", Dest::Host("127.0.0.1".into()), true));
        ev.push_use(NetUse::new("curl", Dest::Host("a.example".into()), true));
        ev.push_use(NetUse::new("curl", Dest::Host("a.example".into()), true));
        ev.push_use(NetUse::new(
            "git clone",
            Dest::Host("b.example".into()),
            false,
        ));
        ev.push_use(NetUse::new("nc", Dest::Unknown, true));
        assert_eq!(ev.uses.len(), 3);
        let egress: Vec<&str> = ev.egress().map(|u| u.what.as_str()).collect();
        assert_eq!(egress, ["curl", "nc"]);
    }

    #[test]
    fn the_strictest_finding_decides_and_scope_breaches_are_kept() {
        let mut ev = Eval::default();
        ev.leave_scope("r.scope", "the tool X is not declared".into());
        assert!(ev.out_of_scope);
        assert_eq!(ev.oos_reasons, ["the tool X is not declared"]);
        assert_eq!(ev.decision.verdict, Verdict::Escalate);
        ev.add(Decision::deny("r.deny", "no"));
        ev.add(Decision::allow_noting("r.note", "noted"));
        assert_eq!(ev.decision.verdict, Verdict::Deny);
        assert_eq!(ev.decision.reason, "no");
        for r in ["r.scope", "r.deny", "r.note"] {
            assert!(ev.decision.rules.iter().any(|x| x == r), "{r}");
        }
    }
}
