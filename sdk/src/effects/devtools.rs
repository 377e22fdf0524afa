//! What build tools' housekeeping commands delete: `cargo clean` removes
//! the target directory, where a gate started from the workspace keeps its
//! policies and evidence. And the programs a language's tool installer
//! writes into a directory on the user's `PATH`, by the names they will be
//! run by: `cargo install --bin NAME`, `go install …/cmd/NAME@v`, `pipx
//! install NAME`, `uv tool install NAME` — a program installed as the
//! gate's (`cargo install --path fake --bin clawlaw`) answers its hooks.

use super::context::{Cx, Kind};
use super::options::parse;
use crate::shell::Word;

/// `cargo clean`: the target directory (`--target-dir`, else a
/// `CARGO_TARGET_DIR` set on the command, else `target` beside the
/// `--manifest-path`, else `target` under the working directory; a
/// workspace root above the manifest is not looked for), or one profile's
/// part of it (`--release`, `--profile P`, `--doc`). `-p` cleans one
/// package's artefacts inside it, `-n` nothing.
pub(crate) fn cargo_clean(cx: &mut Cx, args: &[Word]) {
    let p = parse(
        args,
        "pZ",
        "",
        &[
            "package",
            "target-dir",
            "profile",
            "manifest-path",
            "target",
            "config",
            "color",
        ],
    );
    if p.has(&["p", "package", "n", "dry-run"]) {
        return;
    }
    let sub = match p.value(&["profile"]) {
        Some((w, f)) => match &w.text[f..] {
            "dev" | "test" => "/debug".to_string(),
            "bench" => "/release".to_string(),
            other => format!("/{other}"),
        },
        None if p.has(&["r", "release"]) => "/release".into(),
        None if p.has(&["doc"]) => "/doc".into(),
        None => String::new(),
    };
    let from_env = cx
        .cmd()
        .assignments
        .iter()
        .rev()
        .find(|a| a.name == "CARGO_TARGET_DIR")
        .map(|a| a.value.text.clone());
    let dir = match (
        p.value(&["target-dir"]),
        from_env,
        p.value(&["manifest-path"]),
    ) {
        (Some((w, f)), _, _) => Word::literal(format!("{}{sub}", &w.text[f..])),
        (None, Some(dir), _) => Word::literal(format!("{dir}{sub}")),
        (None, None, Some((w, f))) => {
            let manifest = &w.text[f..];
            let dir = manifest
                .rsplit_once('/')
                .map_or(".", |(d, _)| if d.is_empty() { "/" } else { d });
            Word::literal(format!("{dir}/target{sub}"))
        }
        (None, None, None) => Word::literal(format!("target{sub}")),
    };
    cx.path(Kind::Delete, &dir, 0, "cargo clean", true);
}

/// `cargo install [--root DIR] [--bin NAME]… [CRATE…]`: `DIR/bin/NAME`
/// (`~/.cargo/bin`, or `$CARGO_HOME/bin`, without a root) for each binary
/// named, else for each crate installed from a registry by its name (its
/// usual binary). A crate built from `--path` or `--git` without `--bin`
/// installs binaries whose names only its manifest says: nothing named.
pub(crate) fn cargo_install(cx: &mut Cx, args: &[Word]) {
    let p = parse(
        args,
        "jZ",
        "",
        &[
            "version",
            "git",
            "branch",
            "tag",
            "rev",
            "path",
            "root",
            "index",
            "registry",
            "bin",
            "example",
            "features",
            "profile",
            "target",
            "target-dir",
            "jobs",
            "config",
            "color",
        ],
    );
    let root = match p.value(&["root"]) {
        Some((w, f)) => w.text[f..].to_string(),
        None => assigned(cx, "CARGO_HOME").unwrap_or_else(|| "~/.cargo".into()),
    };
    let mut names: Vec<String> = p
        .values(&["bin"])
        .into_iter()
        .map(|(w, f)| w.text[f..].to_string())
        .collect();
    if names.is_empty() && !p.has(&["path", "git"]) {
        names = p
            .operands
            .iter()
            .map(|w| w.text.split('@').next().unwrap_or("").to_string())
            .collect();
    }
    installed(
        cx,
        &format!("{}/bin", root.trim_end_matches('/')),
        &names,
        "cargo install",
    );
}

