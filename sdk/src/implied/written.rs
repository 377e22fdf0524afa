//! Files a command line writes from literal text — `echo … > f`,
//! `printf … >> f`, `cat > f <<EOF … EOF`, `tee f <<< …` — are writes like a
//! file tool's: one that is a script by its name or its shebang is judged by
//! the commands it holds, now, as the write of a file tool would be. One the
//! same line then runs (`sh f`, `bash f`, `source f`, `. f`, `./f`,
//! `python3 f`, `make -f f`) is read as what runs it reads it, whatever its name:
//! `echo 'pkill clawlaw' > /tmp/x && sh /tmp/x` is `pkill clawlaw`.
//!
//! The common case costs a few substring checks: a line is parsed only when
//! it holds a write redirection or `tee` and one of the writing programs.

use super::Sink;
use super::scripts::{self, Format};
use crate::shell::{self, Command, CommandKind, RedirectOp};

/// Most literal writes remembered for one line.
const MAX_WRITES: usize = 32;
/// Most bytes of one write kept.
const MAX_TEXT: usize = 1 << 16;

/// Lists, into `sink`, the scripts `command` writes and the ones it runs.
pub(super) fn scripts(command: &str, sink: &mut Sink) {
    if !may_write(command) {
        return;
    }
    let line = shell::parse(command);
    let mut written: Vec<(String, String)> = Vec::new();
    for c in &line.commands {
        if let Some((file, format)) = runs_file(c)
            && let Some((path, text)) = written.iter().rev().find(|(f, _)| *f == file)
        {
            sink.script_as(format, path, text, "", false);
        }
        literal_writes(c, &mut written);
    }
    for (path, text) in &written {
        sink.scripts_written(path, text, "");
    }
}

/// The files `command` writes from literal text, with the text: what
/// [`super::programs`] reads for the programs a line writes.
pub(super) fn files(command: &str) -> Vec<(String, String)> {
    let mut written = Vec::new();
    if may_write(command) {
        for c in &shell::parse(command).commands {
            literal_writes(c, &mut written);
        }
    }
    written
}

/// Whether `command` may write a file from literal text: a write
/// redirection or `tee`, and one of the writing programs (a few substring
/// checks, so most lines are never parsed here).
fn may_write(command: &str) -> bool {
    let writes = command.contains('>') || crate::text::contains(command, "tee");
    writes && crate::text::contains_any(command, &["echo", "printf", "cat", "tee"])
}

/// The file `c` runs and how it reads it: `sh f`, `bash -e f`, `source f`,
/// `. f`, `python3 f` (its first operand); `./f` or `/tmp/f` as the program
/// (a shell script, unless its shebang says otherwise, which the written
/// text's format decides).
fn runs_file(c: &Command) -> Option<(String, Format)> {
    if c.kind != CommandKind::Simple || c.program_dynamic {
        return None;
    }
    let program = c.program.as_str();
    // `make -f FILE`, `make --file=FILE`: its recipes run.
    if matches!(program, "make" | "gmake") {
        let args = c.args();
        let file = args.iter().enumerate().find_map(|(k, w)| {
            let t = w.text.as_str();
            match t {
                "-f" | "--file" | "--makefile" => args.get(k + 1).map(|v| v.text.clone()),
                _ => t
                    .strip_prefix("--file=")
                    .or_else(|| t.strip_prefix("--makefile="))
                    .or_else(|| t.strip_prefix("-f").filter(|v| !v.is_empty()))
                    .map(str::to_string),
            }
        })?;
        return Some((normalise(&file), Format::Makefile));
    }
    if let Some(format) = scripts::run_by(program) {
        // `sh -c '…'`, `python3 -c …`, `node -e …`: the code is inline,
        // judged as the command line it is.
        let inline = match format {
            Format::Interpreter { flag, .. } => flag.trim_start_matches('-'),
            _ => "c",
        };
        if inline.chars().any(|f| c.has_flag(f)) || c.has_long("eval") {
            return None;
        }
        let file = c.operands().next()?;
        return Some((normalise(&file.text), format));
    }
    let first = c.argv.first()?;
    first
        .text
        .contains('/')
        .then(|| (normalise(&first.text), Format::Shell))
}

