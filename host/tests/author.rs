//! The policy author's workflow as a user runs it: `clawlaw policy new`
//! makes a crate that builds and passes as generated, `policy build` makes
//! and checks the component, `policy test` runs YAML/JSON/TOML case files as
//! a table, `policy bench` times it; and the custom-policy example passes its
//! YAML cases as a component.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use sha2::Digest;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn clawlaw(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_clawlaw"));
    c.args(args)
        .env("CLAWLAW_CACHE_DIR", common::cache_dir())
        .env_remove("CLAWLAW_SDK_PATH")
        .env_remove("RUST_LOG");
    c
}

/// Where scaffolded crates build: under this repository's target/, kept
/// across runs so the SDK's dependencies build once.
fn scaffold_target() -> PathBuf {
    common::workspace_root().join("target").join("author-tests")
}

/// The custom-policy example built to a component (once per process), with
/// the profile the bundled policies use, so it shares their dependencies.
fn custom_policy() -> &'static Path {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let manifest = common::workspace_root().join("examples/custom-policy/Cargo.toml");
        let r = run(&mut clawlaw(&[
            "policy",
            "build",
            "--profile",
            "policy",
            "--json",
            "--manifest-path",
            manifest.to_str().unwrap(),
        ]));
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
        let out: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(out["name"], "migration-guard");
        PathBuf::from(out["component"].as_str().unwrap())
    })
}

#[test]
fn a_new_policy_builds_and_passes_its_tests_as_generated() {
    std::fs::create_dir_all(scaffold_target()).unwrap();
    let dir = tempfile::Builder::new()
        .prefix("crate-")
        .tempdir_in(scaffold_target())
        .unwrap();
    let krate = dir.path().join("no-git-writes");
    let sdk = common::workspace_root().join("sdk");
    let r = run(&mut clawlaw(&[
        "policy",
        "new",
        "no-git-writes",
        "--dir",
        krate.to_str().unwrap(),
        "--sdk-path",
        sdk.to_str().unwrap(),
    ]));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    for file in [
        "Cargo.toml",
        ".cargo/config.toml",
        "src/lib.rs",
        "cases.yaml",
        ".gitignore",
    ] {
        assert!(krate.join(file).is_file(), "{file} missing: {}", r.stdout);
    }
    assert!(r.stdout.contains("clawlaw policy build"), "{}", r.stdout);
    let manifest = std::fs::read_to_string(krate.join("Cargo.toml")).unwrap();
    assert!(manifest.contains("\n[workspace]\n"), "{manifest}");
    assert!(
        manifest.contains(&format!(
            "clawlaw-sdk = {{ path = \"{}\" }}",
            sdk.canonicalize().unwrap().display()
        )),
        "{manifest}"
    );
    // The same stack-size flag the bundled policies link with.
    let ours =
        std::fs::read_to_string(common::workspace_root().join(".cargo/config.toml")).unwrap();
    let flags = |text: &str| {
        text.lines()
            .skip_while(|l| l.trim() != "[target.wasm32-unknown-unknown]")
            .find(|l| l.starts_with("rustflags"))
            .map(str::to_string)
    };
    let theirs = std::fs::read_to_string(krate.join(".cargo/config.toml")).unwrap();
    assert!(flags(&ours).is_some());
    assert_eq!(flags(&ours), flags(&theirs));

    // Its native tests pass, as generated.
    let target = scaffold_target().join("target");
    let r = run(Command::new(env!("CARGO"))
        .current_dir(&krate)
        .args(["test", "--quiet"])
        .env("CARGO_TARGET_DIR", &target));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("test result: ok. 4 passed"),
        "{}",
        r.stdout
    );

    // It builds to a component that `policy build` checks.
    let r = run(clawlaw(&["policy", "build", "--json"])
        .current_dir(&krate)
        .env("CARGO_TARGET_DIR", &target));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let out: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(out["name"], "no-git-writes");
    assert_eq!(out["version"], "0.1.0");
    let component = PathBuf::from(out["component"].as_str().unwrap());
    assert!(
        component.starts_with(target.join("wasm32-unknown-unknown").join("release")),
        "{component:?}"
    );
    let bytes = std::fs::read(&component).unwrap();
    assert_eq!(out["size_bytes"], bytes.len());
    assert_eq!(out["sha256"], hex::encode(sha2::Sha256::digest(&bytes)));
    let rules: Vec<&str> = out["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(rules.contains(&"paths.protected"), "{rules:?}");

    // The text form says the same for people.
    let r = run(clawlaw(&[
        "policy",
        "build",
        "--manifest-path",
        krate.join("Cargo.toml").to_str().unwrap(),
    ])
    .env("CARGO_TARGET_DIR", &target));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.starts_with("built no-git-writes 0.1.0\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains(&format!("  sha256     {}", out["sha256"].as_str().unwrap())),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("exports clawlaw:policy"), "{}", r.stdout);

    // And the component passes the generated cases.
    let r = run(&mut clawlaw(&[
        "policy",
        "test",
        component.to_str().unwrap(),
        krate.join("cases.yaml").to_str().unwrap(),
    ]));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.ends_with("\n8 passed, 0 failed\n"), "{}", r.stdout);
}

