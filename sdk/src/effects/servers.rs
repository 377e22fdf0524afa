//! Programs that serve a directory's files to whoever connects: Python's
//! `http.server`, PHP's built-in server, Ruby's `un` httpd, Node's
//! `http-server`/`serve`/`live-server` (also run by `npx`), BusyBox
//! `httpd`, `miniserve`, `darkhttpd`, `updog`, `caddy file-server` and
//! `rclone serve`. Each becomes a [`Serve`]: the directory served (the
//! working directory when none is named) and whether the server only
//! listens on the loopback interface.
//!
//! A server is the reverse of an upload: nothing leaves until someone asks,
//! and then everything below its root can. Serving a build directory is
//! ordinary work; serving a home directory hands out its `.ssh`.

use super::Serve;
use super::context::Cx;
use super::net::is_loopback;
use crate::shell::{Command, Word};

/// Whether `c` may serve files (then [`super::Effects::serves`] says
/// whether it does): for a policy that analyses a line only when one of
/// its commands is one of these. Interpreters count only with the option
/// that starts their server (`python -m`, `php -S`, `ruby -run`).
pub fn may_serve(c: &Command) -> bool {
    let has = |prefix: &str| c.args().iter().any(|w| w.text.starts_with(prefix));
    match c.program.as_str() {
        p if super::interp::is_python(p) => has("-m"),
        "php" => has("-S"),
        "ruby" => has("-run"),
        p => matches!(
            p,
            "httpd"
                | "caddy"
                | "rclone"
                | "http-server"
                | "serve"
                | "live-server"
                | "miniserve"
                | "darkhttpd"
                | "updog"
        ),
    }
}

/// Records what `prog` run with `args` serves, if it is a file server.
pub(super) fn program(cx: &mut Cx, prog: &str, args: &[Word]) {
    let busybox = cx.cmd().wrappers.iter().any(|w| w.program == "busybox");
    let Some(found) = server(prog, args, busybox) else {
        return;
    };
    let (root, dynamic) = match &found.root {
        Some(w) => match cx.targets(w, 0).into_iter().next() {
            Some(t) => (t.path, t.dynamic),
            None => ("*".to_string(), true),
        },
        None => match &cx.cwd {
            Some(d) => (d.clone(), false),
            None => ("*".to_string(), true),
        },
    };
    cx.a.out.serves.push(Serve {
        program: found.name,
        root,
        dynamic,
        loopback: found.loopback,
        command: cx.at,
    });
}

/// A file server as its command line names it.
struct Found {
    /// `python3 -m http.server`, `php -S`, `npx http-server`.
    name: String,
    /// The directory operand; `None` for the working directory.
    root: Option<Word>,
    loopback: bool,
}

fn server(prog: &str, args: &[Word], busybox: bool) -> Option<Found> {
    let first = args.first().map(|w| w.text.as_str());
    match prog {
        p if super::interp::is_python(p) => python(p, args),
        "php" => php(args),
        "ruby" => ruby(args),
        // BusyBox's applet (`busybox httpd`: the wrapper is stripped);
        // a bare `httpd` is Apache's, which serves what its config says.
        "httpd" if busybox => {
            let o = Opts::scan(args, &["p", "h", "c", "r", "u", "i"]);
            Some(Found {
                name: "busybox httpd".into(),
                root: o.value(&["h"]).cloned(),
                loopback: o.value(&["p"]).is_some_and(|w| listen_is_loopback(&w.text)),
            })
        }
        "caddy" if first == Some("file-server") => {
            let o = Opts::scan(&args[1..], &["root", "r", "listen", "l", "domain", "d"]);
            Some(Found {
                name: "caddy file-server".into(),
                root: o.value(&["root", "r"]).cloned(),
                loopback: o
                    .value(&["listen", "l"])
                    .is_some_and(|w| listen_is_loopback(&w.text)),
            })
        }
        "rclone" if first == Some("serve") => {
            let protocol = args.get(1)?.text.as_str();
            let o = Opts::scan(args.get(2..)?, &["addr", "user", "pass", "config"]);
            let root = o.operands.first().map(|w| (*w).clone());
            // A remote (`drive:photos`) is not this machine's files.
            if root
                .as_ref()
                .is_some_and(|w| !w.text.starts_with('/') && w.text.contains(':'))
            {
                return None;
            }
            Some(Found {
                name: format!("rclone serve {protocol}"),
                root,
                // Its default address is the loopback one.
                loopback: o
                    .value(&["addr"])
                    .is_none_or(|w| listen_is_loopback(&w.text)),
            })
        }
        _ => standalone(prog, args),
    }
}

