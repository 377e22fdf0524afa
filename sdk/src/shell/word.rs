//! A word of a parsed command line ([`Word`]): its text after quote
//! removal, whether it was quoted, the spans the shell would expand, the
//! ways of cutting and filling it, its shell-like display, and [`quote`],
//! which writes a word back for the shell.

use std::fmt;
use std::ops::Range;

/// One word of a command, after quote removal.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Word {
    /// The word with quotes and escapes removed; expansions and substitutions
    /// kept as written (`"$HOME"/x` → `$HOME/x`).
    pub text: String,
    /// Some part of it was quoted or escaped.
    pub quoted: bool,
    /// Byte ranges of `text` that the shell would expand, sorted, disjoint.
    pub(super) spans: Vec<(usize, usize)>,
}

impl Word {
    /// A word that is wholly an expansion, known only at run time
    /// (`$NAME`): what a value spliced in by another program stands for.
    pub fn expansion(text: impl Into<String>) -> Word {
        let text = text.into();
        Word {
            spans: vec![(0, text.len())],
            text,
            quoted: false,
        }
    }

    /// An unquoted word with nothing dynamic in it.
    pub fn literal(text: impl Into<String>) -> Word {
        Word {
            text: text.into(),
            quoted: false,
            spans: Vec::new(),
        }
    }

    /// `~REST` (`~/.cargo/bin/x`), its `~` expanding as an unquoted one
    /// does.
    pub(crate) fn in_home(rest: &str) -> Word {
        Word {
            text: format!("~{rest}"),
            quoted: false,
            spans: vec![(0, 1)],
        }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether part of the word is only known at run time: a parameter,
    /// command or arithmetic expansion, an unquoted glob or brace list, a
    /// leading `~`.
    pub fn is_dynamic(&self) -> bool {
        !self.spans.is_empty()
    }

    /// The byte ranges of `text` the shell would expand, in order.
    pub fn dynamic_spans(&self) -> impl Iterator<Item = Range<usize>> + '_ {
        self.spans.iter().map(|&(s, e)| s..e)
    }

    /// The word with the dynamic part at `at` (a variable's expansion)
    /// replaced by `value`, whose own dynamic parts (a glob, a leading `~`)
    /// stay dynamic: what the shell reads once a variable with a known
    /// value is put in.
    pub fn with_value(&self, at: Range<usize>, value: &Word) -> Word {
        let (start, end) = (at.start.min(self.text.len()), at.end.min(self.text.len()));
        let mut text = String::with_capacity(self.text.len() + value.text.len());
        text.push_str(self.text.get(..start).unwrap_or(""));
        text.push_str(&value.text);
        text.push_str(self.text.get(end..).unwrap_or(""));
        let after = start + value.text.len();
        let spans = self
            .spans
            .iter()
            .filter(|&&(s, _)| s < start)
            .copied()
            .chain(value.spans.iter().map(|&(s, e)| (s + start, e + start)))
            .chain(
                self.spans
                    .iter()
                    .filter(|&&(s, _)| s >= end)
                    .map(|&(s, e)| (s - end + after, e - end + after)),
            )
            .collect();
        Word {
            text,
            quoted: self.quoted || value.quoted,
            spans,
        }
    }

    /// The text before the first dynamic part (all of it when none).
    pub fn static_prefix(&self) -> &str {
        match self.spans.first() {
            Some(&(s, _)) => self.text.get(..s).unwrap_or(""),
            None => &self.text,
        }
    }

    /// Unquoted, not dynamic, and equal to `s` (how keywords are recognised).
    pub(super) fn is_plain(&self, s: &str) -> bool {
        !self.quoted && self.spans.is_empty() && self.text == s
    }

    /// The word up to byte `to`, spans cut there.
    pub(crate) fn head(&self, to: usize) -> Word {
        Word {
            text: self.text.get(..to).unwrap_or(&self.text).to_string(),
            quoted: self.quoted,
            spans: self
                .spans
                .iter()
                .filter(|&&(s, _)| s < to)
                .map(|&(s, e)| (s, e.min(to)))
                .collect(),
        }
    }

    /// The word from byte `from` on, spans shifted.
    pub(crate) fn tail(&self, from: usize) -> Word {
        Word {
            text: self.text.get(from..).unwrap_or("").to_string(),
            quoted: self.quoted,
            spans: self
                .spans
                .iter()
                .filter(|&&(_, e)| e > from)
                .map(|&(s, e)| (s.saturating_sub(from), e - from))
                .collect(),
        }
    }
}

impl PartialEq<str> for Word {
    fn eq(&self, other: &str) -> bool {
        self.text == other
    }
}

impl PartialEq<&str> for Word {
    fn eq(&self, other: &&str) -> bool {
        self.text == *other
    }
}

impl fmt::Display for Word {
    /// The word as it could be typed back: plain when nothing outside its
    /// expansions needs quoting, else in double quotes when it expands
    /// (`"$HOME/my dir"`) and single quotes when it does not.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inside = |k: usize| self.spans.iter().any(|&(s, e)| s <= k && k < e);
        let needs = self.text.is_empty()
            || self.text.bytes().enumerate().any(|(k, b)| {
                !inside(k)
                    && (b.is_ascii_whitespace()
                        || b"'\"\\;&|<>()`$*?[".contains(&b)
                        || (k == 0 && (b == b'~' || b == b'#')))
            })
            || (self.is_dynamic()
                && !self.text.starts_with("<(")
                && !self.text.starts_with(">(")
                && self.text.bytes().any(|b| b.is_ascii_whitespace()));
        if !needs {
            f.write_str(&self.text)
        } else if self.is_dynamic() {
            write!(
                f,
                "\"{}\"",
                self.text.replace('\\', "\\\\").replace('"', "\\\"")
            )
        } else {
            write!(f, "'{}'", self.text.replace('\'', r"'\''"))
        }
    }
}

/// Joins words with single spaces, as `eval` and `watch` do.
pub(super) fn join_words(words: &[Word]) -> Word {
    let mut w = Word::default();
    for (k, a) in words.iter().enumerate() {
        if k > 0 {
            w.text.push(' ');
        }
        let off = w.text.len();
        w.spans
            .extend(a.spans.iter().map(|&(s, e)| (s + off, e + off)));
        w.text.push_str(&a.text);
        w.quoted |= a.quoted;
    }
    w
}

/// A word written back for `parse` to read as the same word with its
/// expansions still expansions: as it is when plain (a leading `~` kept),
/// in double quotes when it holds a `$` expansion (and nothing a double
/// quote would change), else as [`quote`] writes it.
pub fn requote(word: &str) -> String {
    let plain = |ch: char| ch.is_ascii_alphanumeric() || "_-./=:,+@%~".contains(ch);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_string()
    } else if word.contains('$') && !word.contains(['"', '\\', '`']) {
        format!("\"{word}\"")
    } else {
        quote(word)
    }
}

/// A word quoted for the shell when it needs to be: as it is when it holds
/// only characters no shell treats specially, else in single quotes (a `'`
/// inside written `'\''`). `parse` reads it back as the same one word.
pub fn quote(word: &str) -> String {
    if !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./=:,+@%".contains(&b))
    {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}
