//! Packet captures of the gate's traffic: the hooks send the gate their
//! token with every call and reviewers theirs with every decision, in
//! plain HTTP on the loopback device, so a capture on the device the gate
//! is reached through whose filter admits its port (`tcpdump -i lo -A port
//! 7070`, `tshark -i any`, `ngrep -d lo`, `tcpflow -i lo port 7070`) reads
//! the gate's credentials as a read of its token file would. A capture on
//! another device, or filtered to other traffic, does not.

use clawlaw_sdk::shell::{Command, CommandLine};

use crate::Context;
use crate::findings::Finding;
use crate::gate_address::GateAddress;

/// The commands of `line` that capture the gate's traffic (DENY as
/// `governance.gate-secrets`).
pub fn judge(ctx: &Context, line: &CommandLine, out: &mut Vec<Finding>) {
    let gates = ctx.gate_addresses();
    for c in &line.commands {
        if let Some(g) = gates.iter().find(|g| captures(c, g)) {
            out.push(Finding::traffic_captured(&c.program, g.port));
        }
    }
}

/// Whether `c` captures the traffic of the gate at `gate`.
pub fn captures(c: &Command, gate: &GateAddress) -> bool {
    // Options that take a value, by program; the device option first.
    let (device, valued): (&[&str], &[&str]) = match c.program.as_str() {
        "tcpdump" => (
            &["-i", "--interface"],
            &[
                "-c", "-C", "-E", "-F", "-G", "-j", "-M", "-r", "-s", "-T", "-w", "-W", "-y", "-z",
                "-Z", "-B",
            ],
        ),
        "tshark" | "dumpcap" | "termshark" => (
            &["-i", "--interface"],
            &[
                "-c", "-a", "-b", "-w", "-r", "-Y", "-o", "-s", "-B", "-y", "-e", "-E", "-T", "-d",
                "-z",
            ],
        ),
        "ngrep" => (
            &["-d"],
            &["-A", "-c", "-n", "-s", "-S", "-O", "-I", "-P", "-F", "-W"],
        ),
        "tcpflow" => (
            &["-i"],
            &[
                "-b", "-c", "-d", "-o", "-r", "-R", "-S", "-T", "-w", "-X", "-e",
            ],
        ),
        _ => return false,
    };
    if c.program_dynamic {
        return false;
    }
    let args: Vec<&str> = c.args().iter().map(|w| w.text.as_str()).collect();
    let mut on_device = None;
    let mut filter = Vec::new();
    let mut k = 0;
    while k < args.len() {
        let a = args[k];
        if device.contains(&a) {
            on_device = args.get(k + 1).copied();
            k += 2;
            continue;
        }
        if let Some(d) = device.iter().find_map(|d| a.strip_prefix(&format!("{d}="))) {
            on_device = Some(d);
        } else if matches!(a, "-f") {
            // tshark's capture filter.
            filter.extend(args.get(k + 1).copied());
            k += 2;
            continue;
        } else if valued.contains(&a) {
            k += 2;
            continue;
        } else if !a.starts_with('-') {
            filter.push(a);
        }
        k += 1;
    }
    // Without a device, the tools capture on the first one up that is not
    // the loopback: a gate on this machine is not seen there.
    let device_admits = match on_device {
        Some(d) => gate.device_in(d),
        None => !gate.loopback(),
    };
    // ngrep's first operand is the pattern it matches, not the filter.
    if c.program == "ngrep" && !filter.is_empty() {
        filter.remove(0);
    }
    device_admits && crate::packet_filter::selects_gate(gate, &filter)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn captured(cmd: &str) -> bool {
        let line = clawlaw_sdk::shell::parse(cmd);
        let gate = GateAddress {
            host: "127.0.0.1",
            port: 7070,
        };
        line.commands.iter().any(|c| captures(c, &gate))
    }

    #[test]
    fn captures_of_the_gates_traffic() {
        for cmd in [
            "tcpdump -i lo -A port 7070",
            "sudo tcpdump -i any -w /tmp/x.pcap",
            "tcpdump -i lo -s 0 -A 'tcp port 7070 and host 127.0.0.1'",
            "tshark -i lo -f 'port 7070' -Y http",
            "ngrep -d lo -q Bearer port 7070",
            "tcpflow -i lo port 7070",
            "tcpdump -i lo -A 'port 22 or port 7070'",
            "tcpdump -i lo -A not port 22",
        ] {
            assert!(captured(cmd), "{cmd}");
        }
    }

    #[test]
    fn captures_of_other_traffic() {
        for cmd in [
            "tcpdump -i eth0 port 443",
            "tcpdump port 7070",
            "tcpdump -i lo port 5432",
            "tcpdump -i lo udp",
            "tcpdump -i lo 'port 5432 or port 6379'",
            "tcpdump -i lo not port 7070",
            "tshark -r capture.pcap",
            "tcpdump -r /tmp/x.pcap",
        ] {
            assert!(!captured(cmd), "{cmd}");
        }
    }
}
