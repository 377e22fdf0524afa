//! The commands a simple command runs besides its own program: the command
//! strings it hands to a shell (`sh -c`, `su -c`, `eval`, Vim's `:!`, gdb's
//! `shell`, tmux's new windows and typed keys, a package runner's binary,
//! what options, variables and input hand it: `handed.rs`) and the commands
//! of `find -exec` and `fd -x`.

use super::model::{Command, Origin, Word, join_words};

const SHELLS: &[&str] = &[
    "sh", "bash", "zsh", "dash", "ksh", "mksh", "ash", "yash", "posh", "rbash", "fish", "csh",
    "tcsh",
];

/// Shell variables whose value is a command line the shell runs later
/// (bash's `PROMPT_COMMAND`, before every prompt).
const RUN_LATER_VARIABLES: &[&str] = &["PROMPT_COMMAND"];

/// Command strings a simple command runs: `sh -c STR` (its positional
/// parameters filled in), `su -c STR`, `eval …`, an alias's value, a
/// `PROMPT_COMMAND` it assigns or exports, and those an editor, a debugger,
/// tmux, a package runner, PowerShell or `cmd` is given.
pub(super) fn nested_strings(cmd: &Command) -> Vec<(Word, Origin)> {
    // `PROMPT_COMMAND='pkill x'`: bash runs it before every prompt.
    let mut out: Vec<(Word, Origin)> = cmd
        .assignments
        .iter()
        .filter(|a| RUN_LATER_VARIABLES.contains(&a.name.as_str()))
        .map(|a| (a.value.clone(), Origin::FunctionBody))
        .collect();
    if cmd.program_dynamic || cmd.argv.is_empty() {
        return out;
    }
    let argv = &cmd.argv;
    let p = cmd.program.as_str();
    if matches!(p, "export" | "declare" | "typeset" | "readonly" | "local") {
        for w in &argv[1..] {
            if let Some((name, _)) = w.text.split_once('=')
                && RUN_LATER_VARIABLES.contains(&name)
            {
                out.push((w.tail(name.len() + 1), Origin::FunctionBody));
            }
        }
        return out;
    }
    if p == "eval" {
        return vec![(join_words(&argv[1..]), Origin::Eval)];
    }
    // `alias ls='pkill x; ls'`: the value runs wherever the alias is used
    // (in a start-up file, every shell's `ls`), as a function's body does.
    if p == "alias" {
        return argv[1..]
            .iter()
            .filter_map(|w| {
                let eq = w.text.find('=')?;
                (eq > 0 && !w.text[eq + 1..].trim().is_empty())
                    .then(|| (w.tail(eq + 1), Origin::FunctionBody))
            })
            .collect();
    }
    let handed = super::handed::handed(cmd);
    if !handed.is_empty() {
        return handed
            .into_iter()
            .map(|w| (w, Origin::ShellString))
            .collect();
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
            let script = with_assignments(&with_positionals(w, &argv[k + 1..], true), cmd);
            return vec![(script, Origin::ShellString)];
        }
        return Vec::new();
    }
    if matches!(
        p,
        "vim" | "vi" | "nvim" | "ex" | "view" | "gvim" | "vimdiff"
    ) {
        return editor_commands(argv);
    }
    if let Some(line) = package_binary_line(p, &argv[1..]) {
        return vec![(line, Origin::ShellString)];
    }
    if let Some(line) = super::windows::translate(p, &argv[1..]) {
        return vec![(line, Origin::ShellString)];
    }
    if matches!(p, "tmux" | "byobu" | "byobu-tmux") {
        return tmux_command(&argv[1..])
            .into_iter()
            .map(|w| (w, Origin::ShellString))
            .collect();
    }
    if p == "gdb" {
        return debugger_commands(&argv[1..]);
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
pub(super) fn find_execs(argv: &[Word]) -> Vec<Vec<Word>> {
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

/// The commands of `fd … -x CMD …` and `fd … -X CMD …` (`--exec`,
/// `--exec-batch`; also `fdfind`, Debian's name for it): the words after the
/// flag up to a `;` or the end. fd puts each path found where a placeholder
/// (`{}`, `{/}`, `{//}`, `{.}`, `{/.}`) stands, all of them a path below
/// its roots, written `{}` here as `find -exec`'s is; with no placeholder
/// it appends the path.
pub(super) fn fd_execs(argv: &[Word]) -> Vec<Vec<Word>> {
    const PLACEHOLDERS: &[&str] = &["{}", "{/}", "{//}", "{.}", "{/.}"];
    let Some(flag) = fd_exec_flag(argv) else {
        return Vec::new();
    };
    let mut cmd: Vec<Word> = argv[flag + 1..]
        .iter()
        .take_while(|w| w.text != ";")
        .map(|w| {
            if PLACEHOLDERS.contains(&w.text.as_str()) {
                Word::literal("{}")
            } else {
                w.clone()
            }
        })
        .collect();
    if cmd.is_empty() {
        return Vec::new();
    }
    if !cmd.iter().any(|w| w.text == "{}") {
        cmd.push(Word::literal("{}"));
    }
    vec![cmd]
}

/// Where `fd`'s command to run starts in `words` (`-x`, `-X`, `--exec`,
/// `--exec-batch`), if it is given one.
pub(crate) fn fd_exec_flag(words: &[Word]) -> Option<usize> {
    words
        .iter()
        .position(|w| matches!(w.text.as_str(), "-x" | "--exec" | "-X" | "--exec-batch"))
}

/// The shell commands a Vim started with `-c CMD`, `+CMD` or `--cmd CMD`
/// runs: an Ex command `!cmd` (also `:!cmd`, `silent !cmd`) hands `cmd` to
/// the shell.
fn editor_commands(argv: &[Word]) -> Vec<(Word, Origin)> {
    let mut out = Vec::new();
    let mut k = 1;
    while k < argv.len() {
        let a = argv[k].text.as_str();
        let ex = if a == "-c" || a == "--cmd" {
            k += 1;
            argv.get(k).map(|w| w.text.as_str())
        } else {
            a.strip_prefix('+')
        };
        k += 1;
        let Some(ex) = ex else { continue };
        let mut ex = ex.trim_start_matches([':', ' ']);
        if let Some(rest) = ex.strip_prefix("silent") {
            // `silent !cmd`, `silent! !cmd`
            ex = rest
                .strip_prefix('!')
                .filter(|r| r.starts_with(' '))
                .unwrap_or(rest)
                .trim_start();
        }
        if let Some(line) = ex.strip_prefix('!') {
            out.push((Word::literal(line), Origin::ShellString));
        }
    }
    out
}

/// The command a package runner runs: `npx rimraf dist` runs the package's
/// binary, `rimraf dist`, as do `bunx`, `pnpx`, `pnpm dlx`/`exec`, `yarn
/// dlx`/`exec`, `npm exec`/`x`, `uvx` and `pipx run`; `npx -c 'CMD'` runs a
/// command line. The binary is the first operand's package name
/// (`@scope/name@1.2` runs `name`).
fn package_binary_line(program: &str, args: &[Word]) -> Option<Word> {
    let sub = args.first().map(|w| w.text.as_str());
    let rest: &[Word] = match (program, sub) {
        ("npx" | "bunx" | "pnpx" | "uvx", _) => args,
        ("pnpm" | "yarn", Some("dlx" | "exec")) | ("npm", Some("exec" | "x")) => &args[1..],
        ("pipx", Some("run")) => &args[1..],
        _ => return None,
    };
    let mut k = 0;
    while k < rest.len() {
        let a = rest[k].text.as_str();
        if a == "--" {
            k += 1;
            break;
        }
        if a == "-c" || a == "--call" {
            return rest.get(k + 1).cloned();
        }
        if let Some(v) = a.strip_prefix("--call=") {
            return Some(Word::literal(v));
        }
        if !a.starts_with('-') {
            break;
        }
        // Options that take the next word: the package to install first,
        // the registry, the Python version, the working directory.
        let valued = matches!(
            a,
            "-p" | "--package"
                | "--registry"
                | "--cache"
                | "--python"
                | "--from"
                | "--with"
                | "--spec"
                | "-C"
                | "--cwd"
                | "--dir"
        );
        k += if valued { 2 } else { 1 };
    }
    let (first, tail) = rest.get(k..)?.split_first()?;
    if first.is_dynamic() {
        return None;
    }
    let name = first.text.rsplit('/').next().unwrap_or(&first.text);
    let name = match name.rfind('@') {
        Some(at) if at > 0 => &name[..at],
        _ => name,
    };
    if name.is_empty() {
        return None;
    }
    let mut words = vec![Word::literal(super::model::quote(name))];
    words.extend(tail.iter().map(|w| Word::literal(typed(w))));
    Some(join_words(&words))
}

/// A word as it was typed, near enough for the shell to read it back the
/// same: an unquoted plain word as it is (so `~` still expands), others
/// quoted.
fn typed(w: &Word) -> String {
    let plain = !w.quoted
        && !w.text.is_empty()
        && w.text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"~/._-+=:@%,".contains(&b));
    if plain { w.text.clone() } else { w.to_string() }
}

/// The shell command a tmux command line starts: `new-session`,
/// `new-window`, `split-window`, `respawn-*` and `run-shell` take it as
/// their last words; `send-keys` types its keys into a pane's shell (the
/// key names that press Enter end the line).
fn tmux_command(args: &[Word]) -> Option<Word> {
    // Global options before the command: `-L socket`, `-S path`, `-f conf`.
    let mut k = 0;
    while k < args.len() && args[k].text.starts_with('-') {
        k += if matches!(args[k].text.as_str(), "-L" | "-S" | "-f" | "-T") {
            2
        } else {
            1
        };
    }
    let sub = args.get(k)?.text.as_str();
    let (runs, valued): (bool, &str) = match sub {
        "new-session" | "new" | "new-window" | "neww" | "split-window" | "splitw"
        | "respawn-pane" | "respawnp" | "respawn-window" | "respawnw" | "run-shell" | "run" => {
            (true, "censtFxylp")
        }
        "send-keys" | "send" => (false, "tNc"),
        _ => return None,
    };
    let mut rest = &args[k + 1..];
    while let Some(first) = rest.first() {
        let t = first.text.as_str();
        if !t.starts_with('-') || t == "-" {
            break;
        }
        let skip = if t.len() == 2 && t.ends_with(|c| valued.contains(c)) {
            2
        } else {
            1
        };
        rest = rest.get(skip..).unwrap_or(&[]);
    }
    let words: Vec<Word> = if runs {
        rest.to_vec()
    } else {
        rest.iter()
            .filter(|w| !matches!(w.text.as_str(), "Enter" | "C-m" | "KPEnter" | "C-j"))
            .cloned()
            .collect()
    };
    (!words.is_empty()).then(|| join_words(&words))
}

/// The shell commands gdb runs from `-ex 'shell CMD'` (`!CMD`,
/// `--eval-command=…`, `-iex`).
fn debugger_commands(args: &[Word]) -> Vec<(Word, Origin)> {
    let mut out = Vec::new();
    let mut k = 0;
    while k < args.len() {
        let a = args[k].text.as_str();
        let ex = match a {
            "-ex" | "-iex" | "--ex" | "--iex" | "-eval-command" | "--eval-command" => {
                k += 1;
                args.get(k).map(|w| w.text.as_str())
            }
            _ => a
                .strip_prefix("--eval-command=")
                .or_else(|| a.strip_prefix("-eval-command=")),
        };
        k += 1;
        let Some(ex) = ex.map(str::trim_start) else {
            continue;
        };
        let line = ex
            .strip_prefix("shell ")
            .or_else(|| ex.strip_prefix('!'))
            .or_else(|| {
                ex.strip_prefix("pipe ")
                    .and_then(|r| r.split_once('|').map(|(_, c)| c))
            });
        if let Some(line) = line {
            out.push((Word::literal(line), Origin::ShellString));
        }
    }
    out
}

/// `T=~ sh -c 'rm -rf "$T"'`: the script with the variables the command
/// sets for it (`NAME=value` before it, `env NAME=value`) put in, as far as
/// their values are plain words (`~` becomes `$HOME`).
fn with_assignments(script: &Word, cmd: &Command) -> Word {
    if cmd.assignments.is_empty() || !script.spans.is_empty() || !script.text.contains('$') {
        return script.clone();
    }
    let mut text = script.text.clone();
    for a in &cmd.assignments {
        let v = &a.value;
        if a.append
            || !v
                .spans
                .iter()
                .all(|&(s, _)| s == 0 && v.text.starts_with('~'))
            || v.text
                .contains(|c: char| c.is_whitespace() || "'\"$`;&|<>()".contains(c))
        {
            continue;
        }
        let value = match v.text.strip_prefix('~') {
            Some(rest) if rest.is_empty() || rest.starts_with('/') => format!("$HOME{rest}"),
            _ => v.text.clone(),
        };
        text = text.replace(&format!("${{{}}}", a.name), &value);
        // `$T` but not `$TMP`: the name ends where a name character does not follow.
        let needle = format!("${}", a.name);
        let mut out = String::with_capacity(text.len());
        let mut rest = text.as_str();
        while let Some(at) = rest.find(&needle) {
            let after = &rest[at + needle.len()..];
            out.push_str(&rest[..at]);
            if after.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
                out.push_str(&needle);
            } else {
                out.push_str(&value);
            }
            rest = after;
        }
        out.push_str(rest);
        text = out;
    }
    Word::literal(text)
}

