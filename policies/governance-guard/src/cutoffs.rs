//! What cuts the gate off from the hooks and reviewers that call it, while
//! it runs: a packet filter rule that drops or rejects the traffic it
//! serves (`iptables -A INPUT -p tcp --dport 7070 -j DROP`, `nft add rule
//! inet filter input tcp dport 7070 drop`, `ufw deny 7070/tcp`, a
//! firewalld rich rule), the loopback device it listens on taken down or
//! emptied (`ip link set lo down`, `ifconfig lo down`, `ip addr flush dev
//! lo`), traffic control that delays or loses its packets (`tc qdisc add
//! dev lo root netem loss 100%`), a route that drops its address (`ip
//! route add blackhole 127.0.0.1`, the local table's loopback routes
//! deleted), and its connections reset (`tcpkill port 7070`). A rule is
//! judged by the traffic it selects: every restriction it makes (port,
//! address, device, protocol) must admit the gate's, so `iptables -A INPUT
//! -j DROP` cuts the gate off and `… --dport 22 -j DROP` does not.

use clawlaw_sdk::shell::{Command, CommandLine};

use crate::Context;
use crate::findings::Finding;
use crate::gate_address::GateAddress;

/// The commands of `line` that cut the gate off (DENY as
/// `governance.stop-gate`).
pub fn judge(ctx: &Context, line: &CommandLine, out: &mut Vec<Finding>) {
    let gates = ctx.gate_addresses();
    for c in &line.commands {
        if let Some(what) = gates.iter().find_map(|g| cut_off(c, g)) {
            out.push(Finding::cut_off(&c.program, &what));
        }
    }
}

/// What `c` does to the gate's traffic, if it cuts it off: a short account.
pub fn cut_off(c: &Command, gate: &GateAddress) -> Option<String> {
    const PROGRAMS: &[&str] = &[
        "iptables",
        "ip6tables",
        "iptables-nft",
        "iptables-legacy",
        "ip6tables-nft",
        "ip6tables-legacy",
        "nft",
        "ufw",
        "firewall-cmd",
        "tc",
        "ip",
        "ifconfig",
        "ifdown",
        "tcpkill",
    ];
    // Every command of every line comes here: nothing is collected until
    // the program is one of these.
    let program = c.program.as_str();
    if c.program_dynamic {
        return None;
    }
    let args: Vec<&str> = c.args().iter().map(|w| w.text.as_str()).collect();
    // Windows' firewall: `netsh advfirewall firewall add rule …`,
    // `New-NetFirewallRule …`.
    if program.eq_ignore_ascii_case("netsh") || program.eq_ignore_ascii_case("netsh.exe") {
        return netsh(&args, gate);
    }
    if program.eq_ignore_ascii_case("New-NetFirewallRule") {
        return windows_rule(&args, gate);
    }
    if !PROGRAMS.contains(&program) {
        return None;
    }
    // The words that are not options, for the commands read by them.
    let ops: Vec<&str> = args
        .iter()
        .copied()
        .filter(|a| !a.starts_with('-'))
        .collect();
    match program {
        "nft" => nft(&args, gate),
        "ufw" => ufw(&ops, gate),
        "firewall-cmd" => firewalld(&args, gate),
        "tc" => shaping(&ops, gate),
        "tcpkill" => connections_killed(&args, gate),
        "ip" if matches!(ops.first(), Some(&("route" | "r" | "ro" | "rou"))) => {
            unroutable(&ops[1..], gate)
        }
        "ip" | "ifconfig" | "ifdown" => device_down(program, &ops, gate),
        _ => iptables(&args, gate),
    }
}

