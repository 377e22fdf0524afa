//! Implied actions: what an action amounts to besides itself, so a policy
//! that judges shell commands also judges the command an MCP tool runs, and
//! a policy that judges file writes also judges the file an MCP tool writes.
//!
//! - A `tool.call` of any tool is read for the command lines, file writes,
//!   deletes, reads and URLs its input holds ([`tools`]): an
//!   `mcp__filesystem__write_file` to `/etc/hosts` is a `file.write` of
//!   `/etc/hosts`; an `mcp__shell__run_command` of `rm -rf /` is a
//!   `shell.exec` of `rm -rf /`; a container tool asking for host access
//!   is the `docker run` that asks for the same (`containers.rs`).
//! - A `file.write` (and a write a tool call implies) whose content will run
//!   — a shell script, a Makefile, `package.json` scripts, a git hook, a CI
//!   workflow, a Dockerfile, a Compose file's services (each the `docker
//!   run` that starts it with the host access and host ports it asks for),
//!   a notebook, an MCP server list, VS Code tasks, an agent's custom
//!   commands (`.claude/commands/*.md` `` !`cmd` `` steps), agents' hook
//!   commands (a plugin's `hooks/hooks.json`), pre-commit
//!   hooks, Cargo's runners and wrappers, a Cargo build script
//!   (`build.rs`), a shell start-up file (`~/.bashrc`, `~/.profile`), a
//!   systemd unit's `Exec…=` lines, a crontab's jobs ([`scripts`],
//!   [`schedulers`]) — is a `shell.exec` of each command line it holds,
//!   judged as if typed into the shell. An edit's fragment counts like a
//!   whole file.
//! - A `file.write` that is a Codex patch (`*** Begin Patch`) writes or
//!   deletes every file the patch adds, updates, moves or deletes: each
//!   besides the one the action names is a `file.write` (with the lines
//!   added to it) or `file.delete` of its own, so a patch cannot carry a
//!   change to the hook settings past the policies behind a change to
//!   `src/lib.rs`.
//! - A `file.read` of several paths (`read_many_files {"paths": […]}`)
//!   reads each: every path besides the one the action names is a
//!   `file.read` of its own.
//! - A `shell.exec` that writes a file from literal text (`echo … > x.sh`,
//!   `cat > f <<EOF`) writes it as a file tool would, and a file the same
//!   line then runs (`… && sh f`) is the commands it holds ([`written`]).
//!
//! - Opt-in ([`Policy::JUDGE_PROGRAMS`], [`programs`]): a program's source
//!   the agent writes to run by hand later (`wipe.py`, `tools/x.mjs`,
//!   `src/main.rs`) is a `shell.exec` of what it would run (`python3 -c
//!   <source>`), and a patch (`fix.patch`) the `git apply` of it, since
//!   the gate then sees `python3 wipe.py` or `git apply fix.patch` and not
//!   the file. Not in [`implied`]: most rules are the project's business there.
//!
//! [`implied`] lists them; every SDK-built policy judges them too (see
//! [`crate::Policy::JUDGE_IMPLIED`]): the policy runs on the action and on
//! each implied action, and [`fold`] combines the decisions — the most
//! severe verdict wins and gives the reason, prefixed by where it came from
//! ("the Makefile recipe `clean` written to /w/Makefile would run: …").
//! Labels an implied action earns are set on the session when it happens
//! now (a tool's read of `.env` is a read now), not when it is a command a
//! written file will run later ([`runs_later`]): the gate judges that
//! command again when the session runs the file.
//!
//! An implied action keeps the original's `id`, `tool` and `cwd`; its
//! `input` says where it came from:
//! `{"implied_from": "Makefile recipe", "origin": "…", "of": "file.write"}`.
//! Work is bounded (at most [`MAX_IMPLIED`] actions, scripts read up to
//! [`scripts::MAX_SCRIPT_BYTES`]) and the common case is cheap: a write of
//! `src/main.rs` costs a look at its name, a tool call with no such inputs
//! one walk of its (already small) input.

