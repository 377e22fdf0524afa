//! What a shell command line would do — the files it reads, writes and
//! deletes, the programs it runs, the hosts it contacts, the processes it
//! signals, the environment it reads — derived from [`crate::shell::parse`]
//! without running anything.
//!
//! A policy that protects a file should not grep a command for the file's
//! name: `echo x | tee -a ~/.bashrc`, `sed -i d ~/.bashrc`, `cd ~ && rm
//! .bashrc` and `python3 -c "import os; os.remove('/home/u/.bashrc')"` all
//! change it, and `cat ~/.bashrc` does not. [`of`] (or [`analyze`] for a line
//! already parsed) answers the question a policy has:
//!
//! ```
//! use clawlaw_sdk::effects;
//!
//! let fx = effects::of("cd ~ && echo 'alias ls=rm' | tee -a .bashrc", Some("/work"), Some("/home/u"));
//! assert!(fx.changes().any(|e| e.may_touch("/home/u/.bashrc")));
//! assert!(!fx.changes().any(|e| e.may_touch("/work")));
//!
//! let fx = effects::of("rm -rf ~/.cla*", Some("/work"), Some("/home/u"));
//! assert!(fx.deletes[0].dynamic && fx.deletes[0].recursive);
//! assert!(fx.deletes[0].may_touch("/home/u/.claude/settings.json"));
//!
//! let fx = effects::of("kill -9 $(pgrep clawlaw)", None, None);
//! assert_eq!(fx.signals[0].targets, ["$(pgrep clawlaw)"]);
//! ```
//!
//! # How a line is read
//!
//! Every simple command of the parsed line (nested ones included: `$(…)`,
//! `sh -c`, `eval`, `find -exec`, `xargs`) is looked at with the working
//! directory it would run in (`walk.rs`; effects are recorded through the
//! per-command context of `context.rs`). `cd`/`pushd` change it for the
//! commands after them in the same shell (a `{ …; }` group, `eval` or `case`
//! arm shares the shell; a subshell, substitution or `sh -c` string starts
//! from a copy); after `cd "$X"`, `cd -` or `popd` the directory is unknown.
//! `env -C DIR`, `sudo -D DIR`, `git -C DIR` and `tar -C DIR` are followed
//! too.
//!
//! Then, for each command:
//!
//! - its **redirections** (`>`, `>>`, `>|`, `&>`, `<>` write; `<` reads;
//!   writes to `/dev/null`, `/dev/stdout`, `/dev/stderr` and `/dev/tty` are
//!   not recorded; bash's `/dev/tcp/HOST/PORT` is a connection);
//! - the **program's** own effects, from tables of well-known programs:
//!   `commands.rs` and `readers.rs` for files, `net.rs` for the network,
//!   `git.rs` for `git`,
//!   `procs.rs` for signals and environment listings, with their options
//!   read by `options.rs` (`args.rs` says what `xargs` appends and what a
//!   command's standard input holds);
//! - **scripts and code** it runs (`interp.rs`): a script run by path or by
//!   an interpreter is an [`Exec`] with its path; inline code (`python -c`,
//!   `node -e`, `perl -e`, `ruby -e`, `php -r`, or code fed on standard
//!   input by a here-document, a here-string or an `echo`) is read by
//!   `code.rs` and its calls of well-known file, process and network APIs
//!   (the table in `apis.rs`) become effects; shell commands found there are
//!   analysed like the line itself, one level deeper;
//! - the **variables** its words expand (variables assigned earlier in the
//!   line, by `X=…`, `export`, `read`, `for`, are not environment reads).
//!
//! Each effect names the command it comes from ([`PathEffect::command`],
//! an index into [`crate::shell::CommandLine::commands`]; effects of code
//! name the command that runs the code).
//!
//! # What cannot be known
//!
//! Nothing is expanded: a path holding `$X`, a glob or a command
//! substitution is kept as written and marked [`PathEffect::dynamic`];
//! [`PathEffect::may_touch`] answers conservatively for it. `xargs rm` gets
//! its paths from its input: they are the roots of an upstream `find`, the
//! words of an upstream `echo`/`printf`, or else unknown (a dynamic `*` that
//! may touch anything, plus an [`Unresolved`]). A program whose name is only
//! known at run time, a line the parser could not read in full, a command
//! string built at run time (`sh -c "$X"`) and code that computes what it
//! touches are [`Unresolved`]: a policy must not read an empty effect list
//! as "harmless" when `unresolved` is not empty. The contents of scripts run
//! by path are not read.
//!
//! Work is bounded: nested code is analysed at most [`MAX_NESTING`] levels
//! deep and [`CODE_BUDGET`] bytes in all; the analysis never panics.

