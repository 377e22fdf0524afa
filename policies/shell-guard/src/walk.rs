//! Walking a command line: every command, in the working directory the
//! `cd`s before it leave and with the variables set before it, goes to the
//! settings' own lists and rules, the core checks (`exec`, `interp`,
//! `install`, `system`) and the packs; command lines found inside it (an
//! alias body, `$(echo rm) -rf /`, a script fed to a shell, inline code's
//! shell calls, the command `kubectl exec` or `ssh` runs elsewhere) are
//! re-parsed and walked in turn, [`MAX_REPARSE`] levels
//! deep at most.

use clawlaw_sdk::Decision;
use clawlaw_sdk::shell::{self, Command, CommandKind, CommandLine, Origin, Word};

use crate::checker::{Checker, Line, MAX_REPARSE};
use crate::elsewhere;
use crate::loc::Loc;
use crate::programs::*;
use crate::settings::{CustomVerdict, Settings};
use clawlaw_sdk::shell::requote;

/// Judges the command line `line` run in `cwd` under `settings`.
/// `waived`: escalations that do not apply where the line runs (see
/// [`Checker::waived`]).
pub(crate) fn judge(
    settings: &Settings,
    cwd: Option<&str>,
    line: &str,
    waived: &'static [&'static str],
) -> Decision {
    let mut checker = Checker::new(settings, cwd, check_line);
    checker.waived = waived;
    check_line(&mut checker, line, 0);
    checker.decision()
}

/// Checks one command line at re-parse `level`: whether it parses, the
/// code it runs inline, and each command with its redirections, in the
/// working directory the `cd`s before it leave.
fn check_line(ck: &mut Checker, line: &str, level: usize) {
    let cl = shell::parse(line);
    if !cl.is_complete() {
        let issues: Vec<String> = cl.issues.iter().map(|i| i.to_string()).collect();
        let what = format!(
            "the command line cannot be parsed in full ({}), so what it would run cannot be checked",
            issues.join("; ")
        );
        if ck.settings.deny_unparseable {
            ck.deny("shell.unparseable", what);
        } else {
            ck.escalate("shell.unparseable", 0.7, None, what);
        }
    }
    let mut line = Line {
        level,
        from_net: cl.piped_from_any(is_downloader),
        from_decoder: cl.piped_from_any(is_decoder),
        downloaded: Vec::new(),
        fetched: None,
        written: Vec::new(),
    };
    // The line's effects, analysed at most once, by the first check that
    // needs them.
    let mut fx = None;
    ck.check_inline_code(&cl, level, &mut fx);
    ck.check_reverse_shell(&cl, &mut fx);
    ck.check_defenses(&cl, &mut fx);
    ck.check_fed(&cl, &mut fx);
    ck.check_other_changes(&cl, &mut fx);
    ck.check_fork_loops(&cl);
    let mut cwd = ck.cwd.clone();
    for i in 0..cl.commands.len() {
        let c = &cl.commands[i];
        for r in &c.redirects {
            if r.op.writes_file() {
                ck.check_write(c, &r.target, &cwd);
            }
        }
        if c.kind != CommandKind::Simple || c.argv.is_empty() {
            if c.kind == CommandKind::Simple {
                ck.record_vars(c);
            }
            continue;
        }
        check_command(ck, &cl, i, &cwd, &mut line);
        ck.record_vars(c);
        clawlaw_sdk::implied::literal_writes(c, &mut line.written);
        if matches!(c.program.as_str(), "cd" | "pushd") && !c.program_dynamic {
            cwd = match c.operands().next() {
                None => Loc::home(),
                Some(w) if w.text == "-" => Loc::Rel(0, Vec::new()),
                Some(w) => match ck.locs(w, &cwd).into_iter().next() {
                    Some(Loc::Unknown) | None => Loc::Rel(0, Vec::new()),
                    Some(loc) => loc,
                },
            };
        }
    }
}

