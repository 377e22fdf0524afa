//! The network effects of well-known programs — `curl`, `wget`, HTTPie and
//! xh, `ssh`, `scp`, `rsync`, `nc`, `socat`, `openssl s_client`, browsers
//! and the desktop's opener given a web address (`lynx`, `chromium
//! --headless`, `xdg-open`, `playwright open`); `git`'s are in `git.rs`.
//!
//! A remote path is written the way these tools write it: `host:path`,
//! `user@host:path`, `host::module` (rsync), or a URL (`scheme://host/…`);
//! the host is what a policy matches against an allow-list.

use super::context::{Cx, Kind};
use super::options::parse;
use crate::shell::{RedirectOp, Word};

/// Records the effects of `prog` when it is one of this module's programs.
pub(crate) fn program(cx: &mut Cx, prog: &str, args: &[Word]) -> bool {
    match prog {
        "curl" => curl(cx, args),
        "http" | "https" | "xh" | "xhs" => httpie(cx, prog, args),
        "wget" => wget(cx, args),
        "nc" | "ncat" | "netcat" => nc(cx, prog, args),
        "socat" => socat(cx, args),
        "openssl" => return openssl(cx, args),
        "lynx"
        | "w3m"
        | "links"
        | "elinks"
        | "chromium"
        | "chromium-browser"
        | "google-chrome"
        | "google-chrome-stable"
        | "chrome"
        | "firefox"
        | "xdg-open"
        | "open"
        | "sensible-browser"
        | "x-www-browser"
        | "www-browser"
        | "playwright" => {
            return browse(cx, prog, args);
        }
        _ => return false,
    }
    true
}

/// A browser (or the desktop's opener, Python's `webbrowser`, or
/// Playwright's `open`, `screenshot`, `pdf`, `codegen`) given web addresses: it requests each,
/// with whatever session the browser holds.
pub(crate) fn browse(cx: &mut Cx, prog: &str, args: &[Word]) -> bool {
    let urls: Vec<&Word> = args
        .iter()
        .filter(|w| {
            let t = w.text.to_ascii_lowercase();
            t.starts_with("http://") || t.starts_with("https://")
        })
        .collect();
    for u in &urls {
        cx.net(prog, Some(u.text.clone()), host_of(&u.text), false);
    }
    !urls.is_empty()
}

/// The host of a URL or remote spec (`https://u@h:1/x`, `u@h:path`).
pub(crate) fn host_of(spec: &str) -> Option<String> {
    let rest = match spec.find("://") {
        Some(k) => &spec[k + 3..],
        None => spec,
    };
    let auth = rest.split(['/', '?', '#']).next().unwrap_or("");
    let auth = auth.rsplit('@').next().unwrap_or(auth);
    let host = if let Some(v6) = auth.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        auth.split(':').next().unwrap_or("")
    };
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// Whether `host` is a loopback address or name.
pub(crate) fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host == "::1"
        || host == "ip6-localhost"
        || host
            .strip_prefix("127.")
            .is_some_and(|r| r.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
}

/// `host:path`, `user@host:path`, `host::module`, `rsync://…`: a remote
/// operand of `scp`/`rsync` (not `/a:b`, `./a:b`, `a/b:c`).
pub(crate) fn is_remote(t: &str) -> bool {
    if t.contains("://") {
        return true;
    }
    match t.find(':') {
        Some(k) => k > 0 && !t[..k].contains('/'),
        None => false,
    }
}

pub(super) fn stdin_sent(cx: &Cx) -> bool {
    let c = cx.cmd();
    c.piped_in
        || c.redirects.iter().any(|r| {
            matches!(
                r.op,
                RedirectOp::Read | RedirectOp::HereDoc | RedirectOp::HereString
            )
        })
}

/// The file `curl -O` and `wget` name a download after: the URL's last
/// path component, `index.html` when it has none.
fn remote_name(url: &str) -> &str {
    let name = url
        .split(['?', '#'])
        .next()
        .unwrap_or("")
        .rsplit('/')
        .next()
        .unwrap_or("");
    if name.is_empty() { "index.html" } else { name }
}

