//! `clawlaw review` as a reviewer runs it, against a real `clawlaw serve`:
//! escalations made through the API, the built binary's output and exit
//! codes asserted, the agent's side (long-poll, re-proposal) checked.
//! Run with `--nocapture` to see every command's output (the README's
//! examples come from it).

use crate::common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::server::{ADMIN, AGENT, REVIEWER, Server, config, gate, shell};
use serde_json::{Value, json};

/// What a `clawlaw review` run gave.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// The command, pointed at `url`, with `token` (if any) in $CLAWLAW_TOKEN.
fn command(url: &str, token: Option<&str>, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_clawlaw"));
    cmd.arg("review")
        .args(args)
        .env("CLAWLAW_GATE", url)
        .env_remove("CLAWLAW_TOKEN")
        .env_remove("COLUMNS");
    if let Some(t) = token {
        cmd.env("CLAWLAW_TOKEN", t);
    }
    cmd
}

fn review(server: &Server, token: Option<&str>, args: &[&str]) -> Run {
    let out = command(&server.url, token, args).output().unwrap();
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    eprintln!(
        "$ clawlaw review {}\n{}{}[exit {}]\n",
        args.join(" "),
        run.stdout,
        run.stderr,
        run.code
    );
    run
}

/// Proposes `action` as the agent; it must escalate. Returns the answer.
fn escalate(server: &Server, session: &str, action: Value) -> Value {
    let (status, answer) = server.evaluate(session, action);
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["evaluation"], "ESCALATE", "{answer}");
    answer
}

fn wait_for(server: &Server, review: &str) -> std::thread::JoinHandle<Value> {
    let url = format!("{}/v1/reviews/{review}/wait?timeout_ms=20000", server.url);
    std::thread::spawn(move || {
        ureq::get(&url)
            .set("authorization", &format!("Bearer {AGENT}"))
            .call()
            .unwrap()
            .into_json::<Value>()
            .unwrap()
    })
}