pub mod scripts;
mod tool_code;
mod tool_input;
pub mod tools;

mod build_script;
mod compose;
mod containers;
mod formats;
mod git_tools;
mod launchers;
pub mod pipelines;
mod programs;
pub mod registries;
pub mod schedulers;
mod task_tables;
mod written;

use std::borrow::Cow;

use serde_json::{Value, json};

use crate::{Action, Decision, Policy, Redaction, Session, kinds};

pub use programs::programs;
pub use scripts::{Format, Pipeline, Registry, Runnable};
pub use written::literal_writes;
pub use written::printf;

/// Most implied actions listed for one action.
pub const MAX_IMPLIED: usize = 64;

/// The actions `action` amounts to besides itself (empty for most actions).
pub fn implied(action: &Action) -> Vec<Action> {
    let mut sink = Sink {
        of: action,
        out: Vec::new(),
    };
    match action.kind.as_str() {
        kinds::TOOL_CALL => {
            let input = action.input.trim();
            if input.len() > 2 {
                tools::implied(&action.tool, &action.input_json(), &mut sink);
            }
        }
        kinds::FILE_WRITE => {
            if let Some(content) = write_content(action) {
                if content.starts_with("*** Begin Patch") {
                    let target = write_path(action);
                    for change in patch_changes(&content) {
                        match change {
                            // The file the action names: judged as itself.
                            PatchChange::Write(path, added) if Some(&path) == target.as_ref() => {
                                sink.scripts_written(&path, &added, "");
                            }
                            // Every other file the patch adds, updates,
                            // moves or deletes is a write or delete of its own.
                            PatchChange::Write(path, added) => sink.push(Implied::file(
                                kinds::FILE_WRITE,
                                &path,
                                Some(added),
                                format!("the patch writes {path}"),
                                PATCH,
                            )),
                            PatchChange::Delete(path) => sink.push(Implied::file(
                                kinds::FILE_DELETE,
                                &path,
                                None,
                                format!("the patch deletes {path}"),
                                PATCH,
                            )),
                        }
                    }
                } else if let Some(path) = write_path(action) {
                    sink.scripts_written(&path, &content, "");
                }
            }
        }
        // `read_many_files {"paths": ["README.md", "~/.aws/credentials"]}`:
        // every path besides the one the action names is a read of its own.
        kinds::FILE_READ if crate::text::contains(&action.input, "\"paths\"") => {
            let target = action.target.as_deref();
            let input = action.input_json();
            let paths = input.get("paths").and_then(serde_json::Value::as_array);
            for p in paths
                .into_iter()
                .flatten()
                .filter_map(serde_json::Value::as_str)
            {
                if Some(p) != target {
                    sink.push(Implied::file(
                        kinds::FILE_READ,
                        p,
                        None,
                        format!("`{}` reads {p}", action.tool),
                        "tool input",
                    ));
                }
            }
        }
        kinds::SHELL_EXEC => {
            if let Some(command) = action.command.as_deref() {
                written::scripts(command, &mut sink);
            }
        }
        kinds::K8S_APPLY => {
            // What the manifest's containers run: each `command`/`args`
            // item, a script given to `sh -c` included.
            let manifest = action
                .content
                .clone()
                .or_else(|| action.input_str("manifest"));
            if let Some(text) = manifest {
                for f in formats::yaml_commands(&text, &["command:", "args:"]) {
                    sink.push(Implied::exec(
                        f.command,
                        "a container of the manifest would run".into(),
                        CONTAINER_COMMAND,
                    ));
                }
            }
        }
        _ => {}
    }
    sink.out
}

/// Where an implied action came from, as a reason's prefix: "`mcp__fs__write_file`
/// writes /etc/hosts", "the script written to cleanup.sh would run".
/// `None` for an action that was not implied.
pub fn origin(action: &Action) -> Option<String> {
    if !crate::text::contains(&action.input, "\"implied_from\"") {
        return None;
    }
    action.input_str("origin")
}

