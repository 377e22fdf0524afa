//! Hot reload against the real binary: the admin API, SIGHUP and polling
//! swap the whole policy set; a broken source is refused and the last good
//! set keeps serving; reloads under load drop nothing.

use crate::common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::server::{
    ADMIN, AGENT, REVIEWER, Server, UNDER_LOAD_LIMITS, config, reloads_under_load,
};
use serde_json::{Value, json};

fn sudo() -> Value {
    json!({"kind": "shell.exec", "tool": "Bash", "command": "sudo ls /root", "cwd": "/work/app"})
}

/// Gives shell-guard settings in the config (`None`: none).
fn set_shell_guard_settings(config: &Path, settings: Option<&str>) {
    let text = std::fs::read_to_string(config).unwrap();
    let mut out = String::new();
    for line in text.lines() {
        if line.starts_with("settings = ") {
            continue;
        }
        out.push_str(line);
        out.push('\n');
        if line.contains("shell_guard.wasm")
            && let Some(s) = settings
        {
            out.push_str(&format!("settings = {s}\n"));
        }
    }
    std::fs::write(config, out).unwrap();
}

fn policy_set(server: &Server) -> Value {
    let (status, body) = server.get("/v1/policies", Some(REVIEWER));
    assert_eq!(status, 200, "{body}");
    body
}

fn wait_for<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn an_admin_reload_swaps_the_set_and_the_evidence_names_both() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), "[reload]\npoll_secs = 0\n");
    let server = Server::start(&config);
    let session = server.open_session(json!({}));
    let (_, before) = server.evaluate(&session, sudo());
    assert_eq!(before["evaluation"], "ESCALATE", "{before}");
    let v1 = before["policy_set"].as_str().unwrap().to_string();

    set_shell_guard_settings(&config, Some("{ allow_programs = [\"sudo\"] }"));
    let (status, _) = server.post("/v1/admin/reload", Some(AGENT), &json!({}));
    assert_eq!(status, 403, "an agent cannot change policy");
    let (status, report) = server.post("/v1/admin/reload", Some(ADMIN), &json!({}));
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["outcome"], "swapped");
    let (_, after) = server.evaluate(&session, sudo());
    assert_eq!(after["evaluation"], "ALLOW", "{after}");
    let v2 = after["policy_set"].as_str().unwrap().to_string();
    assert_ne!(v1, v2);

    let (_, again) = server.post("/v1/admin/reload", Some(ADMIN), &json!({}));
    assert_eq!(again["outcome"], "unchanged", "{again}");

    let (_, records) = server.get(&format!("/v1/sessions/{session}/evidence"), Some(REVIEWER));
    let sets: Vec<&str> = records
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["policy_matched"]["policy_set"].as_str().unwrap())
        .collect();
    assert_eq!(sets, vec![v1.as_str(), v2.as_str()]);
    let shell_guard = &records[1]["policy_matched"]["policies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "shell-guard")
        .unwrap()["digest"];
    assert!(shell_guard.as_str().unwrap().starts_with("sha256:"));
}

