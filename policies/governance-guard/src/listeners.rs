//! The local ports a command takes, as far as the line says: what a server
//! listens on (`--port`, `--listen`, `python -m http.server PORT`, `php -S
//! host:PORT`, `nc -l PORT`, `socat TCP-LISTEN:PORT`), what a container
//! publishes (`docker run -p HOST:CONTAINER`), what a tunnel opens on this
//! machine (`ssh -L PORT:host:port`, `ssh -D PORT`, `kubectl port-forward
//! PORT:REMOTE`), what inline code binds (`.listen(PORT)`, `bind(('',
//! PORT))`, `run(port=PORT)`), and where a NAT rule sends a port's traffic
//! (`iptables -t nat … --dport PORT -j REDIRECT`). Whatever takes the
//! gate's port answers the hook as the gate once the gate is down; a rule
//! that redirects it answers even while the gate runs.

use clawlaw_sdk::shell::Command;

/// Clients: their `-p` or `--port` names the port they connect to.
const CLIENTS: &[&str] = &[
    "scp",
    "sftp",
    "curl",
    "wget",
    "psql",
    "mysql",
    "redis-cli",
    "mongosh",
    "telnet",
    "kill",
    "fuser",
    "lsof",
    "ss",
    "netstat",
    "git",
];

/// Interpreters whose inline code (`-c`, `-e`) may open a listener.
const INTERPRETERS: &[&str] = &[
    "python", "python3", "python2", "node", "nodejs", "deno", "bun", "ruby", "perl", "php",
];

/// What inline code calls to take a port: a listening socket's `bind` and
/// `listen`, a web framework's `run` or `serve`, a server's constructor.
const CODE_LISTENS: &[&str] = &[
    "listen(",
    "bind(",
    "serve(",
    "serve_forever",
    "run(port",
    "run(host",
    "Server(",
    "Server.new(",
    "createServer(",
    "TCPServer",
    "HTTPServer",
];

/// The ports `c` takes on this machine.
pub fn ports(c: &Command) -> Vec<u16> {
    if c.program_dynamic {
        return Vec::new();
    }
    let program = c.program.as_str();
    let args: Vec<&str> = c.args().iter().map(|w| w.text.as_str()).collect();
    match program {
        "ssh" | "autossh" => tunnel_ports(&args),
        // `kubectl port-forward … 7070:80`, `kubectl proxy --port 7070`.
        "kubectl" | "oc" => {
            let mut out = port_forward(&args);
            out.extend(server_ports(program, &args));
            out
        }
        "iptables" | "ip6tables" | "iptables-nft" | "iptables-legacy" => redirected(&args),
        _ if INTERPRETERS.contains(&program) || program.starts_with("python3.") => {
            // `python3 -m http.server 7070` is a server; `-c CODE` may be.
            let mut out = code_ports(&args);
            out.extend(server_ports(program, &args));
            out
        }
        _ if CLIENTS.contains(&program) => Vec::new(),
        _ => server_ports(program, &args),
    }
}

/// The port of `s`: its last `:`-separated part (`127.0.0.1:7070`,
/// `:7070`, `7070`).
fn port(s: &str) -> Option<u16> {
    s.rsplit(':').next().and_then(|p| p.parse::<u16>().ok())
}