/// The servers that are programs of their own (or npm packages).
fn standalone(prog: &str, args: &[Word]) -> Option<Found> {
    let (valued, root, addr): (&[&str], &[&str], &[&str]) = match prog {
        "http-server" => (
            &[
                "p", "port", "a", "address", "c", "e", "ext", "C", "cert", "K", "key", "t",
                "timeout", "P", "proxy", "username", "password", "U", "utc",
            ],
            &[],
            &["a", "address"],
        ),
        "serve" => (
            &[
                "l", "listen", "p", "port", "c", "config", "ssl-cert", "ssl-key",
            ],
            &[],
            &["l", "listen"],
        ),
        "live-server" => (
            &[
                "port",
                "host",
                "open",
                "watch",
                "ignore",
                "entry-file",
                "mount",
                "proxy",
                "middleware",
                "htpasswd",
                "cors",
                "https",
                "wait",
            ],
            &[],
            &["host"],
        ),
        "miniserve" => (
            &[
                "i",
                "interfaces",
                "p",
                "port",
                "a",
                "auth",
                "c",
                "color-scheme",
                "t",
                "title",
                "u",
                "upload-files",
                "header",
            ],
            &[],
            &["i", "interfaces"],
        ),
        "darkhttpd" => (
            &[
                "addr",
                "port",
                "maxconn",
                "log",
                "index",
                "mimetypes",
                "default-mimetype",
                "uid",
                "gid",
                "pidfile",
                "auth",
                "header",
                "forward",
                "forward-all",
            ],
            &[],
            &["addr"],
        ),
        "updog" => (
            &["d", "directory", "p", "port", "password"],
            &["d", "directory"],
            &[],
        ),
        _ => return None,
    };
    let o = Opts::scan(args, valued);
    let root = if root.is_empty() {
        o.operands.first().map(|w| (*w).clone())
    } else {
        o.value(root).cloned()
    };
    Some(Found {
        name: prog.to_string(),
        root,
        loopback: o.value(addr).is_some_and(|w| listen_is_loopback(&w.text)),
    })
}

/// `python -m http.server [--directory D] [--bind A] [PORT]` (and Python
/// 2's `SimpleHTTPServer`, `uploadserver`).
fn python(p: &str, args: &[Word]) -> Option<Found> {
    let (module, rest) = args.iter().enumerate().find_map(|(i, w)| {
        let t = w.text.as_str();
        if t == "-m" {
            Some((args.get(i + 1)?.text.as_str(), args.get(i + 2..)?))
        } else {
            t.strip_prefix("-m")
                .filter(|m| !m.is_empty() && !m.starts_with('-'))
                .map(|m| (m, &args[i + 1..]))
        }
    })?;
    if !matches!(module, "http.server" | "SimpleHTTPServer" | "uploadserver") {
        return None;
    }
    let o = Opts::scan(rest, &["d", "directory", "b", "bind", "p", "protocol"]);
    Some(Found {
        name: format!("{p} -m {module}"),
        root: o.value(&["d", "directory"]).cloned(),
        loopback: o
            .value(&["b", "bind"])
            .is_some_and(|w| is_loopback(&w.text)),
    })
}

/// `php -S ADDR:PORT [-t DIR]`.
fn php(args: &[Word]) -> Option<Found> {
    let o = Opts::scan(args, &["S", "t", "c", "d", "f", "r"]);
    let listen = o.value(&["S"])?;
    Some(Found {
        name: "php -S".into(),
        root: o.value(&["t"]).cloned(),
        loopback: listen_is_loopback(&listen.text),
    })
}

