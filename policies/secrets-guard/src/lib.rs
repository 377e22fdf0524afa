//! secrets-guard: credentials are never written or sent, and reading a credential file is escalated and labels the session `secret-read`.
//!
//! ## Rules
//!
//! | rule | verdict | when |
//! |---|---|---|
//! | `secrets.leak` | DENY | the action would write or send a credential: a `file.write`'s content, a `net.request`'s URL or body, a `shell.exec` command line (`curl -H "Authorization: Bearer ghp_…"`, `echo AKIA… >> f`), a tool call's input. Every kind but `file.read` and `file.delete` is scanned: the action's `content`, `command`, `target` and every string in its tool input. |
//! | `secrets.read` | ESCALATE (or ALLOW, see `read_verdict`), label `secret-read` | a `file.read` of a credential file (`.env`, `~/.aws/credentials`, `id_rsa`, `*.pem`, …), or a `shell.exec` one of whose words is such a path (`cat .env`, `source .env`, `cp ~/.aws/credentials /tmp`, `mv ~/.ssh/id_rsa /tmp`) unless the effects model finds it only changed, created or deleted (`chmod 600 dev.key`, `openssl req … -keyout dev.key`) or it is a private key only used to sign in (`ssh -i KEY host`, `ssh-add KEY`, `ssh-keygen -y -f KEY`); a `net.request` to, or a `shell.exec` word naming, a cloud instance metadata service (`http://169.254.169.254/…`, `metadata.google.internal`, in any spelling of the address), which hands out the machine's credentials; a `shell.exec` that copies one of Windows' credential stores (`reg save HKLM\SAM`, `ntdsutil … ifm`) or dumps a process's credentials (`procdump -ma lsass.exe`, Mimikatz), or asks the person at the machine for a password in a dialog (`zenity --password`, `osascript … with hidden answer`, `Get-Credential`); a `shell.exec` that prints a credential (`gh auth token`, `gcloud auth print-access-token`, `kubectl get secret … -o yaml`, `git credential fill`, `security find-generic-password -w`, `vault kv get`, `echo $GITHUB_TOKEN`, a container's whole environment: `docker exec db env`, `kubectl exec … -- env`, `docker inspect --format '{{.Config.Env}}'`), unless its output is consumed (`-H "Bearer $(…)"`, `| docker login --password-stdin`); a content search for credentials (`grep -ri password /etc`, `rg 'api.?key' /srv`) of directories outside the session's workspace |
//!
//! What counts as a credential in text, and as a credential file, is
//! [`clawlaw_sdk::secrets`]'s judgement (documented there): literal values
//! only, not `password = read_password()` or `${PASSWORD}`; `.env.example`
//! is not a credential file. Reasons name the kind and a redacted excerpt
//! (`ghp_…(40 chars)`), never the secret.
//!
//! The shell check is deliberately simple: the command is split into words
//! (quotes, backslashes, `;|&()<>` and backquotes understood; `--opt=value`
//! split at `=`; `$(…)` looked into), and any word that is a credential path
//! counts, whatever the command does with it — `echo x >> .env` is escalated
//! as well.
//!
//! ## Settings (all optional)
//!
//! ```json
//! {
//!   "credential_paths": ["**/secrets/*.yaml"],  // globs of more credential files
//!   "allowed_paths": ["/work/app/tests/fixtures/**"], // exempt from both rules
//!   "read_verdict": "escalate",                  // or "allow": only label the session
//!   "ignore_kinds": ["jwt"],                     // finding kinds not to report
//!   "home": "/home/dev"                          // expands ~ (default: from cwd)
//! }
//! ```
//!
//! Paths are normalised against the action's `cwd` before they are matched,
//! so `allowed_paths` and `credential_paths` should be absolute globs or
//! start with `**/`.

mod hunt;
mod identity;
mod words;

use clawlaw_sdk::glob::GlobSet;
use clawlaw_sdk::path::normalize;
use clawlaw_sdk::secrets::{self, Finding};
use clawlaw_sdk::shell;
use clawlaw_sdk::workspace::{self, file_path};
use clawlaw_sdk::{Action, Decision, Info, Policy, Session, kinds};
use serde::Deserialize;

