//! A unified-style line diff of an edit's old and new text, so a reviewer
//! sees what an `Edit` changes rather than two blobs.
//!
//! A longest-common-subsequence over lines (quadratic, so both sides are
//! bounded: past [`MAX_CELLS`] the whole old text is shown removed and the
//! whole new text added), grouped into hunks with [`CONTEXT`] unchanged
//! lines around each change.

/// Unchanged lines shown around a change.
const CONTEXT: usize = 3;
/// The largest old × new line product diffed line by line.
const MAX_CELLS: usize = 4_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    Same,
    Removed,
    Added,
}

/// One output line: a hunk header (`@@ -1,3 +1,4 @@`) or a text line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line<'a> {
    Header(String),
    Text(Tag, &'a str),
}

/// The hunks turning `old` into `new`.
pub fn unified<'a>(old: &'a str, new: &'a str) -> Vec<Line<'a>> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let ops = script(&a, &b);
    hunks(&ops)
}

/// Every line of both sides, tagged, in order, with its 1-based line
/// numbers in the old and new text.
fn script<'a>(a: &[&'a str], b: &[&'a str]) -> Vec<(Tag, &'a str, usize, usize)> {
    let (n, m) = (a.len(), b.len());
    let mut out = Vec::with_capacity(n + m);
    if n.saturating_mul(m) > MAX_CELLS {
        out.extend(
            a.iter()
                .enumerate()
                .map(|(i, l)| (Tag::Removed, *l, i + 1, 1)),
        );
        out.extend(
            b.iter()
                .enumerate()
                .map(|(j, l)| (Tag::Added, *l, n + 1, j + 1)),
        );
        return out;
    }
    // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
    let width = m + 1;
    let mut lcs = vec![0u32; (n + 1) * width];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i * width + j] = if a[i] == b[j] {
                lcs[(i + 1) * width + j + 1] + 1
            } else {
                lcs[(i + 1) * width + j].max(lcs[i * width + j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            out.push((Tag::Same, a[i], i + 1, j + 1));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[(i + 1) * width + j] >= lcs[i * width + j + 1]) {
            // Removals before additions, as diff(1) writes a change.
            out.push((Tag::Removed, a[i], i + 1, j + 1));
            i += 1;
        } else {
            out.push((Tag::Added, b[j], i + 1, j + 1));
            j += 1;
        }
    }
    out
}

fn hunks<'a>(ops: &[(Tag, &'a str, usize, usize)]) -> Vec<Line<'a>> {
    let changed: Vec<usize> = (0..ops.len()).filter(|&k| ops[k].0 != Tag::Same).collect();
    let mut out = Vec::new();
    let mut k = 0;
    while k < changed.len() {
        let start = changed[k].saturating_sub(CONTEXT);
        let mut end = changed[k];
        // Extend while the next change is close enough to share context.
        while k + 1 < changed.len() && changed[k + 1] <= end + 2 * CONTEXT + 1 {
            k += 1;
            end = changed[k];
        }
        let end = (end + CONTEXT + 1).min(ops.len());
        let slice = &ops[start..end];
        let old_len = slice.iter().filter(|o| o.0 != Tag::Added).count();
        let new_len = slice.iter().filter(|o| o.0 != Tag::Removed).count();
        let (_, _, old_at, new_at) = slice[0];
        // An empty side starts "before line 1", as diff(1) writes it.
        let at = |line: usize, len: usize| if len == 0 { line - 1 } else { line };
        out.push(Line::Header(format!(
            "@@ -{},{old_len} +{},{new_len} @@",
            at(old_at, old_len),
            at(new_at, new_len)
        )));
        out.extend(slice.iter().map(|(tag, text, _, _)| Line::Text(*tag, text)));
        k += 1;
    }
    out
}