/// `iptables -A|-I CHAIN … -j DROP|REJECT`: a rule added to a chain the
/// gate's traffic passes whose matches all admit it.
fn iptables(args: &[&str], gate: &GateAddress) -> Option<String> {
    let mut adds = false;
    let mut chain = "";
    let mut target = "";
    let mut admits = true;
    // `! -i lo`: the restriction that follows is inverted.
    let mut negate = false;
    let mut k = 0;
    while k < args.len() {
        if args[k] == "!" {
            negate = true;
            k += 1;
            continue;
        }
        let (opt, inline) = match args[k].split_once('=') {
            Some((o, v)) if o.starts_with("--") => (o, Some(v)),
            _ => (args[k], None),
        };
        let value = inline.or_else(|| args.get(k + 1).copied()).unwrap_or("");
        let step = if inline.is_some() { 1 } else { 2 };
        match opt {
            "-A" | "--append" | "-I" | "--insert" | "-R" | "--replace" => {
                adds = true;
                chain = value;
            }
            "-D" | "--delete" | "-C" | "--check" | "-L" | "--list" | "-S" | "--list-rules" => {
                return None;
            }
            "-j" | "--jump" => target = value,
            "--dport" | "--destination-port" | "--sport" | "--source-port" | "--dports"
            | "--sports" | "--ports" => admits &= negate != gate.port_in(value),
            "-d" | "--destination" | "-s" | "--source" => {
                admits &= negate != value.split(',').any(|a| gate.address_in(a))
            }
            "-i" | "--in-interface" | "-o" | "--out-interface" => {
                admits &= negate != gate.device_in(value)
            }
            "-p" | "--protocol" => admits &= negate != matches!(value, "tcp" | "all" | "6"),
            "-t" | "--table" | "-m" | "--match" => {}
            _ => {
                negate = false;
                k += 1;
                continue;
            }
        }
        negate = false;
        k += step;
    }
    let local_chain = !matches!(chain, "FORWARD" | "PREROUTING" | "POSTROUTING" | "");
    (adds && local_chain && admits && matches!(target, "DROP" | "REJECT" | "TARPIT"))
        .then(|| format!("a rule that {}s the gate's traffic", target.to_lowercase()))
}

/// `nft add|insert rule … [tcp dport 7070] [iifname lo] drop|reject`.
fn nft(args: &[&str], gate: &GateAddress) -> Option<String> {
    let text = args.join(" ");
    let words: Vec<&str> = text
        .split(|ch: char| ch.is_whitespace() || ch == ';')
        .filter(|w| !w.is_empty())
        .collect();
    let adds = words
        .windows(2)
        .any(|w| matches!(w[0], "add" | "insert" | "create") && w[1] == "rule");
    let verdict = words.iter().find(|w| matches!(**w, "drop" | "reject"))?;
    if !adds
        || ["forward", "prerouting", "postrouting"]
            .iter()
            .any(|c| words.contains(c))
    {
        return None;
    }
    let mut admits = true;
    for (k, w) in words.iter().enumerate() {
        let next = words.get(k + 1).copied().unwrap_or("");
        match *w {
            "dport" | "sport" => {
                // `dport { 80, 7070 }`: the set runs to its closing brace.
                let set: Vec<&str> = if next.starts_with('{') {
                    words[k + 1..]
                        .iter()
                        .take_while(|x| !x.starts_with('}'))
                        .copied()
                        .collect()
                } else {
                    vec![next]
                };
                admits &= gate.port_in(&set.join(" "));
            }
            "daddr" | "saddr" => admits &= gate.address_in(next),
            "iifname" | "oifname" | "iif" | "oif" => {
                admits &= gate.device_in(next.trim_matches('"'))
            }
            "udp" | "icmp" | "sctp" => admits = false,
            _ => {}
        }
    }
    admits.then(|| format!("a rule that {verdict}s the gate's traffic"))
}

/// `ufw [insert N|prepend] deny|reject [in|out] [on DEV] PORT[/tcp]`, or
/// the full form `… [from ADDR] [to ADDR] [port PORT] [proto P]`.
fn ufw(ops: &[&str], gate: &GateAddress) -> Option<String> {
    let start = match ops {
        ["insert", _, ..] => 2,
        ["prepend", ..] | ["route", ..] => 1,
        _ => 0,
    };
    let verdict = *ops.get(start)?;
    if !matches!(verdict, "deny" | "reject") || ops.first() == Some(&"route") {
        return None;
    }
    let rest = &ops[start + 1..];
    let mut admits = true;
    let mut k = 0;
    while k < rest.len() {
        let next = rest.get(k + 1).copied().unwrap_or("");
        match rest[k] {
            "in" | "out" | "log" | "log-all" | "comment" => {}
            "on" => admits &= gate.device_in(next),
            "from" | "to" => admits &= next == "any" || gate.address_in(next),
            "port" => admits &= gate.port_in(next),
            "proto" => admits &= next == "tcp",
            // `ufw deny 7070/tcp`: the simple form's port.
            w if w.starts_with(|ch: char| ch.is_ascii_digit()) => {
                admits &= gate.port_in(w) && w.split_once('/').is_none_or(|(_, p)| p == "tcp");
            }
            // A service or an application profile (`ufw deny ssh`,
            // `ufw deny OpenSSH`): a well-known port, not the gate's.
            _ => admits = false,
        }
        k += if matches!(rest[k], "on" | "from" | "to" | "port" | "proto" | "comment") {
            2
        } else {
            1
        };
    }
    admits.then(|| format!("a firewall rule that {verdict}s the gate's traffic"))
}