fn curl(cx: &mut Cx, args: &[Word]) {
    const LONG: &[&str] = &[
        "data",
        "data-raw",
        "data-binary",
        "data-ascii",
        "data-urlencode",
        "json",
        "form",
        "form-string",
        "header",
        "output",
        "upload-file",
        "user",
        "user-agent",
        "referer",
        "request",
        "cookie",
        "cookie-jar",
        "config",
        "proxy",
        "max-time",
        "connect-timeout",
        "cert",
        "key",
        "cacert",
        "capath",
        "dump-header",
        "write-out",
        "url",
        "output-dir",
        "range",
        "retry",
        "retry-delay",
        "retry-max-time",
        "resolve",
        "connect-to",
        "trace",
        "trace-ascii",
        "stderr",
        "limit-rate",
        "interface",
        "proxy-user",
        "oauth2-bearer",
        "unix-socket",
        "etag-save",
        "etag-compare",
        "variable",
        "libcurl",
        "netrc-file",
    ];
    let p = parse(args, "AbcCdDeEFHKmoPQrTtuUwxXyYz", "", LONG);
    let data = [
        "d",
        "data",
        "data-raw",
        "data-binary",
        "data-ascii",
        "data-urlencode",
        "json",
        "F",
        "form",
        "form-string",
        "T",
        "upload-file",
    ];
    let method = p
        .value(&["X", "request"])
        .map(|(w, f)| w.text[f..].to_ascii_uppercase());
    let sends = p.has(&data) || matches!(method.as_deref(), Some("POST" | "PUT" | "PATCH"));
    for (name, v) in &p.opts {
        let Some((w, f)) = *v else { continue };
        let t = &w.text[f..];
        match *name {
            "d" | "data" | "data-binary" | "data-ascii" | "json" | "H" | "header"
                if t.starts_with('@') && t != "@-" =>
            {
                cx.path(Kind::Read, w, f + 1, "curl -d @file", false);
            }
            // `-F name=@file` / `name=<file`, `--data-urlencode name@file`.
            "F" | "form" | "data-urlencode" => {
                let at = if *name == "data-urlencode" {
                    t.find('@')
                } else {
                    t.find("=@").or_else(|| t.find("=<")).map(|k| k + 1)
                };
                if let Some(k) = at.filter(|&k| &t[k + 1..] != "-") {
                    cx.path(Kind::Read, w, f + k + 1, "curl -F @file", false);
                }
            }
            "T" | "upload-file" | "K" | "config" | "E" | "cert" | "key" | "netrc-file"
                if t != "-" && t != "." =>
            {
                cx.path(Kind::Read, w, f, "curl (upload or config)", false);
            }
            "o" | "output" | "D" | "dump-header" | "c" | "cookie-jar" | "trace" | "trace-ascii"
            | "stderr" | "etag-save" | "libcurl"
                if t != "-" =>
            {
                cx.path(Kind::Write, w, f, "curl -o", false);
            }
            _ => {}
        }
    }
    let mut urls: Vec<&str> = p.operands.iter().map(|w| w.text.as_str()).collect();
    urls.extend(p.values(&["url"]).into_iter().map(|(w, f)| &w.text[f..]));
    if p.has(&["O", "remote-name", "remote-name-all"]) {
        for u in &urls {
            let name = remote_name(u);
            let file = match p.value(&["output-dir"]) {
                Some((w, f)) => format!("{}/{name}", &w.text[f..]),
                None => name.to_string(),
            };
            cx.path(Kind::Write, &Word::literal(file), 0, "curl -O", false);
        }
    }
    if urls.is_empty() {
        cx.net("curl", None, None, sends);
    }
    // Where the connection really goes: `--connect-to H1:P1:H2:P2`,
    // `--resolve H:P:ADDR`, a proxy (`-x URL`): the request's path, there.
    let path = urls.first().map_or("/", |u| url_path(u));
    for (w, f) in p.values(&["connect-to", "resolve"]) {
        let v = &w.text[f..];
        let parts: Vec<&str> = v.rsplitn(3, ':').collect();
        let target = match parts.as_slice() {
            // `--connect-to H1:P1:H2:P2` (rsplitn: P2, H2, rest).
            [port, host, _] if w.text.contains("connect-to") || v.matches(':').count() >= 3 => {
                format!("{host}:{port}")
            }
            // `--resolve H:P:ADDR`.
            [addr, port, _] => format!("{addr}:{port}"),
            _ => continue,
        };
        let url = format!("http://{target}{path}");
        cx.net(
            "curl",
            host_of(&url).map(|_| url.clone()),
            host_of(&url),
            sends,
        );
    }
    for (w, f) in p.values(&["x", "proxy"]) {
        let v = &w.text[f..];
        let url = if v.contains("://") {
            v.to_string()
        } else {
            format!("http://{v}")
        };
        cx.net("curl", Some(url.clone()), host_of(&url), sends);
    }
    for u in urls {
        cx.net("curl", Some(u.to_string()), host_of(u), sends);
    }
}

