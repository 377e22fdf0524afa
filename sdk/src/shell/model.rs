//! The parse result: the public data types of a parsed command line
//! ([`CommandLine`], [`Command`], [`Redirect`], ...; its words are
//! `word.rs`'s), their queries and their shell-like display, and
//! [`basename`] and [`without_exe`], shared with the policies.

use std::fmt;

pub(super) use super::word::join_words;
pub use super::word::{Word, quote, requote};

/// A parsed command line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommandLine {
    /// Every command found anywhere in the line, in the order they start in
    /// the text: a command comes before the commands nested in it (so
    /// `parent < index` always holds). Indices into this list are how
    /// commands refer to one another.
    pub commands: Vec<Command>,
    /// Every pipeline, each a list of indices into `commands`. A command not
    /// piped to or from anything is a pipeline of one.
    pub pipelines: Vec<Pipeline>,
    /// What could not be parsed; empty for a complete parse.
    pub issues: Vec<Issue>,
    /// The `while` and `until` loops, and `for`/`select` loops, by the
    /// commands they hold.
    pub loops: Vec<Loop>,
}

/// A loop: the commands of its header (a `while`/`until` condition, or
/// the `for`/`select` command) and of its body, as ranges of indices into
/// [`CommandLine::commands`] (the body's includes the commands nested in
/// them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Loop {
    pub header: std::ops::Range<usize>,
    pub body: std::ops::Range<usize>,
    /// An `until` loop: it runs while its condition fails.
    pub until: bool,
}

/// One command: a simple command (`argv`, redirects, assignments), or a
/// placeholder for a compound command (see [`CommandKind`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub kind: CommandKind,
    /// The basename of `argv[0]` (`/bin/rm` → `rm`, Windows' `curl.exe` →
    /// `curl`), or its raw text when it
    /// depends on an expansion (see `program_dynamic`); empty when there is
    /// no `argv` (assignments or redirects only, compound placeholders).
    pub program: String,
    /// The program's name is only known at run time (`$(echo rm)`, `$CMD`,
    /// `r*`): a policy cannot know what runs.
    pub program_dynamic: bool,
    /// The words of the command after wrappers were stripped: `argv[0]` is
    /// the program as written.
    pub argv: Vec<Word>,
    /// Wrappers stripped from the front, outermost first (`sudo nice -n 5
    /// rm` → `sudo`, `nice`).
    pub wrappers: Vec<Wrapper>,
    /// `NAME=value` words before the program (and those given to `env` or
    /// `sudo`).
    pub assignments: Vec<Assignment>,
    pub redirects: Vec<Redirect>,
    /// Its standard input is a pipe from another command of this line (or it
    /// sits first in a subshell, group, `sh -c` string or `eval` whose input
    /// is).
    pub piped_in: bool,
    /// Its standard output goes into a pipe to another command of this line.
    pub piped_out: bool,
    /// Its pipeline is run in the background (`&`).
    pub background: bool,
    /// Nesting depth: 0 at top level, one more inside each substitution,
    /// subshell, group, `sh -c` string, function body, `case` arm, ...
    pub depth: usize,
    /// The command this one is nested in.
    pub parent: Option<usize>,
    /// How it is nested in its parent.
    pub origin: Origin,
    /// Index of its pipeline in [`CommandLine::pipelines`].
    pub pipeline: usize,
}

/// What a [`Command`] stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandKind {
    /// A simple command: program, arguments, redirects.
    Simple,
    /// `( … )`; the commands inside have it as parent.
    Subshell,
    /// `{ …; }`; the commands inside have it as parent.
    Group,
    /// `(( … ))`; substitutions inside have it as parent.
    Arithmetic,
    /// `name() body` or `function name body`; the body has it as parent.
    Function { name: String },
}

