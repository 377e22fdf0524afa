//! Byte-level helpers the SDK's hand-written detectors share: literal
//! needle search, runs of a character class, word boundaries, and char
//! boundaries.

/// Where `needle` (ASCII, not empty) starts in `haystack`, left to right and
/// not overlapping, as `str::match_indices` finds it. On a long text
/// memchr's `memmem` looks for the needle's rarest byte first, several times
/// faster than std's searcher; on a short one (a command line, a path)
/// building its searcher costs more than the search, so the needle's first
/// byte is looked for instead.
pub(super) fn hits<'a>(haystack: &'a str, needle: &'a str) -> impl Iterator<Item = usize> + 'a {
    /// Up to this length a text is searched without a `memmem` searcher.
    const SHORT: usize = 512;
    debug_assert!(needle.is_ascii() && !needle.is_empty());
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    let (long, short) = if h.len() > SHORT {
        (Some(memchr::memmem::find_iter(h, n)), None)
    } else {
        let mut next = 0;
        let first = memchr::memchr_iter(n[0], h).filter(move |&i| {
            let hit = i >= next && h[i..].starts_with(n);
            if hit {
                next = i + n.len();
            }
            hit
        });
        (None, Some(first))
    };
    long.into_iter()
        .flatten()
        .chain(short.into_iter().flatten())
}

/// Whether the byte before `start` / at `end` continues a token, i.e. the
/// match is part of a longer word.
pub(super) fn glued(text: &str, start: usize, end: usize, extra: &[u8]) -> bool {
    let b = text.as_bytes();
    let cont = |c: u8| c.is_ascii_alphanumeric() || extra.contains(&c);
    (start > 0 && cont(b[start - 1])) || (end < b.len() && cont(b[end]))
}

/// The end of the run of bytes satisfying `class` from `from`.
pub(super) fn run(b: &[u8], from: usize, class: impl Fn(u8) -> bool) -> usize {
    let mut e = from;
    while e < b.len() && class(b[e]) {
        e += 1;
    }
    e
}

/// The end of the run of blanks (spaces, tabs) from `from`.
pub(super) fn blanks(b: &[u8], from: usize) -> usize {
    run(b, from, |c| c == b' ' || c == b'\t')
}

/// The largest char boundary of `text` at or before `i` (clamped to its
/// length).
pub(super) fn floor_boundary(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::hits;

    #[test]
    fn hits_are_str_match_indices_on_short_and_long_texts() {
        let long = "token=abc ".repeat(80) + "aaaa tok";
        for (text, needle) in [
            ("aaaa", "aa"),
            ("a token, tokens and TOKEN", "token"),
            ("", "x"),
            ("x", "xy"),
            ("bearer bearer", "bearer"),
            (long.as_str(), "token"),
            (long.as_str(), "aa"),
            (long.as_str(), "tok"),
        ] {
            let want: Vec<usize> = text.match_indices(needle).map(|(i, _)| i).collect();
            assert_eq!(
                hits(text, needle).collect::<Vec<_>>(),
                want,
                "{needle} in {text:.20}"
            );
        }
    }
}
