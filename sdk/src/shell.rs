//! Shell command lines, parsed the way a shell would read them, so a policy
//! judges what would *run* instead of grepping text.
//!
//! [`parse`] reads a POSIX/bash command line without expanding or running
//! anything and returns a [`CommandLine`]: every simple command found anywhere
//! in the line, flattened into one list ([`CommandLine::commands`]), and the
//! pipelines that connect them ([`CommandLine::pipelines`]).
//!
//! ```
//! use clawlaw_sdk::shell;
//!
//! let line = shell::parse("cd /tmp && curl -fsSL https://x.example/i.sh | sudo bash");
//! let bash = line.commands.iter().find(|c| c.program == "bash").unwrap();
//! assert!(bash.piped_in);
//! assert!(bash.has_wrapper("sudo"));
//! let upstream = line.upstream(line.commands.iter().position(|c| c.program == "bash").unwrap());
//! assert!(upstream.iter().any(|&i| line.commands[i].program == "curl"));
//! assert!(line.is_complete());
//! ```
//!
//! # What is understood
//!
//! - **Words**: single quotes, double quotes (with `\$ \` \" \\` escapes),
//!   backslash escapes and line continuations, `$'…'` ANSI-C strings (decoded:
//!   `$'\x72\x6d'` is `rm`), `$"…"`. A [`Word`]'s `text` is the word after
//!   quote removal; expansions (`$VAR`, `${…}`, `$(…)`, backquotes, `$((…))`),
//!   unquoted globs (`* ? [`), brace lists (`{a,b}`) and a leading `~` are
//!   kept as written and marked as *dynamic* spans of the text
//!   ([`Word::is_dynamic`], [`Word::dynamic_spans`]).
//! - **Control operators** `;` `&&` `||` `|` `|&` `&` and newlines; `|&` is
//!   recorded as an implicit `2>&1` redirect. Comments (`# …`) are skipped.
//! - **Redirections** (`<` `>` `>>` `>|` `<>` `&>` `&>>` `N>&M` `<&` `<<`
//!   `<<-` `<<<`) go to [`Command::redirects`], never into `argv`; here-document
//!   bodies are captured in [`Redirect::here_doc`] (and analysed for
//!   substitutions when the delimiter is unquoted).
//! - **Assignments** before the program (`FOO=bar cmd`, also those given to
//!   `env` and `sudo`) go to [`Command::assignments`].
//! - **Nesting**: command substitutions `$(…)` and backquotes, process
//!   substitutions `<(…)` `>(…)`, subshells `( … )`, brace groups `{ …; }`,
//!   function bodies, `case` arms, the string of `sh|bash|zsh|dash|ksh|… -c`,
//!   `su -c`, `eval`, `watch`, `env -S`, `sudo -s`, and `find -exec … ;` are
//!   all parsed; their commands appear in the flat list with a larger
//!   [`Command::depth`], their [`Command::parent`] and [`Command::origin`].
//!   Compound commands (`( … )`, `{ …; }`, `((…))`, function definitions) are
//!   listed too, as placeholders of the matching [`CommandKind`] carrying the
//!   compound's redirects and pipe position.
//! - **Wrappers**: `sudo`, `doas`, `pkexec`, `env`, `nice`, `nohup`, `time`,
//!   `timeout`, `command`, `builtin`, `exec`, `xargs`, `stdbuf`, `ionice`,
//!   `chroot`, `setsid`, `busybox` and `watch` are unwrapped, options and all:
//!   `argv` starts at the real program, and [`Command::wrappers`] records what
//!   was stripped (a policy needs to know `sudo` was there). `command -v x` is
//!   not unwrapped: it runs nothing.
//! - **Program names** are normalised to their basename ([`Command::program`]:
//!   `/bin/rm`, `\rm`, `"rm"` and `$'\x72m'` are all `rm`). When the basename
//!   depends on an expansion (`$(echo rm)`, `$CMD`, `/bin/r?`) the program is
//!   the raw text and [`Command::program_dynamic`] is set.
//! - Keywords (`if then else elif fi for while until do done case esac
//!   function ! [[ ]]` and `((…))`) are understood enough to find the commands
//!   inside; loop and `if` bodies are listed as ordinary commands.
//!
//! # Incomplete and hostile input
//!
//! Parsing **never fails and never panics**. Input a shell would reject or
//! that cannot be analysed in full — an unclosed quote, `$(`, `(`, `{` or
//! `case`, an operator where a command should be, nesting deeper than
//! [`MAX_DEPTH`], a line longer than [`MAX_LEN`], more than [`MAX_COMMANDS`]
//! commands or [`MAX_WORDS`] words, a NUL byte — is parsed on a best-effort
//! basis and flagged in [`CommandLine::issues`]. A policy must treat
//! `!line.is_complete()` as suspicious: what the shell would do with such a
//! line is not what the parse shows (best-effort still lets it deny
//! `rm -rf / "` for the `rm`). Work is bounded: recursion is limited to
//! [`MAX_DEPTH`] levels, and all nested re-parsing (`sh -c` strings,
//! backquotes, here-documents) shares a budget of a few times [`MAX_LEN`].
//!
//! # What it does not do
//!
//! It expands nothing: variables, globs, aliases, functions' later calls and
//! the contents of files are unknown (`bash script.sh` is one command).
//! Options are recognised syntactically ([`Command::has_flag`],
//! [`Command::operands`]) without knowing which options take a value.
//! Code strings of other languages (`python -c`, `perl -e`) are not parsed.

use std::fmt;
use std::ops::Range;

/// Deepest nesting analysed (substitutions, subshells, groups, `sh -c`
/// strings, `${…}`, `$((…))` all count); deeper input is skipped and flagged
/// [`Issue::TooDeep`].
pub const MAX_DEPTH: usize = 32;
/// Longest command line analysed, in bytes; the rest is ignored and flagged
/// [`Issue::TooLarge`].
pub const MAX_LEN: usize = 1 << 20;
/// Most commands recorded; parsing stops there with [`Issue::TooLarge`].
pub const MAX_COMMANDS: usize = 4096;
/// Most words recorded; parsing stops there with [`Issue::TooLarge`].
pub const MAX_WORDS: usize = 1 << 16;
/// Total bytes that nested re-parsing may read.
const WORK_BUDGET: usize = 4 * MAX_LEN;

/// Parses a command line. Never fails, never panics: see the module
/// documentation for how incomplete input is reported.
pub fn parse(line: &str) -> CommandLine {
    let mut out = Out {
        cl: CommandLine::default(),
        words: 0,
        budget: WORK_BUDGET,
        nest: 0,
        stopped: false,
    };
    let mut src = line;
    if src.len() > MAX_LEN {
        let mut cut = MAX_LEN;
        while !src.is_char_boundary(cut) {
            cut -= 1;
        }
        src = &src[..cut];
        out.issue(Issue::TooLarge);
    }
    if src.contains('\0') {
        out.issue(Issue::NulByte);
    }
    out.budget -= src.len();
    {
        let mut p = Parser::new(src.as_bytes(), &[], &mut out);
        let top = Ctx {
            depth: 0,
            parent: None,
            origin: Origin::TopLevel,
        };
        p.parse_list(top, End::Eof);
    }
    out.finish()
}

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
}

/// One command: a simple command (`argv`, redirects, assignments), or a
/// placeholder for a compound command (see [`CommandKind`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub kind: CommandKind,
    /// The basename of `argv[0]` (`/bin/rm` → `rm`), or its raw text when it
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
    /// The command of `find -exec … ;` / `-execdir` / `-ok` / `-okdir`.
    FindExec,
    /// The body of a function definition (runs only when called).
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

/// One word of a command, after quote removal.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Word {
    /// The word with quotes and escapes removed; expansions and substitutions
    /// kept as written (`"$HOME"/x` → `$HOME/x`).
    pub text: String,
    /// Some part of it was quoted or escaped.
    pub quoted: bool,
    /// Byte ranges of `text` that the shell would expand, sorted, disjoint.
    spans: Vec<(usize, usize)>,
}

/// A wrapper command stripped to find the real program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wrapper {
    /// Its basename: `sudo`, `env`, `timeout`, ...
    pub program: String,
    /// Its own options and operands (`-u root`, `30s`), not the command.
    pub args: Vec<Word>,
}

/// `NAME=value` (or `NAME+=value`) before a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub name: String,
    pub value: Word,
    /// `+=`.
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
    /// Nesting deeper than [`MAX_DEPTH`]; the deeper part was skipped.
    TooDeep,
    /// Longer than [`MAX_LEN`], or more than [`MAX_COMMANDS`] commands or
    /// [`MAX_WORDS`] words; the rest was skipped.
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

    /// The commands `i` is nested in, innermost first.
    pub fn ancestors(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        let mut next = self.commands.get(i).and_then(|c| c.parent);
        std::iter::from_fn(move || {
            let cur = next?;
            next = self.commands.get(cur).and_then(|c| c.parent);
            Some(cur)
        })
    }

    /// Whether command `i` is nested (at any depth) in command `ancestor`.
    pub fn is_within(&self, i: usize, ancestor: usize) -> bool {
        self.ancestors(i).any(|a| a == ancestor)
    }

    /// The commands whose output may reach command `i`'s standard input
    /// through pipes: the commands before it in its pipeline and everything
    /// nested in them, and, when `i` sits in a subshell, group, `sh -c`
    /// string, `eval` or `case` arm, whatever feeds that. `O(commands)`.
    pub fn upstream(&self, i: usize) -> Vec<usize> {
        let n = self.commands.len();
        let mut mark = vec![false; n];
        let mut cur = i;
        while let Some(c) = self.commands.get(cur) {
            if let Some(p) = self.pipelines.get(c.pipeline) {
                for &e in p.commands.iter().take_while(|&&e| e != cur) {
                    mark[e] = true;
                }
            }
            match c.parent {
                Some(p) if inherits_stdio(c.origin) => cur = p,
                _ => break,
            }
        }
        for j in 0..n {
            if !mark[j] && self.commands[j].parent.is_some_and(|p| mark[p]) {
                mark[j] = true;
            }
        }
        (0..n).filter(|&j| mark[j]).collect()
    }

    /// For every command, whether it or a command nested in it matches
    /// `pred`. `O(commands)`.
    pub fn nested_any(&self, pred: impl Fn(&Command) -> bool) -> Vec<bool> {
        let mut any: Vec<bool> = self.commands.iter().map(&pred).collect();
        for j in (0..self.commands.len()).rev() {
            if any[j]
                && let Some(p) = self.commands[j].parent
            {
                any[p] = true;
            }
        }
        any
    }

    /// For every command, whether the output of a command matching `pred`
    /// (or of a command with one nested in it) may reach its standard input
    /// ([`upstream`](Self::upstream) for all commands at once, in
    /// `O(commands)`; a pipeline's later commands also count what feeds its
    /// first, since `cat`/`tee` pass data on).
    pub fn piped_from_any(&self, pred: impl Fn(&Command) -> bool) -> Vec<bool> {
        let sub = self.nested_any(pred);
        let mut res = vec![false; self.commands.len()];
        for p in &self.pipelines {
            let mut acc = false;
            for &e in &p.commands {
                if let Some(r) = res.get_mut(e) {
                    *r = acc;
                }
                acc |= sub.get(e).copied().unwrap_or(false);
            }
        }
        for j in 0..self.commands.len() {
            let c = &self.commands[j];
            if let Some(p) = c.parent
                && inherits_stdio(c.origin)
                && res[p]
            {
                res[j] = true;
            }
        }
        res
    }
}

fn inherits_stdio(origin: Origin) -> bool {
    matches!(
        origin,
        Origin::Subshell | Origin::Group | Origin::ShellString | Origin::Eval | Origin::CaseArm
    )
}

