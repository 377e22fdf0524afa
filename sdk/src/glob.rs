//! Glob matching for policy settings (`protected = ["/etc/**", "~/.ssh/*"]`).
//!
//! A thin, documented layer over the `glob-match` crate (linear time, no
//! allocation while matching). Patterns match whole strings; a policy matches
//! them against paths it has normalised first (see [`crate::path`]).
//!
//! | syntax    | meaning |
//! |-----------|---------|
//! | `*`       | any run of characters except `/` (it *does* match a leading `.`, unlike a shell) |
//! | `**`      | any run of characters including `/`; use it as a whole segment (`a/**/b`, `a/**`, `**/b`) |
//! | `?`       | one character except `/` |
//! | `[abc]`, `[a-z]`, `[!a-z]` | one character of (or not of) the class |
//! | `{a,b}`   | either alternative; alternatives may hold any syntax, `**` included, and nest |
//! | `\x`      | the character `x` literally |
//! | `~`, `~/…` | at the start of the pattern or of a brace alternative: the home directory (see below) |
//! | `~user/…` | `/home/user/…` (`~root` is `/root`) |
//!
//! Decisions, beyond what `glob-match` does on its own:
//!
//! - Brace alternatives are expanded here, before `glob-match` sees the
//!   pattern: `glob-match` 0.2 mishandles `**` inside braces
//!   (`{/a/**,/b}` does not match `/a/x/y`). At most [`MAX_ALTERNATIVES`]
//!   alternatives per pattern.
//! - A pattern ending in `/**` also matches the directory itself: `/usr/**`
//!   matches `/usr` as well as `/usr/bin/ls` (protecting a tree protects its
//!   root too).
//! - A leading `!` (negation in `glob-match`) is not supported: in a settings
//!   list it would silently turn "these paths" into "every other path".
//!   [`Glob::new`] rejects it; [`matches()`] reads it as a literal `!`.
//! - `~` with no known home directory stands for any home: `/root` and
//!   `/home/*`. A protected `~/.ssh/**` then still protects every user's keys.
//! - Matching is case-sensitive, byte for byte, as Linux paths are.

use std::fmt;

/// The most alternatives one pattern may expand to (`{a,b}{c,d}` is four).
pub const MAX_ALTERNATIVES: usize = 64;

/// Why a pattern was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlobError {
    /// The pattern as written.
    pub pattern: String,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for GlobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "bad glob {:?}: {}", self.pattern, self.message)
    }
}

impl std::error::Error for GlobError {}

/// Whether `path` matches `pattern` (no home directory known: `~` stands for
/// any home). An invalid pattern matches nothing; use [`validate`] or
/// [`Glob::new`] when the pattern comes from settings.
pub fn matches(pattern: &str, path: &str) -> bool {
    matches_with_home(pattern, path, None)
}

/// Whether `path` matches `pattern`, `~` standing for `home` (or for any
/// home when `None`). An invalid pattern matches nothing.
pub fn matches_with_home(pattern: &str, path: &str, home: Option<&str>) -> bool {
    match compile(pattern, home) {
        Ok(alternatives) => alternatives
            .iter()
            .any(|alt| glob_match::glob_match(alt, path)),
        Err(_) => false,
    }
}

/// Checks a pattern's syntax: not empty, no leading `!`, brackets and braces
/// balanced, not too many alternatives.
pub fn validate(pattern: &str) -> Result<(), GlobError> {
    compile(pattern, None).map(|_| ())
}

/// Whether a string holds glob syntax (`*`, `?`, `[`, `{`), i.e. is not a
/// plain path.
pub fn is_glob(s: &str) -> bool {
    s.contains(['*', '?', '[', '{'])
}

/// One compiled pattern: validated, braces and `~` expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob {
    source: String,
    /// Each alternative with the length of its literal start ([`literal_len`]).
    alternatives: Vec<(String, usize)>,
}