#[test]
fn a_reviewer_lists_shows_and_approves_an_escalation() {
    let (server, _dir) = gate("");
    let session = server.open_session(json!({
        "intent": "add jq to the build image",
        "scope": {"roots": ["/work/app"], "hosts": ["deb.debian.org"]},
        "budgets": {"max_writes": 20}
    }));
    let (_, allowed) = server.evaluate(&session, shell("cargo test"));
    assert_eq!(allowed["evaluation"], "ALLOW", "{allowed}");
    let answer = escalate(&server, &session, shell("sudo apt-get install -y jq"));
    let id = answer["review_id"].as_str().unwrap().to_string();
    let rule = answer["rules"][0].as_str().unwrap().to_string();

    let list = review(&server, Some(REVIEWER), &["list"]);
    assert_eq!(list.code, 0, "{}", list.stderr);
    let lines: Vec<&str> = list.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "a header and one review: {}", list.stdout);
    for column in [
        "ID",
        "STATUS",
        "AGE",
        "EXPIRES IN",
        "SESSION",
        "RULES",
        "REASON",
    ] {
        assert!(lines[0].contains(column), "{column} in {}", lines[0]);
    }
    let short = lines[1].split_whitespace().next().unwrap();
    assert!(
        id.starts_with(short) && short.len() >= 8 && short.len() < id.len(),
        "an abbreviated id: {short} of {id}"
    );
    assert!(
        lines[1].contains("pending") && lines[1].contains(&rule),
        "{}",
        lines[1]
    );
    assert!(
        !list.stdout.contains('\x1b'),
        "no colour into a pipe: {:?}",
        list.stdout
    );

    // Cut to the terminal's width ($COLUMNS stands in for a terminal).
    let narrow = command(&server.url, Some(REVIEWER), &["list"])
        .env("COLUMNS", "100")
        .output()
        .unwrap();
    let narrow = String::from_utf8(narrow.stdout).unwrap();
    eprintln!("$ COLUMNS=100 clawlaw review list\n{narrow}");
    for line in narrow.lines() {
        assert!(line.chars().count() <= 100, "{line:?}");
    }
    assert!(narrow.lines().nth(1).unwrap().ends_with('…'), "{narrow}");

    let wide = review(&server, Some(REVIEWER), &["list", "--wide"]);
    assert!(
        wide.stdout.contains(&id) && wide.stdout.contains(&session),
        "{}",
        wide.stdout
    );
    let json_list = review(&server, Some(REVIEWER), &["list", "--json"]);
    let parsed: Value = serde_json::from_str(&json_list.stdout).unwrap();
    assert_eq!(parsed[0]["id"], id.as_str());
    let none = review(&server, Some(REVIEWER), &["list", "--status", "approved"]);
    assert_eq!(none.stdout.trim(), "no approved reviews");

    // `show` by the abbreviation `list` printed.
    let show = review(&server, Some(ADMIN), &["show", short]);
    assert_eq!(show.code, 0, "{}", show.stderr);
    for expected in [
        id.as_str(),
        "$ sudo apt-get install -y jq",
        rule.as_str(),
        answer["reason"].as_str().unwrap(),
        "add jq to the build image",
        "claude",
        "deb.debian.org",
        "writes 0/20",
        "shell.exec",
        "cargo test",
    ] {
        assert!(
            show.stdout.contains(expected),
            "{expected:?} in\n{}",
            show.stdout
        );
    }
    let show_json = review(&server, Some(REVIEWER), &["show", &id, "--json"]);
    let parsed: Value = serde_json::from_str(&show_json.stdout).unwrap();
    assert_eq!(parsed["review"]["id"], id.as_str());
    assert_eq!(
        parsed["session"]["declaration"]["intent"],
        "add jq to the build image"
    );

    let waiter = wait_for(&server, &id);
    std::thread::sleep(Duration::from_millis(100));
    let approve = review(
        &server,
        Some(REVIEWER),
        &[
            "approve",
            short,
            "--reason",
            "jq is needed by the build script",
        ],
    );
    assert_eq!(approve.code, 0, "{}", approve.stderr);
    assert!(
        approve.stdout.starts_with("approved") && approve.stdout.contains("by alice"),
        "{}",
        approve.stdout
    );
    let waited = waiter.join().unwrap();
    assert_eq!(waited["status"], "approved", "{waited}");
    assert_eq!(
        waited["decision"]["reason"],
        "jq is needed by the build script"
    );

    // The approval lets the same action through once.
    let (_, again) = server.evaluate(&session, shell("sudo apt-get install -y jq"));
    assert_eq!(again["evaluation"], "ALLOW", "{again}");
    assert_eq!(again["rules"], json!(["gate/review-approved"]));
    escalate(&server, &session, shell("sudo apt-get install -y jq"));

    // Decided already: say how and by whom.
    let twice = review(
        &server,
        Some(REVIEWER),
        &["deny", &id, "--reason", "changed my mind"],
    );
    assert_eq!(twice.code, 15, "{}", twice.stderr);
    assert!(
        twice.stderr.contains("already approved by alice")
            && twice.stderr.contains("jq is needed by the build script"),
        "{}",
        twice.stderr
    );
    let approved = review(&server, Some(REVIEWER), &["list", "--status", "all"]);
    let rows: Vec<&str> = approved.stdout.lines().skip(1).collect();
    assert_eq!(rows.len(), 2, "{}", approved.stdout);
    assert!(
        rows[0].contains("pending") && rows[1].contains("approved"),
        "pending first:\n{}",
        approved.stdout
    );
}