/// Where an implied command from a Kubernetes manifest comes from.
const CONTAINER_COMMAND: &str = "Kubernetes container command";

/// Where an implied command runs, when not on this machine: in a container
/// (a Dockerfile's `RUN`, a Kubernetes container's command), or on a CI
/// runner (a workflow step, a CI job's script). `None` for an action that
/// was not implied, or one that runs here.
pub fn runs_elsewhere(action: &Action) -> Option<Elsewhere> {
    if !crate::text::contains(&action.input, "\"implied_from\"") {
        return None;
    }
    let from = action.input_str("implied_from")?;
    if from == Format::Dockerfile.noun() || from == CONTAINER_COMMAND {
        Some(Elsewhere::Container)
    } else if [
        Format::GithubWorkflow.noun(),
        Format::GitlabCi.noun(),
        Format::Pipeline(Pipeline::CircleCi).noun(),
    ]
    .contains(&from.as_str())
    {
        Some(Elsewhere::Ci)
    } else {
        None
    }
}

/// Where [`runs_elsewhere`] says an implied command runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Elsewhere {
    /// In a container: an image being built, a pod.
    Container,
    /// On a CI runner.
    Ci,
}

/// Runs policy `P` on `action` and, unless it opts out
/// ([`Policy::JUDGE_IMPLIED`]), on each action it implies, and folds the
/// decisions. What the SDK's `evaluate_json` and the export glue run.
pub fn judge<P: Policy>(settings: &P::Settings, action: &Action, session: &Session) -> Decision {
    let primary = P::evaluate(settings, action, session);
    if !P::JUDGE_IMPLIED {
        return primary;
    }
    let mut all = implied(action);
    if P::JUDGE_PROGRAMS {
        let more = programs(action, &all);
        all.extend(more);
    }
    all.iter().fold(primary, |so_far, a| {
        fold(so_far, action, a, P::evaluate(settings, a, session))
    })
}

/// The kinds whose actions may imply an action of `kind`, directly or
/// through another implied action: a `tool.call` implies commands, file
/// reads, writes and deletes and requests; a `file.write` (or a
/// `shell.exec`) implies the commands of the script it writes, and a
/// patch the deletes of the files it removes; a `k8s.apply` the commands
/// its containers run. A policy that judges `kind` (and implied actions)
/// judges these kinds too.
pub fn implying(kind: &str) -> &'static [&'static str] {
    match kind {
        kinds::SHELL_EXEC => &[kinds::FILE_WRITE, kinds::TOOL_CALL, kinds::K8S_APPLY],
        kinds::FILE_DELETE => &[kinds::TOOL_CALL, kinds::FILE_WRITE],
        kinds::FILE_READ | kinds::FILE_WRITE | kinds::NET_REQUEST => &[kinds::TOOL_CALL],
        _ => &[],
    }
}

/// Folds the decision on one implied action into the decision so far on
/// `original`: the more severe verdict (then, between equal verdicts, the
/// higher risk of a matched rule) gives the verdict and the reason,
/// prefixed with where the implied action came from; risk is the higher;
/// rules and labels are unioned; a secret the implied decision found is
/// redacted wherever its value occurs in the original. Counters come only
/// from the primary decision: the implied action is the same action.
pub fn fold(mut so_far: Decision, original: &Action, implied: &Action, d: Decision) -> Decision {
    let stricter = d.verdict > so_far.verdict
        || (d.verdict == so_far.verdict && d.risk > so_far.risk && !d.rules.is_empty());
    if stricter {
        so_far.verdict = d.verdict;
        so_far.reason = match origin(implied) {
            Some(o) => format!("{o}: {}", d.reason),
            None => d.reason,
        };
    }
    so_far.risk = so_far.risk.max(d.risk);
    for r in d.rules {
        if !so_far.rules.contains(&r) {
            so_far.rules.push(r);
        }
    }
    // A script only runs later: what its commands would do to the session
    // (a `secret-read` label) is set when the session runs it, not now.
    if !runs_later(implied) {
        for l in d.labels {
            if !so_far.labels.contains(&l) {
                so_far.labels.push(l);
            }
        }
    }
    for r in &d.redactions {
        let Some(secret) = field(implied, &r.field)
            .and_then(|text| text.get(r.start as usize..r.end as usize))
            .filter(|s| !s.is_empty())
        else {
            continue;
        };
        for name in Redaction::FIELDS {
            let Some(text) = field(original, name) else {
                continue;
            };
            let escaped = serde_json::to_string(secret).unwrap_or_default();
            let escaped = escaped.trim_matches('"');
            let found = text
                .find(secret)
                .map(|i| i..i + secret.len())
                .or_else(|| text.find(escaped).map(|i| i..i + escaped.len()));
            if let Some(range) = found {
                so_far = so_far.redact(name, range, &r.kind);
            }
        }
    }
    so_far
}

