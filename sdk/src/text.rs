//! Substring search for the short texts policies look at: words, paths,
//! command lines. `str::contains` with a `&str` needle sets up a two-way
//! searcher on every call, which inside a WebAssembly component costs more
//! than searching a word or a path; [`contains`] looks for the needle's
//! first byte and compares from there, and leaves a long text to memchr's
//! `memmem`. Use it where a policy searches many short texts per action.
//!
//! ```
//! use clawlaw_sdk::text::{contains, contains_any};
//! assert!(contains("cargo test 2>&1 | tee log", "tee"));
//! assert!(!contains("cargo test", "tee"));
//! assert!(contains_any("echo hi > f", &["printf", "echo"]));
//! ```

/// Up to this length a text is searched byte by byte from the needle's
/// first byte; a longer one with a `memmem` searcher.
const SHORT: usize = 512;

/// Whether `needle` occurs in `haystack` (as `haystack.contains(needle)`).
pub fn contains(haystack: &str, needle: &str) -> bool {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    let Some((&first, rest)) = n.split_first() else {
        return true;
    };
    if h.len() > SHORT {
        return memchr::memmem::find(h, n).is_some();
    }
    memchr::memchr_iter(first, h).any(|i| h[i + 1..].starts_with(rest))
}

/// Whether any of `needles` occurs in `haystack`.
pub fn contains_any(haystack: &str, needles: &[&str]) -> bool {
    needles.iter().any(|n| contains(haystack, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contains_is_str_contains_on_short_and_long_texts() {
        let long = "x".repeat(600) + "needle" + &"y".repeat(10);
        for (h, n) in [
            ("", ""),
            ("abc", ""),
            ("", "a"),
            ("abc", "abc"),
            ("abc", "abcd"),
            ("aab", "ab"),
            ("${{ secrets.X }}", "${{"),
            ("/usr/bin/tee", "tee"),
            ("ünïcode ∂ path", "∂ p"),
            (long.as_str(), "needle"),
            (long.as_str(), "needles"),
        ] {
            assert_eq!(contains(h, n), h.contains(n), "{n:?} in {h:.20?}");
        }
        assert!(contains_any("a tee b", &["cat", "tee"]));
        assert!(!contains_any("a b", &["cat", "tee"]));
    }
}
