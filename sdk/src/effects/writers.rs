//! Files programs write besides their obvious output: an output option
//! (`shuf -o F`, `iconv -o F`, `ssh-keygen -f F`, a compiler's `-o F`), a second operand (`uniq
//! IN OUT`, `xxd -r IN OUT`, `dos2unix -n IN OUT`), files converted or
//! edited in place (`dos2unix F`, `yq -i … F`, `gawk -i inplace … F`,
//! `crudini --set F`, `git config -f F …`, `patch F`), a directory patched
//! (`patch -d DIR`, `git apply --directory=DIR`), SQLite's database (written
//! when the statements on the line change it, or are not on the line) and
//! the files its dot-commands open (`sqlite3 db '.output F'`); and where
//! archivers other than `tar` and `unzip` extract (`7z x -oDIR`, `unrar x a
//! dest/`, `cpio -i -D DIR`, `dpkg-deb -x x.deb DIR`). Recorded before the
//! program's reads.

use super::context::{Cx, Kind};
use super::options::{dash_operands, parse};
use crate::shell::Word;

/// Records the files `prog` writes; the caller goes on to its reads.
pub(crate) fn writes(cx: &mut Cx, prog: &str, args: &[Word]) {
    let write = |cx: &mut Cx, w: &Word, f: usize, rec: bool| cx.path(Kind::Write, w, f, prog, rec);
    match prog {
        // A compiler's or linker's output: `gcc -o F`, `cc -oF`, `go build
        // -o F`, `rustc -o F`.
        "cc" | "c++" | "gcc" | "g++" | "clang" | "clang++" | "tcc" | "gfortran" | "nvcc" | "ld"
        | "ld.lld" | "ld.gold" | "rustc" | "go" => {
            let args = match (prog, args.split_first()) {
                ("go", Some((build, rest))) if build.text == "build" => rest,
                ("go", _) => return,
                _ => args,
            };
            for (k, w) in args.iter().enumerate() {
                if w.text == "-o" {
                    if let Some(out) = args.get(k + 1) {
                        write(cx, out, 0, false);
                    }
                } else if w.text.len() > 2 && w.text.starts_with("-o") && prog != "go" {
                    write(cx, w, 2, false);
                }
            }
        }
        "shuf" | "iconv" => {
            let p = parse(
                args,
                "oferni",
                "",
                &["output", "from-code", "to-code", "head-count"],
            );
            for (w, f) in p.values(&["o", "output"]) {
                write(cx, w, f, false);
            }
        }
        "ssh-keygen" => {
            let p = parse(args, "fbtCNmEOZaGTwrRsInVz", "", &[]);
            let generates = !p.has(&["l", "y", "R", "F", "B", "L", "Q", "k", "H"]);
            for (w, f) in p.values(&["f"]).into_iter().filter(|_| generates) {
                write(cx, w, f, false);
            }
        }
        "uniq" => {
            let p = parse(
                args,
                "fsw",
                "",
                &["skip-fields", "skip-chars", "check-chars"],
            );
            if let Some(out) = p.operands.get(1) {
                write(cx, out, 0, false);
            }
        }
        "xxd" => {
            let p = parse(
                args,
                "cglos",
                "",
                &["cols", "groupsize", "len", "offset", "seek"],
            );
            if p.has(&["r", "revert"])
                && let Some(out) = p.operands.get(1)
            {
                write(cx, out, 0, false);
            }
        }
        "dos2unix" | "unix2dos" | "mac2unix" | "unix2mac" => {
            let p = parse(args, "c", "", &["convmode"]);
            if p.has(&["n", "newfile"]) {
                for pair in p.operands.chunks(2) {
                    if let [_, out] = pair {
                        write(cx, out, 0, false);
                    }
                }
            } else {
                for w in &p.operands {
                    write(cx, w, 0, false);
                }
            }
        }
        // gawk's in-place extension (`gawk -i inplace '…' F`) rewrites
        // each file it reads.
        "awk" | "gawk" => {
            let p = parse(args, super::awk::SHORT, "", super::awk::LONG);
            let inplace = p
                .values(&["i", "include"])
                .iter()
                .any(|(w, f)| matches!(&w.text[*f..], "inplace" | "inplace.awk"));
            let program_given = !p.values(&["f", "file"]).is_empty();
            let files = p.operands.iter().skip(usize::from(!program_given));
            for w in files.filter(|_| inplace) {
                if w.text != "-" && !super::awk::is_assignment(&w.text) {
                    write(cx, w, 0, false);
                }
            }
        }
        // `yq -i EXPR FILE`, and python-yq's `tomlq`/`xq -i FILTER FILE…`.
        "yq" | "tomlq" | "xq" | "dasel" | "json" => {
            let p = parse(args, "fpe", "", &["file", "parser", "expression"]);
            if p.has(&["i", "I", "inplace", "in-place"]) || prog == "dasel" {
                for (w, f) in p.values(&["f", "file"]) {
                    write(cx, w, f, false);
                }
                if matches!(prog, "yq" | "tomlq" | "xq") {
                    for file in p.operands.iter().skip(1) {
                        write(cx, file, 0, false);
                    }
                }
            }
        }
        "crudini" => {
            let p = parse(args, "", "", &[]);
            if p.has(&["set", "del", "merge"])
                && let Some(file) = p.operands.first()
            {
                write(cx, file, 0, false);
            }
        }
        "patch" => {
            let p = parse(
                args,
                "pdiDBoFrVYzx",
                "",
                &["directory", "input", "output", "strip"],
            );
            let dir = p.value(&["d", "directory"]).map(|(w, f)| w.tail(f));
            for (w, f) in p.values(&["o", "output"]) {
                write(cx, w, f, false);
            }
            if let Some(file) = p.operands.first() {
                write(cx, file, 0, false);
            }
            // The diff on its input: the files it names.
            let from_input = p.value(&["i", "input"]).is_none() && p.operands.len() < 2;
            let strip = p
                .value(&["p", "strip"])
                .and_then(|(w, f)| w.text[f..].parse().ok());
            let read = from_input
                && p.operands.is_empty()
                && super::patches::from_input(cx, strip, dir.as_ref(), prog);
            if !read && let Some(d) = &dir {
                write(cx, d, 0, true);
            }
        }
        "sqlite3" | "sqlite" => {
            database_file(cx, args);
            for w in args {
                for line in w.text.split([';', '\n']) {
                    let l = line.trim();
                    if let Some(file) = l
                        .strip_prefix(".output ")
                        .or_else(|| l.strip_prefix(".once "))
                    {
                        write(cx, &Word::literal(file.trim()), 0, false);
                    }
                }
            }
        }
        // Archive extractors besides `tar` and `unzip` (`commands.rs`),
        // recorded as `unzip` extractions are: a tree written below where
        // they extract.
        "7z" | "7za" | "7zz" | "unrar" | "cabextract" if extracts(prog, args) => {
            // 7z's `-oDIR`, cabextract's `-d DIR`, unrar's destination
            // operand (`unrar x a.rar dest/`).
            let dir = args
                .iter()
                .find_map(|w| w.text.strip_prefix("-o").filter(|d| !d.is_empty()))
                .map(Word::literal)
                .or_else(|| next_value(args, &["-d", "--directory"]))
                .or_else(|| {
                    (prog == "unrar")
                        .then(|| args.last().filter(|w| w.text.ends_with('/')).cloned())
                        .flatten()
                });
            extracted(cx, dir, "unzip (7z, unrar)");
        }
        "cpio"
            if args.iter().any(|w| {
                w.text.starts_with("-i")
                    || w.text == "--extract"
                    || (w.text.starts_with('-')
                        && !w.text.starts_with("--")
                        && w.text.contains('i'))
            }) =>
        {
            extracted(
                cx,
                next_value(args, &["-D", "--directory"]),
                "tar -x (cpio)",
            );
        }
        "dpkg-deb"
            if args.first().is_some_and(|w| {
                matches!(
                    w.text.as_str(),
                    "-x" | "-X" | "--extract" | "--vextract" | "-R" | "--raw-extract"
                )
            }) =>
        {
            if let Some(dir) = args.get(2) {
                cx.path(Kind::Write, dir, 0, "tar -x (dpkg-deb)", true);
            }
        }
        _ => {}
    }
}

