//! shell-guard's settings: program lists, protected paths, which packs run,
//! and custom rules; parsed once by the SDK and checked by [`validate`].

use clawlaw_sdk::shell::Command;
use serde::Deserialize;

use crate::rules::{self, Pack};

/// shell-guard's settings; see the crate documentation and the README.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Programs (or `program subcommand`) to deny.
    pub deny_programs: Vec<String>,
    /// Programs (or `program subcommand`) to escalate.
    pub escalate_programs: Vec<String>,
    /// Programs (or `program subcommand`) whose built-in escalations are
    /// waived.
    pub allow_programs: Vec<String>,
    /// More paths (absolute or `~/…`) protected like system directories.
    pub protected_paths: Vec<String>,
    /// Deny unparseable lines instead of escalating them.
    pub deny_unparseable: bool,
    /// Which packs run.
    pub packs: PackSettings,
    /// Custom rules, checked on every command after the built-in ones.
    pub rules: Vec<CustomRule>,
}

/// Which packs run: all of them unless named in `disable`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PackSettings {
    /// Pack names (`git`, `filesystem`, `database`, …) switched off.
    pub disable: Vec<String>,
}

/// A rule given in the settings: when `program` runs with every word of
/// `args_contain` among its arguments, answer `verdict` with `reason`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomRule {
    /// The rule's id, reported in decisions; must start with `custom.`.
    pub id: String,
    /// The program's basename (`psql`, `git`); matched also under wrappers
    /// (`sudo`, `env`, …) and inside `sh -c`, `$(…)` and the like.
    pub program: String,
    /// Arguments that must all be present. `-x` (one letter) also matches
    /// inside combined short options (`-xvf`); `--name` also matches
    /// `--name=value`; anything else must equal a whole argument.
    #[serde(default)]
    pub args_contain: Vec<String>,
    /// `deny` or `escalate`.
    pub verdict: CustomVerdict,
    /// Risk reported for an escalation (0 to 1); 0.6 when not given.
    #[serde(default)]
    pub risk: Option<f32>,
    /// What the agent is told: what would be lost and what to do instead.
    pub reason: String,
}

/// The verdict of a custom rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CustomVerdict {
    Deny,
    Escalate,
}

impl Settings {
    /// Whether `pack` runs.
    pub fn pack_enabled(&self, pack: Pack) -> bool {
        !self.packs.disable.iter().any(|d| d == pack.name())
    }
}

impl CustomRule {
    /// Whether this rule matches command `c`.
    pub fn matches(&self, c: &Command) -> bool {
        c.program == self.program
            && self.args_contain.iter().all(|want| {
                let w = want.as_str();
                if let Some(long) = w.strip_prefix("--").filter(|l| !l.is_empty()) {
                    return c.has_long(long) || c.args().iter().any(|a| a.text == w);
                }
                let mut chars = w.chars();
                if let (Some('-'), Some(flag), None) = (chars.next(), chars.next(), chars.next()) {
                    return c.has_flag(flag);
                }
                c.args().iter().any(|a| a.text == w)
            })
    }
}

