//! `clawlaw review watch`: the gate's review events (`GET
//! /v1/reviews/events`, Server-Sent Events) as one line each.
//!
//! At start, and whenever events may have been missed (the gate said
//! `resync`, or the connection dropped and came back), the pending reviews
//! are listed again; a review already printed is not printed twice. A
//! dropped connection is retried with exponential backoff; errors that
//! retrying cannot fix (no token, 401, 403) end the command.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Write};
use std::time::Duration;

use jiff::Timestamp;

use super::client::{ClientError, Gate};
use super::model::{EventKind, Review, ReviewEvent, Status};
use super::render;
use super::text::Style;

/// The gate sends a keep-alive every 15 s; silence this long means the
/// connection is dead.
const IDLE: Duration = Duration::from_secs(45);
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
const MAX_BACKOFF: Duration = Duration::from_secs(30);

pub struct Watch<'a> {
    pub gate: &'a Gate,
    pub style: Style,
    pub json: bool,
    /// Stop after this many events (opened or decided).
    pub count: Option<u64>,
}

/// One Server-Sent Event.
#[derive(Debug, Default)]
struct Sse {
    event: String,
    data: String,
}

impl Watch<'_> {
    /// Runs until `count` events were printed, or forever.
    pub fn run(&self) -> Result<(), ClientError> {
        let mut seen = Printed::default();
        let mut events = 0u64;
        let mut backoff = FIRST_BACKOFF;
        let mut connected_once = false;
        loop {
            let stream = match self.gate.stream("/v1/reviews/events", IDLE) {
                Ok(s) => s,
                // A gate that was never reached is a wrong URL or a gate
                // not started: say so rather than wait forever.
                Err(e @ ClientError::Unreachable { .. }) if connected_once => {
                    eprintln!("{e}; retrying in {}", super::text::duration(backoff));
                    std::thread::sleep(backoff);
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                    continue;
                }
                Err(e) => return Err(e),
            };
            connected_once = true;
            backoff = FIRST_BACKOFF;
            self.resync(&mut seen)?;
            // Said once what was pending is listed: a review opened after
            // this line arrives as an `opened` event, never as `pending`.
            eprintln!("watching reviews at {} (Ctrl-C to stop)", self.gate.url());
            let mut reader = BufReader::new(stream);
            let mut current = Sse::default();
            let mut line = String::new();
            loop {
                line.clear();
                match reader.read_line(&mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
                let l = line.trim_end_matches(['\n', '\r']);
                if !l.is_empty() {
                    field(&mut current, l);
                    continue;
                }
                let event = std::mem::take(&mut current);
                match event.event.as_str() {
                    "resync" => self.resync(&mut seen)?,
                    "review" => {
                        let e: ReviewEvent = serde_json::from_str(&event.data).map_err(|e| {
                            ClientError::Malformed {
                                what: "a review event".into(),
                                detail: e.to_string(),
                            }
                        })?;
                        if self.print_event(&e, &event.data, &mut seen) {
                            events += 1;
                            if self.count.is_some_and(|n| events >= n) {
                                return Ok(());
                            }
                        }
                    }
                    // Comments (keep-alives) and unknown events.
                    _ => {}
                }
            }
            eprintln!(
                "the connection to {} dropped; reconnecting",
                self.gate.url()
            );
        }
    }

    /// Lists the pending reviews not printed yet.
    fn resync(&self, seen: &mut Printed) -> Result<(), ClientError> {
        let (mut pending, raw): (Vec<Review>, serde_json::Value) =
            self.gate.get("/v1/reviews?status=pending")?;
        render::sort(&mut pending);
        let raws = raw.as_array().cloned().unwrap_or_default();
        for r in &pending {
            if seen.opened.insert(r.id.clone()) {
                let raw = raws.iter().find(|v| v["id"] == r.id.as_str());
                if self.json {
                    let event = serde_json::json!({"kind": "pending", "review": raw});
                    self.out(&event.to_string());
                } else {
                    self.out(&render::line(r, "pending", Timestamp::now(), self.style));
                }
            }
        }
        Ok(())
    }

    /// Prints an event unless it repeats one printed; true when printed.
    fn print_event(&self, e: &ReviewEvent, raw: &str, seen: &mut Printed) -> bool {
        let new = match e.kind {
            EventKind::Opened => seen.opened.insert(e.review.id.clone()),
            EventKind::Decided => {
                e.review.status != Status::Pending && seen.decided.insert(e.review.id.clone())
            }
        };
        if new {
            if self.json {
                self.out(raw);
            } else {
                self.out(&render::line(
                    &e.review,
                    "opened",
                    Timestamp::now(),
                    self.style,
                ));
            }
        }
        new
    }

    fn out(&self, line: &str) {
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "{line}");
        let _ = stdout.flush();
    }
}

#[derive(Default)]
struct Printed {
    opened: HashSet<String>,
    decided: HashSet<String>,
}

/// Folds one `field: value` line into the event being read.
fn field(event: &mut Sse, line: &str) {
    if line.starts_with(':') {
        return;
    }
    let (name, value) = line.split_once(':').unwrap_or((line, ""));
    let value = value.strip_prefix(' ').unwrap_or(value);
    match name {
        "event" => event.event = value.to_string(),
        "data" => {
            if !event.data.is_empty() {
                event.data.push('\n');
            }
            event.data.push_str(value);
        }
        _ => {}
    }
}
