//! Test a policy natively, with plain `cargo test`, no WebAssembly involved.
//!
//! Cases live in a file that the gate can also run against the compiled
//! component (`clawlaw policy test`), so native and Wasm are held to the same
//! expectations. The file is TOML, YAML or JSON, chosen by its extension
//! (`.toml`, `.yaml`/`.yml`, `.json`), with one schema: a top-level
//! `settings` (optional) and a list `case` of cases. In TOML:
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
//! The same in YAML:
//!
//! ```yaml
//! settings: { roots: [/work/app] }
//! case:
//!   - name: cargo test is ordinary
//!     action: { kind: shell.exec, tool: Bash, command: cargo test, cwd: /work/app }
//!     expect: allow
//! ```
//!
//! In a policy crate: `clawlaw_sdk::testing::assert_cases::<MyPolicy>(include_str!("../cases.toml"))`
//! for TOML, or `assert_case_file::<MyPolicy>("cases.yaml", include_str!("../cases.yaml"))`
//! for any format (the name's extension picks it).
//!
//! [`render_table`] prints results as the pass/fail table `clawlaw policy test`
//! shows: one row per case (name, expected, got, rules, time), then each
//! failure explained, then one summary line ending in `N passed, N failed`.
//!
//! The harness consults a policy as the gate does: on an action of a kind
//! its [`Info`](crate::Info) does not declare ([`Info::judging`](crate::Info::judging)),
//! the answer is the gate's, an ALLOW the policy was not consulted for. And
//! it checks the declaration: it runs the policy anyway, and the case fails
//! unless the policy's own answer is that same neutral ALLOW
//! ([`check_not_consulted`]), so declaring kinds can never change a
//! decision. Likewise it hands the policy only the parts of the session
//! view it declares ([`Info::reading`](crate::Info::reading)), and a case
//! whose session holds others fails unless the whole session decides the
//! same ([`check_view`]).

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

use crate::{Action, ActionRequest, Decision, Policy, Session, Verdict};

/// A file of test cases.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseFile {
    /// Settings for every case that gives none of its own.
    #[serde(default)]
    pub settings: Option<serde_json::Value>,
    #[serde(rename = "case", alias = "cases", default)]
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

/// The formats a case file may be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Toml,
    Yaml,
    Json,
}

impl Format {
    /// The format a file name's extension names (`.toml`, `.yaml`, `.yml`,
    /// `.json`, any case); an error for anything else.
    pub fn from_path(path: &Path) -> Result<Format, String> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("toml") => Ok(Format::Toml),
            Some("yaml" | "yml") => Ok(Format::Yaml),
            Some("json") => Ok(Format::Json),
            _ => Err(format!(
                "{}: unknown case file format: the name must end in .toml, .yaml, .yml or .json",
                path.display()
            )),
        }
    }
}

impl CaseFile {
    /// Parses a TOML case file; the error names the line and the field.
    pub fn parse(text: &str) -> Result<CaseFile, String> {
        CaseFile::parse_as(text, Format::Toml)
    }

    /// Parses a case file in `format`; the error names where and which field.
    pub fn parse_as(text: &str, format: Format) -> Result<CaseFile, String> {
        let file: CaseFile = match format {
            Format::Toml => toml::from_str(text).map_err(|e| e.to_string())?,
            Format::Yaml => serde_norway::from_str(text).map_err(|e| e.to_string())?,
            Format::Json => serde_json::from_str(text).map_err(|e| e.to_string())?,
        };
        if file.cases.is_empty() {
            return Err("the case file has no cases (expected a list `case`)".into());
        }
        Ok(file)
    }