/// `firewall-cmd --add-rich-rule='rule … port port=7070 protocol=tcp
/// reject'`.
fn firewalld(args: &[&str], gate: &GateAddress) -> Option<String> {
    let rule = args
        .iter()
        .find_map(|a| a.strip_prefix("--add-rich-rule="))?;
    let words: Vec<&str> = rule
        .split_whitespace()
        .map(|w| w.trim_matches(['"', '\'']))
        .collect();
    let verdict = words.iter().find(|w| matches!(**w, "drop" | "reject"))?;
    let port = words.iter().find_map(|w| w.strip_prefix("port="));
    let address = words
        .iter()
        .find_map(|w| w.strip_prefix("address="))
        .filter(|_| words.contains(&"destination") || words.contains(&"source"));
    let admits = port.is_none_or(|p| gate.port_in(p)) && address.is_none_or(|a| gate.address_in(a));
    admits.then(|| format!("a firewall rule that {verdict}s the gate's traffic"))
}

/// `netsh advfirewall firewall add rule name=N dir=in|out action=block
/// [protocol=tcp] [localport=P] [remoteport=P] [remoteip=A]`.
fn netsh(args: &[&str], gate: &GateAddress) -> Option<String> {
    let lower: Vec<String> = args.iter().map(|a| a.to_ascii_lowercase()).collect();
    let adds = lower.windows(2).any(|w| w[0] == "add" && w[1] == "rule");
    if !adds || !lower.iter().any(|a| a == "firewall") {
        return None;
    }
    windows_block(gate, |field| {
        let key = match field {
            RuleField::Action => "action",
            RuleField::Protocol => "protocol",
            RuleField::LocalPort => "localport",
            RuleField::RemotePort => "remoteport",
            RuleField::RemoteAddress => "remoteip",
        };
        lower
            .iter()
            .find_map(|a| a.strip_prefix(key)?.strip_prefix('='))
            .map(str::to_string)
    })
}

/// `New-NetFirewallRule -Action Block [-Protocol TCP] [-LocalPort P]
/// [-RemotePort P] [-RemoteAddress A]`.
fn windows_rule(args: &[&str], gate: &GateAddress) -> Option<String> {
    windows_block(gate, |field| {
        let name = match field {
            RuleField::Action => "-Action",
            RuleField::Protocol => "-Protocol",
            RuleField::LocalPort => "-LocalPort",
            RuleField::RemotePort => "-RemotePort",
            RuleField::RemoteAddress => "-RemoteAddress",
        };
        args.iter()
            .position(|a| a.eq_ignore_ascii_case(name))
            .and_then(|k| args.get(k + 1))
            .map(|v| v.trim_matches(['\'', '"']).to_ascii_lowercase())
    })
}

/// The fields of a Windows firewall rule that decide what it blocks,
/// however the tool that adds it spells them.
#[derive(Clone, Copy)]
enum RuleField {
    Action,
    Protocol,
    LocalPort,
    RemotePort,
    RemoteAddress,
}

/// Whether a Windows firewall rule, its fields (lower-cased) looked up by
/// `value`, blocks the gate's traffic: its action is block and every
/// restriction it makes (protocol, ports, remote address) admits the gate's.
fn windows_block(
    gate: &GateAddress,
    value: impl Fn(RuleField) -> Option<String>,
) -> Option<String> {
    let admits = value(RuleField::Action).as_deref() == Some("block")
        && value(RuleField::Protocol).is_none_or(|p| matches!(p.as_str(), "tcp" | "any" | "6"))
        && value(RuleField::LocalPort).is_none_or(|p| p == "any" || gate.port_in(&p))
        && value(RuleField::RemotePort).is_none_or(|p| p == "any" || gate.port_in(&p))
        && value(RuleField::RemoteAddress)
            .is_none_or(|a| a == "any" || a.split(',').any(|a| gate.address_in(a)));
    admits.then(|| "a Windows firewall rule that blocks the gate's traffic".to_string())
}

