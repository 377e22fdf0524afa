//! The compile cache loads only what this gate wrote, for exactly what it
//! claims to be: an entry renamed over another policy's, a tampered byte, or
//! an entry written without the key (an older gate's cache) is refused,
//! deleted and recompiled, and the gate decides as the real policy; an
//! info record moved or forged cannot make a one-shot load leave a policy
//! out, nor a digest record moved over another file's name it; and a FIFO
//! planted under an entry's name is neither waited on nor read.

use crate::common;

use std::path::PathBuf;
use std::sync::Arc;

use clawlaw_engine::engine::{Engine, EngineConfig};
use clawlaw_engine::policy_set::{OnLoadError, PolicySet, PolicyStatus};
use clawlaw_engine::{Action, Session, Verdict};
use sha2::{Digest, Sha256};

/// The bytes before an entry's payload: magic and tag (see `cache::seal`).
const HEADER: usize = 16 + 32;

/// A gate's cache and key, each in a directory of its own; every
/// [`Gate::restart`] is a new engine over them, as a restarted gate is.
pub(crate) struct Gate {
    pub(crate) cache: tempfile::TempDir,
    keys: tempfile::TempDir,
    preinitialize: bool,
}

impl Gate {
    pub(crate) fn new(preinitialize: bool) -> Gate {
        Gate {
            cache: tempfile::tempdir().unwrap(),
            keys: tempfile::tempdir().unwrap(),
            preinitialize,
        }
    }

    pub(crate) fn restart(&self) -> Arc<Engine> {
        self.restart_with_budget(clawlaw_engine::cache::prune::DEFAULT_MAX_BYTES)
    }

    /// [`Gate::restart`] with a cache of at most `max_bytes`.
    pub(crate) fn restart_with_budget(&self, max_bytes: u64) -> Arc<Engine> {
        Engine::new(&EngineConfig {
            cache_dir: Some(self.cache.path().to_path_buf()),
            cache_key: Some(self.keys.path().join("cache.key")),
            cache_max_bytes: max_bytes,
            max_sandboxes: 4,
            preinitialize: self.preinitialize,
            one_shot: false,
        })
        .unwrap()
    }

    /// The cached entry (`cwasm`, `snapshot` or `info`) whose name starts with
    /// `name`.
    fn entry(&self, name: &str, extension: &str) -> PathBuf {
        let found: Vec<PathBuf> = std::fs::read_dir(self.cache.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.extension() == Some(extension.as_ref())
                    && p.file_name().unwrap().to_str().unwrap().starts_with(name)
            })
            .collect();
        assert_eq!(
            found.len(),
            1,
            "one {extension} entry for {name}: {found:?}"
        );
        found.into_iter().next().unwrap()
    }

    pub(crate) fn entries(&self, extension: &str) -> Vec<PathBuf> {
        let mut all: Vec<PathBuf> = std::fs::read_dir(self.cache.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension() == Some(extension.as_ref()))
            .collect();
        all.sort();
        all
    }
}

/// shell-guard as bundled, and a policy that allows everything.
pub(crate) const GUARD: (&str, &str) = ("shell-guard", "{}");
pub(crate) const PERMISSIVE: (&str, &str) = ("hostile-policy", "{ mode = \"stateful\" }");

pub(crate) fn load(engine: &Arc<Engine>, policy: (&str, &str)) -> (PolicySet, PolicyStatus) {
    let set = PolicySet::load(
        engine,
        &common::one_policy_spec(policy.0, policy.1),
        OnLoadError::Refuse,
    )
    .unwrap();
    let status = set.policies()[0].clone();
    assert!(status.fault.is_none(), "{status:?}");
    (set, status)
}

fn digest_of(name: &str) -> String {
    hex::encode(Sha256::digest(
        std::fs::read(common::component(name)).unwrap(),
    ))
}

