//! Where the paths a file policy judges come from: the paths a file action
//! names, its working directory, the home directory that expands `~`, and
//! the workspace roots a session's scope declares.
//!
//! These are derivations, not judgements: every bundled policy that looks
//! at file paths derives them the same way, then decides on its own what a
//! path may do. Normalisation and containment are [`crate::path`]'s.

use crate::glob::is_glob;
use crate::path::{home_of, normalize};
use crate::{Action, kinds};

/// The tool input fields a file tool names its path in, by preference.
const PATH_FIELDS: [&str; 3] = ["file_path", "path", "notebook_path"];

/// The path a file action names: its `target`, else the tool input's
/// `file_path`, `path` or `notebook_path` (an empty string names nothing).
/// `input` is the action's [`Action::input_json`], parsed once by the caller.
pub fn file_path(action: &Action, input: &serde_json::Value) -> Option<String> {
    action.target.clone().filter(|t| !t.is_empty()).or_else(|| {
        PATH_FIELDS.iter().find_map(|k| {
            input
                .get(*k)
                .and_then(|v| v.as_str())
                .filter(|p| !p.is_empty())
                .map(String::from)
        })
    })
}

/// Every path a file action names: [`file_path`], then, for a
/// `file.delete`, each string of the input's `paths` list not named yet.
pub fn file_paths(action: &Action, input: &serde_json::Value) -> Vec<String> {
    let mut out: Vec<String> = file_path(action, input).into_iter().collect();
    if action.kind == kinds::FILE_DELETE
        && let Some(list) = input.get("paths").and_then(|v| v.as_array())
    {
        for p in list.iter().filter_map(|v| v.as_str()) {
            if !out.iter().any(|o| o == p) {
                out.push(p.to_string());
            }
        }
    }
    out
}

/// The action's working directory when it is absolute: a relative one is
/// no working directory.
pub fn cwd(action: &Action) -> Option<&str> {
    action.cwd.as_deref().filter(|c| c.starts_with('/'))
}

/// The home directory that expands `~`: the `setting` when there is one,
/// else the one the working directory's location suggests
/// ([`home_of`]: `/home/<user>/…` → `/home/<user>`, `/root/…` → `/root`).
pub fn home(setting: Option<&str>, cwd: Option<&str>) -> Option<String> {
    setting.map(String::from).or_else(|| cwd.and_then(home_of))
}

/// Checks a `home` setting: it must be an absolute path that normalises.
/// Returns it normalised (`None` when the setting is absent).
pub fn validate_home(setting: Option<&str>) -> Result<Option<String>, String> {
    match setting {
        None => Ok(None),
        Some(h) if !h.starts_with('/') => Err(format!("home {h:?} is not an absolute path")),
        Some(h) => normalize(h, None, None)
            .map(Some)
            .map_err(|e| format!("home {h:?}: {e}")),
    }
}

/// The workspace root one session scope entry declares, normalised with
/// `home`: an absolute path, also with a trailing `/**` or `/*`
/// (`/work/app/**` declares `/work/app`, a bare `/**` declares `/`), or a
/// `~` path that expands (`~/proj` with a known home, `~alice/proj`). Any
/// other entry — `host:…`, `tool:…`, a glob such as `/work/*/x`, a name, a
/// relative path — declares none.
pub fn scope_root(entry: &str, home: Option<&str>) -> Option<String> {
    let e = entry.trim();
    let e = e
        .strip_suffix("/**")
        .or_else(|| e.strip_suffix("/*"))
        .unwrap_or(e);
    let e = if e.is_empty() { "/" } else { e };
    if !(e.starts_with('/') || e.starts_with('~')) || is_glob(e) {
        return None;
    }
    normalize(e, None, home).ok()
}

