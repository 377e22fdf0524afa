//! The text of Windows command lines: words and statements split outside
//! quotes and brackets, quotes removed, and Windows paths as the POSIX
//! paths with the same standing for a judgement.

/// `s` without the quotes around it.
pub(super) fn unquote(s: &str) -> String {
    let t = s.trim();
    for q in ['\'', '"'] {
        if let Some(inner) = t.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return inner.to_string();
        }
    }
    t.to_string()
}

/// A Windows path as the POSIX path with the same standing: see the module
/// documentation. Kept in double quotes so that `$HOME` still expands.
pub(super) fn posix_path(p: &str) -> String {
    let p = p.trim().replace('\\', "/");
    // `${env:USERPROFILE}` is `$env:USERPROFILE`; `%HOMEDRIVE%%HOMEPATH%`
    // the profile `%HOMEPATH%` names on its drive.
    let p = match p.strip_prefix("${").and_then(|r| r.split_once('}')) {
        Some((name, rest)) if name.to_ascii_lowercase().starts_with("env:") => {
            format!("${name}{rest}")
        }
        _ => p,
    };
    let p = match p.get(..12) {
        Some(drive) if drive.eq_ignore_ascii_case("%homedrive%%") => p[11..].to_string(),
        _ => p,
    };
    let lower = p.to_ascii_lowercase();
    let mapped = [
        ("~", "$HOME"),
        ("$home", "$HOME"),
        ("$env:home", "$HOME"),
        ("$env:userprofile", "$HOME"),
        ("%userprofile%", "$HOME"),
        ("$env:homepath", "$HOME"),
        ("%homepath%", "$HOME"),
        ("$env:appdata", "$HOME/AppData/Roaming"),
        ("%appdata%", "$HOME/AppData/Roaming"),
        ("$env:localappdata", "$HOME/AppData/Local"),
        ("%localappdata%", "$HOME/AppData/Local"),
        ("$env:temp", "/tmp"),
        ("%temp%", "/tmp"),
        ("$env:windir", "/usr/windows"),
        ("%windir%", "/usr/windows"),
        ("$env:systemroot", "/usr/windows"),
        ("%systemroot%", "/usr/windows"),
        ("$env:programfiles", "/usr/programs"),
        ("%programfiles%", "/usr/programs"),
        // Where PSReadLine keeps every line typed, passwords included.
        (
            "(get-psreadlineoption).historysavepath",
            "$HOME/AppData/Roaming/Microsoft/Windows/PowerShell/PSReadLine/ConsoleHost_history.txt",
        ),
    ]
    .iter()
    .find_map(|(from, to)| {
        let rest = lower.strip_prefix(from)?;
        (rest.is_empty() || rest.starts_with('/')).then(|| format!("{to}{}", &p[from.len()..]))
    });
    let path = mapped.unwrap_or_else(|| drive_path(&p));
    // Wildcards stay outside the quotes, so that they still match
    // (`del /s C:\src\*` deletes what `/src/*` matches, not a file named
    // `*`).
    let mut out = String::with_capacity(path.len() + 2);
    let mut open = false;
    for ch in path.chars() {
        if matches!(ch, '*' | '?') {
            if open {
                out.push('"');
                open = false;
            }
        } else if !open {
            out.push('"');
            open = true;
        }
        if ch == '"' {
            out.push('\\');
        }
        out.push(ch);
    }
    if open {
        out.push('"');
    }
    if out.is_empty() {
        out.push_str("\"\"");
    }
    out
}

/// [`posix_path`], and when its last component starts with a wildcard
/// (`C:\proj\*`), the same with a `.` before it: Windows' `*` matches a
/// name starting with `.` (`.claude`), which a POSIX shell's does not.
pub(super) fn posix_paths(p: &str) -> String {
    let path = posix_path(p);
    let t = p.trim();
    let at = t.rfind(['\\', '/']).map_or(0, |k| k + 1);
    if t[at..].starts_with(['*', '?']) {
        format!(
            "{path} {}",
            posix_path(&format!("{}.{}", &t[..at], &t[at..]))
        )
    } else {
        path
    }
}

/// `C:\…` as a POSIX path: the drive's root is the root, the user
/// profiles the home directories, Windows and the program directories
/// system directories. Anything else is a relative path.
fn drive_path(p: &str) -> String {
    let b = p.as_bytes();
    if !(b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':') {
        return p.to_string();
    }
    let rest = p[2..].trim_start_matches('/');
    let lower = rest.to_ascii_lowercase();
    let under = |dir: &str| {
        lower
            .strip_prefix(dir)
            .filter(|r| r.is_empty() || r.starts_with('/'))
            .map(|r| &rest[rest.len() - r.len()..])
    };
    if let Some(r) = under("users") {
        return format!("/home{r}");
    }
    if let Some(r) = under("windows") {
        return format!("/usr/windows{r}");
    }
    for dir in ["program files (x86)", "program files", "programdata"] {
        if let Some(r) = under(dir) {
            return format!("/usr/programs{r}");
        }
    }
    format!("/{rest}")
}