/// A server's ports from its options and operands.
fn server_ports(program: &str, args: &[&str]) -> Vec<u16> {
    let nc = matches!(program, "nc" | "ncat" | "netcat");
    if nc
        && !args
            .iter()
            .any(|a| a.starts_with('-') && !a.starts_with("--") && a.contains('l'))
        && !args.contains(&"--listen")
    {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (k, a) in args.iter().enumerate() {
        let next = args.get(k + 1).copied().unwrap_or("");
        match *a {
            "--port" | "--listen" | "--bind" | "--host-port" | "--http-port" | "--addr"
            | "--address" | "--from" | "-p" | "-P" | "-l" | "-S" => {
                // `docker run -p 7070:80`: the host's side comes first.
                let value = if program == "docker" || program == "podman" {
                    next.split(':').rev().nth(1).unwrap_or(next)
                } else {
                    next
                };
                out.extend(port(value));
            }
            "http.server" | "SimpleHTTPServer" | "runserver" => out.extend(port(next)),
            _ => {
                if let Some((name, v)) = a.split_once('=')
                    && matches!(
                        name,
                        "--port" | "--listen" | "--bind" | "--http-port" | "--addr" | "--address"
                    )
                {
                    out.extend(port(v));
                }
                let upper = a.to_ascii_uppercase();
                if let Some(rest) = ["TCP-LISTEN:", "TCP4-LISTEN:", "TCP6-LISTEN:"]
                    .iter()
                    .find_map(|p| upper.strip_prefix(p))
                {
                    out.extend(port(rest.split(',').next().unwrap_or("")));
                }
                // `nc -l 7070`: the bare port operand of a listener.
                if nc {
                    out.extend(a.parse::<u16>().ok());
                }
            }
        }
    }
    out
}

/// `ssh -L [bind:]PORT:host:hostport`, `-D [bind:]PORT`: the local end of a
/// forward listens here (`-R` listens on the remote side).
fn tunnel_ports(args: &[&str]) -> Vec<u16> {
    let mut out = Vec::new();
    for (k, a) in args.iter().enumerate() {
        let spec = match *a {
            "-L" | "-D" => args.get(k + 1).copied(),
            _ => a.strip_prefix("-L").or_else(|| a.strip_prefix("-D")),
        };
        let Some(spec) = spec.filter(|s| !s.is_empty()) else {
            continue;
        };
        let local = *a == "-D" || a.starts_with("-D");
        let parts: Vec<&str> = spec.split(':').collect();
        let p = if local {
            parts.last()
        } else {
            // `PORT:host:hostport` or `bind:PORT:host:hostport`.
            parts.len().checked_sub(3).and_then(|i| parts.get(i))
        };
        out.extend(p.and_then(|p| p.parse::<u16>().ok()));
    }
    out
}

/// `kubectl port-forward TARGET LOCAL[:REMOTE]…`: the local ports.
fn port_forward(args: &[&str]) -> Vec<u16> {
    let Some(at) = args.iter().position(|a| *a == "port-forward") else {
        return Vec::new();
    };
    args[at + 1..]
        .iter()
        .filter(|a| !a.starts_with('-') && !a.contains('/'))
        .filter_map(|a| a.split(':').next()?.parse::<u16>().ok())
        .collect()
}

/// A NAT rule that sends a port's traffic elsewhere: `-t nat … --dport
/// PORT -j REDIRECT|DNAT`.
fn redirected(args: &[&str]) -> Vec<u16> {
    let redirects = args
        .windows(2)
        .any(|w| matches!(w[0], "-j" | "--jump") && matches!(w[1], "REDIRECT" | "DNAT"));
    let adds = args
        .iter()
        .any(|a| matches!(*a, "-A" | "-I" | "--append" | "--insert"));
    if !redirects || !adds {
        return Vec::new();
    }
    args.windows(2)
        .filter(|w| matches!(w[0], "--dport" | "--destination-port"))
        .filter_map(|w| w[1].parse::<u16>().ok())
        .collect()
}

/// The ports inline code (`-c CODE`, `-e CODE`, `-r CODE`) names beside a
/// call that takes one: every number in a port's range that stands alone in
/// code that listens. Over-reading a number is safe here: only the gate's
/// ports matter to the caller.
fn code_ports(args: &[&str]) -> Vec<u16> {
    let code = args.iter().enumerate().find_map(|(k, a)| {
        matches!(*a, "-c" | "-e" | "-r" | "--eval" | "-E")
            .then(|| args.get(k + 1).copied())
            .flatten()
    });
    let Some(code) = code else {
        return Vec::new();
    };
    if !CODE_LISTENS.iter().any(|call| code.contains(call)) {
        return Vec::new();
    }
    code.split(|ch: char| !ch.is_ascii_digit())
        .filter(|n| !n.is_empty() && !n.starts_with('0'))
        .filter_map(|n| n.parse::<u16>().ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clawlaw_sdk::shell::parse;

    fn of(line: &str) -> Vec<u16> {
        parse(line).commands.iter().flat_map(ports).collect()
    }

    #[test]
    fn servers_containers_and_raw_listeners() {
        assert_eq!(of("python3 -m http.server 7070"), [7070]);
        assert_eq!(of("uvicorn app:app --port=7070"), [7070]);
        assert_eq!(of("caddy reverse-proxy --from :7070 --to :9000"), [7070]);
        assert_eq!(of("docker run -p 127.0.0.1:7070:80 nginx"), [7070]);
        assert_eq!(of("nc -lk 7070"), [7070]);
        assert_eq!(of("socat tcp-listen:7070,fork EXEC:cat"), [7070]);
        assert!(of("nc example.com 7070").is_empty());
        assert!(of("curl -p http://127.0.0.1:7070/").is_empty());
    }

    #[test]
    fn tunnels_open_their_local_end() {
        assert_eq!(of("ssh -N -L 7070:evil.example:80 host"), [7070]);
        assert_eq!(of("ssh -L127.0.0.1:7070:evil:80 host"), [7070]);
        assert_eq!(of("ssh -D 7070 host"), [7070]);
        assert!(of("ssh -R 7070:localhost:80 host").is_empty());
        assert!(of("ssh -p 7070 host").is_empty());
        assert_eq!(of("kubectl port-forward svc/web 7070:80"), [7070]);
        assert_eq!(of("kubectl -n x port-forward pod/a 7070"), [7070]);
        assert_eq!(of("kubectl proxy --port=7070"), [7070]);
    }

    #[test]
    fn inline_code_that_listens_and_nat_redirects() {
        assert_eq!(
            of(r#"node -e "require('http').createServer(h).listen(7070)""#),
            [7070]
        );
        assert!(
            of(r#"python3 -c "import socket;s=socket.socket();s.bind(('127.0.0.1',7070));s.listen(5)""#)
                .contains(&7070)
        );
        assert!(of(r#"python3 -c "print(7070)""#).is_empty());
        assert!(
            of(r#"python3 -c "import subprocess; subprocess.run(['curl', 'localhost:7070'])""#)
                .is_empty()
        );
        assert_eq!(
            of("iptables -t nat -A OUTPUT -p tcp --dport 7070 -j REDIRECT --to-port 9999"),
            [7070]
        );
        assert!(of("iptables -A INPUT -p tcp --dport 7070 -j ACCEPT").is_empty());
    }
}
