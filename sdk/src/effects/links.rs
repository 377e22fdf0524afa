//! Links a line makes (`ln -s ~/.claude d`, `cp -al src d`), remembered for
//! the rest of the line: a path through one is also recorded as the path it
//! reaches ([`super::context::Cx::push_path`]); and the links the
//! alternatives system writes (`update-alternatives --install LINK NAME
//! PATH PRIO` makes `LINK` lead to `PATH`).

use super::context::{Cx, Kind};
use crate::shell::Word;

/// `ln -s ~/.claude d`: a second name for a path, remembered for the rest
/// of the line, so that `echo x > d/settings.json` after it is the write to
/// `~/.claude/settings.json` it is. A symbolic link's relative target is
/// read from the link's directory, as the kernel reads it.
pub(crate) fn remember(
    cx: &mut Cx,
    sources: &[&Word],
    dest: Option<(&Word, usize)>,
    into_dir: bool,
    symbolic: bool,
) {
    let [source] = sources else { return };
    let link = match dest {
        Some((w, 0)) if !w.is_dynamic() => {
            let Some(t) = cx.targets(w, 0).into_iter().find(|t| !t.dynamic) else {
                return;
            };
            if into_dir {
                format!("{}/{}", t.path, crate::path::file_name(&source.text))
            } else {
                t.path
            }
        }
        Some(_) => return,
        None => match &cx.cwd {
            Some(cwd) => format!("{cwd}/{}", crate::path::file_name(&source.text)),
            None => return,
        },
    };
    let target = if symbolic && !source.text.starts_with(['/', '~', '$']) {
        if source.is_dynamic() {
            return;
        }
        let dir = link
            .rsplit_once('/')
            .map(|(dir, _)| if dir.is_empty() { "/" } else { dir });
        match crate::path::normalize(&source.text, dir, cx.a.home) {
            Ok(t) => t,
            Err(_) => return,
        }
    } else {
        // Absolute, from the home (`~`, `$HOME`), or a hard link's source.
        match cx.targets(source, 0).into_iter().find(|t| !t.dynamic) {
            Some(t) => t.path,
            None => return,
        }
    };
    if target != link && cx.a.links.len() < MAX_LINKS {
        cx.a.links.push((link, target));
    }
}

/// Links remembered in one line, at most.
const MAX_LINKS: usize = 32;

/// `update-alternatives --install LINK NAME PATH PRIORITY` (also
/// `--slave LINK NAME PATH`) writes each `LINK` and `/etc/alternatives/
/// NAME`; `--set NAME PATH` and `--config NAME` rewrite the latter;
/// `--remove NAME PATH` and `--remove-all NAME` delete it.
pub(crate) fn alternatives(cx: &mut Cx, args: &[Word]) {
    const HOW: &str = "update-alternatives";
    let mut k = 0;
    while k < args.len() {
        let take = match args[k].text.as_str() {
            "--install" => {
                if let Some(link) = args.get(k + 1) {
                    cx.path(Kind::Write, link, 0, HOW, false);
                }
                if let Some(name) = args.get(k + 2) {
                    alternative(cx, name, Kind::Write);
                }
                5
            }
            "--slave" => {
                if let Some(link) = args.get(k + 1) {
                    cx.path(Kind::Write, link, 0, HOW, false);
                }
                4
            }
            "--set" | "--config" => {
                if let Some(name) = args.get(k + 1) {
                    alternative(cx, name, Kind::Write);
                }
                2
            }
            "--remove" | "--remove-all" => {
                if let Some(name) = args.get(k + 1) {
                    alternative(cx, name, Kind::Delete);
                }
                2
            }
            _ => 1,
        };
        k += take;
    }
}

/// `/etc/alternatives/NAME`, written or deleted.
fn alternative(cx: &mut Cx, name: &Word, kind: Kind) {
    if name.is_dynamic() || name.text.contains('/') {
        return;
    }
    let path = Word::literal(format!("/etc/alternatives/{}", name.text));
    cx.path(kind, &path, 0, "update-alternatives", false);
}
