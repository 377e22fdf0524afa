//! The demo session: replays a recorded development session (a JSON Lines
//! script, `examples/demo/session.jsonl`) against a running gate over HTTP,
//! as an agent and a reviewer would, and summarises what the gate did.
//!
//! `cargo xtask demo` runs it against a gate it starts; the host's
//! `tests/demo.rs` compiles this same file (`#[path]`) and runs the same
//! script against a test gate, so the demo cannot rot.
//!
//! The script: one JSON object per line (blank lines and `#` lines skipped).
//! The first opens the session, `{"session": {intent, scope, budgets}}`;
//! every other line is one action:
//!
//! ```json
//! {"action": {"kind": "shell.exec", "command": "sudo apt-get install -y jq", ...},
//!  "expect": "ESCALATE",                                  // what the script expects
//!  "prompt": "...",                                       // optional: the user's prompt
//!  "review": {"decision": "approve", "reason": "..."},    // optional: a reviewer answers
//!  "outcome": {"exit_code": 0},                           // optional: reported if it may run
//!  "note": "..."}                                         // optional: for the reader
//! ```

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The tokens the replay acts with.
pub struct Tokens {
    pub agent: String,
    pub reviewer: String,
}

/// One replayed action and what the gate answered.
pub struct Step {
    pub action_id: String,
    /// `kind target-or-command`, for people.
    pub what: String,
    pub expected: Option<String>,
    pub got: String,
    pub reason: String,
    /// `approved: why` / `denied: why` / `pending` for an ESCALATE.
    pub review: Option<String>,
}

/// Everything a replay did.
pub struct Replay {
    pub gate: String,
    pub session_id: String,
    pub steps: Vec<Step>,
    /// The gate's own decision time per action (`latency_ms`).
    pub decide_ms: Vec<f64>,
    /// Request to answer, measured here (includes the durable evidence write).
    pub round_trip_ms: Vec<f64>,
    pub outcomes_reported: usize,
    pub elapsed: Duration,
}

impl Replay {
    /// How many actions the gate answered with `verdict`.
    pub fn count(&self, verdict: &str) -> usize {
        self.steps.iter().filter(|s| s.got == verdict).count()
    }

    /// The actions whose answer differs from the script's `expect`.
    pub fn unexpected(&self) -> Vec<&Step> {
        self.steps
            .iter()
            .filter(|s| s.expected.as_ref().is_some_and(|e| *e != s.got))
            .collect()
    }
}

const KEYS: &[&str] = &["action", "expect", "prompt", "review", "outcome", "note"];
const TIMEOUT: Duration = Duration::from_secs(30);

/// Replays `script` against the gate at `gate`.
pub fn replay(gate: &str, tokens: &Tokens, script: &str) -> Result<Replay, String> {
    replay_across(&[gate], tokens, script)
}

