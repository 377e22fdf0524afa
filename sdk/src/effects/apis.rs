//! The table of well-known APIs of Python, Node.js, Perl, Ruby, PHP and Go that
//! read, write or delete files, run commands, signal processes or contact
//! hosts, and which of their arguments says what. Receivers matter where a
//! name alone is ambiguous (`os.remove` deletes a file, `list.remove` does
//! not; Node's `exec` only counts when the code uses `child_process`),
//! and calls made through an alias (`import subprocess as sp`) are renamed
//! to what they stand for first.

use super::code::{Call, Lang, Tok, module_name};

/// Most aliases followed per piece of code (bounds the renaming work).
const MAX_ALIASES: usize = 64;

/// What a call does.
pub(crate) enum Act {
    Read(usize),
    Write(usize),
    Delete(usize, bool),
    /// Every argument from this one is deleted (Perl's `unlink LIST`).
    DeleteAll(usize, bool),
    Move(usize, usize),
    Copy(usize, usize, bool),
    /// `open(path, mode)`.
    Open,
    PerlOpen,
    /// An open by flags, the path the given argument (Perl's `sysopen(FH,
    /// PATH, FLAGS)`, Python's `os.open(PATH, FLAGS)`, Go's
    /// `os.OpenFile(PATH, FLAGS, PERM)`): a write when a flag says so.
    OpenFlags(usize),
    Shell,
    /// The pid argument, and whether every later argument is one too.
    Kill(usize, bool),
    Net,
    Eval,
}

/// The receiver's argument stands for the path (`Path('/x').unlink()`).
pub(crate) const RECV: usize = usize::MAX;

/// What a piece of code imports that makes an ambiguous name mean an API.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Uses {
    /// Node's `child_process`: `exec`, `spawn` run programs.
    pub child_process: bool,
    /// A socket library (Python's `socket`, Perl's `Socket`/`IO::Socket`,
    /// Node's `net`/`tls`): `connect` opens a connection.
    pub sockets: bool,
    /// Python's `psutil`: a process object's `kill`, `terminate`,
    /// `suspend` and `send_signal` signal it.
    pub psutil: bool,
}

impl Uses {
    pub fn of(src: &str, lang: Lang) -> Uses {
        let node_net = || {
            [
                "\"net\"",
                "'net'",
                "\"tls\"",
                "'tls'",
                "\"node:net\"",
                "'node:net'",
            ]
            .iter()
            .any(|m| src.contains(m))
        };
        Uses {
            child_process: src.contains("child_process"),
            sockets: match lang {
                Lang::Python => src.contains("socket"),
                Lang::Perl => src.contains("Socket"),
                Lang::Node => node_net(),
                Lang::Ruby | Lang::Php | Lang::Go | Lang::Other => false,
            },
            psutil: lang == Lang::Python && src.contains("psutil"),
        }
    }
}

/// The socket-level calls that open a connection (or a listener), as
/// [`action`] names them in an effect's `how` (`python3 s.connect`).
pub(crate) fn opens_socket(how: &str) -> bool {
    if !how.contains(' ') {
        return false;
    }
    let method = how.rsplit(['.', ' ']).next().unwrap_or("");
    matches!(
        method,
        "connect"
            | "connect_ex"
            | "bind"
            | "accept"
            | "create_connection"
            | "createConnection"
            | "fsockopen"
            | "pfsockopen"
            | "stream_socket_client"
            | "socket"
            | "tcp"
    ) || how.contains("Socket.") && matches!(method, "open" | "new")
        || how.contains("INET.new")
}

