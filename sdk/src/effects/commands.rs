//! The file effects of well-known programs: which operands a program reads,
//! writes or deletes, and which of its options take a value (so that
//! `cp -t /dst a b` writes `/dst` and `sed -e s/x/y/ f` does not read
//! `s/x/y/`). Also the dispatcher for a command's program (the other
//! tables are in `net.rs`, `procs.rs` and `interp.rs`).

use super::args::xargs_view;
use super::context::{Cx, Kind, find_roots};
use super::options::parse;
use super::{devtools, git, interp, net, procs};
use crate::shell::{self, Word};

/// Records what the program of the current command does.
pub(crate) fn program(cx: &mut Cx) {
    let c = cx.cmd();
    let prog = c.program.as_str();
    let argv0 = &c.argv[0];
    let path = argv0
        .text
        .contains('/')
        .then(|| cx.targets(argv0, 0).pop().map(|t| t.path))
        .flatten();
    let args: Vec<String> = c.args().iter().map(|w| w.text.clone()).collect();
    cx.exec(prog, path, args, None);
    let argv = xargs_view(cx);
    let args = argv.get(1..).unwrap_or(&[]);
    match prog {
        "rm" => {
            let p = parse(args, "", "", &[]);
            let rec = p.has(&["r", "R", "recursive"]);
            let how = match (rec, p.has(&["f", "force"])) {
                (true, true) => "rm -rf",
                (true, false) => "rm -r",
                (false, true) => "rm -f",
                _ => "rm",
            };
            for w in &p.operands {
                cx.path(Kind::Delete, w, 0, how, rec);
            }
        }
        // Node's `rm -rf` (`npx rimraf dist`, package scripts).
        "rimraf" => {
            for w in parse(args, "", "", &[]).operands {
                cx.path(Kind::Delete, w, 0, "rimraf", true);
            }
        }
        // Secure deleters: overwritten, then removed (`srm -r`, `wipe -rf`).
        "srm" | "wipe" => {
            let p = parse(args, "", "", &[]);
            let rec = p.has(&["r", "R", "recursive"]);
            for w in &p.operands {
                cx.path(Kind::Delete, w, 0, prog, rec);
            }
        }
        "rmdir" | "unlink" => {
            for w in parse(args, "", "", &[]).operands {
                cx.path(Kind::Delete, w, 0, prog, false);
            }
        }
        "shred" => {
            let p = parse(args, "ns", "", &["iterations", "size", "random-source"]);
            let remove = p.has(&["u", "remove"]);
            for w in &p.operands {
                cx.path(Kind::Write, w, 0, "shred", false);
                if remove {
                    cx.path(Kind::Delete, w, 0, "shred -u", false);
                }
            }
        }
        "mv" | "cp" | "install" | "ln" | "link" => copy_like(cx, prog, args),
        "tee" => {
            let p = parse(args, "", "", &["output-error"]);
            let how = if p.has(&["a", "append"]) {
                "tee -a"
            } else {
                "tee"
            };
            for w in &p.operands {
                cx.path(Kind::Write, w, 0, how, false);
            }
        }
        "sed" | "gsed" => {
            let p = parse(args, "efl", "i", &["expression", "file", "line-length"]);
            let inplace = p.has(&["i", "in-place"]);
            let mut files = p.operands.iter().copied().peekable();
            // BSD `sed -i '' …`: the empty suffix.
            if inplace && files.peek().is_some_and(|w| w.text.is_empty()) {
                files.next();
            }
            if p.value(&["e", "expression", "f", "file"]).is_none() {
                files.next();
            }
            for (w, f) in p.values(&["f", "file"]) {
                cx.path(Kind::Read, w, f, "sed -f", false);
            }
            for w in files {
                if inplace && w.text.is_empty() {
                    continue;
                }
                let (kind, how) = if inplace {
                    (Kind::Write, "sed -i")
                } else {
                    (Kind::Read, "sed")
                };
                cx.path(kind, w, 0, how, false);
            }
        }
        "truncate" => {
            let p = parse(args, "sr", "", &["size", "reference"]);
            for (w, f) in p.values(&["r", "reference"]) {
                cx.path(Kind::Read, w, f, "truncate -r", false);
            }
            for w in &p.operands {
                cx.path(Kind::Write, w, 0, "truncate", false);
            }
        }
        // `fallocate -l 200G FILE` (or `-p`/`-c`, a hole punched or a range
        // collapsed), macOS's `mkfile SIZE FILE…`.
        "fallocate" => {
            for w in parse(args, "ol", "", &["offset", "length"]).operands {
                cx.path(Kind::Write, w, 0, prog, false);
            }
        }
        "mkfile" => {
            for w in parse(args, "", "", &[]).operands.into_iter().skip(1) {
                cx.path(Kind::Write, w, 0, prog, false);
            }
        }
        "sysctl" => sysctl(cx, args),
        "dd" => {
            for w in args {
                if w.text.starts_with("of=") {
                    cx.path(Kind::Write, w, 3, "dd of=", false);
                } else if w.text.starts_with("if=") {
                    cx.path(Kind::Read, w, 3, "dd if=", false);
                }
            }
        }
        "find" => find(cx, args),
        "chmod" | "chown" | "chgrp" => {
            let p = parse(args, "", "", &["reference"]);
            let rec = p.has(&["R", "recursive"]);
            let mode_given = p.value(&["reference"]).is_some()
                || (prog == "chmod" && args.iter().any(|w| is_chmod_option_mode(&w.text)));
            let how = if rec {
                format!("{prog} -R")
            } else {
                prog.to_string()
            };
            for w in p.operands.iter().skip(usize::from(!mode_given)) {
                cx.path(Kind::Write, w, 0, &how, rec);
            }
        }
        "chattr" => {
            // `chattr [-RVf] [-v VERSION] [-p PROJECT] MODE… FILE…`, where a
            // mode (`+i`, `-a`, `=e`) looks like an option.
            let mut rec = false;
            let mut files = Vec::new();
            let mut k = 0;
            while k < args.len() {
                let t = args[k].text.as_str();
                match t {
                    "-R" => rec = true,
                    "-v" | "-p" => k += 1,
                    "-V" | "-f" => {}
                    _ if t.len() > 1 && t.starts_with(['+', '=', '-']) => {}
                    _ => files.push(&args[k]),
                }
                k += 1;
            }
            let how = if rec { "chattr -R" } else { "chattr" };
            for w in files {
                cx.path(Kind::Write, w, 0, how, rec);
            }
        }
        "setfacl" => {
            let p = parse(
                args,
                "mxMX",
                "",
                &[
                    "modify",
                    "remove",
                    "set",
                    "set-file",
                    "modify-file",
                    "remove-file",
                ],
            );
            let rec = p.has(&["R", "recursive"]);
            for w in &p.operands {
                cx.path(Kind::Write, w, 0, "setfacl", rec);
            }
        }
        "touch" => {
            let p = parse(args, "drt", "", &["date", "reference", "time"]);
            for (w, f) in p.values(&["r", "reference"]) {
                cx.path(Kind::Read, w, f, "touch -r", false);
            }
            for w in &p.operands {
                cx.path(Kind::Write, w, 0, "touch", false);
            }
        }
        "mkdir" | "mkfifo" | "mknod" => {
            let p = parse(args, "mZ", "", &["mode", "context"]);
            let ops = if prog == "mknod" {
                &p.operands[..p.operands.len().min(1)]
            } else {
                &p.operands[..]
            };
            for w in ops {
                cx.path(Kind::Write, w, 0, prog, false);
            }
        }
        "tar" | "bsdtar" | "gtar" | "unzip" | "zip" | "7z" | "7za" | "7zr" | "7zz" => {
            super::archives::program(cx, prog, args)
        }
        "gzip" | "gunzip" | "bzip2" | "bunzip2" | "xz" | "unxz" | "zstd" | "unzstd" => {
            let p = parse(args, "SbT", "", &["suffix"]);
            let keep = p.has(&["k", "keep", "c", "stdout", "l", "list", "t", "test"]);
            for w in &p.operands {
                cx.path(Kind::Read, w, 0, prog, false);
                if !keep {
                    cx.path(Kind::Delete, w, 0, prog, false);
                }
            }
        }
        "source" | "." => {
            if let Some(w) = args.first() {
                cx.path(Kind::Read, w, 0, prog, false);
                let path = cx.targets(w, 0).pop().map(|t| t.path);
                cx.exec(shell::basename(&w.text), path, Vec::new(), None);
            }
        }
        "git" => git::git(cx, args),
        "cargo" if args.first().is_some_and(|w| w.text == "clean") => {
            devtools::cargo_clean(cx, &args[1..])
        }
        "update-alternatives" => super::links::alternatives(cx, args),
        "reg" => super::registry::reg(cx, args),
        "cargo" if args.first().is_some_and(|w| w.text == "install") => {
            devtools::cargo_install(cx, &args[1..])
        }
        "go" if args.first().is_some_and(|w| w.text == "install") => {
            devtools::go_install(cx, &args[1..])
        }
        "pipx" if args.first().is_some_and(|w| w.text == "install") => {
            devtools::python_tool_install(cx, "pipx install", &args[1..])
        }
        "uv" if args.len() > 1 && args[0].text == "tool" && args[1].text == "install" => {
            devtools::python_tool_install(cx, "uv tool install", &args[2..])
        }
        // A mount hides what was at its mount point behind something else:
        // as good as replacing the whole tree there.
        "mount" | "bindfs" => {
            let p = parse(
                args,
                "tOoLUN",
                "",
                &[
                    "types",
                    "options",
                    "test-opts",
                    "label",
                    "uuid",
                    "namespace",
                    "source",
                    "target",
                ],
            );
            // `mount` alone lists; `mount DIR` mounts what fstab says there.
            let target = p
                .value(&["target"])
                .or_else(|| p.operands.last().map(|w| (*w, 0)));
            if let Some((w, f)) = target {
                cx.path(Kind::Write, w, f, prog, true);
            }
        }
        // An unmount takes away what was mounted at a directory (`umount
        // -l /srv/data`): what was there is gone from that path, as if the
        // tree had been replaced by what the mount hid.
        "umount" => {
            let p = parse(args, "tONi", "", &["types", "test-opts", "namespace"]);
            for w in &p.operands {
                cx.path(Kind::Write, w, 0, prog, true);
            }
        }
        "sponge" => {
            for w in parse(args, "", "", &[]).operands {
                cx.path(Kind::Write, w, 0, prog, false);
            }
        }
        "vi" | "vim" | "nvim" | "nano" | "emacs" | "ed" | "ex" | "pico" | "micro" | "code" => {
            for w in parse(args, "cSuiTwW", "", &["cmd"]).operands {
                if !w.text.starts_with('+') {
                    cx.path(Kind::Write, w, 0, prog, false);
                    cx.path(Kind::Read, w, 0, prog, false);
                }
            }
        }
        // `docker cp CTR:/x ./y`, `kubectl cp pod:/x y`: files copied in or
        // out of a container; the local side is read or written, the
        // container written into is controlled.
        "docker" | "podman" | "nerdctl" | "kubectl" | "oc" if container_cp(cx, prog, args) => {}
        // `openssl s_client`/`s_server` is a connection; the rest reads
        // and writes files.
        "openssl" if net::program(cx, prog, args) => {}
        _ => {
            super::writers::writes(cx, prog, args);
            super::servers::program(cx, prog, args);
            if !super::readers::reader(cx, prog, args)
                && !super::remote::program(cx, prog, args)
                && !net::program(cx, prog, args)
                && !super::databases::program(cx, prog, args)
                && !procs::program(cx, prog, args)
            {
                interp::program(cx, prog, args);
            }
        }
    }
}

