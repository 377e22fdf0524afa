//! How reviews look to a reviewer: the `list` table, the `show` page, and
//! the one-line form `watch` and `approve`/`deny` print.

use std::fmt::Write;

use jiff::Timestamp;
use serde_json::Value;

use super::diff::{self, Tag};
use super::model::{Record, Review, Session, Status};
use super::text::{self, Style, clean, one_line};

/// Content lines shown of a file write before eliding the rest.
const MAX_CONTENT_LINES: usize = 60;
/// The shortest abbreviated id.
const MIN_ID: usize = 8;
/// The narrowest the RULES and REASON columns get in a narrow terminal.
const MIN_RULES: usize = 12;
const MIN_REASON: usize = 20;

/// Pending reviews first, oldest (expiring soonest) on top; then the
/// others, newest first.
pub fn sort(reviews: &mut [Review]) {
    reviews.sort_by(|a, b| {
        let pending = |r: &Review| r.status != Status::Pending;
        pending(a).cmp(&pending(b)).then_with(|| {
            if a.status == Status::Pending {
                a.opened_at.cmp(&b.opened_at)
            } else {
                b.opened_at.cmp(&a.opened_at)
            }
        })
    })
}

/// The `list` table. `width` bounds each line (the reason is cut to fit);
/// `wide` shows full ids.
pub fn table(
    reviews: &[Review],
    all: &[Review],
    now: Timestamp,
    width: Option<usize>,
    wide: bool,
    style: Style,
) -> String {
    let ids = short_ids(reviews, all, wide, |r| &r.id);
    let sessions = short_ids(reviews, all, wide, |r| &r.session_id);
    let mut rows = vec![
        [
            "ID",
            "STATUS",
            "AGE",
            "EXPIRES IN",
            "SESSION",
            "RULES",
            "REASON",
        ]
        .map(str::to_string),
    ];
    for (i, r) in reviews.iter().enumerate() {
        let expires = if r.status == Status::Pending {
            text::duration(text::between(now, r.expires_at))
        } else {
            "-".into()
        };
        rows.push([
            ids[i].clone(),
            r.status.name().to_string(),
            text::duration(text::between(r.opened_at, now)),
            expires,
            sessions[i].clone(),
            one_line(&r.rules.join(",")),
            one_line(&r.reason),
        ]);
    }
    let mut widths = [0usize; 7];
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    // In a narrow terminal the rules give way first, down to a few
    // characters, so the reason keeps some room; then the reason is cut.
    if let Some(w) = width {
        let others: usize = widths[..5].iter().map(|w| w + 2).sum();
        let room = w.saturating_sub(others + 2 + MIN_REASON);
        widths[5] = widths[5].min(room.max(MIN_RULES));
    }
    let fixed: usize = widths[..6].iter().map(|w| w + 2).sum();
    let reason_width = width.map(|w| w.saturating_sub(fixed).max(MIN_REASON));
    let mut out = String::new();
    for (n, row) in rows.iter().enumerate() {
        let mut line = String::new();
        for (k, cell) in row.iter().enumerate() {
            let cell = match (k, reason_width) {
                (5, _) => text::truncate(cell, widths[5]),
                (6, Some(w)) => text::truncate(cell, w),
                _ => cell.clone(),
            };
            let pad = if k == 6 {
                String::new()
            } else {
                " ".repeat(widths[k] - cell.chars().count() + 2)
            };
            let cell = match (n, k) {
                (0, _) => style.bold(&cell),
                (_, 1) => style.verdict(&cell),
                (_, 0) => style.cyan(&cell),
                _ => cell,
            };
            let _ = write!(line, "{cell}{pad}");
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Abbreviated ids of `shown`, unique among `all` (or the full ids).
fn short_ids(
    shown: &[Review],
    all: &[Review],
    wide: bool,
    id: impl Fn(&Review) -> &String,
) -> Vec<String> {
    let ids: Vec<&str> = shown.iter().map(|r| id(r).as_str()).collect();
    if wide {
        return ids.iter().map(|s| s.to_string()).collect();
    }
    let mut known: Vec<&str> = all.iter().map(|r| id(r).as_str()).collect();
    known.extend(&ids);
    let short = text::abbreviations(&known, MIN_ID);
    let at = all.len();
    short[at..].to_vec()
}

/// One line for a review: `label` (`opened`, `pending`) and what it asks
/// while it is pending, its decision after.
pub fn line(r: &Review, label: &str, now: Timestamp, style: Style) -> String {
    let action = one_line(&summary(&r.proposed_action));
    match (&r.status, &r.decision) {
        (Status::Pending, _) | (_, None) => format!(
            "{} {}  {}  session {}  {}  — {} (expires in {})",
            style.yellow(&format!("{label:<8}")),
            style.cyan(&r.id),
            action,
            r.session_id,
            one_line(&r.rules.join(",")),
            one_line(&r.reason),
            text::duration(text::between(now, r.expires_at)),
        ),
        (status, Some(d)) => format!(
            "{} {}  by {}  {}  — {}",
            style.verdict(&format!("{:<8}", status.name())),
            style.cyan(&r.id),
            one_line(&d.by),
            action,
            one_line(&d.reason),
        ),
    }
}

/// What an action does, in a few words: `shell.exec: cargo test`.
fn summary(action: &Value) -> String {
    let field = |k: &str| action.get(k).and_then(Value::as_str);
    let kind = field("kind").unwrap_or("?");
    match field("command").or(field("target")).or(field("tool")) {
        Some(what) => format!("{kind}: {what}"),
        None => kind.to_string(),
    }
}

/// The `show` page: the review, its proposed action, and the session.
pub fn page(
    r: &Review,
    session: Option<&Session>,
    timeline: Option<&[Record]>,
    now: Timestamp,
    style: Style,
) -> String {
    let mut o = String::new();
    let status = match r.status {
        Status::Pending => format!(
            "{}, expires in {}",
            style.verdict("pending"),
            text::duration(text::between(now, r.expires_at))
        ),
        s => style.verdict(s.name()),
    };
    let _ = writeln!(
        o,
        "{} {}  ({status})",
        style.bold("review"),
        style.cyan(&r.id)
    );
    let field = |o: &mut String, name: &str, value: &str| {
        let _ = writeln!(o, "  {:<10} {value}", style.dim(name));
    };
    field(
        &mut o,
        "opened",
        &format!(
            "{} ({} ago)",
            r.opened_at,
            text::duration(text::between(r.opened_at, now))
        ),
    );
    field(&mut o, "rules", &one_line(&r.rules.join(", ")));
    field(&mut o, "reason", &one_line(&r.reason));
    field(&mut o, "policies", &r.policy_set);
    if let Some(d) = &r.decision {
        let what = if d.expired {
            "expired (nobody answered in time)".to_string()
        } else {
            format!("{} by {}", style.verdict(r.status.name()), one_line(&d.by))
        };
        field(&mut o, "decision", &format!("{what} at {}", d.at));
        if !d.reason.is_empty() {
            field(&mut o, "because", &one_line(&d.reason));
        }
        if let Some(until) = r.approval_valid_until {
            let used = if r.consumed { "used" } else { "not used yet" };
            field(&mut o, "approval", &format!("valid until {until}, {used}"));
        }
    }
    o.push('\n');
    action(&mut o, &r.action_id, &r.proposed_action, style);
    if let Some(s) = session {
        o.push('\n');
        session_part(&mut o, s, style);
        match timeline {
            Some(records) => recent_records(&mut o, records, &r.action_id, style),
            None => recent_summary(&mut o, s, style),
        }
    }
    o
}

fn action(o: &mut String, id: &str, a: &Value, style: Style) {
    let field = |k: &str| a.get(k).and_then(Value::as_str).map(clean);
    let _ = writeln!(
        o,
        "{} {}  {}",
        style.bold("action"),
        one_line(id),
        style.bold(&field("kind").unwrap_or_else(|| "?".into()))
    );
    for (name, key) in [("tool", "tool"), ("target", "target"), ("cwd", "cwd")] {
        if let Some(v) = field(key) {
            let _ = writeln!(o, "  {:<10} {}", style.dim(name), one_line(&v));
        }
    }
    if let Some(cmd) = field("command") {
        for (i, l) in cmd.lines().enumerate() {
            let prompt = if i == 0 { "$" } else { ">" };
            let _ = writeln!(o, "  {} {}", style.dim(prompt), clean(l));
        }
    }
    let input = a.get("input").unwrap_or(&Value::Null);
    let edits = edits(input);
    if !edits.is_empty() {
        for (old, new) in edits {
            let lines = diff::unified(old, new);
            if lines.is_empty() {
                let _ = writeln!(
                    o,
                    "  {}",
                    style.dim("(an edit whose old and new text are the same)")
                );
            }
            for l in lines {
                let _ = writeln!(
                    o,
                    "  {}",
                    match l {
                        diff::Line::Header(h) => style.cyan(&h),
                        diff::Line::Text(Tag::Same, t) => format!(" {}", clean(t)),
                        diff::Line::Text(Tag::Removed, t) => style.red(&format!("-{}", clean(t))),
                        diff::Line::Text(Tag::Added, t) => style.green(&format!("+{}", clean(t))),
                    }
                );
            }
        }
    } else if let Some(content) = field("content") {
        let lines: Vec<&str> = content.lines().collect();
        let _ = writeln!(
            o,
            "  {}",
            style.dim(&format!("content ({} lines):", lines.len()))
        );
        for l in lines.iter().take(MAX_CONTENT_LINES) {
            let _ = writeln!(o, "  {} {}", style.dim("|"), l);
        }
        if lines.len() > MAX_CONTENT_LINES {
            let more = lines.len() - MAX_CONTENT_LINES;
            let _ = writeln!(o, "  {}", style.dim(&format!("… {more} more lines")));
        }
    } else if field("command").is_none()
        && !input.is_null()
        && input != &Value::Object(Default::default())
    {
        let pretty = serde_json::to_string_pretty(input).unwrap_or_default();
        let _ = writeln!(o, "  {}", style.dim("input:"));
        for l in pretty.lines().take(MAX_CONTENT_LINES) {
            let _ = writeln!(o, "  {} {}", style.dim("|"), clean(l));
        }
    }
}

/// One edit's old and new text.
fn pair(v: &Value) -> Option<(&str, &str)> {
    let get = |keys: &[&str]| keys.iter().find_map(|k| v.get(*k).and_then(Value::as_str));
    Some((
        get(&["old_string", "oldText", "old_text"])?,
        get(&["new_string", "newText", "new_text"])?,
    ))
}

/// The old/new pairs of an edit's input: `old_string`/`new_string`
/// (Claude Code's Edit), `oldText`/`newText`, or a list of them in
/// `edits` (MultiEdit).
fn edits(input: &Value) -> Vec<(&str, &str)> {
    if let Some(p) = pair(input) {
        return vec![p];
    }
    input
        .get("edits")
        .and_then(Value::as_array)
        .map(|es| es.iter().filter_map(pair).collect())
        .unwrap_or_default()
}

fn session_part(o: &mut String, s: &Session, style: Style) {
    let d = &s.declaration;
    let _ = writeln!(o, "{} {}", style.bold("session"), one_line(&s.session_id));
    let field = |o: &mut String, name: &str, value: &str| {
        let _ = writeln!(o, "  {:<10} {value}", style.dim(name));
    };
    let or_none = |v: &[String]| {
        if v.is_empty() {
            "-".to_string()
        } else {
            one_line(&v.join(", "))
        }
    };
    field(
        o,
        "intent",
        &d.intent.as_deref().map_or("-".into(), one_line),
    );
    field(
        o,
        "principal",
        &d.principal.as_deref().map_or("-".into(), one_line),
    );
    field(o, "opened", &s.opened_at);
    field(
        o,
        "scope",
        &format!(
            "roots {}; hosts {}; tools {}",
            or_none(&d.scope.roots),
            or_none(&d.scope.hosts),
            or_none(&d.scope.tools)
        ),
    );
    field(o, "labels", &or_none(&s.labels));
    field(o, "risk", &format!("{:.2}", s.risk));
    field(o, "actions", &s.actions.to_string());
    field(o, "budgets", &budgets(s));
}

/// The last actions from the evidence: when, the verdict, what it did,
/// and a reviewer's answer; the reviewed action marked.
fn recent_records(o: &mut String, records: &[Record], reviewed: &str, style: Style) {
    if records.is_empty() {
        return;
    }
    let _ = writeln!(o, "  {}", style.dim("recent actions (oldest first):"));
    for rec in records {
        let time = rec.timestamp.get(11..19).unwrap_or(&rec.timestamp);
        let answer = rec.principal_review.as_ref().map_or(String::new(), |d| {
            let verb = match (d.expired, d.verdict.as_str()) {
                (true, _) => "expired",
                (false, "ALLOW") => "approved",
                _ => "denied",
            };
            format!("  ({verb} by {})", one_line(&d.by))
        });
        let this = if rec.action_id == reviewed {
            style.bold("  <- this review")
        } else {
            String::new()
        };
        let _ = writeln!(
            o,
            "    {}  {}  {}{answer}{this}",
            style.dim(time),
            style.verdict(&format!("{:<8}", one_line(&rec.evaluation))),
            one_line(&summary(&rec.proposed_action)),
        );
    }
}

/// The last actions as the session summary keeps them (kinds, targets
/// and verdicts), when the evidence cannot be read.
fn recent_summary(o: &mut String, s: &Session, style: Style) {
    if s.recent.is_empty() {
        return;
    }
    let _ = writeln!(o, "  {}", style.dim("recent actions (oldest first):"));
    for p in &s.recent {
        let labels = if p.labels.is_empty() {
            String::new()
        } else {
            format!("  [{}]", one_line(&p.labels.join(", ")))
        };
        let _ = writeln!(
            o,
            "    {}  {:<12} {}{labels}",
            style.verdict(&format!("{:<8}", p.verdict)),
            one_line(&p.kind),
            p.target.as_deref().map_or(String::new(), one_line),
        );
    }
}

/// `writes 1/5, bytes written 40/-, …` (`-`: no limit), and what crossing
/// one does.
fn budgets(s: &Session) -> String {
    let mut parts = Vec::new();
    for (key, label) in [
        ("max_actions", "actions"),
        ("max_writes", "writes"),
        ("max_bytes_written", "bytes written"),
        ("max_escalations", "escalations"),
    ] {
        let Some(entry) = s.budgets.get(key) else {
            continue;
        };
        let used = entry.get("used").and_then(Value::as_u64).unwrap_or(0);
        let max = entry
            .get("max")
            .and_then(Value::as_u64)
            .map_or("-".to_string(), |m| m.to_string());
        parts.push(format!("{label} {used}/{max}"));
    }
    if let Some(on) = s.budgets.get("on_exceed").and_then(Value::as_str) {
        parts.push(format!("on exceed: {}", one_line(on)));
    }
    if parts.is_empty() {
        "-".into()
    } else {
        parts.join(", ")
    }
}