/// What the set decides about `rm -rf /`, and which policy's rules said so.
fn decide(set: &PolicySet) -> (Verdict, String) {
    let e = set.evaluate(
        &Action::shell("rm -rf /").in_dir("/work/app"),
        &Session::default(),
    );
    (e.evaluation, e.policies[0].policy.name.clone())
}

/// Asserts the gate decides as shell-guard does: DENY, by shell-guard.
pub(crate) fn assert_decides_as_the_guard(set: &PolicySet) {
    assert_eq!(decide(set), (Verdict::Deny, "shell-guard".to_string()));
}

#[test]
fn a_compiled_policy_renamed_over_another_policys_entry_is_refused_and_recompiled() {
    let gate = Gate::new(false);
    let engine = gate.restart();
    let (set, status) = load(&engine, GUARD);
    assert!(!status.cached, "a cold cache compiles");
    assert_decides_as_the_guard(&set);
    let (permissive, _) = load(&engine, PERMISSIVE);
    assert_eq!(decide(&permissive).0, Verdict::Allow);
    let guard_entry = gate.entry(&digest_of(GUARD.0), "cwasm");
    let permissive_entry = gate.entry(&digest_of(PERMISSIVE.0), "cwasm");
    let genuine = std::fs::read(&permissive_entry).unwrap();

    // The agent compiles its permissive policy through clawlaw and moves the
    // result over shell-guard's name.
    std::fs::copy(&permissive_entry, &guard_entry).unwrap();
    let engine = gate.restart();
    let (set, status) = load(&engine, GUARD);
    assert!(
        !status.cached,
        "the swapped entry is not loaded: {status:?}"
    );
    assert_decides_as_the_guard(&set);
    assert_ne!(
        std::fs::read(&guard_entry).unwrap(),
        genuine,
        "the swapped entry was replaced by the real policy's code"
    );

    // The swapped bytes were a sound entry, only under the wrong name: the
    // permissive policy's own entry still loads, and so does the
    // recompiled one.
    let engine = gate.restart();
    let (permissive, status) = load(&engine, PERMISSIVE);
    assert!(status.cached, "{status:?}");
    assert_eq!(decide(&permissive).0, Verdict::Allow);
    let (set, status) = load(&engine, GUARD);
    assert!(status.cached, "the recompiled entry is trusted: {status:?}");
    assert_decides_as_the_guard(&set);
}

/// shell-guard and then the permissive policy loaded (pre-initialised,
/// deciding as each should) on `engine`, and the record with `extension`
/// each load left: shell-guard's, then the permissive policy's.
fn records_of_both(gate: &Gate, engine: &Arc<Engine>, extension: &str) -> (PathBuf, PathBuf) {
    let (set, status) = load(engine, GUARD);
    assert!(status.preinitialized, "{status:?}");
    assert_decides_as_the_guard(&set);
    let records = gate.entries(extension);
    assert_eq!(
        records.len(),
        1,
        "shell-guard's {extension} record: {records:?}"
    );
    let guard_record = records[0].clone();
    let (permissive, status) = load(engine, PERMISSIVE);
    assert!(status.preinitialized, "{status:?}");
    assert_eq!(decide(&permissive).0, Verdict::Allow);
    let permissive_record = gate
        .entries(extension)
        .into_iter()
        .find(|p| *p != guard_record)
        .unwrap();
    (guard_record, permissive_record)
}

#[test]
fn a_snapshot_record_moved_over_another_policys_is_refused_and_the_snapshot_taken_again() {
    let gate = Gate::new(true);
    let engine = gate.restart();
    let (guard_record, permissive_record) = records_of_both(&gate, &engine, "snapshot");
    let original = std::fs::read(&guard_record).unwrap();

    // shell-guard's snapshot record now names the permissive snapshot,
    // whose code is in the cache, genuine.
    std::fs::copy(&permissive_record, &guard_record).unwrap();
    let engine = gate.restart();
    let (set, status) = load(&engine, GUARD);
    assert!(status.preinitialized, "{status:?}");
    assert_decides_as_the_guard(&set);
    // The snapshot was taken again and recorded as before: same key, same
    // snapshot, same tag.
    assert_eq!(std::fs::read(&guard_record).unwrap(), original);
}