/// The policy.
pub struct SecretsGuard;

/// What a read of a credential file gets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReadVerdict {
    /// A human decides (the default).
    #[default]
    Escalate,
    /// Allowed; the session is still labelled `secret-read`.
    Allow,
}

/// secrets-guard's settings (see the crate documentation).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub credential_paths: Vec<String>,
    pub allowed_paths: Vec<String>,
    pub read_verdict: ReadVerdict,
    pub ignore_kinds: Vec<String>,
    pub home: Option<String>,
}

const LEAK: &str = "secrets.leak";
const READ: &str = "secrets.read";
/// The session label set on a credential read.
pub const SECRET_READ: &str = "secret-read";

/// The most findings a reason lists.
const REASON_FINDINGS: usize = 3;

impl Policy for SecretsGuard {
    type Settings = Settings;

    fn info() -> Info {
        Info::new("secrets-guard", env!("CARGO_PKG_VERSION"))
            .reading(&[])
            .rule(
                LEAK,
                "Deny writing or sending content, commands or URLs that contain credentials",
            )
            .rule(
                READ,
                "Escalate reading credential files, and label the session secret-read",
            )
    }

    fn validate(s: &Settings) -> Result<(), String> {
        // Build the scanner's shared state now: a pre-initialised instance
        // then starts with it.
        secrets::prepare();
        if let Some(h) = &s.home
            && !h.starts_with('/')
        {
            return Err(format!("home {h:?} is not an absolute path"));
        }
        GlobSet::new(&s.credential_paths, s.home.as_deref())
            .map_err(|e| format!("credential_paths: {e}"))?;
        GlobSet::new(&s.allowed_paths, s.home.as_deref())
            .map_err(|e| format!("allowed_paths: {e}"))?;
        for k in &s.ignore_kinds {
            if !secrets::KINDS.iter().any(|(known, _)| known == k) {
                let known: Vec<&str> = secrets::KINDS.iter().map(|(k, _)| *k).collect();
                return Err(format!(
                    "ignore_kinds: unknown kind {k:?} (known: {})",
                    known.join(", ")
                ));
            }
        }
        Ok(())
    }

