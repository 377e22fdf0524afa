//! The evidence log as the gate and an auditor use it: durable appends with
//! group commit, the chain across segments and restarts, every kind of
//! tampering named by `verify` (in the library and through the `clawlaw`
//! binary), crash and I/O-failure handling, and folding the log into records.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use clawlaw_engine::Verdict;
use clawlaw_gate::evidence::format::{self, encode_line, link_hash, parse_line};
use clawlaw_gate::evidence::{
    ActionRecord, Break, Entry, EvidenceError, EvidenceLog, EvidenceOptions, OutcomeEntry,
    PolicyConsulted, PolicyMatched, PrincipalReview, ReviewEntry, SessionEntry, VerifyError,
    read_entries, records, verify,
};
use serde_json::json;

fn action(session: &str, id: &str) -> Entry {
    Entry::Action(ActionRecord {
        session_id: session.into(),
        action_id: id.into(),
        timestamp: "2026-03-01T12:00:00Z".into(),
        prompt_hash: Some(format!("sha256:{}", "ab".repeat(32))),
        proposed_action: json!({"kind": "shell.exec", "command": format!("echo {id}"), "cwd": "/work/app"}),
        evaluation: Verdict::Allow,
        policy_matched: PolicyMatched {
            policy_set: format!("sha256:{}", "cd".repeat(32)),
            policies: vec![PolicyConsulted {
                name: "shell-guard".into(),
                version: "0.1.0".into(),
                digest: format!("sha256:{}", "ef".repeat(32)),
                verdict: Verdict::Allow,
                rules: vec![],
                fault: None,
            }],
            skipped: vec![],
            matched: vec![],
            reason: "every policy allowed it".into(),
            risk: 0.1,
            review_id: None,
            labels: vec![],
            counters: vec![],
            action_digest: None,
        },
        composition_state: json!({"actions": 3, "labels": ["secret-read"], "risk": 0.1}).into(),
        execution_result: None,
        principal_review: None,
        latency_ms: 0.25,
    })
}

fn options() -> EvidenceOptions {
    EvidenceOptions::default()
}

/// A log of `n` actions `a1..an` in session `s`.
fn write_log(dir: &Path, n: usize, options: EvidenceOptions) -> Vec<String> {
    let log = EvidenceLog::open(dir, options).unwrap();
    let hashes = (1..=n)
        .map(|i| {
            log.append_blocking(action("s", &format!("a{i}")))
                .unwrap()
                .hash
        })
        .collect();
    log.close();
    hashes
}

