//! Searching other people's files for credentials: a content search (`grep
//! -r`, `rg`, `ag`, `ack`, `ugrep`, `findstr`) whose pattern names a
//! credential (`password`, `secret`, `api_key`, `BEGIN … PRIVATE KEY`,
//! `AKIA`) over directories outside the session's workspace (`grep -ri
//! password /etc`, `rg -i 'api.?key' /var/www /opt`, the files `find`
//! lists handed to `xargs grep`). Its output is every
//! matching line: the credentials themselves, read without naming a
//! credential file. The same search of the workspace (`rg -n password src/`,
//! where the code that handles passwords lives) is ordinary work, and is not
//! judged here.

use clawlaw_sdk::path::{is_within, normalize};
use clawlaw_sdk::shell::{self, Command};

/// Programs that search file contents.
pub const SEARCHERS: &[&str] = &[
    "grep", "egrep", "fgrep", "rg", "ag", "ack", "ack-grep", "ugrep", "pt", "findstr",
];

/// What a pattern names when it looks for credentials (compared in lower
/// case, its letters and digits only: `api[_-]?key` names `apikey`).
const CREDENTIAL_WORDS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "apikey",
    "accesskey",
    "privatekey",
    "credential",
    "bearer",
    "akia",
    "sshrsa",
    "beginrsa",
    "beginopenssh",
];

/// `grep`-family options that take a value (the pattern's own, `-e`/`-f`,
/// are read apart).
const VALUED: &[&str] = &[
    "-m",
    "-A",
    "-B",
    "-C",
    "-d",
    "-D",
    "--max-count",
    "--context",
    "--include",
    "--exclude",
    "--exclude-dir",
    "-g",
    "--glob",
    "-t",
    "--type",
    "-T",
    "--type-not",
    "-j",
    "--threads",
    "-M",
    "--max-columns",
    "--color",
    "--colour",
];

/// The first search in `line` that looks for credentials outside `roots`
/// (absolute, normalised): the command as shown and the directory searched.
pub fn outside(
    line: &shell::CommandLine,
    cwd: Option<&str>,
    home: Option<&str>,
    roots: &[String],
) -> Option<(String, String)> {
    for c in &line.commands {
        if c.program_dynamic || !SEARCHERS.contains(&c.program.as_str()) {
            continue;
        }
        let (pattern, mut paths) = pattern_and_paths(c);
        if !pattern.is_some_and(names_credential) {
            continue;
        }
        // `find /etc -name '*.conf' | xargs grep -i password`: the files
        // searched are those `find` lists below its roots.
        if paths.is_empty()
            && let Some(roots) = listed_by_find(line, c)
        {
            paths = roots;
        }
        for p in paths {
            let Ok(abs) = normalize(p, cwd, home) else {
                // A home directory's path, the home not known: outside any
                // workspace below it.
                if home.is_none() && (p.starts_with('~') || p.starts_with("$HOME")) {
                    return Some((c.program.clone(), p.to_string()));
                }
                continue;
            };
            let inside = roots.iter().any(|r| is_within(&abs, r))
                || roots.is_empty() && cwd.is_some_and(|w| is_within(&abs, w));
            if !inside {
                return Some((c.program.clone(), abs));
            }
        }
    }
    None
}

/// The roots of the `find` whose list `c` is given through `xargs`, when
/// it is the stage before `c` in a pipeline.
fn listed_by_find<'l>(line: &'l shell::CommandLine, c: &Command) -> Option<Vec<&'l str>> {
    if !c.piped_in || !c.wrappers.iter().any(|w| w.program == "xargs") {
        return None;
    }
    let pipeline = line.pipelines.get(c.pipeline)?;
    let at = pipeline
        .commands
        .iter()
        .position(|&k| std::ptr::eq(&line.commands[k], c))?;
    let before = &line.commands[*pipeline.commands.get(at.checked_sub(1)?)?];
    if before.program != "find" {
        return None;
    }
    let roots: Vec<&str> = before
        .args()
        .iter()
        .map(|w| w.text.as_str())
        .take_while(|a| !a.starts_with(['-', '(', '!']))
        .collect();
    Some(if roots.is_empty() { vec!["."] } else { roots })
}

/// Whether a search pattern looks for credentials.
fn names_credential(pattern: &str) -> bool {
    let folded: String = pattern
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|ch| ch.to_ascii_lowercase())
        .collect();
    CREDENTIAL_WORDS.iter().any(|w| folded.contains(w))
}

/// The pattern a search looks for and the files or directories it searches
/// (none named: the working directory).
fn pattern_and_paths(c: &Command) -> (Option<&str>, Vec<&str>) {
    let args = c.args();
    let mut pattern = None;
    let mut operands = Vec::new();
    let mut k = 0;
    let mut options_done = false;
    while k < args.len() {
        let a = args[k].text.as_str();
        k += 1;
        if options_done || !a.starts_with('-') || a == "-" {
            operands.push(a);
        } else if a == "--" {
            options_done = true;
        } else if matches!(a, "-e" | "--regexp") {
            pattern = args.get(k).map(|w| w.text.as_str());
            k += 1;
        } else if let Some(p) = a.strip_prefix("--regexp=") {
            pattern = Some(p);
        } else if VALUED.contains(&a) {
            k += 1;
        }
    }
    if pattern.is_none() && !operands.is_empty() {
        pattern = Some(operands.remove(0));
    }
    (pattern, operands)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hunt(line: &str) -> Option<String> {
        outside(
            &shell::parse(line),
            Some("/work/app"),
            Some("/home/dev"),
            &["/work/app".to_string()],
        )
        .map(|(_, dir)| dir)
    }

    #[test]
    fn credential_searches_outside_the_workspace() {
        assert_eq!(hunt("grep -ri password /etc/").as_deref(), Some("/etc"));
        assert_eq!(
            hunt("rg -i 'api[_-]?key' -g '*.php' /var/www").as_deref(),
            Some("/var/www")
        );
        assert_eq!(
            hunt("grep -rl -e 'BEGIN RSA PRIVATE KEY' /opt /srv").as_deref(),
            Some("/opt")
        );
        assert_eq!(
            hunt("ag -i secret ../../var/lib").as_deref(),
            Some("/var/lib")
        );
        assert_eq!(
            hunt("grep -ri password ~/*.txt").as_deref(),
            Some("/home/dev/*.txt")
        );
        // The home not known.
        let line = shell::parse("grep -ri token ~/notes");
        assert_eq!(
            outside(&line, Some("/work/app"), None, &[])
                .map(|(_, dir)| dir)
                .as_deref(),
            Some("~/notes")
        );
    }

    #[test]
    fn searches_of_the_files_find_lists() {
        assert_eq!(
            hunt("find /etc -name '*.conf' | xargs grep -il password").as_deref(),
            Some("/etc")
        );
        assert_eq!(hunt("find . -name '*.rs' | xargs grep -n token"), None);
        assert_eq!(hunt("find /etc -name '*.conf' | grep password"), None);
    }

    #[test]
    fn searches_of_the_workspace_or_for_other_things() {
        for line in [
            "rg -n password src/",
            "grep -rn 'api_key' .",
            "grep -ri password",
            "grep -r TODO /etc",
            "grep root /etc/group",
            "rg -i token ./crates ../app/tests",
        ] {
            assert_eq!(hunt(line), None, "{line}");
        }
    }
}