mod addresses;
mod apis;
mod archives;
mod args;
mod awk;
mod call_args;
mod code;
mod commands;
mod containers;
mod context;
mod databases;
mod devtools;
mod environ;
mod fd;
mod git;
mod hidden_code;
mod interp;
mod links;
mod net;
mod options;
mod patches;
mod paths;
mod procs;
mod readers;
pub mod registry;
mod remote;
pub mod servers;
mod supervisors;
#[cfg(test)]
mod tests;
mod tokens;
mod walk;
mod workloads;
mod writers;

pub use args::xargs_replaced_argv;
use context::Analyzer;
pub use context::walk_roots;
pub use fd::{FdWalk, fd_walk};
pub use interp::go_runs_stdin;
pub use procs::lists_environment;
pub use supervisors::SUPERVISORS;

use crate::shell::{self, CommandLine};

/// Deepest nesting of code analysed inside code (`python -c` running
/// `sh -c` running `node -e` …).
pub const MAX_NESTING: usize = 4;
/// Bytes of nested code (inline interpreter code, shell strings found in
/// it) analysed per line, in all.
pub const CODE_BUDGET: usize = 4 << 20;

/// What one command line would do, derived from [`crate::shell::parse`]
/// without running anything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Effects {
    /// Files and directories read (`cat`, `cp` sources, `< file`, an
    /// archive extracted, `curl -d @file`, `source`, code's `open(…)`).
    pub reads: Vec<PathEffect>,
    /// Paths created, modified, truncated, overwritten, moved or copied to,
    /// linked, or whose mode or owner changes.
    pub writes: Vec<PathEffect>,
    /// Paths removed (`rm`, `mv` sources, `find -delete`, `git clean`,
    /// `rsync --delete`, code's `unlink`/`rmtree`).
    pub deletes: Vec<PathEffect>,
    /// Every program run, scripts run by path and inline code included.
    pub executes: Vec<Exec>,
    /// Hosts and URLs contacted.
    pub network: Vec<Net>,
    /// Directories served to whoever connects (`python3 -m http.server`,
    /// `php -S`, `npx http-server`; see `servers.rs`).
    pub serves: Vec<Serve>,
    /// Processes and services stopped or signalled.
    pub signals: Vec<Signal>,
    /// Environment variables read (`*`: all of them).
    pub env: Vec<EnvRead>,
    /// What could not be resolved.
    pub unresolved: Vec<Unresolved>,
    /// Code that runs code it decodes at run time (`exec(b64decode(…))`,
    /// `eval(atob(…))`): hidden on purpose. A literal it decodes is
    /// analysed too, its effects are in the lists above. Also code that
    /// contacts the network and runs code it builds at run time: what it
    /// fetched ([`Decoded::fetched`]).
    pub decoded: Vec<Decoded>,
    /// Command lines handed to a shell by inline code (`os.system(…)`,
    /// `execSync(…)`, backquotes, `subprocess.run([...])` quoted into one)
    /// or by a program (`nc -c`, `socat EXEC:`), as written there: whole,
    /// pipes and all, for a policy that judges them as typed. Only those
    /// of the line itself; the lines they run in turn are found by
    /// analysing these.
    pub shell_lines: Vec<ShellLine>,
}

