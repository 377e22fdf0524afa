//! Compound commands: `( … )` and `(( … ))` at command position and the
//! redirects after them, function definitions (`name() body`, `function
//! name body`), the arms of `case … esac`, and where loops (`while`,
//! `until`, `for`, `select`) start and end.

use super::{Ctx, End, OpenLoop, Parser};
use crate::shell::model::{CommandKind, Issue, Loop, Origin};

/// Function bodies remembered per line, at most.
const MAX_FUNCTIONS: usize = 16;

impl Parser<'_, '_> {
    /// `( … )` or `(( … ))` at command position.
    pub(super) fn paren_command(&mut self, ctx: Ctx) -> Option<usize> {
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

    pub(super) fn empty_parens_ahead(&self) -> bool {
        let mut k = self.i + 1;
        while matches!(self.s.get(k), Some(b' ' | b'\t')) {
            k += 1;
        }
        self.s.get(k) == Some(&b')')
    }

    /// `name ( )` seen at the cursor's `(`: the definition and its body.
    pub(super) fn function_def(&mut self, slot: usize, ctx: Ctx) {
        self.bump(1);
        self.skip_blanks();
        self.bump(1);
        let cmd = &mut self.out.cl.commands[slot];
        let name = cmd.argv.pop().map(|w| w.text).unwrap_or_default();
        cmd.kind = CommandKind::Function { name };
        self.function_body(slot, ctx);
    }

    /// `function name [()] body`, after `function`.
    pub(super) fn function_keyword(&mut self, slot: usize, ctx: Ctx) {
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
        let start = self.i;
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
        if let CommandKind::Function { name } = &self.out.cl.commands[slot].kind
            && self.out.functions.len() < MAX_FUNCTIONS
        {
            let body = String::from_utf8_lossy(&self.s[start..self.i.min(self.s.len())]);
            self.out.functions.push((name.clone(), body.into_owned()));
        }
    }

    /// The arms of `case WORD in … esac`, after `in`.
    pub(super) fn case_arms(&mut self, slot: usize, ctx: Ctx) {
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

    /// Records where loops start and end: `while`/`until` open one whose
    /// header is the commands up to `do`; a `do` with no open header
    /// belongs to the `for`/`select` command just parsed; `done` closes
    /// the innermost.
    pub(super) fn loop_keyword(&mut self, kw: &str) {
        let here = self.out.cl.commands.len();
        match kw {
            "while" | "until" => self.loops.push(OpenLoop {
                header: here,
                until: kw == "until",
                body: None,
            }),
            "do" => match self.loops.last_mut() {
                Some(open) if open.body.is_none() => open.body = Some(here),
                _ => {
                    let header = self.out.cl.commands[..here]
                        .iter()
                        .rposition(|c| {
                            c.argv
                                .first()
                                .is_some_and(|w| w.is_plain("for") || w.is_plain("select"))
                        })
                        .unwrap_or(here.saturating_sub(1));
                    self.loops.push(OpenLoop {
                        header,
                        until: false,
                        body: Some(here),
                    });
                }
            },
            _ => {
                if let Some(OpenLoop {
                    header,
                    until,
                    body: Some(body),
                }) = self.loops.pop()
                {
                    self.out.cl.loops.push(Loop {
                        header: header..body,
                        body: body..here,
                        until,
                    });
                }
            }
        }
    }
}
