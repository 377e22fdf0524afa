//! Judging a candidate secret by its value alone: Shannon entropy, and
//! whether it is a placeholder rather than a credential (`ghp_xxxx…`,
//! `AKIA…EXAMPLE`, `your-api-key-here`, `${TOKEN}`, runs of one character or
//! of consecutive ones such as `abcdef…`/`123456…`).
//!
//! These checks apply to every finding, the rule set's and the SDK's own, on
//! top of the rule set's per-rule entropy thresholds and allowlists.

/// Shannon entropy of `s`, in bits per byte (gitleaks' measure).
pub fn entropy(s: &str) -> f64 {
    if s.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for b in s.bytes() {
        counts[usize::from(b)] += 1;
    }
    let n = s.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// Words that mark a value as written to be replaced (lower case).
const PLACEHOLDER_WORDS: &[&str] = &[
    "example",
    "sample",
    "placeholder",
    "changeme",
    "change_me",
    "change-me",
    "redacted",
    "dummy",
    "your_",
    "your-",
    "yourapi",
    "yourkey",
    "yourpass",
    "yoursecret",
    "yourtoken",
    "insert_",
    "insert-",
    "replace_me",
    "replace-me",
    "xxxx",
    "****",
    "...",
    "…",
    "<",
    ">",
    "${",
    "{{",
];

/// Whether a secret is a placeholder, template or made-up value rather than
/// a credential: it holds a placeholder word, or most of it is runs of one
/// character or of consecutive characters, or it is too regular (entropy
/// under 2 bits per character for 8 characters or more).
pub fn is_placeholder(secret: &str) -> bool {
    let lower = secret.to_ascii_lowercase();
    if PLACEHOLDER_WORDS.iter().any(|w| lower.contains(w)) {
        return true;
    }
    if secret.len() >= 8 && entropy(secret) < 2.0 {
        return true;
    }
    predictable(&lower) * 2 >= alphanumerics(&lower)
}

fn alphanumerics(s: &str) -> usize {
    s.bytes().filter(u8::is_ascii_alphanumeric).count()
}

/// How many characters of `s` are in runs of 4 or more letters or digits
/// that repeat one character (`xxxx`, `0000`) or count up or down by one
/// (`abcd`, `6543`).
fn predictable(s: &str) -> usize {
    const MIN_RUN: usize = 4;
    let b = s.as_bytes();
    let mut total = 0;
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        // The longest run from i with a constant step of -1, 0 or +1.
        let mut best = 1;
        for step in [-1i16, 0, 1] {
            let mut j = i + 1;
            while j < b.len()
                && b[j].is_ascii_alphanumeric()
                && i16::from(b[j]) - i16::from(b[j - 1]) == step
            {
                j += 1;
            }
            best = best.max(j - i);
        }
        if best >= MIN_RUN {
            total += best;
            i += best;
        } else {
            i += 1;
        }
    }
    total
}

/// A reference to a value held elsewhere: `$X`, `${X}`, `{{ x }}`, `%(x)s`,
/// `<x>`, `#{x}`.
pub(super) fn is_reference(v: &str) -> bool {
    v.starts_with('$')
        || v.contains("${")
        || v.contains("$(")
        || v.contains("{{")
        || v.contains("%(")
        || v.contains("#{")
        || (v.starts_with('<') && v.ends_with('>'))
        || (v.starts_with('%') && v.ends_with('%'))
}

/// Whether an assigned value (or a header's or a URL's) is a placeholder
/// rather than a secret: what [`is_placeholder`] says, or it holds `test`
/// or `fake`, it is a word such as `password`, `none`, `changeme`, `admin`
/// or a well-known weak password, or it repeats its key (`secret = "secret"`,
/// `--token token`). Hand-written detectors take short values, where these
/// words are common; the rule set's fixed-format tokens do not.
pub(super) fn is_placeholder_value(v: &str, key: &str) -> bool {
    if is_placeholder(v) {
        return true;
    }
    let l = v.to_ascii_lowercase();
    const CONTAINS: &[&str] = &["test", "fake"];
    const WORDS: &[&str] = &[
        "password",
        "passwd",
        "secret",
        "token",
        "none",
        "null",
        "nil",
        "undefined",
        "string",
        "required",
        "optional",
        "hidden",
        "masked",
        "unset",
        "empty",
        "default",
        "foobar",
        "admin",
        "letmein",
        "qwerty",
        "p@ssw0rd",
        "pa55word",
        "passw0rd",
        "password1",
        "password123",
        "secret123",
        "abc123",
        "123456",
    ];
    if CONTAINS.iter().any(|p| l.contains(p)) || WORDS.contains(&l.as_str()) {
        return true;
    }
    let k = key.trim_start_matches('-').to_ascii_lowercase();
    if !k.is_empty() && (l == k || l.ends_with(&k) && k.len() >= 6) {
        return true;
    }
    // The same character repeated (shorter than `is_placeholder` looks at).
    let mut chars = l.chars();
    chars.next().is_some_and(|c0| chars.all(|c| c == c0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_of_strings() {
        assert_eq!(entropy(""), 0.0);
        assert_eq!(entropy("aaaa"), 0.0);
        assert!((entropy("abcd") - 2.0).abs() < 1e-9);
        assert!(entropy("Zq8Xv2Lm9Rt4Wb7Nc1Kd6Hf3Gj5Ps0Ya") > 4.5);
    }

    #[test]
    fn placeholders() {
        for p in [
            "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "AKIAIOSFODNN7EXAMPLE",
            "your-api-key-here",
            "YOUR_SECRET_TOKEN",
            "sk_live_0000000000000000000000",
            "abcdefghijklmnop1234",
            "1234567890abcdef",
            "${GITHUB_TOKEN}",
            "{{ .Values.token }}",
            "<token>",
            "aaaaaaaabbbbbbbb",
            "ababababababab",
            "sk-...",
        ] {
            assert!(is_placeholder(p), "{p}");
        }
        for s in [
            "ghp_Zq8Xv2Lm9Rt4Wb7Nc1Kd6Hf3Gj5Ps0YaQw8E",
            "AKIA2E0A8F3B244C9986",
            "hunter2x9",
            "e3b0c44298fc1c149afbf4c8996fb924",
            "S3cr3t!xy99",
        ] {
            assert!(!is_placeholder(s), "{s}");
        }
    }

    #[test]
    fn runs_are_counted_once() {
        assert_eq!(predictable("abcd"), 4);
        assert_eq!(predictable("xxxx-1234"), 8);
        assert_eq!(predictable("a1b2c3"), 0);
        assert_eq!(predictable("9876zz"), 4);
    }
}
