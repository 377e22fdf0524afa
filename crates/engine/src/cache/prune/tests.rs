use std::fs::File;
use std::path::Path;
use std::time::{Duration, SystemTime};

use super::*;

const HOUR: Duration = Duration::from_secs(3600);

/// Writes `len` bytes to `dir/name`, last used `age` before `now`.
fn file(dir: &Path, name: &str, len: usize, now: SystemTime, age: Duration) {
    let path = dir.join(name);
    std::fs::write(&path, vec![7u8; len]).unwrap();
    File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(now - age)
        .unwrap();
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_cache_within_its_budget_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let now = SystemTime::now();
    file(dir.path(), "a-e.cwasm", 400, now, 90 * 24 * HOUR);
    file(dir.path(), "b-e.snapshot", 100, now, HOUR);
    let pruned = prune(dir.path(), 500, now).unwrap();
    assert_eq!(
        pruned,
        Pruned {
            kept_bytes: 500,
            ..Pruned::default()
        }
    );
    assert_eq!(names(dir.path()), ["a-e.cwasm", "b-e.snapshot"]);
}

#[test]
fn the_least_recently_used_go_first_down_to_three_quarters_of_the_budget() {
    let dir = tempfile::tempdir().unwrap();
    let now = SystemTime::now();
    // 1,000 bytes against a budget of 800: down to 600 or less, oldest first.
    file(dir.path(), "oldest-e.cwasm", 300, now, 10 * HOUR);
    file(dir.path(), "older-e.info", 100, now, 9 * HOUR);
    file(dir.path(), "old-e.digest", 100, now, 8 * HOUR);
    file(dir.path(), "recent-e.snapshot", 200, now, 2 * HOUR);
    file(dir.path(), "newest-e.cwasm", 300, now, Duration::ZERO);
    let pruned = prune(dir.path(), 800, now).unwrap();
    assert_eq!(
        pruned,
        Pruned {
            removed: 2,
            freed_bytes: 400,
            kept_bytes: 600,
            stale_temps: 0,
        }
    );
    assert_eq!(
        names(dir.path()),
        ["newest-e.cwasm", "old-e.digest", "recent-e.snapshot"]
    );
}

#[test]
fn only_the_caches_own_files_are_counted_and_removed() {
    let dir = tempfile::tempdir().unwrap();
    let now = SystemTime::now();
    file(dir.path(), "notes.txt", 5_000, now, 100 * HOUR);
    file(dir.path(), "a-e.cwasm", 300, now, 10 * HOUR);
    std::fs::create_dir(dir.path().join("sub.cwasm")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink("/etc/hostname", dir.path().join("link-e.cwasm")).unwrap();
    let pruned = prune(dir.path(), 1_000, now).unwrap();
    assert_eq!(pruned.removed, 0);
    assert_eq!(pruned.kept_bytes, 300);
    assert!(dir.path().join("notes.txt").exists());
    assert!(dir.path().join("sub.cwasm").is_dir());
}

#[test]
fn temporary_files_of_dead_writes_are_removed_once_stale() {
    let dir = tempfile::tempdir().unwrap();
    let now = SystemTime::now();
    file(dir.path(), ".tmpDEAD01", 10_000, now, 2 * STALE_TEMP);
    file(
        dir.path(),
        ".tmpLIVE01",
        10_000,
        now,
        Duration::from_secs(5),
    );
    let pruned = prune(dir.path(), 1 << 20, now).unwrap();
    assert_eq!(pruned.stale_temps, 1);
    assert_eq!(
        pruned.kept_bytes, 0,
        "a write's temporary file is not an entry"
    );
    assert_eq!(names(dir.path()), [".tmpLIVE01"]);
}

#[test]
fn an_entry_is_marked_used_only_when_its_mark_is_old() {
    let dir = tempfile::tempdir().unwrap();
    let now = SystemTime::now();
    file(dir.path(), "stale-e.cwasm", 10, now, 5 * MARK_AFTER);
    file(dir.path(), "fresh-e.cwasm", 10, now, MARK_AFTER / 2);
    let modified = |name: &str| {
        std::fs::metadata(dir.path().join(name))
            .unwrap()
            .modified()
            .unwrap()
    };
    let before = modified("fresh-e.cwasm");
    for name in ["stale-e.cwasm", "fresh-e.cwasm"] {
        mark_used(&File::open(dir.path().join(name)).unwrap(), now);
    }
    assert_eq!(modified("stale-e.cwasm"), now);
    assert_eq!(modified("fresh-e.cwasm"), before);
}

#[test]
fn a_missing_directory_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let gone = dir.path().join("gone");
    assert!(prune(&gone, 1, SystemTime::now()).is_err());
}
