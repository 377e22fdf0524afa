//! Network clients whose destination is in their arguments: URL clients
//! (`curl`, `wget`, HTTPie), raw sockets (`nc`, `socat`, `openssl
//! s_client`), remote log-ins and copies (`ssh`, `sftp`, `scp`, `rsync`,
//! `smbclient`), DNS and ICMP tools, mail/tunnel/file-drop programs, and
//! the programs the settings declare. Each records its uses (and the inline
//! data it sends) in a [`ShellView`].

use crate::argv::{Arg, NO_VALUES, Spec, host_dest, operands, scan};
use crate::hosts::{
    Dest, bare_host, host_of_hostport, login_host, remote_spec_host, url_host, valid_host,
};
use crate::uses::{NetUse, ShellView};
use clawlaw_sdk::shell::Word;

// The option tables below overlap those of `clawlaw_sdk::effects`, which are
// private to it; its `Net` effects are not used instead because they keep
// neither which part of a URL is only known at run time nor the size of
// inline data, and its host reading does not check that a word is a host.

/// curl's options that take a value (`curl --help all`).
const CURL: Spec = Spec {
    short: "AbcCdDeEFHKmoPQrtTuUwxXyYz",
    long: &[
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
        "user",
        "request",
        "upload-file",
        "user-agent",
        "referer",
        "cookie",
        "cookie-jar",
        "url",
        "proxy",
        "proxy-user",
        "max-time",
        "connect-timeout",
        "config",
        "range",
        "cert",
        "key",
        "cacert",
        "capath",
        "resolve",
        "connect-to",
        "retry",
        "retry-delay",
        "retry-max-time",
        "write-out",
        "dump-header",
        "output-dir",
        "oauth2-bearer",
        "continue-at",
        "limit-rate",
        "interface",
        "variable",
        "aws-sigv4",
        // Options naming a local file or taking a number: read as a URL,
        // `--trace trace.log` would make `trace.log` a destination.
        "trace",
        "trace-ascii",
        "trace-config",
        "stderr",
        "libcurl",
        "etag-save",
        "etag-compare",
        "netrc-file",
        "hsts",
        "alt-svc",
        "crlfile",
        "proxy-cacert",
        "proxy-capath",
        "proxy-cert",
        "proxy-key",
        "pinnedpubkey",
        "random-file",
        "egd-file",
        "unix-socket",
        "abstract-unix-socket",
        "max-filesize",
        "max-redirs",
        "local-port",
        "keepalive-time",
        "expect100-timeout",
        "speed-limit",
        "speed-time",
        "tls-max",
    ],
};
/// curl options whose value is sent inline (or names a file with `@`).
const CURL_DATA: &[&str] = &[
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
];

/// wget's options that take a value.
const WGET: Spec = Spec {
    short: "aABDeiIlOoPQRtTUwX",
    long: &[
        "output-document",
        "output-file",
        "append-output",
        "execute",
        "input-file",
        "base",
        "tries",
        "timeout",
        "wait",
        "quota",
        "directory-prefix",
        "level",
        "accept",
        "reject",
        "domains",
        "include-directories",
        "exclude-directories",
        "user-agent",
        "header",
        "post-data",
        "post-file",
        "body-data",
        "body-file",
        "method",
        "user",
        "password",
        "http-user",
        "http-password",
        "load-cookies",
        "save-cookies",
        "referer",
        "bind-address",
        "ca-certificate",
        "certificate",
        "private-key",
    ],
};

/// HTTPie's (and xh's) options that take a value.
const HTTPIE: Spec = Spec {
    short: "aAop",
    long: &[
        "auth",
        "auth-type",
        "output",
        "session",
        "session-read-only",
        "print",
        "verify",
        "cert",
        "cert-key",
        "proxy",
        "timeout",
        "pretty",
        "style",
        "format-options",
    ],
};

