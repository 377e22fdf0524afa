//! The console in a real browser: sign-in, the live queue, a review page,
//! an approval the agent's long-poll sees, hostile text rendered inert, the
//! other pages; and the README's screenshots.

use std::time::Duration;

use fantoccini::Locator;
use serde_json::{Value, json};

use super::browser::{Browser, connections, tripwire};
use super::{escalate, gate, shell};
use crate::common::server::{ADMIN, AGENT, REVIEWER};

#[test]
fn a_reviewer_approves_an_escalation_from_the_browser_and_hostile_text_stays_inert() {
    let (server, _dir) = gate("");
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let browser = Browser::start().await;
        let url = server.url.as_str();

        // An agent's token is refused, with a clear message.
        let refused = browser
            .sign_in(&format!("{url}/console/login"), AGENT)
            .await;
        assert!(
            refused
                .as_deref()
                .is_some_and(|m| m.contains("agents cannot sign in")),
            "{refused:?}"
        );
        assert!(browser.c().get_all_cookies().await.unwrap().is_empty());

        // A reviewer signs in, and lands on the page they were sent to; the
        // cookie is HttpOnly and SameSite=Strict.
        // (`/console/#/…` is the form of the links notifications carry.)
        let page = format!("{url}/console/#/sessions");
        assert_eq!(browser.sign_in(&page, REVIEWER).await, None);
        browser.drawn("#/sessions").await;
        assert_eq!(browser.text("#who").await, "alice (reviewer)");
        browser.wait_for("#sessions").await;
        assert_eq!(
            browser.c().current_url().await.unwrap().as_str(),
            format!("{url}/console#/sessions")
        );
        browser.open(&format!("{url}/console#/queue")).await;
        browser.wait_for("#queue").await;
        browser.wait_for("#live .badge-live").await;
        let cookies = browser.c().get_all_cookies().await.unwrap();
        let cookie = cookies
            .iter()
            .find(|c| c.name() == "clawlaw_console")
            .expect("the session cookie");
        assert_eq!(cookie.http_only(), Some(true));
        assert_eq!(
            cookie.same_site().map(|s| s.to_string()).as_deref(),
            Some("Strict")
        );
        assert_ne!(cookie.value(), REVIEWER, "the cookie is not the token");

        // Escalations made through the API appear without a reload.
        browser
            .c()
            .execute("window.notReloaded = true;", vec![])
            .await
            .unwrap();
        let session = server.open_session(json!({
            "intent": "set up the build tools",
            "scope": {"roots": ["/work/app"]},
            "principal": "bob",
        }));
        let (trap, trap_url) = tripwire();
        let hostile_command = format!(
            "sudo printf '%s' '<script>alert(1)</script><script src={trap_url}/s.js></script>'"
        );
        let hostile_content =
            format!("<img src={trap_url}/i.png onerror=alert(2)>\n<script>alert(3)</script>\n");
        let mut hostile = shell(&hostile_command);
        hostile["content"] = json!(hostile_content);
        let hostile_review = escalate(&server, &session, hostile);
        let review = escalate(&server, &session, shell("sudo apt-get install -y jq"));
        browser
            .wait_for(&format!("tr[data-review=\"{review}\"]"))
            .await;
        browser
            .wait_for(&format!("tr[data-review=\"{hostile_review}\"]"))
            .await;
        let still = browser
            .c()
            .execute("return window.notReloaded === true;", vec![])
            .await
            .unwrap();
        assert_eq!(still, json!(true), "the queue updated without a reload");
        let rows = browser
            .c()
            .find_all(Locator::Css("#queue-rows tr"))
            .await
            .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            rows[0].attr("data-review").await.unwrap().as_deref(),
            Some(hostile_review.as_str()),
            "oldest first"
        );
        let countdown = browser.text("#queue-rows tr td.countdown").await;
        assert!(
            countdown.ends_with('s') || countdown.ends_with('m'),
            "{countdown}"
        );
        browser.screenshot("console-queue.png").await;

        // The hostile review renders as text: no alert, no request out.
        browser.open(&format!("{url}/console#/reviews/{hostile_review}")).await;
        assert_eq!(browser.text("#command").await, hostile_command);
        let diff = browser.text("pre.diff").await;
        assert!(
            diff.contains(&format!("+ <img src={trap_url}/i.png onerror=alert(2)>")),
            "{diff}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
        let alert = browser.c().get_alert_text().await;
        assert!(
            alert.as_ref().is_err_and(|e| e.is_no_such_alert()),
            "a payload ran: {alert:?}"
        );
        let injected = browser
            .c()
            .execute(
                "return [document.querySelectorAll('img').length, document.scripts.length];",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(injected, json!([0, 1]), "only the console's own module");
        assert_eq!(
            connections(&trap),
            0,
            "the browser requested an attacker URL"
        );

        // The diff module, in the browser: removals before additions, and
        // each of a MultiEdit's edits.
        let diffed = browser
            .c()
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 import('/console/assets/diff.js').then((m) => done([
                   m.lineDiff('a\\nb\\nc', 'a\\nB\\nc\\nd').map((l) => l.op + l.text),
                   m.proposedEdits({kind: 'tool.call', input: {file_path: '/w/x.rs',
                     edits: [{old_string: 'x', new_string: 'y'}, {old_string: 'p', new_string: 'q'}]}})
                     .map((e) => e.before + '>' + e.after),
                 ]));",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(
            diffed,
            json!([[" a", "-b", "+B", " c", "+d"], ["x>y", "p>q"]])
        );

        // The review page, then the approval with a reason.
        browser.open(&format!("{url}/console#/reviews/{review}")).await;
        assert_eq!(browser.text("#command").await, "sudo apt-get install -y jq");
        assert!(
            browser.text("#policies").await.contains("shell-guard"),
            "every policy's verdict"
        );
        assert!(
            browser
                .text("main")
                .await
                .contains("set up the build tools")
        );
        browser.wait_for("#recent li").await;
        browser.c().set_window_size(1280, 1900).await.unwrap();
        browser.screenshot("console-review.png").await;
        browser.c().set_window_size(1280, 1000).await.unwrap();

        let waiter = {
            let url = server.url.clone();
            let review = review.clone();
            std::thread::spawn(move || {
                ureq::get(&format!("{url}/v1/reviews/{review}/wait?timeout_ms=30000"))
                    .set("authorization", &format!("Bearer {AGENT}"))
                    .call()
                    .unwrap()
                    .into_json::<Value>()
                    .unwrap()
            })
        };
        browser
            .wait_for("#decision-reason")
            .await
            .send_keys("jq is part of the declared build tooling")
            .await
            .unwrap();
        browser.wait_for("#approve").await.click().await.unwrap();
        browser.wait_for(".heading .badge-approved").await;
        let decided = waiter.join().unwrap();
        assert_eq!(decided["status"], "approved", "{decided}");
        assert_eq!(decided["decision"]["by"], "alice");
        assert_eq!(
            decided["decision"]["reason"],
            "jq is part of the declared build tooling"
        );
        // The decided review leaves the live queue.
        browser.open(&format!("{url}/console#/queue")).await;
        browser
            .wait_for(&format!("tr[data-review=\"{hostile_review}\"]"))
            .await;
        assert!(
            browser
                .c()
                .find(Locator::Css(&format!("tr[data-review=\"{review}\"]")))
                .await
                .is_err()
        );
        // Sessions, a session's timeline, an evidence record, the summary.
        browser.open(&format!("{url}/console#/sessions")).await;
        assert!(
            browser
                .text("#sessions tbody tr")
                .await
                .contains("set up the build tools")
        );
        browser.open(&format!("{url}/console#/session/{session}")).await;
        let timeline = browser.text("#timeline").await;
        assert!(
            timeline.contains("approved by alice: jq is part of the declared build tooling"),
            "{timeline}"
        );
        browser
            .wait_for("#timeline a[href^=\"#/evidence/\"]")
            .await
            .click()
            .await
            .unwrap();
        let record: Value = serde_json::from_str(&browser.text("#evidence").await).unwrap();
        assert_eq!(record["session_id"], session.as_str());
        browser.open(&format!("{url}/console#/summary")).await;
        browser.wait_for("#chain .badge-verified").await;
        assert_eq!(browser.text("#pending-count").await, "1");
        assert_eq!(connections(&trap), 0);

        // A review decided elsewhere (here by an admin over the API) shows
        // as decided on its open page, without a reload.
        browser.open(&format!("{url}/console#/reviews/{hostile_review}")).await;
        browser.wait_for("#approve").await;
        let (status, body) = server.post(
            &format!("/v1/reviews/{hostile_review}/deny"),
            Some(ADMIN),
            &json!({"reason": "hostile"}),
        );
        assert_eq!(status, 200, "{body}");
        browser.wait_for(".heading .badge-denied").await;

        // Signing out ends the session: back to the form, the cookie gone.
        browser.wait_for("#logout").await.click().await.unwrap();
        browser.wait_for("#login-form").await;
        assert!(browser.c().get_all_cookies().await.unwrap().is_empty());
        browser.stop().await;
    });
}
