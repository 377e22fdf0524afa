//! Substring search for the short texts policies look at: words, paths,
//! command lines. `str::contains` with a `&str` needle sets up a two-way
//! searcher on every call, which inside a WebAssembly component costs more
//! than searching a word or a path; [`contains`] and [`find_iter`] look for
//! the needle's first byte and compare from there, and leave a long text to
//! memchr's `memmem` (whose searcher pays for itself there). Use them where a
//! policy searches many short texts per action.
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
    needle.is_empty() || find_iter(haystack, needle).next().is_some()
}

/// Where `needle` (not empty) starts in `haystack`, left to right and not
/// overlapping, as `str::match_indices` finds it.
pub fn find_iter<'a>(haystack: &'a str, needle: &'a str) -> impl Iterator<Item = usize> + 'a {
    debug_assert!(!needle.is_empty());
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    let (long, short) = if h.len() > SHORT {
        (Some(memchr::memmem::find_iter(h, n)), None)
    } else {
        let first = n.first().copied().unwrap_or(0);
        let mut next = 0;
        let hits = memchr::memchr_iter(first, h).filter(move |&i| {
            let hit = i >= next && h[i..].starts_with(n);
            if hit {
                next = i + n.len();
            }
            hit
        });
        (None, Some(hits))
    };
    long.into_iter()
        .flatten()
        .chain(short.into_iter().flatten())
}

/// Whether any of `needles` occurs in `haystack`.
pub fn contains_any(haystack: &str, needles: &[&str]) -> bool {
    needles.iter().any(|n| contains(haystack, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contains_and_find_iter_are_std_s_on_short_and_long_texts() {
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
        let long = "token=abc ".repeat(80) + "aaaa tok";
        for (text, needle) in [
            ("aaaa", "aa"),
            ("a token, tokens and TOKEN", "token"),
            ("", "x"),
            ("bearer bearer", "bearer"),
            (long.as_str(), "token"),
            (long.as_str(), "aa"),
        ] {
            let want: Vec<usize> = text.match_indices(needle).map(|(i, _)| i).collect();
            let got: Vec<usize> = find_iter(text, needle).collect();
            assert_eq!(got, want, "{needle} in {text:.20}");
        }
        assert!(!contains_any("a b", &["cat", "tee"]));
    }
}
