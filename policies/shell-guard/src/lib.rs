//! shell-guard: denies shell commands that destroy data, disks or the
//! system, run code fetched from the network or hidden in an encoding, or
//! fork-bomb; escalates privileged, persistent and otherwise risky ones, and
//! destructive commands of each domain through its packs (git, filesystem,
//! database, containers, kubernetes, cloud, iac, hosting, services) — judged on the
//! parsed command line, never by grepping it.
//!
//! This file owns the policy's entry points; the crate is laid out as:
//! [`settings`] (schema and validation), [`rules`] (the catalogue: core
//! rules and every pack's rules), `checker` (the state and findings every
//! check shares), `loc` (where paths point), `programs` (program families),
//! `exec`, `install`, `system`, `tool_settings` and `interp` (the core checks),
//! `given` (the text a command is given on its input or in a file the line wrote), `packs/*`
//! (one module per domain), `elsewhere` (the command `kubectl exec` or `ssh`
//! carries), `walk` (walking a line through all of them) and `tools` (tool
//! calls that delete what a service holds or run SQL).
//! The README below is the reference.
#![doc = include_str!("../README.md")]

use clawlaw_sdk::implied::Elsewhere;
use clawlaw_sdk::{Action, Decision, Info, Policy, Session, export_policy, kinds};

pub use rules::{Pack, PackRule};
pub use settings::{CustomRule, CustomVerdict, PackSettings, Settings};

/// The policy.
pub struct ShellGuard;

impl Policy for ShellGuard {
    type Settings = Settings;

    fn info() -> Info {
        rules::all()
            .fold(
                Info::new("shell-guard", env!("CARGO_PKG_VERSION")),
                |info, (id, summary)| info.rule(id, summary),
            )
            // `evaluate` allows every other kind outright; the export adds
            // the kinds that imply a command (`file.write` of a script),
            // which it judges through them.
            .judging(&[kinds::SHELL_EXEC, kinds::TOOL_CALL])
            .reading(&[])
    }

    fn validate(settings: &Settings) -> Result<(), String> {
        settings::validate(settings)
    }

    fn evaluate(settings: &Settings, action: &Action, _session: &Session) -> Decision {
        if action.kind == kinds::TOOL_CALL {
            return tools::judge(settings, action);
        }
        if action.kind != kinds::SHELL_EXEC {
            return Decision::allow();
        }
        let Some(line) = action
            .command
            .clone()
            .or_else(|| action.input_str("command"))
        else {
            return Decision::allow();
        };
        if line.trim().is_empty() {
            return Decision::allow();
        }
        let waived = match clawlaw_sdk::implied::runs_elsewhere(action) {
            Some(Elsewhere::Container) => checker::CONTAINER_WAIVED,
            Some(Elsewhere::Ci) => checker::CI_WAIVED,
            None => &[],
        };
        walk::judge(settings, action.cwd.as_deref(), &line, waived)
    }
}

export_policy!(ShellGuard);

mod changes;
mod checker;
mod defenses;
mod elsewhere;
mod exec;
mod exhaustion;
mod fed;
mod given;
mod install;
mod interp;
mod loc;
mod macos;
mod packs;
mod programs;
mod reverse_shell;
pub mod rules;
mod security_services;
pub mod settings;
mod system;
mod tool_settings;
mod tools;
mod trust;
mod verification;
mod walk;
mod windows;

#[cfg(test)]
mod tests {
    use super::*;
    use clawlaw_sdk::{Verdict, testing};

    #[test]
    fn cases() {
        testing::assert_cases::<ShellGuard>(include_str!("../cases.toml"));
    }

    fn eval(cmd: &str) -> Decision {
        testing::eval::<ShellGuard>(&Action::shell(cmd).in_dir("/work/app"))
    }

