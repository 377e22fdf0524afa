//! A policy as an author wrote one before `clawlaw:policy@0.2.0`: built with
//! wit-bindgen against the frozen 0.1.0 contract (`wit/0.1.0/`), without
//! the SDK, so its component is exactly what such an author has. The gate's
//! tests load it to prove old components still load and decide.
//!
//! It denies a `file.write` whose content holds `FORBIDDEN` (rule
//! `legacy.forbidden`, the reason quoting the first line that holds it),
//! escalates a `file.write` of a `*.conf` file (rule `legacy.config-write`:
//! a configuration change a person should see), and allows the rest.

#[cfg(target_arch = "wasm32")]
mod component {
    wit_bindgen::generate!({
        path: "../../wit/0.1.0",
        world: "policy",
    });

    use clawlaw::policy::types::{Rule, Verdict};

    struct Legacy;

    impl Guest for Legacy {
        fn info() -> Info {
            let rule = |id: &str, summary: &str| Rule {
                id: id.into(),
                summary: summary.into(),
            };
            Info {
                name: "legacy-policy".into(),
                version: "0.1.0".into(),
                rules: vec![
                    rule(
                        "legacy.forbidden",
                        "Deny writing content that holds FORBIDDEN",
                    ),
                    rule("legacy.config-write", "Escalate writing a *.conf file"),
                ],
            }
        }

        fn validate_settings(settings: String) -> Result<(), String> {
            match settings.trim() {
                "" | "{}" => Ok(()),
                other => Err(format!("takes no settings, got {other}")),
            }
        }

        fn evaluate(_settings: String, action: Action, _session: Session) -> Decision {
            let decide = |verdict, risk, rule: &str, reason: String| Decision {
                verdict,
                risk,
                reason,
                rules: vec![rule.into()],
                labels: Vec::new(),
                counters: vec![("legacy.seen".into(), 1)],
            };
            let content = action.content.as_deref().unwrap_or("");
            if action.kind == "file.write"
                && let Some(line) = content.lines().find(|l| l.contains("FORBIDDEN"))
            {
                log("legacy-policy: a forbidden write");
                return decide(
                    Verdict::Deny,
                    1.0,
                    "legacy.forbidden",
                    format!("the content holds a forbidden line: {line}"),
                );
            }
            let target = action.target.as_deref().unwrap_or("");
            if action.kind == "file.write" && target.ends_with(".conf") {
                return decide(
                    Verdict::Escalate,
                    0.5,
                    "legacy.config-write",
                    format!("writes the configuration file {target}"),
                );
            }
            Decision {
                verdict: Verdict::Allow,
                risk: 0.0,
                reason: "no rule matched".into(),
                rules: Vec::new(),
                labels: Vec::new(),
                counters: vec![("legacy.seen".into(), 1)],
            }
        }
    }

    export!(Legacy);
}