pub(crate) fn action(lang: Lang, c: &Call, uses: Uses) -> Option<Act> {
    let child_process = uses.child_process;
    let m = c.method();
    let r = c.receiver();
    let path_recv = matches!(r, "Path" | "PurePath" | "PosixPath" | "pathlib");
    Some(match lang {
        Lang::Python => match (r, m) {
            ("" | "io" | "codecs" | "builtins", "open") => Act::Open,
            (_, "unlink" | "rmdir") if path_recv && c.recv_call.is_some() => {
                Act::Delete(RECV, false)
            }
            (_, "write_text" | "write_bytes" | "touch" | "mkdir" | "chmod" | "symlink_to")
                if path_recv && c.recv_call.is_some() =>
            {
                Act::Write(RECV)
            }
            (_, "read_text" | "read_bytes") if path_recv && c.recv_call.is_some() => {
                Act::Read(RECV)
            }
            (_, "rename" | "replace") if path_recv && c.recv_call.is_some() => Act::Move(RECV, 0),
            ("os" | "", "remove" | "unlink" | "rmdir" | "removedirs")
                if r == "os" || m == "unlink" =>
            {
                Act::Delete(0, false)
            }
            (_, "rmtree") => Act::Delete(0, true),
            ("shutil" | "os", "move" | "rename" | "replace" | "renames") => Act::Move(0, 1),
            ("shutil" | "", "copy" | "copy2" | "copyfile" | "copytree") => {
                Act::Copy(0, 1, m == "copytree")
            }
            (
                "os",
                "chmod" | "chown" | "lchown" | "truncate" | "utime" | "mkdir" | "makedirs"
                | "mkfifo",
            ) => Act::Write(0),
            ("os", "symlink" | "link") => Act::Write(1),
            ("os", "open") => Act::OpenFlags(0),
            ("os", "system" | "popen" | "posix_spawn" | "posix_spawnp")
            | (
                "subprocess" | "",
                "run" | "call" | "check_call" | "check_output" | "Popen" | "getoutput"
                | "getstatusoutput",
            )
            | ("pty", "spawn") => Act::Shell,
            ("os", e) if e.starts_with("exec") || e.starts_with("spawn") => Act::Shell,
            // Task runners' contexts: nox's `session.run('pytest')`,
            // invoke's and Fabric's `c.run('make')`, `c.sudo(…)`, `c.local(…)`.
            (
                "session" | "s" | "c" | "ctx" | "context" | "conn" | "connection",
                "run" | "sudo" | "local",
            ) if !c.args.is_empty() => Act::Shell,
            ("os", "kill" | "killpg") => Act::Kill(0, false),
            // `psutil.Process(4242).terminate()`, and `p.kill()` of a
            // process `psutil.process_iter()` found (a computed pid).
            (_, "kill" | "terminate" | "suspend" | "send_signal") if uses.psutil => {
                Act::Kill(RECV, false)
            }
            (
                _,
                "urlopen" | "urlretrieve" | "HTTPConnection" | "HTTPSConnection"
                | "create_connection",
            )
            | (
                "requests" | "httpx" | "session" | "s" | "client" | "aiohttp" | "urllib3",
                "get" | "post" | "put" | "patch" | "delete" | "head" | "request" | "stream",
            ) => Act::Net,
            ("" | "builtins", "exec" | "eval" | "compile") => Act::Eval,
            // A listener too: what it accepts is a raw connection.
            (_, "connect" | "connect_ex" | "bind" | "accept") if uses.sockets => Act::Net,
            _ => return None,
        },
        Lang::Node => {
            match m {
                "writeFileSync" | "appendFileSync" | "writeFile" | "appendFile"
                | "createWriteStream" | "mkdirSync" | "chmodSync" | "chownSync"
                | "truncateSync" | "utimesSync" | "outputFileSync" | "outputFile"
                | "ensureFileSync" | "mkdtempSync" | "writeTextFile" | "writeTextFileSync" => {
                    Act::Write(0)
                }
                // Bun's `Bun.write(path, data)`, `Bun.file(path)`,
                // `Bun.spawn([argv])`.
                "write" if r == "Bun" => Act::Write(0),
                "file" if r == "Bun" => Act::Read(0),
                "spawn" | "spawnSync" if r == "Bun" => Act::Shell,
                "mkdir" | "chmod" | "chown" | "truncate" if !r.is_empty() => Act::Write(0),
                "symlinkSync" | "linkSync" | "symlink" | "link" if !r.is_empty() => Act::Write(1),
                "copyFileSync" | "cpSync" | "copySync" => Act::Copy(0, 1, m != "copyFileSync"),
                "copyFile" | "cp" | "copy" if !r.is_empty() => Act::Copy(0, 1, m != "copyFile"),
                // `rimraf(dir)`, `rimrafSync(dir)`, `require('rimraf').sync(dir)`.
                "rimraf" | "rimrafSync" | "sync" | "native" | "nativeSync"
                    if m.starts_with("rimraf") || r == "rimraf" =>
                {
                    Act::Delete(0, true)
                }
                "rmSync" | "rmdirSync" | "unlinkSync" | "removeSync" | "emptyDirSync" => {
                    Act::Delete(0, m != "unlinkSync")
                }
                "rm" | "rmdir" | "unlink" | "remove" | "emptyDir" if !r.is_empty() => {
                    Act::Delete(0, m != "unlink")
                }
                "renameSync" | "moveSync" => Act::Move(0, 1),
                "rename" | "move" if !r.is_empty() => Act::Move(0, 1),
                "readFileSync" | "readFile" | "createReadStream" | "readdirSync"
                | "opendirSync" | "readTextFile" | "readTextFileSync" => Act::Read(0),
                "execSync" | "spawnSync" | "execFileSync" => Act::Shell,
                "exec" | "spawn" | "execFile" | "fork" if child_process => Act::Shell,
                "kill" if r == "process" => Act::Kill(0, false),
                "fetch" | "got" | "connect" | "createConnection" | "request" | "get" | "post"
                | "put" | "patch"
                    if m == "fetch"
                        || m == "got"
                        || matches!(
                            r,
                            "http"
                                | "https"
                                | "axios"
                                | "net"
                                | "tls"
                                | "got"
                                | "superagent"
                                | "request"
                        ) =>
                {
                    Act::Net
                }
                "eval" | "Function" | "runInNewContext" | "runInThisContext" | "runInContext" => {
                    Act::Eval
                }
                "connect" if uses.sockets => Act::Net,
                _ => return None,
            }
        }
        Lang::Perl => match m {
            "unlink" => Act::DeleteAll(0, false),
            "rmdir" => Act::DeleteAll(0, false),
            "rmtree" | "remove_tree" => Act::DeleteAll(0, true),
            "rename" | "move" | "mv" => Act::Move(0, 1),
            "copy" | "cp" => Act::Copy(0, 1, false),
            "mkdir" | "make_path" | "mkpath" => Act::Write(0),
            "chmod" | "chown" | "utime" => Act::Write(1),
            "system" | "exec" => Act::Shell,
            "open" => Act::PerlOpen,
            "sysopen" => Act::OpenFlags(1),
            "truncate" => Act::Write(0),
            "kill" => Act::Kill(1, true),
            "get" | "getstore" | "mirror" | "post" | "post_form" | "request" | "head" | "put"
                if !r.is_empty()
                    || matches!(m, "getstore" | "mirror")
                    || c.words.iter().any(|w| w.contains("://")) =>
            {
                Act::Net
            }
            "eval" => Act::Eval,
            "socket" | "connect" if uses.sockets => Act::Net,
            "new" if matches!(r, "INET" | "INET6" | "IP" | "SSL") => Act::Net,
            _ => return None,
        },
        Lang::Ruby => match (r, m) {
            ("File" | "IO", "write" | "binwrite") | ("File", "new") => Act::Open,
            ("File" | "IO", "open") | ("", "open")
                if !c.words.iter().any(|w| w.contains("://")) =>
            {
                Act::Open
            }
            ("File" | "IO", "read" | "readlines" | "foreach" | "binread") => Act::Read(0),
            (
                "File" | "FileUtils" | "Dir",
                "delete" | "unlink" | "rm" | "rm_f" | "remove" | "remove_file" | "rmdir",
            ) => Act::DeleteAll(0, false),
            (
                "FileUtils",
                "rm_r" | "rm_rf" | "remove_dir" | "remove_entry" | "remove_entry_secure" | "rmtree",
            ) => Act::DeleteAll(0, true),
            ("File" | "FileUtils", "rename" | "mv" | "move") => Act::Move(0, 1),
            ("FileUtils", "cp" | "copy" | "cp_r" | "install" | "copy_file") => {
                Act::Copy(0, 1, m == "cp_r")
            }
            ("FileUtils" | "Dir", "touch" | "mkdir" | "mkdir_p" | "makedirs" | "mkpath") => {
                Act::Write(0)
            }
            (
                "FileUtils" | "File",
                "chmod" | "chmod_R" | "chown" | "chown_R" | "ln" | "ln_s" | "ln_sf" | "symlink"
                | "link",
            ) => Act::Write(1),
            (
                "" | "Kernel" | "Process" | "IO" | "Open3",
                "system" | "exec" | "spawn" | "popen" | "capture2" | "capture2e" | "capture3"
                | "popen3",
            ) => Act::Shell,
            ("Process", "kill") => Act::Kill(1, true),
            ("TCPSocket" | "UDPSocket" | "SSLSocket" | "TCPServer", "open" | "new")
            | ("Socket", "tcp" | "udp" | "new") => Act::Net,
            (
                "HTTP" | "URI" | "HTTParty" | "Faraday" | "RestClient" | "",
                "get" | "post" | "put" | "start" | "open" | "get_response" | "post_form",
            ) => Act::Net,
            (_, "eval" | "instance_eval" | "class_eval" | "module_eval") => Act::Eval,
            _ => return None,
        },
        // PHP's function names are case-insensitive (`FILE_PUT_CONTENTS`).
        Lang::Php => match m.to_ascii_lowercase().as_str() {
            "unlink" | "rmdir" => Act::Delete(0, false),
            "file_put_contents" | "touch" | "mkdir" | "chmod" | "chown" | "chgrp" | "tempnam" => {
                Act::Write(0)
            }
            "symlink" | "link" => Act::Write(1),
            "fopen" => Act::Open,
            "rename" => Act::Move(0, 1),
            "copy" => Act::Copy(0, 1, false),
            "file_get_contents" | "file" | "readfile" | "parse_ini_file" | "highlight_file"
            | "show_source" => Act::Read(0),
            "system" | "exec" | "shell_exec" | "passthru" | "popen" | "proc_open"
            | "pcntl_exec" => Act::Shell,
            "posix_kill" => Act::Kill(0, false),
            "curl_init" | "fsockopen" | "stream_socket_client" => Act::Net,
            "eval" | "assert" | "create_function" => Act::Eval,
            _ => return None,
        },
        // What most languages name so: a command run (R's `system`, Lua's
        // `os.execute`, Julia's `run` of a command literal), a file or tree removed (R's
        // `unlink`, Lua's `os.remove`, Julia's `rm`, Kotlin's
        // `deleteRecursively`), recursively when the call says so.
        Lang::Other => match m {
            "system" | "system2" | "execute" | "popen" | "shell" | "run" | "spawn" => Act::Shell,
            "unlink" | "remove" | "rm" | "rmdir" | "delete" | "deleteRecursively"
            | "removeItem" | "rmtree" => Act::Delete(
                0,
                matches!(m, "deleteRecursively" | "rmtree") || c.mentions(&["recursive"]),
            ),
            _ => return None,
        },
        Lang::Go => match (r, m) {
            ("os" | "ioutil", "WriteFile")
            | (
                "os",
                "Create" | "Truncate" | "Chmod" | "Chown" | "Lchown" | "Chtimes" | "Mkdir"
                | "MkdirAll",
            ) => Act::Write(0),
            ("os", "Symlink" | "Link") => Act::Write(1),
            ("os", "OpenFile") => Act::OpenFlags(0),
            ("os" | "ioutil", "ReadFile" | "ReadDir") | ("os", "Open") => Act::Read(0),
            ("os", "Remove") => Act::Delete(0, false),
            ("os", "RemoveAll") => Act::Delete(0, true),
            ("os", "Rename") => Act::Move(0, 1),
            ("exec", "Command") | ("syscall" | "unix", "Exec") => Act::Shell,
            ("syscall" | "unix", "Kill") => Act::Kill(0, false),
            ("http", "Get" | "Post" | "Head" | "PostForm" | "NewRequest")
            | ("net", "Dial" | "DialTimeout" | "Listen") => Act::Net,
            _ => return None,
        },
    })
}