#[test]
fn a_broken_source_is_refused_and_the_last_good_set_keeps_serving() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), "[reload]\npoll_secs = 0\n");
    let server = Server::start(&config);
    let session = server.open_session(json!({}));
    let good = policy_set(&server)["policy_set"].clone();

    // Settings the policy rejects.
    set_shell_guard_settings(&config, Some("{ no_such_setting = true }"));
    let (status, report) = server.post("/v1/admin/reload", Some(ADMIN), &json!({}));
    assert_eq!(status, 409, "{report}");
    assert_eq!(report["outcome"], "refused");
    assert!(
        report["error"]
            .as_str()
            .unwrap()
            .contains("no_such_setting"),
        "{report}"
    );

    // A component that fails its smoke test: the hostile policy, spinning.
    set_shell_guard_settings(&config, None);
    let text = std::fs::read_to_string(&config).unwrap();
    let hostile = common::component("hostile-policy");
    std::fs::write(
        &config,
        format!("{text}[[policy]]\npath = {hostile:?}\nsettings = {{ mode = \"loop\" }}\nlimits = {{ deadline_ms = 20 }}\n"),
    )
    .unwrap();
    let (status, report) = server.post("/v1/admin/reload", Some(ADMIN), &json!({}));
    assert_eq!(status, 409, "{report}");
    assert!(
        report["error"].as_str().unwrap().contains("smoke test"),
        "{report}"
    );

    // A config that no longer parses.
    std::fs::write(&config, "version = 1\n[[policy]]\npth = \"x\"\n").unwrap();
    let (status, report) = server.post("/v1/admin/reload", Some(ADMIN), &json!({}));
    assert_eq!(status, 409, "{report}");
    assert!(
        report["error"]
            .as_str()
            .unwrap()
            .contains("unknown field `pth`"),
        "{report}"
    );

    let status = policy_set(&server);
    assert_eq!(
        status["policy_set"], good,
        "the last good set keeps serving"
    );
    assert_eq!(status["last_refusal"]["outcome"], "refused");
    let (code, answer) = server.evaluate(
        &session,
        json!({"kind": "shell.exec", "command": "cargo test", "cwd": "/work/app"}),
    );
    assert_eq!((code, answer["evaluation"].as_str()), (200, Some("ALLOW")));
    let metrics = server.metrics();
    assert!(
        metrics.contains("clawlaw_policy_reloads_total{outcome=\"refused\"} 3"),
        "{metrics}"
    );
}

#[test]
fn sighup_and_polling_reload_a_changed_source() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), "[reload]\npoll_secs = 1\n");
    let server = Server::start(&config);
    let v1 = policy_set(&server)["policy_set"]
        .as_str()
        .unwrap()
        .to_string();

    set_shell_guard_settings(&config, Some("{ allow_programs = [\"sudo\"] }"));
    let v2 = wait_for("the poll to pick up the change", || {
        let v = policy_set(&server)["policy_set"]
            .as_str()
            .unwrap()
            .to_string();
        (v != v1).then_some(v)
    });
    assert_eq!(policy_set(&server)["last_reload"]["trigger"], "poll");

    // Settings the policy rejects: one poll refuses them; the polls after
    // it see the same files and do not try (or log, or count) them again.
    set_shell_guard_settings(&config, Some("{ no_such_setting = true }"));
    wait_for("a poll to refuse the change", || {
        (policy_set(&server)["last_refusal"]["trigger"] == "poll").then_some(())
    });
    std::thread::sleep(Duration::from_secs(3));
    let metrics = server.metrics();
    assert!(
        metrics.contains("clawlaw_policy_reloads_total{outcome=\"refused\"} 1"),
        "refused once in three polls: {metrics}"
    );
    assert_eq!(policy_set(&server)["policy_set"], v2.as_str());

    set_shell_guard_settings(&config, None);
    server.signal("HUP");
    wait_for("SIGHUP to reload", || {
        let status = policy_set(&server);
        (status["policy_set"] != v2.as_str()).then_some(())
    });
}

#[test]
fn twenty_reloads_under_load_drop_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(
        dir.path(),
        &format!("{UNDER_LOAD_LIMITS}[reload]\npoll_secs = 0\n"),
    );
    let server = Server::start(&config);
    // 3 of the set's 4 policies judge the clients' `shell.exec` (fs-boundary
    // judges file actions only).
    let sets = reloads_under_load(&server, 4, 3, 20, |i| {
        let settings = (i % 2 == 0).then_some("{ allow_programs = [\"sudo\"] }");
        set_shell_guard_settings(&config, settings);
        server.post("/v1/admin/reload", Some(ADMIN), &json!({}))
    });
    assert_eq!(sets.len(), 2, "two settings, two set versions");
}
