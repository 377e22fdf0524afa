//! Redaction: the secrets in an action masked before the gate stores or
//! shows it, so the evidence log, review payloads and log lines never hold
//! the plaintext of a credential an agent tried to write or send.
//!
//! What is a secret comes from two places: the policies' decisions (each
//! [`Redaction`] is a span of an action field, see the contract's
//! `redaction` record) and the gate's own scan, which runs
//! [`clawlaw_sdk::secrets::find`] over every string of what it is about to
//! store, so a policy set without secrets-guard (or a 0.1.0 component, which
//! cannot report redactions) still never stores a detectable credential.
//! The scan is linear in the action: measured natively (release, this
//! project's 2-core machine, the gitleaks-based scan) 5 µs for a 1 KiB
//! write, 0.25 ms for 64 KiB and 4.2 ms for 1 MiB, input parsing included;
//! a string the tool input repeats (its `content`) is scanned once.
//!
//! Masking is by *value*: once a span names a secret, every occurrence of
//! that text in every stored string is replaced (a secret in `content` is
//! also in the tool input, often in a reason, sometimes in a later target),
//! with `[redacted: <kind> hmac:<16 hex>]`. The tag is HMAC-SHA256 of the
//! masked text under the gate's [`RedactionKey`], cut to 64 bits: an auditor
//! who holds a candidate value and the key can confirm it, while the log
//! alone reveals nothing about it, not even for a short password (the key,
//! not the value's entropy, is what stops a guess). Reported spans are
//! masked whatever their length; the scan is what widens a span into every
//! occurrence, so masking errs towards more, never less. Object keys are
//! masked inside the tool input only, so the record keeps its shape.
//!
//! The masking happens before the record is hashed into the chain: the log
//! never sees the plaintext and stays verifiable. The session remembers the
//! masked action too (its recent actions are in later records' session
//! view), exactly as a restart rebuilds it from the log; so a later
//! policy sees an earlier action's secret masked, and `bytes_written`
//! counts the masked length. An approval binds the plaintext action by a
//! keyed digest the record keeps, since the masked action cannot give it
//! again.

use std::borrow::Cow;
use std::path::Path;

use clawlaw_sdk::{Action, Redaction};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The key file's name inside the gate's data directory.
pub const KEY_FILE: &str = "redaction.key";
pub use clawlaw_engine::key_file::KEY_LEN;
use clawlaw_engine::key_file::{self, KeyFileError};
/// Hex digits of the tag a mask shows (64 bits).
pub const TAG_HEX: usize = 16;

/// The gate's key for the tags in masks. Never logged or shown.
#[derive(Clone)]
pub struct RedactionKey([u8; KEY_LEN]);

impl std::fmt::Debug for RedactionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RedactionKey(..)")
    }
}

impl RedactionKey {
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> RedactionKey {
        RedactionKey(bytes)
    }

    /// The key in `path`, made when the file does not exist yet (see
    /// [`clawlaw_engine::key_file`]: 32 random bytes, mode 0600, refused when others
    /// could read it).
    pub fn load_or_create(path: &Path) -> Result<RedactionKey, KeyFileError> {
        Ok(RedactionKey(key_file::load_or_create(
            path,
            "the redaction key",
        )?))
    }

    /// The tag of `value`: HMAC-SHA256 under this key, the first
    /// [`TAG_HEX`] hex digits.
    pub fn tag(&self, value: &str) -> String {
        let mut hex = hex::encode(self.mac(value.as_bytes()));
        hex.truncate(TAG_HEX);
        hex
    }

    /// The mask that replaces `value`.
    pub fn mask(&self, kind: &str, value: &str) -> String {
        format!("[redacted: {kind} hmac:{}]", self.tag(value))
    }

    /// A digest (`hmac-sha256:<hex>`) of a digest that may bind plaintext
    /// secrets (an approval's action digest), safe to store and show.
    pub fn keyed_digest(&self, digest: &str) -> String {
        format!("hmac-sha256:{}", hex::encode(self.mac(digest.as_bytes())))
    }

    fn mac(&self, bytes: &[u8]) -> [u8; 32] {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(bytes);
        mac.finalize().into_bytes().into()
    }
}

/// One secret value and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Secret {
    value: String,
    kind: String,
}