    fn evaluate(s: &Settings, action: &Action, session: &Session) -> Decision {
        let cwd = workspace::cwd(action);
        let home = workspace::home(s.home.as_deref(), cwd);
        let ctx = match Context::new(s, cwd, home.as_deref()) {
            Ok(ctx) => ctx,
            Err(e) => return Decision::deny(clawlaw_sdk::SETTINGS_INVALID_RULE, e),
        };
        let input = action.input_json();
        let kind = action.kind.as_str();
        let mut decision = Decision::allow();

        if kind == kinds::FILE_READ {
            if let Some(path) = file_path(action, &input)
                && let Some(d) = ctx.read(&path, kind)
            {
                decision = decision.merge(d);
            }
        } else if kind != kinds::FILE_DELETE {
            if kind == kinds::NET_REQUEST {
                let url = input.get("url").and_then(|u| u.as_str());
                for target in action.target.as_deref().into_iter().chain(url) {
                    if let Some(d) = ctx.read(target, "the request") {
                        decision = decision.merge(d);
                        break;
                    }
                }
            }
            if kind == kinds::SHELL_EXEC
                && let Some(cmd) = &action.command
            {
                let words = words::shell_words(cmd, 0);
                // The line parsed once, when a check below needs it.
                let mut parsed: Option<shell::CommandLine> = None;
                let mut fx = None;
                for word in &words {
                    if let Some(d) = ctx.read(word, "the command") {
                        // `chmod 600 dev.key`, `rm .env`, `openssl … -keyout
                        // new.key`: a credential file changed, created or
                        // removed is not read. Asked only on a hit.
                        let line = parsed.get_or_insert_with(|| shell::parse(cmd));
                        let fx = fx.get_or_insert_with(|| {
                            clawlaw_sdk::effects::analyze(line, ctx.cwd, ctx.home)
                        });
                        if only_changed(fx, &ctx.resolve(word)) {
                            continue;
                        }
                        // `ssh -i KEY`, `ssh-add KEY`: a key used to sign
                        // in is not shown to anyone.
                        if identity::only_signs_in(line, word) {
                            continue;
                        }
                        decision = decision.merge(d);
                        break;
                    }
                }
                // A line that may be PowerShell's or `cmd`'s is read as the
                // parser translates it: the word split takes a Windows path's
                // backslashes away (`Get-Content ~\.ssh\id_rsa`) and does not
                // expand `%TOKEN%` or `$env:TOKEN`.
                let windows = may_be_windows(cmd);
                // What words do not show: a path built in inline code
                // (`open('/home/dev/.netrc')`), a glob (`cat ~/.aws/*`), a
                // credential directory read whole (`tar czf k.tgz ~/.ssh`).
                if decision.verdict == clawlaw_sdk::Verdict::Allow
                    && (windows || words.iter().any(|w| may_read_indirectly(w)))
                {
                    let line = parsed.get_or_insert_with(|| shell::parse(cmd));
                    let fx = fx.get_or_insert_with(|| {
                        clawlaw_sdk::effects::analyze(line, ctx.cwd, ctx.home)
                    });
                    if let Some(d) = ctx.reads_of(fx).or_else(|| ctx.shown_by_code(fx)) {
                        decision = decision.merge(d);
                    }
                }
                // Parsed only when a word names a program that can print one.
                if (windows || words.iter().any(|w| secrets::may_print_credential(w)))
                    && let Some(d) = ctx.printed(parsed.get_or_insert_with(|| shell::parse(cmd)))
                {
                    decision = decision.merge(d);
                }
                // A search of other directories for credentials: parsed only
                // when a word names a searcher.
                if decision.verdict == clawlaw_sdk::Verdict::Allow
                    && (windows || words.iter().any(|w| hunt::SEARCHERS.contains(&w.as_str())))
                {
                    let roots = workspace::scope_roots(&session.scope, ctx.home);
                    let line = parsed.get_or_insert_with(|| shell::parse(cmd));
                    if let Some((program, dir)) = hunt::outside(line, ctx.cwd, ctx.home, &roots) {
                        decision = decision.merge(ctx.read_decision(format!(
                            "`{program}` searches {dir}, outside the workspace, for credentials: every line it matches is one, read without naming its file"
                        )));
                    }
                }
            }
            let exempt = kind == kinds::FILE_WRITE
                && file_path(action, &input)
                    .is_some_and(|p| ctx.allowed.any_match(&ctx.resolve(&p)));
            if !exempt && let Some(d) = ctx.leak(action, &input) {
                decision = decision.merge(d);
            }
        }
        decision
    }
}

struct Context<'a> {
    settings: &'a Settings,
    cwd: Option<&'a str>,
    home: Option<&'a str>,
    extra: GlobSet,
    allowed: GlobSet,
}