#[test]
fn a_digest_record_moved_over_another_files_is_refused_and_the_file_hashed() {
    let gate = Gate::new(true);
    let engine = gate.restart();
    let (guard_record, permissive_record) = records_of_both(&gate, &engine, "digest");

    // shell-guard's file is now said to hash to the permissive policy's
    // digest, whose compiled code and snapshot are in the cache, genuine.
    std::fs::copy(&permissive_record, &guard_record).unwrap();
    let engine = gate.restart();
    let (set, status) = load(&engine, GUARD);
    assert_eq!(status.id.digest, format!("sha256:{}", digest_of(GUARD.0)));
    assert_decides_as_the_guard(&set);
}

/// shell-guard loaded as a gate loads it: offered the gate's facts first,
/// which it refuses.
fn load_offered_facts(engine: &Arc<Engine>) -> (PolicySet, PolicyStatus) {
    let mut spec = common::one_policy_spec(GUARD.0, GUARD.1);
    spec.gate_facts = Some(Default::default());
    let set = PolicySet::load(engine, &spec, OnLoadError::Refuse).unwrap();
    let status = set.policies()[0].clone();
    assert!(status.fault.is_none(), "{status:?}");
    (set, status)
}

#[test]
fn recorded_snapshots_and_refusals_spare_a_restart_the_plain_component() {
    let gate = Gate::new(true);
    let (set, status) = load_offered_facts(&gate.restart());
    assert!(status.preinitialized && !status.cached, "{status:?}");
    assert_decides_as_the_guard(&set);
    // Its snapshot, and that it refuses the facts, are both recorded.
    assert_eq!(gate.entries("snapshot").len(), 2);

    // A restart that finds both starts from the snapshot without the plain
    // component (nor a validate-settings call in it): its compiled code is
    // neither needed nor made again.
    let plain = gate.entry(&digest_of(GUARD.0), "cwasm");
    std::fs::remove_file(&plain).unwrap();
    let (set, status) = load_offered_facts(&gate.restart());
    assert!(status.preinitialized && status.cached, "{status:?}");
    assert_eq!(status.id.name, "shell-guard");
    assert_decides_as_the_guard(&set);
    assert!(!plain.exists(), "the plain component was compiled again");

    // Records that fail their tag are not believed: the whole load runs
    // again (the plain component compiled, the settings validated).
    for record in gate.entries("snapshot") {
        let mut bytes = std::fs::read(&record).unwrap();
        *bytes.last_mut().unwrap() ^= 1;
        std::fs::write(&record, bytes).unwrap();
    }
    let (set, status) = load_offered_facts(&gate.restart());
    assert!(status.preinitialized, "{status:?}");
    assert_decides_as_the_guard(&set);
    assert!(plain.exists(), "the plain component was not compiled");
    assert_eq!(gate.entries("snapshot").len(), 2);
}

#[test]
fn a_tampered_byte_in_a_cached_entry_is_refused_and_recompiled() {
    let gate = Gate::new(false);
    let (_, status) = load(&gate.restart(), GUARD);
    assert!(!status.cached);
    let entry = gate.entry(&digest_of(GUARD.0), "cwasm");
    let mut bytes = std::fs::read(&entry).unwrap();
    // One byte in the middle of the compiled code, one in the tag: both
    // refused.
    for at in [HEADER + (bytes.len() - HEADER) / 2, 20] {
        bytes[at] ^= 0x80;
        std::fs::write(&entry, &bytes).unwrap();
        let (set, status) = load(&gate.restart(), GUARD);
        assert!(!status.cached, "byte {at}: {status:?}");
        assert_decides_as_the_guard(&set);
        bytes = std::fs::read(&entry).unwrap();
        let (_, status) = load(&gate.restart(), GUARD);
        assert!(status.cached, "byte {at}: the recompiled entry loads");
    }
}