fn segment(dir: &Path, n: u64) -> PathBuf {
    dir.join(format::segment_name(n))
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn write_lines(path: &Path, lines: &[String]) {
    let mut text = lines.join("\n");
    text.push('\n');
    std::fs::write(path, text).unwrap();
}

fn broken(dir: &Path) -> Break {
    match verify(dir) {
        Err(VerifyError::Broken(at)) => at,
        other => panic!("expected a broken chain, got {other:?}"),
    }
}

fn assert_break(at: &Break, file: &Path, line: u64, seq: u64, says: &str) {
    assert_eq!(
        (at.file.as_path(), at.line, at.seq),
        (file, line, seq),
        "{at}"
    );
    assert!(at.problem.contains(says), "expected {says:?} in: {at}");
}

#[test]
fn entries_read_back_in_order_with_their_links() {
    let dir = tempfile::tempdir().unwrap();
    let log = EvidenceLog::open(dir.path(), options()).unwrap();
    let written = vec![
        Entry::Session(SessionEntry {
            session_id: "s".into(),
            timestamp: "2026-03-01T12:00:00Z".into(),
            declaration: json!({"intent": "fix the build", "scope": ["/work/app"]}),
        }),
        action("s", "a1"),
        action("s", "a\"2\n"),
    ];
    let appended: Vec<_> = written
        .iter()
        .map(|e| log.append_blocking(e).unwrap())
        .collect();
    assert_eq!(
        appended.iter().map(|a| a.seq).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    let stats = log.stats();
    assert_eq!((stats.entries, stats.acked, stats.last_seq), (3, 3, 3));
    assert!(log.is_healthy());
    log.close();

    let read: Vec<_> = read_entries(dir.path())
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(read.len(), 3);
    for ((stored, entry), appended) in read.iter().zip(&written).zip(&appended) {
        assert_eq!(&stored.entry, entry);
        assert_eq!((stored.seq, &stored.hash), (appended.seq, &appended.hash));
    }
    let report = verify(dir.path()).unwrap();
    assert_eq!(
        (report.entries, report.segments, report.last_seq),
        (3, 1, 3)
    );
    assert_eq!(report.last_hash, appended[2].hash);
    assert_eq!(report.head_seq, Some(3));

    let first = &lines(&segment(dir.path(), 1))[0];
    assert!(
        first.starts_with(&format!(
            "{{\"seq\":1,\"prev\":\"sha256:{}\",\"hash\":\"{}\",\"entry\":{{\"type\":\"session\"",
            "0".repeat(64),
            appended[0].hash
        )),
        "{first}"
    );
}

#[test]
fn the_chain_runs_on_across_segments_and_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let small = EvidenceOptions {
        max_segment_bytes: 4096,
        ..options()
    };
    write_log(dir.path(), 30, small.clone());
    let log = EvidenceLog::open(dir.path(), small).unwrap();
    let next = log.append_blocking(action("s", "after-restart")).unwrap();
    assert_eq!(next.seq, 31);
    for i in 0..29 {
        log.append_blocking(action("s", &format!("b{i}"))).unwrap();
    }
    log.close();
    let report = verify(dir.path()).unwrap();
    assert_eq!((report.entries, report.last_seq), (60, 60));
    assert!(report.segments >= 4, "{report:?}");
    for n in 1..=report.segments {
        let len = std::fs::metadata(segment(dir.path(), n)).unwrap().len();
        assert!(len > 0 && len <= 4096 + 1024, "segment {n}: {len} bytes");
    }
    // The first line of segment 2 links to the last of segment 1.
    let last = parse_line_owned(lines(&segment(dir.path(), 1)).last().unwrap());
    let first = parse_line_owned(&lines(&segment(dir.path(), 2))[0]);
    assert_eq!(first.0, last.0 + 1);
    assert_eq!(first.1, last.2);
}

/// (seq, prev, hash) of a line.
fn parse_line_owned(line: &str) -> (u64, String, String) {
    let l = parse_line(line.as_bytes()).unwrap();
    (l.seq, l.prev.to_string(), l.hash.to_string())
}

#[test]
fn concurrent_appends_are_all_kept_in_order_and_share_fsyncs() {
    const THREADS: usize = 8;
    const EACH: usize = 500;
    let dir = tempfile::tempdir().unwrap();
    let log = Arc::new(EvidenceLog::open(dir.path(), options()).unwrap());
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let log = log.clone();
            std::thread::spawn(move || {
                let mut last = 0;
                for i in 0..EACH {
                    let a = log
                        .append_blocking(action(&format!("t{t}"), &format!("{i}")))
                        .unwrap();
                    assert!(a.seq > last, "a thread's entries keep its order");
                    last = a.seq;
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let stats = log.stats();
    log.close();
    let total = (THREADS * EACH) as u64;
    assert_eq!((stats.entries, stats.acked), (total, total));
    assert!(
        stats.fsyncs < total && stats.batches < total && stats.max_batch > 1,
        "appends were not grouped: {stats:?}"
    );
    println!(
        "{total} appends in {} batches ({} fsyncs, largest batch {})",
        stats.batches, stats.fsyncs, stats.max_batch
    );

    let mut next = vec![0usize; THREADS];
    for (i, stored) in read_entries(dir.path()).unwrap().enumerate() {
        let stored = stored.unwrap();
        assert_eq!(stored.seq, i as u64 + 1);
        let Entry::Action(record) = stored.entry else {
            panic!("not an action")
        };
        let t: usize = record.session_id[1..].parse().unwrap();
        assert_eq!(record.action_id, next[t].to_string(), "thread {t} in order");
        next[t] += 1;
    }
    assert_eq!(next, vec![EACH; THREADS]);
    assert_eq!(verify(dir.path()).unwrap().entries, total);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_appends_from_many_tasks() {
    let dir = tempfile::tempdir().unwrap();
    let log = Arc::new(EvidenceLog::open(dir.path(), options()).unwrap());
    let tasks: Vec<_> = (0..64)
        .map(|t| {
            let log = log.clone();
            tokio::spawn(async move {
                for i in 0..10 {
                    log.append(action(&format!("t{t}"), &format!("{i}")))
                        .await
                        .unwrap();
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let stats = log.stats();
    assert_eq!(stats.entries, 640);
    assert!(stats.batches < 640, "{stats:?}");
    log.close();
    assert_eq!(verify(dir.path()).unwrap().entries, 640);
}

/// A fresh ten-entry log, damaged by `damage` (given the segment path).
fn damaged(damage: impl FnOnce(&Path)) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), 10, options());
    verify(dir.path()).unwrap();
    damage(&segment(dir.path(), 1));
    dir
}

#[test]
fn an_edited_byte_is_named() {
    let dir = damaged(|seg| {
        let mut l = lines(seg);
        l[4] = l[4].replace("echo a5", "echo a6");
        write_lines(seg, &l);
    });
    assert_break(
        &broken(dir.path()),
        &segment(dir.path(), 1),
        5,
        5,
        "edited: the line's content hashes to",
    );
}

#[test]
fn an_edited_seq_or_frame_is_named() {
    let dir = damaged(|seg| {
        let mut l = lines(seg);
        l[6] = l[6].replacen("{\"seq\":7", "{\"seq\":8", 1);
        write_lines(seg, &l);
    });
    assert_break(&broken(dir.path()), &segment(dir.path(), 1), 7, 7, "edited");

    let dir = damaged(|seg| {
        let mut l = lines(seg);
        l[2] = l[2].replacen("\"hash\":", "\"hash\" :", 1);
        write_lines(seg, &l);
    });
    assert_break(
        &broken(dir.path()),
        &segment(dir.path(), 1),
        3,
        3,
        "unparseable line",
    );
}

#[test]
fn a_deleted_line_is_named() {
    let dir = damaged(|seg| {
        let mut l = lines(seg);
        l.remove(3);
        write_lines(seg, &l);
    });
    assert_break(
        &broken(dir.path()),
        &segment(dir.path(), 1),
        4,
        4,
        "found seq 5 where 4 was expected: entry 4 is missing",
    );
}

#[test]
fn an_inserted_line_is_named() {
    let dir = damaged(|seg| {
        let mut l = lines(seg);
        let copy = l[2].clone();
        l.insert(6, copy);
        write_lines(seg, &l);
    });
    assert_break(
        &broken(dir.path()),
        &segment(dir.path(), 1),
        7,
        7,
        "found seq 3 where 7 was expected: a line was inserted",
    );
}

#[test]
fn a_forged_line_inserted_is_named_where_it_stops_linking() {
    // A line forged to link correctly (seq 5, prev = hash of 4, its own
    // hash right): the original seq 5 after it no longer fits.
    let dir = damaged(|seg| {
        let mut l = lines(seg);
        let prev = parse_line(l[3].as_bytes()).unwrap().hash;
        let entry = serde_json::to_vec(&action("s", "forged")).unwrap();
        let hash = link_hash(5, &prev, &entry);
        let mut forged = Vec::new();
        encode_line(&mut forged, 5, &prev, &hash, &entry);
        forged.pop();
        l.insert(4, String::from_utf8(forged).unwrap());
        write_lines(seg, &l);
    });
    assert_break(
        &broken(dir.path()),
        &segment(dir.path(), 1),
        6,
        6,
        "found seq 5 where 6 was expected",
    );
}

#[test]
fn swapped_lines_are_named() {
    let dir = damaged(|seg| {
        let mut l = lines(seg);
        l.swap(3, 4);
        write_lines(seg, &l);
    });
    assert_break(
        &broken(dir.path()),
        &segment(dir.path(), 1),
        4,
        4,
        "found seq 5 where 4 was expected",
    );
}

#[test]
fn a_truncated_last_entry_is_named() {
    let dir = damaged(|seg| {
        let len = std::fs::metadata(seg).unwrap().len();
        let file = std::fs::OpenOptions::new().write(true).open(seg).unwrap();
        file.set_len(len - 40).unwrap();
    });
    assert_break(
        &broken(dir.path()),
        &segment(dir.path(), 1),
        10,
        10,
        "truncated entry: the last line",
    );
}

#[test]
fn entries_removed_from_the_end_are_named_against_head() {
    let dir = damaged(|seg| {
        let mut l = lines(seg);
        l.truncate(8);
        write_lines(seg, &l);
    });
    assert_break(
        &broken(dir.path()),
        &segment(dir.path(), 1),
        9,
        9,
        "the log ends at seq 8 but HEAD records seq 10",
    );
    // And the log refuses to be continued.
    match EvidenceLog::open(dir.path(), options()) {
        Err(EvidenceError::Corrupt { detail, .. }) => {
            assert!(detail.contains("HEAD records seq 10"), "{detail}")
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn a_replaced_last_entry_with_its_hash_recomputed_is_named_against_head() {
    let dir = damaged(|seg| {
        let mut l = lines(seg);
        let prev = parse_line(l[8].as_bytes()).unwrap().hash;
        let entry = serde_json::to_vec(&action("s", "innocent")).unwrap();
        let hash = link_hash(10, &prev, &entry);
        let mut forged = Vec::new();
        encode_line(&mut forged, 10, &prev, &hash, &entry);
        forged.pop();
        l[9] = String::from_utf8(forged).unwrap();
        write_lines(seg, &l);
    });
    assert_break(
        &broken(dir.path()),
        &segment(dir.path(), 1),
        10,
        10,
        "HEAD records",
    );
}

#[test]
fn a_missing_middle_segment_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let small = EvidenceOptions {
        max_segment_bytes: 2048,
        ..options()
    };
    write_log(dir.path(), 20, small);
    assert!(segment(dir.path(), 3).exists());
    std::fs::remove_file(segment(dir.path(), 2)).unwrap();
    let at = broken(dir.path());
    assert_eq!(
        (at.file.as_path(), at.line),
        (segment(dir.path(), 3).as_path(), 1)
    );
    assert!(
        at.problem
            .contains("segment evidence-000002.jsonl is missing"),
        "{at}"
    );
}

#[test]
fn the_first_broken_link_is_the_one_reported() {
    let dir = damaged(|seg| {
        let mut l = lines(seg);
        l.swap(7, 8);
        l[2] = l[2].replace("echo a3", "echo a9");
        write_lines(seg, &l);
    });
    assert_eq!(broken(dir.path()).line, 3);
}

#[test]
fn a_torn_final_line_is_set_aside_on_reopen_never_chained_over() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), 5, options());
    let seg = segment(dir.path(), 1);
    let torn = "{\"seq\":6,\"prev\":\"sha256:12";
    let mut text = std::fs::read_to_string(&seg).unwrap();
    text.push_str(torn);
    std::fs::write(&seg, text).unwrap();
    assert_break(&broken(dir.path()), &seg, 6, 6, "truncated entry");

    let log = EvidenceLog::open(dir.path(), options()).unwrap();
    assert_eq!(log.append_blocking(action("s", "a6")).unwrap().seq, 6);
    log.close();
    let aside = dir.path().join("evidence-000001.jsonl.torn");
    assert_eq!(std::fs::read_to_string(aside).unwrap(), torn);
    let report = verify(dir.path()).unwrap();
    assert_eq!(report.entries, 6);
    assert_eq!(report.torn, vec!["evidence-000001.jsonl.torn".to_string()]);
}

#[test]
fn an_empty_segment_after_a_rotation_crash_is_continued() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), 3, options());
    std::fs::write(segment(dir.path(), 2), "").unwrap();
    let log = EvidenceLog::open(dir.path(), options()).unwrap();
    assert_eq!(log.append_blocking(action("s", "a4")).unwrap().seq, 4);
    log.close();
    let report = verify(dir.path()).unwrap();
    assert_eq!((report.entries, report.segments), (4, 2));
}

#[cfg(target_os = "linux")]
#[test]
fn a_failed_write_is_reported_and_the_log_fails_closed() {
    // The segment is /dev/full: every write fails with ENOSPC, as root too.
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink("/dev/full", segment(dir.path(), 1)).unwrap();
    let log = EvidenceLog::open(dir.path(), options()).unwrap();
    match log.append_blocking(action("s", "a1")) {
        Err(EvidenceError::Write { op, .. }) => assert_eq!(op, "writing"),
        other => panic!("expected a write error, got {other:?}"),
    }
    assert!(!log.is_healthy());
    let err = log.append_blocking(action("s", "a2")).unwrap_err();
    assert!(matches!(err, EvidenceError::Unhealthy { .. }), "{err}");
    assert!(err.to_string().contains("refuses every append"), "{err}");
    assert_eq!(log.stats().failed_batches, 1);
}

/// A write and an fsync to a segment whose directory was removed or moved
/// succeed, but the entry would be lost: the segment is no longer at its
/// path, so the append fails, and the log with it.
#[test]
fn a_vanished_or_moved_directory_fails_the_append_and_the_log() {
    let vanish = |dir: &Path| std::fs::remove_dir_all(dir).unwrap();
    let moved = |dir: &Path| std::fs::rename(dir, dir.with_file_name("elsewhere")).unwrap();
    for damage in [&vanish as &dyn Fn(&Path), &moved] {
        let parent = tempfile::tempdir().unwrap();
        let dir = parent.path().join("evidence");
        let log = EvidenceLog::open(&dir, options()).unwrap();
        log.append_blocking(action("s", "a1")).unwrap();
        // HEAD follows the answer; damaged before it is written, the log
        // would fail on HEAD instead of on the next append's check.
        eventually("HEAD recording seq 1", || {
            matches!(format::read_head(&dir), Ok(Some(Ok((1, _)))))
        });
        damage(&dir);
        let err = log.append_blocking(action("s", "a2")).unwrap_err();
        assert!(
            matches!(err, EvidenceError::Write { op: "checking", .. }),
            "{err}"
        );
        assert!(!log.is_healthy());
        assert!(log.append_blocking(action("s", "a3")).is_err());
    }
}

/// Polls until `done`, for what the writer does after answering.
fn eventually(what: &str, done: impl FnMut() -> bool) {
    crate::common::eventually(what, std::time::Duration::from_secs(2), done);
}

#[test]
fn head_catches_up_with_the_end_of_the_chain_while_the_log_stays_open() {
    let dir = tempfile::tempdir().unwrap();
    let log = EvidenceLog::open(dir.path(), options()).unwrap();
    let mut last = None;
    for i in 1..=3 {
        last = Some(log.append_blocking(action("s", &format!("a{i}"))).unwrap());
    }
    let last = last.unwrap();
    eventually("HEAD recording seq 3", || {
        matches!(format::read_head(dir.path()), Ok(Some(Ok((3, _)))))
    });
    let Ok(Some(Ok((seq, hash)))) = format::read_head(dir.path()) else {
        unreachable!()
    };
    assert_eq!((seq, hash.to_string()), (last.seq, last.hash));
    // Entries removed from the end are caught against it.
    drop(log);
    let mut l = lines(&segment(dir.path(), 1));
    l.truncate(2);
    write_lines(&segment(dir.path(), 1), &l);
    assert!(matches!(
        EvidenceLog::open(dir.path(), options()),
        Err(EvidenceError::Corrupt { .. })
    ));
}

#[test]
fn a_head_that_cannot_be_updated_turns_the_log_unhealthy() {
    let dir = tempfile::tempdir().unwrap();
    let log = EvidenceLog::open(dir.path(), options()).unwrap();
    // HEAD is written through HEAD.tmp: a directory there makes that fail.
    std::fs::create_dir(dir.path().join("HEAD.tmp")).unwrap();
    // The entry itself is synced before HEAD is touched, so it is kept.
    let appended = log.append_blocking(action("s", "a1")).unwrap();
    assert_eq!(appended.seq, 1);
    eventually("the log turning unhealthy", || !log.is_healthy());
    let err = log.append_blocking(action("s", "a2")).unwrap_err();
    assert!(matches!(err, EvidenceError::Unhealthy { .. }), "{err}");
    assert!(err.to_string().contains("updating"), "{err}");
    drop(log);
    std::fs::remove_dir(dir.path().join("HEAD.tmp")).unwrap();
    let entries: Vec<_> = read_entries(dir.path())
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(entries.len(), 1);
}

#[test]
fn one_writer_per_directory() {
    let dir = tempfile::tempdir().unwrap();
    let log = EvidenceLog::open(dir.path(), options()).unwrap();
    let second = EvidenceLog::open(dir.path(), options());
    assert!(
        matches!(second, Err(EvidenceError::Locked { .. })),
        "{second:?}"
    );
    log.close();
    drop(log);
    EvidenceLog::open(dir.path(), options()).unwrap();
}

#[test]
fn an_entry_that_would_not_read_back_is_refused_and_the_log_stays_healthy() {
    let dir = tempfile::tempdir().unwrap();
    let log = EvidenceLog::open(dir.path(), options()).unwrap();
    let Entry::Action(mut record) = action("s", "nan") else {
        unreachable!()
    };
    record.latency_ms = f64::NAN;
    let err = log.append_blocking(Entry::Action(record)).unwrap_err();
    assert!(matches!(err, EvidenceError::InvalidEntry(_)), "{err}");
    assert!(log.is_healthy());
    log.close();
    assert!(matches!(
        log.append_blocking(action("s", "late")),
        Err(EvidenceError::Closed { .. })
    ));
}

#[test]
fn reviews_and_outcomes_fold_into_their_record() {
    let dir = tempfile::tempdir().unwrap();
    let log = EvidenceLog::open(dir.path(), options()).unwrap();
    let Entry::Action(mut escalated) = action("s", "a1") else {
        unreachable!()
    };
    escalated.evaluation = Verdict::Escalate;
    let review = PrincipalReview {
        review_id: "r1".into(),
        by: "alice@example.com".into(),
        at: "2026-03-01T12:05:00Z".into(),
        verdict: Verdict::Allow,
        reason: "expected for this task".into(),
        expired: false,
    };
    for entry in [
        Entry::Action(escalated),
        action("other", "a1"),
        Entry::Review(ReviewEntry {
            session_id: "s".into(),
            action_id: "a1".into(),
            principal_review: review.clone(),
        }),
        Entry::Outcome(OutcomeEntry {
            session_id: "s".into(),
            action_id: "a1".into(),
            timestamp: "2026-03-01T12:06:00Z".into(),
            execution_result: json!({"exit_code": 0}),
        }),
    ] {
        log.append_blocking(entry).unwrap();
    }
    log.close();
    let folded = records(dir.path(), Some("s"), None).unwrap();
    assert_eq!(folded.len(), 1);
    assert_eq!(folded[0].evaluation, Verdict::Escalate);
    assert_eq!(folded[0].principal_review.as_ref(), Some(&review));
    assert_eq!(folded[0].execution_result, Some(json!({"exit_code": 0})));
    let other = records(dir.path(), Some("other"), Some("a1")).unwrap();
    assert_eq!(other[0].principal_review, None);
    assert_eq!(records(dir.path(), None, None).unwrap().len(), 2);
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn clawlaw(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_clawlaw"))
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn the_cli_verifies_and_names_the_break() {
    let dir = tempfile::tempdir().unwrap();
    let hashes = write_log(dir.path(), 10, options());
    let path = dir.path().to_str().unwrap();
    let ok = clawlaw(&["evidence", "verify", path]);
    assert_eq!(ok.code, 0, "{}{}", ok.stdout, ok.stderr);
    assert_eq!(
        ok.stdout.trim(),
        format!(
            "OK: 10 entries in 1 segments, last seq 10, head {}",
            hashes[9]
        )
    );

    let seg = segment(dir.path(), 1);
    let mut l = lines(&seg);
    l.remove(6);
    write_lines(&seg, &l);
    let bad = clawlaw(&["evidence", "verify", path]);
    assert_eq!(bad.code, 3, "{}{}", bad.stdout, bad.stderr);
    assert!(
        bad.stdout.starts_with(&format!(
            "BROKEN: {}:7 (seq 7): found seq 8 where 7 was expected",
            seg.display()
        )),
        "{}",
        bad.stdout
    );

    let shown = clawlaw(&["evidence", "show", path, "--session", "s"]);
    assert_eq!(shown.code, 3, "show refuses a broken log: {}", shown.stdout);

    let missing = clawlaw(&["evidence", "verify", &format!("{path}/nope")]);
    assert_eq!(missing.code, 2, "{}", missing.stderr);
    assert!(missing.stderr.contains("no such evidence directory"));
}

#[test]
fn the_cli_shows_folded_records() {
    let dir = tempfile::tempdir().unwrap();
    let log = EvidenceLog::open(dir.path(), options()).unwrap();
    log.append_blocking(action("s", "a1")).unwrap();
    log.append_blocking(action("s", "a2")).unwrap();
    log.append_blocking(Entry::Outcome(OutcomeEntry {
        session_id: "s".into(),
        action_id: "a2".into(),
        timestamp: "2026-03-01T12:06:00Z".into(),
        execution_result: json!({"exit_code": 1}),
    }))
    .unwrap();
    log.close();
    let path = dir.path().to_str().unwrap();
    let run = clawlaw(&["evidence", "show", path, "--session", "s", "--action", "a2"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let shown: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(shown.as_array().unwrap().len(), 1);
    assert_eq!(shown[0]["action_id"], "a2");
    assert_eq!(shown[0]["execution_result"], json!({"exit_code": 1}));
    assert_eq!(shown[0]["principal_review"], serde_json::Value::Null);
    for field in clawlaw_gate::evidence::record::RECORD_FIELDS {
        assert!(shown[0].get(field).is_some(), "{field}");
    }
    let compact = clawlaw(&["evidence", "show", path, "--session", "s", "--compact"]);
    assert_eq!(compact.stdout.trim().lines().count(), 1);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&compact.stdout)
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        2
    );
}
