//! PowerShell's cmdlets that write a file's content, as the POSIX
//! redirection or `tee` that writes the same files: `Set-Content`,
//! `Add-Content`, `Clear-Content`, `Out-File`, `Tee-Object -FilePath`, and
//! `New-Item` of a file (created, with its `-Value`; `-Name` below
//! `-Path`) or a directory. A path may be given as PowerShell writes a
//! list (`/tmp/a,~/.bashrc`, `@('a', 'b')`) or an expression in parentheses
//! (`('~/.bashrc')`): each is a file written.

use super::opts::Opts;
use super::text::{posix_paths, split, unquote};

/// The POSIX command of cmdlet `name` (lower case) when it is one that
/// writes files' content.
pub(super) fn writes(name: &str, opts: &Opts) -> Option<String> {
    let append = opts.has(&["append"]);
    match name {
        "add-content" | "ac" => Some(written(&targets(opts, &["path"]), true)),
        "set-content" | "sc" | "clear-content" | "clc" => {
            Some(written(&targets(opts, &["path"]), append))
        }
        "out-file" => Some(written(&targets(opts, &["filepath", "path"]), append)),
        "tee-object" | "tee" => {
            let files = targets(opts, &["filepath", "path"]);
            (!files.is_empty()).then(|| {
                let a = if append { " -a" } else { "" };
                format!("tee{a} {}", files.join(" "))
            })
        }
        "new-item" | "ni" => {
            let kind = opts.values(&["itemtype", "type"]).into_iter().next();
            let dir = kind.is_some_and(|k| k.eq_ignore_ascii_case("directory"));
            let names = opts.values(&["name"]);
            let mut files: Vec<String> = paths_given(opts, &["path"]);
            if let Some(name) = names.first() {
                let name = unquote(name);
                files = if files.is_empty() {
                    vec![name]
                } else {
                    files
                        .iter()
                        .map(|p| format!("{}/{name}", p.trim_end_matches(['/', '\\'])))
                        .collect()
                };
            }
            let files: Vec<String> = files.iter().map(|f| posix_paths(f)).collect();
            (!files.is_empty()).then(|| {
                if dir {
                    format!("mkdir -p {}", files.join(" "))
                } else {
                    written(&files, false)
                }
            })
        }
        _ => None,
    }
}

/// The files named by the options `names` (and their aliases `literalpath`,
/// `lp`), else by the first positional argument, as POSIX paths.
fn targets(opts: &Opts, names: &[&str]) -> Vec<String> {
    paths_given(opts, names)
        .iter()
        .map(|p| posix_paths(p))
        .collect()
}

/// The paths as given: a named option's value, else the first positional
/// argument (the others are the content), each list or parenthesised
/// expression read item by item.
fn paths_given(opts: &Opts, names: &[&str]) -> Vec<String> {
    let mut all: Vec<&str> = names.to_vec();
    all.extend(["literalpath", "lp"]);
    let mut given = opts.values(&all);
    if given.is_empty() {
        given.extend(opts.positional.first().cloned());
    }
    given.iter().flat_map(|v| items(v)).collect()
}

/// The items of a PowerShell value: `a,b`, `@('a', 'b')`, `('a')`, each
/// unquoted; empty ones dropped.
pub(super) fn items(value: &str) -> Vec<String> {
    let v = value.trim();
    let inner = v
        .strip_prefix("@(")
        .or_else(|| v.strip_prefix('('))
        .and_then(|r| r.strip_suffix(')'))
        .unwrap_or(v);
    split(inner, &[","])
        .iter()
        .map(|i| unquote(i.trim()))
        .filter(|i| !i.is_empty())
        .collect()
}

/// Content written to `files` (already POSIX paths): `: > FILE` for one,
/// `tee` for several (`-a` to append).
fn written(files: &[String], append: bool) -> String {
    match files {
        [] => ":".to_string(),
        [one] => format!(": {} {one}", if append { ">>" } else { ">" }),
        many => {
            let a = if append { " -a" } else { "" };
            format!(": | tee{a} {} > /dev/null", many.join(" "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(src: &str) -> Option<String> {
        let w = super::super::text::words(src);
        let opts = Opts::new(&w[1..], false);
        writes(&w[0].to_ascii_lowercase(), &opts)
    }

    #[test]
    fn content_written_to_each_file_named() {
        assert_eq!(
            line("Add-Content ~/.bashrc x").as_deref(),
            Some(": >> \"$HOME/.bashrc\"")
        );
        assert_eq!(
            line("Set-Content /tmp/a,~/.bashrc x").as_deref(),
            Some(": | tee \"/tmp/a\" \"$HOME/.bashrc\" > /dev/null")
        );
        assert_eq!(
            line("Add-Content -Path @('/tmp/a', '~/.bashrc') -Value x").as_deref(),
            Some(": | tee -a \"/tmp/a\" \"$HOME/.bashrc\" > /dev/null")
        );
        assert_eq!(
            line("Add-Content ('~/.bashrc') x").as_deref(),
            Some(": >> \"$HOME/.bashrc\"")
        );
        assert_eq!(
            line("Out-File -FilePath C:\\Users\\dev\\.bashrc -Append").as_deref(),
            Some(": >> \"/home/dev/.bashrc\"")
        );
        assert_eq!(
            line("Tee-Object -FilePath ~/.bashrc").as_deref(),
            Some("tee \"$HOME/.bashrc\"")
        );
        assert_eq!(line("Tee-Object -Variable out"), None);
    }

    #[test]
    fn items_created() {
        assert_eq!(
            line("New-Item -Path ~/.ssh/authorized_keys -Value x -Force").as_deref(),
            Some(": > \"$HOME/.ssh/authorized_keys\"")
        );
        assert_eq!(
            line("New-Item -Path ~/.ssh -Name authorized_keys -Value x").as_deref(),
            Some(": > \"$HOME/.ssh/authorized_keys\"")
        );
        assert_eq!(
            line("ni -ItemType Directory C:\\Users\\dev\\.claude\\hooks").as_deref(),
            Some("mkdir -p \"/home/dev/.claude/hooks\"")
        );
        assert_eq!(
            line("New-Item notes.txt").as_deref(),
            Some(": > \"notes.txt\"")
        );
    }
}
