//! Words: quoting (`'…'`, `"…"`, `$'…'` with its escapes decoded, `$"…"`,
//! backslashes), expansions and substitutions kept as written and marked
//! dynamic, globs, brace lists, `~`, extglobs, `name=( … )` arrays, and
//! where an assignment's `=` is.

use super::Parser;
use crate::shell::MAX_WORDS;
use crate::shell::model::{Issue, Origin, Word, is_name};

/// A word being read.
#[derive(Default)]
pub(super) struct WordBuf {
    pub(super) bytes: Vec<u8>,
    quoted: bool,
    pub(super) spans: Vec<(usize, usize)>,
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

impl Parser<'_, '_> {
    /// Reads one word; `None` when there is none at the cursor (or the word
    /// budget is spent). `cond` reads inside `[[ ]]`, where operators are
    /// words; `arrays` allows `name=( … )`.
    pub(super) fn lex_word(
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

    pub(super) fn lex_single(&mut self, w: &mut WordBuf) {
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
    pub(super) fn lex_dq(&mut self, w: &mut WordBuf, owner: usize, term: Option<u8>) -> bool {
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

    pub(super) fn lex_dollar(&mut self, w: &mut WordBuf, owner: usize, in_dq: bool) {
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

    pub(super) fn lex_backtick(&mut self, w: &mut WordBuf, owner: usize) {
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
}
