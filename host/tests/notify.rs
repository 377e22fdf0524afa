//! Review notifications end to end: a real `clawlaw serve` escalates real
//! actions and POSTs to receivers running in this test on loopback — both
//! body shapes, retries, answers that are final, and receivers that are
//! dead or never answer while decisions keep their pace.

use crate::common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::server::{AGENT, REVIEWER, Server, config, gate, gate_with_env, shell};
use serde_json::{Value, json};

/// How a receiver answers.
#[derive(Clone, Copy)]
enum Behaviour {
    /// 200 to every request.
    Ok,
    /// 500 to the first `n` requests, then 200.
    FailFirst(usize),
    /// This status to every request.
    Status(u16),
    /// Reads the request, then never answers (until the receiver is dropped).
    Hang,
}

/// One request as the receiver read it.
#[derive(Debug, Clone)]
struct Request {
    at: Instant,
    path: String,
    /// Lower-cased names.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

/// An HTTP receiver on a loopback port, its threads gone soon after it is dropped.
struct Receiver {
    port: u16,
    requests: Arc<Mutex<Vec<Request>>>,
    stop: Arc<AtomicBool>,
}

impl Receiver {
    fn start(behaviour: Behaviour) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let served = Arc::new(AtomicUsize::new(0));
        let (log, halt) = (requests.clone(), stop.clone());
        std::thread::spawn(move || {
            while !halt.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let (log, halt, served) = (log.clone(), halt.clone(), served.clone());
                        std::thread::spawn(move || serve(stream, behaviour, &log, &halt, &served));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Receiver {
            port,
            requests,
            stop,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }

    /// Waits until `n` requests arrived (at most `within`), returns them all.
    fn wait_for(&self, n: usize, within: Duration) -> Vec<Request> {
        let deadline = Instant::now() + within;
        loop {
            let got = self.requests();
            if got.len() >= n || Instant::now() > deadline {
                return got;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Reads one request from `stream`, records it and answers as `behaviour` says.
fn serve(
    stream: TcpStream,
    behaviour: Behaviour,
    log: &Mutex<Vec<Request>>,
    halt: &AtomicBool,
    served: &AtomicUsize,
) {
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = h.split_once(':') {
            headers.push((name.trim().to_lowercase(), value.trim().to_string()));
        }
    }
    let length = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    log.lock().unwrap().push(Request {
        at: Instant::now(),
        path,
        headers,
        body,
    });
    let nth = served.fetch_add(1, Ordering::SeqCst);
    let status = match behaviour {
        Behaviour::Ok => 200,
        Behaviour::FailFirst(n) if nth < n => 500,
        Behaviour::FailFirst(_) => 200,
        Behaviour::Status(s) => s,
        Behaviour::Hang => {
            while !halt.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(20));
            }
            return;
        }
    };
    let mut stream = stream;
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
    );
}

/// A port nobody listens on.
fn refused_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn webhook(name: &str, url: &str, format: &str, extra: &str) -> String {
    format!(
        "[[notify.webhook]]\nname = \"{name}\"\nurl = \"{url}\"\nformat = \"{format}\"\n{extra}\n"
    )
}

/// Escalates `cmd` in `session`; returns the review id.
fn escalate(server: &Server, session: &str, cmd: &str) -> String {
    let (status, answer) = server.evaluate(session, shell(cmd));
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["evaluation"], "ESCALATE", "{answer}");
    answer["review_id"].as_str().unwrap().to_string()
}

/// A counter's value in the gate's metrics, 0 when absent.
fn counter(metrics: &str, series: &str) -> u64 {
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(series)?.trim().parse().ok())
        .unwrap_or(0)
}

fn notifications(server: &Server, webhook: &str, result: &str) -> u64 {
    counter(
        &server.metrics(),
        &format!("clawlaw_notifications_total{{webhook=\"{webhook}\",result=\"{result}\"}}"),
    )
}

/// Waits until `webhook` has `n` notifications with `result` (at most `within`).
fn wait_counted(server: &Server, webhook: &str, result: &str, n: u64, within: Duration) -> u64 {
    let deadline = Instant::now() + within;
    loop {
        let got = notifications(server, webhook, result);
        if got >= n || Instant::now() > deadline {
            return got;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn both_bodies_arrive_with_the_link_and_the_escaped_text() {
    let slack = Receiver::start(Behaviour::Ok);
    let generic = Receiver::start(Behaviour::Ok);
    let extra = format!(
        "[notify]\nconsole_url = \"https://gate.example.com/console/\"\n{}{}",
        webhook("slack", &slack.url("/services/T0/B0/x"), "slack", ""),
        webhook(
            "generic",
            &generic.url("/hook"),
            "json",
            "secret_env = \"CLAWLAW_TEST_NOTIFY_TOKEN\""
        ),
    );
    let (server, _dir) = gate_with_env(&extra, &[("CLAWLAW_TEST_NOTIFY_TOKEN", "hook-secret-1")]);
    let session = server.open_session(json!({
        "intent": "upgrade <!channel> & the <https://evil.example|docs>",
        "scope": {"roots": ["/work/app"]},
    }));
    let command = "sudo apt-get install -y jq # <!here> & `whoami`";
    let review = escalate(&server, &session, command);
    let link = format!("https://gate.example.com/console/#/reviews/{review}");

    let got = slack.wait_for(1, Duration::from_secs(10));
    assert_eq!(got.len(), 1, "one Slack message");
    let message = &got[0];
    assert_eq!(message.path, "/services/T0/B0/x");
    assert_eq!(message.header("content-type"), Some("application/json"));
    assert_eq!(message.header("authorization"), None);
    let body = message.json();
    let raw = String::from_utf8(message.body.clone()).unwrap();
    for markup in ["<!here>", "<!channel>", "<https://evil", "`whoami`"] {
        assert!(!raw.contains(markup), "{markup} unescaped in {raw}");
    }
    assert!(
        raw.contains("&lt;!here&gt; &amp; \u{2cb}whoami\u{2cb}"),
        "{raw}"
    );
    assert!(
        raw.contains("upgrade &lt;!channel&gt; &amp; the &lt;https://evil.example|docs&gt;"),
        "{raw}"
    );
    assert!(
        body["text"]
            .as_str()
            .unwrap()
            .contains(&format!("<{link}|")),
        "{body}"
    );
    let button = body["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["type"] == "actions")
        .expect("a button block");
    assert_eq!(button["elements"][0]["url"], link.as_str());
    assert_eq!(body["unfurl_links"], false);

    let got = generic.wait_for(1, Duration::from_secs(10));
    assert_eq!(got.len(), 1, "one JSON message");
    let message = &got[0];
    assert_eq!(message.path, "/hook");
    assert_eq!(
        message.header("authorization"),
        Some("Bearer hook-secret-1")
    );
    let body = message.json();
    assert_eq!(body["event"], "review.opened");
    assert_eq!(body["link"], link.as_str());
    assert_eq!(body["review"]["id"], review.as_str());
    assert_eq!(body["review"]["session_id"], session.as_str());
    assert_eq!(body["review"]["status"], "pending");
    assert_eq!(
        body["review"]["proposed_action"]["command"], command,
        "JSON carries the text as it is"
    );
    assert!(
        !body["review"]["rules"].as_array().unwrap().is_empty(),
        "{body}"
    );
    assert_eq!(
        body["session"]["intent"],
        "upgrade <!channel> & the <https://evil.example|docs>"
    );
    assert_eq!(body["truncated"], false);

    // The review as the API shows it is the review that was sent.
    let (status, shown) = server.get(
        &format!("/v1/reviews/{review}"),
        Some(common::server::REVIEWER),
    );
    assert_eq!(status, 200);
    assert_eq!(shown["reason"], body["review"]["reason"]);
    assert_eq!(shown["expires_at"], body["review"]["expires_at"]);

    assert_eq!(
        wait_counted(&server, "slack", "sent", 1, Duration::from_secs(5)),
        1
    );
    assert_eq!(
        wait_counted(&server, "generic", "sent", 1, Duration::from_secs(5)),
        1
    );
    // A decision is not a new review: nothing more is sent.
    let (status, _) = server.post(
        &format!("/v1/reviews/{review}/deny"),
        Some(common::server::REVIEWER),
        &json!({"reason": "no"}),
    );
    assert_eq!(status, 200);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!((slack.requests().len(), generic.requests().len()), (1, 1));
}

#[test]
fn a_failing_receiver_is_retried_with_backoff_and_a_refusing_one_is_not() {
    let flaky = Receiver::start(Behaviour::FailFirst(2));
    let gone = Receiver::start(Behaviour::Status(404));
    let extra = format!(
        "{}{}",
        webhook(
            "flaky",
            &flaky.url("/in"),
            "json",
            "attempts = 4\nbackoff_ms = 150"
        ),
        webhook(
            "gone",
            &gone.url("/in"),
            "slack",
            "attempts = 4\nbackoff_ms = 150"
        ),
    );
    let (server, _dir) = gate(&extra);
    let session = server.open_session(json!({"scope": {"roots": ["/work/app"]}}));
    let review = escalate(&server, &session, "sudo apt-get install -y jq");

    let got = flaky.wait_for(3, Duration::from_secs(10));
    assert_eq!(got.len(), 3, "two failures, then the message taken");
    assert!(
        got.windows(2).all(|w| w[0].body == w[1].body),
        "the same message each time"
    );
    let first = got[0].json();
    assert_eq!(first["review"]["id"], review.as_str());
    // The default console is the gate's own address.
    assert_eq!(
        first["link"],
        format!("{}/console/#/reviews/{review}", server.url)
    );
    let gaps: Vec<Duration> = got.windows(2).map(|w| w[1].at - w[0].at).collect();
    assert!(gaps[0] >= Duration::from_millis(140), "{gaps:?}");
    assert!(
        gaps[1] >= Duration::from_millis(290),
        "the wait doubles: {gaps:?}"
    );
    assert_eq!(
        wait_counted(&server, "flaky", "sent", 1, Duration::from_secs(5)),
        1
    );
    assert_eq!(notifications(&server, "flaky", "failed"), 0);

    // A 404 will be a 404 again: tried once, counted as failed.
    assert_eq!(
        wait_counted(&server, "gone", "failed", 1, Duration::from_secs(5)),
        1
    );
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(gone.requests().len(), 1, "a final refusal is not retried");
    assert_eq!(
        flaky.requests().len(),
        3,
        "a message taken is not sent again"
    );
}

/// The median of `samples`.
fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

#[test]
fn dead_receivers_do_not_slow_decisions_and_their_failures_are_counted() {
    let hanging = Receiver::start(Behaviour::Hang);
    // Each notification to the hanging receiver takes 3 × 1 s of timeouts
    // plus 0.2 + 0.4 s of backoff: its retry schedule is 3.6 s.
    let schedule = Duration::from_millis(3600);
    let policy = "timeout_ms = 1000\nattempts = 3\nbackoff_ms = 200";
    let extra = format!(
        "{}{}",
        webhook(
            "refused",
            &format!("http://127.0.0.1:{}/in", refused_port()),
            "json",
            policy
        ),
        webhook("hanging", &hanging.url("/in"), "slack", policy),
    );
    let (dead, _d1) = gate(&extra);
    let (plain, _d2) = gate("");
    let dead_session = dead.open_session(json!({"scope": {"roots": ["/work/app"]}}));
    let plain_session = plain.open_session(json!({"scope": {"roots": ["/work/app"]}}));
    // Warm both gates' policies before timing.
    escalate(&dead, &dead_session, "sudo apt-get install -y jq");
    escalate(&plain, &plain_session, "sudo apt-get install -y jq");

    let (mut with_dead, mut without) = (Vec::new(), Vec::new());
    for i in 0..8 {
        let cmd = format!("sudo apt-get install -y tool{i}");
        // Interleaved, so both gates see the same machine load.
        let t = Instant::now();
        escalate(&dead, &dead_session, &cmd);
        with_dead.push(t.elapsed());
        let t = Instant::now();
        escalate(&plain, &plain_session, &cmd);
        without.push(t.elapsed());
    }
    let slowest = *with_dead.iter().max().unwrap();
    let (m_dead, m_plain) = (median(with_dead.clone()), median(without.clone()));
    eprintln!(
        "ESCALATE latency: median {m_dead:?} with dead webhooks, {m_plain:?} without; slowest {slowest:?}"
    );
    assert!(
        slowest < schedule / 4,
        "an answer waited on a webhook: {with_dead:?} (schedule {schedule:?})"
    );
    assert!(
        m_dead <= m_plain * 4 + Duration::from_millis(50),
        "dead webhooks slowed decisions: {with_dead:?} vs {without:?}"
    );

    // 9 reviews opened; each given up on after its 3 attempts.
    let within = Duration::from_secs(30);
    assert_eq!(wait_counted(&dead, "refused", "failed", 9, within), 9);
    assert_eq!(wait_counted(&dead, "hanging", "failed", 9, within), 9);
    assert_eq!(hanging.requests().len(), 27, "3 attempts per message");
    let metrics = dead.metrics();
    assert_eq!(
        counter(
            &metrics,
            "clawlaw_notifications_total{webhook=\"hanging\",result=\"sent\"}"
        ),
        0
    );
    assert_eq!(
        counter(&metrics, "clawlaw_notification_events_missed_total"),
        0
    );
    // And decisions still come at their pace after all that.
    let t = Instant::now();
    escalate(&dead, &dead_session, "sudo apt-get install -y last");
    assert!(t.elapsed() < schedule / 4);
}

#[test]
fn a_bad_webhook_or_a_missing_secret_stops_the_gate_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let extra = webhook(
        "x",
        "http://127.0.0.1:9/in",
        "json",
        "secret_env = \"CLAWLAW_TEST_UNSET_SECRET\"",
    );
    let config = config(dir.path(), &extra);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_clawlaw"))
        .args(["serve", "--config"])
        .arg(&config)
        .env("CLAWLAW_CACHE_DIR", common::cache_dir())
        .env_remove("CLAWLAW_TEST_UNSET_SECRET")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("notify.webhook[0].secret_env: CLAWLAW_TEST_UNSET_SECRET is not set"),
        "{stderr}"
    );

    // A malformed entry is refused when the config is read, naming file and field.
    let config =
        common::server::config(dir.path(), &webhook("x", "ftp://127.0.0.1/in", "json", ""));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_clawlaw"))
        .args(["serve", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("gate.toml: notify.webhook[0].url: expected http or https, got ftp"),
        "{stderr}"
    );
}

#[test]
fn a_review_read_back_with_its_session_is_not_sent_again() {
    let receiver = Receiver::start(Behaviour::Ok);
    let extra = format!(
        "[store]\nidle_secs = 1\n{}",
        webhook("ops", &receiver.url("/hook"), "json", "")
    );
    let (server, _dir) = gate_with_env(&extra, &[]);
    let session = server.open_session(json!({"scope": {"roots": ["/work/app"]}}));
    let review = escalate(&server, &session, "sudo apt-get install -y jq");
    assert_eq!(receiver.wait_for(1, Duration::from_secs(10)).len(), 1);
    let (status, _) = server.post(
        &format!("/v1/reviews/{review}/approve"),
        Some(REVIEWER),
        &json!({"reason": "needed"}),
    );
    assert_eq!(status, 200);
    // The session leaves memory with its decided review, then is read back.
    let deadline = Instant::now() + Duration::from_secs(20);
    while server.get("/healthz", None).1["sessions"] != 0 {
        assert!(
            Instant::now() < deadline,
            "the idle session stayed in memory"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let (status, summary) = server.get(&format!("/v1/sessions/{session}"), Some(AGENT));
    assert_eq!(status, 200, "{summary}");
    let (status, shown) = server.get(&format!("/v1/reviews/{review}"), Some(REVIEWER));
    assert_eq!(
        (status, shown["status"].as_str()),
        (200, Some("approved")),
        "{shown}"
    );
    // A second escalation is sent: the notifier still runs, and only once each.
    escalate(&server, &session, "sudo apt-get install -y curl");
    let got = receiver.wait_for(2, Duration::from_secs(10));
    std::thread::sleep(Duration::from_millis(500));
    let got = receiver.requests().len().max(got.len());
    assert_eq!(got, 2, "the read-back review was notified again");
}
