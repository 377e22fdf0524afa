//! Directories served to whoever connects (`python3 -m http.server
//! --directory ~`, `php -S 0.0.0.0:8000 -t /`, `npx http-server ~/.aws`):
//! nothing leaves until someone asks, then anything below the root can. A
//! root that holds credentials (the file system's, a home directory, a
//! credentials directory or one above it) is judged as sending them, under
//! `exfil.secret-egress`; a root outside the workspace, or one known only
//! at run time, is escalated under `exfil.unusual-sink`. A server in the
//! workspace, or listening on the loopback interface only, is ordinary
//! work. What a server serves is the SDK's effects model's
//! ([`clawlaw_sdk::effects::Serve`]).

use clawlaw_sdk::Decision;
use clawlaw_sdk::effects::{self, Serve};
use clawlaw_sdk::path::is_within_normalized;
use clawlaw_sdk::shell::CommandLine;

use super::{Cx, SECRET_EGRESS, UNUSUAL};
use crate::eval::Eval;
use crate::holders::holds_credentials;

impl Cx<'_> {
    /// Judges the directories `line` serves to the network.
    pub(crate) fn check_servers(&self, ev: &mut Eval, line: &CommandLine) {
        for s in served(line, self.cwd, self.home.as_deref()) {
            let to = "to anyone who can reach this machine";
            if let Some(holds) = holds_credentials(&s.root, self.home.as_deref()) {
                let reason = format!("{} would serve {} {to}: {holds}", s.program, s.root);
                ev.add(self.secret(self.s.secret_egress, SECRET_EGRESS, reason));
            } else if s.dynamic {
                let reason = format!(
                    "{} would serve {}, a directory only known at run time, {to}",
                    s.program, s.root
                );
                ev.add(Decision::escalate(UNUSUAL, reason).with_risk(0.7));
            } else if !self
                .write_roots()
                .iter()
                .any(|r| is_within_normalized(&s.root, r))
            {
                let reason = format!(
                    "{} would serve {}, outside the workspace, {to}",
                    s.program, s.root
                );
                ev.add(Decision::escalate(UNUSUAL, reason).with_risk(0.7));
            }
        }
    }
}

/// The directories `line` serves beyond the loopback interface. The
/// effects are analysed only when a program of the line may serve files.
fn served(line: &CommandLine, cwd: Option<&str>, home: Option<&str>) -> Vec<Serve> {
    if !line.commands.iter().any(effects::servers::may_serve) {
        return Vec::new();
    }
    let mut serves = effects::analyze(line, cwd, home).serves;
    serves.retain(|s| !s.loopback);
    serves
}