/// `sh -c 'rm -rf "$1"' _ ~/x`: the script with its positional parameters
/// (`$1`…`$9`, `${N}`, `$@`, `$*`, and `$0` when `zero`: a `sh -c`'s first
/// word after the script; a function's `$0` is the shell's name) replaced
/// by the words given after it (the first is `$0`), as far as they are
/// plain words: `~` becomes
/// `$HOME` (which still expands inside the script's double quotes), `{}`
/// stays for `find -exec` to fill in. A script holding expansions of the
/// outer line, or a parameter given no plain word, is left as it is.
pub(super) fn with_positionals(script: &Word, params: &[Word], zero: bool) -> Word {
    if params.len() < 2 - usize::from(zero)
        || !script.spans.is_empty()
        || !script.text.contains('$')
    {
        return script.clone();
    }
    let plain = |w: &Word| -> Option<String> {
        let ok = !w.quoted
            && !w.text.is_empty()
            && w.text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"~/._-+=:@%,{}".contains(&b));
        ok.then(|| match w.text.strip_prefix('~') {
            Some(rest) if rest.is_empty() || rest.starts_with('/') => format!("$HOME{rest}"),
            _ => w.text.clone(),
        })
    };
    let zeroth = params.first().filter(|_| zero).and_then(plain);
    let values: Vec<Option<String>> = params[1..].iter().map(plain).collect();
    let all = || -> Option<String> {
        values
            .iter()
            .cloned()
            .collect::<Option<Vec<_>>>()
            .map(|v| v.join(" "))
    };
    let text = &script.text;
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut k = 0;
    while k < bytes.len() {
        // `"$@"` is each parameter as a word of its own.
        if text[k..].starts_with("\"$@\"")
            && let Some(v) = all()
        {
            out.push_str(&v);
            k += 4;
            continue;
        }
        if bytes[k] == b'$' {
            let (len, value) = match bytes.get(k + 1) {
                Some(b'0') => (2, zeroth.clone()),
                Some(d @ b'1'..=b'9') => (2, values.get(usize::from(d - b'1')).cloned().flatten()),
                Some(b'@' | b'*') => (2, all()),
                Some(b'{') => {
                    let close = text[k..].find('}').map(|c| k + c);
                    let inner = close.map(|c| &text[k + 2..c]);
                    match inner.and_then(|n| n.parse::<usize>().ok()) {
                        Some(n) if n >= 1 => (
                            close.unwrap_or(k) - k + 1,
                            values.get(n - 1).cloned().flatten(),
                        ),
                        _ => (1, None),
                    }
                }
                _ => (1, None),
            };
            if let Some(v) = value {
                out.push_str(&v);
                k += len;
                continue;
            }
        }
        let ch = text[k..].chars().next().unwrap_or('\0');
        out.push(ch);
        k += ch.len_utf8().max(1);
    }
    Word {
        text: out,
        ..script.clone()
    }
}