/// `<tool> cp SRC DEST` between this machine and a container or pod, when
/// `args` are that; a side written `NAME:PATH` is in the container.
fn container_cp(cx: &mut Cx, prog: &str, args: &[Word]) -> bool {
    if args.first().is_none_or(|w| w.text != "cp") {
        return false;
    }
    let valued: &[&str] = if matches!(prog, "kubectl" | "oc") {
        &["container", "retries", "namespace", "context"]
    } else {
        &[]
    };
    let p = parse(&args[1..], "cn", "", valued);
    let remote = |w: &Word| {
        w.text
            .split_once(':')
            .is_some_and(|(name, _)| !name.is_empty() && !name.contains('/'))
    };
    let how = if matches!(prog, "kubectl" | "oc") {
        "kubectl cp"
    } else {
        "docker cp"
    };
    if let [src, dest] = p.operands.as_slice() {
        if !remote(src) {
            cx.path(Kind::Read, src, 0, how, true);
        }
        match dest.text.split_once(':') {
            // Files copied into a container change what it runs: it is
            // controlled as by `exec`.
            Some((name, _)) if remote(dest) => cx.signal(prog, vec![name.to_string()]),
            _ => cx.path(Kind::Write, dest, 0, how, true),
        }
    }
    true
}

fn is_chmod_option_mode(t: &str) -> bool {
    t.len() > 1
        && t.starts_with('-')
        && t[1..]
            .bytes()
            .all(|b| matches!(b, b'r' | b'w' | b'x' | b'X' | b's' | b't'))
}