/// A cached entry is checked and then used as checked: rewriting it, or
/// cutting it short, under a policy loaded from it changes nothing that
/// policy does (the gate runs a sealed copy, not the file), and the next
/// load refuses what was written.
#[test]
fn a_cached_entry_rewritten_after_its_load_does_not_change_the_loaded_policy() {
    for preinitialize in [false, true] {
        let gate = Gate::new(preinitialize);
        load(&gate.restart(), GUARD);
        let (set, status) = load(&gate.restart(), GUARD);
        assert!(status.cached, "{status:?}");
        for entry in gate.entries("cwasm") {
            let bytes = std::fs::read(&entry).unwrap();
            let garbage: Vec<u8> = bytes.iter().map(|b| b ^ 0x5a).collect();
            std::fs::write(&entry, &garbage[..HEADER + 1]).unwrap();
        }
        for _ in 0..3 {
            assert_decides_as_the_guard(&set);
        }
        let (set, status) = load(&gate.restart(), GUARD);
        assert!(!status.cached, "a cut entry was loaded: {status:?}");
        assert_decides_as_the_guard(&set);
    }
}

#[test]
fn an_entry_written_without_the_key_is_refused() {
    let gate = Gate::new(false);
    let (_, status) = load(&gate.restart(), GUARD);
    assert!(!status.cached);
    let entry = gate.entry(&digest_of(GUARD.0), "cwasm");
    let sealed = std::fs::read(&entry).unwrap();
    // What an older gate wrote: wasmtime's serialized component, no tag.
    let untagged = sealed[HEADER..].to_vec();
    let engine = gate.restart();
    // SAFETY: the bytes this test's own engine serialized a moment ago.
    let loadable =
        unsafe { wasmtime::component::Component::deserialize(engine.wasmtime(), &untagged) };
    assert!(
        loadable.is_ok(),
        "the untagged bytes are sound compiled code"
    );
    std::fs::write(&entry, &untagged).unwrap();
    let (set, status) = load(&engine, GUARD);
    assert!(!status.cached, "{status:?}");
    assert_decides_as_the_guard(&set);
    assert!(
        std::fs::read(&entry)
            .unwrap()
            .starts_with(b"clawlaw-cache/2\n")
    );

    // Another gate's key (a cache dir shared with a gate whose key file is
    // elsewhere): its entries are not this gate's.
    let other = Engine::new(&EngineConfig {
        cache_dir: Some(gate.cache.path().to_path_buf()),
        cache_key: Some(gate.keys.path().join("other.key")),
        cache_max_bytes: clawlaw_engine::cache::prune::DEFAULT_MAX_BYTES,
        max_sandboxes: 4,
        preinitialize: false,
        one_shot: false,
    })
    .unwrap();
    let (set, status) = load(&other, GUARD);
    assert!(!status.cached, "{status:?}");
    assert_decides_as_the_guard(&set);
}

#[cfg(unix)]
#[test]
fn the_key_is_made_private_outside_the_cache_and_refused_inside_it() {
    use std::os::unix::fs::PermissionsExt;
    let gate = Gate::new(false);
    gate.restart();
    let key = gate.keys.path().join("cache.key");
    let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert_eq!(std::fs::metadata(&key).unwrap().len(), 32);

    let inside = Engine::new(&EngineConfig {
        cache_dir: Some(gate.cache.path().to_path_buf()),
        cache_key: Some(gate.cache.path().join("cache.key")),
        cache_max_bytes: clawlaw_engine::cache::prune::DEFAULT_MAX_BYTES,
        max_sandboxes: 4,
        preinitialize: false,
        one_shot: false,
    });
    let err = inside
        .err()
        .expect("a key inside the cache is refused")
        .to_string();
    assert!(err.contains("inside the cache directory"), "{err}");
    assert!(!gate.cache.path().join("cache.key").exists());

    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o640)).unwrap();
    let err = Engine::new(&EngineConfig {
        cache_dir: Some(gate.cache.path().to_path_buf()),
        cache_key: Some(key.clone()),
        cache_max_bytes: clawlaw_engine::cache::prune::DEFAULT_MAX_BYTES,
        max_sandboxes: 4,
        preinitialize: false,
        one_shot: false,
    })
    .err()
    .expect("a key others can read is refused")
    .to_string();
    assert!(err.contains("can be read by other users"), "{err}");
}