/// The path (and query) of a URL, `/` when it has none.
fn url_path(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.find('/').map_or("/", |k| &rest[k..])
}

/// HTTPie and xh: `http [METHOD] URL [ITEMS…]`; `:7070/x` is localhost.
fn httpie(cx: &mut Cx, prog: &str, args: &[Word]) {
    let mut words = args
        .iter()
        .map(|w| w.text.as_str())
        .filter(|a| !a.starts_with('-'));
    let mut url = words.next().unwrap_or("");
    let method_given = matches!(
        url.to_ascii_uppercase().as_str(),
        "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS"
    );
    if method_given {
        url = words.next().unwrap_or("");
    }
    if url.is_empty() {
        return;
    }
    let scheme = if prog.ends_with('s') { "https" } else { "http" };
    let full = if url.contains("://") {
        url.to_string()
    } else if let Some(rest) = url.strip_prefix(':') {
        format!("{scheme}://localhost:{rest}")
    } else {
        format!("{scheme}://{url}")
    };
    let items = words.any(|w| w.contains('='));
    let sends = items
        || (method_given
            && !args.iter().any(|w| {
                w.text.eq_ignore_ascii_case("GET") || w.text.eq_ignore_ascii_case("HEAD")
            }));
    cx.net(prog, Some(full.clone()), host_of(&full), sends);
}

fn wget(cx: &mut Cx, args: &[Word]) {
    const LONG: &[&str] = &[
        "output-document",
        "output-file",
        "append-output",
        "directory-prefix",
        "input-file",
        "user-agent",
        "execute",
        "header",
        "post-data",
        "post-file",
        "body-data",
        "body-file",
        "method",
        "user",
        "password",
        "load-cookies",
        "save-cookies",
        "tries",
        "timeout",
        "wait",
        "quota",
        "level",
        "accept",
        "reject",
        "domains",
        "certificate",
        "private-key",
    ];
    let p = parse(args, "OoaPiUeTtwQlARDIXB", "", LONG);
    let sends = p.has(&["post-data", "post-file", "body-data", "body-file"])
        || p.value(&["method"]).is_some_and(|(w, f)| {
            matches!(
                w.text[f..].to_ascii_uppercase().as_str(),
                "POST" | "PUT" | "PATCH"
            )
        });
    for (name, v) in &p.opts {
        let Some((w, f)) = *v else { continue };
        match *name {
            "i" | "input-file" | "post-file" | "body-file" | "load-cookies" | "certificate"
            | "private-key" => cx.path(Kind::Read, w, f, "wget (input)", false),
            "o" | "output-file" | "a" | "append-output" | "save-cookies" => {
                cx.path(Kind::Write, w, f, "wget -o", false)
            }
            _ => {}
        }
    }
    match p.value(&["O", "output-document"]) {
        Some((w, f)) if &w.text[f..] != "-" => cx.path(Kind::Write, w, f, "wget -O", false),
        Some(_) => {}
        None => match p.value(&["P", "directory-prefix"]) {
            Some((w, f)) => cx.path(Kind::Write, w, f, "wget -P", true),
            None if p.has(&["r", "recursive", "m", "mirror"]) => {
                cx.cwd_path(Kind::Write, "wget -r")
            }
            None => {
                for u in &p.operands {
                    let name = remote_name(&u.text);
                    cx.path(Kind::Write, &Word::literal(name), 0, "wget", false);
                }
            }
        },
    }
    for u in &p.operands {
        cx.net("wget", Some(u.text.clone()), host_of(&u.text), sends);
    }
}