    /// Reads and parses a case file, in the format its extension names.
    pub fn load(path: &Path) -> Result<CaseFile, String> {
        let format = Format::from_path(path)?;
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        CaseFile::parse_as(&text, format).map_err(|e| format!("{}: {e}", path.display()))
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
    /// Every case's outcome, in file order, for [`render_table`].
    pub outcomes: Vec<Outcome>,
}

/// What one case came to: one row of the table.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub name: String,
    pub expected: Verdict,
    /// The verdict, or the fault that stopped the policy (`fault: ...`).
    pub got: Result<Verdict, String>,
    /// The rules the decision matched.
    pub rules: Vec<String>,
    /// The decision's reason (empty on a fault).
    pub reason: String,
    /// What differs from the case's expectations; `None` when it passed.
    pub problem: Option<String>,
    /// How long the evaluation took.
    pub elapsed: Duration,
}

/// The first label, counter or redaction kind of `d` that is not a name
/// ([`crate::is_name`]), quoted.
fn not_names(d: &Decision) -> Option<String> {
    d.labels
        .iter()
        .chain(d.counters.iter().map(|(c, _)| c))
        .chain(d.redactions.iter().map(|r| &r.kind))
        .find(|n| !crate::is_name(n))
        .map(|n| format!("{n:?}"))
}

impl Outcome {
    /// Checks a decision (or a fault) against `case` and records the row.
    pub fn of(case: &Case, decision: Result<&Decision, String>, elapsed: Duration) -> Outcome {
        let (got, rules, reason, problem) = match decision {
            Ok(d) => (
                Ok(d.verdict),
                d.rules.clone(),
                d.reason.clone(),
                // What the gate would refuse, as its engine does: the
                // component faults there, whatever the case expects.
                not_names(d)
                    .map(|bad| format!("the gate would refuse the decision: {bad} is not a name (1-64 of a-z, 0-9, `.`, `-`, `_`, `:`)"))
                    .or_else(|| case.check(d.verdict, &d.rules, &d.labels).err()),
            ),
            Err(fault) => {
                let problem = format!("expected {}, the policy faulted: {fault}", case.expect);
                (
                    Err(format!("fault: {fault}")),
                    Vec::new(),
                    String::new(),
                    Some(problem),
                )
            }
        };
        Outcome {
            name: case.name.clone(),
            expected: case.expect,
            got,
            rules,
            reason,
            problem,
            elapsed,
        }
    }

    pub fn passed(&self) -> bool {
        self.problem.is_none()
    }
}

/// Renders outcomes as `clawlaw policy test` prints them: a table with one
/// row per case, then every failure with what differed and the policy's
/// reason, then `N passed, N failed` as the last line.
pub fn render_table(outcomes: &[Outcome]) -> String {
    const NAME_MAX: usize = 60;
    let name_w = outcomes
        .iter()
        .map(|o| o.name.chars().count())
        .max()
        .unwrap_or(4)
        .clamp(4, NAME_MAX);
    let rules: Vec<String> = outcomes
        .iter()
        .map(|o| {
            if o.rules.is_empty() {
                "-".to_string()
            } else {
                o.rules.join(",")
            }
        })
        .collect();
    let rules_w = rules
        .iter()
        .map(|r| r.chars().count())
        .max()
        .unwrap_or(5)
        .clamp(5, 48);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "      {:name_w$}  {:8}  {:8}  {:rules_w$}  {:>9}",
        "case", "expected", "got", "rules", "time"
    );
    for (o, rules) in outcomes.iter().zip(&rules) {
        let got = match &o.got {
            Ok(v) => v.as_str().to_string(),
            Err(_) => "FAULT".to_string(),
        };
        let _ = writeln!(
            out,
            "{}  {:name_w$}  {:8}  {:8}  {:rules_w$}  {:>9}",
            if o.passed() { "PASS" } else { "FAIL" },
            clip(&o.name, name_w),
            o.expected.as_str(),
            got,
            clip(rules, rules_w),
            human(o.elapsed),
        );
    }
    let failures: Vec<&Outcome> = outcomes.iter().filter(|o| !o.passed()).collect();
    if !failures.is_empty() {
        out.push_str("\nfailures:\n");
        for o in &failures {
            let _ = writeln!(
                out,
                "FAIL  {}  {}",
                o.name,
                o.problem.as_deref().unwrap_or_default()
            );
            if !o.reason.is_empty() {
                let _ = writeln!(out, "      reason: {}", o.reason);
            }
        }
    }
    let total: Duration = outcomes.iter().map(|o| o.elapsed).sum();
    let _ = writeln!(
        out,
        "\n{} case{} in {}",
        outcomes.len(),
        if outcomes.len() == 1 { "" } else { "s" },
        human(total)
    );
    let _ = writeln!(
        out,
        "{} passed, {} failed",
        outcomes.len() - failures.len(),
        failures.len()
    );
    out
}

