//! Where the gate is reached, a host and a port, and whether the
//! restrictions a network rule, filter or tool makes (a port, a port range,
//! an address or network, a device) admit the gate's traffic.

use clawlaw_sdk::net::ipv4;

/// Where the gate is reached: a host as the policy's settings spell it
/// (the loopback as `127.0.0.1`) and a port.
pub struct GateAddress<'a> {
    pub host: &'a str,
    pub port: u16,
}

impl GateAddress<'_> {
    pub(crate) fn loopback(&self) -> bool {
        self.host == "127.0.0.1"
    }

    /// Whether a port restriction (`7070`, `7000:8000`, `7070,8080`,
    /// `7000-8000`, nft's `{ 80, 7070 }`) admits the gate's port.
    pub(crate) fn port_in(&self, spec: &str) -> bool {
        spec.split([',', ' ', '{', '}'])
            .filter(|p| !p.is_empty())
            .any(|p| match p.split_once([':', '-']) {
                Some((lo, hi)) => {
                    let lo = lo.parse().unwrap_or(0);
                    let hi = hi.parse().unwrap_or(u16::MAX);
                    (lo..=hi).contains(&self.port)
                }
                None => p.split('/').next().and_then(|p| p.parse().ok()) == Some(self.port),
            })
    }

    /// Whether an address restriction (`127.0.0.1`, `127.0.0.0/8`,
    /// `0.0.0.0/0`, `localhost`, `10.0.0.5`) admits the gate's host.
    pub(crate) fn address_in(&self, spec: &str) -> bool {
        let (addr, bits) = match spec.split_once('/') {
            Some((a, b)) => (a, b.parse::<u32>().unwrap_or(32).min(32)),
            None => (spec, 32),
        };
        let host = if self.loopback() {
            "127.0.0.1"
        } else {
            self.host
        };
        match (ipv4(addr), ipv4(host)) {
            (Some(a), Some(h)) => {
                let mask = if bits == 0 {
                    0
                } else {
                    u32::MAX << (32 - bits)
                };
                a & mask == h & mask
            }
            _ if self.loopback() => matches!(addr, "localhost" | "::1" | "::1/128"),
            _ => addr.eq_ignore_ascii_case(host),
        }
    }

    /// Whether a network device is one the gate's traffic passes: the
    /// loopback for a gate on this machine; for a remote gate, any but it.
    pub(crate) fn device_in(&self, device: &str) -> bool {
        let device = device.trim_matches('"');
        if self.loopback() {
            device == "lo"
                || device == "any"
                || device
                    .strip_suffix('+')
                    .is_some_and(|prefix| "lo".starts_with(prefix))
        } else {
            device != "lo"
        }
    }
}
