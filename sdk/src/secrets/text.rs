//! Byte-level helpers the SDK's hand-written detectors share: literal
//! needle search, runs of a character class, word boundaries, and char
//! boundaries.

/// Where `needle` (ASCII) starts in `haystack`, left to right and not
/// overlapping, as `str::match_indices` finds it ([`crate::text::find_iter`]).
pub(super) fn hits<'a>(haystack: &'a str, needle: &'a str) -> impl Iterator<Item = usize> + 'a {
    debug_assert!(needle.is_ascii());
    crate::text::find_iter(haystack, needle)
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