/// Whether an archiver's command extracts (`7z x`, `unrar e`).
fn extracts(prog: &str, args: &[Word]) -> bool {
    prog == "cabextract"
        || args
            .iter()
            .find(|w| !w.text.starts_with('-'))
            .is_some_and(|w| matches!(w.text.as_str(), "x" | "e"))
}

/// The word after the first of options `names` (`-D DIR`).
fn next_value(args: &[Word], names: &[&str]) -> Option<Word> {
    args.windows(2)
        .find(|w| names.contains(&w[0].text.as_str()))
        .map(|w| w[1].clone())
}

/// A tree an archiver extracts: written below `dir`, or below the working
/// directory when none is given.
fn extracted(cx: &mut Cx, dir: Option<Word>, how: &str) {
    match dir {
        Some(d) => cx.path(Kind::Write, &d, 0, how, true),
        None => cx.cwd_path(Kind::Write, how),
    }
}

/// The database file `sqlite3 [OPTIONS] FILE [SQL…]` opens: written when
/// the statements on the line change it (`DELETE`, `DROP`, `.import`, …)
/// or are not on the line (typed or piped in), read otherwise.
fn database_file(cx: &mut Cx, args: &[Word]) {
    const VALUED: &[&str] = &[
        "-cmd",
        "-separator",
        "-newline",
        "-nullvalue",
        "-init",
        "-mmap",
        "-vfs",
        "-lookaside",
        "-pagecache",
        "-heap",
        "-maxsize",
    ];
    let operands = dash_operands(args, VALUED);
    let Some((db, sql)) = operands.split_first() else {
        return;
    };
    if db.text.is_empty() || db.text == ":memory:" {
        return;
    }
    let changes = |text: &str| {
        text.lines().any(|l| {
            let l = l.trim_start().to_ascii_lowercase();
            [".import", ".restore", ".load", ".read"]
                .iter()
                .any(|d| l.starts_with(d))
        }) || text
            .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
            .any(|w| {
                [
                    "INSERT", "UPDATE", "DELETE", "DROP", "CREATE", "ALTER", "REPLACE", "VACUUM",
                    "ATTACH", "TRUNCATE", "PRAGMA",
                ]
                .iter()
                .any(|k| w.eq_ignore_ascii_case(k))
            })
    };
    let kind = if sql.is_empty() || sql.iter().any(|w| changes(&w.text)) {
        Kind::Write
    } else {
        Kind::Read
    };
    cx.path(kind, db, 0, "sqlite3", false);
}