/// Checks command `i` of `cl`, run in `cwd`.
fn check_command(ck: &mut Checker, cl: &CommandLine, i: usize, cwd: &Loc, line: &mut Line) {
    let c = &cl.commands[i];
    // `find / -exec rm -rf {} +`: name the `find` too.
    let shown = match (c.origin, c.parent) {
        (Origin::FindExec, Some(p)) => Shown::new(&cl.commands[p]),
        _ => Shown::new(c),
    };
    ck.check_remote_exec(cl, i, line);
    ck.check_written(cl, i, line);
    if c.program == "alias" && !c.program_dynamic && line.level < MAX_REPARSE {
        for a in c.args() {
            if let Some((_, body)) = a.text.split_once('=') {
                check_line(ck, body, line.level + 1);
            }
        }
    }
    if c.program_dynamic {
        if line.level < MAX_REPARSE
            && let Some(text) = echoed_command(cl, i)
        {
            // `$(echo ls)`: the program is known after all.
            check_line(ck, &text, line.level + 1);
            return;
        }
        if !env_setup(cl, i) {
            ck.escalate(
                "shell.dynamic-program",
                0.6,
                None,
                format!("`{shown}` runs a program whose name is only known at run time, so what runs cannot be checked"),
            );
        }
        return;
    }
    check_settings(ck, c, &shown);
    check_custom(ck, c, &shown);
    ck.check_verification(c, &shown);
    for w in &c.wrappers {
        if PRIVILEGE_WRAPPERS.contains(&w.program.as_str()) {
            ck.escalate(
                "shell.privileged",
                0.7,
                Some(&w.program),
                format!(
                    "`{shown}` runs with elevated privileges through {}",
                    w.program
                ),
            );
        }
        // `systemd-run --on-calendar=hourly CMD`: a transient timer runs the
        // command again and again, after the session (as `at` and `crontab`
        // do); `--scope` and a plain run are the command now.
        if w.program == "systemd-run"
            && w.args
                .iter()
                .any(|a| a.text.starts_with("--on-") || a.text.starts_with("--timer-property"))
        {
            ck.escalate(
                "shell.persistence",
                0.6,
                Some("systemd-run"),
                format!("`{shown}` schedules the command with a timer that outlives the session"),
            );
        }
    }
    let p = c.program.as_str();
    if PRIVILEGE_PROGRAMS.contains(&p) {
        ck.escalate(
            "shell.privileged",
            0.7,
            Some(p),
            format!("`{shown}` runs a shell or command as another user"),
        );
    }
    if ACCOUNT_PROGRAMS.contains(&p) {
        ck.escalate(
            "shell.privileged",
            0.7,
            Some(p),
            format!("`{shown}` changes user accounts, credentials or capabilities"),
        );
    }
    // `modprobe -n`, `-c`, `--show-depends` only print.
    let prints_only = p == "modprobe"
        && c.args().iter().any(|w| {
            matches!(
                w.text.as_str(),
                "-n" | "--dry-run" | "-c" | "--showconfig" | "-D" | "--show-depends"
            )
        });
    // `nsenter` is a wrapper: the command it runs is what is parsed.
    let kernel = if c.has_wrapper("nsenter") {
        Some((
            "nsenter",
            "enters another process's namespaces (how a container is escaped)",
        ))
    } else if KERNEL_PROGRAMS.contains(&p) && !prints_only {
        Some((
            p,
            "changes the running kernel (loads, unloads or replaces its code)",
        ))
    } else {
        None
    };
    if let Some((by, what)) = kernel {
        ck.escalate(
            "shell.privileged",
            0.8,
            Some(by),
            format!("`{shown}` {what}"),
        );
    }
    ck.check_fork_bomb(cl, i);
    ck.check_disk_fill(cl, i);
    ck.check_miner(c);
    ck.check_filesystem(cl, i, cwd, &shown);
    ck.check_system(c, cwd, &shown);
    ck.check_diskpart(cl, i, &shown);
    ck.check_boot_entry(c, &shown);
    ck.check_packs(cl, i, cwd, &shown);
    ck.check_install(c, &shown);
    ck.check_tool_settings(c, &shown);
    if line.level < MAX_REPARSE
        && let Some(carried) = elsewhere::carried_line(c)
    {
        // `kubectl exec pod -- rm -rf /data`: judged as if typed here.
        check_line(ck, &carried, line.level + 1);
    }
}

/// `eval "$(ssh-agent -s)"` and the like: a whole command produced by an
/// environment set-up tool.
fn env_setup(cl: &CommandLine, i: usize) -> bool {
    let c = &cl.commands[i];
    let [word] = c.argv.as_slice() else {
        return false;
    };
    let t = word.text.as_str();
    if !((t.starts_with("$(") && t.ends_with(')')) || (t.starts_with('`') && t.ends_with('`'))) {
        return false;
    }
    let mut owners = vec![i];
    if matches!(c.origin, Origin::Eval | Origin::ShellString)
        && let Some(p) = c.parent
    {
        owners.push(p);
    }
    let producers: Vec<&Command> = cl
        .commands
        .iter()
        .filter(|d| {
            d.origin == Origin::CommandSubstitution && d.parent.is_some_and(|p| owners.contains(&p))
        })
        .collect();
    !producers.is_empty()
        && producers
            .iter()
            .all(|d| !d.program_dynamic && ENV_SETUP.contains(&d.program.as_str()))
}