/// How a command is nested in its parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Origin {
    /// Not nested.
    TopLevel,
    /// Inside `( … )`.
    Subshell,
    /// Inside `{ …; }`.
    Group,
    /// Inside `$( … )` or backquotes (also in `${…}`, `$((…))`,
    /// here-documents).
    CommandSubstitution,
    /// Inside `<( … )` or `>( … )`.
    ProcessSubstitution,
    /// The string of `sh -c`, `bash -c`, `su -c`, `watch`, `env -S`,
    /// `sudo -s`, ...
    ShellString,
    /// The arguments of `eval`, joined.
    Eval,
    /// The command of `find -exec … ;` / `-execdir` / `-ok` / `-okdir`, or
    /// of `fd -x …` / `-X`: `{}` in it stands for a path the walk found.
    FindExec,
    /// The body of a function definition, an alias's value or
    /// `PROMPT_COMMAND`'s (runs only when called, or at the next prompt).
    FunctionBody,
    /// A `case` arm.
    CaseArm,
}

/// A pipeline: commands whose output feeds the next one's input.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pipeline {
    /// Indices into [`CommandLine::commands`], in pipe order.
    pub commands: Vec<usize>,
    /// Run in the background (`&`).
    pub background: bool,
}

/// A wrapper command stripped to find the real program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wrapper {
    /// Its basename: `sudo`, `env`, `timeout`, ...
    pub program: String,
    /// Its own options and operands (`-u root`, `30s`), not the command.
    pub args: Vec<Word>,
    /// Its options as it reads them, each as spelled (`-u`, `--user`, one
    /// entry per letter of a cluster: `-vi` is `-v` and `-i`; env's `-`)
    /// with the value it takes, if any (`-uHOME`, `--unset=HOME`, `-u
    /// HOME` all give `-u`/`--unset` the value `HOME`).
    pub options: Vec<(String, Option<Word>)>,
    /// Its operands before the command (`timeout 30s`, `gosu app`).
    pub operands: Vec<Word>,
}

impl Wrapper {
    /// Whether it was given any of the options `names` (`["-i", "-",
    /// "--ignore-environment"]`).
    pub fn has_option(&self, names: &[&str]) -> bool {
        self.options
            .iter()
            .any(|(n, _)| names.contains(&n.as_str()))
    }

    /// The values it was given for any of the options `names` (`["-u",
    /// "--unset"]`), in order.
    pub fn option_values<'a>(&'a self, names: &'a [&'a str]) -> impl Iterator<Item = &'a Word> {
        self.options
            .iter()
            .filter(|(n, _)| names.contains(&n.as_str()))
            .filter_map(|(_, v)| v.as_ref())
    }
}

/// `NAME=value` (or `NAME+=value`) before a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub name: String,
    pub value: Word,
    /// `+=`.
    pub append: bool,
}

/// The values a command gives a shell variable, as written: see
/// [`Command::assigned`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assigned {
    pub name: String,
    /// One value, or a `for` loop's words.
    pub values: Vec<Word>,
    /// `NAME+=value`: the value is added to what the variable held.
    pub append: bool,
}

/// A redirection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    /// The file descriptor written before the operator (`2>`), if any.
    pub fd: Option<u32>,
    pub op: RedirectOp,
    /// The file (or descriptor for `>&N`, delimiter for `<<`, string for
    /// `<<<`).
    pub target: Word,
    /// A here-document's body (`<<` / `<<-`), once read.
    pub here_doc: Option<String>,
}

/// A redirection operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RedirectOp {
    /// `<`
    Read,
    /// `>`
    Write,
    /// `>>`
    Append,
    /// `>|`
    Clobber,
    /// `<>`
    ReadWrite,
    /// `&>` or `>&file`: stdout and stderr to a file.
    WriteAll,
    /// `&>>`
    AppendAll,
    /// `>&N`, `>&-`: duplicate or close an output descriptor.
    DupOut,
    /// `<&N`, `<&-`
    DupIn,
    /// `<<` or `<<-`
    HereDoc,
    /// `<<<`
    HereString,
}

impl RedirectOp {
    /// Whether the redirect creates, truncates or appends to its target file.
    pub fn writes_file(self) -> bool {
        matches!(
            self,
            RedirectOp::Write
                | RedirectOp::Append
                | RedirectOp::Clobber
                | RedirectOp::ReadWrite
                | RedirectOp::WriteAll
                | RedirectOp::AppendAll
        )
    }
}

