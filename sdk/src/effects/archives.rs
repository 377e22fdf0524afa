//! Archives: what `tar`, `unzip`, `zip` and 7-Zip read and write. An
//! extraction writes the directory it extracts into (recursively: any path
//! below it) and each member it names at that member's own path (`tar -xf
//! a.tar .claude/settings.json`); a creation reads what it packs (and
//! deletes it with `--remove-files`, `zip -m`, `7z a -sdel`).

use super::context::{Cx, Kind};
use super::options::parse;
use crate::shell::Word;

/// Records the effects of an archiver.
pub(crate) fn program(cx: &mut Cx, prog: &str, args: &[Word]) {
    match prog {
        "unzip" => unzip(cx, args),
        "zip" => zip(cx, args),
        "7z" | "7za" | "7zr" | "7zz" => seven_zip(cx, args),
        _ => tar(cx, args),
    }
}

fn unzip(cx: &mut Cx, args: &[Word]) {
    // `-x` starts the members left out, up to the next option.
    let mut excluding = false;
    let kept: Vec<Word> = args
        .iter()
        .filter(|w| {
            if w.text.starts_with('-') {
                excluding = w.text == "-x";
            }
            !excluding
        })
        .cloned()
        .collect();
    let p = parse(&kept, "dP", "", &[]);
    let mut ops = p.operands.iter();
    if let Some(a) = ops.next() {
        cx.path(Kind::Read, a, 0, "unzip", false);
    }
    if !p.has(&["l", "t", "p", "v", "Z"]) {
        let dir = p.value(&["d"]);
        match dir {
            Some((w, f)) => cx.path(Kind::Write, w, f, "unzip -d", true),
            None => cx.cwd_path(Kind::Write, "unzip"),
        }
        members(cx, dir, ops, "unzip");
    }
}

fn zip(cx: &mut Cx, args: &[Word]) {
    let p = parse(args, "bnxitP", "", &[]);
    let mut ops = p.operands.iter();
    if let Some(a) = ops.next() {
        cx.path(Kind::Write, a, 0, "zip", false);
    }
    let rec = p.has(&["r", "R"]);
    let rm = p.has(&["m", "move"]);
    for w in ops {
        cx.path(Kind::Read, w, 0, "zip", rec);
        if rm {
            cx.path(Kind::Delete, w, 0, "zip -m", rec);
        }
    }
}

/// 7-Zip: `7z a|u ARCHIVE FILES…` packs the files (directories whole) and
/// with `-sdel` deletes them; `7z x|e ARCHIVE [-oDIR]` extracts into DIR
/// or the working directory; the other commands only read the archive.
fn seven_zip(cx: &mut Cx, args: &[Word]) {
    let mut words = args.iter().filter(|w| !w.text.starts_with('-'));
    let command = words.next().map(|w| w.text.to_ascii_lowercase());
    let Some(archive) = words.next() else { return };
    match command.as_deref() {
        Some("a" | "u") => {
            cx.path(Kind::Write, archive, 0, "7z", false);
            let delete = args.iter().any(|w| w.text == "-sdel");
            for w in words {
                cx.path(Kind::Read, w, 0, "7z", true);
                if delete {
                    cx.path(Kind::Delete, w, 0, "7z -sdel", true);
                }
            }
        }
        Some("x" | "e") => {
            cx.path(Kind::Read, archive, 0, "7z", false);
            match args
                .iter()
                .find(|w| w.text.len() > 2 && w.text.starts_with("-o"))
            {
                Some(w) => cx.path(Kind::Write, w, 2, "7z -o", true),
                None => cx.cwd_path(Kind::Write, "7z x"),
            }
        }
        _ => cx.path(Kind::Read, archive, 0, "7z", false),
    }
}

/// `tar`: the archive and the files it reads or writes.
fn tar(cx: &mut Cx, args: &[Word]) {
    // Old style: `tar xzf a.tgz` (first word a cluster without a dash).
    let mut owned: Vec<Word>;
    let args = match args.first() {
        Some(w)
            if !w.text.starts_with('-')
                && !w.text.is_empty()
                && w.text.bytes().all(|b| b.is_ascii_alphabetic()) =>
        {
            owned = args.to_vec();
            owned[0] = Word::literal(format!("-{}", w.text));
            &owned[..]
        }
        _ => args,
    };
    let p = parse(
        args,
        "fCTXbgKLNVHI",
        "",
        &[
            "file",
            "directory",
            "files-from",
            "exclude-from",
            "exclude",
            "transform",
            "use-compress-program",
            "owner",
            "group",
            "mode",
            "to-command",
        ],
    );
    let extract = p.has(&["x", "extract", "get"]);
    let create = p.has(&["c", "create", "r", "append", "u", "update"]);
    let archive = p.value(&["f", "file"]);
    if let Some((w, f)) = archive
        && &w.text[f..] != "-"
    {
        let kind = if create { Kind::Write } else { Kind::Read };
        cx.path(kind, w, f, "tar -f", false);
    }
    if extract {
        let dir = p.value(&["C", "directory"]);
        match dir {
            Some((w, f)) => cx.path(Kind::Write, w, f, "tar -x -C", true),
            None => cx.cwd_path(Kind::Write, "tar -x"),
        }
        members(cx, dir, p.operands.iter(), "tar -x");
    } else if create {
        let remove = p.has(&["remove-files"]);
        for w in &p.operands {
            cx.path(Kind::Read, w, 0, "tar -c", true);
            if remove {
                cx.path(Kind::Delete, w, 0, "tar --remove-files", true);
            }
        }
    }
}

/// The members an extraction names (`tar -xf a.tar .claude/settings.json`,
/// `unzip -o a.zip .bashrc -d ~`): each is written at its own path below
/// the directory extracted into (a member may be a directory: recursively).
fn members<'w>(
    cx: &mut Cx,
    dir: Option<(&Word, usize)>,
    names: impl Iterator<Item = &'w &'w Word>,
    how: &str,
) {
    for m in names {
        let skip = m.text.len() - m.text.trim_start_matches("./").len();
        let member = m.tail(skip);
        let at = match dir {
            // `DIR/MEMBER`, each part's expansions kept.
            Some((w, f)) => {
                let base = w.tail(f);
                let end = base.text.len();
                let base = base.with_value(end..end, &Word::literal("/"));
                let end = base.text.len();
                base.with_value(end..end, &member)
            }
            None => member,
        };
        cx.path(Kind::Write, &at, 0, how, true);
    }
}