/// `mv`, `cp`, `install`, `ln`: sources and a destination.
fn copy_like(cx: &mut Cx, prog: &str, args: &[Word]) {
    let p = parse(
        args,
        "tSmogZ",
        "",
        &[
            "target-directory",
            "suffix",
            "mode",
            "owner",
            "group",
            "strip-program",
        ],
    );
    if prog == "install" && p.has(&["d", "directory"]) {
        for w in &p.operands {
            cx.path(Kind::Write, w, 0, "install -d", false);
        }
        return;
    }
    let rec = prog == "mv" || p.has(&["r", "R", "a", "recursive", "archive"]);
    let by_t = p.value(&["t", "target-directory"]).is_some();
    let (dest, sources) = match p.value(&["t", "target-directory"]) {
        Some((w, f)) => (Some((w, f)), &p.operands[..]),
        None if p.operands.len() >= 2 => {
            let (s, d) = p.operands.split_at(p.operands.len() - 1);
            (Some((d[0], 0)), s)
        }
        None if matches!(prog, "ln" | "link") => (None, &p.operands[..]),
        None => (None, &[][..]),
    };
    let source_how = match prog {
        "mv" => "mv (source)",
        "ln" | "link" => "ln (target)",
        "cp" => "cp (source)",
        _ => "install (source)",
    };
    for w in sources {
        if prog == "mv" {
            cx.path(Kind::Delete, w, 0, source_how, true);
        } else {
            cx.path(Kind::Read, w, 0, source_how, rec);
        }
    }
    let dest_how = format!("{prog} (destination)");
    match dest {
        Some((w, f)) => {
            cx.path(Kind::Write, w, f, &dest_how, rec);
            // A destination directory receives `dest/<source name>` (unless
            // the destination is named like the source: then it is the copy),
            // a whole tree of it when the copy is recursive (`cp -r x/.claude .`).
            let into_dir = w.text.ends_with('/') || by_t || sources.len() > 1;
            if (!rec || prog == "cp")
                && !p.has(&["T", "no-target-directory"])
                && (into_dir || !matches!(prog, "ln" | "link"))
            {
                let dests: Vec<String> = cx
                    .targets(w, f)
                    .into_iter()
                    .filter(|t| !t.dynamic)
                    .map(|t| t.path)
                    .collect();
                for s in sources.iter().filter(|s| !s.is_dynamic()) {
                    let name = crate::path::file_name(&s.text);
                    for d in &dests {
                        if !matches!(name, "" | "." | "..") && crate::path::file_name(d) != name {
                            let landed = if d == "/" {
                                format!("/{name}")
                            } else {
                                format!("{d}/{name}")
                            };
                            cx.push_path(Kind::Write, landed, false, rec, &dest_how);
                        }
                    }
                }
            }
        }
        None => {
            // `ln -s /x/target`: a link named after the target, here.
            if let Some(t) = sources.first() {
                let name = Word::literal(crate::path::file_name(&t.text));
                cx.path(Kind::Write, &name, 0, &dest_how, false);
            }
        }
    }
    // `cp -l`/`cp -s` (and `-al`, `-rs`) make links, not copies.
    let links = matches!(prog, "ln" | "link")
        || (prog == "cp" && p.has(&["l", "s", "link", "symbolic-link"]));
    if links {
        let into_dir = dest.is_some_and(|(w, _)| w.text.ends_with('/')) || by_t;
        let symbolic = p.has(&["s", "symbolic", "symbolic-link"]);
        super::links::remember(cx, sources, dest, into_dir, symbolic);
    }
}