/// The same, each request sent to the next of `gates` in turn (replicas
/// sharing one store): the session opened on one, each action decided,
/// reviewed, waited on and reported on others.
pub fn replay_across(gates: &[&str], tokens: &Tokens, script: &str) -> Result<Replay, String> {
    let started = Instant::now();
    let mut turn = 0usize;
    let mut next = || {
        turn += 1;
        gates[(turn - 1) % gates.len()]
    };
    let gate = gates.first().ok_or("no gate to replay against")?;
    let mut lines = script
        .lines()
        .enumerate()
        .map(|(n, l)| (n + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'));
    let (n, first) = lines.next().ok_or("the session script is empty")?;
    let first: Value = serde_json::from_str(first).map_err(|e| format!("line {n}: {e}"))?;
    let declaration = first.get("session").ok_or(format!(
        "line {n}: the first line must open the session: {{\"session\": {{...}}}}"
    ))?;
    let (status, body) = post(next(), "/v1/sessions", &tokens.agent, declaration)?;
    if status != 201 {
        return Err(format!("line {n}: opening the session: {status} {body}"));
    }
    let session_id = body["session_id"]
        .as_str()
        .ok_or(format!("line {n}: no session_id in {body}"))?
        .to_string();
    let mut replay = Replay {
        gate: gate.to_string(),
        session_id: session_id.clone(),
        steps: Vec::new(),
        decide_ms: Vec::new(),
        round_trip_ms: Vec::new(),
        outcomes_reported: 0,
        elapsed: Duration::ZERO,
    };
    for (n, line) in lines {
        let step: Value = serde_json::from_str(line).map_err(|e| format!("line {n}: {e}"))?;
        let obj = step
            .as_object()
            .ok_or(format!("line {n}: not a JSON object"))?;
        if let Some(k) = obj.keys().find(|k| !KEYS.contains(&k.as_str())) {
            return Err(format!("line {n}: unknown field {k:?} (known: {KEYS:?})"));
        }
        let action = step
            .get("action")
            .ok_or(format!("line {n}: no \"action\""))?;
        let mut request = json!({ "action": action });
        if let Some(p) = step.get("prompt") {
            request["prompt"] = p.clone();
        }
        let sent = Instant::now();
        let (status, answer) = post(
            next(),
            &format!("/v1/sessions/{session_id}/actions"),
            &tokens.agent,
            &request,
        )?;
        replay
            .round_trip_ms
            .push(sent.elapsed().as_secs_f64() * 1e3);
        let got = answer["evaluation"]
            .as_str()
            .ok_or(format!("line {n}: {status}: no evaluation in {answer}"))?
            .to_string();
        if let Some(ms) = answer["latency_ms"].as_f64() {
            replay.decide_ms.push(ms);
        }
        let action_id = answer["action_id"]
            .as_str()
            .or(action["id"].as_str())
            .unwrap_or("?")
            .to_string();
        let mut may_run = got == "ALLOW";
        let mut review = None;
        if got == "ESCALATE" {
            review = Some("pending".to_string());
            if let Some(r) = step.get("review") {
                let id = answer["review_id"]
                    .as_str()
                    .ok_or(format!("line {n}: an ESCALATE with no review_id: {answer}"))?;
                let decision = r["decision"].as_str().unwrap_or_default();
                if decision != "approve" && decision != "deny" {
                    return Err(format!(
                        "line {n}: review.decision must be \"approve\" or \"deny\""
                    ));
                }
                let reason = r["reason"].as_str().unwrap_or_default();
                let (s, b) = post(
                    next(),
                    &format!("/v1/reviews/{id}/{decision}"),
                    &tokens.reviewer,
                    &json!({ "reason": reason }),
                )?;
                if s != 200 {
                    return Err(format!("line {n}: {decision} review {id}: {s} {b}"));
                }
                // The agent's long-poll returns at once: the review is decided.
                let (s, b) = get(
                    next(),
                    &format!("/v1/reviews/{id}/wait?timeout_ms=10000"),
                    &tokens.agent,
                )?;
                let status = b["status"].as_str().unwrap_or_default().to_string();
                if s != 200 || status == "pending" {
                    return Err(format!("line {n}: waiting on review {id}: {s} {b}"));
                }
                may_run = status == "approved";
                review = Some(format!("{status}: {reason}"));
            }
        }
        if may_run && let Some(outcome) = step.get("outcome") {
            let (s, b) = post(
                next(),
                &format!("/v1/sessions/{session_id}/actions/{action_id}/outcome"),
                &tokens.agent,
                outcome,
            )?;
            if s != 204 && s != 200 {
                return Err(format!("line {n}: reporting the outcome: {s} {b}"));
            }
            replay.outcomes_reported += 1;
        }
        replay.steps.push(Step {
            action_id,
            what: describe(action),
            expected: step["expect"].as_str().map(str::to_uppercase),
            got,
            reason: answer["reason"].as_str().unwrap_or_default().to_string(),
            review,
        });
    }
    replay.elapsed = started.elapsed();
    Ok(replay)
}

/// `kind target` or `kind command`, at most 44 characters.
fn describe(action: &Value) -> String {
    let kind = action["kind"].as_str().unwrap_or("?");
    let what = action["command"]
        .as_str()
        .or(action["target"].as_str())
        .unwrap_or("");
    let text = format!("{kind} {what}");
    if text.chars().count() > 44 {
        text.chars().take(43).collect::<String>() + "…"
    } else {
        text
    }
}

/// The value at quantile `q` of `xs` (nearest rank).
pub fn percentile(xs: &[f64], q: f64) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    let rank = ((v.len() as f64 * q).ceil() as usize).clamp(1, v.len());
    v[rank - 1]
}

/// The summary a person reads after the demo.
pub fn render(replay: &Replay, evidence: &Path, verify: &str) -> String {
    let mut out = String::new();
    let total = replay.steps.len();
    let _ = writeln!(
        out,
        "clawlaw demo: {total} actions of one development session, replayed against {} in {:.1} s\n",
        replay.gate,
        replay.elapsed.as_secs_f64()
    );
    let _ = writeln!(out, "evaluations");
    for verdict in ["ALLOW", "DENY", "ESCALATE"] {
        let n = replay.count(verdict);
        let extra = if verdict == "ESCALATE" && n > 0 {
            let approved = replay
                .steps
                .iter()
                .filter(|s| {
                    s.review
                        .as_deref()
                        .is_some_and(|r| r.starts_with("approved"))
                })
                .count();
            format!("   ({approved} approved by a reviewer)")
        } else {
            String::new()
        };
        let _ = writeln!(out, "  {verdict:<9} {n:>4}{extra}");
    }
    let unexpected = replay.unexpected();
    let _ = writeln!(
        out,
        "  as the script expected: {} of {total}; outcomes reported: {}",
        total - unexpected.len(),
        replay.outcomes_reported
    );
    for s in &unexpected {
        let _ = writeln!(
            out,
            "  UNEXPECTED {} {}: expected {}, got {} ({})",
            s.action_id,
            s.what,
            s.expected.as_deref().unwrap_or("-"),
            s.got,
            s.reason
        );
    }
    for (title, verdict) in [("denials", "DENY"), ("escalations", "ESCALATE")] {
        let _ = writeln!(out, "\n{title}");
        for s in replay.steps.iter().filter(|s| s.got == verdict) {
            let _ = writeln!(out, "  {}  {}\n        {}", s.action_id, s.what, s.reason);
            if let Some(r) = &s.review {
                let _ = writeln!(out, "        review: {r}");
            }
        }
    }
    let _ = writeln!(
        out,
        "\nlatency over {total} actions      p50       p95       p99       max"
    );
    for (name, xs) in [
        ("decision (gate's latency_ms)", &replay.decide_ms),
        ("round trip (HTTP, fsync)", &replay.round_trip_ms),
    ] {
        let _ = writeln!(
            out,
            "  {name:<28} {:>6.2} ms {:>6.2} ms {:>6.2} ms {:>6.2} ms",
            percentile(xs, 0.50),
            percentile(xs, 0.95),
            percentile(xs, 0.99),
            percentile(xs, 1.0)
        );
    }
    let _ = writeln!(out, "\nsession:      {}", replay.session_id);
    let _ = writeln!(out, "evidence log: {}", evidence.display());
    let _ = writeln!(
        out,
        "clawlaw evidence verify {}:\n  {}",
        evidence.display(),
        verify.trim().replace('\n', "\n  ")
    );
    out
}

fn post(gate: &str, path: &str, token: &str, body: &Value) -> Result<(u16, Value), String> {
    let req = ureq::post(&format!("{gate}{path}"))
        .timeout(TIMEOUT)
        .set("authorization", &format!("Bearer {token}"))
        .set("content-type", "application/json");
    answer(path, req.send_string(&body.to_string()))
}

fn get(gate: &str, path: &str, token: &str) -> Result<(u16, Value), String> {
    let req = ureq::get(&format!("{gate}{path}"))
        .timeout(TIMEOUT)
        .set("authorization", &format!("Bearer {token}"));
    answer(path, req.call())
}

fn answer(path: &str, r: Result<ureq::Response, ureq::Error>) -> Result<(u16, Value), String> {
    let resp = match r {
        Ok(resp) => resp,
        Err(ureq::Error::Status(_, resp)) => resp,
        Err(e) => return Err(format!("{path}: {e}")),
    };
    let status = resp.status();
    let text = resp.into_string().map_err(|e| format!("{path}: {e}"))?;
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    Ok((status, body))
}