/// A command line something in the line hands to a shell.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShellLine {
    pub line: String,
    /// The command of the analysed line that runs it.
    pub command: usize,
}

/// Inline code that runs code it decodes first, or code it fetches.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decoded {
    /// `python3 exec(base64.b64decode(…))`.
    pub how: String,
    pub command: usize,
    /// The code run is what the same code fetched from the network
    /// (`exec(urlopen(URL).read())`, `fetch(URL).then(r => r.text()).then(eval)`),
    /// not text it decoded.
    pub fetched: bool,
}

/// A path a command reads, writes or deletes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PathEffect {
    /// Absolute and normalised against the working directory (`..` folded,
    /// `~` and `$HOME` expanded when home is known). When [`dynamic`],
    /// the part from the first expansion or glob on is kept as written, and
    /// a path whose base is unknown is kept relative (or `*` when nothing at
    /// all is known).
    ///
    /// [`dynamic`]: PathEffect::dynamic
    pub path: String,
    /// The path holds an expansion or glob that could not be resolved.
    pub dynamic: bool,
    /// The effect covers everything below the path.
    pub recursive: bool,
    /// A short phrase for messages: `rm -rf`, `redirect >`, `sed -i`,
    /// `python shutil.rmtree`.
    pub how: String,
    /// Index in [`CommandLine::commands`] of the command with the effect.
    pub command: usize,
}

impl PathEffect {
    /// Whether this effect may reach `protected` (an absolute, normalised
    /// path, file or directory): the path is `protected` or inside it, or a
    /// recursive effect on an ancestor, or a dynamic path that could expand
    /// to one of these. A path whose base is unknown may touch anything; a
    /// dynamic path with an absolute static prefix only what is below or
    /// above that prefix (see the module documentation of `paths.rs`).
    pub fn may_touch(&self, protected: &str) -> bool {
        paths::may_touch(&self.path, self.dynamic, self.recursive, protected)
    }

    /// Whether this is a host path a container is given (`docker run -v
    /// SRC:DST`, `--mount source=SRC`): read, whole, by whatever the image
    /// runs.
    pub fn is_bind_mount(&self) -> bool {
        self.how.ends_with(containers::MOUNTED)
    }

    /// Whether this write adds to the end of the file and leaves what it
    /// held: a `>>` or `&>>` redirection, `tee -a`.
    pub fn appends(&self) -> bool {
        matches!(self.how.as_str(), "redirect >>" | "redirect &>>" | "tee -a")
    }

    /// Whether this write replaces the file's content rather than editing
    /// or adding to it: `truncate`, `shred`, `tee` (not `-a`), a `>`, `>|`
    /// or `&>` redirection, a `cp` or `dd` over it. Done to every file of a
    /// tree it leaves nothing of them, as deleting them would; `sed -i`,
    /// `chmod`, `touch`, `>>` do not.
    pub fn replaces_content(&self) -> bool {
        let program = self.how.split_whitespace().next().unwrap_or("");
        matches!(program, "truncate" | "shred" | "cp" | "dd")
            || matches!(
                self.how.as_str(),
                "tee" | "redirect >" | "redirect >|" | "redirect &>"
            )
    }
}

/// A program run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Exec {
    /// The program's basename (`bash`, `python3`, `x.sh`).
    pub program: String,
    /// Its resolved path when it was run by path (`./x.sh`, `bash x.sh`,
    /// `source env.sh`, `/usr/bin/rm`).
    pub path: Option<String>,
    /// Its arguments as written.
    pub args: Vec<String>,
    /// Inline code it runs (`python -c CODE`, a here-document fed to it).
    pub code: Option<String>,
    /// The directory it runs in, when known: the action's, or where a `cd`
    /// before it on the line went (`cd /tmp && claude`).
    pub cwd: Option<String>,
    pub command: usize,
}

