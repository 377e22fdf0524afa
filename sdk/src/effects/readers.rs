//! The programs that read the files they are given (`cat`, `grep`, `jq`,
//! `sha256sum`, `openssl`, …), with the options each takes a value for,
//! and the few files some of them write (`sort -o`, `openssl -out`).

use super::context::{Cx, Kind};
use super::options::parse;
use crate::shell::Word;

/// Programs that read their file operands. Returns whether `prog` is one.
pub(crate) fn reader(cx: &mut Cx, prog: &str, args: &[Word]) -> bool {
    // (short options taking a value, long ones, leading non-file operands)
    let (short, long, skip): (&str, &[&str], usize) = match prog {
        "cat" | "tac" | "nl" | "less" | "more" | "most" | "bat" | "batcat" | "view" => (
            "bhiltvwsdnx",
            &["pager", "line-range", "language", "style"],
            0,
        ),
        "head" | "tail" => ("nc", &["lines", "bytes", "pid", "sleep-interval"], 0),
        "base64" | "base32" | "basenc" => ("w", &["wrap"], 0),
        "xxd" => ("cglos", &["cols", "groupsize", "len", "offset", "seek"], 0),
        "hexdump" | "hd" | "od" => ("eEnsjNAtw", &[], 0),
        "strings" => ("ntTe", &["bytes", "radix", "encoding", "target"], 0),
        "wc" | "md5sum" | "sha1sum" | "sha224sum" | "sha256sum" | "sha384sum" | "sha512sum"
        | "b2sum" | "cksum" | "sum" | "file" | "stat" | "readlink" | "realpath" | "uniq"
        | "comm" | "paste" | "fold" | "fmt" | "expand" | "unexpand" | "rev" | "shasum"
        | "iconv" | "dos2unix" => ("acdfmstwfnNW", &["format", "files0-from"], 0),
        "cut" => (
            "bcdf",
            &[
                "bytes",
                "characters",
                "delimiter",
                "fields",
                "output-delimiter",
            ],
            0,
        ),
        "sort" => (
            "kotST",
            &[
                "key",
                "output",
                "field-separator",
                "buffer-size",
                "temporary-directory",
            ],
            0,
        ),
        "diff" | "cmp" | "colordiff" => (
            "CUIFXSLNW",
            &["label", "exclude", "ignore-matching-lines"],
            0,
        ),
        "grep" | "egrep" | "fgrep" | "rg" | "ag" | "ack" | "zgrep" => (
            "efmABCdDgtT",
            &[
                "regexp",
                "file",
                "max-count",
                "after-context",
                "before-context",
                "context",
                "include",
                "exclude",
                "exclude-dir",
                "glob",
                "type",
                "type-not",
            ],
            1,
        ),
        "awk" | "gawk" | "mawk" | "nawk" => (super::awk::SHORT, super::awk::LONG, 1),
        "jq" | "yq" => (
            "fL",
            &[
                "arg",
                "argjson",
                "slurpfile",
                "rawfile",
                "from-file",
                "indent",
            ],
            1,
        ),
        "openssl" | "gpg" | "zcat" | "bzcat" | "xzcat" | "zless" => ("", &[], 0),
        _ => return false,
    };
    let p = parse(args, short, "", long);
    let mut skip = skip;
    if matches!(
        prog,
        "grep" | "egrep" | "fgrep" | "rg" | "ag" | "ack" | "zgrep"
    ) && p.value(&["e", "regexp", "f", "file"]).is_some()
    {
        skip = 0;
    }
    if matches!(prog, "awk" | "gawk" | "mawk" | "nawk") {
        match (p.value(&["f", "file"]), p.operands.first()) {
            (Some(_), _) => skip = 0,
            (None, Some(src)) => super::awk::program(cx, &src.text),
            (None, None) => {}
        }
    }
    if matches!(prog, "openssl" | "gpg") {
        for (k, w) in args.iter().enumerate() {
            if matches!(
                w.text.as_str(),
                "-in" | "--decrypt" | "-d" | "--encrypt" | "-e" | "--sign"
            ) && let Some(v) = args.get(k + 1)
            {
                cx.path(Kind::Read, v, 0, prog, false);
            }
            if matches!(w.text.as_str(), "-out" | "-o" | "--output" | "-keyout")
                && let Some(v) = args.get(k + 1)
            {
                cx.path(Kind::Write, v, 0, prog, false);
            }
        }
        return true;
    }
    let rec = p.has(&["r", "R", "recursive", "dereference-recursive"])
        || matches!(prog, "rg" | "ag" | "ack");
    for (w, f) in p.values(&["f", "file", "slurpfile", "rawfile", "from-file"]) {
        cx.path(Kind::Read, w, f, prog, false);
    }
    for (w, f) in p
        .values(&["o", "output"])
        .into_iter()
        .filter(|_| prog == "sort")
    {
        cx.path(Kind::Write, w, f, "sort -o", false);
    }
    for w in p.operands.iter().skip(skip) {
        if w.text == "-"
            || (matches!(prog, "awk" | "gawk" | "mawk" | "nawk")
                && super::awk::is_assignment(&w.text))
        {
            continue;
        }
        cx.path(Kind::Read, w, 0, prog, rec);
    }
    true
}