#[test]
fn an_edit_is_shown_as_a_diff_and_denied() {
    let (server, _dir) = gate("");
    let session = server.open_session(json!({
        "intent": "rename b to c",
        "scope": {"roots": ["/work/app"]},
        "budgets": {"max_writes": 0, "on_exceed": "escalate"}
    }));
    let old = "fn a() {}\nfn b() {}\nfn d() {}\n";
    let new = "fn a() {}\nfn c() {}\nfn d() {}\n";
    let edit = json!({"kind": "file.write", "tool": "Edit", "target": "/work/app/src/lib.rs",
        "content": new, "cwd": "/work/app",
        "input": {"file_path": "/work/app/src/lib.rs", "old_string": old, "new_string": new}});
    let answer = escalate(&server, &session, edit);
    let id = answer["review_id"].as_str().unwrap().to_string();

    let show = review(&server, Some(REVIEWER), &["show", &id]);
    assert_eq!(show.code, 0, "{}", show.stderr);
    for expected in [
        "@@ -1,3 +1,3 @@",
        "  fn a() {}",
        "-fn b() {}",
        "+fn c() {}",
        "  fn d() {}",
        "writes 0/0",
        "on exceed: escalate",
    ] {
        assert!(
            show.stdout.contains(expected),
            "{expected:?} in\n{}",
            show.stdout
        );
    }

    let no_reason = review(&server, Some(REVIEWER), &["deny", &id]);
    assert_eq!(
        no_reason.code, 2,
        "a reason is required: {}",
        no_reason.stderr
    );
    let waiter = wait_for(&server, &id);
    let deny = review(
        &server,
        Some(REVIEWER),
        &["deny", &id, "--reason", "out of the declared budget"],
    );
    assert_eq!(deny.code, 0, "{}", deny.stderr);
    assert!(
        deny.stdout.starts_with("denied") && deny.stdout.contains("by alice"),
        "{}",
        deny.stdout
    );
    assert_eq!(waiter.join().unwrap()["status"], "denied");
    let decided = review(&server, Some(REVIEWER), &["show", &id]);
    assert!(
        decided.stdout.contains("denied by alice")
            && decided.stdout.contains("out of the declared budget"),
        "{}",
        decided.stdout
    );
}

#[test]
fn each_error_has_its_message_and_exit_code() {
    let (server, _dir) = gate("");
    let session = server.open_session(json!({}));
    let first = escalate(&server, &session, shell("sudo systemctl restart nginx"));
    let second = escalate(&server, &session, shell("sudo apt-get update"));
    let id = first["review_id"].as_str().unwrap();

    let no_token = review(&server, None, &["list"]);
    assert_eq!(no_token.code, 11, "{}", no_token.stderr);
    assert!(
        no_token.stderr.contains("$CLAWLAW_TOKEN"),
        "{}",
        no_token.stderr
    );
    // --token-env names another variable.
    let other = command(
        &server.url,
        None,
        &["list", "--token-env", "MY_REVIEW_TOKEN"],
    )
    .env("MY_REVIEW_TOKEN", REVIEWER)
    .output()
    .unwrap();
    assert_eq!(other.status.code(), Some(0));

    let agent = review(
        &server,
        Some(AGENT),
        &["approve", id, "--reason", "trust me"],
    );
    assert_eq!(agent.code, 13, "{}", agent.stderr);
    assert!(
        agent
            .stderr
            .contains("the agent role may not review; use a reviewer or admin token"),
        "{}",
        agent.stderr
    );
    let unknown_token = review(&server, Some("not-a-token-the-gate-knows"), &["list"]);
    assert_eq!(unknown_token.code, 12, "{}", unknown_token.stderr);
    assert!(
        unknown_token.stderr.contains("unknown token"),
        "{}",
        unknown_token.stderr
    );

    let unknown = review(&server, Some(REVIEWER), &["show", "ffffffff-0000"]);
    assert_eq!(unknown.code, 14, "{}", unknown.stderr);
    assert!(unknown.stderr.contains("no review"), "{}", unknown.stderr);

    // Both ids begin with the same millisecond timestamp digits (UUIDv7).
    let second_id = second["review_id"].as_str().unwrap();
    let shared: String = id
        .chars()
        .zip(second_id.chars())
        .take_while(|(a, b)| a == b)
        .map(|(a, _)| a)
        .collect();
    assert!(shared.len() >= 4, "{id} {second_id}");
    let ambiguous = review(&server, Some(REVIEWER), &["show", &shared]);
    assert_eq!(ambiguous.code, 2, "{}", ambiguous.stderr);
    assert!(
        ambiguous.stderr.contains("ambiguous")
            && ambiguous.stderr.contains(id)
            && ambiguous.stderr.contains(second_id),
        "{}",
        ambiguous.stderr
    );

    let (status, _) = server.post(
        &format!("/v1/reviews/{id}/deny"),
        Some(ADMIN),
        &json!({"reason": "no restarts"}),
    );
    assert_eq!(status, 200);
    let decided = review(&server, Some(REVIEWER), &["approve", id, "--reason", "ok"]);
    assert_eq!(decided.code, 15, "{}", decided.stderr);
    assert!(
        decided.stderr.contains("already denied by ops") && decided.stderr.contains("no restarts"),
        "{}",
        decided.stderr
    );

    // A gate that is not there: a port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let down = command(
        &format!("http://127.0.0.1:{port}"),
        Some(REVIEWER),
        &["list"],
    )
    .output()
    .unwrap();
    let stderr = String::from_utf8_lossy(&down.stderr);
    eprintln!(
        "$ clawlaw review list   # no gate\n{stderr}[exit {:?}]",
        down.status.code()
    );
    assert_eq!(down.status.code(), Some(10), "{stderr}");
    assert!(stderr.contains("unreachable"), "{stderr}");
}