impl<'a> Context<'a> {
    fn new(
        settings: &'a Settings,
        cwd: Option<&'a str>,
        home: Option<&'a str>,
    ) -> Result<Context<'a>, String> {
        Ok(Context {
            settings,
            cwd,
            home,
            extra: GlobSet::new(&settings.credential_paths, home).map_err(|e| e.to_string())?,
            allowed: GlobSet::new(&settings.allowed_paths, home).map_err(|e| e.to_string())?,
        })
    }

    /// The path normalised when possible, else as written.
    fn resolve(&self, raw: &str) -> String {
        normalize(raw, self.cwd, self.home).unwrap_or_else(|_| raw.to_string())
    }

    /// The decision for reading `raw`, when it is a credential file.
    fn read(&self, raw: &str, what: &str) -> Option<Decision> {
        if raw.is_empty() || raw.starts_with('-') {
            return None;
        }
        let path = self.resolve(raw);
        if self.allowed.any_match(&path) {
            return None;
        }
        if let Some(kind) = secrets::is_credential_endpoint(raw) {
            let reason = format!(
                "{what} asks {raw} for credentials: a cloud instance metadata service hands the machine's role credentials and tokens to whoever asks from it ({kind})"
            );
            return Some(self.read_decision(reason));
        }
        let kind = secrets::is_credential_path(&path)
            .or_else(|| secrets::is_credential_path(raw))
            .or_else(|| {
                self.extra
                    .any_match(&path)
                    .then_some("configured credential file")
            })?;
        let shown = if path == raw {
            path.clone()
        } else {
            format!("{path} (from {raw})")
        };
        let reason = format!("{what} reads a credential file: {shown} ({kind})");
        Some(self.read_decision(reason))
    }

    /// The first credential the effects model finds a command reading: a
    /// credential file by its path, one a glob may match among the usual
    /// credential files of the home directory, or a credential directory
    /// read whole (archived, copied).
    fn reads_of(&self, fx: &clawlaw_sdk::effects::Effects) -> Option<Decision> {
        for r in &fx.reads {
            if let Some(d) = self.read(&r.path, "the command") {
                return Some(d);
            }
            if r.recursive
                && let Some(kind) = secrets::is_credential_dir(&r.path)
            {
                let reason = format!(
                    "the command reads the credential directory {} whole ({kind})",
                    r.path
                );
                return Some(self.read_decision(reason));
            }
            // Only a glob whose base is known (`~/.a?s/cred*`) is matched:
            // `cat "$f"` could be anything.
            if !r.dynamic || !(r.path.starts_with('/') || r.path.starts_with('~')) {
                continue;
            }
            // A home directory stands in when the agent's is not known, so
            // that `~/…` globs are matched against its files.
            let home = self.home.unwrap_or("/home/agent").trim_end_matches('/');
            if let Some(file) = USUAL_CREDENTIALS
                .iter()
                .find(|f| r.may_touch(&format!("{home}/{f}")))
            {
                let reason = format!(
                    "the command reads {}, which matches the credential file ~/{file}",
                    r.path
                );
                return Some(self.read_decision(reason));
            }
        }
        None
    }

    /// Inline code that prints, logs or dumps the value of a variable whose
    /// name says it holds a credential (`print(os.getenv('GITHUB_TOKEN'))`,
    /// `console.log(process.env.NPM_TOKEN)`): the `echo "$TOKEN"` of code.
    fn shown_by_code(&self, fx: &clawlaw_sdk::effects::Effects) -> Option<Decision> {
        let e = fx
            .env
            .iter()
            .find(|e| e.shown && secrets::is_secret_name(&e.name))?;
        Some(self.read_decision(format!(
            "the command's code prints the credential variable {}; use it where it is needed without printing it",
            e.name
        )))
    }

    /// The decision for a command line that prints a credential to whoever
    /// runs it (`gh auth token`, `echo $GITHUB_TOKEN`), when it does.
    fn printed(&self, line: &shell::CommandLine) -> Option<Decision> {
        line.commands.iter().enumerate().find_map(|(i, c)| {
            let kind = secrets::prints_credential(c)?;
            // `history` in the agent's shell shows the agent what it typed
            // itself; sent elsewhere it is exfiltration's to judge.
            if consumed(line, i) || kind == "shell-history" {
                return None;
            }
            let reason = format!(
                "the command prints a credential: `{}` ({kind}); use it where it is needed without printing it (`gh` and cloud CLIs authenticate on their own, `\"$TOKEN\"` in a header)",
                truncated(&c.to_string(), 80)
            );
            Some(self.read_decision(reason))
        })
    }

    /// A read of credentials, as the settings' `read_verdict` answers it;
    /// the session is labelled `secret-read` either way.
    fn read_decision(&self, reason: String) -> Decision {
        let d = match self.settings.read_verdict {
            ReadVerdict::Escalate => Decision::escalate(READ, reason),
            ReadVerdict::Allow => Decision::allow_noting(READ, reason),
        };
        d.with_label(SECRET_READ)
    }

    /// The decision for an action whose content, command, target or input
    /// holds a credential.
    fn leak(&self, action: &Action, input: &serde_json::Value) -> Option<Decision> {
        let mut texts: Vec<(&str, &str)> = Vec::new();
        if let Some(c) = &action.content {
            texts.push(("content", c));
        }
        if let Some(c) = &action.command {
            texts.push(("command", c));
        }
        if let Some(t) = &action.target {
            texts.push(("target", t));
        }
        let mut strings = Vec::new();
        collect_strings(input, &mut strings, 0);
        for s in strings {
            // The tool input usually repeats the content: scan it once.
            if !texts.iter().any(|(_, t)| *t == s) {
                texts.push(("tool input", s));
            }
        }

        let mut found: Vec<(&str, Finding)> = Vec::new();
        let mut redactions: Vec<(&str, std::ops::Range<usize>, &str)> = Vec::new();
        for (place, text) in texts {
            for f in secrets::find(text) {
                if self.settings.ignore_kinds.iter().any(|k| k == f.kind) {
                    continue;
                }
                if place != "tool input" {
                    redactions.push((place, f.range.clone(), f.kind));
                }
                for at in input_spans(&action.input, &text[f.range.clone()]) {
                    redactions.push(("input", at, f.kind));
                }
                if !found
                    .iter()
                    .any(|(_, g)| g.kind == f.kind && g.excerpt == f.excerpt)
                {
                    found.push((place, f));
                }
            }
        }
        if found.is_empty() {
            return None;
        }
        let listed: Vec<String> = found
            .iter()
            .take(REASON_FINDINGS)
            .map(|(place, f)| format!("{} in the {place} ({})", f.description(), f.excerpt))
            .collect();
        let more = match found.len().saturating_sub(REASON_FINDINGS) {
            0 => String::new(),
            n => format!(" and {n} more"),
        };
        let what = match action.kind.as_str() {
            k if k == kinds::FILE_WRITE => "writing it would store it",
            k if k == kinds::NET_REQUEST => "sending it would disclose it",
            k if k == kinds::SHELL_EXEC => "running it would expose it",
            _ => "the action would pass it on",
        };
        let deny = Decision::deny(
            LEAK,
            format!("{} holds {}{more}: {what}", action.kind, listed.join(", ")),
        );
        Some(
            redactions
                .into_iter()
                .fold(deny, |d, (field, range, kind)| d.redact(field, range, kind)),
        )
    }
}