/// Checks settings beyond what parsing checks.
pub fn validate(settings: &Settings) -> Result<(), String> {
    for (field, list) in [
        ("deny_programs", &settings.deny_programs),
        ("escalate_programs", &settings.escalate_programs),
        ("allow_programs", &settings.allow_programs),
    ] {
        for entry in list {
            let words: Vec<&str> = entry.split(' ').collect();
            if entry.trim().is_empty() {
                return Err(format!("{field}: a program name is empty"));
            }
            if words.len() > 2
                || words
                    .iter()
                    .any(|w| w.is_empty() || w.chars().any(char::is_whitespace))
            {
                return Err(format!(
                    "{field}: {entry:?} must be a program or a program and one subcommand, separated by one space"
                ));
            }
            if words[0].contains('/') {
                return Err(format!(
                    "{field}: {entry:?}: give the program's basename, not a path"
                ));
            }
        }
    }
    for entry in &settings.allow_programs {
        if settings.deny_programs.contains(entry) || settings.escalate_programs.contains(entry) {
            return Err(format!(
                "allow_programs: {entry:?} is also denied or escalated"
            ));
        }
    }
    for p in &settings.protected_paths {
        if p.trim().is_empty() {
            return Err("protected_paths: a path is empty".into());
        }
        if !(p.starts_with('/') || p == "~" || p.starts_with("~/")) {
            return Err(format!(
                "protected_paths: {p:?} must be absolute or start with ~/"
            ));
        }
    }
    for name in &settings.packs.disable {
        if Pack::from_name(name).is_none() {
            let known: Vec<&str> = Pack::ALL.iter().map(|p| p.name()).collect();
            return Err(format!(
                "packs.disable: unknown pack {name:?} (known: {})",
                known.join(", ")
            ));
        }
    }
    let mut ids: Vec<&str> = Vec::new();
    for rule in &settings.rules {
        let id = rule.id.as_str();
        let suffix = id.strip_prefix("custom.").unwrap_or("");
        if suffix.is_empty()
            || !suffix.chars().all(|ch| {
                ch.is_ascii_lowercase() || ch.is_ascii_digit() || matches!(ch, '-' | '.' | '_')
            })
        {
            return Err(format!(
                "rules: id {id:?} must be `custom.` followed by lowercase letters, digits, `-`, `_` or `.`"
            ));
        }
        if ids.contains(&id) || rules::is_builtin(id) {
            return Err(format!("rules: id {id:?} is used twice"));
        }
        ids.push(id);
        if rule.program.trim().is_empty()
            || rule.program.contains('/')
            || rule.program.chars().any(char::is_whitespace)
        {
            return Err(format!(
                "rules: {id}: program {:?} must be one basename, not a path",
                rule.program
            ));
        }
        if rule.args_contain.iter().any(|a| a.is_empty()) {
            return Err(format!("rules: {id}: an args_contain entry is empty"));
        }
        if rule.reason.trim().is_empty() {
            return Err(format!(
                "rules: {id}: reason is empty; say what would be lost and what to do instead"
            ));
        }
        match (rule.verdict, rule.risk) {
            (CustomVerdict::Deny, Some(_)) => {
                return Err(format!("rules: {id}: risk applies to escalations only"));
            }
            (_, Some(r)) if !(0.0..=1.0).contains(&r) => {
                return Err(format!("rules: {id}: risk {r} is not between 0 and 1"));
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clawlaw_sdk::shell;

    fn parse(json: &str) -> Result<Settings, String> {
        let s: Settings = serde_json::from_str(json).map_err(|e| e.to_string())?;
        validate(&s)?;
        Ok(s)
    }

    fn rule(args: &[&str]) -> CustomRule {
        CustomRule {
            id: "custom.x".into(),
            program: "tar".into(),
            args_contain: args.iter().map(|a| a.to_string()).collect(),
            verdict: CustomVerdict::Deny,
            risk: None,
            reason: "r".into(),
        }
    }

    #[test]
    fn packs_and_rules_are_validated() {
        let s = parse(r#"{"packs":{"disable":["database","git"]}}"#).unwrap();
        assert!(!s.pack_enabled(Pack::Database) && !s.pack_enabled(Pack::Git));
        assert!(s.pack_enabled(Pack::Cloud));
        assert!(parse(
            r#"{"rules":[{"id":"custom.a-1","program":"psql","verdict":"escalate","risk":0.9,"reason":"x"}]}"#
        )
        .is_ok());
        for bad in [
            r#"{"packs":{"disable":["databases"]}}"#,
            r#"{"packs":{"enable":["git"]}}"#,
            r#"{"rules":[{"id":"x","program":"psql","verdict":"deny","reason":"x"}]}"#,
            r#"{"rules":[{"id":"custom.","program":"psql","verdict":"deny","reason":"x"}]}"#,
            r#"{"rules":[{"id":"custom.A","program":"psql","verdict":"deny","reason":"x"}]}"#,
            r#"{"rules":[{"id":"custom.a","program":"/usr/bin/psql","verdict":"deny","reason":"x"}]}"#,
            r#"{"rules":[{"id":"custom.a","program":"psql","verdict":"deny","reason":" "}]}"#,
            r#"{"rules":[{"id":"custom.a","program":"psql","verdict":"block","reason":"x"}]}"#,
            r#"{"rules":[{"id":"custom.a","program":"psql","verdict":"deny","risk":0.5,"reason":"x"}]}"#,
            r#"{"rules":[{"id":"custom.a","program":"psql","verdict":"escalate","risk":2.0,"reason":"x"}]}"#,
            r#"{"rules":[{"id":"custom.a","program":"psql","args_contain":[""],"verdict":"deny","reason":"x"}]}"#,
            r#"{"rules":[{"id":"custom.a","program":"psql","verdict":"deny","reason":"x","extra":1}]}"#,
            r#"{"rules":[{"id":"custom.a","program":"a","verdict":"deny","reason":"x"},{"id":"custom.a","program":"b","verdict":"deny","reason":"x"}]}"#,
        ] {
            assert!(parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn custom_rules_match_options_and_words() {
        let c = |line: &str| shell::parse(line).commands.remove(0);
        assert!(rule(&["-x"]).matches(&c("tar -xzf a.tgz")));
        assert!(!rule(&["-x"]).matches(&c("tar -czf a.tgz .")));
        assert!(rule(&["--overwrite"]).matches(&c("tar --overwrite=yes -xf a")));
        assert!(rule(&["a.tgz", "-f"]).matches(&c("tar -xf a.tgz")));
        assert!(!rule(&["b.tgz"]).matches(&c("tar -xf a.tgz")));
        assert!(rule(&[]).matches(&c("tar")));
        assert!(!rule(&[]).matches(&c("gtar -xf a")));
    }
}
