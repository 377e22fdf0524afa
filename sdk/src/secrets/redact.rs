//! Rendering secrets safely: [`redact_value`] for excerpts in reasons and
//! logs, [`redact`] for a whole text.

/// `text` with every finding replaced by `[REDACTED:<kind>]`.
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for f in super::find(text) {
        out.push_str(&text[at..f.range.start]);
        out.push_str("[REDACTED:");
        out.push_str(f.kind);
        out.push(']');
        at = f.range.end;
    }
    out.push_str(&text[at..]);
    out
}

/// A redacted rendering of a secret: at most 4 characters and at most a
/// quarter of it, then its length.
pub fn redact_value(secret: &str) -> String {
    let n = secret.chars().count();
    let show = (n / 4).min(4);
    let prefix: String = secret.chars().take(show).collect();
    format!("{prefix}…({n} chars)")
}