/// Whether command `i`'s output is consumed rather than shown: captured by
/// a command substitution that does not just print it (`-H "Bearer
/// $(gcloud auth print-access-token)"`), or piped into a login that reads
/// it from standard input (`aws ecr get-login-password | docker login
/// --password-stdin`).
fn consumed(line: &shell::CommandLine, i: usize) -> bool {
    let c = &line.commands[i];
    if c.origin == shell::Origin::CommandSubstitution {
        let parent = c.parent.and_then(|p| line.commands.get(p));
        return !parent.is_some_and(|p| matches!(p.program.as_str(), "echo" | "printf" | "print"));
    }
    if !c.piped_out {
        return false;
    }
    let next = line.pipelines.get(c.pipeline).and_then(|p| {
        let k = p.commands.iter().position(|&e| e == i)?;
        p.commands.get(k + 1).and_then(|&n| line.commands.get(n))
    });
    next.is_some_and(|n| {
        n.args().iter().any(|a| {
            matches!(
                a.text.as_str(),
                "--password-stdin" | "--with-token" | "--token-stdin"
            )
        })
    })
}

/// `text` cut to `max` characters, with `…` when cut.
fn truncated(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((k, _)) => format!("{}…", &text[..k]),
        None => text.to_string(),
    }
}

/// Where `secret` appears in the tool input's JSON text, as JSON writes it
/// (escaped), for the gate to redact there too.
fn input_spans(input: &str, secret: &str) -> Vec<std::ops::Range<usize>> {
    let Ok(quoted) = serde_json::to_string(secret) else {
        return Vec::new();
    };
    let escaped = &quoted[1..quoted.len() - 1];
    input
        .match_indices(escaped)
        .map(|(at, m)| at..at + m.len())
        .collect()
}

