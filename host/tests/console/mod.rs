//! The reviewers' web console, end to end: a real `clawlaw serve`, and a
//! real headless Chromium driven over WebDriver (Debian's `chromium` and
//! `chromium-driver`; without them the browser test fails and says which
//! packages to install). One browser session covers sign-in, the live
//! queue, approval and the inert rendering of hostile text; the cookie,
//! CSRF, header and four-eyes checks are plain HTTP.

mod browser;
mod http;
mod ui;

use crate::common::server::{Server, gate, shell};
use serde_json::Value;

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
     connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Evaluates `action` in `session` and returns its review's id (it must escalate).
fn escalate(server: &Server, session: &str, action: Value) -> String {
    let (status, answer) = server.evaluate(session, action);
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["evaluation"], "ESCALATE", "{answer}");
    answer["review_id"].as_str().unwrap().to_string()
}