/// `go install PKG@VERSION…`: `$GOBIN`, else `~/go/bin`, gets the last
/// element of each package's path (`…/cmd/clawlaw@latest` is `clawlaw`).
pub(crate) fn go_install(cx: &mut Cx, args: &[Word]) {
    let dir = assigned(cx, "GOBIN").unwrap_or_else(|| "~/go/bin".into());
    let names: Vec<String> = args
        .iter()
        .map(|w| w.text.as_str())
        .filter(|a| !a.starts_with('-') && a.contains('/'))
        .filter_map(|a| {
            let path = a.split('@').next()?;
            path.trim_end_matches('/')
                .rsplit('/')
                .next()
                .map(str::to_string)
        })
        .filter(|n| n != "..." && !n.is_empty())
        .collect();
    installed(cx, &dir, &names, "go install");
}

/// `pipx install NAME`, `uv tool install NAME`: `~/.local/bin/NAME`
/// (a package's usual command is its name).
pub(crate) fn python_tool_install(cx: &mut Cx, how: &str, args: &[Word]) {
    let names: Vec<String> = parse(
        args,
        "",
        "",
        &["python", "index-url", "pip-args", "suffix", "with", "from"],
    )
    .operands
    .iter()
    .map(|w| {
        let name = w
            .text
            .split(['=', '<', '>', '[', '@', '~'])
            .next()
            .unwrap_or("");
        name.trim().to_string()
    })
    .filter(|n| !n.is_empty() && !n.contains('/') && !n.starts_with('.'))
    .collect();
    installed(cx, "~/.local/bin", &names, how);
}

/// Records each of `names` written in `dir`.
fn installed(cx: &mut Cx, dir: &str, names: &[String], how: &str) {
    for name in names.iter().filter(|n| !n.is_empty()) {
        let path = match dir.strip_prefix('~') {
            Some(rest) => Word::in_home(&format!("{rest}/{name}")),
            None => Word::literal(format!("{dir}/{name}")),
        };
        cx.path(Kind::Write, &path, 0, how, false);
    }
}

/// The value the command's own assignments give `name` (`GOBIN=/x go
/// install …`).
fn assigned(cx: &Cx, name: &str) -> Option<String> {
    cx.cmd()
        .assignments
        .iter()
        .rev()
        .find(|a| a.name == name)
        .map(|a| a.value.text.clone())
}

#[cfg(test)]
mod tests {
    fn writes(cmd: &str) -> Vec<String> {
        crate::effects::of(cmd, Some("/w"), Some("/home/u"))
            .writes
            .into_iter()
            .map(|w| w.path)
            .collect()
    }

    #[test]
    fn programs_installed_by_the_names_they_run_by() {
        for (cmd, path) in [
            (
                "cargo install --path crates/fake --bin clawlaw",
                "/home/u/.cargo/bin/clawlaw",
            ),
            (
                "cargo install clawlaw --force",
                "/home/u/.cargo/bin/clawlaw",
            ),
            ("cargo install clawlaw@0.3.0", "/home/u/.cargo/bin/clawlaw"),
            (
                "cargo install --root /opt/x --bin gate --path .",
                "/opt/x/bin/gate",
            ),
            (
                "go install example.com/fake/cmd/clawlaw@latest",
                "/home/u/go/bin/clawlaw",
            ),
            ("GOBIN=/tmp/b go install ./cmd/clawlaw", "/tmp/b/clawlaw"),
            ("pipx install clawlaw", "/home/u/.local/bin/clawlaw"),
            ("uv tool install clawlaw==1.0", "/home/u/.local/bin/clawlaw"),
        ] {
            assert!(
                writes(cmd).iter().any(|w| w == path),
                "{cmd}: {:?}",
                writes(cmd)
            );
        }
        let alt =
            writes("update-alternatives --install /usr/local/bin/clawlaw clawlaw /bin/true 9");
        for path in ["/usr/local/bin/clawlaw", "/etc/alternatives/clawlaw"] {
            assert!(alt.iter().any(|w| w == path), "{alt:?}");
        }
        for cmd in [
            "cargo install --path .",
            "go install ./...",
            "cargo build --release",
        ] {
            assert!(writes(cmd).is_empty(), "{cmd}: {:?}", writes(cmd));
        }
    }
}
