//! Text for a terminal: colour only when asked or when stdout is one,
//! attacker-controlled text made harmless, durations and widths.
//!
//! Everything a proposed action carries (its command, content, target,
//! the reason quoting them) was written by whoever steered the agent.
//! Printed raw, escape sequences in it could rewrite the reviewer's screen
//! (erase a line, hide `rm -rf` behind colours, move the cursor) and
//! bidirectional controls could reorder what is shown. [`clean`] writes
//! every control and bidi character as a visible `\u{…}` escape.

use std::io::IsTerminal;
use std::time::Duration;

/// When to colour the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// When stdout is a terminal and $NO_COLOR is unset.
    Auto,
    Always,
    Never,
}

/// ANSI styling, or none.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    color: bool,
}

impl Style {
    pub fn new(choice: ColorChoice) -> Style {
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::io::stdout().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::env::var("TERM").map_or(true, |t| t != "dumb")
            }
        };
        Style { color }
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    pub fn bold(&self, t: &str) -> String {
        self.paint("1", t)
    }
    pub fn dim(&self, t: &str) -> String {
        self.paint("2", t)
    }
    pub fn red(&self, t: &str) -> String {
        self.paint("31", t)
    }
    pub fn green(&self, t: &str) -> String {
        self.paint("32", t)
    }
    pub fn yellow(&self, t: &str) -> String {
        self.paint("33", t)
    }
    pub fn cyan(&self, t: &str) -> String {
        self.paint("36", t)
    }

    /// A verdict or status word in its colour.
    pub fn verdict(&self, word: &str) -> String {
        match word.to_ascii_lowercase().as_str() {
            "allow" | "approved" => self.green(word),
            "deny" | "denied" => self.red(word),
            "escalate" | "pending" => self.yellow(word),
            _ => self.dim(word),
        }
    }
}

/// `s` with every control character but newline and tab, and every
/// bidirectional formatting character, written as a visible escape.
pub fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let bidi = matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        if (c.is_control() && c != '\n' && c != '\t') || bidi {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    out
}

/// [`clean`], on one line: newlines and tabs escaped too.
pub fn one_line(s: &str) -> String {
    clean(s).replace('\n', "\\n").replace('\t', "\\t")
}

/// `s` cut to `width` characters, with `…` when cut.
pub fn truncate(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out: String = s.chars().take(width - 1).collect();
    out.push('…');
    out
}

/// The terminal's width when stdout is one, else `$COLUMNS` when set,
/// else none (a pipe gets whole lines).
pub fn width() -> Option<usize> {
    if std::io::stdout().is_terminal()
        && let Some((terminal_size::Width(w), _)) = terminal_size::terminal_size()
    {
        return Some(w as usize);
    }
    std::env::var("COLUMNS").ok()?.parse().ok()
}

/// `1h05m`, `4m03s`, `12s`, `3d02h`.
pub fn duration(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m{:02}s", s / 60, s % 60),
        3600..86_400 => format!("{}h{:02}m", s / 3600, s % 3600 / 60),
        _ => format!("{}d{:02}h", s / 86_400, s % 86_400 / 3600),
    }
}

/// The time from `from` to `to`, zero when `to` is earlier.
pub fn between(from: jiff::Timestamp, to: jiff::Timestamp) -> Duration {
    Duration::try_from(to.duration_since(from)).unwrap_or_default()
}

/// The shortest prefix of each id that no other id in `ids` shares, at
/// least `min` characters: what `list` shows and `show` accepts back.
pub fn abbreviations(ids: &[&str], min: usize) -> Vec<String> {
    let mut sorted: Vec<&str> = ids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let common = |a: &str, b: &str| a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
    ids.iter()
        .map(|id| {
            let at = sorted.binary_search(id).unwrap_or(0);
            let before = at.checked_sub(1).map_or(0, |k| common(id, sorted[k]));
            let after = sorted.get(at + 1).map_or(0, |n| common(id, n));
            let len = (before.max(after) + 1).max(min);
            id.chars().take(len).collect()
        })
        .collect()
}
