//! Nested sources: `$( … )`, backquotes and process substitutions parsed as
//! command lists, the insides of `${…}`, `$[…]` and `((…))` scanned for
//! substitutions, strings re-parsed as command lines (`sh -c`, `eval`), and
//! here-document bodies; all within the shared depth and work budgets.

use super::words::WordBuf;
use super::{Ctx, End, Parser};
use crate::shell::model::{Issue, Origin};

impl Parser<'_, '_> {
    /// After `$(` or `<(`/`>(` (which starts at `st`): the nested commands.
    pub(super) fn substitution(&mut self, owner: usize, origin: Origin, st: usize) {
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
    pub(super) fn arith_ahead(&self, pos: usize) -> bool {
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
    pub(super) fn scan_arith(&mut self, owner: usize) -> bool {
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
    pub(super) fn scan_braced(&mut self, owner: usize, open: u8, close: u8) -> bool {
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

    /// Parses `text` (a `sh -c` string, backquotes, `eval` arguments) as a
    /// command line nested in `owner`.
    pub(super) fn parse_nested(
        &mut self,
        text: &str,
        spans: &[(usize, usize)],
        owner: usize,
        origin: Origin,
    ) {
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
    pub(super) fn scan_heredoc(&mut self, text: &str, owner: usize) {
        if text.len() > self.out.budget {
            self.issue(Issue::TooLarge);
            return;
        }
        self.out.budget -= text.len();
        let mut p = Parser::new(text.as_bytes(), &[], &mut *self.out);
        let mut junk = WordBuf::default();
        p.lex_dq(&mut junk, owner, None);
    }
}