/// The words of one command: blanks split outside quotes; quotes are kept
/// (a parameter's value is unquoted where it is read). PowerShell's
/// escapes and dashes are read as it reads them (`cmd`, whose lines come
/// here too, has no backtick escape; its own escapes are taken away
/// before: `cmd::uncaret`).
pub(super) fn words(src: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote_char = None;
    let mut chars = src.chars().peekable();
    while let Some(ch) = chars.next() {
        // PowerShell's escape character outside single quotes: ``Re`curse``
        // is `Recurse`, `` `-`` is `-`; inside double quotes `` `n``, `` `t``…
        // are characters of their own (kept). An escaped operator (`` `>``)
        // is a literal one: kept escaped, so no redirection is read there.
        if ch == '`'
            && quote_char != Some('\'')
            && let Some(&next) = chars.peek()
            && (next.is_alphanumeric() || next == '-')
            && !(quote_char == Some('"')
                && matches!(next, '0' | 'a' | 'b' | 'e' | 'f' | 'n' | 'r' | 't' | 'v'))
        {
            cur.push(next);
            chars.next();
            continue;
        }
        // A parameter PowerShell also reads after an en dash, an em dash or
        // a horizontal bar (`–Recurse`).
        let ch = if cur.is_empty() && quote_char.is_none() && DASHES.contains(&ch) {
            '-'
        } else {
            ch
        };
        match quote_char {
            Some(q) if ch == q => {
                quote_char = None;
                cur.push(ch);
            }
            Some(_) => cur.push(ch),
            None if ch == '\'' || ch == '"' => {
                quote_char = Some(ch);
                cur.push(ch);
            }
            None if ch.is_whitespace() => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            None => cur.push(ch),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// A process name as the regular expression `pgrep -x` matches it by:
/// PowerShell's and `taskkill`'s wildcards (`claw*`, `cl?wlaw`) as `.*` and
/// `.`, the rest taken literally.
pub(super) fn name_pattern(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for ch in name.chars() {
        match ch {
            '*' => out.push_str(".*"),
            '?' => out.push('.'),
            c if c.is_alphanumeric() || matches!(c, '-' | '_' | ' ') => out.push(c),
            c => {
                out.push('\\');
                out.push(c);
            }
        }
    }
    out
}

/// The dashes PowerShell reads as `-` before a parameter's name.
pub(super) const DASHES: &[char] = &['\u{2013}', '\u{2014}', '\u{2015}'];

/// `src` split at any of `seps` outside quotes and brackets.
pub(super) fn split(src: &str, seps: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote_char = None;
    let mut depth = 0usize;
    let mut k = 0;
    while k < src.len() {
        let rest = &src[k..];
        let ch = rest.chars().next().unwrap_or(' ');
        if let Some(q) = quote_char {
            if ch == q {
                quote_char = None;
            }
        } else if ch == '\'' || ch == '"' {
            quote_char = Some(ch);
        } else if matches!(ch, '(' | '{' | '[') {
            depth += 1;
        } else if matches!(ch, ')' | '}' | ']') {
            depth = depth.saturating_sub(1);
        } else if depth == 0
            && let Some(sep) = seps.iter().find(|s| rest.starts_with(**s))
        {
            out.push(std::mem::take(&mut cur));
            k += sep.len();
            continue;
        }
        cur.push(ch);
        k += ch.len_utf8();
    }
    out.push(cur);
    out.into_iter().filter(|s| !s.trim().is_empty()).collect()
}

/// The file a subexpression reads whole (`(Get-Content .env -Raw)`, `(gc
/// $HOME\.ssh\id_rsa)`, `([IO.File]::ReadAllText('…'))`), as a request's
/// body gives it.
pub(super) fn read_in_subexpression(body: &str) -> Option<String> {
    let inner = body.trim().strip_prefix('(')?.strip_suffix(')')?.trim();
    let mut words = inner.split_whitespace();
    let first = words.next()?.to_ascii_lowercase();
    if let Some(rest) = first
        .strip_prefix("[io.file]::readalltext(")
        .or_else(|| first.strip_prefix("[system.io.file]::readalltext("))
    {
        let path = inner[inner.len() - rest.len()..].trim_end_matches(')');
        return Some(unquote(path.trim()));
    }
    if !matches!(first.as_str(), "get-content" | "gc" | "cat" | "type") {
        return None;
    }
    let mut path = None;
    let mut skip = false;
    for w in words {
        let lower = w.to_ascii_lowercase();
        if skip {
            skip = false;
        } else if matches!(lower.as_str(), "-path" | "-literalpath") {
            continue;
        } else if matches!(
            lower.as_str(),
            "-encoding" | "-totalcount" | "-tail" | "-delimiter"
        ) {
            skip = true;
        } else if !lower.starts_with('-') && path.is_none() {
            path = Some(unquote(w));
        }
    }
    path
}