impl Glob {
    /// Compiles `pattern`, `~` standing for `home` (any home when `None`).
    pub fn new(pattern: &str, home: Option<&str>) -> Result<Glob, GlobError> {
        Ok(Glob {
            source: pattern.to_string(),
            alternatives: compile(pattern, home)?
                .into_iter()
                .map(|alt| {
                    let n = literal_len(&alt);
                    (alt, n)
                })
                .collect(),
        })
    }

    /// Whether `path` matches.
    pub fn is_match(&self, path: &str) -> bool {
        // The literal start must begin the path: a string comparison that
        // settles most paths of a set without running the matcher.
        self.alternatives
            .iter()
            .any(|(alt, n)| path.starts_with(&alt[..*n]) && glob_match::glob_match(alt, path))
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }
}

impl fmt::Display for Glob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

/// The length of a brace-free alternative's literal start: up to its first
/// `*`, `?`, `[`, `{` or escape. A path the alternative matches begins with it.
fn literal_len(alt: &str) -> usize {
    alt.find(['*', '?', '[', '{', '\\']).unwrap_or(alt.len())
}

/// Several patterns; a path matches the set when it matches any of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GlobSet {
    globs: Vec<Glob>,
}

impl GlobSet {
    /// An empty set: matches nothing.
    pub fn empty() -> GlobSet {
        GlobSet::default()
    }

    /// Compiles every pattern; the first invalid one is the error.
    pub fn new<I, S>(patterns: I, home: Option<&str>) -> Result<GlobSet, GlobError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut set = GlobSet::empty();
        for p in patterns {
            set.push(Glob::new(p.as_ref(), home)?);
        }
        Ok(set)
    }

    /// Compiles a settings list that extends a default set: `defaults`
    /// (`None` when the settings turn them off) followed by `extra`.
    ///
    /// ```
    /// use clawlaw_sdk::glob::GlobSet;
    /// let on = GlobSet::with_defaults(Some(&["/usr/**"][..]), &["/opt/**"], None).unwrap();
    /// assert_eq!(on.patterns().collect::<Vec<_>>(), ["/usr/**", "/opt/**"]);
    /// let off = GlobSet::with_defaults(None, &["/opt/**"], None).unwrap();
    /// assert_eq!(off.patterns().collect::<Vec<_>>(), ["/opt/**"]);
    /// ```
    pub fn with_defaults<S: AsRef<str>>(
        defaults: Option<&[&str]>,
        extra: &[S],
        home: Option<&str>,
    ) -> Result<GlobSet, GlobError> {
        let defaults = defaults.unwrap_or_default().iter().copied();
        GlobSet::new(defaults.chain(extra.iter().map(AsRef::as_ref)), home)
    }

    /// Adds a compiled pattern.
    pub fn push(&mut self, glob: Glob) {
        self.globs.push(glob);
    }

    /// Whether `path` matches any pattern.
    pub fn any_match(&self, path: &str) -> bool {
        self.first_match(path).is_some()
    }

    /// The first pattern (as written) that `path` matches, to name it in a
    /// reason.
    pub fn first_match(&self, path: &str) -> Option<&str> {
        self.globs
            .iter()
            .find(|g| g.is_match(path))
            .map(Glob::as_str)
    }

    pub fn len(&self) -> usize {
        self.globs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.globs.is_empty()
    }

    /// The patterns, as written.
    pub fn patterns(&self) -> impl Iterator<Item = &str> {
        self.globs.iter().map(Glob::as_str)
    }
}