fn check_settings(ck: &mut Checker, c: &Command, shown: &Shown) {
    let mut names = vec![c.program.clone()];
    if let Some((_, sub)) = subcommand(c) {
        names.push(format!("{} {sub}", c.program));
    }
    names.extend(c.wrappers.iter().map(|w| w.program.clone()));
    let settings = ck.settings;
    if let Some(entry) = settings.deny_programs.iter().find(|e| names.contains(e)) {
        ck.deny(
            "shell.denied-program",
            format!("`{shown}` runs `{entry}`, which the settings deny"),
        );
    }
    if let Some(entry) = settings
        .escalate_programs
        .iter()
        .find(|e| names.contains(e))
    {
        ck.escalate(
            "shell.escalated-program",
            0.6,
            None,
            format!("`{shown}` runs `{entry}`, which the settings escalate"),
        );
    }
}

/// Rules from the settings.
fn check_custom(ck: &mut Checker, c: &Command, shown: &Shown) {
    let settings = ck.settings;
    for rule in settings.rules.iter().filter(|r| r.matches(c)) {
        let what = format!("`{shown}`: {}", rule.reason);
        match rule.verdict {
            CustomVerdict::Deny => ck.deny(&rule.id, what),
            CustomVerdict::Escalate => ck.escalate(&rule.id, rule.risk.unwrap_or(0.6), None, what),
        }
    }
}

/// The command line a command whose program is the output of `echo` or a
/// plain `printf` amounts to: `$(echo rm) -rf /` is `rm -rf /`. Only output
/// made of plain words is resolved; anything a shell would treat
/// differently (escapes, `%`, operators, globs) stays dynamic.
fn echoed_command(cl: &CommandLine, i: usize) -> Option<String> {
    let c = &cl.commands[i];
    let first = c.argv.first()?;
    let t = first.text.as_str();
    let whole = (t.starts_with("$(") && t.ends_with(')'))
        || (t.starts_with('`') && t.ends_with('`') && t.len() > 1);
    if !whole {
        return None;
    }
    let mut producers = cl
        .commands
        .iter()
        .filter(|d| d.parent == Some(i) && d.origin == Origin::CommandSubstitution);
    let producer = producers.next()?;
    if producers.next().is_some()
        || producer.program_dynamic
        || producer.piped_out
        || !producer.redirects.is_empty()
    {
        return None;
    }
    // `$(which python3) --version`, `"$(command -v node)" x`: the path of
    // the program named, which is that program.
    let looks_up = match producer.program.as_str() {
        "which" => true,
        "command" => producer.has_flag('v'),
        "type" => producer.has_flag('P') || producer.has_flag('p'),
        _ => false,
    };
    if looks_up {
        let mut names = producer.operands();
        let name = names.next()?;
        if names.next().is_some() || name.is_dynamic() {
            return None;
        }
        let mut text = name.text.clone();
        for w in c.args() {
            text.push(' ');
            text.push_str(&clawlaw_sdk::shell::quote(&w.text));
        }
        return Some(text);
    }
    if !matches!(producer.program.as_str(), "echo" | "printf") {
        return None;
    }
    let words: Vec<&Word> = producer
        .args()
        .iter()
        .filter(|w| !(producer.program == "echo" && w.text == "-n"))
        .collect();
    if words.is_empty()
        || words
            .iter()
            .any(|w| w.is_dynamic() || w.text.starts_with('-'))
    {
        return None;
    }
    let output = words
        .iter()
        .map(|w| w.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let plain = |ch: char| ch.is_ascii_alphanumeric() || "_-./=:,+@".contains(ch);
    if !output.chars().all(|ch| plain(ch) || ch == ' ') || (first.quoted && output.contains(' ')) {
        return None;
    }
    let mut text = output;
    for w in c.args() {
        text.push(' ');
        if w.is_dynamic()
            && !w
                .text
                .contains(|ch: char| ch.is_whitespace() || "'\"\\;&|<>()".contains(ch))
        {
            text.push_str(&w.text);
        } else {
            text.push_str(&requote(&w.text));
        }
    }
    Some(text)
}