// The options that take a value of nc/ncat, ssh, scp, sftp, rsync and the
// DNS tools.
const NC: Spec = Spec {
    short: "cehiIOmopPqsTwxX",
    long: &[
        "exec",
        "sh-exec",
        "lua-exec",
        "proxy",
        "proxy-type",
        "proxy-auth",
        "source",
        "source-port",
        "wait",
        "output",
        "hex-dump",
        "allow",
        "allowfile",
        "deny",
        "denyfile",
        "idle-timeout",
    ],
};
const SSH: Spec = Spec {
    short: "BbcDEeFIiJLlmOoPpQRSWw",
    long: &[],
};
const SCP: Spec = Spec {
    short: "cDFiJlOoPSX",
    long: &[],
};
const SFTP: Spec = Spec {
    short: "aBbcDFiJlOoPRSs",
    long: &[],
};
const RSYNC: Spec = Spec {
    short: "BefMT",
    long: &[
        "rsh",
        "filter",
        "exclude",
        "include",
        "exclude-from",
        "include-from",
        "files-from",
        "port",
        "password-file",
        "temp-dir",
        "compare-dest",
        "copy-dest",
        "link-dest",
        "backup-dir",
        "suffix",
        "chmod",
        "chown",
        "log-file",
        "out-format",
        "partial-dir",
        "timeout",
        "contimeout",
        "block-size",
        "max-size",
        "min-size",
        "bwlimit",
        "rsync-path",
        "remote-option",
        "sockopts",
        "address",
    ],
};
const DNS: Spec = Spec {
    short: "bcfkpqtxyiIsSwWlMQT",
    long: &[],
};

/// Programs that talk to another host whatever their arguments, and whose
/// destination is not read from them (mail, file drops; tunnels are
/// `sinks.rs`'s).
const UNNAMED_EGRESS: &[&str] = &[
    "mail", "mailx", "sendmail", "mutt", "msmtp", "swaks", "croc", "wormhole", "ffsend", "sshpass",
];

/// `curl`: URL operands and `--url`, inline data.
pub(crate) fn curl(v: &mut ShellView, args: &[Word]) {
    url_client(v, "curl", &scan(args, &CURL), CURL_DATA, &["url"]);
}

/// `wget`/`wget2`: URL operands, `--post-data`/`--body-data`.
pub(crate) fn wget(v: &mut ShellView, p: &str, args: &[Word]) {
    url_client(v, p, &scan(args, &WGET), &["post-data", "body-data"], &[]);
}

/// curl and wget: URL operands (and `url_opts`), inline data (the values of
/// `data_opts`, unless they name a file). A URL may omit its scheme.
fn url_client(v: &mut ShellView, p: &str, parsed: &[Arg], data_opts: &[&str], url_opts: &[&str]) {
    let mut dests = Vec::new();
    let mut dynamic = false;
    for a in parsed {
        let is_url = a.opt.is_none() || a.is(url_opts);
        if a.is(data_opts)
            && let Some(val) = a.val
        {
            if !(val.starts_with('@') || val.contains("=@") || val.contains("=<")) {
                v.bytes += val.len();
            }
            continue;
        }
        if !is_url {
            continue;
        }
        match host_dest(a, bare_host) {
            Dest::Host(h) if !dests.contains(&h) => dests.push(h),
            Dest::Dynamic if a.static_val().is_empty() || a.static_val().contains("://") => {
                dynamic = true;
            }
            _ => {}
        }
    }
    let dests: Vec<Dest> = if !dests.is_empty() {
        dests.into_iter().map(Dest::Host).collect()
    } else if dynamic {
        vec![Dest::Dynamic]
    } else {
        Vec::new()
    };
    v.push_all(p, dests);
}

/// HTTPie and xh: `[METHOD] URL [ITEM…]`; `:3000/x` is localhost.
pub(crate) fn httpie(v: &mut ShellView, p: &str, args: &[Word]) {
    let parsed = scan(args, &HTTPIE);
    let mut ops = operands(&parsed).peekable();
    if ops.peek().is_some_and(|a| {
        a.static_val().bytes().all(|b| b.is_ascii_uppercase()) && !a.static_val().is_empty()
    }) {
        ops.next();
    }
    let dest = match ops.next() {
        Some(a) if a.static_val().starts_with(':') => Dest::Host("localhost".into()),
        Some(a) => host_dest(a, bare_host),
        None => Dest::Unknown,
    };
    for item in ops {
        v.bytes += item.val.unwrap_or("").len();
    }
    v.uses.push(NetUse::new(p, dest, true));
}

