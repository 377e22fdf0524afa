//! What build tools' housekeeping commands delete: `cargo clean` removes
//! the target directory, where a gate started from the workspace keeps its
//! policies and evidence.

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