/// Validates `pattern` and turns it into brace-free alternatives for
/// `glob-match`, with `~` expanded and `/**` suffixes doubled.
fn compile(pattern: &str, home: Option<&str>) -> Result<Vec<String>, GlobError> {
    let err = |message: &str| GlobError {
        pattern: pattern.to_string(),
        message: message.to_string(),
    };
    if pattern.is_empty() {
        return Err(err("empty pattern"));
    }
    if pattern.starts_with('!') {
        return Err(err(
            "negation (a leading `!`) is not supported; list what to match instead",
        ));
    }
    check_brackets(pattern).map_err(err)?;
    let expanded = expand_braces(pattern).map_err(err)?;
    let mut out: Vec<String> = Vec::new();
    for alt in expanded {
        for alt in expand_home(&alt, home) {
            // `glob-match` reads a leading `!` as negation: escape it.
            let alt = if alt.starts_with('!') {
                format!("\\{alt}")
            } else {
                alt
            };
            if let Some(dir) = alt.strip_suffix("/**")
                && !dir.is_empty()
                && !out.iter().any(|a| a == dir)
            {
                out.push(dir.to_string());
            }
            if !out.contains(&alt) {
                out.push(alt);
            }
        }
    }
    if out.len() > MAX_ALTERNATIVES * 2 {
        return Err(err("too many alternatives"));
    }
    Ok(out)
}

/// Checks that every `[` has its `]` (outside escapes).
fn check_brackets(pattern: &str) -> Result<(), &'static str> {
    let b = pattern.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'[' => match class_end(b, i) {
                Some(end) => i = end,
                None => return Err("unclosed `[`"),
            },
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

/// The index of the `]` closing the class that opens at `start`.
fn class_end(b: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    if i < b.len() && (b[i] == b'!' || b[i] == b'^') {
        i += 1;
    }
    // A `]` right after the opening is a member, not the end.
    if i < b.len() && b[i] == b']' {
        i += 1;
    }
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b']' => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// Expands `{a,b}` groups (nesting allowed) into plain alternatives.
fn expand_braces(pattern: &str) -> Result<Vec<String>, &'static str> {
    let b = pattern.as_bytes();
    // Find the first top-level `{` that is not escaped or inside a class.
    let mut i = 0;
    let mut open = None;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'[' => i = class_end(b, i).ok_or("unclosed `[`")?,
            b'{' => {
                open = Some(i);
                break;
            }
            b'}' => return Err("`}` without `{`"),
            _ => {}
        }
        i += 1;
    }
    let Some(open) = open else {
        return Ok(vec![pattern.to_string()]);
    };
    // Find its closing `}` and the top-level commas between.
    let mut depth = 0usize;
    let mut commas = Vec::new();
    let mut close = None;
    let mut i = open + 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'[' => i = class_end(b, i).ok_or("unclosed `[`")?,
            b'{' => depth += 1,
            b'}' if depth == 0 => {
                close = Some(i);
                break;
            }
            b'}' => depth -= 1,
            b',' if depth == 0 => commas.push(i),
            _ => {}
        }
        i += 1;
    }
    let close = close.ok_or("unclosed `{`")?;
    let prefix = &pattern[..open];
    let suffix = &pattern[close + 1..];
    let mut bounds = vec![open];
    bounds.extend(commas);
    bounds.push(close);
    let mut out = Vec::new();
    for w in bounds.windows(2) {
        let choice = &pattern[w[0] + 1..w[1]];
        // The suffix may hold further groups; expanding the whole remainder
        // handles both nesting in `choice` and groups after this one.
        for alt in expand_braces(&format!("{prefix}{choice}{suffix}"))? {
            if out.len() >= MAX_ALTERNATIVES {
                return Err("too many alternatives");
            }
            out.push(alt);
        }
    }
    Ok(out)
}