/// socat: a network address among its two addresses, and a credential
/// file one of them reads.
pub(crate) fn socat(v: &mut ShellView, args: &[Word]) {
    const CONNECT: &[&str] = &[
        "tcp:",
        "tcp4:",
        "tcp6:",
        "tcp-connect:",
        "tcp4-connect:",
        "tcp6-connect:",
        "udp:",
        "udp4:",
        "udp6:",
        "udp-sendto:",
        "udp-connect:",
        "openssl:",
        "openssl-connect:",
        "ssl:",
        "socks4:",
        "socks4a:",
        "socks5:",
        "proxy:",
    ];
    const LISTEN: &[&str] = &[
        "tcp-listen:",
        "tcp4-listen:",
        "tcp6-listen:",
        "udp-listen:",
        "openssl-listen:",
        "ssl-l:",
    ];
    for w in args {
        let lower = w.text.to_ascii_lowercase();
        if let Some(pre) = CONNECT.iter().find(|pre| lower.starts_with(**pre)) {
            let rest = &w.text[pre.len()..];
            let host = rest.split([':', ',']).next().unwrap_or("");
            let dest = if w.is_dynamic() && host.contains('$') {
                Dest::Dynamic
            } else {
                valid_host(host).map_or(Dest::Unknown, Dest::Host)
            };
            v.uses.push(NetUse::new("socat", dest, true));
        } else if LISTEN.iter().any(|pre| lower.starts_with(pre)) {
            v.uses.push(NetUse::new("socat", Dest::Unknown, true));
        } else if let Some(pre) = ["file:", "open:", "gopen:"]
            .iter()
            .find(|pre| lower.starts_with(**pre))
        {
            // `socat FILE:~/.ssh/id_rsa TCP:host:port`: the file is sent.
            let path = w.text[pre.len()..].split(',').next().unwrap_or("");
            crate::files::note_credential(v, path);
        }
    }
}

/// `nc`/`ncat`/`netcat`: the host operand (not a port); a listener's
/// destination is whoever connects.
pub(crate) fn nc(v: &mut ShellView, p: &str, args: &[Word]) {
    let parsed = scan(args, &NC);
    let listen = parsed.iter().any(|a| a.is(&["l", "listen"]));
    let host = operands(&parsed)
        .find(|a| !a.static_val().bytes().all(|b| b.is_ascii_digit()))
        .map(|a| host_dest(a, login_host));
    let dest = match host {
        Some(d) if !listen => d,
        _ => Dest::Unknown,
    };
    v.uses.push(NetUse::new(p, dest, true));
}

/// `ssh`, `mosh`, `telnet`, `ftp`, `lftp`, `tftp`, `sftp`: the first
/// operand is the log-in target; without one they connect nowhere.
pub(crate) fn login(v: &mut ShellView, p: &str, args: &[Word]) {
    let spec = match p {
        "ssh" => &SSH,
        "sftp" => &SFTP,
        _ => &NO_VALUES,
    };
    let parsed = scan(args, spec);
    // With no target (`ssh -V`, `ssh --help`) it only prints and exits.
    if let Some(target) = operands(&parsed).next() {
        let dest = host_dest(target, login_host);
        v.uses.push(NetUse::new(p, dest, true));
    }
}

/// `scp` and `rsync`: one use per remote operand. With none, they copy
/// locally.
pub(crate) fn remote_copy(v: &mut ShellView, p: &str, args: &[Word]) {
    let parsed = scan(args, if p == "scp" { &SCP } else { &RSYNC });
    for a in operands(&parsed) {
        let text = a.val.unwrap_or("");
        if let Some(h) = remote_spec_host(a.static_val()) {
            v.uses.push(NetUse::new(p, Dest::Host(h), true));
        } else if text.find(':').is_some_and(|i| a.static_val().len() < i) {
            // `"$HOST:/path"`: a remote whose name is only known at run time.
            v.uses.push(NetUse::new(p, Dest::Dynamic, true));
        }
    }
}

/// `smbclient //host/share`.
pub(crate) fn smbclient(v: &mut ShellView, args: &[Word]) {
    let dest = args
        .iter()
        .find_map(|w| w.text.strip_prefix("//"))
        .and_then(|r| valid_host(r.split('/').next().unwrap_or("")))
        .map_or(Dest::Unknown, Dest::Host);
    v.uses.push(NetUse::new("smbclient", dest, true));
}

/// `openssl s_client [-connect host:port]`; with no `-connect` it talks to
/// localhost:443.
pub(crate) fn s_client(v: &mut ShellView, args: &[Word]) {
    let dest = args
        .windows(2)
        .find(|w| w[0].text == "-connect")
        .and_then(|w| host_of_hostport(&w[1].text))
        .map_or(Dest::Host("localhost".into()), Dest::Host);
    v.uses.push(NetUse::new("openssl s_client", dest, true));
}