/// The secrets of one action (or one request), ready to mask whatever the
/// gate stores or shows of it.
#[derive(Debug)]
pub struct Masker<'k> {
    key: &'k RedactionKey,
    /// Longest first, so a secret that contains another masks as a whole.
    secrets: Vec<Secret>,
}

impl<'k> Masker<'k> {
    /// Nothing to mask yet.
    pub fn new(key: &'k RedactionKey) -> Masker<'k> {
        Masker {
            key,
            secrets: Vec::new(),
        }
    }

    /// The secrets the policies reported in `action`.
    pub fn reported(mut self, action: &Action, redactions: &[Redaction]) -> Masker<'k> {
        for r in redactions {
            let field = match r.field.as_str() {
                "content" => action.content.as_deref(),
                "command" => action.command.as_deref(),
                "target" => action.target.as_deref(),
                "input" => Some(action.input.as_str()),
                _ => None,
            };
            let Some(text) = field else { continue };
            let Some(value) = span(text, r.start as usize, r.end as usize) else {
                continue;
            };
            if r.field == "input" && value.contains('\\') {
                // The JSON text's form; its strings hold the unescaped one.
                if let Ok(unescaped) = serde_json::from_str::<String>(&format!("\"{value}\"")) {
                    self.add(unescaped, &r.kind);
                }
            }
            self.add(value.to_string(), &r.kind);
        }
        self
    }

    /// The secrets the gate's own scan finds in every string of `value`
    /// (what it is about to store).
    pub fn scanned(mut self, value: &serde_json::Value) -> Masker<'k> {
        let mut strings: Vec<&str> = Vec::new();
        strings_of(value, &mut strings, 0);
        let mut seen: Vec<&str> = Vec::new();
        for s in strings {
            // The tool input usually repeats the content: scan it once.
            if seen.contains(&s) {
                continue;
            }
            seen.push(s);
            for f in clawlaw_sdk::secrets::find(s) {
                if let Some(v) = s.get(f.range.clone()) {
                    self.add(v.to_string(), f.kind);
                }
            }
        }
        self
    }

    fn add(&mut self, value: String, kind: &str) {
        if value.is_empty() || self.secrets.iter().any(|s| s.value == value) {
            return;
        }
        let kind = if is_kind(kind) { kind } else { "secret" };
        let at = self
            .secrets
            .partition_point(|s| s.value.len() >= value.len());
        self.secrets.insert(
            at,
            Secret {
                value,
                kind: kind.to_string(),
            },
        );
    }

    /// Whether there is anything to mask.
    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }

    /// `text` with every occurrence of every secret masked.
    pub fn text<'t>(&self, text: &'t str) -> Cow<'t, str> {
        if self.secrets.is_empty() {
            return Cow::Borrowed(text);
        }
        // Every occurrence, then overlapping ones merged into one span
        // (named by the kind of the longest secret in it).
        let mut spans: Vec<(usize, usize, usize)> = Vec::new();
        for (i, s) in self.secrets.iter().enumerate() {
            // Overlapping occurrences too (`aaaa` twice in `aaaaa`).
            let mut from = 0;
            while let Some(found) = text[from..].find(s.value.as_str()) {
                let at = from + found;
                spans.push((at, at + s.value.len(), i));
                from = at + text[at..].chars().next().map_or(1, char::len_utf8);
            }
        }
        if spans.is_empty() {
            return Cow::Borrowed(text);
        }
        spans.sort_unstable();
        let mut merged: Vec<(usize, usize, usize)> = Vec::new();
        for (start, end, i) in spans {
            match merged.last_mut() {
                Some(last) if start < last.1 => {
                    last.1 = last.1.max(end);
                    last.2 = last.2.min(i);
                }
                _ => merged.push((start, end, i)),
            }
        }
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for (start, end, i) in merged {
            out.push_str(&text[at..start]);
            out.push_str(&self.key.mask(&self.secrets[i].kind, &text[start..end]));
            at = end;
        }
        out.push_str(&text[at..]);
        Cow::Owned(out)
    }

    /// Masks every string in `value` in place (object keys are kept: see
    /// [`Masker::action_json`] for the tool input's).
    pub fn json(&self, value: &mut serde_json::Value) {
        self.walk(value, false, 0);
    }

    /// Masks an action as the evidence records it ([`crate::gate::action_json`]):
    /// every string, and the tool input's object keys too.
    pub fn action_json(&self, proposed: &mut serde_json::Value) {
        if self.secrets.is_empty() {
            return;
        }
        if let Some(obj) = proposed.as_object_mut() {
            for (k, v) in obj.iter_mut() {
                self.walk(v, k == "input", 0);
            }
        } else {
            self.walk(proposed, false, 0);
        }
    }

    /// The action as the gate may remember it (in the session's recent
    /// actions, which later records show): its text fields masked, its tool
    /// input the one already masked in `proposed` (its
    /// [`Masker::action_json`] form). The action itself when nothing is
    /// secret.
    pub fn action(&self, action: &Action, proposed: &serde_json::Value) -> Action {
        if self.secrets.is_empty() {
            return action.clone();
        }
        let text = |t: &Option<String>| t.as_deref().map(|t| self.text(t).into_owned());
        Action {
            id: action.id.clone(),
            kind: action.kind.clone(),
            tool: action.tool.clone(),
            target: text(&action.target),
            command: text(&action.command),
            content: text(&action.content),
            input: match proposed.get("input") {
                Some(input) => input.to_string(),
                None => self.text(&action.input).into_owned(),
            },
            cwd: text(&action.cwd),
        }
    }

    fn walk(&self, value: &mut serde_json::Value, keys: bool, depth: usize) {
        use serde_json::Value;
        // serde_json parses no deeper than 128 levels; a deeper value was
        // built by the gate itself and holds no action text.
        if self.secrets.is_empty() || depth > 128 {
            return;
        }
        match value {
            Value::String(s) => {
                if let Cow::Owned(masked) = self.text(s) {
                    *s = masked;
                }
            }
            Value::Array(a) => a.iter_mut().for_each(|v| self.walk(v, keys, depth + 1)),
            Value::Object(o) if keys => {
                let entries = std::mem::take(o);
                for (k, mut v) in entries {
                    self.walk(&mut v, keys, depth + 1);
                    o.insert(self.text(&k).into_owned(), v);
                }
            }
            Value::Object(o) => o.values_mut().for_each(|v| self.walk(v, keys, depth + 1)),
            _ => {}
        }
    }
}