/// Renames calls made through an alias to the name they stand for:
/// Python's `import subprocess as sp` / `from shutil import rmtree as rt`,
/// Node's `const cp = require('child_process')` / `import * as cp from …`,
/// and in any language a name assigned another (`F = File`).
pub(crate) fn unalias(toks: &[Tok], lang: Lang, calls: &mut [Call]) {
    let mut aliases: Vec<(&str, Vec<String>)> = Vec::new();
    let ident = |k: usize| match toks.get(k) {
        Some(Tok::Ident(s)) => Some(s.as_str()),
        _ => None,
    };
    let mut stmt_import = false;
    for k in 0..toks.len() {
        if aliases.len() >= MAX_ALIASES {
            break;
        }
        match (lang, &toks[k]) {
            (Lang::Python, Tok::Punct('\n' | ';')) => stmt_import = false,
            (Lang::Python, Tok::Ident(w)) if w == "import" || w == "from" => stmt_import = true,
            (Lang::Python, Tok::Ident(w)) if w == "as" && stmt_import => {
                let (Some(alias), Some(_)) = (ident(k + 1), ident(k.wrapping_sub(1))) else {
                    continue;
                };
                let mut start = k - 1;
                while start >= 2 && toks[start - 1] == Tok::Punct('.') && ident(start - 2).is_some()
                {
                    start -= 2;
                }
                let chain = toks[start..k].iter().filter_map(|t| match t {
                    Tok::Ident(s) => Some(s.clone()),
                    _ => None,
                });
                aliases.push((alias, chain.collect()));
            }
            (Lang::Node, Tok::Ident(w)) if matches!(w.as_str(), "const" | "let" | "var") => {
                if let (Some(alias), Some(Tok::Punct('=')), Some("require"), Some(Tok::Str(m, _))) =
                    (ident(k + 1), toks.get(k + 2), ident(k + 3), toks.get(k + 5))
                {
                    aliases.push((alias, vec![module_name(m).to_string()]));
                }
            }
            (Lang::Node, Tok::Ident(w)) if w == "import" => {
                // `import cp from 'm'`, `import * as cp from 'm'`.
                let (alias, at) = match (ident(k + 1), toks.get(k + 2), ident(k + 3)) {
                    (Some(a), _, _) if a != "as" => (a, k + 2),
                    (None, Some(Tok::Ident(as_)), Some(a)) if as_ == "as" => (a, k + 4),
                    _ => continue,
                };
                if let (Some("from"), Some(Tok::Str(m, _))) = (ident(at), toks.get(at + 1)) {
                    aliases.push((alias, vec![module_name(m).to_string()]));
                }
            }
            // `F = File`, `disk = shutil`, `const f = fs;`: a name given
            // another name, alone in its statement (not `x = File.open(…)`
            // nor a keyword argument `f(a=b)`).
            (_, Tok::Punct('=')) => {
                let alone = matches!(toks.get(k + 2), None | Some(Tok::Punct(';' | '\n')));
                // `o.x = y` sets an attribute; `a == b`, `a <= b` compare.
                let plain = !matches!(
                    toks.get(k.wrapping_sub(2)),
                    Some(Tok::Punct('.' | '=' | '!' | '<' | '>'))
                );
                if let (Some(alias), Some(to)) = (ident(k.wrapping_sub(1)), ident(k + 1))
                    && alone
                    && plain
                {
                    aliases.push((alias, vec![to.to_string()]));
                }
            }
            _ => {}
        }
    }
    if aliases.is_empty() {
        return;
    }
    for call in calls {
        if let Some(first) = call.name.first()
            && let Some((_, to)) = aliases.iter().find(|(a, _)| a == first)
        {
            call.name.splice(0..1, to.iter().cloned());
        }
    }
}