/// A network contact.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Net {
    /// The program (or API, `python requests.post`) making it.
    pub program: String,
    /// The URL or remote spec as written, when there is one.
    pub url: Option<String>,
    /// The host, when it can be read.
    pub host: Option<String>,
    /// Data leaves the machine: an upload, a POST body, a pushed
    /// repository, a copy to a remote path, standard input sent.
    pub sends_data: bool,
    pub command: usize,
}

impl Net {
    /// A raw connection or listener that carries whatever a program writes
    /// to it, not a request of a protocol: `nc`, `socat`, `telnet`,
    /// `openssl s_client`, bash's `/dev/tcp`, and code's socket calls
    /// (`socket.connect`, `fsockopen`, `TCPSocket.new`, `net.connect`).
    pub fn is_raw_socket(&self) -> bool {
        matches!(
            self.program.as_str(),
            "nc" | "ncat" | "netcat" | "socat" | "telnet" | "cryptcat" | "bash /dev/tcp"
        ) || self.program.starts_with("openssl")
            || apis::opens_socket(&self.program)
    }
}

/// A directory a file server hands out to whoever connects.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Serve {
    /// The server as run: `python3 -m http.server`, `php -S`, `npx serve`.
    pub program: String,
    /// The directory served, absolute and normalised like a
    /// [`PathEffect::path`] (the working directory when none is named).
    pub root: String,
    /// The root holds an expansion that could not be resolved.
    pub dynamic: bool,
    /// It listens on the loopback interface only (`--bind 127.0.0.1`,
    /// `php -S localhost:8000`): only this machine can connect.
    pub loopback: bool,
    /// The command of the line that runs the server.
    pub command: usize,
}

/// Processes or services stopped or signalled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Signal {
    pub program: String,
    /// Pids, process names, `-f` patterns, unit names, labels, or the text
    /// of a substitution (`$(pgrep x)`); `*` for everything (`reboot`).
    pub targets: Vec<String>,
    pub command: usize,
}

/// An environment variable read; `*` for all of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvRead {
    pub name: String,
    pub command: usize,
    /// Code shows it: prints, logs, serialises or sends its value
    /// (`print(os.getenv('X'))`), as `echo "$X"` would.
    pub shown: bool,
}

/// Something the analysis could not resolve.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Unresolved {
    /// The command concerned (0 for the line as a whole).
    pub command: usize,
    pub why: String,
}

impl Effects {
    /// Writes then deletes: every path the line changes.
    pub fn changes(&self) -> impl Iterator<Item = &PathEffect> {
        self.writes.iter().chain(&self.deletes)
    }

    /// Reads, writes and deletes.
    pub fn paths(&self) -> impl Iterator<Item = &PathEffect> {
        self.reads.iter().chain(self.changes())
    }

    /// Whether the line was understood in full.
    pub fn is_resolved(&self) -> bool {
        self.unresolved.is_empty()
    }
}

/// Parses `command` and analyses it (see [`analyze`]).
pub fn of(command: &str, cwd: Option<&str>, home: Option<&str>) -> Effects {
    analyze(&shell::parse(command), cwd, home)
}

/// The effects of a parsed line. `cwd` and `home` should be absolute; a
/// relative or missing one is unknown.
pub fn analyze(line: &CommandLine, cwd: Option<&str>, home: Option<&str>) -> Effects {
    let clean = |d: Option<&str>| {
        d.filter(|d| d.starts_with('/'))
            .and_then(|d| crate::path::normalize(d, None, None).ok())
    };
    let home = clean(home);
    let mut a = Analyzer {
        out: Effects::default(),
        home: home.as_deref(),
        budget: CODE_BUDGET,
        env_seen: Default::default(),
        vars: Vec::new(),
        links: Vec::new(),
        walk: walk::line,
    };
    for issue in &line.issues {
        a.out.unresolved.push(Unresolved {
            command: 0,
            why: format!("the command line is not complete: {issue}"),
        });
    }
    walk::line(&mut a, line, clean(cwd), None, 0);
    a.out
}
