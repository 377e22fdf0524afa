//! Whether a packet filter expression in pcap-filter's language (what
//! `tcpdump`, `tshark -f`, `ngrep` and `tcpkill` take) selects the gate's
//! traffic: `port 7070`, `tcp and host 127.0.0.1`, `port 22 or port 7070`,
//! `not port 22`, `(port 22 or 7070) and host 127.0.0.1`.
//!
//! The expression is read as pcap reads it: alternatives joined by `or`
//! (`||`) select what any of them selects, terms joined by `and` (`&&`) or
//! written side by side what all of them select, `not` (`!`) what its term
//! does not, and a bare value after `and`/`or` takes the kind of the one
//! before it (`port 22 or 7070`). A primitive is judged against the gate's
//! address: `port`/`portrange` against its port, `host`/`net` against its
//! host, a protocol (`udp`, `icmp`, `arp`) as selecting none of its TCP
//! traffic. A primitive this reader does not know is taken to select it:
//! the question asked is whether the gate's traffic may be among what the
//! expression selects.

use crate::gate_address::GateAddress;

/// Deeper nesting than this is read as selecting the gate's traffic, so a
/// hostile expression cannot exhaust the stack.
const MAX_DEPTH: usize = 32;

/// Whether the expression (its words as the command line splits them)
/// selects the gate's traffic. An empty expression selects everything.
pub(crate) fn selects_gate(gate: &GateAddress, expression: &[&str]) -> bool {
    let tokens = tokens(expression);
    let mut reader = Reader {
        gate,
        tokens: &tokens,
        at: 0,
        kind: None,
        too_deep: false,
    };
    let selects = reader.alternatives(0);
    selects || reader.too_deep
}

/// The expression's tokens: words with quotes dropped, parentheses apart,
/// `&&`, `||` and `!` as `and`, `or`, `not`.
fn tokens(expression: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for word in expression.iter().flat_map(|e| e.split_whitespace()) {
        let mut current = String::new();
        for ch in word.chars() {
            match ch {
                '(' | ')' => {
                    if !current.is_empty() {
                        out.push(std::mem::take(&mut current));
                    }
                    out.push(ch.to_string());
                }
                '\'' | '"' => {}
                _ => current.push(ch),
            }
        }
        if !current.is_empty() {
            out.push(current);
        }
    }
    for token in &mut out {
        let spelled = match token.as_str() {
            "&&" => "and",
            "||" => "or",
            "!" => "not",
            _ => continue,
        };
        *token = spelled.to_string();
    }
    out
}

