//! The filesystem pack: deleting, moving or overwriting
//! what must survive — the root, home and system directories, devices,
//! protected paths, the working directory and its parents (core rules
//! `shell.destructive` and `shell.system-write`, which stay on when the pack
//! is switched off), and its own softer rules: deleting a directory tree
//! outside the working directory that is neither a temporary directory nor
//! a cache, and writing, moving away or deleting a single file there
//! (`outside.rs`).

use clawlaw_sdk::shell::{Command, CommandLine, Word};

use crate::checker::Checker;
use crate::loc::*;
use crate::programs::*;

/// Programs that delete their operands, judged by `check_delete` (also
/// when `find -exec` feeds them: `fed.rs`).
pub(crate) const DELETERS: &[&str] = &["rm", "unlink", "srm", "shred", "rmdir"];

impl Checker<'_> {
    /// Judges a recursive delete of `loc` (written `text`, or `None` when
    /// nothing is written but the path) by `doer`, as reasons name it
    /// (`` `rm -rf x` ``, `` `python3 -c …` (shutil.rmtree) ``).
    pub(crate) fn tree_deleted(&mut self, loc: &Loc, text: Option<&str>, doer: &str) {
        match self.danger(loc) {
            Some(Danger::Deny(what)) => {
                self.deny("shell.destructive", format!("{doer} would delete {what}"))
            }
            Some(Danger::Escalate(what)) => self.escalate(
                "shell.destructive",
                0.8,
                None,
                format!("{doer} would delete {what}"),
            ),
            None if *loc == Loc::Unknown => {
                let what = text.map_or("a path".to_string(), |t| format!("`{t}`, a path"));
                self.escalate(
                    "shell.destructive",
                    0.7,
                    None,
                    format!("{doer} recursively deletes {what} only known at run time"),
                )
            }
            None if matches!(loc, Loc::Abs(v) | Loc::Rel(_, v) if holds_history(v)) => self
                .escalate(
                    "shell.destructive",
                    0.7,
                    None,
                    format!(
                        "{doer} would delete the repository's history ({})",
                        loc.display()
                    ),
                ),
            None => self.outside_workspace(loc, doer, false),
        }
    }

    /// `rm ~/.ssh/id_ed25519`, `shred -u ~/.aws/credentials`, `: >
    /// ~/.ssh/id_rsa`: a credential kept outside the working directory is
    /// often the only copy (a key whose public half is registered elsewhere,
    /// a login); `verb` says what happens to it.
    fn credential_lost(&mut self, loc: &Loc, shown: &Shown, verb: &str) {
        let (Loc::Abs(v), Loc::Abs(w)) = (loc, &self.cwd) else {
            return;
        };
        if v.starts_with(w) {
            return;
        }
        let path = loc.display();
        if let Some(kind) = clawlaw_sdk::secrets::is_credential_path(&path) {
            self.escalate(
                "shell.destructive",
                0.7,
                None,
                format!("`{shown}` would {verb} the credential {path} ({kind}): outside the working directory it may be the only copy"),
            );
        }
    }

    /// The filesystem checks of one command.
    pub(crate) fn check_filesystem(
        &mut self,
        cl: &CommandLine,
        i: usize,
        cwd: &Loc,
        shown: &Shown,
    ) {
        let c = &cl.commands[i];
        match c.program.as_str() {
            p if DELETERS.contains(&p) => self.check_delete(cl, i, cwd, shown),
            "find" => self.check_find(c, cwd, shown),
            // Node's `rm -rf`: every operand is a tree deleted.
            "rimraf" => {
                for w in c.operands().filter(|w| !w.text.starts_with('-')) {
                    for loc in self.locs(w, cwd) {
                        self.tree_deleted(&loc, Some(&w.text), &format!("`{shown}`"));
                    }
                }
            }
            // `tar --remove-files`, `rsync --remove-source-files`, `zip -m`:
            // the originals are deleted once copied, as by `rm -r`.
            "tar" | "bsdtar" | "gtar" if c.has_long("remove-files") => {
                self.check_sources_removed(cl, i)
            }
            "rsync" if c.has_long("remove-source-files") => self.check_sources_removed(cl, i),
            "zip" if c.has_flag('m') || c.has_long("move") => self.check_sources_removed(cl, i),
            "chmod" | "chown" | "chgrp" | "setfacl" => self.check_perms(cl, i, cwd, shown),
            "mv" => {
                let ops: Vec<Word> = c.operands().cloned().collect();
                if let Some((dest, sources)) = ops.split_last()
                    && dest.text == "/dev/null"
                {
                    // Moved onto /dev/null: gone, as by `rm -r`.
                    for s in sources {
                        for loc in self.locs(s, cwd) {
                            self.tree_deleted(&loc, Some(&s.text), &format!("`{shown}`"));
                        }
                    }
                } else if let Some((dest, sources)) = ops.split_last() {
                    for s in sources {
                        for loc in self.locs(s, cwd) {
                            if let Some(Danger::Deny(what)) = self.danger(&loc) {
                                self.deny(
                                    "shell.destructive",
                                    format!("`{shown}` would move away {what}"),
                                );
                            } else {
                                self.file_outside(&loc, &format!("`{shown}`"), "would move away");
                            }
                        }
                    }
                    self.check_write(c, dest, cwd);
                }
            }
            "cp" | "install" | "ln" => {
                let dest = c
                    .args()
                    .iter()
                    .position(|a| a.text == "-t")
                    .and_then(|k| c.args().get(k + 1).cloned())
                    .or_else(|| {
                        c.args().iter().find_map(|a| {
                            a.text
                                .strip_prefix("--target-directory=")
                                .map(Word::literal)
                        })
                    })
                    .or_else(|| {
                        if c.operands().count() >= 2 {
                            c.operands().last().cloned()
                        } else {
                            None
                        }
                    });
                if let Some(dest) = dest {
                    self.check_write(c, &dest, cwd);
                }
            }
            "tee" | "truncate" => {
                for t in c.operands() {
                    self.check_write(c, t, cwd);
                }
            }
            "sed" | "perl"
                if c.has_flag('i')
                    || c.has_long("in-place")
                    || c.args().iter().any(|a| a.text.starts_with("-i")) =>
            {
                for t in in_place_files(c) {
                    self.check_write(c, t, cwd);
                }
            }
            "dd" => {
                for a in c.args() {
                    if let Some(rest) = a.text.strip_prefix("of=") {
                        let target = Word::literal(rest);
                        self.check_write(c, &target, cwd);
                    }
                }
            }
            "rsync" => self.check_rsync(c, cwd, shown),
            // A download saved into a system directory or a start-up file.
            "curl" | "wget" => {
                let (file, dir): (&[&str], &[&str]) = if c.program == "curl" {
                    (&["-o", "--output"], &["--output-dir"])
                } else {
                    (&["-O", "--output-document"], &["-P", "--directory-prefix"])
                };
                for t in option_values(c, file).chain(option_values(c, dir)) {
                    self.check_write(c, &t, cwd);
                    // Saved where programs are looked up: installed.
                    let on_path = self.locs(&t, cwd).into_iter().any(|l| match l {
                        Loc::Abs(v) => on_path(&v),
                        _ => false,
                    });
                    if on_path {
                        self.escalate(
                            "shell.package-install",
                            0.6,
                            Some(c.program.as_str()),
                            format!("`{shown}` installs a downloaded program into a directory on the PATH"),
                        );
                    }
                }
            }
            _ => {}
        }
    }

    pub(crate) fn check_write(&mut self, c: &Command, target: &Word, cwd: &Loc) {
        for loc in self.locs(target, cwd) {
            self.check_write_loc(c, &loc);
        }
    }

    pub(crate) fn check_write_loc(&mut self, c: &Command, loc: &Loc) {
        let Loc::Abs(v) = loc else { return };
        let shown = Shown::new(c);
        let path = loc.display();
        if device(v) {
            self.deny(
                "shell.disk",
                format!("`{shown}` would overwrite the block device {path}"),
            );
        } else if system_file(v) {
            self.deny(
                "shell.system-write",
                format!("`{shown}` would overwrite the system file {path}"),
            );
        } else if let Some((what, risk)) = startup_file(v) {
            self.escalate(
                "shell.persistence",
                risk,
                None,
                format!("`{shown}` would change {path}: {what}"),
            );
        } else if self.protected.iter().any(|p| v.starts_with(p)) {
            self.deny(
                "shell.system-write",
                format!("`{shown}` would write into the protected path {path}"),
            );
        } else if clawlaw_sdk::secrets::is_credential_path(&path).is_some() {
            self.credential_lost(loc, &shown, "overwrite");
        } else if shadows_command(v) && !matches!(&self.cwd, Loc::Abs(w) if v.starts_with(w)) {
            // `ln -sf /bin/bash /usr/local/bin/ls`: every later `ls` runs it.
            self.escalate(
                "shell.persistence",
                0.7,
                Some(c.program.as_str()),
                format!("`{shown}` puts a program named like a system command at {path}, on the PATH, where it runs in place of the real one"),
            );
        } else if c.program != "mkdir" && !on_path(v) && !log_file(v) {
            // Not judged here: an empty directory made (it changes nothing
            // that was there), a program installed where programs are
            // looked up (one named like a system command is judged above),
            // a log written.
            self.file_outside(loc, &format!("`{shown}`"), "would write");
        }
    }

    pub(crate) fn check_delete(&mut self, cl: &CommandLine, i: usize, cwd: &Loc, shown: &Shown) {
        let c = &cl.commands[i];
        let recursive = matches!(c.program.as_str(), "rm" | "srm")
            && (c.has_flag('r') || c.has_flag('R') || c.has_long("recursive"));
        // `find DIR -type f -exec rm -f {} +`: every file the walk finds, as
        // `find DIR -delete` would.
        let walked = cl.find_of_exec(i).is_some() && c.operands().any(|w| w.text.contains("{}"));
        if walked && let Some(f) = cl.find_of_exec(i) {
            self.check_history_found(&cl.commands[f], shown);
        }
        for (t, loc) in self.target_locs(cl, i, cwd) {
            if walked && !c.operands().any(|w| w.text == t.text) {
                self.tree_deleted(&loc, Some(&t.text), &format!("`{shown}`"));
                continue;
            }
            if let Loc::Abs(v) = &loc {
                if c.program == "shred" && device(v) {
                    self.deny(
                        "shell.disk",
                        format!("`{shown}` would overwrite the device {}", loc.display()),
                    );
                    continue;
                }
                if !recursive && system_file(v) {
                    self.deny(
                        "shell.system-write",
                        format!("`{shown}` would delete the system file {}", loc.display()),
                    );
                    continue;
                }
                if !recursive && self.protected.iter().any(|p| v.starts_with(p)) {
                    self.deny(
                        "shell.destructive",
                        format!(
                            "`{shown}` would delete the protected file {}",
                            loc.display()
                        ),
                    );
                    continue;
                }
            }
            if !recursive {
                // `rm -f ~/.ssh/*`: every file in a directory whose tree
                // may not be deleted (`loc` is that directory: `loc.rs`) is
                // lost as surely as the tree.
                if every_name(&t)
                    && let Some(Danger::Deny(what)) = self.danger(&loc)
                {
                    self.deny(
                        "shell.destructive",
                        format!("`{shown}` would delete every file in {what}"),
                    );
                    continue;
                }
                // `rm ~/notes/*`: as many files as a tree holds.
                if globbed(&t) {
                    self.outside_workspace(&loc, &format!("`{shown}`"), true);
                }
                if clawlaw_sdk::secrets::is_credential_path(&loc.display()).is_some() {
                    self.credential_lost(&loc, shown, "delete");
                } else if !globbed(&t) {
                    self.file_outside(&loc, &format!("`{shown}`"), "would delete");
                }
                continue;
            }
            self.tree_deleted(&loc, Some(&t.text), &format!("`{shown}`"));
        }
        // `find ~ -name '*.db' | xargs rm -f`: what a walk lists, deleted,
        // as `find ~ -name '*.db' -delete` would.
        if c.program == "rm" && c.has_wrapper("xargs") {
            for &u in cl
                .upstream(i)
                .iter()
                .filter(|&&u| cl.commands[u].program == "find")
            {
                let (starts, filtered) = find_scope(&cl.commands[u]);
                for s in &starts {
                    for mut loc in self.locs(s, cwd) {
                        if filtered {
                            loc.push(ANY);
                        }
                        self.tree_deleted(&loc, Some(&s.text), &format!("`{shown}`"));
                    }
                }
            }
        }
        if recursive && c.has_wrapper("xargs") {
            self.check_listed_deletion(cl, i, cwd, shown);
            for u in cl.upstream(i) {
                for w in cl.commands[u].args() {
                    if !(w.text.starts_with('/')
                        || w.text.starts_with('~')
                        || w.text.starts_with("$HOME"))
                    {
                        continue;
                    }
                    if let Some(Danger::Deny(what)) = self.danger(&resolve(w, cwd)) {
                        let up = show(&cl.commands[u]);
                        self.deny(
                            "shell.destructive",
                            format!("`{up} | {shown}` would delete {what}"),
                        );
                    }
                }
            }
        }
    }

    /// `… | xargs rm -rf`, `xargs rm -rf < list`: the paths deleted are
    /// read at run time. A `find` of a tree that may be deleted whole, or
    /// with filters under one, names them well enough; anything else (`cat
    /// list`, `ls`, a file, the agent's own input) does not.
    fn check_listed_deletion(&mut self, cl: &CommandLine, i: usize, cwd: &Loc, shown: &Shown) {
        let ups = cl.upstream(i);
        let finds = ups.iter().filter(|&&u| cl.commands[u].program == "find");
        let mut known = finds.clone().next().is_some();
        for &u in finds {
            let (starts, filtered) = find_scope(&cl.commands[u]);
            for s in &starts {
                for mut loc in self.locs(s, cwd) {
                    if filtered {
                        loc.push(ANY);
                    }
                    known &= loc != Loc::Unknown && self.danger(&loc).is_none();
                }
            }
        }
        if known {
            return;
        }
        let from = match ups.first() {
            Some(&u) => format!("the output of `{}`", show(&cl.commands[u])),
            None => "its input".to_string(),
        };
        self.escalate(
            "shell.destructive",
            0.7,
            None,
            format!("`{shown}` recursively deletes the paths it reads from {from}, which are only known at run time"),
        );
    }

    /// The sources an archiver or copier deletes after copying them, as the
    /// SDK's effects model reads its arguments, judged as deletions.
    fn check_sources_removed(&mut self, cl: &CommandLine, i: usize) {
        let fx = clawlaw_sdk::effects::analyze(cl, self.cwd_text.as_deref(), None);
        for d in fx.deletes.iter().filter(|d| d.command == i) {
            self.judge_code_delete(cl, d);
        }
    }

    /// `find . -name .git -exec rm -rf {} +`, `find . -type d -name .git
    /// -delete`: a walk selecting repositories' `.git` directories deletes
    /// their history, wherever the walk starts.
    fn check_history_found(&mut self, find: &Command, shown: &Shown) {
        if find_exact_name(find).is_some_and(|n| holds_history(&[n])) {
            self.escalate(
                "shell.destructive",
                0.7,
                None,
                format!("`{shown}` would delete the history of every repository it finds (`.git`)"),
            );
        }
    }

    pub(crate) fn check_find(&mut self, c: &Command, cwd: &Loc, shown: &Shown) {
        if !c.args().iter().any(|a| a.text == "-delete") {
            return;
        }
        let (starts, filtered) = find_scope(c);
        self.check_history_found(c, shown);
        let locs: Vec<(&Word, Loc)> = starts
            .iter()
            .flat_map(|s| self.locs(s, cwd).into_iter().map(move |l| (s, l)))
            .collect();
        for (s, mut loc) in locs {
            if filtered {
                loc.push(ANY);
            }
            match self.danger(&loc) {
                Some(Danger::Deny(what)) => self.deny(
                    "shell.destructive",
                    format!("`{shown}` would delete files across {what}"),
                ),
                Some(Danger::Escalate(what)) => self.escalate(
                    "shell.destructive",
                    0.8,
                    None,
                    format!("`{shown}` would delete {what}"),
                ),
                None if loc == Loc::Unknown => self.escalate(
                    "shell.destructive",
                    0.7,
                    None,
                    format!(
                        "`{shown}` deletes under `{}`, a path only known at run time",
                        s.text
                    ),
                ),
                None => self.outside_workspace(&loc, &format!("`{shown}`"), false),
            }
        }
    }

    pub(crate) fn check_rsync(&mut self, c: &Command, cwd: &Loc, shown: &Shown) {
        let ops: Vec<&Word> = c.operands().collect();
        let remote = ops.iter().any(|w| {
            let t = w.text.as_str();
            t.starts_with("rsync://")
                || t.split('/')
                    .next()
                    .is_some_and(|head| head.contains(':') && !t.starts_with('.'))
        }) || c
            .args()
            .iter()
            .any(|a| a.text == "-e" || a.text.starts_with("--rsh"));
        if remote {
            self.escalate(
                "shell.remote-access",
                0.6,
                Some("rsync"),
                format!("`{shown}` copies files to or from another host"),
            );
        }
        let deletes = c
            .args()
            .iter()
            .any(|a| a.text.starts_with("--delete") || a.text == "--remove-source-files");
        if let Some(dest) = ops.last().filter(|_| ops.len() >= 2) {
            let loc = resolve(dest, cwd);
            if deletes && let Some(Danger::Deny(what)) = self.danger(&loc) {
                self.deny(
                    "shell.destructive",
                    format!("`{shown}` would delete files in {what}"),
                );
            }
            self.check_write(c, dest, cwd);
        }
    }
}

