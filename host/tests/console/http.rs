//! The console over plain HTTP: sign-in refusals, the cookie's attributes,
//! CSRF on cookie-authenticated POSTs, the security headers, sign-out, the
//! endpoints the console reads, and the four-eyes rule.

use std::time::Duration;

use serde_json::{Value, json};

use super::{CSP, escalate, gate, shell};
use crate::common::server::{ADMIN, AGENT, REVIEWER};

fn no_redirects() -> ureq::Agent {
    ureq::AgentBuilder::new()
        .redirects(0)
        .timeout(Duration::from_secs(30))
        .build()
}

fn call(r: Result<ureq::Response, ureq::Error>) -> ureq::Response {
    match r {
        Ok(r) | Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("request failed: {e}"),
    }
}

/// Signs in through the form; returns the `Set-Cookie` header and the response's status.
fn form_sign_in(url: &str, token: &str, origin: Option<&str>) -> (u16, Option<String>, String) {
    let mut req = no_redirects()
        .post(&format!("{url}/console/login"))
        .set("content-type", "application/x-www-form-urlencoded");
    if let Some(o) = origin {
        req = req.set("origin", o);
    }
    let resp = call(req.send_string(&format!("token={token}")));
    let cookie = resp.header("set-cookie").map(str::to_string);
    (resp.status(), cookie, resp.into_string().unwrap())
}

fn with_cookie(req: ureq::Request, cookie: &str) -> ureq::Request {
    req.set("cookie", cookie)
}

#[test]
fn the_console_cookie_needs_its_csrf_token_and_only_reviewers_sign_in() {
    let (server, _dir) = gate("");
    let url = server.url.as_str();

    // Every console response carries the security headers.
    let page = call(no_redirects().get(&format!("{url}/console/login")).call());
    assert_eq!(page.header("content-security-policy"), Some(CSP));
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(page.header("referrer-policy"), Some("no-referrer"));
    let unsigned = call(no_redirects().get(&format!("{url}/console")).call());
    assert_eq!(unsigned.status(), 303);
    assert_eq!(unsigned.header("location"), Some("/console/login"));
    assert_eq!(unsigned.header("content-security-policy"), Some(CSP));

    // Agents and unknown tokens cannot sign in; nor can another origin.
    let (status, cookie, body) = form_sign_in(url, AGENT, None);
    assert_eq!((status, cookie), (403, None));
    assert!(body.contains("agents cannot sign in"), "{body}");
    let (status, cookie, _) = form_sign_in(url, "not-a-token-at-all-0000", None);
    assert_eq!((status, cookie), (401, None));
    let (status, cookie, _) = form_sign_in(url, REVIEWER, Some("https://evil.example"));
    assert_eq!((status, cookie), (403, None));

    // A reviewer gets a session cookie (not the token) and a CSRF token.
    let (status, set_cookie, _) = form_sign_in(url, REVIEWER, None);
    assert_eq!(status, 303);
    let set_cookie = set_cookie.unwrap();
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set_cookie.contains(attr), "{set_cookie}");
    }
    assert!(!set_cookie.contains("Secure"), "plain HTTP: {set_cookie}");
    assert!(!set_cookie.contains(REVIEWER));
    let cookie = set_cookie.split(';').next().unwrap().to_string();
    let me: Value = with_cookie(
        no_redirects().get(&format!("{url}/console/session")),
        &cookie,
    )
    .call()
    .unwrap()
    .into_json()
    .unwrap();
    assert_eq!(me["name"], "alice");
    let csrf = me["csrf_token"].as_str().unwrap().to_string();

    let session = server.open_session(json!({"scope": {"roots": ["/work/app"]}}));
    let first = escalate(&server, &session, shell("sudo apt-get install -y jq"));
    let second = escalate(&server, &session, shell("sudo apt-get update"));

    // Reading with the cookie needs no CSRF token.
    let list = call(
        with_cookie(
            no_redirects().get(&format!("{url}/v1/reviews?status=pending")),
            &cookie,
        )
        .call(),
    );
    assert_eq!(list.status(), 200);
    // A POST with the cookie but without (or with a wrong) CSRF token is refused.
    let approve = |csrf: Option<&str>| {
        let mut req = with_cookie(
            no_redirects().post(&format!("{url}/v1/reviews/{first}/approve")),
            &cookie,
        )
        .set("content-type", "application/json");
        if let Some(t) = csrf {
            req = req.set("x-csrf-token", t);
        }
        let resp = call(req.send_string(r#"{"reason": "fine"}"#));
        (resp.status(), resp.into_json::<Value>().unwrap())
    };
    let (status, body) = approve(None);
    assert_eq!(status, 403, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("X-CSRF-Token"),
        "{body}"
    );
    assert_eq!(approve(Some("0".repeat(64).as_str())).0, 403);
    let (_, still) = server.get(&format!("/v1/reviews/{first}"), Some(REVIEWER));
    assert_eq!(still["status"], "pending", "nothing happened");
    let (status, body) = approve(Some(&csrf));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["decision"]["by"], "alice");
    // A bearer token needs no CSRF token.
    let (status, body) = server.post(
        &format!("/v1/reviews/{second}/deny"),
        Some(ADMIN),
        &json!({"reason": "not today"}),
    );
    assert_eq!(status, 200, "{body}");

    // The console's read endpoints: sessions, summary, chain verification.
    let (status, sessions) = server.get("/v1/sessions", Some(REVIEWER));
    assert_eq!(status, 200, "{sessions}");
    assert_eq!(sessions[0]["session_id"], session.as_str(), "newest first");
    assert_eq!(sessions[0]["escalations"], 2);
    let (status, summary) = server.get("/v1/summary", Some(REVIEWER));
    assert_eq!(status, 200, "{summary}");
    assert_eq!(summary["decisions"]["ESCALATE"], 2, "{summary}");
    assert_eq!(summary["reviews"]["pending"], 0, "{summary}");
    assert_eq!(summary["reviews"]["approved"], 1, "{summary}");
    assert_eq!(summary["reviews"]["denied"], 1, "{summary}");
    assert!(
        summary["latency_ms"]["mean"].as_f64().unwrap() > 0.0,
        "{summary}"
    );
    let (status, chain) = server.get("/v1/evidence/verify", Some(REVIEWER));
    assert_eq!(status, 200, "{chain}");
    assert_eq!(chain["ok"], true, "{chain}");
    assert!(
        chain["entries"].as_u64().unwrap() >= 5,
        "session, 2 actions, 2 reviews: {chain}"
    );
    for path in ["/v1/sessions", "/v1/summary", "/v1/evidence/verify"] {
        assert_eq!(server.get(path, Some(AGENT)).0, 403, "{path}");
        assert_eq!(server.get(path, None).0, 401, "{path}");
    }

    // Signing out ends the session.
    let out = call(
        with_cookie(
            no_redirects().post(&format!("{url}/console/logout")),
            &cookie,
        )
        .set("x-csrf-token", &csrf)
        .call(),
    );
    assert_eq!(out.status(), 204);
    assert!(out.header("set-cookie").unwrap().contains("Max-Age=0"));
    let gone = call(with_cookie(no_redirects().get(&format!("{url}/v1/reviews")), &cookie).call());
    assert_eq!(gone.status(), 401);
}