/// Every string in a JSON value (keys excluded), depth-limited.
fn collect_strings<'v>(v: &'v serde_json::Value, out: &mut Vec<&'v str>, depth: usize) {
    if depth > 32 {
        return;
    }
    match v {
        serde_json::Value::String(s) => out.push(s),
        serde_json::Value::Array(a) => a.iter().for_each(|x| collect_strings(x, out, depth + 1)),
        serde_json::Value::Object(o) => o.values().for_each(|x| collect_strings(x, out, depth + 1)),
        _ => {}
    }
}

/// Credential files most homes hold, relative to the home directory: what
/// a glob that reaches into the home (`~/.a?s/cred*`) is checked against.
const USUAL_CREDENTIALS: &[&str] = &[
    ".aws/credentials",
    ".ssh/id_rsa",
    ".ssh/id_ed25519",
    ".ssh/id_ecdsa",
    ".netrc",
    ".git-credentials",
    ".docker/config.json",
    ".kube/config",
    ".npmrc",
    ".pypirc",
    ".pgpass",
    ".config/gh/hosts.yml",
    ".cargo/credentials.toml",
    ".config/gcloud/application_default_credentials.json",
];

/// Whether `cmd` may be a PowerShell or `cmd` line, or hold a Windows path:
/// a backslash, `%` (`%USERPROFILE%`), `$env:`, or what the parser reads
/// as a line typed into either shell (`Get-Content (…).HistorySavePath`).
fn may_be_windows(cmd: &str) -> bool {
    cmd.contains(['\\', '%'])
        || shell::is_windows_line(cmd)
        || cmd.match_indices('$').any(|(at, _)| {
            cmd.get(at + 1..at + 5)
                .is_some_and(|v| v.eq_ignore_ascii_case("env:"))
        })
}

/// Whether a word may read a file that no word names: a glob, inline code
/// of an interpreter, or a program that reads whole directories.
fn may_read_indirectly(w: &str) -> bool {
    let program = w.rsplit('/').next().unwrap_or(w);
    // What a container is given to read: `-v ~/.aws:/a`, `-v/srv:/srv`,
    // `--volume=$PWD:/src`, `--mount type=bind,source=~/.ssh,…`.
    let mount = w
        .strip_prefix("--volume=")
        .or_else(|| w.strip_prefix("-v"))
        .unwrap_or(w);
    w.contains(['*', '?', '['])
        || mount.starts_with(['/', '~', '.', '$']) && mount.contains(":/")
        || w.contains("source=")
        || w.contains("src=")
        || program.starts_with("python")
        || matches!(
            program,
            "node"
                | "ruby"
                | "perl"
                | "php"
                | "deno"
                | "bun"
                | "go"
                | "tar"
                | "zip"
                | "7z"
                | "cp"
                | "rsync"
                | "scp"
                | "rclone"
                | "cpio"
                | "gzip"
        )
}

/// Whether the effects model knows every command of the line and finds
/// `path` written, created or deleted, and nothing that may read it. A
/// move is a read: the credential goes on living under another name.
fn only_changed(fx: &clawlaw_sdk::effects::Effects, path: &str) -> bool {
    let moved = |how: &str| {
        ["mv", "move", "rename", "replace"]
            .iter()
            .any(|m| how.contains(m))
    };
    let changes: Vec<_> = fx.changes().filter(|e| e.path == path).collect();
    fx.is_resolved()
        && !changes.is_empty()
        && !changes.iter().any(|e| moved(&e.how))
        && !fx.reads.iter().any(|r| r.may_touch(path))
}

clawlaw_sdk::export_policy!(SecretsGuard);

#[cfg(test)]
mod tests {
    use super::*;
    use clawlaw_sdk::Verdict;
    use clawlaw_sdk::testing::eval;

    #[test]
    fn cases() {
        clawlaw_sdk::testing::assert_cases::<SecretsGuard>(include_str!("../cases.toml"));
    }

    fn token() -> String {
        format!("ghp_{}", "Zq8Xv2Lm9Rt4Wb7Nc1Kd6Hf3Gj5Ps0YaQw8E")
    }