fn nc(cx: &mut Cx, prog: &str, args: &[Word]) {
    let p = parse(
        args,
        "pswiIOqTxXec",
        "",
        &["exec", "sh-exec", "source-port", "wait"],
    );
    if let Some((w, f)) = p.value(&["e", "exec"]) {
        let path = cx.targets(w, f).pop().map(|t| t.path);
        cx.exec(crate::shell::basename(&w.text[f..]), path, Vec::new(), None);
    }
    if let Some((w, f)) = p.value(&["c", "sh-exec"]) {
        cx.nested_shell(&w.text[f..]);
    }
    let listen = p.has(&["l", "listen"]);
    let host = (!listen)
        .then(|| p.operands.first().map(|w| w.text.clone()))
        .flatten();
    // `nc HOST PORT`: the remote spec is `HOST:PORT`.
    let spec = match (&host, p.operands.get(1)) {
        (Some(h), Some(port)) if port.text.bytes().all(|b| b.is_ascii_digit()) => {
            Some(format!("{h}:{}", port.text))
        }
        _ => host.clone(),
    };
    let sends = stdin_sent(cx) || p.has(&["e", "c", "exec", "sh-exec"]);
    cx.net(prog, spec, host, sends);
}

/// `openssl s_client -connect HOST:PORT` (a TLS connection carrying its
/// input) and `openssl s_server` (a listener); other subcommands are local.
fn openssl(cx: &mut Cx, args: &[Word]) -> bool {
    let sub = args.first().map(|w| w.text.as_str());
    if !matches!(sub, Some("s_client" | "s_server")) {
        return false;
    }
    let spec = args
        .windows(2)
        .find(|w| w[0].text == "-connect")
        .map(|w| w[1].text.clone())
        .or_else(|| {
            args.iter()
                .find_map(|w| w.text.strip_prefix("-connect=").map(str::to_string))
        });
    let host = spec.as_deref().map(|s| {
        let h = s.rsplit_once(':').map_or(s, |(h, _)| h);
        h.trim_start_matches('[').trim_end_matches(']').to_string()
    });
    cx.net("openssl", spec, host, stdin_sent(cx));
    true
}

/// socat's two addresses: a network one connects, `EXEC:`/`SYSTEM:` run
/// a command, a file one is read and written — the first only read and the
/// second only written under `-u`, the other way round under `-U`.
fn socat(cx: &mut Cx, args: &[Word]) {
    let one_way = args.iter().any(|w| w.text == "-u");
    let back = args.iter().any(|w| w.text == "-U");
    let addresses = args
        .iter()
        .filter(|w| !w.text.starts_with('-') || w.text == "-");
    for (n, w) in addresses.enumerate() {
        let t = w.text.as_str();
        let (kind, rest) = t.split_once(':').unwrap_or((t, ""));
        let kind = kind.to_ascii_uppercase();
        if kind.starts_with("TCP")
            || kind.starts_with("UDP")
            || kind.starts_with("SSL")
            || kind.starts_with("OPENSSL")
        {
            let host = rest
                .split([':', ','])
                .next()
                .filter(|h| !h.is_empty() && !h.bytes().all(|b| b.is_ascii_digit()));
            cx.net("socat", Some(t.to_string()), host.map(str::to_string), true);
        } else if kind == "EXEC" || kind == "SYSTEM" {
            cx.nested_shell(rest.split(',').next().unwrap_or(""));
        } else if matches!(
            kind.as_str(),
            "FILE" | "OPEN" | "GOPEN" | "CREATE" | "CREAT"
        ) {
            let (first, second) = (n == 0, n == 1);
            let read = kind != "CREATE" && kind != "CREAT" && !(one_way && second || back && first);
            let written = !(one_way && first || back && second);
            let how = format!("socat {kind}:");
            // `FILE:/x,append`: the path, without its options.
            let mut path = w.tail(kind.len() + 1);
            if let Some(end) = path.text.find(',') {
                path = path.head(end);
            }
            for (kind, yes) in [(Kind::Read, read), (Kind::Write, written)] {
                if yes {
                    cx.path(kind, &path, 0, &how, false);
                }
            }
        }
    }
}