/// Whether an implied action is a command a written file runs later
/// (rather than something the original action does now).
pub fn runs_later(action: &Action) -> bool {
    crate::text::contains(&action.input, "\"runs_later\":true") && origin(action).is_some()
}

/// One of an action's text fields, by the name a [`Redaction`] uses.
fn field<'a>(a: &'a Action, name: &str) -> Option<&'a str> {
    match name {
        "content" => a.content.as_deref(),
        "command" => a.command.as_deref(),
        "target" => a.target.as_deref(),
        "input" => Some(a.input.as_str()),
        _ => None,
    }
}

/// The path a `file.write` writes.
fn write_path(a: &Action) -> Option<String> {
    a.target.clone().or_else(|| {
        ["file_path", "path", "notebook_path"]
            .iter()
            .find_map(|k| a.input_str(k))
    })
}

/// What a `file.write` writes (borrowed from the action when it can be).
fn write_content(a: &Action) -> Option<Cow<'_, str>> {
    match a.content.as_deref() {
        Some(c) if !c.is_empty() => Some(Cow::Borrowed(c)),
        _ => ["content", "new_string", "new_source"]
            .iter()
            .find_map(|k| a.input_str(k))
            .map(Cow::Owned),
    }
}

/// Where a file change a patch makes is implied from.
const PATCH: &str = "patch";

/// A file change of a Codex patch.
#[derive(Debug, PartialEq)]
pub(super) enum PatchChange {
    /// A file added, updated or moved to, and the lines added to it.
    Write(String, String),
    /// A file deleted, or moved away from.
    Delete(String),
}

/// The files a Codex patch (`*** Begin Patch`) changes, in order: `*** Add
/// File:` and `*** Update File:` write theirs (with the lines it adds),
/// `*** Delete File:` deletes its, `*** Move to:` writes its and deletes
/// the file updated.
pub(super) fn patch_changes(patch: &str) -> Vec<PatchChange> {
    let mut out: Vec<PatchChange> = Vec::new();
    for line in patch.lines() {
        let header = |p: &str| line.strip_prefix(p).map(|f| f.trim().to_string());
        if let Some(f) = header("*** Add File: ").or_else(|| header("*** Update File: ")) {
            out.push(PatchChange::Write(f, String::new()));
        } else if let Some(f) = header("*** Delete File: ") {
            out.push(PatchChange::Delete(f));
        } else if let Some(to) = header("*** Move to: ") {
            if let Some(PatchChange::Write(from, added)) = out.last_mut() {
                let (from, added) = (std::mem::take(from), std::mem::take(added));
                out.pop();
                out.push(PatchChange::Delete(from));
                out.push(PatchChange::Write(to, added));
            }
        } else if line.starts_with("*** ") {
            continue;
        } else if let (Some(added), Some(PatchChange::Write(_, body))) =
            (line.strip_prefix('+'), out.last_mut())
        {
            body.push_str(added);
            body.push('\n');
        }
    }
    out
}