/// Remembers the literal text `c` writes to files, as `(file, text)`: the
/// file as written (without leading `./`), the text as the program prints it
/// (`printf`'s format filled, `echo -e`'s escapes read), at most
/// 64 KiB of it, and at most 32 writes in `written`.
pub fn literal_writes(c: &Command, written: &mut Vec<(String, String)>) {
    if c.kind != CommandKind::Simple || c.program_dynamic || written.len() >= MAX_WRITES {
        return;
    }
    let p = c.program.as_str();
    let mut text = match p {
        "echo" => {
            let words: Vec<&str> = c.operands().map(|w| w.text.as_str()).collect();
            let joined = words.join(" ");
            let mut t = if c.has_flag('e') {
                unescape(&joined)
            } else {
                joined
            };
            if !c.has_flag('n') {
                t.push('\n');
            }
            t
        }
        "printf" => {
            let mut words = c.operands().map(|w| w.text.as_str());
            let Some(format) = words.next() else { return };
            printf(format, &words.collect::<Vec<_>>())
        }
        // `cp /dev/stdin run.sh <<< '…'`: the input, copied.
        "cp" if c
            .operands()
            .next()
            .is_some_and(|w| matches!(w.text.as_str(), "/dev/stdin" | "-")) =>
        {
            let Some(t) = c.redirects.iter().find_map(|r| match r.op {
                RedirectOp::HereDoc => r.here_doc.clone(),
                RedirectOp::HereString => Some(r.target.text.clone() + "\n"),
                _ => None,
            }) else {
                return;
            };
            if let Some(dest) = c.operands().nth(1)
                && written.len() < MAX_WRITES
            {
                written.push((normalise(&dest.text), t));
            }
            return;
        }
        "cat" | "tee" => match c.redirects.iter().find_map(|r| match r.op {
            RedirectOp::HereDoc => r.here_doc.clone(),
            RedirectOp::HereString => Some(r.target.text.clone() + "\n"),
            _ => None,
        }) {
            Some(t) => t,
            None => return,
        },
        _ => return,
    };
    if text.len() > MAX_TEXT {
        let mut end = MAX_TEXT;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    let mut files: Vec<String> = c
        .redirects
        .iter()
        .filter(|r| r.op.writes_file() && r.fd.is_none_or(|f| f == 1))
        .map(|r| normalise(&r.target.text))
        .collect();
    if p == "tee" {
        files.extend(c.operands().map(|w| normalise(&w.text)));
    }
    for f in files {
        if written.len() < MAX_WRITES {
            written.push((f, text.clone()));
        }
    }
}

/// What `printf FORMAT ARGS…` prints: the format's escapes read, and its
/// conversions (`%s`, `%b`, `%d`, …) filled with the arguments in turn, the
/// format reused while arguments are left, as printf does.
pub fn printf(format: &str, args: &[&str]) -> String {
    let format = unescape(format);
    let mut out = String::new();
    let mut next = 0;
    loop {
        let mut chars = format.chars().peekable();
        let mut used = false;
        while let Some(ch) = chars.next() {
            if ch != '%' {
                out.push(ch);
                continue;
            }
            if chars.peek() == Some(&'%') {
                chars.next();
                out.push('%');
                continue;
            }
            // Flags, width and precision, then the conversion letter.
            while chars
                .peek()
                .is_some_and(|c| c.is_ascii_digit() || "-+ #.".contains(*c))
            {
                chars.next();
            }
            let conversion = chars.next();
            let arg = args.get(next).copied().unwrap_or("");
            next += 1;
            used = true;
            out.push_str(&if conversion == Some('b') {
                unescape(arg)
            } else {
                arg.to_string()
            });
        }
        if !used || next >= args.len() || out.len() > MAX_TEXT {
            return out;
        }
    }
}

/// Backslash escapes as `echo -e` and `printf` read them: `\n`, `\t`, `\\`,
/// `\r`, `\a`, `\e`, `\0NNN`/`\NNN` octal, `\xHH`; others kept as written.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(ch) = chars.next() {
        if ch != '\\' {
            out.push(ch);
            continue;
        }
        let Some(e) = chars.next() else {
            out.push('\\');
            break;
        };
        let digits = |chars: &mut std::iter::Peekable<std::str::Chars>, radix: u32, max: usize| {
            let mut v = 0u32;
            let mut n = 0;
            while n < max
                && let Some(d) = chars.peek().and_then(|c| c.to_digit(radix))
            {
                v = v * radix + d;
                chars.next();
                n += 1;
            }
            (v, n)
        };
        match e {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            'a' => out.push('\x07'),
            'e' => out.push('\x1b'),
            '\\' => out.push('\\'),
            '0'..='7' => {
                let first = e.to_digit(8).unwrap_or(0);
                let (rest, n) = digits(&mut chars, 8, if e == '0' { 3 } else { 2 });
                let v = first * 8u32.pow(n as u32) + rest;
                out.push(char::from_u32(v).unwrap_or('\u{fffd}'));
            }
            'x' => match digits(&mut chars, 16, 2) {
                (_, 0) => out.push_str("\\x"),
                (v, _) => out.push(char::from_u32(v).unwrap_or('\u{fffd}')),
            },
            other => {
                out.push('\\');
                out.push(other);
            }
        }
    }
    out
}

/// A path as written, without leading `./`: how a run of it names it.
fn normalise(path: &str) -> String {
    let mut p = path;
    while let Some(rest) = p.strip_prefix("./") {
        p = rest;
    }
    p.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printf_fills_its_format_and_reads_escapes() {
        assert_eq!(printf(r"rm -f x\n", &[]), "rm -f x\n");
        assert_eq!(printf(r"%s\n", &["a", "b"]), "a\nb\n");
        assert_eq!(printf("%s %s", &["pkill", "clawlaw"]), "pkill clawlaw");
        assert_eq!(printf("100%%", &[]), "100%");
        assert_eq!(printf(r"%b", &[r"a\tb"]), "a\tb");
        assert_eq!(printf("%5s|", &["x"]), "x|");
    }

    #[test]
    fn escapes_as_echo_e_reads_them() {
        assert_eq!(unescape(r"a\nb\\c\x41\0101\101"), "a\nb\\cAAA");
        assert_eq!(unescape(r"keep \q and \x"), r"keep \q and \x");
        assert_eq!(unescape("trailing \\"), "trailing \\");
    }

    fn runs(command: &str) -> Option<(String, Format)> {
        shell::parse(command).commands.iter().find_map(runs_file)
    }

    #[test]
    fn what_runs_a_file() {
        assert_eq!(runs("sh /tmp/x"), Some(("/tmp/x".into(), Format::Shell)));
        assert_eq!(runs("bash -e ./x.sh"), Some(("x.sh".into(), Format::Shell)));
        assert_eq!(runs(". ./env"), Some(("env".into(), Format::Shell)));
        assert_eq!(runs("./x"), Some(("x".into(), Format::Shell)));
        assert!(matches!(
            runs("python3 /tmp/z.py"),
            Some((f, Format::Interpreter { program: "python3", .. })) if f == "/tmp/z.py"
        ));
        assert_eq!(runs("sh -c 'echo hi'"), None);
        assert_eq!(runs("cargo test"), None);
    }
}
