//! How reasons name what composed: the destinations of network uses grouped
//! by what makes them (`sends data to a.example, b.example with curl`), a
//! sensitive label as what the session did (`read a credential file earlier
//! (label secret-read)`), and sizes (`2 KiB`, `1 MiB`).

use crate::hosts::Dest;
use crate::uses::NetUse;

/// The distinct destinations of `uses`, grouped by what uses them, in order.
fn by_what<'u>(uses: &[&'u NetUse]) -> Vec<(&'u str, Vec<String>)> {
    let mut parts: Vec<(&str, Vec<String>)> = Vec::new();
    for u in uses {
        let d = dest_phrase(&u.dest);
        match parts.iter_mut().find(|(w, _)| *w == u.what) {
            Some((_, ds)) => {
                if !ds.contains(&d) {
                    ds.push(d);
                }
            }
            None => parts.push((&u.what, vec![d])),
        }
    }
    parts
}

/// `sends data to a.example, b.example with curl`, grouped by what sends.
pub(crate) fn describe_all(uses: &[&NetUse], verb: &str) -> String {
    by_what(uses)
        .into_iter()
        .map(|(what, dests)| format!("{verb} {} with {what}", dests.join(", ")))
        .collect::<Vec<_>>()
        .join(" and ")
}

/// `curl (a.example, b.example), git push (an unnamed destination)`.
pub(crate) fn targets(uses: &[&NetUse]) -> String {
    by_what(uses)
        .into_iter()
        .map(|(what, dests)| format!("{what} ({})", dests.join(", ")))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn dest_phrase(d: &Dest) -> String {
    match d {
        Dest::Host(h) => h.clone(),
        Dest::Dynamic => "a host only known at run time".into(),
        Dest::Unknown => "an unnamed destination".into(),
    }
}

pub(crate) fn label_phrase(label: &str) -> String {
    match label {
        "secret-read" => "read a credential file earlier (label secret-read)".into(),
        "pii-read" => "read personal data earlier (label pii-read)".into(),
        l => format!("carries the sensitive label {l}"),
    }
}

pub(crate) fn human(n: u64) -> String {
    const KIB: u64 = 1 << 10;
    const MIB: u64 = 1 << 20;
    if n >= MIB && n.is_multiple_of(MIB) {
        format!("{} MiB", n / MIB)
    } else if n >= MIB {
        format!("{n} bytes ({:.1} MiB)", n as f64 / MIB as f64)
    } else if n >= KIB && n.is_multiple_of(KIB) {
        format!("{} KiB", n / KIB)
    } else {
        format!("{n} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_naturally() {
        assert_eq!(human(12), "12 bytes");
        assert_eq!(human(2048), "2 KiB");
        assert_eq!(human(1 << 20), "1 MiB");
        assert_eq!(human(3 << 19), "1572864 bytes (1.5 MiB)");
    }

    #[test]
    fn destinations_are_grouped_by_what_uses_them() {
        let host = |h: &str| Dest::Host(h.into());
        let uses = [
            NetUse::new("curl", host("a.example"), true),
            NetUse::new("git push", Dest::Unknown, true),
            NetUse::new("curl", host("b.example"), true),
            NetUse::new("curl", host("a.example"), false),
            NetUse::new("nc", Dest::Dynamic, true),
        ];
        let refs: Vec<&NetUse> = uses.iter().collect();
        assert_eq!(
            describe_all(&refs, "sends data to"),
            "sends data to a.example, b.example with curl and sends data to an unnamed destination with git push and sends data to a host only known at run time with nc"
        );
        assert_eq!(
            targets(&refs),
            "curl (a.example, b.example), git push (an unnamed destination), nc (a host only known at run time)"
        );
    }

    #[test]
    fn labels_say_what_the_session_did() {
        assert_eq!(
            label_phrase("pii-read"),
            "read personal data earlier (label pii-read)"
        );
        assert_eq!(
            label_phrase("customer-data"),
            "carries the sensitive label customer-data"
        );
    }
}