/// One implied action before it is made an [`Action`].
pub(crate) struct Implied {
    kind: &'static str,
    target: Option<String>,
    command: Option<String>,
    content: Option<String>,
    origin: String,
    implied_from: String,
    cwd: Option<String>,
    /// A command a written file will run, not one run now.
    later: bool,
}

impl Implied {
    fn exec(command: String, origin: String, implied_from: &str) -> Implied {
        Implied {
            kind: kinds::SHELL_EXEC,
            target: None,
            command: Some(command),
            content: None,
            origin,
            implied_from: implied_from.into(),
            cwd: None,
            later: false,
        }
    }

    fn file(
        kind: &'static str,
        path: &str,
        content: Option<String>,
        origin: String,
        implied_from: &str,
    ) -> Implied {
        Implied {
            kind,
            target: Some(path.to_string()),
            command: None,
            content,
            origin,
            implied_from: implied_from.into(),
            cwd: None,
            later: false,
        }
    }

    fn request(url: &str, origin: String) -> Implied {
        Implied {
            kind: kinds::NET_REQUEST,
            target: Some(url.to_string()),
            command: None,
            content: None,
            origin,
            implied_from: "tool input".into(),
            cwd: None,
            later: false,
        }
    }
}

/// Collects implied actions for one original action: deduplicated, at most
/// [`MAX_IMPLIED`], and every write checked for what it would run.
pub(crate) struct Sink<'a> {
    of: &'a Action,
    out: Vec<Action>,
}

impl Sink<'_> {
    fn full(&self) -> bool {
        self.out.len() >= MAX_IMPLIED
    }

    fn push(&mut self, i: Implied) {
        if self.full() {
            return;
        }
        let script = (i.kind == kinds::FILE_WRITE)
            .then(|| i.target.clone().zip(i.content.clone()))
            .flatten();
        let a = Action {
            id: self.of.id.clone(),
            kind: i.kind.to_string(),
            tool: self.of.tool.clone(),
            target: i.target,
            command: i.command,
            content: i.content,
            input: if i.later {
                json!({
                    "implied_from": i.implied_from,
                    "origin": i.origin,
                    "of": self.of.kind,
                    "runs_later": true,
                })
            } else {
                json!({
                    "implied_from": i.implied_from,
                    "origin": i.origin,
                    "of": self.of.kind,
                })
            }
            .to_string(),
            cwd: i.cwd.or_else(|| self.of.cwd.clone()),
        };
        let duplicate = self.out.iter().any(|b| {
            b.kind == a.kind && b.target == a.target && b.command == a.command && b.cwd == a.cwd
        });
        if !duplicate {
            self.out.push(a);
        }
        if let Some((path, content)) = script {
            self.scripts_written(&path, &content, "");
        }
    }

    /// The command lines `content` written to `path` would run, each as a
    /// `shell.exec`.
    fn scripts_written(&mut self, path: &str, content: &str, via: &str) {
        if let Some(format) = scripts::format(path, content) {
            self.script_as(format, path, content, via, true);
        }
    }

    /// The command lines `content`, written to `path`, runs when read as
    /// `format`: later (a written file) or now (run in the same line).
    fn script_as(&mut self, format: Format, path: &str, content: &str, via: &str, later: bool) {
        for r in scripts::runnables_of(format, content) {
            let unit = r
                .name
                .as_deref()
                .map_or(String::new(), |n| format!(" `{n}`"));
            let via = if via.is_empty() {
                String::new()
            } else {
                format!(" by `{via}`")
            };
            let origin = if later {
                format!("the {}{unit} written to {path}{via} would run", r.what)
            } else {
                format!(
                    "the {}{unit} written to {path} and run by the same command line",
                    r.what
                )
            };
            let mut exec = Implied::exec(r.command, origin, r.what);
            exec.later = later;
            self.push(exec);
            if self.full() {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests;

/// The JSON value `implied_from` of an implied action's input, if any.
pub fn implied_from(action: &Action) -> Option<String> {
    match action.input_json().get("implied_from") {
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    }
}
