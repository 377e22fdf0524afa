//! Core checks on code run from elsewhere: downloads or decoded data run as
//! code, scripts of a tree cloned or extracted earlier in the line, scripts
//! written earlier in the line.

use clawlaw_sdk::implied::schedulers::cron_job;
use clawlaw_sdk::shell::{Command, CommandKind, CommandLine, Origin, RedirectOp, Word};

use crate::checker::{Checker, Line, MAX_REPARSE};
use crate::given::fed_text;
use crate::programs::*;

impl Checker<'_> {
    /// A script written earlier in the line (`echo … > x.sh && sh x.sh`) is
    /// judged by what was written into it.
    pub(crate) fn check_written(&mut self, cl: &CommandLine, i: usize, line: &Line) {
        let c = &cl.commands[i];
        if c.program_dynamic || line.level >= MAX_REPARSE || line.written.is_empty() {
            return;
        }
        let p = c.program.as_str();
        let script = if matches!(p, "source" | ".") {
            c.operands().next()
        } else if is_shell(p) && !c.has_flag('c') {
            script_operand(c)
        } else {
            c.argv.first().filter(|w| w.text.contains('/'))
        };
        let Some(script) = script else { return };
        let name = normalise(&script.text);
        let bodies: Vec<String> = line
            .written
            .iter()
            .filter(|(f, _)| *f == name)
            .map(|(_, body)| body.clone())
            .collect();
        for body in bodies {
            self.reparse(&body, line.level + 1);
        }
    }

    /// Downloaded or decoded data run as code.
    pub(crate) fn check_remote_exec(&mut self, cl: &CommandLine, i: usize, line: &mut Line) {
        let (level, from_net, from_decoder) = (line.level, &line.from_net, &line.from_decoder);
        let c = &cl.commands[i];
        let shown = Shown::new(c);
        let p = c.program.as_str();
        if !c.program_dynamic && is_interpreter(p) {
            let stdin_code = reads_stdin_code(c);
            let fed = (stdin_code && c.piped_in) || c.has_wrapper("xargs");
            if fed && from_net[i] {
                let up = cl
                    .upstream(i)
                    .into_iter()
                    .find(|&u| is_downloader(&cl.commands[u]))
                    .map(|u| show(&cl.commands[u]))
                    .unwrap_or_else(|| "a download".into());
                self.deny(
                    "shell.remote-exec",
                    format!("`{up} | {shown}` runs code downloaded from the network"),
                );
            } else if fed && from_decoder[i] {
                let up = cl
                    .upstream(i)
                    .into_iter()
                    .find(|&u| is_decoder(&cl.commands[u]))
                    .map(|u| show(&cl.commands[u]))
                    .unwrap_or_else(|| "a decoder".into());
                self.deny(
                    "shell.obfuscated-exec",
                    format!("`{up} | {shown}` runs decoded data as code, which hides what it does"),
                );
            } else if stdin_code && is_shell(p) && level < MAX_REPARSE {
                // `echo '…' | sh`, `sh <<EOF`: judge what it is given.
                for text in fed_text(cl, i) {
                    self.reparse(&text, level + 1);
                }
            }
        }
        // `echo 'rm -rf ~' | at now`: a scheduled job is judged as typed.
        if !c.program_dynamic && matches!(p, "at" | "batch") && level < MAX_REPARSE {
            for text in fed_text(cl, i) {
                self.reparse(&text, level + 1);
            }
        }
        if !c.program_dynamic
            && p == "crontab"
            && c.operands().all(|w| w.text == "-")
            && level < MAX_REPARSE
        {
            for text in fed_text(cl, i) {
                for job in text.lines().filter_map(|l| cron_job(l, false)) {
                    self.reparse(&job, level + 1);
                }
            }
        }
        // A script saved by a download earlier in the line.
        for s in scripts_run(c) {
            if line.downloaded.contains(&normalise(&s.text)) {
                self.deny(
                    "shell.remote-exec",
                    format!(
                        "`{shown}` runs {}, downloaded earlier in the same command line",
                        s.text
                    ),
                );
            }
        }
        // A download or decoding inside a substitution that becomes code.
        let downloads = is_downloader(c);
        if downloads || is_decoder(c) {
            let mut cur = i;
            while let Some(parent) = cl.commands[cur].parent {
                let origin = cl.commands[cur].origin;
                if !matches!(
                    origin,
                    Origin::CommandSubstitution | Origin::ProcessSubstitution
                ) {
                    break;
                }
                let pc = &cl.commands[parent];
                if pc.kind == CommandKind::Simple && runs_substitution(pc, origin) {
                    let runner = show(pc);
                    if downloads {
                        self.deny(
                            "shell.remote-exec",
                            format!("`{runner}` runs code downloaded by `{shown}`"),
                        );
                    } else {
                        self.deny(
                            "shell.obfuscated-exec",
                            format!("`{runner}` runs data decoded by `{shown}` as code, which hides what it does"),
                        );
                    }
                    break;
                }
                cur = parent;
            }
        }
        // A script run by relative path after a tree of code was fetched
        // in the same line (`git clone URL && cd x && ./install.sh`).
        if let Some(fetched) = &line.fetched
            && let Some(script) = fetched_script(c)
            && !line.downloaded.contains(&normalise(&script.text))
        {
            let what = format!(
                "`{shown}` runs {}, fetched by `{fetched}` earlier in the same command line, unreviewed",
                script.text
            );
            self.escalate("shell.remote-exec", 0.8, None, what);
        }
        if downloads {
            line.downloaded
                .extend(download_targets(c).iter().map(|t| normalise(t)));
        }
        if line.fetched.is_none() && fetches_tree(c, &line.downloaded) {
            line.fetched = Some(shown.to_string());
        }
    }
}

