//! What the analysis of an action records: each use of the network it makes
//! ([`NetUse`]) and, for a shell command line, everything else the rules
//! judge ([`ShellView`]: credential files it names, files it writes, bytes
//! it visibly sends).

use crate::hosts::Dest;

/// One use of the network an action makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NetUse {
    /// What makes it, for reasons: `curl`, `git push`, `net.request`, a tool.
    pub(crate) what: String,
    pub(crate) dest: Dest,
    /// It sends data out (egress); `false` for a fetch that only matters to
    /// the host scope (`git clone URL`, `gh pr list`).
    pub(crate) egress: bool,
    /// Why the destination is not where a project's work goes, when the
    /// command itself says so (`git push` to a repository named by its URL
    /// or added on the same line).
    pub(crate) unusual: Option<&'static str>,
    /// The destination is a service's store for secrets (`gh secret set`),
    /// where credentials are meant to be sent.
    pub(crate) secret_store: bool,
}

impl NetUse {
    pub(crate) fn new(what: &str, dest: Dest, egress: bool) -> NetUse {
        NetUse {
            what: what.to_string(),
            dest,
            egress,
            unusual: None,
            secret_store: false,
        }
    }

    /// This use sends to a service's store for secrets.
    pub(crate) fn storing_secrets(self) -> NetUse {
        NetUse {
            secret_store: true,
            ..self
        }
    }

    pub(crate) fn unusual(self, why: &'static str) -> NetUse {
        NetUse {
            unusual: Some(why),
            ..self
        }
    }
}

/// What a shell command line does that this policy cares about.
#[derive(Debug, Default)]
pub(crate) struct ShellView {
    pub(crate) uses: Vec<NetUse>,
    /// Words naming credential files (as written) and their kind.
    pub(crate) credentials: Vec<(String, &'static str)>,
    /// Files the line writes (redirects, `tee`, `cp`/`mv`/`install`
    /// destinations, `dd of=`).
    pub(crate) writes: Vec<WriteTarget>,
    /// Bytes of data written in the line that its egress may carry: inline
    /// `-d`/`--data`/form values and here-documents.
    pub(crate) bytes: usize,
    /// Git remotes the line adds or configures (`git remote add x URL`,
    /// `git -c remote.x.url=URL`), by name.
    pub(crate) new_remotes: Vec<String>,
    /// Credential variables sent to sign in (`-H "Authorization: Bearer
    /// $GITHUB_TOKEN"`) whose name says the service they are for: the
    /// variable as written and the service.
    pub(crate) sign_ins: Vec<(String, &'static str)>,
}

impl ShellView {
    /// Records one egress use by `what` per destination; one to an unknown
    /// destination when none is named.
    pub(crate) fn push_all(&mut self, what: &str, dests: Vec<Dest>) {
        if dests.is_empty() {
            self.uses.push(NetUse::new(what, Dest::Unknown, true));
        }
        for d in dests {
            self.uses.push(NetUse::new(what, d, true));
        }
    }
}

/// A file a command line writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WriteTarget {
    pub(crate) path: String,
    /// Part of the path is only known at run time (`> "$OUT/x"`).
    pub(crate) dynamic: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_all_records_one_use_per_destination_or_an_unnamed_one() {
        let mut v = ShellView::default();
        v.push_all("mail", Vec::new());
        v.push_all("croc", vec![Dest::Host("a.example".into()), Dest::Dynamic]);
        assert_eq!(
            v.uses,
            [
                NetUse::new("mail", Dest::Unknown, true),
                NetUse::new("croc", Dest::Host("a.example".into()), true),
                NetUse::new("croc", Dest::Dynamic, true),
            ]
        );
    }
}
