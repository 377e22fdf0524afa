//! The parser's state and cursor: the output being built ([`Out`]), the
//! context a command is parsed in ([`Ctx`]), operator and keyword
//! look-ahead, blanks and comments, here-document bodies, and skipping
//! balanced text that is not analysed. The grammar lives in the children:
//! lists and simple commands in [`commands`], compound commands in
//! [`compound`], words in [`words`], substitutions and re-parsed sources in
//! [`nested`].

mod commands;
mod compound;
mod nested;
mod program_paths;
mod words;

use crate::shell::model::{Command, CommandKind, CommandLine, Issue, Origin, Pipeline};
use crate::shell::relations::inherits_stdio;
use crate::shell::{MAX_COMMANDS, MAX_DEPTH, MAX_LEN, WORK_BUDGET};

/// See [`super::parse`].
pub(super) fn parse(line: &str) -> CommandLine {
    let mut out = Out {
        cl: CommandLine::default(),
        words: 0,
        budget: WORK_BUDGET,
        nest: 0,
        stopped: false,
        functions: Vec::new(),
        copies: Vec::new(),
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

/// What one [`parse`] builds, shared by every nested [`Parser`].
struct Out {
    cl: CommandLine,
    words: usize,
    budget: usize,
    nest: usize,
    stopped: bool,
    /// Functions defined so far, by name, with their bodies' source: a
    /// call with arguments is its body with the positional parameters
    /// filled in (`f() { rm -rf "$1"; }; f ~`).
    functions: Vec<(String, String)>,
    /// Programs copied or linked under another name so far (`cp /bin/rm
    /// ./safe`): the new path as written and the program's name, so that
    /// running the copy (`./safe -rf ~`) runs that program.
    copies: Vec<(String, String)>,
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

/// Where a command is parsed: its depth, the command it is nested in and
/// how.
#[derive(Clone, Copy)]
struct Ctx {
    depth: usize,
    parent: Option<usize>,
    origin: Origin,
}

/// What closes the list being parsed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum End {
    Eof,
    Paren,
    Brace,
    CaseArm,
}

/// A control operator (or parenthesis) at the cursor.
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

/// A here-document announced on the current line: its body starts after
/// the next newline.
struct Heredoc {
    cmd: usize,
    redirect: usize,
    delim: Vec<u8>,
    strip_tabs: bool,
    expand: bool,
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
}

/// A cursor over one source (the line, or a string nested in it) that
/// records what it reads in the shared [`Out`].
struct Parser<'a, 'o> {
    s: &'a [u8],
    i: usize,
    /// Dynamic spans of the word this source came from: substitutions
    /// starting there were already analysed where the word was read.
    skip: &'a [(usize, usize)],
    heredocs: Vec<Heredoc>,
    /// Cache for [`Parser::bracket_ahead`]: the next `]` or word end.
    bracket: (usize, bool),
    /// Loops opened in this source and not yet closed by `done`.
    loops: Vec<OpenLoop>,
    out: &'o mut Out,
}

/// A loop whose `done` is still to come: where its header starts, whether
/// it is an `until` loop, and where its body starts once `do` is read.
struct OpenLoop {
    header: usize,
    until: bool,
    body: Option<usize>,
}

impl<'a, 'o> Parser<'a, 'o> {
    fn new(s: &'a [u8], skip: &'a [(usize, usize)], out: &'o mut Out) -> Self {
        Parser {
            s,
            i: 0,
            skip,
            heredocs: Vec::new(),
            bracket: (0, false),
            loops: Vec::new(),
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
}