#[test]
fn four_eyes_refuses_an_approval_by_the_sessions_own_principal() {
    let (server, _dir) = gate("[review]\nfour_eyes = true\n");
    // The agent acts for alice, who is also a reviewer.
    let session =
        server.open_session(json!({"principal": "alice", "scope": {"roots": ["/work/app"]}}));
    let first = escalate(&server, &session, shell("sudo apt-get install -y jq"));
    let (status, body) = server.post(
        &format!("/v1/reviews/{first}/approve"),
        Some(REVIEWER),
        &json!({"reason": "my own session"}),
    );
    assert_eq!(
        status, 403,
        "[review] four_eyes is on, yet alice approved her own session ({body}); \
         is `gate.set_four_eyes(config.review.four_eyes)` in host/src/cli/serve.rs?"
    );
    assert!(
        body["error"].as_str().unwrap().contains("four-eyes"),
        "{body}"
    );
    let (_, still) = server.get(&format!("/v1/reviews/{first}"), Some(REVIEWER));
    assert_eq!(still["status"], "pending");
    // Another reviewer may approve; the principal may still deny.
    let (status, body) = server.post(
        &format!("/v1/reviews/{first}/approve"),
        Some(ADMIN),
        &json!({"reason": "second pair of eyes"}),
    );
    assert_eq!(status, 200, "{body}");
    let second = escalate(&server, &session, shell("sudo apt-get update"));
    let (status, body) = server.post(
        &format!("/v1/reviews/{second}/deny"),
        Some(REVIEWER),
        &json!({"reason": "no"}),
    );
    assert_eq!(status, 200, "{body}");

    // Without the rule, the principal may approve their own session.
    let (relaxed, _dir2) = gate("");
    let session =
        relaxed.open_session(json!({"principal": "alice", "scope": {"roots": ["/work/app"]}}));
    let review = escalate(&relaxed, &session, shell("sudo apt-get install -y jq"));
    let (status, body) = relaxed.post(
        &format!("/v1/reviews/{review}/approve"),
        Some(REVIEWER),
        &json!({"reason": "allowed without four eyes"}),
    );
    assert_eq!(status, 200, "{body}");
}

#[test]
fn under_tls_the_console_cookie_is_secure() {
    let dir = tempfile::tempdir().unwrap();
    let cert =
        rcgen::generate_simple_self_signed(vec!["localhost".to_string(), "127.0.0.1".to_string()])
            .unwrap();
    std::fs::write(dir.path().join("gate.crt"), cert.cert.pem()).unwrap();
    std::fs::write(
        dir.path().join("gate.key"),
        cert.signing_key.serialize_pem(),
    )
    .unwrap();
    let config = crate::common::server::config(
        dir.path(),
        "[server.tls]\ncert = \"gate.crt\"\nkey = \"gate.key\"\n",
    );
    let server = crate::common::server::Server::start(&config);
    let out = std::process::Command::new("curl")
        .args(["-sS", "-i", "--max-time", "10", "--cacert"])
        .arg(dir.path().join("gate.crt"))
        .args(["-d", &format!("token={REVIEWER}")])
        .arg(format!("{}/console/login", server.url))
        .output()
        .expect("curl is installed");
    let head = String::from_utf8_lossy(&out.stdout).to_lowercase();
    let cookie = head
        .lines()
        .find(|l| l.starts_with("set-cookie:"))
        .unwrap_or_else(|| panic!("no cookie: {head}"));
    for attr in ["httponly", "samesite=strict", "path=/", "secure"] {
        assert!(cookie.contains(attr), "{cookie}");
    }
}
