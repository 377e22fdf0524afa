//! Lists, pipelines and simple commands: control operators, background
//! jobs, `|&`, keywords at command position, assignments, redirects (and
//! the here-documents they announce), and finishing a simple command —
//! unwrapping it, naming its program and parsing the commands it runs.

use super::{Ctx, End, Heredoc, Op, Parser};
use crate::shell::MAX_WORDS;
use crate::shell::model::{
    Assignment, Command, CommandKind, Issue, Origin, Pipeline, Redirect, RedirectOp, Word,
    without_exe,
};
use crate::shell::nested::{fd_execs, find_execs, nested_strings, with_positionals};
use crate::shell::wrappers::unwrap;

use super::program_paths::{MAX_COPIES, is_own_shell, program_copy, same_path};

impl Parser<'_, '_> {
    /// Parses commands until `end`; returns whether `end` was found.
    pub(super) fn parse_list(&mut self, ctx: Ctx, end: End) -> bool {
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

    pub(super) fn parse_pipeline(&mut self, ctx: Ctx) -> Option<usize> {
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
                "!" | "if" | "then" | "else" | "elif" | "coproc" => {}
                "while" | "until" | "do" | "done" => self.loop_keyword(kw),
                "fi" | "esac" => closer = true,
                _ => break,
            }
            closer |= kw == "done";
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

    /// Parses a nested list one level deeper; when too deep, skips it.
    pub(super) fn nested_list(&mut self, ctx: Ctx, end: End) -> bool {
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

    pub(super) fn try_redirect(&mut self, slot: usize) -> bool {
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

    /// Unwraps a simple command, names its program and parses what it runs.
    fn finish_command(&mut self, slot: usize) {
        let cmd = &mut self.out.cl.commands[slot];
        if cmd.kind != CommandKind::Simple {
            return;
        }
        split_first_word(cmd);
        unwrap(cmd);
        if let Some(w) = cmd.argv.first() {
            let base = w.text.rfind('/').map_or(0, |p| p + 1);
            let dynamic = w.spans.iter().any(|&(_, e)| e > base);
            cmd.program = if dynamic {
                w.text.clone()
            } else {
                // `curl.exe` is `curl`, as Windows runs it.
                without_exe(&w.text[base..]).to_string()
            };
            cmd.program_dynamic = dynamic;
            // `/proc/self/exe -c '…'`: the shell running the line, run again.
            if is_own_shell(&w.text) {
                cmd.program = "bash".to_string();
                cmd.program_dynamic = false;
            }
        }
        if !cmd.program_dynamic {
            // `cp /bin/rm ./safe && ./safe -rf ~`: the copy runs as `rm`.
            if let Some(w) = cmd.argv.first().filter(|w| w.text.contains('/'))
                && let Some((_, original)) = self
                    .out
                    .copies
                    .iter()
                    .rev()
                    .find(|(dest, _)| same_path(dest, &w.text))
            {
                cmd.program = original.clone();
            }
            if let Some(copy) = program_copy(cmd)
                && self.out.copies.len() < MAX_COPIES
            {
                self.out.copies.push(copy);
            }
        }
        let cmd = &mut self.out.cl.commands[slot];
        let mut jobs = nested_strings(cmd);
        // `f() { rm -rf "$1"; }; f ~`: the body, given these arguments.
        if !cmd.program_dynamic
            && cmd.argv.len() > 1
            && let Some((_, body)) = self
                .out
                .functions
                .iter()
                .rev()
                .find(|(n, _)| *n == cmd.program)
        {
            let filled = with_positionals(&Word::literal(body.as_str()), &cmd.argv, false);
            if filled.text != *body {
                jobs.push((filled, Origin::ShellString));
            }
        }
        let execs = match cmd.program.as_str() {
            _ if cmd.program_dynamic => Vec::new(),
            "find" => find_execs(&cmd.argv),
            "fd" | "fdfind" => fd_execs(&cmd.argv),
            _ => Vec::new(),
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

/// Words a shell makes of the first one before running it: a brace group
/// (`{rm,-rf,/srv}` is `rm -rf /srv`) and `$IFS` between words
/// (`rm${IFS}-rf${IFS}/srv`), when the line does not set `IFS` itself.
fn split_first_word(cmd: &mut Command) {
    let Some(first) = cmd.argv.first() else {
        return;
    };
    let t = &first.text;
    let words: Vec<String> = if !first.quoted
        && t.starts_with('{')
        && t.ends_with('}')
        && t.contains(',')
        && !t[1..t.len() - 1].contains(['{', '}', '$', '`'])
    {
        t[1..t.len() - 1].split(',').map(str::to_string).collect()
    } else if first
        .spans
        .iter()
        .any(|&(s, e)| matches!(&t[s..e], "$IFS" | "${IFS}"))
        && !cmd.assignments.iter().any(|a| a.name == "IFS")
    {
        // The words between, read again as words (`$HOME` stays an
        // expansion).
        let text = t.replace("${IFS}", " ").replace("$IFS", " ");
        let line = crate::shell::parse(&text);
        if let [one] = line.commands.as_slice()
            && one.argv.len() >= 2
            && line.is_complete()
        {
            let rest: Vec<Word> = cmd.argv.drain(1..).collect();
            cmd.argv = one.argv.iter().cloned().chain(rest).collect();
        }
        return;
    } else {
        return;
    };
    if words.len() < 2 || words.iter().any(String::is_empty) {
        return;
    }
    let rest: Vec<Word> = cmd.argv.drain(1..).collect();
    cmd.argv = words.into_iter().map(Word::literal).chain(rest).collect();
}