    #[test]
    fn every_reported_rule_is_declared() {
        let info = ShellGuard::info();
        let declared: Vec<&str> = info.rules.iter().map(|r| r.id.as_str()).collect();
        for (id, summary) in rules::all() {
            assert!(declared.contains(&id));
            assert!(!summary.is_empty());
        }
        let mut ids: Vec<&str> = rules::all().map(|(id, _)| id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), rules::all().count(), "rule ids are unique");
        for pack in Pack::ALL {
            assert!(!pack.rules().is_empty(), "{} has no rules", pack.name());
            for rule in pack.rules() {
                assert_eq!(rule.pack, pack, "{} is listed in the wrong pack", rule.id);
                let prefix = match pack {
                    Pack::Filesystem => "fs.",
                    Pack::Database => "db.",
                    Pack::Kubernetes => "k8s.",
                    _ => "",
                };
                assert!(
                    rule.id.starts_with(prefix)
                        && rule
                            .id
                            .starts_with(&format!("{}.", rule.id.split('.').next().unwrap())),
                    "{}",
                    rule.id
                );
                assert!(!rule.instead.is_empty() && (0.0..=1.0).contains(&rule.risk));
            }
        }
        let sources = [
            include_str!("checker.rs"),
            include_str!("walk.rs"),
            include_str!("exec.rs"),
            include_str!("install.rs"),
            include_str!("interp.rs"),
            include_str!("system.rs"),
            include_str!("packs/containers.rs"),
            include_str!("packs/filesystem.rs"),
            include_str!("packs/git.rs"),
            include_str!("packs/kubernetes.rs"),
            include_str!("packs/iac.rs"),
        ];
        for source in sources {
            for part in source.split("\"shell.").skip(1) {
                let id = format!("shell.{}", part.split('"').next().unwrap());
                if id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '.' || c == '-')
                    && id.len() > 6
                {
                    assert!(
                        declared.contains(&id.as_str()),
                        "{id} is reported but not declared"
                    );
                }
            }
        }
    }

    #[test]
    fn the_readme_documents_every_rule() {
        let readme = include_str!("../README.md");
        for (id, _) in rules::all() {
            assert!(
                readme.contains(&format!("`{id}`")),
                "README does not document {id}"
            );
        }
        for pack in Pack::ALL {
            assert!(readme.contains(&format!("`{}`", pack.name())));
        }
    }

    #[test]
    fn pack_reasons_say_what_is_lost_and_what_to_do_instead() {
        let d = eval("git reset --hard");
        assert_eq!(d.verdict, Verdict::Escalate);
        assert_eq!(
            d.reason,
            "`git reset --hard` discards uncommitted changes in the work tree and index; commit or `git stash` first, or use `git reset --keep`, which refuses to discard local changes (rule git.reset-hard)"
        );
        assert!((d.risk - 0.8).abs() < 1e-6);
        let d = eval("sudo redis-cli FLUSHALL");
        assert_eq!(d.verdict, Verdict::Deny);
        assert_eq!(d.rules[0], "db.flush");
        assert!(d.rules.contains(&"shell.privileged".to_string()));
        assert!(
            d.reason.contains("every key") && d.reason.contains("BGSAVE"),
            "{}",
            d.reason
        );
    }

    #[test]
    fn reasons_name_what_matched_and_the_rule() {
        let d = eval("rm -rf /");
        assert_eq!(d.verdict, Verdict::Deny);
        assert_eq!(
            d.reason,
            "`rm -rf /` would delete the root filesystem (rule shell.destructive)"
        );
        assert_eq!(d.risk, 1.0);
        let d = eval("sudo apt-get install -y jq");
        assert_eq!(d.verdict, Verdict::Escalate);
        assert!(
            d.reason.contains("sudo apt-get install -y jq"),
            "{}",
            d.reason
        );
        assert!((0.5..=0.8).contains(&d.risk));
        assert!(d.rules.contains(&"shell.privileged".to_string()));
        assert!(d.rules.contains(&"shell.package-install".to_string()));
        let d = eval("cargo test");
        assert_eq!((d.verdict, d.risk), (Verdict::Allow, 0.0));
    }

    #[test]
    fn only_shell_exec_is_judged_and_input_is_a_fallback() {
        let mut a = Action::new(kinds::FILE_WRITE);
        a.command = Some("rm -rf /".into());
        assert_eq!(testing::eval::<ShellGuard>(&a).verdict, Verdict::Allow);
        let mut a = Action::new(kinds::SHELL_EXEC);
        a.input = r#"{"command":"rm -rf ~"}"#.into();
        assert_eq!(testing::eval::<ShellGuard>(&a).verdict, Verdict::Deny);
        let a = Action::new(kinds::SHELL_EXEC);
        assert_eq!(testing::eval::<ShellGuard>(&a).verdict, Verdict::Allow);
    }

    #[test]
    fn settings_are_validated() {
        let ok = |json: &str| clawlaw_sdk::validate_settings::<ShellGuard>(json);
        assert!(ok("{}").is_ok());
        assert!(ok(r#"{"deny_programs":["terraform","aws s3"],"allow_programs":["pip install"],"protected_paths":["/data","~/work"]}"#).is_ok());
        for bad in [
            r#"{"deny_programs":[""]}"#,
            r#"{"escalate_programs":["  "]}"#,
            r#"{"allow_programs":["a b c"]}"#,
            r#"{"allow_programs":["pip  install"]}"#,
            r#"{"deny_programs":["/usr/bin/rm"]}"#,
            r#"{"deny_programs":["x"],"allow_programs":["x"]}"#,
            r#"{"protected_paths":["data"]}"#,
            r#"{"protected_paths":[""]}"#,
            r#"{"deny_program":["x"]}"#,
            r#"{"deny_unparseable":"yes"}"#,
        ] {
            assert!(ok(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn hostile_lines_are_decided_quickly() {
        for line in [
            "(".repeat(10_000),
            format!("{}rm -rf /", "$(".repeat(5000)),
            "a|".repeat(100_000),
            "sh|".repeat(5000),
            format!("curl x | {}", "(".repeat(100)),
            "x ".repeat(1 << 19),
            format!("{}bomb", "f(){ f|f& };".repeat(2000)),
        ] {
            let d = eval(&line);
            assert_ne!(d.verdict, Verdict::Allow, "{}", &line[..20]);
        }
    }
}