/// The record of what a policy's `info` said decides which policies a
/// one-shot process leaves out: a record of another policy (deploy-guard,
/// which judges only `k8s.apply`) moved over shell-guard's, or a forged
/// one, is refused, and shell-guard is loaded and judges the command.
#[test]
fn an_info_record_moved_or_forged_cannot_leave_a_policy_out() {
    let gate = Gate::new(false);
    let engine = gate.restart();
    let (_, status) = load(&engine, GUARD);
    assert!(
        status.kinds.contains(&"shell.exec".to_string()),
        "{status:?}"
    );
    load(&engine, ("deploy-guard", "{}"));
    let guard_info = gate.entry(&digest_of(GUARD.0), "info");
    let deploy_info = gate.entry(&digest_of("deploy-guard"), "info");
    let for_shell = |engine: &Arc<Engine>| {
        PolicySet::load_for_kind(
            engine,
            &common::one_policy_spec(GUARD.0, GUARD.1),
            OnLoadError::Refuse,
            "shell.exec",
        )
        .unwrap()
    };
    // Genuine: shell-guard judges shell commands, so it is loaded.
    assert_decides_as_the_guard(&for_shell(&gate.restart()));

    std::fs::copy(&deploy_info, &guard_info).unwrap();
    let set = for_shell(&gate.restart());
    assert_eq!(set.loaded().count(), 1, "moved record believed");
    assert_decides_as_the_guard(&set);

    let mut forged = std::fs::read(&guard_info).unwrap();
    forged.truncate(HEADER);
    forged.extend_from_slice(
        br#"{"name":"shell-guard","version":"9","rules":[],"kinds":["k8s.apply"]}"#,
    );
    std::fs::write(&guard_info, forged).unwrap();
    let set = for_shell(&gate.restart());
    assert_eq!(set.loaded().count(), 1, "forged record believed");
    assert_decides_as_the_guard(&set);
}

/// A FIFO planted under an entry's name (by an agent that can write the
/// cache directory) neither hangs a load, waiting for a writer to open it,
/// nor is read: it is removed and the policy compiled again.
#[test]
fn a_fifo_planted_under_an_entrys_name_neither_hangs_a_load_nor_is_read() {
    for preinitialize in [false, true] {
        let gate = Gate::new(preinitialize);
        load(&gate.restart(), GUARD);
        let planted: Vec<PathBuf> = ["cwasm", "snapshot", "info", "digest"]
            .iter()
            .flat_map(|extension| gate.entries(extension))
            .collect();
        for path in &planted {
            std::fs::remove_file(path).unwrap();
            let made = std::process::Command::new("mkfifo")
                .arg(path)
                .status()
                .unwrap();
            assert!(made.success(), "mkfifo {}", path.display());
        }
        let engine = gate.restart();
        let (done, finished) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let (set, status) = load(&engine, GUARD);
            let _ = done.send((decide(&set), status.cached));
        });
        let (decision, cached) = finished
            .recv_timeout(std::time::Duration::from_secs(120))
            .expect("a load waited on a planted FIFO");
        assert_eq!(decision, (Verdict::Deny, "shell-guard".to_string()));
        assert!(!cached, "preinitialize {preinitialize}");
        for path in &planted {
            let kind = std::fs::symlink_metadata(path).map(|m| m.file_type());
            assert!(
                kind.as_ref().map_or(true, |k| k.is_file()),
                "{} is still {kind:?}",
                path.display()
            );
        }
    }
}