/// The scripts `c` runs by name: the one a shell or interpreter is given
/// (`bash x.sh`, `python3 setup.py`, `source env.sh`), and the program itself
/// when run by its path (`./install.sh`).
fn scripts_run(c: &Command) -> impl Iterator<Item = &Word> {
    let p = c.program.as_str();
    let known = !c.program_dynamic;
    let by_runner = (known && is_interpreter(p))
        .then(|| {
            if matches!(p, "source" | ".") {
                c.operands().next()
            } else {
                script_operand(c)
            }
        })
        .flatten();
    let by_path = c.argv.first().filter(|w| known && w.text.contains('/'));
    by_runner.into_iter().chain(by_path)
}

/// A script `c` runs, outside the system's directories: `./install.sh`,
/// `bin/setup`, `bash /tmp/x/install.sh`, `python3 setup.py` (not the
/// string of `sh -c`).
fn fetched_script(c: &Command) -> Option<&Word> {
    const SYSTEM: &[&str] = &["/usr/", "/bin/", "/sbin/", "/lib", "/etc/", "/opt/"];
    // `sh -c STRING`: the string is a command line, walked as one.
    let string = is_shell(&c.program) && c.has_flag('c');
    let by_path = |w: &Word| c.argv.first().is_some_and(|f| std::ptr::eq(f, w));
    scripts_run(c).find(|w| {
        let t = w.text.as_str();
        (!string || by_path(w))
            && !t.starts_with(['~', '$', '-'])
            && !SYSTEM.iter().any(|d| t.starts_with(d))
            && (t.contains('/')
                || [".sh", ".bash", ".py", ".js", ".mjs", ".rb", ".pl", ".ps1"]
                    .iter()
                    .any(|e| t.ends_with(e)))
    })
}

/// Whether `c` fetches a tree of code: `git clone` of a remote, or an
/// archive a download saved earlier in the line extracted (`tar x`, `unzip`).
fn fetches_tree(c: &Command, downloaded: &[String]) -> bool {
    match c.program.as_str() {
        "git" => {
            let mut ops = c.operands();
            ops.next().is_some_and(|w| w.text == "clone")
                && ops.any(|w| w.text.contains("://") || w.text.contains('@'))
        }
        "tar" | "unzip" | "bsdtar" | "7z" => c
            .args()
            .iter()
            .any(|a| downloaded.contains(&normalise(&a.text))),
        _ => false,
    }
}

/// Whether a command runs a substitution nested in it as code.
pub(crate) fn runs_substitution(pc: &Command, origin: Origin) -> bool {
    let p = pc.program.as_str();
    if pc.program_dynamic || p == "eval" || p == "source" || p == "." {
        return true;
    }
    if !is_interpreter(p) {
        return false;
    }
    match origin {
        Origin::ProcessSubstitution => true,
        _ => {
            pc.has_flag('c')
                || pc.has_flag('e')
                || pc.has_flag('E')
                || pc.has_long("eval")
                || pc.has_long("command")
                || (reads_stdin_code(pc)
                    && pc
                        .redirects
                        .iter()
                        .any(|r| matches!(r.op, RedirectOp::HereString | RedirectOp::HereDoc)))
        }
    }
}