/// `text[start..end]`, widened to character boundaries and clipped to the
/// text; `None` when nothing is left.
fn span(text: &str, start: usize, end: usize) -> Option<&str> {
    let mut end = end.min(text.len());
    let mut start = start.min(end);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    while !text.is_char_boundary(end) {
        end += 1;
    }
    (start < end).then(|| &text[start..end])
}

/// A kind fit to show in a mask: 1-64 of a-z, 0-9, `.`, `-`, `_`, `:`.
fn is_kind(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'_' | b':')
        })
}

/// Every string in a JSON value, object keys included, depth-limited like
/// the gate's parsing.
fn strings_of<'v>(v: &'v serde_json::Value, out: &mut Vec<&'v str>, depth: usize) {
    use serde_json::Value;
    if depth > 64 {
        return;
    }
    match v {
        Value::String(s) => out.push(s),
        Value::Array(a) => a.iter().for_each(|x| strings_of(x, out, depth + 1)),
        Value::Object(o) => o.iter().for_each(|(k, x)| {
            out.push(k);
            strings_of(x, out, depth + 1)
        }),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "ghp_R8sLq2VnX4mT7wZ1yK9pB3cD6fH0jA5eG2iQ";

    fn key() -> RedactionKey {
        RedactionKey::from_bytes([7; KEY_LEN])
    }

    fn write(content: &str) -> Action {
        let mut a = Action::write("/w/x.sh", content);
        a.input = serde_json::json!({"file_path": "/w/x.sh", "content": content}).to_string();
        a
    }

    #[test]
    fn a_reported_span_is_masked_wherever_its_value_appears() {
        let key = key();
        let a = write(&format!("export GH={TOKEN}\n"));
        let r = Redaction {
            field: "content".into(),
            start: 10,
            end: 10 + TOKEN.len() as u32,
            kind: "github-token".into(),
        };
        let m = Masker::new(&key).reported(&a, &[r]);
        let mut proposed = crate::gate::action_json(&a);
        m.action_json(&mut proposed);
        let text = proposed.to_string();
        assert!(!text.contains(TOKEN), "{text}");
        let mask = format!("[redacted: github-token hmac:{}]", key.tag(TOKEN));
        assert_eq!(text.matches(&mask).count(), 2, "{text}");
        let reason = format!("leaks {TOKEN}!");
        assert_eq!(m.text(&reason), format!("leaks {mask}!"));
    }

    #[test]
    fn the_tag_is_keyed_and_reproducible() {
        let (a, b) = (key(), RedactionKey::from_bytes([8; KEY_LEN]));
        assert_eq!(a.tag("hunter2"), a.tag("hunter2"));
        assert_ne!(a.tag("hunter2"), b.tag("hunter2"));
        assert_ne!(a.tag("hunter2"), a.tag("hunter3"));
        assert_eq!(a.tag("x").len(), TAG_HEX);
        let mut mac = Hmac::<Sha256>::new_from_slice(&[7; KEY_LEN]).unwrap();
        mac.update(b"hunter2");
        let full = hex::encode(mac.finalize().into_bytes());
        assert_eq!(a.tag("hunter2"), full[..TAG_HEX]);
    }

    #[test]
    fn an_escaped_span_of_the_input_masks_the_unescaped_value_too() {
        let key = key();
        let pem = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----";
        let a = write(pem);
        let escaped = serde_json::to_string(pem).unwrap();
        let escaped = &escaped[1..escaped.len() - 1];
        let at = a.input.find(escaped).unwrap();
        let r = Redaction {
            field: "input".into(),
            start: at as u32,
            end: (at + escaped.len()) as u32,
            kind: "private-key".into(),
        };
        let m = Masker::new(&key).reported(&a, &[r]);
        let mut proposed = crate::gate::action_json(&a);
        m.action_json(&mut proposed);
        assert!(!proposed.to_string().contains("b3BlbnNzaC1rZXktdjEAAAAA"));
        assert_eq!(m.text(pem), key.mask("private-key", pem));
    }

    #[test]
    fn the_gates_own_scan_finds_what_no_policy_reported() {
        let key = key();
        let a = write(&format!("token: {TOKEN}"));
        let proposed = crate::gate::action_json(&a);
        let m = Masker::new(&key).scanned(&proposed);
        assert!(!m.is_empty());
        let mut masked = proposed.clone();
        m.action_json(&mut masked);
        assert!(!masked.to_string().contains(TOKEN));
        let clean = crate::gate::action_json(&write("fn main() {}"));
        assert!(Masker::new(&key).scanned(&clean).is_empty());
    }

    #[test]
    fn overlapping_and_nested_secrets_mask_as_one_and_bad_spans_are_widened() {
        let key = key();
        let a = write("pw=abcdefgh é-tail");
        let e = "pw=abcdefgh é".find('é').unwrap();
        let spans = [
            ("content", 3, 11, "secret-assignment"),
            ("content", 5, 9, "other"),
            // Cuts `é` in half and runs past the end: widened and clipped.
            ("content", e + 1, 999, "tail"),
            ("nowhere", 0, 3, "ignored"),
        ];
        let rs: Vec<Redaction> = spans
            .iter()
            .map(|(f, s, e, k)| Redaction {
                field: f.to_string(),
                start: *s as u32,
                end: *e as u32,
                kind: k.to_string(),
            })
            .collect();
        let m = Masker::new(&key).reported(&a, &rs);
        let out = m.text(a.content.as_deref().unwrap()).into_owned();
        assert_eq!(
            out,
            format!(
                "pw={} {}",
                key.mask("secret-assignment", "abcdefgh"),
                key.mask("tail", "é-tail")
            )
        );
        let mut proposed = crate::gate::action_json(&a);
        m.action_json(&mut proposed);
        assert_eq!(proposed["kind"], "file.write");
    }

    #[test]
    fn the_redaction_key_is_a_private_key_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data").join(KEY_FILE);
        let made = RedactionKey::load_or_create(&path).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), made.0);
        assert_ne!(made.0, [0; KEY_LEN]);
        assert_eq!(RedactionKey::load_or_create(&path).unwrap().0, made.0);
    }
}