/// `tc qdisc add|replace|change dev DEV … ` on a device the gate's traffic
/// passes: a queue that delays, drops or throttles it.
fn shaping(ops: &[&str], gate: &GateAddress) -> Option<String> {
    let [object, verb, rest @ ..] = ops else {
        return None;
    };
    if !matches!(*object, "qdisc" | "q" | "qd" | "filter")
        || !matches!(*verb, "add" | "replace" | "change" | "a" | "r" | "c")
    {
        return None;
    }
    let device = rest.windows(2).find(|w| w[0] == "dev").map(|w| w[1])?;
    let impairs = rest.iter().any(|w| {
        matches!(
            *w,
            "netem" | "tbf" | "delay" | "loss" | "drop" | "corrupt" | "rate" | "shaped"
        )
    });
    (impairs && gate.device_in(device))
        .then(|| format!("traffic control on `{device}` that delays or drops the gate's traffic"))
}

/// `ip link set [dev] lo down`, `ip addr flush dev lo`, `ifconfig lo
/// down`, `ifdown lo`: the device the gate listens on gone.
fn device_down(program: &str, ops: &[&str], gate: &GateAddress) -> Option<String> {
    if !gate.loopback() {
        return None;
    }
    let down = match (program, ops) {
        ("ip", ["link" | "l" | "li", "set", rest @ ..]) => {
            rest.contains(&"lo") && rest.contains(&"down")
        }
        (
            "ip",
            [
                "addr" | "address" | "a",
                verb @ ("flush" | "del" | "delete"),
                rest @ ..,
            ],
        ) => {
            rest.contains(&"lo") && (*verb == "flush" || rest.iter().any(|w| w.starts_with("127.")))
        }
        ("ifconfig", ["lo", "down", ..]) => true,
        ("ifdown", ops) => ops.contains(&"lo"),
        _ => false,
    };
    down.then(|| "the loopback device the gate listens on taken down".to_string())
}

/// `ip route add blackhole|unreachable|prohibit PREFIX` over the gate's
/// address (its packets dropped or refused), or `ip route del|flush …
/// table local` of the loopback's routes (no way left to reach it).
fn unroutable(ops: &[&str], gate: &GateAddress) -> Option<String> {
    let (verb, rest) = ops.split_first()?;
    let refused = matches!(*verb, "add" | "a" | "replace" | "append" | "change")
        && rest.windows(2).any(|w| {
            matches!(w[0], "blackhole" | "unreachable" | "prohibit") && gate.address_in(w[1])
        });
    let local_gone = gate.loopback()
        && rest.windows(2).any(|w| w[0] == "table" && w[1] == "local")
        && match *verb {
            "flush" | "f" => true,
            "del" | "delete" | "d" => rest.iter().any(|w| gate.address_in(w)),
            _ => false,
        };
    (refused || local_gone)
        .then(|| "a route that leaves the gate's address unreachable".to_string())
}