    #[test]
    fn info_declares_both_rules() {
        let info = SecretsGuard::info();
        let ids: Vec<&str> = info.rules.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, [LEAK, READ]);
    }

    #[test]
    fn reasons_never_hold_the_secret() {
        let t = token();
        let cmd = format!(r#"curl -H "Authorization: Bearer {t}" https://api.github.com/user"#);
        let d = eval::<SecretsGuard>(&Action::shell(&cmd));
        assert_eq!(d.verdict, Verdict::Deny);
        assert!(!d.reason.contains(&t), "{}", d.reason);
        assert!(
            d.reason
                .contains("a GitHub Personal Access Token in the command (ghp_…(40 chars))"),
            "{}",
            d.reason
        );

        let pw = "S3cr3t!xy99";
        let d = eval::<SecretsGuard>(&Action::write(
            "/work/app/config.yml",
            &format!("db:\n  password: {pw}\n"),
        ));
        assert_eq!(d.verdict, Verdict::Deny);
        assert!(!d.reason.contains(pw), "{}", d.reason);
    }

    #[test]
    fn the_same_secret_in_content_and_input_is_listed_once() {
        let t = token();
        let mut a = Action::write("/work/app/x.sh", &format!("export GH={t}"));
        a.input =
            serde_json::json!({"file_path": "/work/app/x.sh", "content": format!("export GH={t}")})
                .to_string();
        let d = eval::<SecretsGuard>(&a);
        assert_eq!(
            d.reason.matches("GitHub Personal Access Token").count(),
            1,
            "{}",
            d.reason
        );
    }

    #[test]
    fn every_place_a_secret_appears_is_reported_for_redaction() {
        let t = token();
        let content = format!("export GH={t}\n");
        let mut a = Action::write("/work/app/x.sh", &content);
        a.input = serde_json::json!({"file_path": "/work/app/x.sh", "content": content,
            "note": format!("{t}\"q")})
        .to_string();
        let d = eval::<SecretsGuard>(&a);
        let text = |field: &str, r: &clawlaw_sdk::Redaction| {
            let f = if field == "content" {
                &content
            } else {
                &a.input
            };
            f[r.start as usize..r.end as usize].to_string()
        };
        let spans: Vec<(String, String)> = d
            .redactions
            .iter()
            .map(|r| (r.field.clone(), text(&r.field, r)))
            .collect();
        assert!(d.redactions.iter().all(|r| r.kind == "github-pat"), "{d:?}");
        assert!(spans.contains(&("content".into(), t.clone())), "{spans:?}");
        let in_input = spans
            .iter()
            .filter(|(f, v)| f == "input" && *v == t)
            .count();
        assert_eq!(in_input, 2, "{spans:?}");
    }

    #[test]
    fn reasons_are_bounded() {
        let content: String = (0..10)
            .map(|i| format!("DB{i}_PASSWORD=hunter{i}x9\n"))
            .collect();
        let d = eval::<SecretsGuard>(&Action::write("/work/app/a.env.txt", &content));
        assert_eq!(d.verdict, Verdict::Deny);
        assert!(d.reason.contains("and 7 more"), "{}", d.reason);
    }

    #[test]
    fn settings_are_validated() {
        use clawlaw_sdk::validate_settings;
        assert!(validate_settings::<SecretsGuard>("").is_ok());
        assert!(
            validate_settings::<SecretsGuard>(r#"{"read_verdict":"allow","ignore_kinds":["jwt"]}"#)
                .is_ok()
        );
        assert!(validate_settings::<SecretsGuard>(r#"{"read_verdict":"deny"}"#).is_err());
        assert!(validate_settings::<SecretsGuard>(r#"{"ignore_kinds":["jwtt"]}"#).is_err());
        assert!(validate_settings::<SecretsGuard>(r#"{"allowed_paths":["/a/{b"]}"#).is_err());
        assert!(validate_settings::<SecretsGuard>(r#"{"credential_paths":["!x"]}"#).is_err());
        assert!(validate_settings::<SecretsGuard>(r#"{"home":"relative"}"#).is_err());
        assert!(validate_settings::<SecretsGuard>(r#"{"allowed":["/a"]}"#).is_err());
    }
}
