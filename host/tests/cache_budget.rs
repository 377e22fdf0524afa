//! The compile cache stays within its budget: a gate starting removes the
//! least recently used entries (an older policy version's, an older
//! wasmtime's) and keeps those its policies use; reading an entry marks it
//! used; a budget smaller than one policy's entries costs compiles, never a
//! decision.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::cache_auth::{GUARD, Gate, PERMISSIVE, assert_decides_as_the_guard, load};

const DAY: Duration = Duration::from_secs(24 * 3600);

/// Every file in the cache directory, with its size.
fn files(dir: &Path) -> Vec<(PathBuf, u64)> {
    let mut all: Vec<(PathBuf, u64)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (e.path(), e.metadata().unwrap().len())
        })
        .collect();
    all.sort();
    all
}

fn total(files: &[(PathBuf, u64)]) -> u64 {
    files.iter().map(|(_, len)| len).sum()
}

/// Makes `path` look last used `age` ago.
fn age(path: &Path, age: Duration) {
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(SystemTime::now() - age)
        .unwrap();
}

#[test]
fn a_starting_gate_removes_entries_unused_for_longest_and_keeps_its_own() {
    let gate = Gate::new(true);
    load(&gate.restart(), GUARD);
    let own = files(gate.cache.path());
    let own_bytes = total(&own);
    // What an older policy version or wasmtime build left: entries nobody
    // has read for a month, three times the size of the guard's.
    let stale: Vec<PathBuf> = (0..3)
        .map(|i| {
            let path = gate
                .cache
                .path()
                .join(format!("{i:064x}-00000000deadbeef.cwasm"));
            std::fs::write(&path, vec![0u8; own_bytes as usize]).unwrap();
            age(&path, 30 * DAY);
            path
        })
        .collect();

    // Twice what the guard needs: down to 1.5 times it, the oldest first.
    let engine = gate.restart_with_budget(own_bytes * 2);
    for path in &stale {
        assert!(!path.exists(), "{} outlived the budget", path.display());
    }
    assert_eq!(files(gate.cache.path()), own, "the gate's own entries stay");
    let (set, status) = load(&engine, GUARD);
    assert!(status.cached, "{status:?}");
    assert_decides_as_the_guard(&set);
}

#[test]
fn an_entry_read_is_marked_used_and_outlives_one_left_unread() {
    let gate = Gate::new(false);
    load(&gate.restart(), GUARD);
    let guards = files(gate.cache.path());
    load(&gate.restart(), PERMISSIVE);
    let all = files(gate.cache.path());
    for (path, _) in &all {
        age(path, 10 * DAY);
    }

    // A restart that loads the guard alone reads its entries, marking them.
    load(&gate.restart(), GUARD);
    let recent: Vec<PathBuf> = all
        .iter()
        .filter(|(path, _)| {
            let modified = std::fs::metadata(path).unwrap().modified().unwrap();
            SystemTime::now().duration_since(modified).unwrap() < DAY
        })
        .map(|(path, _)| path.clone())
        .collect();
    let guard_paths: Vec<PathBuf> = guards.iter().map(|(p, _)| p.clone()).collect();
    assert_eq!(
        recent, guard_paths,
        "the guard's entries, and only they, were marked"
    );

    // A budget the guard's entries fit in (at three quarters), the two
    // policies' do not: the permissive policy's go, its compiled code first
    // (the largest of them), until what is left fits.
    let budget = total(&guards) * 4 / 3 + 4096;
    assert!(
        total(&all) > budget,
        "the permissive policy's entries are too small for this test"
    );
    let engine = gate.restart_with_budget(budget);
    let left = files(gate.cache.path());
    assert!(total(&left) <= budget / 4 * 3, "{left:?}");
    for entry in &guards {
        assert!(left.contains(entry), "{} was removed", entry.0.display());
    }
    assert_eq!(gate.entries("cwasm").len(), 1, "{left:?}");
    let (set, status) = load(&engine, GUARD);
    assert!(status.cached, "{status:?}");
    assert_decides_as_the_guard(&set);
    let (_, status) = load(&engine, PERMISSIVE);
    assert!(
        !status.cached,
        "the permissive policy was compiled again: {status:?}"
    );
}

#[test]
fn a_budget_smaller_than_one_policy_costs_compiles_not_decisions() {
    let gate = Gate::new(true);
    for _ in 0..2 {
        let (set, status) = load(&gate.restart_with_budget(1), GUARD);
        assert!(!status.cached, "{status:?}");
        assert_decides_as_the_guard(&set);
        assert!(
            gate.entries("cwasm").is_empty(),
            "what was written beyond the budget is removed: {:?}",
            files(gate.cache.path())
        );
    }
}