/// `tcpkill [-i DEV] [-1..9] EXPRESSION`: resets every connection the
/// packet filter expression selects, the hooks' calls to the gate among
/// them when it selects the gate's port or host.
fn connections_killed(args: &[&str], gate: &GateAddress) -> Option<String> {
    let mut expression = Vec::new();
    let mut k = 0;
    while k < args.len() {
        match args[k] {
            "-i" => {
                if !args.get(k + 1).is_some_and(|d| gate.device_in(d)) {
                    return None;
                }
                k += 2;
                continue;
            }
            a if a.starts_with('-') => {}
            a => expression.extend(a.split_whitespace()),
        }
        k += 1;
    }
    (!expression.is_empty() && crate::packet_filter::selects_gate(gate, &expression))
        .then(|| "the gate's connections reset".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cut(cmd: &str, host: &str) -> Option<String> {
        let line = clawlaw_sdk::shell::parse(cmd);
        let gate = GateAddress { host, port: 7070 };
        line.commands.iter().find_map(|c| cut_off(c, &gate))
    }

    #[test]
    fn packet_filters_that_select_the_gates_traffic() {
        for cmd in [
            "iptables -A INPUT -p tcp --dport 7070 -j DROP",
            "sudo iptables -I OUTPUT 1 -o lo -p tcp --dport 7000:8000 -j REJECT",
            "iptables -A INPUT -i lo -j DROP",
            "iptables -A INPUT -j DROP",
            "iptables -A OUTPUT -d 127.0.0.0/8 -j DROP",
            "iptables -A INPUT -p tcp -m multiport --dports 80,7070 -j DROP",
            "ip6tables -A INPUT -p tcp --dport=7070 -j DROP",
            "nft add rule inet filter input tcp dport 7070 drop",
            "nft 'add rule inet filter output oifname lo tcp dport { 80, 7070 } reject'",
            "ufw deny 7070",
            "ufw insert 1 reject 7070/tcp",
            "ufw deny in on lo",
            "ufw deny 7070 comment 'no more gate'",
            "iptables -A INPUT ! -s 10.0.0.0/8 -j DROP",
            "ufw deny proto tcp from any to any port 7070",
            "firewall-cmd --add-rich-rule='rule family=ipv4 port port=7070 protocol=tcp reject'",
            "tc qdisc add dev lo root netem delay 10000ms",
            "tc qdisc replace dev lo root netem loss 100%",
            "ip link set lo down",
            "ip link set dev lo down",
            "ifconfig lo down",
            "ip addr flush dev lo",
            "ip route add blackhole 127.0.0.1/32",
            "ip route add unreachable 127.0.0.0/8",
            "ip route del local 127.0.0.0/8 dev lo table local",
            "ip route flush table local",
            "tcpkill -i lo port 7070",
            "tcpkill -9 host 127.0.0.1",
            "tcpkill -i lo port 22 or port 7070",
            "netsh advfirewall firewall add rule name=x dir=in action=block protocol=TCP localport=7070",
            "New-NetFirewallRule -DisplayName x -Direction Inbound -LocalPort 7070 -Protocol TCP -Action Block",
        ] {
            assert!(cut(cmd, "127.0.0.1").is_some(), "{cmd}");
        }
    }

    #[test]
    fn rules_for_other_traffic() {
        for cmd in [
            "iptables -A INPUT -p tcp --dport 22 -j DROP",
            "iptables -A INPUT -p tcp --dport 7070 -j ACCEPT",
            "iptables -D INPUT -p tcp --dport 7070 -j DROP",
            "iptables -A INPUT -s 203.0.113.9 -j DROP",
            "iptables -A INPUT -i eth0 -j DROP",
            "iptables -A FORWARD -j DROP",
            "iptables -A INPUT -p udp --dport 7070 -j DROP",
            "iptables -L -n",
            "nft add rule inet filter input tcp dport 22 drop",
            "nft list ruleset",
            "ufw deny 22",
            "ufw allow 7070",
            "ufw deny from 203.0.113.9",
            "ufw deny ssh",
            "ufw default deny incoming",
            "iptables -A INPUT ! -i lo -j DROP",
            "tc qdisc add dev eth0 root netem delay 100ms",
            "tc qdisc show dev lo",
            "ip link set eth0 down",
            "ip addr show dev lo",
            "ifconfig eth0 down",
            "ip route add blackhole 203.0.113.0/24",
            "ip route add default via 10.0.0.1",
            "ip route del 10.0.0.0/8",
            "ip route show table local",
            "tcpkill -i eth0 port 7070",
            "tcpkill port 22",
            "tcpkill -i lo port 22 or port 5432",
            "netsh advfirewall firewall add rule name=x dir=in action=block localport=3389",
            "netsh advfirewall firewall add rule name=x dir=in action=allow localport=7070",
            "New-NetFirewallRule -DisplayName x -LocalPort 7070 -Action Allow",
        ] {
            assert_eq!(cut(cmd, "127.0.0.1"), None, "{cmd}");
        }
    }

    #[test]
    fn a_remote_gate() {
        assert!(cut("iptables -A OUTPUT -d 10.0.0.5 -j DROP", "10.0.0.5").is_some());
        assert!(cut("tc qdisc add dev eth0 root netem loss 100%", "10.0.0.5").is_some());
        assert_eq!(
            cut("iptables -A OUTPUT -d 10.0.0.6 -j DROP", "10.0.0.5"),
            None
        );
        assert_eq!(cut("ip link set lo down", "10.0.0.5"), None);
        assert_eq!(
            cut("tc qdisc add dev lo root netem loss 100%", "10.0.0.5"),
            None
        );
    }
}