/// Why a parse is not complete. See [`CommandLine::is_complete`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Issue {
    /// A `'`, `"`, `$'` or backquote is not closed.
    UnclosedQuote,
    /// A `$(`, `${`, `$((`, `<(` or `>(` is not closed.
    UnclosedSubstitution,
    /// A `(`, `{`, `[[`, `case` or array is not closed.
    UnclosedGroup,
    /// An operator or keyword where a command was expected (`| x`, `a ;; b`,
    /// a stray `)`).
    UnexpectedToken,
    /// Nesting deeper than [`MAX_DEPTH`](super::MAX_DEPTH); the deeper part was skipped.
    TooDeep,
    /// Longer than [`MAX_LEN`](super::MAX_LEN), or more than
    /// [`MAX_COMMANDS`](super::MAX_COMMANDS) commands or
    /// [`MAX_WORDS`](super::MAX_WORDS) words; the rest was skipped.
    TooLarge,
    /// A NUL byte, which no shell command line contains.
    NulByte,
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Issue::UnclosedQuote => "a quote or backquote is not closed",
            Issue::UnclosedSubstitution => "a `$(`, `${`, `$((`, `<(` or `>(` is not closed",
            Issue::UnclosedGroup => "a `(`, `{`, `[[` or `case` is not closed",
            Issue::UnexpectedToken => "an operator appears where a command was expected",
            Issue::TooDeep => "it is nested too deeply to analyse",
            Issue::TooLarge => "it is too large to analyse in full",
            Issue::NulByte => "it contains a NUL byte",
        })
    }
}

impl CommandLine {
    /// Whether the whole line was understood (no [`issues`](Self::issues)).
    /// A policy should treat an incomplete parse as suspicious.
    pub fn is_complete(&self) -> bool {
        self.issues.is_empty()
    }

    /// The programs of all simple commands, anywhere in the line.
    pub fn programs(&self) -> impl Iterator<Item = &str> {
        self.commands
            .iter()
            .filter(|c| c.kind == CommandKind::Simple && !c.argv.is_empty())
            .map(|c| c.program.as_str())
    }
}

impl Command {
    /// The variables this command sets for the commands after it, with
    /// their values as written: `NAME=value` alone on its command, `export`
    /// (`local`, `declare`, `typeset`, `readonly`) `NAME=value`, and a `for
    /// NAME in WORDS` loop's words. An assignment before a program sets the
    /// variable for that program only, and is not listed.
    pub fn assigned(&self) -> Vec<Assigned> {
        if self.argv.is_empty() {
            return self
                .assignments
                .iter()
                .map(|a| Assigned {
                    name: a.name.clone(),
                    values: vec![a.value.clone()],
                    append: a.append,
                })
                .collect();
        }
        if !self.program_dynamic
            && matches!(
                self.program.as_str(),
                "export" | "local" | "declare" | "typeset" | "readonly"
            )
        {
            return self
                .args()
                .iter()
                .filter_map(|w| {
                    let eq = w.text.find('=').filter(|&eq| eq > 0)?;
                    let name = &w.text[..eq];
                    name.chars()
                        .all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
                        .then(|| Assigned {
                            name: name.to_string(),
                            values: vec![w.tail(eq + 1)],
                            append: false,
                        })
                })
                .collect();
        }
        match self.argv.as_slice() {
            [kw, name, word_in, values @ ..]
                if kw.text == "for" && !kw.quoted && word_in.text == "in" =>
            {
                vec![Assigned {
                    name: name.text.clone(),
                    values: values.to_vec(),
                    append: false,
                }]
            }
            _ => Vec::new(),
        }
    }

    /// The arguments after the program (`argv[1..]`).
    pub fn args(&self) -> &[Word] {
        self.argv.get(1..).unwrap_or(&[])
    }

    /// Whether a wrapper of that (basename) was stripped.
    pub fn has_wrapper(&self, program: &str) -> bool {
        self.wrappers.iter().any(|w| w.program == program)
    }