/// Expands a leading `~`, `~/…`, `~user` or `~user/…`.
fn expand_home(alt: &str, home: Option<&str>) -> Vec<String> {
    let Some(rest) = alt.strip_prefix('~') else {
        return vec![alt.to_string()];
    };
    let (user, tail) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    if user.is_empty() {
        match home {
            Some(h) => vec![format!("{}{tail}", h.trim_end_matches('/'))],
            None => vec![format!("/root{tail}"), format!("/home/*{tail}")],
        }
    } else if user == "root" {
        vec![format!("/root{tail}")]
    } else {
        vec![format!("/home/{user}{tail}")]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_literal_start_only_skips_what_the_matcher_would_refuse() {
        let patterns = [
            "/usr/include/**",
            "/etc/passwd",
            "**/.ssh/**",
            "/home/*/.aws/credentials",
            "/work/app/src/?.rs",
            "/work/[ab]pp/**",
            "/tmp/\\*x",
            "*.pem",
            "/a/**/b",
            "",
        ];
        let paths = [
            "/usr/include/stdio.h",
            "/usr/includes/x",
            "/etc/passwd",
            "/etc/passwd.bak",
            "/home/dev/.ssh/id_rsa",
            "/home/dev/.aws/credentials",
            "/work/app/src/a.rs",
            "/work/bpp/x",
            "/tmp/*x",
            "key.pem",
            "/a/b",
            "/a/x/y/b",
            "",
        ];
        for alt in patterns {
            for path in paths {
                let prefiltered =
                    path.starts_with(&alt[..literal_len(alt)]) && glob_match::glob_match(alt, path);
                assert_eq!(
                    prefiltered,
                    glob_match::glob_match(alt, path),
                    "{alt} against {path}"
                );
            }
        }
    }

    #[test]
    fn star_does_not_cross_slash_but_double_star_does() {
        assert!(matches("/work/*.rs", "/work/main.rs"));
        assert!(!matches("/work/*.rs", "/work/src/main.rs"));
        assert!(matches("/work/**/*.rs", "/work/src/a/main.rs"));
        assert!(matches("/work/**/*.rs", "/work/main.rs"));
        assert!(matches("**/*.pem", "/etc/ssl/x.pem"));
        assert!(matches("**/*.pem", "x.pem"));
        assert!(matches("*", ".env"), "`*` matches a leading dot");
    }

    #[test]
    fn question_mark_and_classes() {
        assert!(matches("/tmp/?.txt", "/tmp/a.txt"));
        assert!(!matches("/tmp/?.txt", "/tmp/ab.txt"));
        assert!(!matches("/a?b", "/a/b"));
        assert!(matches("/v[0-9]", "/v7"));
        assert!(!matches("/v[0-9]", "/vx"));
        assert!(matches("/v[!0-9]", "/vx"));
        assert!(matches("/v[]x]", "/v]"));
    }

    #[test]
    fn braces_including_double_star_and_nesting() {
        assert!(matches("{/a/**,/b/*}", "/a/x/y"));
        assert!(matches("{/a/**,/b/*}", "/b/x"));
        assert!(!matches("{/a/**,/b/*}", "/b/x/y"));
        assert!(matches("/etc/sudoers{,.d/**}", "/etc/sudoers"));
        assert!(matches("/etc/sudoers{,.d/**}", "/etc/sudoers.d/90-agent"));
        assert!(matches("/x/{a,{b,c}d}.rs", "/x/cd.rs"));
        assert!(matches("/{a,b}/{c,d}", "/b/c"));
        assert!(matches("/x/[{]", "/x/{"));
        assert!(matches("/x/\\{a,b\\}", "/x/{a,b}"));
    }

    #[test]
    fn trailing_double_star_covers_the_directory_itself() {
        assert!(matches("/usr/**", "/usr"));
        assert!(matches("/usr/**", "/usr/bin/ls"));
        assert!(!matches("/usr/**", "/usrx"));
        assert!(!matches("/usr/**", "/usrx/a"));
        assert!(matches("**", "/anything/at/all"));
    }

    #[test]
    fn home_expansion() {
        let home = Some("/home/dev");
        assert!(matches_with_home("~/.ssh/*", "/home/dev/.ssh/id_rsa", home));
        assert!(!matches_with_home(
            "~/.ssh/*",
            "/home/other/.ssh/id_rsa",
            home
        ));
        assert!(matches_with_home("~", "/home/dev", home));
        assert!(matches_with_home(
            "{~/.bashrc,/etc/x}",
            "/home/dev/.bashrc",
            home
        ));
        // Unknown home: any home.
        assert!(matches("~/.ssh/*", "/home/other/.ssh/id_rsa"));
        assert!(matches("~/.ssh/*", "/root/.ssh/id_rsa"));
        assert!(!matches("~/.ssh/*", "/work/.ssh/id_rsa"));
        assert!(matches("~bob/x", "/home/bob/x"));
        assert!(matches("~root/x", "/root/x"));
        // A `~` elsewhere is literal.
        assert!(matches("/a/~", "/a/~"));
    }

    #[test]
    fn invalid_patterns_are_refused_and_match_nothing() {
        for bad in [
            "",
            "!*.rs",
            "/a/{b,c",
            "/a/b}",
            "/a/[bc",
            "{a,b}{c,d}{e,f}{g,h}{i,j}{k,l}{m,n}",
        ] {
            assert!(validate(bad).is_err(), "{bad:?} should be refused");
            assert!(Glob::new(bad, None).is_err());
        }
        assert!(!matches("/a/{b,c", "/a/b"));
        assert!(!matches("!*.rs", "main.go"), "no negation");
        assert!(validate("/a/{b,c}/[xy]*").is_ok());
        let e = Glob::new("/a/[b", None).unwrap_err();
        assert!(e.to_string().contains("/a/[b"));
    }

    #[test]
    fn glob_set() {
        let set = GlobSet::new(
            ["/usr/include/**", "~/.cargo/registry/**"],
            Some("/home/dev"),
        )
        .unwrap();
        assert_eq!(set.len(), 2);
        assert!(set.any_match("/usr/include/stdio.h"));
        assert!(set.any_match("/home/dev/.cargo/registry/src/x/lib.rs"));
        assert!(!set.any_match("/home/dev/.cargo/credentials.toml"));
        assert_eq!(set.first_match("/usr/include/x.h"), Some("/usr/include/**"));
        assert_eq!(set.first_match("/etc/passwd"), None);
        assert!(GlobSet::empty().is_empty());
        assert!(!GlobSet::empty().any_match("/x"));
        assert!(GlobSet::new(["/ok/**", "/bad/["], None).is_err());
        assert_eq!(
            set.patterns().collect::<Vec<_>>(),
            ["/usr/include/**", "~/.cargo/registry/**"]
        );
    }

    #[test]
    fn glob_set_with_defaults() {
        let defaults: &[&str] = &["/usr/include/**", "~/.cargo/registry/**"];
        let home = Some("/home/dev");
        let both = GlobSet::with_defaults(Some(defaults), &["/opt/sdk/**"], home).unwrap();
        assert_eq!(
            both.patterns().collect::<Vec<_>>(),
            ["/usr/include/**", "~/.cargo/registry/**", "/opt/sdk/**"]
        );
        assert_eq!(
            both.first_match("/home/dev/.cargo/registry/x"),
            Some("~/.cargo/registry/**"),
            "`~` is the home given"
        );
        assert!(both.any_match("/opt/sdk/x"));
        let extra_only = GlobSet::with_defaults(None, &["/opt/sdk/**"], home).unwrap();
        assert_eq!(extra_only.patterns().collect::<Vec<_>>(), ["/opt/sdk/**"]);
        assert!(!extra_only.any_match("/usr/include/stdio.h"));
        let none = GlobSet::with_defaults::<&str>(None, &[], None).unwrap();
        assert!(none.is_empty());
        let e = GlobSet::with_defaults(Some(defaults), &["/ok", "/bad/["], None).unwrap_err();
        assert_eq!(e.pattern, "/bad/[");
    }

    #[test]
    fn is_glob_detects_metacharacters() {
        assert!(is_glob("/a/*.rs"));
        assert!(is_glob("/a/{b,c}"));
        assert!(!is_glob("/a/b.rs"));
    }
}
