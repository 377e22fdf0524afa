//! Test a policy natively, with plain `cargo test`, no WebAssembly involved.
//!
//! Cases live in a TOML file that the gate can also run against the compiled
//! component (`clawlaw policy test`), so native and Wasm are held to the same
//! expectations:
//!
//! ```toml
//! settings = { roots = ["/work/app"] }   # optional, for every case
//!
//! [[case]]
//! name = "cargo test is ordinary"
//! action = { kind = "shell.exec", tool = "Bash", command = "cargo test", cwd = "/work/app" }
//! expect = "allow"
//!
//! [[case]]
//! name = "path traversal"
//! action = { kind = "file.read", target = "../../etc/passwd", cwd = "/work/app" }
//! session = { scope = ["/work/app"] }    # optional
//! settings = { roots = ["/work/app"] }   # optional, replaces the file's
//! expect = "deny"
//! rules = ["fs.outside-workspace"]       # each must be among the matched rules
//! labels = []                            # each must be among the labels set
//! ```
//!
//! In a policy crate: `clawlaw_sdk::testing::assert_cases::<MyPolicy>(include_str!("../cases.toml"))`.

use serde::Deserialize;

use crate::{Action, ActionRequest, Decision, Policy, Session, Verdict};

/// A file of test cases.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseFile {
    /// Settings for every case that gives none of its own.
    #[serde(default)]
    pub settings: Option<serde_json::Value>,
    #[serde(rename = "case", default)]
    pub cases: Vec<Case>,
}

/// One case: an action (and optionally a session and settings) and what the
/// policy must answer.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub name: String,
    /// The action, as JSON writes it (`input` a table).
    pub action: ActionRequest,
    #[serde(default)]
    pub session: Option<Session>,
    #[serde(default)]
    pub settings: Option<serde_json::Value>,
    pub expect: Verdict,
    /// Rules that must be among those the decision matched.
    #[serde(default)]
    pub rules: Vec<String>,
    /// Labels that must be among those the decision sets.
    #[serde(default)]
    pub labels: Vec<String>,
}

impl CaseFile {
    /// Parses a case file; the error names the line and the field.
    pub fn parse(text: &str) -> Result<CaseFile, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    /// Reads and parses a case file.
    pub fn load(path: &std::path::Path) -> Result<CaseFile, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        CaseFile::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// The settings a case runs with, as JSON text.
    pub fn settings_for(&self, case: &Case) -> String {
        match case.settings.as_ref().or(self.settings.as_ref()) {
            Some(v) => v.to_string(),
            None => "{}".into(),
        }
    }
}

impl Case {
    /// The case's action as the policy receives it.
    pub fn action(&self) -> Action {
        self.action.to_action(|| "case".into())
    }

    /// The case's session (a fresh, empty one when it gives none).
    pub fn session(&self) -> Session {
        self.session.clone().unwrap_or_default()
    }

    /// Checks a decision against the case's expectations.
    pub fn check(
        &self,
        verdict: Verdict,
        rules: &[String],
        labels: &[String],
    ) -> Result<(), String> {
        let mut problems = Vec::new();
        if verdict != self.expect {
            problems.push(format!("expected {}, got {}", self.expect, verdict));
        }
        for r in &self.rules {
            if !rules.contains(r) {
                problems.push(format!("rule {r} did not match (matched: {rules:?})"));
            }
        }
        for l in &self.labels {
            if !labels.contains(l) {
                problems.push(format!("label {l} was not set (set: {labels:?})"));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    }
}

/// The outcome of running a case file.
#[derive(Debug, Default)]
pub struct Report {
    pub passed: usize,
    /// `(case name, what went wrong, the decision's reason)`.
    pub failed: Vec<(String, String, String)>,
}

/// Runs every case of a case file natively against policy `P`.
pub fn run_cases<P: Policy>(case_file: &str) -> Result<Report, String> {
    let file = CaseFile::parse(case_file)?;
    let mut report = Report::default();
    for case in &file.cases {
        let settings = file.settings_for(case);
        crate::validate_settings::<P>(&settings)
            .map_err(|e| format!("case {:?}: settings rejected: {e}", case.name))?;
        let d: Decision = crate::evaluate_json::<P>(&settings, &case.action(), &case.session());
        match case.check(d.verdict, &d.rules, &d.labels) {
            Ok(()) => report.passed += 1,
            Err(e) => report.failed.push((case.name.clone(), e, d.reason)),
        }
    }
    Ok(report)
}

/// Runs every case and panics with a list of all that failed.
pub fn assert_cases<P: Policy>(case_file: &str) {
    let report = run_cases::<P>(case_file).unwrap_or_else(|e| panic!("case file: {e}"));
    if !report.failed.is_empty() {
        let mut msg = format!(
            "{} of {} cases failed:\n",
            report.failed.len(),
            report.failed.len() + report.passed
        );
        for (name, what, reason) in &report.failed {
            msg.push_str(&format!("  - {name}: {what} (reason: {reason})\n"));
        }
        panic!("{msg}");
    }
    assert!(report.passed > 0, "the case file has no cases");
}

/// Evaluates one action with default settings and an empty session.
pub fn eval<P: Policy>(action: &Action) -> Decision {
    crate::evaluate_json::<P>("{}", action, &Session::default())
}