/// Whether an interpreter reads the code it runs from standard input.
pub(crate) fn reads_stdin_code(c: &Command) -> bool {
    let p = c.program.as_str();
    if matches!(p, "source" | ".") {
        return c.operands().next().is_some_and(|w| {
            matches!(
                w.text.as_str(),
                "/dev/stdin" | "-" | "/dev/fd/0" | "/proc/self/fd/0"
            )
        });
    }
    let shell = is_shell(p);
    if shell && c.has_flag('s') {
        return true;
    }
    let code_flag = if shell {
        c.has_flag('c') || c.has_long("command")
    } else if versioned(p, "python") || versioned(p, "pypy") {
        c.has_flag('c') || c.has_flag('m')
    } else if matches!(p, "node" | "nodejs" | "deno" | "bun") {
        c.has_flag('e') || c.has_flag('p') || c.has_long("eval") || c.has_long("print")
    } else if versioned(p, "php") {
        c.has_flag('r')
    } else {
        c.has_flag('e') || c.has_flag('E')
    };
    if code_flag {
        return false;
    }
    match script_operand(c) {
        None => !matches!(p, "deno" | "bun"),
        Some(w) => matches!(
            w.text.as_str(),
            "-" | "/dev/stdin" | "/dev/fd/0" | "/proc/self/fd/0"
        ),
    }
}

/// The script an interpreter runs, skipping option values it knows.
pub(crate) fn script_operand(c: &Command) -> Option<&Word> {
    let valued: &[&str] = if is_shell(c.program.as_str()) {
        &["-o", "+o", "-O", "+O", "--rcfile", "--init-file"]
    } else {
        &["-W", "-X", "-I", "-r", "--require", "-M"]
    };
    let w = first_operand(c, valued).map(|(_, w)| w)?;
    if matches!(c.program.as_str(), "deno" | "bun") && matches!(w.text.as_str(), "run" | "x") {
        return c
            .argv
            .get(c.argv.iter().position(|a| std::ptr::eq(a, w))? + 1);
    }
    Some(w)
}

/// Files a download saves: `curl -o F`, `curl -O URL`, `wget URL`,
/// `wget -O F`, `> F`.
pub(crate) fn download_targets(c: &Command) -> Vec<String> {
    let mut out = Vec::new();
    let args = c.args();
    let p = c.program.as_str();
    // Short options taking a value; `o`/`O` are the output file.
    let (valued, output) = match p {
        "curl" => ("HdXuAewxTbcFmryYzKECPQUDo", 'o'),
        "wget" => ("OoaPeUtTwQlARiBDIX", 'O'),
        _ => ("", '\0'),
    };
    let mut remote_name = p == "wget";
    let mut k = 0;
    while k < args.len() {
        let t = args[k].text.as_str();
        k += 1;
        if let Some(long) = t.strip_prefix("--") {
            let (key, value) = match long.split_once('=') {
                Some((key, v)) => (key, Some(v.to_string())),
                None => (long, None),
            };
            match (p, key) {
                ("curl", "output") | ("wget", "output-document") => {
                    remote_name = false;
                    let v = value.or_else(|| args.get(k).map(|w| w.text.clone()));
                    k += 1;
                    out.extend(v.filter(|v| v != "-"));
                }
                ("curl", "remote-name" | "remote-name-all") => remote_name = true,
                _ => {}
            }
            continue;
        }
        let Some(cluster) = t.strip_prefix('-').filter(|c| !c.is_empty()) else {
            continue;
        };
        for (j, ch) in cluster.char_indices() {
            if p == "curl" && ch == 'O' {
                remote_name = true;
            }
            if valued.contains(ch) {
                let rest = &cluster[j + 1..];
                let value = if rest.is_empty() {
                    k += 1;
                    args.get(k - 1).map(|w| w.text.clone())
                } else {
                    Some(rest.to_string())
                };
                if ch == output {
                    remote_name = false;
                    out.extend(value.filter(|v| v != "-"));
                }
                break;
            }
        }
    }
    if remote_name {
        for w in c.operands() {
            if let Some((_, path)) = w.text.split_once("://") {
                let path = path.split(['?', '#']).next().unwrap_or("");
                if let Some(name) = path
                    .rsplit('/')
                    .next()
                    .filter(|n| !n.is_empty() && path.contains('/'))
                {
                    out.push(name.to_string());
                }
            }
        }
    }
    for r in &c.redirects {
        if matches!(
            r.op,
            RedirectOp::Write | RedirectOp::Append | RedirectOp::Clobber | RedirectOp::WriteAll
        ) && r.fd.is_none_or(|f| f == 1)
        {
            out.push(r.target.text.clone());
        }
    }
    out
}

pub(crate) fn normalise(path: &str) -> String {
    let mut p = path;
    while let Some(rest) = p.strip_prefix("./") {
        p = rest;
    }
    p.to_string()
}