    /// Whether a short option cluster before `--` contains `flag`
    /// (`rm -rf` has `r` and `f`). Syntactic: it cannot tell an option's
    /// value from a flag.
    pub fn has_flag(&self, flag: char) -> bool {
        self.options()
            .any(|a| !a.starts_with("--") && a[1..].contains(flag))
    }

    /// Whether `--name` or `--name=…` appears before `--`.
    pub fn has_long(&self, name: &str) -> bool {
        self.options().any(|a| {
            a.strip_prefix("--").is_some_and(|rest| {
                rest == name || rest.strip_prefix(name).is_some_and(|v| v.starts_with('='))
            })
        })
    }

    /// The arguments that are not options: those not starting with `-`
    /// (`-` itself is an operand) and everything after `--`.
    pub fn operands(&self) -> impl Iterator<Item = &Word> {
        let mut after = false;
        self.args().iter().filter(move |w| {
            if after {
                return true;
            }
            if w.text == "--" {
                after = true;
                return false;
            }
            !(w.text.starts_with('-') && w.text.len() > 1)
        })
    }

    fn options(&self) -> impl Iterator<Item = &str> {
        self.args()
            .iter()
            .map(|w| w.text.as_str())
            .take_while(|a| *a != "--")
            .filter(|a| a.starts_with('-') && a.len() > 1)
    }
}

impl fmt::Display for Command {
    /// The command as a shell would read it back (wrappers included,
    /// nested commands elided): for messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        for w in &self.wrappers {
            parts.push(w.program.clone());
            parts.extend(w.args.iter().map(|a| a.to_string()));
        }
        for a in &self.assignments {
            parts.push(format!(
                "{}{}={}",
                a.name,
                if a.append { "+" } else { "" },
                a.value
            ));
        }
        match &self.kind {
            CommandKind::Simple => parts.extend(self.argv.iter().map(|a| a.to_string())),
            CommandKind::Subshell => parts.push("( … )".into()),
            CommandKind::Group => parts.push("{ …; }".into()),
            CommandKind::Arithmetic => parts.push("(( … ))".into()),
            CommandKind::Function { name } => parts.push(format!("{name}() {{ …; }}")),
        }
        for r in &self.redirects {
            let op = match r.op {
                RedirectOp::Read => "<",
                RedirectOp::Write => ">",
                RedirectOp::Append => ">>",
                RedirectOp::Clobber => ">|",
                RedirectOp::ReadWrite => "<>",
                RedirectOp::WriteAll => "&>",
                RedirectOp::AppendAll => "&>>",
                RedirectOp::DupOut => ">&",
                RedirectOp::DupIn => "<&",
                RedirectOp::HereDoc => "<<",
                RedirectOp::HereString => "<<<",
            };
            let fd = r.fd.map(|d| d.to_string()).unwrap_or_default();
            parts.push(format!("{fd}{op}{}", r.target));
        }
        f.write_str(&parts.join(" "))
    }
}

/// The part of a path after its last `/`.
pub fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// A program's name without Windows' `.exe` (in any case): `pwsh.EXE` →
/// `pwsh`; other names as they are. Borrows, so that the tests run on every
/// command allocate nothing.
///
/// ```
/// use clawlaw_sdk::shell::without_exe;
/// assert_eq!(without_exe("pwsh.EXE"), "pwsh");
/// assert_eq!(without_exe("schtasks"), "schtasks");
/// assert_eq!(without_exe(".exe"), ".exe");
/// ```
pub fn without_exe(program: &str) -> &str {
    let n = program.len();
    match program.get(n.saturating_sub(4)..) {
        Some(ext) if n > 4 && ext.eq_ignore_ascii_case(".exe") => &program[..n - 4],
        _ => program,
    }
}

/// Whether `b` is a shell variable name (`+` allowed at the end, for
/// `NAME+=value`).
pub(super) fn is_name(b: &[u8]) -> bool {
    let b = b.strip_suffix(b"+").unwrap_or(b);
    !b.is_empty()
        && (b[0].is_ascii_alphabetic() || b[0] == b'_')
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
}