/// `ruby -run -e httpd [DIR] [-p PORT] [-b ADDR]` (`un`'s httpd).
fn ruby(args: &[Word]) -> Option<Found> {
    let at = args
        .iter()
        .position(|w| w.text == "-ehttpd")
        .map(|i| i + 1)
        .or_else(|| {
            args.windows(2)
                .position(|p| p[0].text == "-e" && p[1].text == "httpd")
                .map(|i| i + 2)
        })?;
    if !args[..at].iter().any(|w| w.text == "-run") {
        return None;
    }
    let o = Opts::scan(
        &args[at..],
        &["p", "port", "b", "bind-address", "do-not-reverse-lookup"],
    );
    Some(Found {
        name: "ruby -run -e httpd".into(),
        root: o.operands.first().map(|w| (*w).clone()),
        loopback: o
            .value(&["b", "bind-address"])
            .is_some_and(|w| is_loopback(&w.text)),
    })
}

/// Options read the way these servers' parsers read them: `-x V`, `-xV`,
/// `--name V` and `--name=V` for the names in `valued`, operands the rest.
struct Opts<'w> {
    /// Option names with their values, in the order given.
    values: Vec<(&'static str, Word)>,
    operands: Vec<&'w Word>,
}

impl<'w> Opts<'w> {
    fn scan(args: &'w [Word], valued: &[&'static str]) -> Opts<'w> {
        let mut o = Opts {
            values: Vec::new(),
            operands: Vec::new(),
        };
        let mut i = 0;
        while i < args.len() {
            let t = args[i].text.as_str();
            let name = t.strip_prefix("--").or_else(|| t.strip_prefix('-'));
            match name {
                Some(n) if !n.is_empty() && t != "-" => {
                    if let Some((n, v)) = n.split_once('=') {
                        if let Some(k) = valued.iter().find(|k| **k == n) {
                            o.values.push((k, inline_word(v)));
                        }
                    } else if let Some(k) = valued.iter().find(|k| **k == n) {
                        if let Some(v) = args.get(i + 1) {
                            o.values.push((k, v.clone()));
                        }
                        i += 1;
                    } else if !t.starts_with("--")
                        && let Some(k) = valued.iter().find(|k| k.len() == 1 && n.starts_with(**k))
                    {
                        // `-tDIR`, `-S127.0.0.1:8000`.
                        o.values.push((k, inline_word(&n[1..])));
                    }
                }
                _ => o.operands.push(&args[i]),
            }
            i += 1;
        }
        o
    }

    /// The last value given to any of `names`.
    fn value(&self, names: &[&str]) -> Option<&Word> {
        self.values
            .iter()
            .rev()
            .find(|(k, _)| names.contains(k))
            .map(|(_, w)| w)
    }
}

/// A value written inside its option's word (`--directory=~`): a word of
/// its own, so that `~` and `$HOME` in it resolve as an operand's would.
fn inline_word(text: &str) -> Word {
    let line = crate::shell::parse(&format!("x {text}"));
    match line.commands.first().map(|c| c.argv.as_slice()) {
        Some([_, word]) => word.clone(),
        _ => Word::literal(text),
    }
}

/// Whether a listen spec (`127.0.0.1:8000`, `localhost:3000`,
/// `tcp://[::1]:80`, `:8080`, `8080`) is on the loopback interface only.
fn listen_is_loopback(spec: &str) -> bool {
    let spec = spec.split_once("://").map_or(spec, |(_, rest)| rest);
    let host = match spec.rsplit_once(':') {
        Some((host, _)) => host,
        // A port alone listens on every interface.
        None if spec.bytes().all(|b| b.is_ascii_digit()) => "",
        None => spec,
    };
    is_loopback(host.trim_start_matches('[').trim_end_matches(']'))
}

#[cfg(test)]
mod tests;
