//! Source file sizes: every `.rs` file under the workspace crates'
//! directories (never `target/` or `corpora/`), counted as lines before the
//! file's tests (the first `#[cfg(test)]` at column 0) and in total.
//!
//! Test files are told apart and never held to the size limit: a file under a
//! crate's `tests/` or `benches/` directory, or a file named `tests.rs` (the
//! body of a `#[cfg(test)] mod tests;`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// One source file's size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSize {
    /// Relative to the workspace root.
    pub path: PathBuf,
    pub before_tests: usize,
    pub total: usize,
    pub test: bool,
}

/// `(lines before the first column-0 #[cfg(test)], all lines)`.
pub fn count_lines(text: &str) -> (usize, usize) {
    let total = text.lines().count();
    let before = text
        .lines()
        .position(|line| line.starts_with("#[cfg(test)]"))
        .unwrap_or(total);
    (before, total)
}

/// Whether `path`, relative to its crate's directory, is a test file.
pub fn is_test_file(path: &Path) -> bool {
    let in_test_dir = path
        .parent()
        .into_iter()
        .flat_map(Path::components)
        .any(|c| c.as_os_str() == "tests" || c.as_os_str() == "benches");
    in_test_dir || path.file_name().is_some_and(|name| name == "tests.rs")
}

/// Every `.rs` file of the crates in `crate_dirs`, largest (before tests)
/// first. A crate directory inside another is walked as its own crate.
pub fn measure(root: &Path, crate_dirs: &BTreeSet<PathBuf>) -> Result<Vec<FileSize>, String> {
    let mut files = Vec::new();
    for dir in crate_dirs {
        let mut found = Vec::new();
        walk(dir, dir, crate_dirs, &mut found)?;
        for file in found {
            let text =
                std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let (before_tests, total) = count_lines(&text);
            let in_crate = file.strip_prefix(dir).unwrap_or(&file);
            files.push(FileSize {
                test: is_test_file(in_crate),
                path: file.strip_prefix(root).unwrap_or(&file).to_path_buf(),
                before_tests,
                total,
            });
        }
    }
    files.sort_by(|a, b| {
        (b.before_tests, b.total)
            .cmp(&(a.before_tests, a.total))
            .then_with(|| a.path.cmp(&b.path))
    });
    Ok(files)
}

fn walk(
    dir: &Path,
    crate_dir: &Path,
    crate_dirs: &BTreeSet<PathBuf>,
    out: &mut Vec<PathBuf>,
) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: {e}", dir.display()))?;
        let path = entry.path();
        let name = entry.file_name();
        let kind = entry
            .file_type()
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if kind.is_dir() {
            let skipped = name == "target"
                || name == "corpora"
                || name.to_string_lossy().starts_with('.')
                || (path != crate_dir && crate_dirs.contains(&path));
            if !skipped {
                walk(&path, crate_dir, crate_dirs, out)?;
            }
        } else if kind.is_file() && path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_before_tests_stop_at_the_first_column_zero_cfg_test() {
        let text = "fn a() {}\n\nmod inner {\n    #[cfg(test)]\n    fn t() {}\n}\n#[cfg(test)]\nmod tests {\n}\n";
        assert_eq!(count_lines(text), (6, 9));
        assert_eq!(count_lines("fn a() {}\nfn b() {}\n"), (2, 2));
        assert_eq!(count_lines(""), (0, 0));
    }

    #[test]
    fn test_files_are_recognised_relative_to_their_crate() {
        assert!(is_test_file(Path::new("tests/gate.rs")));
        assert!(is_test_file(Path::new("tests/gate/common.rs")));
        assert!(is_test_file(Path::new("benches/evaluate.rs")));
        assert!(is_test_file(Path::new("src/shell/tests.rs")));
        assert!(!is_test_file(Path::new("src/shell.rs")));
        assert!(!is_test_file(Path::new("src/tests_support.rs")));
        assert!(!is_test_file(Path::new("lib.rs")));
    }

    #[test]
    fn measure_walks_crates_skipping_target_corpora_and_nested_crates() {
        let root = tempfile::tempdir().unwrap();
        let write = |rel: &str, text: &str| {
            let path = root.path().join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write("a/src/lib.rs", "1\n2\n3\n#[cfg(test)]\nmod tests {}\n");
        write("a/src/big.rs", "1\n2\n3\n4\n");
        write("a/tests/it.rs", "1\n2\n3\n4\n5\n6\n");
        write("a/target/debug/build/out.rs", "1\n2\n3\n4\n5\n6\n7\n");
        write("a/corpora/sample.rs", "1\n2\n3\n4\n5\n6\n7\n");
        write("a/inner/src/lib.rs", "1\n");
        let dirs = BTreeSet::from([root.path().join("a"), root.path().join("a/inner")]);
        let files = measure(root.path(), &dirs).unwrap();
        let seen: Vec<(String, usize, usize, bool)> = files
            .iter()
            .map(|f| {
                let path = f.path.to_string_lossy().into_owned();
                (path, f.before_tests, f.total, f.test)
            })
            .collect();
        assert_eq!(
            seen,
            vec![
                ("a/tests/it.rs".to_string(), 6, 6, true),
                ("a/src/big.rs".to_string(), 4, 4, false),
                ("a/src/lib.rs".to_string(), 3, 5, false),
                ("a/inner/src/lib.rs".to_string(), 1, 1, false),
            ]
        );
    }
}