/// The distinct roots the entries of a session's scope declare
/// ([`scope_root`]), in the order of the entries.
pub fn scope_roots<I, S>(scope: I, home: Option<&str>) -> Vec<String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut roots: Vec<String> = Vec::new();
    for entry in scope {
        if let Some(root) = scope_root(entry.as_ref(), home)
            && !roots.contains(&root)
        {
            roots.push(root);
        }
    }
    roots
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOME: Option<&str> = Some("/home/dev");

    fn with_input(kind: &str, target: Option<&str>, input: serde_json::Value) -> Action {
        Action {
            target: target.map(String::from),
            input: input.to_string(),
            ..Action::new(kind)
        }
    }

    #[test]
    fn the_path_is_the_target_else_the_first_path_field() {
        let a = with_input(
            kinds::FILE_READ,
            Some("a.rs"),
            serde_json::json!({"file_path": "b.rs"}),
        );
        assert_eq!(file_path(&a, &a.input_json()).as_deref(), Some("a.rs"));
        let a = with_input(
            kinds::FILE_READ,
            Some(""),
            serde_json::json!({"file_path": "", "path": "p.rs", "notebook_path": "n.ipynb"}),
        );
        assert_eq!(file_path(&a, &a.input_json()).as_deref(), Some("p.rs"));
        let a = with_input(
            kinds::FILE_WRITE,
            None,
            serde_json::json!({"notebook_path": "n.ipynb"}),
        );
        assert_eq!(file_path(&a, &a.input_json()).as_deref(), Some("n.ipynb"));
        let a = with_input(kinds::FILE_READ, None, serde_json::json!({"file_path": 7}));
        assert_eq!(file_path(&a, &a.input_json()), None);
        assert_eq!(file_paths(&a, &a.input_json()), Vec::<String>::new());
    }

    #[test]
    fn a_delete_also_names_its_paths_list_once_each() {
        let input =
            serde_json::json!({"path": "a.txt", "paths": ["b.txt", "a.txt", 3, "b.txt", "c.txt"]});
        let a = with_input(kinds::FILE_DELETE, None, input.clone());
        assert_eq!(file_paths(&a, &input), ["a.txt", "b.txt", "c.txt"]);
        let a = with_input(kinds::FILE_WRITE, None, input.clone());
        assert_eq!(
            file_paths(&a, &input),
            ["a.txt"],
            "only a delete lists paths"
        );
        let a = with_input(
            kinds::FILE_DELETE,
            None,
            serde_json::json!({"paths": ["x", "y"]}),
        );
        assert_eq!(file_paths(&a, &a.input_json()), ["x", "y"]);
    }

    #[test]
    fn only_an_absolute_cwd_counts() {
        let a = Action::read("x");
        assert_eq!(cwd(&a), None);
        assert_eq!(cwd(&a.clone().in_dir("/work/app")), Some("/work/app"));
        assert_eq!(cwd(&a.clone().in_dir("work/app")), None);
        assert_eq!(cwd(&a.in_dir("~/app")), None);
    }

    #[test]
    fn home_is_the_setting_else_the_cwds_location() {
        assert_eq!(
            home(Some("/srv/home"), Some("/home/dev/app")).as_deref(),
            Some("/srv/home")
        );
        assert_eq!(
            home(None, Some("/home/dev/app")).as_deref(),
            Some("/home/dev")
        );
        assert_eq!(home(None, Some("/root/x")).as_deref(), Some("/root"));
        assert_eq!(home(None, Some("/work/app")), None);
        assert_eq!(home(None, None), None);
    }

    #[test]
    fn a_home_setting_must_be_absolute_and_normalise() {
        assert_eq!(validate_home(None), Ok(None));
        assert_eq!(
            validate_home(Some("/home//dev/")),
            Ok(Some("/home/dev".into()))
        );
        assert_eq!(
            validate_home(Some("dev")),
            Err("home \"dev\" is not an absolute path".into())
        );
        assert!(validate_home(Some("~/x")).is_err());
        assert_eq!(
            validate_home(Some("/a\0b")),
            Err("home \"/a\\0b\": path contains a NUL byte".into())
        );
    }

    #[test]
    fn scope_entries_that_declare_roots() {
        let r = |e: &str| scope_root(e, HOME);
        assert_eq!(r("/work/app").as_deref(), Some("/work/app"));
        assert_eq!(r(" /work/app/ ").as_deref(), Some("/work/app"));
        assert_eq!(r("/work/app/**").as_deref(), Some("/work/app"));
        assert_eq!(r("/work/app/*").as_deref(), Some("/work/app"));
        assert_eq!(r("/work/./app/../lib").as_deref(), Some("/work/lib"));
        assert_eq!(r("/**").as_deref(), Some("/"));
        assert_eq!(r("/").as_deref(), Some("/"));
        assert_eq!(r("~").as_deref(), Some("/home/dev"));
        assert_eq!(r("~/proj/**").as_deref(), Some("/home/dev/proj"));
        assert_eq!(r("~alice/proj").as_deref(), Some("/home/alice/proj"));
        assert_eq!(r("~root").as_deref(), Some("/root"));
        assert_eq!(scope_root("~/proj", None), None, "no home to expand");
        assert_eq!(
            scope_root("~alice/proj", None).as_deref(),
            Some("/home/alice/proj")
        );
        for none in [
            "host:api.github.com",
            "tool:Bash",
            "github.com",
            "Bash",
            "/work/*/x",
            "/work/{a,b}",
            "/work/app/**/src",
            "relative/dir",
            "$HOME/x",
            "~+/x",
            "/work/a\0b",
        ] {
            assert_eq!(r(none), None, "{none:?}");
        }
    }

    #[test]
    fn scope_roots_are_distinct_and_in_order() {
        let scope = [
            "host:github.com",
            "/work/app/**",
            "~/proj",
            "/work/app",
            "tool:Read",
            "/work/lib/",
        ];
        assert_eq!(
            scope_roots(scope, HOME),
            ["/work/app", "/home/dev/proj", "/work/lib"]
        );
        assert_eq!(scope_roots(scope, None), ["/work/app", "/work/lib"]);
        assert!(scope_roots(Vec::<String>::new(), HOME).is_empty());
    }
}