/// A recursive-descent reader of the tokens.
struct Reader<'a> {
    gate: &'a GateAddress<'a>,
    tokens: &'a [String],
    at: usize,
    /// The kind of the last primitive (`port`, `host`…), which a bare
    /// value after `and`/`or` takes.
    kind: Option<&'a str>,
    /// Set when the nesting passed [`MAX_DEPTH`]: the expression is then
    /// read as selecting the gate's traffic, whatever else it says.
    too_deep: bool,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<&'a str> {
        self.tokens.get(self.at).map(String::as_str)
    }

    fn next(&mut self) -> Option<&'a str> {
        let token = self.peek();
        self.at += 1;
        token
    }

    /// `terms ('or' terms)*`
    fn alternatives(&mut self, depth: usize) -> bool {
        let mut selects = self.terms(depth);
        while self.peek() == Some("or") {
            self.at += 1;
            selects |= self.terms(depth);
        }
        selects
    }

    /// `unary (['and'] unary)*`, ending at `or`, `)` or the end.
    fn terms(&mut self, depth: usize) -> bool {
        let mut selects = true;
        while let Some(token) = self.peek() {
            match token {
                "or" | ")" => break,
                "and" => self.at += 1,
                _ => selects &= self.unary(depth),
            }
        }
        selects
    }

    /// `'not' unary | '(' alternatives ')' | primitive`
    fn unary(&mut self, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            self.at = self.tokens.len();
            self.too_deep = true;
            return true;
        }
        match self.peek() {
            Some("not") => {
                self.at += 1;
                !self.unary(depth + 1)
            }
            Some("(") => {
                self.at += 1;
                let selects = self.alternatives(depth + 1);
                if self.peek() == Some(")") {
                    self.at += 1;
                }
                selects
            }
            _ => self.primitive(),
        }
    }

    /// One primitive with its qualifiers: `[src|dst] [tcp|udp…]
    /// [host|net|port|portrange] VALUE`, a protocol alone, or a bare value.
    fn primitive(&mut self) -> bool {
        let mut selects = true;
        let Some(mut token) = self.next() else {
            return true;
        };
        if matches!(token, "src" | "dst" | "inbound" | "outbound") {
            match self.peek() {
                Some(t) if !matches!(t, "and" | "or" | ")") => token = self.next().unwrap_or(t),
                _ => return true,
            }
        }
        if matches!(
            token,
            "ip" | "ip6" | "tcp" | "udp" | "icmp" | "icmp6" | "arp" | "sctp"
        ) {
            selects = matches!(token, "ip" | "ip6" | "tcp");
            match self.peek() {
                Some(t) if is_kind(t) => token = self.next().unwrap_or(t),
                _ => return selects,
            }
        }
        let (kind, value) = if is_kind(token) {
            (token, self.next().unwrap_or(""))
        } else {
            match self.kind {
                Some(kind) if looks_like_value(token) => (kind, token),
                // A primitive this reader does not know (`greater 100`,
                // `tcp[tcpflags] & tcp-syn != 0`) is taken to select the
                // gate's traffic, a bare value after it too.
                _ => return selects,
            }
        };
        self.kind = Some(kind);
        selects
            && match kind {
                "port" | "portrange" => self.gate.port_in(value),
                _ => self.gate.address_in(value),
            }
    }
}

fn is_kind(token: &str) -> bool {
    matches!(token, "port" | "portrange" | "host" | "net")
}

/// A port, range or address written bare (`7070`, `7000-8000`,
/// `127.0.0.1`, `10.0.0.0/8`, `localhost`).
fn looks_like_value(token: &str) -> bool {
    token == "localhost"
        || token
            .chars()
            .all(|c| c.is_ascii_hexdigit() || matches!(c, '.' | ':' | '/' | '-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn selects(expression: &str) -> bool {
        let gate = GateAddress {
            host: "127.0.0.1",
            port: 7070,
        };
        selects_gate(&gate, &[expression])
    }

    #[test]
    fn expressions_that_select_the_gates_traffic() {
        for e in [
            "",
            "port 7070",
            "tcp port 7070",
            "dst port 7070",
            "portrange 7000-8000",
            "host 127.0.0.1",
            "net 127.0.0.0/8",
            "tcp and host 127.0.0.1",
            "port 22 or port 7070",
            "port 22 or 7070",
            "port 22 || port 7070",
            "(port 22 or port 7070) and host 127.0.0.1",
            "host 127.0.0.1 and (port 22 or port 7070)",
            "not port 22",
            "! udp",
            "tcp",
            "greater 100",
        ] {
            assert!(selects(e), "{e}");
        }
    }

    #[test]
    fn expressions_that_do_not() {
        for e in [
            "port 22",
            "udp port 7070",
            "udp",
            "port 22 or port 443",
            "port 22 or 443",
            "host 10.0.0.5",
            "host 10.0.0.5 and (port 22 or port 7070)",
            "not port 7070",
            "not (port 7070 or port 22)",
            "port 7070 and not host 127.0.0.1",
            "tcp and port 5432",
        ] {
            assert!(!selects(e), "{e}");
        }
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let deep = format!("{}port 22{}", "(".repeat(10_000), ")".repeat(10_000));
        assert!(selects(&deep));
        let nots = format!("{}port 22", "not ".repeat(10_000));
        assert!(selects(&nots));
    }
}