/// At most `width` characters of `s`, ending in `…` when cut.
fn clip(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        s.to_string()
    } else {
        let mut cut: String = s.chars().take(width.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

/// A duration as a person reads it: `41 µs`, `1.20 ms`, `2.31 s`.
pub fn human(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us < 1_000.0 {
        format!("{us:.0} µs")
    } else if us < 1_000_000.0 {
        format!("{:.2} ms", us / 1e3)
    } else {
        format!("{:.2} s", us / 1e6)
    }
}

/// Runs every case of a TOML case file natively against policy `P`.
pub fn run_cases<P: Policy>(case_file: &str) -> Result<Report, String> {
    run_cases_as::<P>(case_file, Format::Toml)
}

/// Runs every case of a case file in `format` natively against policy `P`.
pub fn run_cases_as<P: Policy>(case_file: &str, format: Format) -> Result<Report, String> {
    let file = CaseFile::parse_as(case_file, format)?;
    let info = crate::full_info::<P>();
    let mut report = Report::default();
    for case in &file.cases {
        let settings = file.settings_for(case);
        crate::validate_settings::<P>(&settings)
            .map_err(|e| format!("case {:?}: settings rejected: {e}", case.name))?;
        let (action, whole) = (case.action(), case.session());
        let session = info.session_parts.view(&whole);
        let started = std::time::Instant::now();
        let mut d: Decision = crate::evaluate_json::<P>(&settings, &action, &session);
        let elapsed = started.elapsed();
        let mut declared = Ok(());
        if !info.judges(&action.kind) {
            declared = check_not_consulted::<P>(&settings, &action, &session);
            d = not_consulted(&action.kind);
        } else if session != whole {
            declared = check_view::<P>(&settings, &action, &whole, &d);
        }
        let mut outcome = Outcome::of(case, Ok(&d), elapsed);
        if let Err(e) = declared {
            outcome.problem = Some(match outcome.problem.take() {
                Some(p) => format!("{p}; {e}"),
                None => e,
            });
        }
        match &outcome.problem {
            None => report.passed += 1,
            Some(e) => report.failed.push((case.name.clone(), e.clone(), d.reason)),
        }
        report.outcomes.push(outcome);
    }
    Ok(report)
}

/// Runs every case of a TOML case file and panics with the table when any fails.
pub fn assert_cases<P: Policy>(case_file: &str) {
    assert_cases_as::<P>(case_file, Format::Toml)
}

/// Runs every case of a case file named `name` (its extension picks the
/// format; only the name is used, the text is `text`) and panics with the
/// table when any fails:
/// `assert_case_file::<MyPolicy>("cases.yaml", include_str!("../cases.yaml"))`.
pub fn assert_case_file<P: Policy>(name: &str, text: &str) {
    let format = Format::from_path(Path::new(name)).unwrap_or_else(|e| panic!("{e}"));
    assert_cases_as::<P>(text, format)
}

fn assert_cases_as<P: Policy>(case_file: &str, format: Format) {
    let report = run_cases_as::<P>(case_file, format).unwrap_or_else(|e| panic!("case file: {e}"));
    if !report.failed.is_empty() {
        panic!(
            "{} of {} cases failed:\n{}",
            report.failed.len(),
            report.outcomes.len(),
            render_table(&report.outcomes)
        );
    }
    assert!(report.passed > 0, "the case file has no cases");
}

/// The gate's answer for an action of a kind a policy does not judge: the
/// policy is not consulted, which is an ALLOW with risk 0 and nothing else.
pub fn not_consulted(kind: &str) -> Decision {
    Decision {
        reason: format!("not consulted: the policy does not judge {kind} actions"),
        ..Decision::allow()
    }
}

/// Whether a decision is what not consulting the policy amounts to: ALLOW,
/// risk 0, no rules, labels, counters or redactions.
pub fn is_neutral(d: &Decision) -> bool {
    d.verdict == Verdict::Allow
        && d.risk == 0.0
        && d.rules.is_empty()
        && d.labels.is_empty()
        && d.counters.is_empty()
        && d.redactions.is_empty()
}

/// Checks that skipping `P` on `action` changes nothing: `Ok` when `P`
/// judges the action's kind (the gate consults it) or when its own answer
/// is neutral ([`is_neutral`]); else an error saying what the gate would
/// lose by not consulting it.
pub fn check_not_consulted<P: Policy>(
    settings: &str,
    action: &Action,
    session: &Session,
) -> Result<(), String> {
    let info = crate::full_info::<P>();
    if info.judges(&action.kind) {
        return Ok(());
    }
    let d = crate::evaluate_json::<P>(settings, action, session);
    if is_neutral(&d) {
        return Ok(());
    }
    Err(format!(
        "{} does not declare the kind {} (it judges {:?}) but answers it with {} \
         (risk {}, rules {:?}, labels {:?}, counters {:?}, {} redactions): {}",
        info.name,
        action.kind,
        info.kinds,
        d.verdict,
        d.risk,
        d.rules,
        d.labels,
        d.counters,
        d.redactions.len(),
        d.reason
    ))
}

/// Checks that handing `P` only the parts of the session view it declares
/// ([`crate::Info::reading`]) changes nothing: `Ok` when its decision
/// `on_view` (made on that view) is the one it makes on the `whole`
/// session; else an error naming the parts it was not handed.
pub fn check_view<P: Policy>(
    settings: &str,
    action: &Action,
    whole: &Session,
    on_view: &Decision,
) -> Result<(), String> {
    let d = crate::evaluate_json::<P>(settings, action, whole);
    if d == *on_view {
        return Ok(());
    }
    let info = crate::full_info::<P>();
    Err(format!(
        "{} answers {} (rules {:?}) on the whole session but {} (rules {:?}) on the view \
         the gate hands it: it reads a part of the session it does not declare (it is \
         handed none of: {})",
        info.name,
        d.verdict,
        d.rules,
        on_view.verdict,
        on_view.rules,
        crate::SessionParts::ALL
            .missing_from(info.session_parts)
            .join(", "),
    ))
}

/// Evaluates one action with default settings and an empty session.
pub fn eval<P: Policy>(action: &Action) -> Decision {
    crate::evaluate_json::<P>("{}", action, &Session::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOML: &str = r#"
settings = { max = 1 }

[[case]]
name = "a read"
action = { kind = "file.read", target = "/work/app/a.rs", input = { file_path = "/work/app/a.rs" } }
session = { intent = "fix a bug", labels = ["x"] }
expect = "allow"

[[case]]
name = "a write"
action = { kind = "file.write", target = "/etc/hosts" }
expect = "deny"
rules = ["fs.protected"]
"#;

    const YAML: &str = r#"
settings: { max: 1 }
case:
  - name: a read
    action:
      kind: file.read
      target: /work/app/a.rs
      input: { file_path: /work/app/a.rs }
    session: { intent: fix a bug, labels: [x] }
    expect: allow
  - name: a write
    action: { kind: file.write, target: /etc/hosts }
    expect: DENY
    rules: [fs.protected]
"#;

    const JSON: &str = r#"{
  "settings": {"max": 1},
  "case": [
    {"name": "a read",
     "action": {"kind": "file.read", "target": "/work/app/a.rs", "input": {"file_path": "/work/app/a.rs"}},
     "session": {"intent": "fix a bug", "labels": ["x"]},
     "expect": "allow"},
    {"name": "a write", "action": {"kind": "file.write", "target": "/etc/hosts"},
     "expect": "deny", "rules": ["fs.protected"]}
  ]
}"#;

    fn summary(f: &CaseFile) -> String {
        let cases: Vec<String> = f
            .cases
            .iter()
            .map(|c| {
                format!(
                    "{}|{:?}|{}|{:?}|{:?}|{:?}",
                    c.name,
                    c.action(),
                    c.expect,
                    c.rules,
                    c.session().intent,
                    c.session().labels
                )
            })
            .collect();
        format!("{:?} {}", f.settings, cases.join(";"))
    }

    #[test]
    fn toml_yaml_and_json_read_the_same_cases() {
        let toml = CaseFile::parse_as(TOML, Format::Toml).unwrap();
        let yaml = CaseFile::parse_as(YAML, Format::Yaml).unwrap();
        let json = CaseFile::parse_as(JSON, Format::Json).unwrap();
        assert_eq!(toml.cases.len(), 2);
        assert_eq!(summary(&toml), summary(&yaml));
        assert_eq!(summary(&toml), summary(&json));
        assert_eq!(
            yaml.cases[0].action().input,
            r#"{"file_path":"/work/app/a.rs"}"#
        );
    }

    #[test]
    fn a_decision_the_gate_would_refuse_fails_its_case() {
        let file = CaseFile::parse_as(TOML, Format::Toml).unwrap();
        let read = &file.cases[0];
        let labelled = |label: &str| Decision::allow().with_label(label);
        let ok = Outcome::of(read, Ok(&labelled("secret-read")), Duration::ZERO);
        assert_eq!(ok.problem, None);
        let bad = Outcome::of(read, Ok(&labelled("path:/work/app/a.rs")), Duration::ZERO);
        let problem = bad.problem.unwrap();
        assert!(problem.contains("the gate would refuse"), "{problem}");
        assert!(problem.contains("\"path:/work/app/a.rs\""), "{problem}");
    }

    #[test]
    fn the_extension_picks_the_format() {
        let f = |n: &str| Format::from_path(Path::new(n));
        assert_eq!(f("cases.toml"), Ok(Format::Toml));
        assert_eq!(f("a/cases.YAML"), Ok(Format::Yaml));
        assert_eq!(f("cases.yml"), Ok(Format::Yaml));
        assert_eq!(f("cases.json"), Ok(Format::Json));
        let err = f("cases.txt").unwrap_err();
        assert!(
            err.contains("must end in .toml, .yaml, .yml or .json"),
            "{err}"
        );
        assert!(f("cases").is_err());
    }

    #[test]
    fn malformed_case_files_are_refused_with_the_field_named() {
        let err = CaseFile::parse_as("case:\n  - name: x\n    expect: allow\n", Format::Yaml)
            .unwrap_err();
        assert!(err.contains("missing field `action`"), "{err}");
        let err = CaseFile::parse_as(
            "case:\n  - name: x\n    action: {kind: file.read}\n    expect: maybe\n",
            Format::Yaml,
        )
        .unwrap_err();
        assert!(err.contains("maybe"), "{err}");
        let err = CaseFile::parse_as(
            r#"{"case": [{"name": "x", "action": {"kind": "a", "bogus": 1}, "expect": "allow"}]}"#,
            Format::Json,
        )
        .unwrap_err();
        assert!(err.contains("bogus"), "{err}");
        let err = CaseFile::parse_as("settings: {}\n", Format::Yaml).unwrap_err();
        assert!(err.contains("no cases"), "{err}");
        assert!(CaseFile::parse_as("{", Format::Json).is_err());
    }

    #[test]
    fn the_table_shows_each_case_and_explains_failures() {
        let file = CaseFile::parse_as(YAML, Format::Yaml).unwrap();
        let allow = Decision::allow();
        let deny = Decision::deny("fs.other", "not this rule");
        let outcomes = vec![
            Outcome::of(&file.cases[0], Ok(&allow), Duration::from_micros(41)),
            Outcome::of(&file.cases[1], Ok(&deny), Duration::from_micros(1500)),
        ];
        assert!(outcomes[0].passed());
        assert!(!outcomes[1].passed());
        let table = render_table(&outcomes);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(
            lines[0].split_whitespace().collect::<Vec<_>>(),
            ["case", "expected", "got", "rules", "time"]
        );
        assert!(
            lines[1].starts_with("PASS  a read   ALLOW     ALLOW"),
            "{table}"
        );
        assert!(lines[1].ends_with("41 µs"), "{table}");
        assert!(
            lines[2].starts_with("FAIL  a write  DENY      DENY      fs.other"),
            "{table}"
        );
        assert!(table.contains("FAIL  a write  rule fs.protected did not match (matched: [\"fs.other\"])\n      reason: not this rule\n"), "{table}");
        assert!(table.contains("\n2 cases in 1.54 ms\n"), "{table}");
        assert!(table.ends_with("\n1 passed, 1 failed\n"), "{table}");

        let fault = Outcome::of(
            &file.cases[0],
            Err("deadline of 20 ms exceeded".into()),
            Duration::ZERO,
        );
        let table = render_table(&[fault]);
        assert!(table.contains("FAULT"), "{table}");
        assert!(
            table.contains("expected ALLOW, the policy faulted: deadline of 20 ms exceeded"),
            "{table}"
        );
    }

    struct DenyWrites;
    impl Policy for DenyWrites {
        type Settings = serde_json::Value;
        fn info() -> crate::Info {
            crate::Info::new("deny-writes", "0.1.0").rule("fs.protected", "no writes")
        }
        fn evaluate(_: &serde_json::Value, action: &Action, _: &Session) -> Decision {
            if action.kind == "file.write" {
                Decision::deny("fs.protected", "no writes")
            } else {
                Decision::allow()
            }
        }
    }

    #[test]
    fn native_cases_run_in_every_format() {
        assert_cases::<DenyWrites>(TOML);
        assert_case_file::<DenyWrites>("cases.yaml", YAML);
        assert_case_file::<DenyWrites>("cases.json", JSON);
        let report = run_cases_as::<DenyWrites>(
            &YAML.replace("expect: DENY", "expect: allow"),
            Format::Yaml,
        )
        .unwrap();
        assert_eq!(report.passed, 1);
        assert_eq!(report.failed.len(), 1);
        assert_eq!(report.failed[0].1, "expected ALLOW, got DENY");
    }

    /// Judges writes, and (wrongly, when it declares only writes) reads.
    struct Writes<const DECLARE_READS: bool>;
    impl<const DECLARE_READS: bool> Policy for Writes<DECLARE_READS> {
        type Settings = serde_json::Value;
        fn info() -> crate::Info {
            let kinds: &[&str] = if DECLARE_READS {
                &[crate::kinds::FILE_WRITE, crate::kinds::FILE_READ]
            } else {
                &[crate::kinds::FILE_WRITE]
            };
            crate::Info::new("writes", "0.1.0")
                .rule("fs.protected", "no writes")
                .judging(kinds)
        }
        fn evaluate(_: &serde_json::Value, action: &Action, _: &Session) -> Decision {
            match action.kind.as_str() {
                "file.write" => Decision::deny("fs.protected", "no writes"),
                "file.read" if action.target.as_deref() == Some("/etc/shadow") => {
                    Decision::allow().with_label("secret-read")
                }
                _ => Decision::allow(),
            }
        }
    }

    #[test]
    fn an_undeclared_kind_is_answered_without_the_policy_and_checked() {
        let cases = r#"
[[case]]
name = "a write"
action = { kind = "file.write", target = "/etc/hosts" }
expect = "deny"

[[case]]
name = "a shell command"
action = { kind = "shell.exec", command = "rm -rf /" }
expect = "allow"

[[case]]
name = "a read of a secret"
action = { kind = "file.read", target = "/etc/shadow" }
expect = "allow"
"#;
        // Declaring reads: every case passes as written.
        assert_cases::<Writes<true>>(cases);
        // Declaring only writes: the shell command is not consulted (and the
        // policy's own answer agrees), but skipping the read would lose its
        // label, so that case fails, saying so.
        let report = run_cases::<Writes<false>>(cases).unwrap();
        assert_eq!(report.passed, 2);
        let shell = &report.outcomes[1];
        assert_eq!(
            shell.reason,
            "not consulted: the policy does not judge shell.exec actions"
        );
        assert_eq!(report.failed.len(), 1);
        let (name, problem, _) = &report.failed[0];
        assert_eq!(name, "a read of a secret");
        assert!(
            problem.contains("does not declare the kind file.read")
                && problem.contains("labels [\"secret-read\"]"),
            "{problem}"
        );
        // A case may not expect the policy to judge a kind it does not.
        let report =
            run_cases::<Writes<false>>(&cases.replace("expect = \"allow\"", "expect = \"deny\""))
                .unwrap();
        assert!(
            report.failed.iter().any(
                |(n, p, _)| n == "a shell command" && p.starts_with("expected DENY, got ALLOW")
            ),
            "{:?}",
            report.failed
        );
    }

    /// Escalates a third request in a row; declares the recent actions it
    /// reads only when `DECLARE_RECENT`.
    struct Bursts<const DECLARE_RECENT: bool>;
    impl<const DECLARE_RECENT: bool> Policy for Bursts<DECLARE_RECENT> {
        type Settings = serde_json::Value;
        fn info() -> crate::Info {
            let parts: &[crate::SessionPart] = if DECLARE_RECENT {
                &[crate::SessionPart::Recent]
            } else {
                &[]
            };
            crate::Info::new("bursts", "0.1.0")
                .rule("net.burst", "a third request in a row")
                .reading(parts)
        }
        fn evaluate(_: &serde_json::Value, action: &Action, session: &Session) -> Decision {
            let requests = session.recent.iter().filter(|p| p.kind == action.kind);
            if action.kind == "net.request" && requests.count() >= 2 {
                return Decision::escalate("net.burst", "a third request in a row");
            }
            Decision::allow()
        }
    }

    #[test]
    fn a_case_is_judged_on_the_view_the_policy_declares() {
        let cases = r#"
[[case]]
name = "a third request"
action = { kind = "net.request", target = "https://example.com" }
session = { recent = [{ kind = "net.request", verdict = "allow" }, { kind = "net.request", verdict = "allow" }] }
expect = "escalate"

[[case]]
name = "a first request"
action = { kind = "net.request", target = "https://example.com" }
expect = "allow"
"#;
        assert_cases::<Bursts<true>>(cases);
        // Reading the recent actions without declaring them: the gate would
        // hand it none, so the third request is allowed, and the case says why.
        let report = run_cases::<Bursts<false>>(cases).unwrap();
        assert_eq!(report.passed, 1);
        let (name, problem, _) = &report.failed[0];
        assert_eq!(name, "a third request");
        assert!(
            problem.starts_with("expected ESCALATE, got ALLOW")
                && problem.contains(
                    "bursts answers ESCALATE (rules [\"net.burst\"]) on the whole session"
                )
                && problem.ends_with("(it is handed none of: labels, counters, recent)"),
            "{problem}"
        );
    }
}