/// DNS and ICMP tools: every name queried (and a `@server`) is a
/// destination, since the name itself carries data.
pub(crate) fn dns(v: &mut ShellView, p: &str, args: &[Word]) {
    for a in operands(&scan(args, &DNS)) {
        let t = a.static_val();
        if let Some(server) = t.strip_prefix('@') {
            if let Some(h) = valid_host(server) {
                v.uses.push(NetUse::new(p, Dest::Host(h), true));
            }
        } else if let Some(h) = bare_host(t) {
            v.uses.push(NetUse::new(p, Dest::Host(h), true));
        } else if t.is_empty() && a.dynamic() {
            v.uses.push(NetUse::new(p, Dest::Dynamic, true));
        }
    }
}

/// Whether `p` talks to another host whatever its arguments (mail, file
/// drops).
pub(crate) fn is_unnamed_egress(p: &str) -> bool {
    UNNAMED_EGRESS.contains(&p)
}

/// [`UNNAMED_EGRESS`] programs: the URLs among their arguments, else an
/// unnamed destination.
pub(crate) fn unnamed(v: &mut ShellView, p: &str, args: &[Word]) {
    let hosts: Vec<Dest> = args
        .iter()
        .filter_map(|w| url_host(&w.text).map(Dest::Host))
        .collect();
    v.push_all(p, hosts);
}

/// Backup tools (`restic`, `borg`, `duplicity`, `rdiff-backup`, `kopia`,
/// `duplicacy`): each repository or target on another host (`-r
/// sftp:host:/repo`, `ssh://host/repo::archive`, `sftp://host/dir`,
/// `host::/dir`, `rest:https://…`, `s3:host/bucket`) is where the paths it
/// backs up go; a local repository sends nothing.
pub(crate) fn backup(v: &mut ShellView, p: &str, args: &[Word]) {
    const BACKENDS: &[&str] = &[
        "sftp:", "rest:", "s3:", "b2:", "azure:", "gs:", "swift:", "rclone:",
    ];
    let hosts: Vec<Dest> = args
        .iter()
        .filter_map(|w| {
            let t = w.text.strip_prefix("--repo=").unwrap_or(&w.text);
            // restic's `BACKEND:…` (`s3:host/bucket`: a host, then a path).
            let backend = BACKENDS
                .iter()
                .find_map(|b| t.strip_prefix(b))
                .filter(|rest| !rest.starts_with("//"));
            if let Some(rest) = backend {
                return url_host(rest)
                    .or_else(|| remote_spec_host(rest))
                    .or_else(|| valid_host(rest.split('/').next()?))
                    .map(Dest::Host);
            }
            // rdiff-backup's `[user@]host::path`; borg's `host:repo::archive`
            // and `ssh://host/repo::archive` name the repository first.
            let (t, archive) = t.split_once("::").map_or((t, false), |(h, _)| (h, true));
            url_host(t)
                .or_else(|| remote_spec_host(t))
                .or_else(|| {
                    let host = t.rsplit('@').next()?;
                    (archive && p == "rdiff-backup" && !host.contains(['/', ':']))
                        .then(|| valid_host(host))
                        .flatten()
                })
                .map(Dest::Host)
        })
        .collect();
    for h in hosts {
        v.uses.push(NetUse::new(p, h, true));
    }
}

/// A program the settings declare a network client (`network_programs`):
/// the URLs, remote specs and `user@host` targets among its arguments, else
/// an unnamed destination.
pub(crate) fn declared(v: &mut ShellView, p: &str, args: &[Word]) {
    let hosts: Vec<Dest> = args
        .iter()
        .filter_map(|w| {
            let t = w.text.as_str();
            url_host(t)
                .or_else(|| remote_spec_host(t))
                .or_else(|| t.contains('@').then(|| login_host(t)).flatten())
                .map(Dest::Host)
        })
        .collect();
    v.push_all(p, hosts);
}

#[cfg(test)]
mod tests {
    use super::*;
    use clawlaw_sdk::shell::parse;

    #[test]
    fn option_scanning_skips_values() {
        let cl = parse("curl -sSLo out.json -H 'Accept: x' --data=@f https://a.example/x");
        let parsed = scan(cl.commands[0].args(), &CURL);
        let ops: Vec<&str> = operands(&parsed).map(|a| a.val.unwrap()).collect();
        assert_eq!(ops, ["https://a.example/x"]);
        assert!(
            parsed
                .iter()
                .any(|a| a.is(&["o"]) && a.val == Some("out.json"))
        );
        assert!(
            parsed
                .iter()
                .any(|a| a.is(&["data"]) && a.val == Some("@f"))
        );
    }
}
