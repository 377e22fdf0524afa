//! Code of other languages run inline (`python -c`, `node -e`, `perl -e`,
//! `ruby -e`, `php -r`, or fed on standard input): what the SDK's
//! [`clawlaw_sdk::effects`] model reads in it is judged like the shell
//! command it amounts to — `shutil.rmtree('/home/u')` like `rm -r /home/u`,
//! `os.remove('/etc/passwd')` like `rm /etc/passwd`, and every shell
//! command the code runs (`os.system`, `subprocess.run([...])`,
//! `child_process.execSync`, backquotes) is parsed and checked in full.
//! Code that runs code it decodes at run time (`exec(b64decode(…))`,
//! `eval(atob(…))`) is denied as obfuscated, as `base64 -d | sh` is; code
//! that runs code it fetches (`exec(urlopen(URL).read())`,
//! `fetch(URL).then(r => r.text()).then(eval)`) as `curl … | sh` is.

use clawlaw_sdk::effects::{self, Effects, PathEffect};
use clawlaw_sdk::shell::{CommandKind, CommandLine};

use crate::checker::{Checker, MAX_REPARSE};
use crate::loc::{Loc, resolve_text, system_file};
use crate::programs::{is_interpreter, is_shell, show};

impl Checker<'_> {
    /// Checks the inline code of every non-shell interpreter in `cl`
    /// (shells' code is already parsed as shell). `fx` holds the line's
    /// effects once a check of the line has analysed them.
    pub(crate) fn check_inline_code(
        &mut self,
        cl: &CommandLine,
        level: usize,
        fx: &mut Option<Effects>,
    ) {
        // awk is no interpreter of scripts (`curl … | awk` runs nothing),
        // but its program hands command strings to the shell.
        let runs_code = |c: &clawlaw_sdk::shell::Command| {
            c.kind == CommandKind::Simple
                && !c.program_dynamic
                && (is_interpreter(&c.program)
                    && !is_shell(&c.program)
                    && !matches!(c.program.as_str(), "source" | ".")
                    || matches!(c.program.as_str(), "awk" | "gawk" | "mawk" | "nawk"))
        };
        if level >= MAX_REPARSE || !cl.commands.iter().any(runs_code) {
            return;
        }
        let fx = fx.get_or_insert_with(|| effects::analyze(cl, self.cwd_text.as_deref(), None));
        let from_code = |command: usize| cl.commands.get(command).is_some_and(runs_code);
        for d in fx.decoded.iter().filter(|d| from_code(d.command)) {
            let shown = show(&cl.commands[d.command]);
            if d.fetched {
                self.deny(
                    "shell.remote-exec",
                    format!(
                        "`{shown}` ({}) runs code it fetches from the network, unreviewed; download it, read it, then run the file",
                        d.how
                    ),
                );
            } else {
                self.deny(
                    "shell.obfuscated-exec",
                    format!(
                        "`{shown}` ({}) runs code it decodes at run time, hidden from any review; run the decoded code itself",
                        d.how
                    ),
                );
            }
        }
        for d in fx.deletes.iter().filter(|d| from_code(d.command)) {
            self.judge_code_delete(cl, d);
        }
        // Analysed without a home directory, the SDK keeps `~` as written
        // (and marks it dynamic): a home path, as for deletes.
        let home_literal = |p: &str| p.starts_with("~/") && !p.contains(['$', '*', '?', '[', '`']);
        for w in fx
            .writes
            .iter()
            .filter(|w| from_code(w.command) && (!w.dynamic || home_literal(&w.path)))
        {
            let loc = resolve_text(&w.path, &[], &Loc::Abs(Vec::new()));
            let c = &cl.commands[w.command];
            self.check_write_loc(c, &loc);
        }
        // Database writes through a driver or an ORM (`packs/orm.rs`).
        for e in fx.executes.iter().filter(|e| from_code(e.command)) {
            if let Some(code) = &e.code {
                let shown = show(&cl.commands[e.command]);
                self.check_code_database(code, &shown);
                if crate::exhaustion::forks_forever(code) {
                    self.deny(
                        "shell.fork-bomb",
                        format!("`{shown}` forks in an endless loop: a fork bomb, which takes every process slot of the machine"),
                    );
                }
            }
        }
        // Whole, so that `execSync('curl … | sh')` is still a pipe.
        for s in fx.shell_lines.iter().filter(|s| from_code(s.command)) {
            self.reparse(&s.line, level + 1);
        }
    }

    /// Judges a deletion the SDK's effects model found (inline code's
    /// `shutil.rmtree`, `tar --remove-files`) as `rm` of the same path.
    pub(crate) fn judge_code_delete(&mut self, cl: &CommandLine, d: &PathEffect) {
        let shown = show(&cl.commands[d.command]);
        let how = &d.how;
        let loc = effect_loc(d);
        if !d.recursive {
            if d.dynamic && d.path.contains(['*', '?', '[']) {
                self.outside_workspace(&loc, &format!("`{shown}` ({how})"), true);
            }
            if let Loc::Abs(v) = &loc
                && system_file(v)
            {
                self.deny(
                    "shell.system-write",
                    format!(
                        "`{shown}` ({how}) would delete the system file {}",
                        loc.display()
                    ),
                );
            } else if !d.dynamic {
                self.file_outside(&loc, &format!("`{shown}` ({how})"), "would delete");
            }
            return;
        }
        self.tree_deleted(&loc, None, &format!("`{shown}` ({how})"));
    }
}

/// Where an effect the SDK found lands, as shell-guard resolves paths.
/// Analysed without a home directory, the SDK keeps `~` as written: a home
/// path (`Loc::home()`). A dynamic path is unknown unless absolute or a
/// home path; code's paths are literal but for the globs it expands
/// (`glob.glob`, Perl's `glob`), which the SDK marks dynamic.
pub(crate) fn effect_loc(d: &PathEffect) -> Loc {
    let home_literal =
        (d.path == "~" || d.path.starts_with("~/")) && !d.path.contains(['$', '*', '?', '[', '`']);
    let home_glob = d.path.starts_with("~/") && !d.path.contains(['$', '`']);
    if d.dynamic && !d.path.starts_with('/') && !home_literal && !home_glob {
        return Loc::Unknown;
    }
    let globs: Vec<std::ops::Range<usize>> = if d.dynamic {
        d.path
            .match_indices(['*', '?', '['])
            .map(|(k, _)| k..k + 1)
            .collect()
    } else {
        Vec::new()
    };
    resolve_text(&d.path, &globs, &Loc::Abs(Vec::new()))
}
