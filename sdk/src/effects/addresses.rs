//! Where a network call of inline code connects ([`super::interp`]): a
//! URL, or a socket's host and port, however the language spells them
//! (Python's `(host, port)`, Ruby's and PHP's host then port, node's port
//! then host), recorded as a connection to `host:port` (`[v6]:port`).

use super::code::{Call, Val};
use super::context::Cx;
use super::net::host_of;

/// The URL or address a network call connects to: a socket's address, or
/// its first argument, or its receiver's (`Net::HTTP.get(URI('…'))`), or
/// the first string that looks like one.
pub(super) fn of_call(c: &Call) -> Val {
    let port = |v: &Val| {
        v.as_str()
            .filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            .map(str::to_string)
    };
    let host = |v: &Val| {
        v.as_str()
            .filter(|h| !h.contains("://"))
            .map(str::to_string)
    };
    // A socket's address: Python's `(host, port)`, a host and a port
    // (`TCPSocket.new(h, p)`, `HTTPConnection(h, p)`, `fsockopen(h, p)`),
    // node's port and host (`net.connect(7070, h)`, or no host: this
    // machine).
    let address = match (c.arg(0), c.arg(1)) {
        (Val::List(l), _) if l.len() == 2 => host(&l[0]).zip(port(&l[1])),
        (first, second) if port(first).is_some() => Some((
            host(second).unwrap_or("localhost".into()),
            port(first).unwrap_or_default(),
        )),
        (first, second) => host(first).zip(port(second)),
    };
    if let Some((h, p)) = address {
        return Val::Str(if h.contains(':') {
            format!("[{h}]:{p}")
        } else {
            format!("{h}:{p}")
        });
    }
    match c.arg(0) {
        Val::Str(s) => Val::Str(s.clone()),
        Val::List(l) => l.first().cloned().unwrap_or(Val::Unknown),
        Val::Unknown => c
            .words
            .iter()
            .find(|w| w.contains("://"))
            .map(|w| Val::Str(w.clone()))
            .unwrap_or(Val::Unknown),
    }
}

/// Records a connection to `url` (computed at run time when it is not a
/// string) by the call `how`.
pub(super) fn record(cx: &mut Cx, how: &str, url: &Val, sends: bool) {
    match url.as_str() {
        Some(u) => {
            // A URL's host, an address's (`h:7070`, `[::1]:7070`), or the
            // bare host given.
            let host = if u.contains("://") || u.contains(':') && !u.contains("::") {
                host_of(u)
            } else {
                Some(
                    u.trim_start_matches('[')
                        .split(']')
                        .next()
                        .unwrap_or(u)
                        .to_string(),
                )
            };
            cx.net(how, Some(u.to_string()), host, sends);
        }
        None => {
            cx.net(how, None, None, sends);
            cx.unresolved(format!("`{how}` contacts an address computed at run time"));
        }
    }
}