#[test]
fn watch_prints_reviews_as_they_open_and_are_decided() {
    let (server, _dir) = gate("");
    let session = server.open_session(json!({"intent": "tidy the host"}));
    let mut child = command(&server.url, Some(REVIEWER), &["watch", "--count", "2"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until it is connected (it says so on stderr).
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut banner = String::new();
    stderr.read_line(&mut banner).unwrap();
    assert!(banner.starts_with("watching reviews at"), "{banner}");

    let answer = escalate(&server, &session, shell("sudo systemctl restart nginx"));
    let id = answer["review_id"].as_str().unwrap();
    let (status, _) = server.post(
        &format!("/v1/reviews/{id}/approve"),
        Some(REVIEWER),
        &json!({"reason": "cache only"}),
    );
    assert_eq!(status, 200);

    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("watch --count 2 did not stop within 30 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut out = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut out).unwrap();
    eprintln!(
        "$ clawlaw review watch --count 2\n{banner}{out}[exit {:?}]",
        status.code()
    );
    assert!(status.success());
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[0].starts_with("opened")
            && lines[0].contains(id)
            && lines[0].contains("sudo systemctl restart nginx"),
        "{out}"
    );
    assert!(
        lines[1].starts_with("approved") && lines[1].contains(id) && lines[1].contains("by alice"),
        "{out}"
    );
}

/// A gate on a fixed free port, so it can be restarted where a watcher
/// expects it.
fn gate_on_fixed_port() -> (Server, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), "");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let text = std::fs::read_to_string(&config).unwrap();
    let text = text.replace(
        "listen = \"127.0.0.1:0\"",
        &format!("listen = \"127.0.0.1:{port}\""),
    );
    assert!(text.contains(&port.to_string()), "{text}");
    std::fs::write(&config, text).unwrap();
    (Server::start(&config), dir)
}

