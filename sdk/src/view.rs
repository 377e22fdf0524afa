//! The parts of the session view a policy reads ([`SessionParts`]), which
//! it declares in its [`Info`](crate::Info) (contract 0.4.0's
//! `info.session-parts`), and the view a policy reading them is handed.

use serde::{Deserialize, Serialize};

use crate::Session;

/// A part of the session view a policy may read beyond its id, intent,
/// scope, action count and risk, which every policy is handed
/// ([`Info::reading`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionPart {
    /// [`Session::labels`].
    Labels,
    /// [`Session::counters`].
    Counters,
    /// [`Session::recent`].
    Recent,
}

/// Which [`SessionPart`]s a policy reads. The gate hands it those and
/// leaves the others empty ([`SessionParts::view`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionParts {
    pub labels: bool,
    pub counters: bool,
    pub recent: bool,
}

impl SessionParts {
    /// The whole view: what a policy that declares nothing reads.
    pub const ALL: SessionParts = SessionParts {
        labels: true,
        counters: true,
        recent: true,
    };
    /// None of the parts.
    pub const NONE: SessionParts = SessionParts {
        labels: false,
        counters: false,
        recent: false,
    };

    /// Exactly `parts`.
    pub fn of(parts: &[SessionPart]) -> SessionParts {
        let has = |p| parts.contains(&p);
        SessionParts {
            labels: has(SessionPart::Labels),
            counters: has(SessionPart::Counters),
            recent: has(SessionPart::Recent),
        }
    }

    /// `session` as a policy reading these parts is handed it: the parts
    /// it does not read are empty.
    pub fn view(self, session: &Session) -> Session {
        Session {
            id: session.id.clone(),
            intent: session.intent.clone(),
            scope: session.scope.clone(),
            actions: session.actions,
            labels: if self.labels {
                session.labels.clone()
            } else {
                Vec::new()
            },
            counters: if self.counters {
                session.counters.clone()
            } else {
                Vec::new()
            },
            risk: session.risk,
            recent: if self.recent {
                session.recent.clone()
            } else {
                Vec::new()
            },
        }
    }

    /// The parts these are, named as a policy reads them (`labels`,
    /// `counters`, `recent`).
    pub fn names(self) -> Vec<&'static str> {
        [
            (self.labels, "labels"),
            (self.counters, "counters"),
            (self.recent, "recent"),
        ]
        .into_iter()
        .filter_map(|(read, name)| read.then_some(name))
        .collect()
    }

    /// The parts `self` holds and `other` does not, by name.
    pub fn missing_from(self, other: SessionParts) -> Vec<&'static str> {
        let theirs = other.names();
        let mut names = self.names();
        names.retain(|n| !theirs.contains(n));
        names
    }
}

impl Default for SessionParts {
    fn default() -> SessionParts {
        SessionParts::ALL
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{PastAction, Verdict};

    fn long_session() -> Session {
        Session {
            labels: vec!["secret-read".into()],
            counters: vec![("egress_bytes".into(), 10)],
            recent: vec![PastAction {
                kind: "net.request".into(),
                target: Some("https://example.com".into()),
                verdict: Verdict::Allow,
                labels: vec!["egress".into()],
            }],
            scope: vec!["/work/app".into()],
            intent: Some("fix the build".into()),
            actions: 7,
            risk: 0.5,
            ..Session::default()
        }
    }

    #[test]
    fn a_view_keeps_the_declared_parts_and_always_the_rest() {
        let s = long_session();
        assert_eq!(SessionParts::ALL.view(&s), s);
        let none = SessionParts::NONE.view(&s);
        assert!(none.labels.is_empty() && none.counters.is_empty() && none.recent.is_empty());
        assert_eq!(
            (none.id, none.intent, none.scope, none.actions, none.risk),
            (s.id.clone(), s.intent.clone(), s.scope.clone(), 7, 0.5)
        );
        let counted = SessionParts::of(&[SessionPart::Counters]).view(&s);
        assert_eq!(counted.counters, s.counters);
        assert!(counted.labels.is_empty() && counted.recent.is_empty());
    }

    #[test]
    fn missing_parts_are_named() {
        let recent = SessionParts::of(&[SessionPart::Recent]);
        assert_eq!(
            SessionParts::ALL.missing_from(recent),
            ["labels", "counters"]
        );
        assert!(recent.missing_from(SessionParts::ALL).is_empty());
        assert_eq!(SessionParts::default(), SessionParts::ALL);
        assert_eq!(recent.names(), ["recent"]);
        assert!(SessionParts::NONE.names().is_empty());
    }
}