#[test]
fn policy_new_refuses_bad_names_and_occupied_directories() {
    for bad in ["Bad", "9lives", "a_b", "a--b", "trailing-", "", "a/b"] {
        let r = run(&mut clawlaw(&[
            "policy",
            "new",
            bad,
            "--dir",
            "/nonexistent/x",
        ]));
        assert_eq!(r.code, 2, "{bad}: {}{}", r.stdout, r.stderr);
        assert!(
            r.stderr.contains("invalid policy name"),
            "{bad}: {}",
            r.stderr
        );
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("keep.txt"), "mine").unwrap();
    let r = run(&mut clawlaw(&[
        "policy",
        "new",
        "ok-name",
        "--dir",
        dir.path().to_str().unwrap(),
    ]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("exists and is not empty"), "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("keep.txt")).unwrap(),
        "mine"
    );

    let r = run(&mut clawlaw(&[
        "policy",
        "new",
        "ok-name",
        "--dir",
        dir.path().join("new").to_str().unwrap(),
        "--sdk-path",
        dir.path().to_str().unwrap(),
    ]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("no Cargo.toml"), "{}", r.stderr);

    // A git dependency when asked for one.
    let r = run(&mut clawlaw(&[
        "policy",
        "new",
        "via-git",
        "--dir",
        dir.path().join("git").to_str().unwrap(),
        "--sdk-git",
        "https://example.com/clawlaw.git",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let manifest = std::fs::read_to_string(dir.path().join("git/Cargo.toml")).unwrap();
    assert!(
        manifest.contains("clawlaw-sdk = { git = \"https://example.com/clawlaw.git\" }"),
        "{manifest}"
    );
    let lib = std::fs::read_to_string(dir.path().join("git/src/lib.rs")).unwrap();
    assert!(lib.contains("pub struct ViaGit;"), "{lib}");
    assert!(lib.contains("Info::new(\"via-git\""), "{lib}");
}

#[test]
fn policy_build_explains_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(&mut clawlaw(&[
        "policy",
        "build",
        "--manifest-path",
        dir.path().join("Cargo.toml").to_str().unwrap(),
    ]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("pass --manifest-path"), "{}", r.stderr);

    // A rustc whose wasm32-unknown-unknown standard library is not installed.
    let fake = dir.path().join("rustc");
    std::fs::write(
        &fake,
        "#!/bin/sh\necho /nonexistent/lib/rustlib/wasm32-unknown-unknown/lib\n",
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let manifest = common::workspace_root().join("examples/custom-policy/Cargo.toml");
    let r = run(clawlaw(&[
        "policy",
        "build",
        "--manifest-path",
        manifest.to_str().unwrap(),
    ])
    .env("RUSTC", &fake));
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("the wasm32-unknown-unknown target is not installed"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("rustup target add wasm32-unknown-unknown"),
        "{}",
        r.stderr
    );
}

#[test]
fn the_custom_policy_component_passes_its_yaml_cases() {
    let component = custom_policy();
    let cases = common::workspace_root().join("examples/custom-policy/cases.yaml");
    let r = run(&mut clawlaw(&[
        "policy",
        "test",
        component.to_str().unwrap(),
        cases.to_str().unwrap(),
    ]));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert!(
        lines[0].starts_with("migration-guard 0.1.0 ("),
        "{}",
        r.stdout
    );
    let header: Vec<&str> = lines[2].split_whitespace().collect();
    assert_eq!(
        header,
        ["case", "expected", "got", "rules", "time"],
        "{}",
        r.stdout
    );
    let rows = lines.iter().filter(|l| l.starts_with("PASS  ")).count();
    assert_eq!(rows, 15, "{}", r.stdout);
    assert!(
        r.stdout.contains("ESCALATE  ESCALATE  migration-guard")
            || r.stdout
                .contains("ESCALATE  ESCALATE  migrations.destructive"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.ends_with("\n15 passed, 0 failed\n"),
        "{}",
        r.stdout
    );
}

#[test]
fn policy_test_reads_json_and_explains_failures() {
    let component = custom_policy();
    let dir = tempfile::tempdir().unwrap();
    let cases = dir.path().join("cases.json");
    std::fs::write(
        &cases,
        r#"{"case": [
  {"name": "a migration outside the intent", "expect": "deny", "rules": ["migrations.no-intent"],
   "action": {"kind": "file.write", "target": "/work/app/db/migrations/1.sql", "content": ""},
   "session": {"intent": "fix a test"}},
  {"name": "wrongly expected to pass", "expect": "allow",
   "action": {"kind": "shell.exec", "command": "diesel migration run", "cwd": "/work/app"}}
]}"#,
    )
    .unwrap();
    let r = run(&mut clawlaw(&[
        "policy",
        "test",
        component.to_str().unwrap(),
        cases.to_str().unwrap(),
    ]));
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains(
            "\nPASS  a migration outside the intent  DENY      DENY      migrations.no-intent"
        ),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(
            "\nFAIL  wrongly expected to pass        ALLOW     DENY      migrations.no-intent"
        ),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("\nfailures:\nFAIL  wrongly expected to pass  expected ALLOW, got DENY\n      reason: migration-guard") || r.stdout.contains("\nfailures:\nFAIL  wrongly expected to pass  expected ALLOW, got DENY\n      reason: `diesel migration`"), "{}", r.stdout);
    assert!(r.stdout.ends_with("\n1 passed, 1 failed\n"), "{}", r.stdout);

    // A case file in an unknown format, or malformed, is a usage error naming it.
    let txt = dir.path().join("cases.txt");
    std::fs::write(&txt, "case = []").unwrap();
    let r = run(&mut clawlaw(&[
        "policy",
        "test",
        component.to_str().unwrap(),
        txt.to_str().unwrap(),
    ]));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("must end in .toml, .yaml, .yml or .json"),
        "{}",
        r.stderr
    );
    let yaml = dir.path().join("cases.yaml");
    std::fs::write(
        &yaml,
        "case:\n  - name: x\n    action: {kind: file.read}\n    expect: sometimes\n",
    )
    .unwrap();
    let r = run(&mut clawlaw(&[
        "policy",
        "test",
        component.to_str().unwrap(),
        yaml.to_str().unwrap(),
    ]));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("cases.yaml") && r.stderr.contains("sometimes"),
        "{}",
        r.stderr
    );
}

#[test]
fn policy_bench_times_fresh_instances() {
    let component = custom_policy();
    let r = run(&mut clawlaw(&[
        "policy",
        "bench",
        component.to_str().unwrap(),
        "--iterations",
        "200",
    ]));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.starts_with("migration-guard 0.1.0 ("),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains(": 200 evaluations, each in a fresh instance of the pre-initialised snapshot; verdict ALLOW"),
        "{}",
        r.stdout
    );
    for field in ["min ", "p50 ", "p99 ", "max ", "evaluations/s"] {
        assert!(r.stdout.contains(field), "{field}: {}", r.stdout);
    }

    let dir = tempfile::tempdir().unwrap();
    let action = dir.path().join("action.json");
    std::fs::write(&action, r#"{"kind":"file.write","target":"/work/app/db/migrations/2.sql","content":"DROP TABLE users;"}"#).unwrap();
    let session = dir.path().join("session.json");
    std::fs::write(&session, r#"{"intent":"a migration"}"#).unwrap();
    let r = run(&mut clawlaw(&[
        "policy",
        "bench",
        component.to_str().unwrap(),
        "-n",
        "20",
        "--action",
        action.to_str().unwrap(),
        "--session",
        session.to_str().unwrap(),
    ]));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("verdict ESCALATE"), "{}", r.stdout);

    std::fs::write(&action, r#"{"kind": 3}"#).unwrap();
    let r = run(&mut clawlaw(&[
        "policy",
        "bench",
        component.to_str().unwrap(),
        "--action",
        action.to_str().unwrap(),
    ]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("action.json (action)"), "{}", r.stderr);
    let r = run(&mut clawlaw(&[
        "policy",
        "bench",
        component.to_str().unwrap(),
        "--iterations",
        "0",
    ]));
    assert_eq!(r.code, 2, "{}", r.stderr);
}