/// Reads lines from `reader` on a thread, so a test can wait for one with
/// a deadline.
fn lines(reader: impl std::io::Read + Send + 'static) -> std::sync::mpsc::Receiver<String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(reader).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

fn next_line(rx: &std::sync::mpsc::Receiver<String>, what: &str) -> String {
    rx.recv_timeout(Duration::from_secs(30))
        .unwrap_or_else(|_| panic!("no {what} within 30 s"))
}

#[test]
fn watch_lists_what_waits_and_survives_a_gate_restart() {
    let (mut server, dir) = gate_on_fixed_port();
    let session = server.open_session(json!({}));
    let waiting = escalate(&server, &session, shell("sudo apt-get install -y jq"));
    let waiting = waiting["review_id"].as_str().unwrap().to_string();

    let mut child = command(&server.url, Some(REVIEWER), &["watch", "--count", "2"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = lines(child.stdout.take().unwrap());
    let err = lines(child.stderr.take().unwrap());
    assert!(next_line(&err, "banner").starts_with("watching reviews at"));
    // What already waits is listed first, and not counted as an event.
    let first = next_line(&out, "the pending review");
    assert!(
        first.starts_with("pending") && first.contains(&waiting),
        "{first}"
    );

    let a = escalate(&server, &session, shell("sudo systemctl restart nginx"));
    let opened_a = next_line(&out, "the first event");
    assert!(
        opened_a.starts_with("opened") && opened_a.contains(a["review_id"].as_str().unwrap()),
        "{opened_a}"
    );

    // The gate crashes and comes back on the same address.
    server.kill();
    assert!(next_line(&err, "the drop").contains("reconnecting"));
    std::thread::sleep(Duration::from_millis(500));
    let server = Server::start(&dir.path().join("gate.toml"));
    let mut banner = next_line(&err, "a reconnection");
    while !banner.starts_with("watching") {
        assert!(
            banner.contains("unreachable") && banner.contains("retrying"),
            "{banner}"
        );
        banner = next_line(&err, "a reconnection");
    }
    let session = server.open_session(json!({}));
    let b = escalate(&server, &session, shell("sudo apt-get update"));
    let opened_b = next_line(&out, "the second event");
    assert!(
        opened_b.starts_with("opened") && opened_b.contains(b["review_id"].as_str().unwrap()),
        "{opened_b}: the reviews listed before are not listed again"
    );

    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "watch --count 2 did not stop");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(child.wait().unwrap().success());
    eprintln!(
        "$ clawlaw review watch --count 2   # across a gate restart\n{first}\n{opened_a}\n{opened_b}"
    );
}

/// The proposed action is whatever steered the agent wrote: escape
/// sequences in it must reach the reviewer's terminal as visible text,
/// never as commands to the terminal.
#[test]
fn attacker_text_cannot_drive_the_reviewers_terminal() {
    let (server, _dir) = gate("");
    let session = server.open_session(json!({"intent": "install jq\u{1b}]0;owned\u{7}"}));
    // Erase the line and return: a terminal would show only "cargo test".
    let sneaky = "sudo apt-get install -y jq\u{1b}[2K\rcargo test \u{202e}txt.exe";
    let answer = escalate(&server, &session, shell(sneaky));
    let id = answer["review_id"].as_str().unwrap();

    for args in [
        vec!["show", id],
        vec!["list"],
        vec!["show", id, "--color", "always"],
    ] {
        let run = review(&server, Some(REVIEWER), &args);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let without_styling = run
            .stdout
            .replace("\u{1b}[0m", "")
            .replace("\u{1b}[1m", "")
            .replace("\u{1b}[2m", "")
            .replace("\u{1b}[33m", "")
            .replace("\u{1b}[36m", "")
            .replace("\u{1b}[31m", "")
            .replace("\u{1b}[32m", "");
        for raw in ['\u{1b}', '\r', '\u{7}', '\u{202e}'] {
            assert!(
                !without_styling.contains(raw),
                "{raw:?} reached the terminal: {:?}",
                run.stdout
            );
        }
        assert!(
            run.stdout.contains("\\u{1b}[2K\\u{d}cargo"),
            "{}",
            run.stdout
        );
    }
    let coloured = review(&server, Some(REVIEWER), &["show", id, "--color", "always"]);
    assert!(
        coloured.stdout.contains("\u{1b}[33mpending"),
        "{:?}",
        coloured.stdout
    );
    let show = review(&server, Some(REVIEWER), &["show", id]);
    assert!(
        show.stdout.contains("install jq\\u{1b}]0;owned\\u{7}"),
        "{}",
        show.stdout
    );
    assert!(show.stdout.contains("\\u{202e}txt.exe"), "{}", show.stdout);
}