/// A directory programs are looked up in, or a file in one: its last or
/// second-to-last component is `bin` or `sbin` (`/usr/local/bin`,
/// `~/.local/bin/x`, `/opt/tool/bin`).
fn on_path(v: &[String]) -> bool {
    v.iter().rev().take(2).any(|d| d == "bin" || d == "sbin")
}

/// A log file: one named `*.log`, or anything in a `log` or `logs`
/// directory (`/var/log/app/deploy.log`).
fn log_file(v: &[String]) -> bool {
    v.last().is_some_and(|f| f.ends_with(".log"))
        || v.iter().rev().skip(1).any(|d| d == "log" || d == "logs")
}

/// Commands every session runs, which a file of the same name earlier on
/// the PATH would stand in for.
const SYSTEM_COMMANDS: &[&str] = &[
    "ls", "cat", "cp", "mv", "rm", "ln", "chmod", "chown", "sudo", "su", "doas", "ssh", "scp",
    "git", "bash", "sh", "zsh", "env", "python", "python3", "node", "npm", "npx", "pip", "pip3",
    "curl", "wget", "ps", "kill", "grep", "sed", "awk", "find", "tar", "make", "id", "whoami",
    "passwd", "login", "which", "cargo", "go", "docker", "kubectl", "gpg", "openssl",
];

/// A file named like a system command in a directory on the PATH.
fn shadows_command(v: &[String]) -> bool {
    v.len() >= 2
        && matches!(v[v.len() - 2].as_str(), "bin" | "sbin")
        && SYSTEM_COMMANDS.contains(&v[v.len() - 1].as_str())
}

/// Whether a word holds an unquoted glob (`*`, `?`, `[`).
fn globbed(w: &Word) -> bool {
    w.dynamic_spans()
        .any(|s| w.text[s].contains(['*', '?', '[']))
}

/// Whether a word's last component is a glob of every name (`~/.ssh/*`).
fn every_name(w: &Word) -> bool {
    let last = w.text.rsplit('/').next().unwrap_or("");
    last.contains(['*', '?']) && last.chars().all(|c| matches!(c, '*' | '?' | '.')) && globbed(w)
}

/// Whether a path is a repository's history: its `.git` directory, or the
/// objects or refs in it (`.git/objects`).
fn holds_history(v: &[String]) -> bool {
    match v {
        [.., last] if last == ".git" => true,
        [.., git, what] => git == ".git" && matches!(what.as_str(), "objects" | "refs"),
        _ => false,
    }
}
