//! A PowerShell command's parameters as it reads them: `-Name value`,
//! `-Name:value`, switches that take no value, any unambiguous prefix of a
//! parameter's name (`-Rec`, `-fo`), and positionals; `cmd`-style
//! `/NAME` ones for the programs that take them.

use super::text::unquote;

/// A command's parameters: `-Name value`, `-Switch`, positionals.
pub(super) struct Opts {
    pub(super) named: Vec<(String, Option<String>)>,
    pub(super) positional: Vec<String>,
}

/// Parameters that never take a value.
const SWITCHES: &[&str] = &[
    "recurse",
    "r",
    "force",
    "fo",
    "append",
    "whatif",
    "wi",
    "confirm",
    "verbose",
    "usebasicparsing",
    "nonewline",
    "passthru",
    "s",
    "q",
    "f",
];

/// Whether parameter `given` (PowerShell takes any unambiguous prefix:
/// `-Rec`, `-fo`) names `full`.
fn names(given: &str, full: &str) -> bool {
    given == full || given.len() >= 2 && full.starts_with(given)
}

impl Opts {
    /// `slash`: `cmd`-style `/NAME` parameters too (`taskkill /im x`).
    pub(super) fn new(args: &[String], slash: bool) -> Opts {
        let mut named = Vec::new();
        let mut positional = Vec::new();
        let mut k = 0;
        while k < args.len() {
            let a = &args[k];
            let flag = a
                .strip_prefix('-')
                .or_else(|| a.strip_prefix('/').filter(|_| slash))
                .filter(|f| {
                    // The name, before a value given after a colon
                    // (`-Path:~/.bashrc`).
                    let name = f.split(':').next().unwrap_or(f);
                    name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                        && !name.contains(['\\', '/', '.'])
                });
            match flag {
                Some(f) => {
                    let (f, inline) = match f.split_once(':') {
                        Some((n, v)) => (n, Some(v.to_string())),
                        None => (f, None),
                    };
                    let f = f.to_ascii_lowercase();
                    // A parameter after it is not its value (`-RemoveData
                    // -WhatIf`): a switch this list does not know.
                    let next_is_parameter = args.get(k + 1).is_some_and(|n| {
                        n.strip_prefix('-')
                            .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_alphabetic()))
                    });
                    let value = if inline.is_some()
                        || next_is_parameter
                        || SWITCHES.iter().any(|s| names(&f, s))
                    {
                        inline
                    } else {
                        k += 1;
                        args.get(k).cloned()
                    };
                    named.push((f, value));
                }
                None => positional.push(unquote(a)),
            }
            k += 1;
        }
        Opts { named, positional }
    }

    /// Whether a parameter named by one of `full` is given: a switch set
    /// to false (`-Recurse:$false`) is not.
    pub(super) fn has(&self, full: &[&str]) -> bool {
        self.named.iter().any(|(n, v)| {
            full.iter().any(|f| names(n, f))
                && !(SWITCHES.iter().any(|s| names(n, s))
                    && v.as_deref().is_some_and(|v| {
                        matches!(v.to_ascii_lowercase().as_str(), "$false" | "0" | "false")
                    }))
        })
    }

    pub(super) fn values(&self, full: &[&str]) -> Vec<String> {
        self.named
            .iter()
            .filter(|(n, _)| full.iter().any(|f| names(n, f)))
            .filter_map(|(_, v)| v.as_deref().map(unquote))
            .collect()
    }
}

/// The value of option `name` in `args`, a parenthesised subexpression
/// whole (`-Body (Get-Content .env -Raw)`, split into words at its blanks).
pub(super) fn grouped_value(args: &[String], name: &str) -> Option<String> {
    let at = args.iter().position(|a| a.eq_ignore_ascii_case(name))?;
    let first = args.get(at + 1)?;
    if !first.starts_with('(') {
        return Some(unquote(first));
    }
    let mut depth = 0i32;
    let mut parts = Vec::new();
    for a in &args[at + 1..] {
        depth += a.matches('(').count() as i32 - a.matches(')').count() as i32;
        parts.push(a.as_str());
        if depth <= 0 {
            break;
        }
    }
    Some(parts.join(" "))
}