impl Command {
    fn new(ctx: Ctx) -> Command {
        Command {
            kind: CommandKind::Simple,
            program: String::new(),
            program_dynamic: false,
            argv: Vec::new(),
            wrappers: Vec::new(),
            assignments: Vec::new(),
            redirects: Vec::new(),
            piped_in: false,
            piped_out: false,
            background: false,
            depth: ctx.depth,
            parent: ctx.parent,
            origin: ctx.origin,
            pipeline: usize::MAX,
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

impl Word {
    /// An unquoted word with nothing dynamic in it.
    pub fn literal(text: impl Into<String>) -> Word {
        Word {
            text: text.into(),
            quoted: false,
            spans: Vec::new(),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether part of the word is only known at run time: a parameter,
    /// command or arithmetic expansion, an unquoted glob or brace list, a
    /// leading `~`.
    pub fn is_dynamic(&self) -> bool {
        !self.spans.is_empty()
    }

    /// The byte ranges of `text` the shell would expand, in order.
    pub fn dynamic_spans(&self) -> impl Iterator<Item = Range<usize>> + '_ {
        self.spans.iter().map(|&(s, e)| s..e)
    }

    /// The text before the first dynamic part (all of it when none).
    pub fn static_prefix(&self) -> &str {
        match self.spans.first() {
            Some(&(s, _)) => self.text.get(..s).unwrap_or(""),
            None => &self.text,
        }
    }

    /// Unquoted, not dynamic, and equal to `s` (how keywords are recognised).
    fn is_plain(&self, s: &str) -> bool {
        !self.quoted && self.spans.is_empty() && self.text == s
    }

    /// The word from byte `from` on, spans shifted.
    fn tail(&self, from: usize) -> Word {
        Word {
            text: self.text.get(from..).unwrap_or("").to_string(),
            quoted: self.quoted,
            spans: self
                .spans
                .iter()
                .filter(|&&(_, e)| e > from)
                .map(|&(s, e)| (s.saturating_sub(from), e - from))
                .collect(),
        }
    }
}

impl PartialEq<str> for Word {
    fn eq(&self, other: &str) -> bool {
        self.text == other
    }
}

impl PartialEq<&str> for Word {
    fn eq(&self, other: &&str) -> bool {
        self.text == *other
    }
}

impl fmt::Display for Word {
    /// The word as it could be typed back: plain when nothing outside its
    /// expansions needs quoting, else in double quotes when it expands
    /// (`"$HOME/my dir"`) and single quotes when it does not.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inside = |k: usize| self.spans.iter().any(|&(s, e)| s <= k && k < e);
        let needs = self.text.is_empty()
            || self.text.bytes().enumerate().any(|(k, b)| {
                !inside(k)
                    && (b.is_ascii_whitespace()
                        || b"'\"\\;&|<>()`$*?[".contains(&b)
                        || (k == 0 && (b == b'~' || b == b'#')))
            })
            || (self.is_dynamic()
                && !self.text.starts_with("<(")
                && !self.text.starts_with(">(")
                && self.text.bytes().any(|b| b.is_ascii_whitespace()));
        if !needs {
            f.write_str(&self.text)
        } else if self.is_dynamic() {
            write!(
                f,
                "\"{}\"",
                self.text.replace('\\', "\\\\").replace('"', "\\\"")
            )
        } else {
            write!(f, "'{}'", self.text.replace('\'', r"'\''"))
        }
    }
}

/// Joins words with single spaces, as `eval` and `watch` do.
fn join_words(words: &[Word]) -> Word {
    let mut w = Word::default();
    for (k, a) in words.iter().enumerate() {
        if k > 0 {
            w.text.push(' ');
        }
        let off = w.text.len();
        w.spans
            .extend(a.spans.iter().map(|&(s, e)| (s + off, e + off)));
        w.text.push_str(&a.text);
        w.quoted |= a.quoted;
    }
    w
}

/// A word quoted for the shell when it needs to be: as it is when it holds
/// only characters no shell treats specially, else in single quotes (a `'`
/// inside written `'\''`). `parse` reads it back as the same one word.
pub fn quote(word: &str) -> String {
    if !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./=:,+@%".contains(&b))
    {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// The part of a path after its last `/`.
pub fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

// ---------------------------------------------------------------------------
// The parser.

struct Out {
    cl: CommandLine,
    words: usize,
    budget: usize,
    nest: usize,
    stopped: bool,
}

impl Out {
    fn issue(&mut self, issue: Issue) {
        if !self.cl.issues.contains(&issue) {
            self.cl.issues.push(issue);
        }
    }

    fn finish(mut self) -> CommandLine {
        let cl = &mut self.cl;
        for i in 0..cl.commands.len() {
            if cl.commands[i].pipeline >= cl.pipelines.len() {
                cl.commands[i].pipeline = cl.pipelines.len();
                cl.pipelines.push(Pipeline {
                    commands: vec![i],
                    background: false,
                });
            }
        }
        for i in 0..cl.commands.len() {
            let c = &cl.commands[i];
            let Some(p) = c.parent else { continue };
            if !inherits_stdio(c.origin) {
                continue;
            }
            let pl = &cl.pipelines[c.pipeline].commands;
            let first = pl.first() == Some(&i);
            let last = pl.last() == Some(&i);
            let (pin, pout) = (cl.commands[p].piped_in, cl.commands[p].piped_out);
            let c = &mut cl.commands[i];
            c.piped_in |= first && pin;
            c.piped_out |= last && pout;
        }
        self.cl
    }
}

#[derive(Clone, Copy)]
struct Ctx {
    depth: usize,
    parent: Option<usize>,
    origin: Origin,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum End {
    Eof,
    Paren,
    Brace,
    CaseArm,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Semi,
    DSemi,
    SemiAmp,
    DSemiAmp,
    And,
    Amp,
    Or,
    Pipe,
    PipeAmp,
    Newline,
    LParen,
    RParen,
}

struct Heredoc {
    cmd: usize,
    redirect: usize,
    delim: Vec<u8>,
    strip_tabs: bool,
    expand: bool,
}

/// A word being read.
#[derive(Default)]
struct WordBuf {
    bytes: Vec<u8>,
    quoted: bool,
    spans: Vec<(usize, usize)>,
    assign: Option<usize>,
    /// An unquoted `{` (its position) and whether a `,` or `..` followed.
    brace: Option<(usize, bool)>,
}

impl WordBuf {
    /// Marks `start..len` as dynamic.
    fn dynamic(&mut self, start: usize) {
        let end = self.bytes.len();
        self.dynamic_range(start, end);
    }

    fn dynamic_range(&mut self, start: usize, end: usize) {
        if end <= start {
            return;
        }
        match self.spans.last_mut() {
            Some(last) if last.0 <= start && last.1 >= start => last.1 = last.1.max(end),
            _ => self.spans.push((start, end)),
        }
    }

    fn finish(mut self) -> (Word, Option<usize>) {
        self.spans.sort_unstable();
        let mut spans: Vec<(usize, usize)> = Vec::with_capacity(self.spans.len());
        for (s, e) in self.spans {
            match spans.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => spans.push((s, e)),
            }
        }
        let (text, spans) = match String::from_utf8(self.bytes) {
            Ok(t) => (t, spans),
            Err(e) => {
                // Decoded escapes made invalid UTF-8: offsets no longer hold,
                // so the whole word counts as dynamic.
                let t = String::from_utf8_lossy(e.as_bytes()).into_owned();
                let len = t.len();
                (t, vec![(0, len)])
            }
        };
        (
            Word {
                text,
                quoted: self.quoted,
                spans,
            },
            self.assign,
        )
    }
}

fn is_name(b: &[u8]) -> bool {
    let b = b.strip_suffix(b"+").unwrap_or(b);
    !b.is_empty()
        && (b[0].is_ascii_alphabetic() || b[0] == b'_')
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
}

struct Parser<'a, 'o> {
    s: &'a [u8],
    i: usize,
    /// Dynamic spans of the word this source came from: substitutions
    /// starting there were already analysed where the word was read.
    skip: &'a [(usize, usize)],
    heredocs: Vec<Heredoc>,
    /// Cache for [`Parser::bracket_ahead`]: the next `]` or word end.
    bracket: (usize, bool),
    out: &'o mut Out,
}

impl<'a, 'o> Parser<'a, 'o> {
    fn new(s: &'a [u8], skip: &'a [(usize, usize)], out: &'o mut Out) -> Self {
        Parser {
            s,
            i: 0,
            skip,
            heredocs: Vec::new(),
            bracket: (0, false),
            out,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn at(&self, k: usize) -> Option<u8> {
        self.s.get(self.i + k).copied()
    }

    fn starts(&self, pat: &[u8]) -> bool {
        self.s[self.i.min(self.s.len())..].starts_with(pat)
    }

    fn bump(&mut self, n: usize) {
        self.i = (self.i + n).min(self.s.len());
    }

    fn issue(&mut self, issue: Issue) {
        self.out.issue(issue);
    }

    /// Enters one level of recursion; false (and flagged) when too deep.
    fn enter(&mut self) -> bool {
        if self.out.nest >= MAX_DEPTH {
            self.issue(Issue::TooDeep);
            return false;
        }
        self.out.nest += 1;
        true
    }

    fn leave(&mut self) {
        self.out.nest -= 1;
    }

    fn in_skip(&self, pos: usize) -> bool {
        self.skip.iter().any(|&(s, e)| s <= pos && pos < e)
    }

    fn new_command(&mut self, ctx: Ctx) -> Option<usize> {
        if self.out.stopped {
            return None;
        }
        if self.out.cl.commands.len() >= MAX_COMMANDS {
            self.issue(Issue::TooLarge);
            self.out.stopped = true;
            return None;
        }
        self.out.cl.commands.push(Command::new(ctx));
        Some(self.out.cl.commands.len() - 1)
    }

    /// Whether byte `k` ends a keyword.
    fn delimited(&self, k: usize) -> bool {
        match self.s.get(k) {
            None => true,
            Some(c) => matches!(
                c,
                b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b'(' | b')' | b'<' | b'>'
            ),
        }
    }

    /// The unquoted keyword-like word at the cursor, if any.
    fn peek_keyword(&self) -> Option<&'a str> {
        let s: &'a [u8] = self.s;
        let mut k = self.i;
        while k < s.len()
            && (s[k].is_ascii_lowercase() || matches!(s[k], b'!' | b'{' | b'}' | b'[' | b']'))
        {
            k += 1;
        }
        if k == self.i || !self.delimited(k) {
            return None;
        }
        std::str::from_utf8(&s[self.i..k]).ok()
    }

    fn peek_op(&self) -> Option<(Op, usize)> {
        let c = self.peek()?;
        let n = self.at(1);
        Some(match c {
            b'\n' => (Op::Newline, 1),
            b';' => match (n, self.at(2)) {
                (Some(b';'), Some(b'&')) => (Op::DSemiAmp, 3),
                (Some(b';'), _) => (Op::DSemi, 2),
                (Some(b'&'), _) => (Op::SemiAmp, 2),
                _ => (Op::Semi, 1),
            },
            b'&' => match n {
                Some(b'&') => (Op::And, 2),
                Some(b'>') => return None,
                _ => (Op::Amp, 1),
            },
            b'|' => match n {
                Some(b'|') => (Op::Or, 2),
                Some(b'&') => (Op::PipeAmp, 2),
                _ => (Op::Pipe, 1),
            },
            b'(' => (Op::LParen, 1),
            b')' => (Op::RParen, 1),
            _ => return None,
        })
    }

    /// Skips blanks, line continuations and a comment.
    fn skip_blanks(&mut self) {
        loop {
            match self.peek() {
                Some(b' ' | b'\t') => self.i += 1,
                Some(b'\\') if self.at(1) == Some(b'\n') => self.i += 2,
                Some(b'#') => {
                    while let Some(c) = self.peek() {
                        if c == b'\n' {
                            break;
                        }
                        self.i += 1;
                    }
                }
                _ => break,
            }
        }
    }

    /// Skips blanks, comments and newlines (reading pending here-documents).
    fn skip_space_nl(&mut self) {
        loop {
            self.skip_blanks();
            if self.peek() == Some(b'\n') {
                self.newline();
            } else {
                break;
            }
        }
    }

    /// Consumes a newline token and reads the here-documents it starts.
    fn newline(&mut self) {
        self.bump(1);
        if self.heredocs.is_empty() {
            return;
        }
        for h in std::mem::take(&mut self.heredocs) {
            let mut body = Vec::new();
            while self.i < self.s.len() {
                let eol = self.s[self.i..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(self.s.len(), |p| self.i + p);
                let mut line = &self.s[self.i..eol];
                if h.strip_tabs {
                    while let [b'\t', rest @ ..] = line {
                        line = rest;
                    }
                }
                self.i = (eol + 1).min(self.s.len());
                if line == h.delim.as_slice() {
                    break;
                }
                body.extend_from_slice(line);
                body.push(b'\n');
            }
            let text = String::from_utf8_lossy(&body).into_owned();
            if h.expand {
                self.scan_heredoc(&text, h.cmd);
            }
            if let Some(r) = self
                .out
                .cl
                .commands
                .get_mut(h.cmd)
                .and_then(|c| c.redirects.get_mut(h.redirect))
            {
                r.here_doc = Some(text);
            }
        }
    }

    // -- lists, pipelines, commands ------------------------------------------

    /// Parses commands until `end`; returns whether `end` was found.
    fn parse_list(&mut self, ctx: Ctx, end: End) -> bool {
        loop {
            if self.out.stopped {
                self.i = self.s.len();
                return end == End::Eof;
            }
            let start = self.i;
            self.skip_space_nl();
            match self.peek() {
                None => return end == End::Eof,
                Some(b')') => {
                    self.i += 1;
                    if end == End::Paren {
                        return true;
                    }
                    self.issue(Issue::UnexpectedToken);
                    continue;
                }
                Some(b'}') if end == End::Brace && self.delimited(self.i + 1) => {
                    self.i += 1;
                    return true;
                }
                _ => {}
            }
            if end == End::CaseArm {
                match self.peek_op() {
                    Some((Op::DSemi | Op::SemiAmp | Op::DSemiAmp, n)) => {
                        self.bump(n);
                        return true;
                    }
                    _ if self.peek_keyword() == Some("esac") => return true,
                    _ => {}
                }
            }
            let pipeline = self.parse_pipeline(ctx);
            self.skip_blanks();
            match self.peek_op() {
                Some((Op::Amp, n)) => {
                    self.bump(n);
                    if let Some(p) = pipeline {
                        let cl = &mut self.out.cl;
                        cl.pipelines[p].background = true;
                        for &c in &cl.pipelines[p].commands {
                            cl.commands[c].background = true;
                        }
                    }
                }
                Some((Op::Semi | Op::And | Op::Or, n)) => self.bump(n),
                Some((Op::Newline, _)) => self.newline(),
                Some((Op::DSemi | Op::SemiAmp | Op::DSemiAmp, n)) if end != End::CaseArm => {
                    self.issue(Issue::UnexpectedToken);
                    self.bump(n);
                }
                _ => {}
            }
            if self.i == start {
                self.issue(Issue::UnexpectedToken);
                self.bump(1);
            }
        }
    }

    fn parse_pipeline(&mut self, ctx: Ctx) -> Option<usize> {
        let mut elems: Vec<usize> = Vec::new();
        loop {
            if let Some(c) = self.parse_command(ctx) {
                elems.push(c);
            }
            self.skip_blanks();
            let stderr = match self.peek_op() {
                Some((Op::Pipe, _)) => false,
                Some((Op::PipeAmp, _)) => true,
                _ => break,
            };
            self.bump(if stderr { 2 } else { 1 });
            match elems.last() {
                Some(&last) if stderr => self.out.cl.commands[last].redirects.push(Redirect {
                    fd: Some(2),
                    op: RedirectOp::DupOut,
                    target: Word::literal("1"),
                    here_doc: None,
                }),
                Some(_) => {}
                None => self.issue(Issue::UnexpectedToken),
            }
            self.skip_space_nl();
            let dangling = match self.peek() {
                None | Some(b';' | b'|' | b')') => true,
                Some(b'&') => self.at(1) != Some(b'>'),
                _ => false,
            };
            if dangling {
                self.issue(Issue::UnexpectedToken);
                break;
            }
            if self.out.stopped {
                break;
            }
        }
        if elems.is_empty() {
            return None;
        }
        let p = self.out.cl.pipelines.len();
        let n = elems.len();
        for (k, &e) in elems.iter().enumerate() {
            let c = &mut self.out.cl.commands[e];
            c.pipeline = p;
            c.piped_in = k > 0;
            c.piped_out = k + 1 < n;
        }
        self.out.cl.pipelines.push(Pipeline {
            commands: elems,
            background: false,
        });
        Some(p)
    }

    fn parse_command(&mut self, ctx: Ctx) -> Option<usize> {
        self.skip_blanks();
        // A closing keyword stands for its compound command, which may be
        // piped or redirected (`done | sort`, `done < list`).
        let mut closer = false;
        while let Some(kw) = self.peek_keyword() {
            match kw {
                "!" | "if" | "then" | "else" | "elif" | "do" | "while" | "until" | "coproc" => {}
                "fi" | "done" | "esac" => closer = true,
                _ => break,
            }
            self.bump(kw.len());
            self.skip_blanks();
        }
        if self.out.stopped {
            return None;
        }
        let op = self.peek_op();
        if let Some((Op::LParen, _)) = op {
            return self.paren_command(ctx);
        }
        if !closer && (op.is_some() || self.peek().is_none()) {
            return None;
        }
        let slot = self.new_command(ctx)?;
        self.simple_command(slot, ctx);
        let c = &self.out.cl.commands[slot];
        let empty = c.kind == CommandKind::Simple
            && c.argv.is_empty()
            && c.assignments.is_empty()
            && c.redirects.is_empty();
        if empty && !closer && slot + 1 == self.out.cl.commands.len() {
            self.out.cl.commands.pop();
            return None;
        }
        Some(slot)
    }

    /// `( … )` or `(( … ))` at command position.
    fn paren_command(&mut self, ctx: Ctx) -> Option<usize> {
        let slot = self.new_command(ctx)?;
        if self.at(1) == Some(b'(') && self.arith_ahead(self.i + 2) {
            self.out.cl.commands[slot].kind = CommandKind::Arithmetic;
            self.bump(2);
            if !self.scan_arith(slot) {
                self.issue(Issue::UnclosedSubstitution);
            }
        } else {
            self.out.cl.commands[slot].kind = CommandKind::Subshell;
            self.bump(1);
            let child = Ctx {
                depth: ctx.depth + 1,
                parent: Some(slot),
                origin: Origin::Subshell,
            };
            if !self.nested_list(child, End::Paren) {
                self.issue(Issue::UnclosedGroup);
            }
        }
        self.trailing_redirects(slot);
        Some(slot)
    }

    /// After a compound command only redirects may follow.
    fn trailing_redirects(&mut self, slot: usize) {
        loop {
            self.skip_blanks();
            if !self.try_redirect(slot) {
                break;
            }
        }
        if self.peek().is_some() && self.peek_op().is_none() && self.peek_keyword().is_none() {
            self.issue(Issue::UnexpectedToken);
        }
    }

    /// Parses a nested list one level deeper; when too deep, skips it.
    fn nested_list(&mut self, ctx: Ctx, end: End) -> bool {
        if !self.enter() {
            return self.skip_to_close(end);
        }
        let ok = self.parse_list(ctx, end);
        self.leave();
        ok
    }

    fn simple_command(&mut self, slot: usize, ctx: Ctx) {
        let mut cond = false;
        let mut compound = false;
        let mut case = false;
        loop {
            if self.out.stopped {
                break;
            }
            if cond {
                self.skip_space_nl();
            } else {
                self.skip_blanks();
            }
            let Some(c) = self.peek() else {
                if cond {
                    self.issue(Issue::UnclosedGroup);
                }
                break;
            };
            if !cond {
                if let Some((op, _)) = self.peek_op() {
                    if op == Op::LParen && !compound {
                        let cmd = &self.out.cl.commands[slot];
                        if cmd.argv.len() == 1
                            && cmd.assignments.is_empty()
                            && cmd.redirects.is_empty()
                            && self.empty_parens_ahead()
                        {
                            self.function_def(slot, ctx);
                            return;
                        }
                        // `a (b)` is a syntax error; analyse `b` anyway.
                        self.issue(Issue::UnexpectedToken);
                        self.bump(1);
                        let child = Ctx {
                            depth: ctx.depth + 1,
                            parent: Some(slot),
                            origin: Origin::Subshell,
                        };
                        self.nested_list(child, End::Paren);
                        continue;
                    }
                    break;
                }
                let procsub = (c == b'<' || c == b'>') && self.at(1) == Some(b'(');
                if !procsub && self.try_redirect(slot) {
                    continue;
                }
                if compound {
                    if self.peek_keyword().is_none() {
                        self.issue(Issue::UnexpectedToken);
                    }
                    break;
                }
            }
            let start = self.i;
            let lexed = self.lex_word(slot, cond, true);
            let Some((word, assign)) = lexed else {
                if self.i == start && !self.out.stopped {
                    self.issue(Issue::UnexpectedToken);
                    self.bump(1);
                    continue;
                }
                break;
            };
            let cmd = &mut self.out.cl.commands[slot];
            if cond {
                let end = word.is_plain("]]");
                cmd.argv.push(word);
                cond = !end;
                continue;
            }
            let command_position = cmd.argv.is_empty();
            if command_position {
                if word.is_plain("{") && cmd.assignments.is_empty() && cmd.redirects.is_empty() {
                    cmd.kind = CommandKind::Group;
                    let child = Ctx {
                        depth: ctx.depth + 1,
                        parent: Some(slot),
                        origin: Origin::Group,
                    };
                    if !self.nested_list(child, End::Brace) {
                        self.issue(Issue::UnclosedGroup);
                    }
                    compound = true;
                    continue;
                }
                if word.is_plain("function") && cmd.assignments.is_empty() {
                    self.function_keyword(slot, ctx);
                    return;
                }
                if word.is_plain("[[") {
                    cond = true;
                }
                if word.is_plain("case") {
                    case = true;
                }
                if let Some(eq) = assign {
                    let append = eq > 0 && word.text.as_bytes()[eq - 1] == b'+';
                    let name = word.text[..if append { eq - 1 } else { eq }].to_string();
                    let value = word.tail(eq + 1);
                    cmd.assignments.push(Assignment {
                        name,
                        value,
                        append,
                    });
                    continue;
                }
            }
            cmd.argv.push(word);
            if case && cmd.argv.len() == 3 {
                if cmd.argv[2].is_plain("in") {
                    self.finish_command(slot);
                    self.case_arms(slot, ctx);
                    return;
                }
                case = false;
            }
            if cmd.argv.len() == 1 && cmd.argv[0].is_plain("for") {
                self.skip_blanks();
                if self.starts(b"((") {
                    self.bump(2);
                    if !self.scan_arith(slot) {
                        self.issue(Issue::UnclosedSubstitution);
                    }
                }
            }
        }
        self.finish_command(slot);
    }

    fn empty_parens_ahead(&self) -> bool {
        let mut k = self.i + 1;
        while matches!(self.s.get(k), Some(b' ' | b'\t')) {
            k += 1;
        }
        self.s.get(k) == Some(&b')')
    }

    /// `name ( )` seen at the cursor's `(`: the definition and its body.
    fn function_def(&mut self, slot: usize, ctx: Ctx) {
        self.bump(1);
        self.skip_blanks();
        self.bump(1);
        let cmd = &mut self.out.cl.commands[slot];
        let name = cmd.argv.pop().map(|w| w.text).unwrap_or_default();
        cmd.kind = CommandKind::Function { name };
        self.function_body(slot, ctx);
    }

    /// `function name [()] body`, after `function`.
    fn function_keyword(&mut self, slot: usize, ctx: Ctx) {
        self.skip_blanks();
        let name = match self.lex_word(slot, false, false) {
            Some((w, _)) => w.text,
            None => {
                self.issue(Issue::UnexpectedToken);
                String::new()
            }
        };
        let cmd = &mut self.out.cl.commands[slot];
        cmd.argv.clear();
        cmd.kind = CommandKind::Function { name };
        self.skip_blanks();
        if self.peek() == Some(b'(') && self.empty_parens_ahead() {
            self.bump(1);
            self.skip_blanks();
            self.bump(1);
        }
        self.function_body(slot, ctx);
    }

    fn function_body(&mut self, slot: usize, ctx: Ctx) {
        self.skip_space_nl();
        let child = Ctx {
            depth: ctx.depth + 1,
            parent: Some(slot),
            origin: Origin::FunctionBody,
        };
        if !self.enter() {
            match self.peek() {
                Some(b'{') => {
                    self.bump(1);
                    self.skip_balanced(b'{', b'}');
                }
                Some(b'(') => {
                    self.bump(1);
                    self.skip_balanced(b'(', b')');
                }
                _ => {}
            }
            return;
        }
        if self.parse_pipeline(child).is_none() {
            self.issue(Issue::UnexpectedToken);
        }
        self.leave();
    }

    /// The arms of `case WORD in … esac`, after `in`.
    fn case_arms(&mut self, slot: usize, ctx: Ctx) {
        let child = Ctx {
            depth: ctx.depth + 1,
            parent: Some(slot),
            origin: Origin::CaseArm,
        };
        if !self.enter() {
            self.skip_to_close(End::CaseArm);
            return;
        }
        loop {
            if self.out.stopped {
                break;
            }
            let start = self.i;
            self.skip_space_nl();
            while self.peek() == Some(b';') {
                self.bump(1);
                self.skip_space_nl();
            }
            if self.peek().is_none() {
                self.issue(Issue::UnclosedGroup);
                break;
            }
            if self.peek_keyword() == Some("esac") {
                self.bump(4);
                break;
            }
            if self.peek() == Some(b'(') {
                self.bump(1);
            }
            loop {
                self.skip_blanks();
                match self.peek() {
                    Some(b'|') => self.bump(1),
                    None | Some(b')' | b'\n' | b';' | b'&' | b'(') => break,
                    _ => {
                        let before = self.i;
                        let _ = self.lex_word(slot, false, false);
                        if self.i == before {
                            break;
                        }
                    }
                }
            }
            if self.peek() == Some(b')') {
                self.bump(1);
            } else {
                self.issue(Issue::UnexpectedToken);
            }
            self.parse_list(child, End::CaseArm);
            if self.i == start {
                self.issue(Issue::UnexpectedToken);
                self.bump(1);
            }
        }
        self.leave();
    }

    // -- redirects ------------------------------------------------------------

    fn try_redirect(&mut self, slot: usize) -> bool {
        let st = self.i;
        let mut k = st;
        while k < self.s.len() && self.s[k].is_ascii_digit() {
            k += 1;
        }
        let fd = (k > st).then(|| {
            std::str::from_utf8(&self.s[st..k])
                .ok()
                .and_then(|t| t.parse::<u32>().ok())
                .unwrap_or(u32::MAX)
        });
        let rest = &self.s[k..];
        let (op, n) = if fd.is_none() && rest.starts_with(b"&>>") {
            (RedirectOp::AppendAll, 3)
        } else if fd.is_none() && rest.starts_with(b"&>") {
            (RedirectOp::WriteAll, 2)
        } else if rest.starts_with(b">>") {
            (RedirectOp::Append, 2)
        } else if rest.starts_with(b">|") {
            (RedirectOp::Clobber, 2)
        } else if rest.starts_with(b">&") {
            (RedirectOp::DupOut, 2)
        } else if rest.starts_with(b">") {
            (RedirectOp::Write, 1)
        } else if rest.starts_with(b"<<<") {
            (RedirectOp::HereString, 3)
        } else if rest.starts_with(b"<<-") {
            (RedirectOp::HereDoc, 3)
        } else if rest.starts_with(b"<<") {
            (RedirectOp::HereDoc, 2)
        } else if rest.starts_with(b"<&") {
            (RedirectOp::DupIn, 2)
        } else if rest.starts_with(b"<>") {
            (RedirectOp::ReadWrite, 2)
        } else if rest.starts_with(b"<") {
            (RedirectOp::Read, 1)
        } else {
            return false;
        };
        let strip_tabs = op == RedirectOp::HereDoc && n == 3;
        self.i = k + n;
        self.skip_blanks();
        let Some((target, _)) = self.lex_word(slot, false, false) else {
            self.issue(Issue::UnexpectedToken);
            return true;
        };
        let mut op = op;
        if op == RedirectOp::DupOut
            && !(target.text == "-"
                || (!target.text.is_empty() && target.text.bytes().all(|b| b.is_ascii_digit())))
        {
            op = if fd.is_none() {
                RedirectOp::WriteAll
            } else {
                RedirectOp::Write
            };
        }
        let cmd = &mut self.out.cl.commands[slot];
        if op == RedirectOp::HereDoc {
            self.heredocs.push(Heredoc {
                cmd: slot,
                redirect: cmd.redirects.len(),
                delim: target.text.as_bytes().to_vec(),
                strip_tabs,
                expand: !target.quoted,
            });
        }
        cmd.redirects.push(Redirect {
            fd,
            op,
            target,
            here_doc: None,
        });
        true
    }

    // -- words ----------------------------------------------------------------

    /// Reads one word; `None` when there is none at the cursor (or the word
    /// budget is spent). `cond` reads inside `[[ ]]`, where operators are
    /// words; `arrays` allows `name=( … )`.
    fn lex_word(
        &mut self,
        owner: usize,
        cond: bool,
        arrays: bool,
    ) -> Option<(Word, Option<usize>)> {
        let start = self.i;
        let mut w = WordBuf::default();
        while let Some(c) = self.peek() {
            match c {
                b' ' | b'\t' | b'\n' => break,
                b';' | b'&' | b'|' | b'<' | b'>' | b'(' | b')' => {
                    if cond && w.bytes != b"]]" {
                        w.bytes.push(c);
                        self.i += 1;
                        continue;
                    }
                    if c == b'(' {
                        if arrays && w.assign.is_some_and(|eq| eq + 1 == w.bytes.len()) {
                            self.lex_array(owner, &mut w);
                            continue;
                        }
                        if matches!(w.bytes.last(), Some(b'@' | b'!' | b'+' | b'?' | b'*')) {
                            // extglob: `@(a|b)`
                            let st = self.i;
                            let wst = w.bytes.len() - 1;
                            self.bump(1);
                            if !self.skip_balanced(b'(', b')') {
                                self.issue(Issue::UnclosedGroup);
                            }
                            w.bytes.extend_from_slice(&self.s[st..self.i]);
                            w.dynamic(wst);
                            continue;
                        }
                    }
                    if (c == b'<' || c == b'>')
                        && self.at(1) == Some(b'(')
                        && w.bytes.is_empty()
                        && !w.quoted
                    {
                        let st = self.i;
                        self.bump(2);
                        self.substitution(owner, Origin::ProcessSubstitution, st);
                        w.bytes.extend_from_slice(&self.s[st..self.i]);
                        w.dynamic(0);
                        continue;
                    }
                    break;
                }
                b'\\' => match self.at(1) {
                    Some(b'\n') => self.i += 2,
                    Some(x) => {
                        w.bytes.push(x);
                        w.quoted = true;
                        self.i += 2;
                    }
                    None => {
                        w.bytes.push(b'\\');
                        self.i += 1;
                    }
                },
                b'\'' => self.lex_single(&mut w),
                b'"' => {
                    self.i += 1;
                    w.quoted = true;
                    if !self.lex_dq(&mut w, owner, Some(b'"')) {
                        self.issue(Issue::UnclosedQuote);
                    }
                }
                b'`' => self.lex_backtick(&mut w, owner),
                b'$' => self.lex_dollar(&mut w, owner, false),
                b'*' | b'?' => {
                    w.bytes.push(c);
                    w.dynamic(w.bytes.len() - 1);
                    self.i += 1;
                }
                b'[' => {
                    w.bytes.push(c);
                    if self.bracket_ahead() {
                        w.dynamic(w.bytes.len() - 1);
                    }
                    self.i += 1;
                }
                b'~' if w.bytes.is_empty()
                    || (w.assign.is_some() && matches!(w.bytes.last(), Some(b'=' | b':'))) =>
                {
                    let st = w.bytes.len();
                    w.bytes.push(c);
                    self.i += 1;
                    while let Some(u) = self.peek() {
                        if !(u.is_ascii_alphanumeric() || matches!(u, b'.' | b'_' | b'-')) {
                            break;
                        }
                        w.bytes.push(u);
                        self.i += 1;
                    }
                    w.dynamic(st);
                }
                b'{' => {
                    if w.brace.is_none() {
                        w.brace = Some((w.bytes.len(), false));
                    }
                    w.bytes.push(c);
                    self.i += 1;
                }
                b',' | b'.' => {
                    if let Some((_, seen)) = &mut w.brace
                        && (c == b',' || self.at(1) == Some(b'.'))
                    {
                        *seen = true;
                    }
                    w.bytes.push(c);
                    self.i += 1;
                }
                b'}' => {
                    w.bytes.push(c);
                    self.i += 1;
                    if let Some((open, true)) = w.brace {
                        w.dynamic_range(open, w.bytes.len());
                    }
                    w.brace = None;
                }
                b'=' => {
                    if w.assign.is_none() && !w.quoted && w.spans.is_empty() && is_name(&w.bytes) {
                        w.assign = Some(w.bytes.len());
                    }
                    w.bytes.push(c);
                    self.i += 1;
                }
                _ => {
                    w.bytes.push(c);
                    self.i += 1;
                }
            }
        }
        if self.i == start {
            return None;
        }
        self.out.words += 1;
        if self.out.words > MAX_WORDS {
            self.issue(Issue::TooLarge);
            self.out.stopped = true;
        }
        Some(w.finish())
    }

    /// Whether a `]` closes the `[` at the cursor within the word (a glob).
    /// The first `]` or word end after a position is cached, so a run of
    /// `[` costs linear time.
    fn bracket_ahead(&mut self) -> bool {
        if self.bracket.0 <= self.i {
            let from = self.i + 1;
            let hit = self.s[from..].iter().position(|b| {
                matches!(
                    b,
                    b']' | b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b'<' | b'>' | b'(' | b')'
                )
            });
            self.bracket = match hit {
                Some(p) => (from + p, self.s[from + p] == b']'),
                None => (usize::MAX, false),
            };
        }
        self.bracket.1
    }

    fn lex_single(&mut self, w: &mut WordBuf) {
        self.bump(1);
        w.quoted = true;
        match self.s[self.i..].iter().position(|&b| b == b'\'') {
            Some(k) => {
                w.bytes.extend_from_slice(&self.s[self.i..self.i + k]);
                self.i += k + 1;
            }
            None => {
                w.bytes.extend_from_slice(&self.s[self.i..]);
                self.i = self.s.len();
                self.issue(Issue::UnclosedQuote);
            }
        }
    }

    /// The inside of double quotes (or of a here-document when `term` is
    /// `None`); returns whether `term` was found.
    fn lex_dq(&mut self, w: &mut WordBuf, owner: usize, term: Option<u8>) -> bool {
        loop {
            let Some(c) = self.peek() else {
                return term.is_none();
            };
            if Some(c) == term {
                self.i += 1;
                return true;
            }
            match c {
                b'\\' => match self.at(1) {
                    Some(b'\n') => self.i += 2,
                    Some(x @ (b'$' | b'`' | b'\\')) => {
                        w.bytes.push(x);
                        self.i += 2;
                    }
                    Some(b'"') if term == Some(b'"') => {
                        w.bytes.push(b'"');
                        self.i += 2;
                    }
                    _ => {
                        w.bytes.push(b'\\');
                        self.i += 1;
                    }
                },
                b'$' => self.lex_dollar(w, owner, true),
                b'`' => self.lex_backtick(w, owner),
                _ => {
                    w.bytes.push(c);
                    self.i += 1;
                }
            }
        }
    }

    fn lex_dollar(&mut self, w: &mut WordBuf, owner: usize, in_dq: bool) {
        let st = self.i;
        let wst = w.bytes.len();
        match self.at(1) {
            Some(b'\'') if !in_dq => {
                self.bump(2);
                w.quoted = true;
                self.ansi_c(w);
                return;
            }
            Some(b'"') if !in_dq => {
                self.bump(2);
                w.quoted = true;
                if !self.lex_dq(w, owner, Some(b'"')) {
                    self.issue(Issue::UnclosedQuote);
                }
                return;
            }
            Some(b'(') => {
                if self.at(2) == Some(b'(') && self.arith_ahead(self.i + 3) {
                    self.bump(3);
                    if !self.scan_arith(owner) {
                        self.issue(Issue::UnclosedSubstitution);
                    }
                } else {
                    self.bump(2);
                    self.substitution(owner, Origin::CommandSubstitution, st);
                }
            }
            Some(b'{') => {
                self.bump(2);
                if !self.scan_braced(owner, b'{', b'}') {
                    self.issue(Issue::UnclosedSubstitution);
                }
            }
            Some(b'[') => {
                self.bump(2);
                if !self.scan_braced(owner, b'[', b']') {
                    self.issue(Issue::UnclosedSubstitution);
                }
            }
            Some(c) if c.is_ascii_alphabetic() || c == b'_' => {
                self.bump(1);
                while self
                    .peek()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_')
                {
                    self.i += 1;
                }
            }
            Some(c) if c.is_ascii_digit() || b"@*#?-$!".contains(&c) => self.bump(2),
            _ => {
                w.bytes.push(b'$');
                self.bump(1);
                return;
            }
        }
        w.bytes.extend_from_slice(&self.s[st..self.i]);
        w.dynamic(wst);
    }

    /// `$'…'`, after the opening quote: decodes the escapes.
    fn ansi_c(&mut self, w: &mut WordBuf) {
        loop {
            let Some(c) = self.peek() else {
                self.issue(Issue::UnclosedQuote);
                return;
            };
            self.i += 1;
            match c {
                b'\'' => return,
                b'\\' => {
                    let Some(e) = self.peek() else {
                        w.bytes.push(b'\\');
                        continue;
                    };
                    self.i += 1;
                    match e {
                        b'n' => w.bytes.push(b'\n'),
                        b't' => w.bytes.push(b'\t'),
                        b'r' => w.bytes.push(b'\r'),
                        b'a' => w.bytes.push(7),
                        b'b' => w.bytes.push(8),
                        b'e' | b'E' => w.bytes.push(27),
                        b'f' => w.bytes.push(12),
                        b'v' => w.bytes.push(11),
                        b'\\' | b'\'' | b'"' | b'?' => w.bytes.push(e),
                        b'x' | b'u' | b'U' => {
                            let max = match e {
                                b'x' => 2,
                                b'u' => 4,
                                _ => 8,
                            };
                            let v = self.digits(16, max);
                            match v {
                                None => w.bytes.extend_from_slice(&[b'\\', e]),
                                Some(v) if e == b'x' => w.bytes.push(v as u8),
                                Some(v) => {
                                    let ch = char::from_u32(v).unwrap_or('\u{fffd}');
                                    let mut buf = [0; 4];
                                    w.bytes
                                        .extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                                }
                            }
                        }
                        b'0'..=b'7' => {
                            self.i -= 1;
                            let v = self.digits(8, 3).unwrap_or(0);
                            w.bytes.push((v & 0xff) as u8);
                        }
                        b'c' => {
                            if let Some(x) = self.peek() {
                                self.i += 1;
                                w.bytes.push(x & 0x1f);
                            }
                        }
                        _ => w.bytes.extend_from_slice(&[b'\\', e]),
                    }
                }
                _ => w.bytes.push(c),
            }
        }
    }

    fn digits(&mut self, radix: u32, max: usize) -> Option<u32> {
        let mut v: u32 = 0;
        let mut n = 0;
        while n < max {
            let Some(d) = self.peek().and_then(|c| (c as char).to_digit(radix)) else {
                break;
            };
            v = v.wrapping_mul(radix).wrapping_add(d);
            self.i += 1;
            n += 1;
        }
        (n > 0).then_some(v)
    }

    fn lex_backtick(&mut self, w: &mut WordBuf, owner: usize) {
        let st = self.i;
        self.bump(1);
        let mut inner = Vec::new();
        let closed = loop {
            match self.peek() {
                None => break false,
                Some(b'`') => {
                    self.i += 1;
                    break true;
                }
                Some(b'\\') => match self.at(1) {
                    Some(x @ (b'`' | b'\\' | b'$')) => {
                        inner.push(x);
                        self.i += 2;
                    }
                    Some(x) => {
                        inner.extend_from_slice(&[b'\\', x]);
                        self.i += 2;
                    }
                    None => {
                        inner.push(b'\\');
                        self.i += 1;
                    }
                },
                Some(c) => {
                    inner.push(c);
                    self.i += 1;
                }
            }
        };
        if !closed {
            self.issue(Issue::UnclosedQuote);
        }
        let wst = w.bytes.len();
        w.bytes.extend_from_slice(&self.s[st..self.i]);
        w.dynamic(wst);
        if !self.in_skip(st) {
            let text = String::from_utf8_lossy(&inner).into_owned();
            self.parse_nested(&text, &[], owner, Origin::CommandSubstitution);
        }
    }

    /// `name=( … )`, at the `(`.
    fn lex_array(&mut self, owner: usize, w: &mut WordBuf) {
        let st = self.i;
        self.bump(1);
        if self.enter() {
            loop {
                self.skip_space_nl();
                match self.peek() {
                    None => {
                        self.issue(Issue::UnclosedGroup);
                        break;
                    }
                    Some(b')') => {
                        self.i += 1;
                        break;
                    }
                    _ => {}
                }
                let before = self.i;
                let _ = self.lex_word(owner, false, false);
                if self.i == before {
                    self.issue(Issue::UnexpectedToken);
                    self.bump(1);
                }
            }
            self.leave();
        } else if !self.skip_balanced(b'(', b')') {
            self.issue(Issue::UnclosedGroup);
        }
        w.bytes.extend_from_slice(&self.s[st..self.i]);
    }

    /// After `$(` or `<(`/`>(` (which starts at `st`): the nested commands.
    fn substitution(&mut self, owner: usize, origin: Origin, st: usize) {
        let closed = if self.in_skip(st) {
            self.skip_balanced(b'(', b')')
        } else {
            let ctx = Ctx {
                depth: self.out.cl.commands[owner].depth + 1,
                parent: Some(owner),
                origin,
            };
            self.nested_list(ctx, End::Paren)
        };
        if !closed {
            self.issue(Issue::UnclosedSubstitution);
        }
    }

    /// Whether `((` (ending just before `pos`) opens arithmetic rather than
    /// nested subshells: its first close is `))`.
    fn arith_ahead(&self, pos: usize) -> bool {
        let s = self.s;
        let mut depth = 2usize;
        let mut k = pos;
        while k < s.len() {
            match s[k] {
                b'\\' => k += 1,
                b'\'' => match s[k + 1..].iter().position(|&b| b == b'\'') {
                    Some(p) => k += p + 1,
                    None => return true,
                },
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 1 {
                        return s.get(k + 1) == Some(&b')');
                    }
                }
                _ => {}
            }
            k += 1;
        }
        true
    }

    /// The inside of `((…))` / `$((…))`, after the `((`: finds substitutions.
    fn scan_arith(&mut self, owner: usize) -> bool {
        if !self.enter() {
            let mut depth = 2usize;
            while let Some(c) = self.peek() {
                self.i += 1;
                match c {
                    b'(' => depth += 1,
                    b')' => {
                        depth -= 1;
                        if depth == 0 {
                            return true;
                        }
                    }
                    _ => {}
                }
            }
            return false;
        }
        self.scan_nested(owner, b'(', b')', 2)
    }

    /// The inside of `${…}` or `$[…]`, after the opening bracket.
    fn scan_braced(&mut self, owner: usize, open: u8, close: u8) -> bool {
        if !self.enter() {
            return self.skip_balanced(open, close);
        }
        self.scan_nested(owner, open, close, 1)
    }

    /// After [`Self::enter`]: scans to the `close` that brings `depth` open
    /// brackets to none, lexing the substitutions inside for `owner`, then
    /// leaves. Whether it closed.
    fn scan_nested(&mut self, owner: usize, open: u8, close: u8, mut depth: usize) -> bool {
        let mut junk = WordBuf::default();
        let closed = loop {
            let Some(c) = self.peek() else { break false };
            match c {
                _ if c == open => {
                    depth += 1;
                    self.i += 1;
                }
                _ if c == close => {
                    depth -= 1;
                    self.i += 1;
                    if depth == 0 {
                        break true;
                    }
                }
                b'$' => self.lex_dollar(&mut junk, owner, true),
                b'`' => self.lex_backtick(&mut junk, owner),
                b'\\' => self.bump(2),
                b'\'' => self.lex_single(&mut junk),
                b'"' => {
                    self.i += 1;
                    self.lex_dq(&mut junk, owner, Some(b'"'));
                }
                _ => self.i += 1,
            }
            junk.bytes.clear();
            junk.spans.clear();
        };
        self.leave();
        closed
    }

    /// Skips to the `close` matching an already consumed `open`, minding
    /// quotes and escapes, without analysing anything. Iterative.
    fn skip_balanced(&mut self, open: u8, close: u8) -> bool {
        let mut depth = 1usize;
        while let Some(c) = self.peek() {
            self.i += 1;
            match c {
                b'\\' => self.bump(1),
                b'\'' => match self.s[self.i..].iter().position(|&b| b == b'\'') {
                    Some(p) => self.i += p + 1,
                    None => self.i = self.s.len(),
                },
                b'"' => {
                    while let Some(d) = self.peek() {
                        self.i += 1;
                        if d == b'\\' {
                            self.bump(1);
                        } else if d == b'"' {
                            break;
                        }
                    }
                }
                _ if c == open => depth += 1,
                _ if c == close => {
                    depth -= 1;
                    if depth == 0 {
                        return true;
                    }
                }
                _ => {}
            }
        }
        false
    }

    fn skip_to_close(&mut self, end: End) -> bool {
        match end {
            End::Eof => {
                self.i = self.s.len();
                true
            }
            End::Paren => self.skip_balanced(b'(', b')'),
            End::Brace => self.skip_balanced(b'{', b'}'),
            End::CaseArm => {
                let found = self.s[self.i..].windows(4).position(|w| w == b"esac");
                match found {
                    Some(p) => {
                        self.i += p + 4;
                        true
                    }
                    None => {
                        self.i = self.s.len();
                        false
                    }
                }
            }
        }
    }

    // -- nested sources -------------------------------------------------------

    /// Parses `text` (a `sh -c` string, backquotes, `eval` arguments) as a
    /// command line nested in `owner`.
    fn parse_nested(&mut self, text: &str, spans: &[(usize, usize)], owner: usize, origin: Origin) {
        if text.len() > self.out.budget {
            self.issue(Issue::TooLarge);
            return;
        }
        self.out.budget -= text.len();
        if !self.enter() {
            return;
        }
        let ctx = Ctx {
            depth: self.out.cl.commands[owner].depth + 1,
            parent: Some(owner),
            origin,
        };
        {
            let mut p = Parser::new(text.as_bytes(), spans, &mut *self.out);
            p.parse_list(ctx, End::Eof);
        }
        self.leave();
    }

    /// A here-document body with an unquoted delimiter: its substitutions.
    fn scan_heredoc(&mut self, text: &str, owner: usize) {
        if text.len() > self.out.budget {
            self.issue(Issue::TooLarge);
            return;
        }
        self.out.budget -= text.len();
        let mut p = Parser::new(text.as_bytes(), &[], &mut *self.out);
        let mut junk = WordBuf::default();
        p.lex_dq(&mut junk, owner, None);
    }

    /// Unwraps a simple command, names its program and parses what it runs.
    fn finish_command(&mut self, slot: usize) {
        let cmd = &mut self.out.cl.commands[slot];
        if cmd.kind != CommandKind::Simple {
            return;
        }
        unwrap(cmd);
        if let Some(w) = cmd.argv.first() {
            let base = w.text.rfind('/').map_or(0, |p| p + 1);
            let dynamic = w.spans.iter().any(|&(_, e)| e > base);
            cmd.program = if dynamic {
                w.text.clone()
            } else {
                w.text[base..].to_string()
            };
            cmd.program_dynamic = dynamic;
        }
        let jobs = nested_strings(cmd);
        let execs = if cmd.program == "find" && !cmd.program_dynamic {
            find_execs(&cmd.argv)
        } else {
            Vec::new()
        };
        for (word, origin) in jobs {
            self.parse_nested(&word.text, &word.spans, slot, origin);
        }
        for argv in execs {
            if !self.enter() {
                break;
            }
            let ctx = Ctx {
                depth: self.out.cl.commands[slot].depth + 1,
                parent: Some(slot),
                origin: Origin::FindExec,
            };
            self.out.words += argv.len();
            if self.out.words > MAX_WORDS {
                self.issue(Issue::TooLarge);
                self.out.stopped = true;
            }
            if let Some(c) = self.new_command(ctx) {
                self.out.cl.commands[c].argv = argv;
                self.finish_command(c);
            }
            self.leave();
        }
    }
}

// ---------------------------------------------------------------------------
// Wrappers and nested command strings.

struct Spec {
    /// Short options that take a value.
    valued: &'static str,
    /// Long options that take a value (as the next word when no `=`).
    long_valued: &'static [&'static str],
    /// Operands before the command (`timeout DURATION`, `chroot DIR`).
    operands: usize,
    /// Accepts `NAME=value` before the command (`env`, `sudo`).
    assignments: bool,
}

const fn spec(
    valued: &'static str,
    long_valued: &'static [&'static str],
    operands: usize,
    assignments: bool,
) -> Spec {
    Spec {
        valued,
        long_valued,
        operands,
        assignments,
    }
}

fn wrapper_spec(name: &str) -> Option<Spec> {
    Some(match name {
        "sudo" => spec(
            "ugpCDrtUTR",
            &[
                "--user",
                "--group",
                "--prompt",
                "--close-from",
                "--chdir",
                "--role",
                "--type",
                "--other-user",
                "--command-timeout",
                "--chroot",
                "--host",
            ],
            0,
            true,
        ),
        "doas" => spec("uC", &[], 0, false),
        "pkexec" => spec("", &["--user"], 0, false),
        "env" => spec("uCSP", &["--unset", "--chdir", "--split-string"], 0, true),
        "nice" => spec("n", &["--adjustment"], 0, false),
        "time" => spec("fo", &["--format", "--output"], 0, false),
        "timeout" => spec("sk", &["--signal", "--kill-after"], 1, false),
        "command" | "builtin" | "nohup" | "setsid" | "busybox" => spec("", &[], 0, false),
        "exec" => spec("a", &[], 0, false),
        "xargs" => spec(
            "adEILnPs",
            &[
                "--arg-file",
                "--delimiter",
                "--max-args",
                "--max-procs",
                "--max-chars",
                "--process-slot-var",
            ],
            0,
            false,
        ),
        "stdbuf" => spec("ioe", &["--input", "--output", "--error"], 0, false),
        "ionice" => spec("cn", &["--class", "--classdata"], 0, false),
        "chroot" => spec("", &["--userspec", "--groups"], 1, false),
        "watch" => spec("nq", &["--interval", "--equexit"], 0, false),
        _ => return None,
    })
}

fn synthetic_shell(script: Word) -> Vec<Word> {
    vec![Word::literal("sh"), Word::literal("-c"), script]
}

/// Strips wrapper commands from the front of `cmd.argv`.
fn unwrap(cmd: &mut Command) {
    loop {
        let Some(first) = cmd.argv.first() else {
            return;
        };
        if first.is_dynamic() {
            return;
        }
        let name = basename(&first.text).to_string();
        let Some(spec) = wrapper_spec(&name) else {
            return;
        };
        let argv = &cmd.argv;
        let mut k = 1;
        let mut flags = String::new();
        let mut values: Vec<(char, Word)> = Vec::new();
        while k < argv.len() {
            let a = argv[k].text.as_str();
            if a == "--" {
                k += 1;
                break;
            }
            if name == "env" && a == "-" {
                flags.push('i');
                k += 1;
                continue;
            }
            if let Some(long) = a.strip_prefix("--") {
                if long.is_empty() {
                    break;
                }
                let (key, has_value) = match long.find('=') {
                    Some(p) => (&long[..p], true),
                    None => (long, false),
                };
                match key {
                    "shell" | "login" => flags.push('s'),
                    "split-string" if has_value => {
                        values.push(('S', argv[k].tail(a.find('=').unwrap_or(0) + 1)))
                    }
                    "split-string" => {
                        if let Some(v) = argv.get(k + 1) {
                            values.push(('S', v.clone()));
                        }
                    }
                    "list" | "validate" | "remove-timestamp" | "reset-timestamp" | "edit"
                    | "version" | "help" => flags.push('l'),
                    _ => {}
                }
                k += if !has_value && spec.long_valued.contains(&a) {
                    2
                } else {
                    1
                };
                continue;
            }
            if a.starts_with('-') && a.len() > 1 {
                let cluster = &a[1..];
                for (j, ch) in cluster.char_indices() {
                    if spec.valued.contains(ch) {
                        let attached = &cluster[j + ch.len_utf8()..];
                        if attached.is_empty() {
                            if let Some(v) = argv.get(k + 1) {
                                values.push((ch, v.clone()));
                            }
                            k += 1;
                        } else {
                            values.push((ch, Word::literal(attached)));
                        }
                        break;
                    }
                    flags.push(ch);
                }
                k += 1;
                continue;
            }
            break;
        }
        let k = k.min(cmd.argv.len());
        let mut k2 = k;
        let mut assignments = Vec::new();
        if spec.assignments {
            while let Some(w) = cmd.argv.get(k2) {
                let eq = w.text.find('=').unwrap_or(0);
                if eq == 0
                    || !is_name(&w.text.as_bytes()[..eq])
                    || w.spans.first().is_some_and(|&(s, _)| s < eq)
                {
                    break;
                }
                let append = w.text.as_bytes()[eq - 1] == b'+';
                assignments.push(Assignment {
                    name: w.text[..if append { eq - 1 } else { eq }].to_string(),
                    value: w.tail(eq + 1),
                    append,
                });
                k2 += 1;
            }
        }
        let k3 = (k2 + spec.operands).min(cmd.argv.len());
        let rest_empty = k3 >= cmd.argv.len();
        let has = |c: char| flags.contains(c);
        // Wrappers that do not run a command the usual way.
        let replacement: Option<Vec<Word>> = match name.as_str() {
            "command" if has('v') || has('V') => return,
            "sudo" if has('e') || has('l') || has('v') || has('k') || has('K') || has('V') => {
                return;
            }
            "ionice" if has('p') || has('P') || has('u') => return,
            "sudo" | "doas" if has('s') || has('i') => {
                if rest_empty {
                    return;
                }
                Some(synthetic_shell(join_words(&cmd.argv[k3..])))
            }
            "env" if values.iter().any(|(c, _)| *c == 'S') => {
                let (_, s) = values
                    .iter()
                    .find(|(c, _)| *c == 'S')
                    .cloned()
                    .unwrap_or_default();
                let mut words = vec![s];
                words.extend_from_slice(&cmd.argv[k3..]);
                Some(synthetic_shell(join_words(&words)))
            }
            "watch" if !has('x') && !rest_empty => {
                Some(synthetic_shell(join_words(&cmd.argv[k3..])))
            }
            "xargs" if rest_empty => Some(vec![Word::literal("echo")]),
            _ => None,
        };
        if rest_empty && replacement.is_none() {
            return;
        }
        let args = cmd.argv[1..k].to_vec();
        cmd.assignments.extend(assignments);
        cmd.wrappers.push(Wrapper {
            program: name,
            args,
        });
        match replacement {
            Some(words) => cmd.argv = words,
            None => {
                cmd.argv.drain(..k3);
            }
        }
    }
}

const SHELLS: &[&str] = &[
    "sh", "bash", "zsh", "dash", "ksh", "mksh", "ash", "yash", "posh", "rbash", "fish", "csh",
    "tcsh",
];

/// Command strings a simple command runs: `sh -c STR`, `su -c STR`, `eval …`.
fn nested_strings(cmd: &Command) -> Vec<(Word, Origin)> {
    if cmd.program_dynamic || cmd.argv.is_empty() {
        return Vec::new();
    }
    let argv = &cmd.argv;
    let p = cmd.program.as_str();
    if p == "eval" {
        return vec![(join_words(&argv[1..]), Origin::Eval)];
    }
    if SHELLS.contains(&p) {
        let mut has_c = false;
        let mut k = 1;
        while k < argv.len() {
            let a = argv[k].text.as_str();
            if a == "--" || a == "-" {
                k += 1;
                break;
            }
            if let Some(long) = a.strip_prefix("--") {
                if let Some(v) = long.strip_prefix("command=") {
                    return vec![(Word::literal(v), Origin::ShellString)];
                }
                if long == "command" {
                    has_c = true;
                }
                if long == "rcfile" || long == "init-file" {
                    k += 1;
                }
                k += 1;
                continue;
            }
            if (a.starts_with('-') || a.starts_with('+')) && a.len() > 1 {
                if a.starts_with('-') && a.contains('c') {
                    has_c = true;
                }
                if a.contains('o') || a.contains('O') {
                    k += 1;
                }
                k += 1;
                continue;
            }
            break;
        }
        if has_c && let Some(w) = argv.get(k) {
            return vec![(w.clone(), Origin::ShellString)];
        }
        return Vec::new();
    }
    if p == "su" || p == "runuser" {
        let mut k = 1;
        while k < argv.len() {
            let a = argv[k].text.as_str();
            if let Some(v) = a.strip_prefix("--command=") {
                return vec![(Word::literal(v), Origin::ShellString)];
            }
            if (a == "--command"
                || (a.starts_with('-') && !a.starts_with("--") && a.ends_with('c')))
                && let Some(w) = argv.get(k + 1)
            {
                return vec![(w.clone(), Origin::ShellString)];
            }
            if a.starts_with("-c") && a.len() > 2 && !a.starts_with("--") {
                return vec![(argv[k].tail(2), Origin::ShellString)];
            }
            k += 1;
        }
    }
    Vec::new()
}

/// The commands of `find … -exec CMD … ;` (and `-execdir`, `-ok`, `-okdir`).
fn find_execs(argv: &[Word]) -> Vec<Vec<Word>> {
    let mut out = Vec::new();
    let mut k = 1;
    while k < argv.len() {
        let a = argv[k].text.as_str();
        if matches!(a, "-exec" | "-execdir" | "-ok" | "-okdir") {
            let start = k + 1;
            let mut end = start;
            while end < argv.len() {
                let t = argv[end].text.as_str();
                if t == ";" || (t == "+" && end > start && argv[end - 1].text == "{}") {
                    break;
                }
                end += 1;
            }
            if end > start {
                out.push(argv[start..end].to_vec());
            }
            k = end + 1;
        } else {
            k += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn progs(line: &str) -> Vec<String> {
        parse(line)
            .commands
            .iter()
            .map(|c| c.program.clone())
            .collect()
    }

    fn argv(c: &Command) -> Vec<&str> {
        c.argv.iter().map(|w| w.text.as_str()).collect()
    }

    fn only(line: &str) -> Command {
        let cl = parse(line);
        assert!(cl.is_complete(), "{line:?}: {:?}", cl.issues);
        assert_eq!(cl.commands.len(), 1, "{line:?}: {:#?}", cl.commands);
        cl.commands.into_iter().next().unwrap()
    }

    fn find<'a>(cl: &'a CommandLine, program: &str) -> &'a Command {
        cl.commands
            .iter()
            .find(|c| c.program == program)
            .unwrap_or_else(|| panic!("no {program} in {:#?}", cl.commands))
    }

    #[test]
    fn splits_words_with_quotes_and_escapes() {
        let c = only(r#"echo 'a b' "c $d \" e" f\ g h"i"'j' \$x"#);
        assert_eq!(argv(&c), ["echo", "a b", "c $d \" e", "f g", "hij", "$x"]);
        assert!(c.argv[2].is_dynamic());
        assert!(!c.argv[5].is_dynamic());
        assert!(c.argv[1].quoted && !c.argv[0].quoted);
    }

    #[test]
    fn ansi_c_quoting_is_decoded() {
        let c = only(r"$'\x72\x6d' -rf $'\057' $'a\'b' $'\u00e9\n'");
        assert_eq!(c.program, "rm");
        assert_eq!(argv(&c)[1..], ["-rf", "/", "a'b", "é\n"]);
        assert!(!c.program_dynamic);
    }

    #[test]
    fn program_is_the_basename() {
        for line in [
            "/bin/rm -rf x",
            r"\rm -rf x",
            "'rm' x",
            "r''m x",
            "\"/usr/bin/rm\" x",
            "./node_modules/.bin/rm x",
        ] {
            assert_eq!(only(line).program, "rm", "{line}");
        }
        let c = only("$HOME/.cargo/bin/cargo build");
        assert_eq!(c.program, "cargo");
        assert!(!c.program_dynamic);
        for line in [
            "$(echo rm) -rf /",
            "$CMD x",
            "`which rm` x",
            "/bin/r? x",
            "${X}rm y",
        ] {
            let cl = parse(line);
            assert!(cl.commands[0].program_dynamic, "{line}");
        }
    }

    #[test]
    fn control_operators_split_commands() {
        let cl = parse("a; b && c || d & e\nf | g |& h");
        assert!(cl.is_complete());
        assert_eq!(
            progs("a; b && c || d & e\nf | g |& h"),
            ["a", "b", "c", "d", "e", "f", "g", "h"]
        );
        assert!(find(&cl, "d").background);
        assert!(!find(&cl, "e").background);
        let g = find(&cl, "g");
        assert!(g.piped_in && g.piped_out);
        assert!(
            g.redirects
                .iter()
                .any(|r| r.fd == Some(2) && r.op == RedirectOp::DupOut && r.target == "1")
        );
        let p = &cl.pipelines[g.pipeline];
        assert_eq!(p.commands.len(), 3);
    }

    #[test]
    fn comments_are_skipped() {
        assert_eq!(progs("echo a#b # rm -rf /\nls"), ["echo", "ls"]);
        assert_eq!(only("echo a#b").argv[1], "a#b");
    }

    #[test]
    fn redirects_are_not_argv() {
        let c = only("cmd a >out 2>>err <in 2>&1 &>all >|clob 3<>rw <<<'here str' b >&2 >&file");
        assert_eq!(argv(&c), ["cmd", "a", "b"]);
        let ops: Vec<_> = c
            .redirects
            .iter()
            .map(|r| (r.fd, r.op, r.target.text.as_str()))
            .collect();
        assert_eq!(
            ops,
            [
                (None, RedirectOp::Write, "out"),
                (Some(2), RedirectOp::Append, "err"),
                (None, RedirectOp::Read, "in"),
                (Some(2), RedirectOp::DupOut, "1"),
                (None, RedirectOp::WriteAll, "all"),
                (None, RedirectOp::Clobber, "clob"),
                (Some(3), RedirectOp::ReadWrite, "rw"),
                (None, RedirectOp::HereString, "here str"),
                (None, RedirectOp::DupOut, "2"),
                (None, RedirectOp::WriteAll, "file"),
            ]
        );
        assert!(c.redirects[0].op.writes_file() && !c.redirects[3].op.writes_file());
        assert_eq!(only("echo a2>f").argv[1], "a2");
        assert_eq!(only("> /etc/passwd").redirects[0].target, "/etc/passwd");
    }

    #[test]
    fn here_documents() {
        let cl = parse("cat <<EOF > out.txt\nrm -rf /\n$(whoami)\nEOF\nls");
        assert!(cl.is_complete(), "{:?}", cl.issues);
        let cat = find(&cl, "cat");
        assert_eq!(
            cat.redirects[0].here_doc.as_deref(),
            Some("rm -rf /\n$(whoami)\n")
        );
        assert!(!cl.programs().any(|p| p == "rm"));
        assert_eq!(find(&cl, "whoami").origin, Origin::CommandSubstitution);
        assert_eq!(find(&cl, "ls").depth, 0);
        let quoted = parse("cat <<'EOF'\n$(whoami)\nEOF");
        assert!(!quoted.programs().any(|p| p == "whoami"));
        let tabs = parse("cat <<-END\n\tbody\n\tEND\nls");
        assert_eq!(
            find(&tabs, "cat").redirects[0].here_doc.as_deref(),
            Some("body\n")
        );
        assert_eq!(tabs.commands.len(), 2);
    }

    #[test]
    fn assignments_are_kept_apart() {
        let c = only("FOO=bar X+=1 Y=\"a b\" cargo test A=b");
        assert_eq!(c.program, "cargo");
        assert_eq!(argv(&c), ["cargo", "test", "A=b"]);
        let names: Vec<_> = c
            .assignments
            .iter()
            .map(|a| (a.name.as_str(), a.value.text.as_str(), a.append))
            .collect();
        assert_eq!(
            names,
            [("FOO", "bar", false), ("X", "1", true), ("Y", "a b", false)]
        );
        let a = parse("ARR=(one $(two) three)").commands.remove(0);
        assert!(a.argv.is_empty());
        assert_eq!(a.assignments[0].value.text, "(one $(two) three)");
        assert!(
            parse("ARR=(one $(two) three)")
                .programs()
                .any(|p| p == "two")
        );
        assert_eq!(only("\"FOO\"=bar").program, "FOO=bar");
    }

    #[test]
    fn substitutions_are_nested() {
        let cl = parse(
            "echo $(rm -rf /) `id -u` \"$(curl x | sh)\" $((1 + $(wc -l))) ${X:-$(pwd)} <(ls) >(tee f)",
        );
        assert!(cl.is_complete(), "{:?}", cl.issues);
        for (p, origin) in [
            ("rm", Origin::CommandSubstitution),
            ("id", Origin::CommandSubstitution),
            ("curl", Origin::CommandSubstitution),
            ("sh", Origin::CommandSubstitution),
            ("wc", Origin::CommandSubstitution),
            ("pwd", Origin::CommandSubstitution),
            ("ls", Origin::ProcessSubstitution),
            ("tee", Origin::ProcessSubstitution),
        ] {
            let c = find(&cl, p);
            assert_eq!(c.origin, origin, "{p}");
            assert_eq!(c.depth, 1, "{p}");
            assert_eq!(c.parent, Some(0), "{p}");
        }
        assert!(find(&cl, "sh").piped_in);
        let nested = parse("a $(b $(c `d \\`e\\``))");
        assert_eq!(find(&nested, "e").depth, 4);
    }

    #[test]
    fn subshells_groups_and_functions() {
        let cl = parse("(cd x && make) | tee log; { a; b; } > out; f() { g | h & }; f");
        assert!(cl.is_complete(), "{:?}", cl.issues);
        let sub = &cl.commands[0];
        assert_eq!(sub.kind, CommandKind::Subshell);
        assert!(sub.piped_out);
        assert!(
            find(&cl, "make").piped_out,
            "last command of a piped subshell pipes out"
        );
        assert!(!find(&cl, "make").piped_in);
        let group = cl
            .commands
            .iter()
            .find(|c| c.kind == CommandKind::Group)
            .unwrap();
        assert_eq!(group.redirects[0].target, "out");
        assert_eq!(find(&cl, "a").origin, Origin::Group);
        let def = cl
            .commands
            .iter()
            .position(|c| matches!(&c.kind, CommandKind::Function { name } if name == "f"))
            .unwrap();
        let g = find(&cl, "g");
        assert!(cl.is_within(
            cl.commands.iter().position(|c| c.program == "g").unwrap(),
            def
        ));
        assert!(g.background && g.piped_out);
        let bomb = parse(":(){ :|:& };:");
        assert!(bomb.is_complete(), "{:?}", bomb.issues);
        assert!(matches!(&bomb.commands[0].kind, CommandKind::Function { name } if name == ":"));
        assert!(
            bomb.commands
                .iter()
                .any(|c| c.program == ":" && c.depth == 2 && c.background)
        );
        assert_eq!(bomb.commands.last().unwrap().depth, 0);
        let kw = parse("function bomb { bomb | bomb & }; bomb");
        assert!(kw.is_complete(), "{:?}", kw.issues);
        assert!(matches!(&kw.commands[0].kind, CommandKind::Function { name } if name == "bomb"));
    }

    #[test]
    fn piped_input_flows_into_compounds() {
        let cl = parse("curl -s x | (cd /tmp; sh)");
        let i = cl.commands.iter().position(|c| c.program == "sh").unwrap();
        assert!(cl.commands[i].piped_in);
        assert!(
            cl.upstream(i)
                .iter()
                .any(|&u| cl.commands[u].program == "curl")
        );
        let fed = cl.piped_from_any(|c| c.program == "curl");
        assert!(fed[i]);
        let cl = parse("echo \"$(curl x)\" | tee f | bash");
        let fed = cl.piped_from_any(|c| c.program == "curl");
        let b = cl
            .commands
            .iter()
            .position(|c| c.program == "bash")
            .unwrap();
        assert!(fed[b]);
        assert!(!fed[0]);
        let cl = parse("curl x > f; bash f");
        assert!(
            !cl.piped_from_any(|c| c.program == "curl")
                .iter()
                .any(|&x| x)
        );
    }

    #[test]
    fn shell_strings_and_eval_are_parsed() {
        for (line, origin) in [
            ("sh -c 'rm -rf /'", Origin::ShellString),
            ("bash -lc \"cd / && rm -rf /\"", Origin::ShellString),
            ("zsh -o pipefail -c 'rm -rf /'", Origin::ShellString),
            ("dash -c -- 'rm -rf /'", Origin::ShellString),
            ("su root -c 'rm -rf /'", Origin::ShellString),
            ("eval rm -rf /", Origin::Eval),
            ("eval \"rm -rf /\"", Origin::Eval),
            ("sudo -s rm -rf /", Origin::ShellString),
            ("watch -n 1 'rm -rf /'", Origin::ShellString),
            ("env -S 'rm -rf /'", Origin::ShellString),
            ("busybox sh -c 'rm -rf /'", Origin::ShellString),
            ("find . -exec rm -rf {} \\;", Origin::FindExec),
            ("xargs -0 sh -c 'rm -rf /'", Origin::ShellString),
        ] {
            let cl = parse(line);
            assert!(cl.is_complete(), "{line}: {:?}", cl.issues);
            let rm = find(&cl, "rm");
            assert_eq!(rm.origin, origin, "{line}");
            assert!(rm.depth >= 1, "{line}");
            if origin != Origin::FindExec {
                assert_eq!(argv(rm), ["rm", "-rf", "/"], "{line}");
            }
        }
        assert!(!parse("bash script.sh -c x").programs().any(|p| p == "x"));
        assert!(!parse("echo sh -c 'rm -rf /'").programs().any(|p| p == "rm"));
    }

    #[test]
    fn substitutions_in_shell_strings_are_not_analysed_twice() {
        let cl = parse("sh -c \"$(curl -s x)\"");
        assert_eq!(
            cl.commands.iter().filter(|c| c.program == "curl").count(),
            1
        );
        assert!(cl.commands.iter().any(|c| c.program_dynamic));
        let cl = parse("sh -c 'echo $(curl -s x)'");
        assert_eq!(
            cl.commands.iter().filter(|c| c.program == "curl").count(),
            1
        );
    }

    #[test]
    fn wrappers_are_unwrapped() {
        let cases: &[(&str, &[&str], &[&str])] = &[
            ("sudo -u root -E rm -rf /", &["sudo"], &["rm", "-rf", "/"]),
            ("sudo --user=root -- rm x", &["sudo"], &["rm", "x"]),
            ("doas -u bob rm x", &["doas"], &["rm", "x"]),
            ("env -i PATH=/bin FOO=1 rm x", &["env"], &["rm", "x"]),
            (
                "nice -n 10 ionice -c3 rm x",
                &["nice", "ionice"],
                &["rm", "x"],
            ),
            ("nice -5 rm x", &["nice"], &["rm", "x"]),
            ("nohup time -p rm x", &["nohup", "time"], &["rm", "x"]),
            (
                "timeout -s KILL --kill-after=5 30s rm x",
                &["timeout"],
                &["rm", "x"],
            ),
            ("timeout 10 rm x", &["timeout"], &["rm", "x"]),
            ("command rm x", &["command"], &["rm", "x"]),
            ("exec -a foo rm x", &["exec"], &["rm", "x"]),
            ("xargs -0 -n 1 -I {} rm {}", &["xargs"], &["rm", "{}"]),
            ("stdbuf -oL -e 0 rm x", &["stdbuf"], &["rm", "x"]),
            ("chroot /mnt rm x", &["chroot"], &["rm", "x"]),
            (
                "sudo nice -n 5 /bin/rm x",
                &["sudo", "nice"],
                &["/bin/rm", "x"],
            ),
            ("setsid -f rm x", &["setsid"], &["rm", "x"]),
            ("watch -x rm x", &["watch"], &["rm", "x"]),
            ("xargs", &["xargs"], &["echo"]),
        ];
        for (line, wrappers, rest) in cases {
            let c = only(line);
            let w: Vec<_> = c.wrappers.iter().map(|w| w.program.as_str()).collect();
            assert_eq!(&w, wrappers, "{line}");
            assert_eq!(&argv(&c), rest, "{line}");
        }
        let c = only("env -i PATH=/bin rm x");
        assert_eq!(c.assignments[0].name, "PATH");
        assert_eq!(only("sudo -u root -E rm x").wrappers[0].args.len(), 3);
        for line in [
            "command -v rm",
            "sudo -l",
            "sudo",
            "env",
            "timeout 5",
            "sudo -e /etc/hosts",
            "nohup",
        ] {
            let c = only(line);
            assert!(c.wrappers.is_empty(), "{line}");
        }
        assert_eq!(only("sudo -i").program, "sudo");
    }

    #[test]
    fn keywords_and_compound_commands() {
        let cl = parse("if [ -f x ]; then rm -rf build; else echo no; fi");
        assert!(cl.is_complete(), "{:?}", cl.issues);
        assert_eq!(cl.programs().collect::<Vec<_>>(), ["[", "rm", "echo"]);
        let cl = parse("for f in *.o; do rm \"$f\"; done | sort");
        assert!(cl.is_complete(), "{:?}", cl.issues);
        assert!(cl.programs().any(|p| p == "rm"));
        let cl = parse("while read l; do echo \"$l\"; done < list.txt");
        assert!(cl.is_complete(), "{:?}", cl.issues);
        let cl =
            parse("case \"$1\" in start|run) go ;; (stop) rm -rf /;; *) echo \"?\";; esac; ls");
        assert!(cl.is_complete(), "{:?}", cl.issues);
        assert_eq!(find(&cl, "rm").origin, Origin::CaseArm);
        assert_eq!(find(&cl, "ls").depth, 0);
        let cl = parse("[[ $x == a && ( $y < b || -f z ) ]] && rm x");
        assert!(cl.is_complete(), "{:?}", cl.issues);
        assert_eq!(cl.programs().collect::<Vec<_>>(), ["[[", "rm"]);
        assert!(!cl.commands[0].program_dynamic);
        let cl = parse("((i++)); for ((i=0; i<3; i++)); do echo $((i*2)); done; ! false");
        assert!(cl.is_complete(), "{:?}", cl.issues);
        assert!(cl.programs().any(|p| p == "false"));
        let cl = parse("((cd a); (cd b))");
        assert!(cl.is_complete(), "{:?}", cl.issues);
        assert_eq!(cl.programs().collect::<Vec<_>>(), ["cd", "cd"]);
        assert_eq!(cl.commands[0].kind, CommandKind::Subshell);
        let cl = parse("$((cd a); echo b)");
        assert!(cl.programs().any(|p| p == "echo"));
    }

    #[test]
    fn globs_braces_and_tilde_are_dynamic() {
        let c = only("rm -rf /* ~/x /{usr,etc} a[0-9] 'q*' {} {a} x=~/y");
        let w = &c.argv;
        assert_eq!(w[2].static_prefix(), "/");
        assert_eq!(w[3].static_prefix(), "");
        assert_eq!(w[3].dynamic_spans().next(), Some(0..1));
        assert_eq!(w[4].static_prefix(), "/");
        assert!(w[5].is_dynamic());
        assert!(!w[6].is_dynamic());
        assert!(!w[7].is_dynamic() && !w[8].is_dynamic());
        assert!(w[9].is_dynamic(), "~ after NAME= is expanded");
        assert!(!only("echo a~b").argv[1].is_dynamic());
        assert!(!only("[ -f x ]").program_dynamic);
    }

    #[test]
    fn option_helpers() {
        let c = only("rm -r -f --no-preserve-root -- -x /");
        assert!(c.has_flag('r') && c.has_flag('f') && !c.has_flag('x'));
        assert!(c.has_long("no-preserve-root") && !c.has_long("no"));
        let ops: Vec<_> = c.operands().map(|w| w.text.as_str()).collect();
        assert_eq!(ops, ["-x", "/"]);
        assert!(only("git push --force-with-lease=main").has_long("force-with-lease"));
        assert_eq!(only("sudo rm -rf /").to_string(), "sudo rm -rf /");
        assert_eq!(only("echo 'a b' > f").to_string(), "echo 'a b' >f");
        assert_eq!(
            parse("bash <(curl -s x)").commands[0].to_string(),
            "bash <(curl -s x)"
        );
        assert_eq!(
            only("ls \"$HOME/my dir\" '$x' '*'").to_string(),
            "ls \"$HOME/my dir\" '$x' '*'"
        );
    }

    #[test]
    fn unbalanced_input_is_flagged_not_fatal() {
        for (line, issue) in [
            ("echo 'abc", Issue::UnclosedQuote),
            ("echo \"abc", Issue::UnclosedQuote),
            ("echo $'abc", Issue::UnclosedQuote),
            ("echo `abc", Issue::UnclosedQuote),
            ("echo $(abc", Issue::UnclosedSubstitution),
            ("echo $((1 + 2", Issue::UnclosedSubstitution),
            ("echo ${abc", Issue::UnclosedSubstitution),
            ("cat <(abc", Issue::UnclosedSubstitution),
            ("(abc", Issue::UnclosedGroup),
            ("{ abc;", Issue::UnclosedGroup),
            ("case x in a) b;;", Issue::UnclosedGroup),
            ("[[ -f x", Issue::UnclosedGroup),
            ("abc )", Issue::UnexpectedToken),
            ("| abc", Issue::UnexpectedToken),
            ("abc |", Issue::UnexpectedToken),
            ("a ;; b", Issue::UnexpectedToken),
            ("a\0b", Issue::NulByte),
        ] {
            let cl = parse(line);
            assert!(cl.issues.contains(&issue), "{line:?}: {:?}", cl.issues);
            assert!(!cl.is_complete());
        }
        // Best effort: what could be read is still there.
        let cl = parse("rm -rf / 'oops");
        assert_eq!(argv(&cl.commands[0])[..3], ["rm", "-rf", "/"]);
    }

    fn assert_bounded(line: &str) -> CommandLine {
        let cl = parse(line);
        assert!(cl.commands.len() <= MAX_COMMANDS);
        assert!(cl.commands.iter().all(|c| c.depth <= MAX_DEPTH + 1));
        for (i, c) in cl.commands.iter().enumerate() {
            assert!(c.parent.is_none_or(|p| p < i));
            assert!(c.pipeline < cl.pipelines.len());
        }
        cl
    }

    #[test]
    fn hostile_input_never_panics_and_stays_bounded() {
        let n = 10_000;
        let deep: Vec<String> = vec![
            format!("{}x{}", "(".repeat(n), ")".repeat(n)),
            "(".repeat(n),
            ")".repeat(n),
            format!("{}x{}", "$(".repeat(n), ")".repeat(n)),
            "$(".repeat(n),
            "$((".repeat(n),
            "((".repeat(n),
            "${".repeat(n),
            format!("{}x", "{ ".repeat(n)),
            "`".repeat(n),
            "<(".repeat(n),
            format!("{}x", "sh -c ".repeat(n)),
            format!("{}rm -rf /", "eval ".repeat(n)),
            format!("{}", "case x in x) ".repeat(n)),
            format!("{}x", "f() ".repeat(n)),
            format!("{}", "a=(".repeat(n)),
            format!("{}", "[[ ".repeat(n)),
            format!("{}", "@(".repeat(n)),
            format!("x {}", "\\".repeat(n)),
            format!("{}", "$'\\".repeat(n)),
            format!("cat {}", "<<E\n".repeat(n)),
            "find . -exec ".repeat(n),
            "sudo -s ".repeat(n),
            format!("sh -c \"{}\"", "$(sh -c \\\"".repeat(40)),
            format!("{}x", "bash -c 'sudo -s ".repeat(n)),
        ];
        for line in &deep {
            let cl = assert_bounded(line);
            assert!(
                !cl.is_complete() || cl.commands.len() < 10,
                "{}",
                &line[..20]
            );
        }
        let cl = assert_bounded(&format!("{}rm -rf /", "sudo -s ".repeat(40)));
        assert!(cl.issues.contains(&Issue::TooDeep));
        let cl = assert_bounded(&format!("{}rm -rf /", "sudo -s ".repeat(20)));
        assert!(cl.is_complete(), "{:?}", cl.issues);
        assert_eq!(cl.commands.last().unwrap().program, "rm");
    }

    #[test]
    fn huge_input_is_bounded() {
        let mb = 1 << 20;
        let lines = [
            "a ".repeat(mb / 2),
            "a;".repeat(mb / 2),
            "x".repeat(mb),
            "echo ".to_string() + &"'x".repeat(mb / 2),
            "|".repeat(mb),
            ";".repeat(mb),
            "a|".repeat(mb / 2),
            "$x".repeat(mb / 2),
            "*".repeat(mb),
            "[".repeat(mb),
            "{a,".repeat(mb / 3),
            "\0".repeat(mb),
            "é".repeat(mb / 2),
            "x".repeat(mb + 10),
            format!("cat <<E\n{}", "line\n".repeat(mb / 5)),
        ];
        for line in &lines {
            let cl = assert_bounded(line);
            for c in &cl.commands {
                let _ = c.to_string();
            }
        }
        assert!(
            parse(&"x".repeat(MAX_LEN + 1))
                .issues
                .contains(&Issue::TooLarge)
        );
        assert!(
            parse(&"a;".repeat(MAX_COMMANDS + 1))
                .issues
                .contains(&Issue::TooLarge)
        );
    }

    #[test]
    fn pseudo_random_input_never_panics() {
        let alphabet: &[&str] = &[
            "a",
            " ",
            "'",
            "\"",
            "\\",
            "$",
            "(",
            ")",
            "{",
            "}",
            "`",
            "|",
            "&",
            ";",
            "<",
            ">",
            "\n",
            "#",
            "*",
            "[",
            "]",
            "=",
            "~",
            ",",
            ".",
            "$(",
            "$((",
            "${",
            "<<",
            "EOF",
            "sh -c ",
            "eval ",
            "case ",
            " in ",
            "esac",
            "sudo ",
            "-",
            "é",
            "\0",
            "((",
            "))",
            "[[",
            "]]",
            "f()",
            "function ",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..3000 {
            let mut line = String::new();
            let len = (seed % 60) as usize;
            for _ in 0..len {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                line.push_str(alphabet[(seed % alphabet.len() as u64) as usize]);
            }
            let cl = assert_bounded(&line);
            for c in &cl.commands {
                let _ = c.to_string();
                for w in &c.argv {
                    let _ = w.static_prefix();
                }
            }
            let _ = cl.piped_from_any(|c| c.program == "a");
            for i in 0..cl.commands.len() {
                let _ = cl.upstream(i);
            }
        }
    }
}