/// `find`: its roots are deleted by `-delete`; `-fprint` and co. write.
fn find(cx: &mut Cx, args: &[Word]) {
    let c = cx.cmd();
    let roots = find_roots(c);
    let mut k = 0;
    while k < args.len() {
        match args[k].text.as_str() {
            "-delete" => {
                for r in &roots {
                    cx.path(Kind::Delete, r, 0, "find -delete", true);
                }
            }
            "-fprint" | "-fprint0" | "-fls" | "-fprintf" => {
                if let Some(w) = args.get(k + 1) {
                    cx.path(Kind::Write, w, 0, "find -fprint", false);
                }
                k += 1;
            }
            _ => {}
        }
        k += 1;
    }
}

/// `sysctl -w kernel.randomize_va_space=0` is `echo 0 >
/// /proc/sys/kernel/randomize_va_space`: each `KEY=VALUE` writes the
/// key's file under `/proc/sys`; `-p`/`--load`/`--system` load settings
/// from files, so any key may be written.
fn sysctl(cx: &mut Cx, args: &[Word]) {
    let p = parse(args, "", "", &[]);
    let loads = p.has(&["p", "load", "system", "f"]);
    if loads {
        cx.push_path(Kind::Write, "/proc/sys".into(), false, true, "sysctl -p");
    }
    for w in &p.operands {
        let Some((key, _)) = w.text.split_once('=') else {
            continue;
        };
        let dynamic = w.is_dynamic();
        let key = key.trim_matches('/').replace(['.'], "/");
        if key.is_empty() || key.split('/').any(|part| part.is_empty() || part == "..") {
            continue;
        }
        cx.push_path(
            Kind::Write,
            format!("/proc/sys/{key}"),
            dynamic,
            false,
            "sysctl -w",
        );
    }
}
