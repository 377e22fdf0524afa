//! The text of Windows command lines: words and statements split outside
//! quotes and brackets, quotes removed, and Windows paths as the POSIX
//! paths with the same standing for a judgement.

/// A command's name without the module that qualifies it
/// (`Microsoft.PowerShell.Management\Add-Content` is `Add-Content`).
pub(super) fn unqualified(name: &str) -> &str {
    match name.rsplit_once('\\') {
        Some((module, cmd))
            if !module.is_empty()
                && module
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.')
                && cmd.contains('-') =>
        {
            cmd
        }
        _ => name,
    }
}

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
    let p = plain(&p.trim().replace('\\', "/"));
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
    // Any other variable of the environment is the same variable
    // (`$env:GNUPGHOME/x` is `$GNUPGHOME/x`).
    let variable = || {
        let rest = lower.strip_prefix("$env:")?;
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let name = &p[5..5 + end];
        (end > 0).then(|| format!("${{{name}}}{}", &p[5 + end..]))
    };
    let path = mapped.or_else(variable).unwrap_or_else(|| drive_path(&p));
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

/// A path without what only spells it another way (slashes already
/// forward): the file system provider's prefix (`FileSystem::C:/x`,
/// `Microsoft.PowerShell.Core/FileSystem::/etc/x`), Win32's device and
/// long-path prefixes (`//?/C:/x`, `//./C:/x`), and the local machine's
/// administrative share of a drive (`//localhost/C$/x` is `C:/x`).
fn plain(p: &str) -> String {
    let lower = p.to_ascii_lowercase();
    if let Some(at) = lower.find("filesystem::")
        && (at == 0 || lower[..at].ends_with("microsoft.powershell.core/"))
    {
        return plain(&p[at + "filesystem::".len()..]);
    }
    for prefix in ["//?/", "//./"] {
        if lower.starts_with(prefix) {
            return plain(&p[prefix.len()..]);
        }
    }
    for host in ["//localhost/", "//127.0.0.1/"] {
        if let Some(share) = lower.strip_prefix(host)
            && let [drive, b'$', rest @ ..] = share.as_bytes()
            && drive.is_ascii_alphabetic()
            && (rest.is_empty() || rest[0] == b'/')
        {
            let at = host.len() + 2;
            return format!("{}:{}", &p[host.len()..host.len() + 1], &p[at..]);
        }
    }
    p.to_string()
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

/// The words of one command: blanks split outside quotes, parentheses and
/// braces; quotes are kept
/// (a parameter's value is unquoted where it is read). PowerShell's
/// escapes and dashes are read as it reads them (`cmd`, whose lines come
/// here too, has no backtick escape; its own escapes are taken away
/// before: `cmd::uncaret`).
pub(super) fn words(src: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote_char = None;
    let mut depth = 0usize;
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
            // A parenthesised expression or a script block is one word
            // (`@('/tmp/a', '~/.bashrc')`, `(Add-Content ~/.bashrc x)`).
            None if ch.is_whitespace() && depth == 0 => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            None => {
                match ch {
                    '(' | '{' => depth += 1,
                    ')' | '}' => depth = depth.saturating_sub(1),
                    _ => {}
                }
                cur.push(ch)
            }
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

/// The bodies of the outermost script blocks and parenthesised
/// expressions of `src`, outside quotes (`{ Add-Content ~/x $_ }`,
/// `(Add-Content ~/x y)`, `$(…)`, `@(…)`).
pub(super) fn blocks(src: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut quote_char = None;
    let mut depth = 0usize;
    let mut start = 0;
    for (k, ch) in src.char_indices() {
        match quote_char {
            Some(q) if ch == q => quote_char = None,
            Some(_) => {}
            None if ch == '\'' || ch == '"' => quote_char = Some(ch),
            None if matches!(ch, '(' | '{') => {
                if depth == 0 {
                    start = k + 1;
                }
                depth += 1;
            }
            None if matches!(ch, ')' | '}') && depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    out.push(&src[start..k]);
                }
            }
            None => {}
        }
    }
    out
}

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
