//! Command strings a program is handed in its options, its environment or
//! its input, and runs: git's `rebase -x CMD`, `bisect run CMD`,
//! `submodule foreach CMD` and the commands its variables name
//! (`GIT_SSH_COMMAND`, `GIT_EXTERNAL_DIFF`, `GIT_PAGER`, …); tar's
//! checkpoint actions and filters; ssh's `ProxyCommand`/`LocalCommand`;
//! rsync's remote shell, Cargo's runners, linkers and compiler wrappers
//! (`--config`, `RUSTC_WRAPPER`), sed's `e` commands, ripgrep's `--pre`;
//! man's pager; make's recipes given inline (`--eval`, `-f -` with a
//! here-string); `npm pkg set scripts.x=CMD`; `trap CMD SIGNAL`; a shell or
//! `source` fed a process substitution of `echo`/`printf`, `source
//! /dev/stdin` fed a here-document or here-string; and the shell
//! strings of other interpreters (`osascript -e 'do shell script "…"'`,
//! `lua -e 'os.execute("…")'`, `expect -c 'spawn …'`).

use super::model::{Command, Word, join_words};

/// Variables whose value git runs as a command.
const GIT_COMMAND_VARS: &[&str] = &[
    "GIT_SSH_COMMAND",
    "GIT_SSH",
    "GIT_EXTERNAL_DIFF",
    "GIT_PAGER",
    "GIT_EDITOR",
    "GIT_SEQUENCE_EDITOR",
    "GIT_ASKPASS",
    "GIT_PROXY_COMMAND",
];

/// The command strings `cmd` is handed (see the module documentation).
pub(super) fn handed(cmd: &Command) -> Vec<Word> {
    let argv = &cmd.argv;
    let args = &argv[1..];
    let text = |k: usize| args.get(k).map(|w| w.text.as_str()).unwrap_or("");
    let mut out = Vec::new();
    match cmd.program.as_str() {
        "git" => {
            for a in cmd
                .assignments
                .iter()
                .filter(|a| GIT_COMMAND_VARS.contains(&a.name.as_str()))
            {
                // `GIT_SSH_COMMAND='ssh -i key'` is the ssh git was going
                // to run anyway; anything else is a command of its own.
                if !runs_ssh(&a.value.text) {
                    out.push(a.value.clone());
                }
            }
            // `git -c core.pager='…' log`: a command-valued setting for this
            // run.
            for w in args.windows(2) {
                if w[0].text == "-c"
                    && let Some((key, value)) = w[1].text.split_once('=')
                    && let Some(command) = git_command_setting(key, value)
                {
                    out.push(Word::literal(command));
                }
            }
            let sub = args.iter().position(|w| !w.text.starts_with('-'));
            if let Some(s) = sub {
                let rest = &args[s + 1..];
                match args[s].text.as_str() {
                    // `git config --global core.fsmonitor 'pkill x'`: a
                    // command every later git run runs.
                    "config" => {
                        let ops: Vec<&Word> =
                            rest.iter().filter(|w| !w.text.starts_with('-')).collect();
                        if let [key, value, ..] = ops.as_slice()
                            && let Some(command) = git_command_setting(&key.text, &value.text)
                        {
                            out.push(Word::literal(command));
                        }
                    }
                    "rebase" => out.extend(values(rest, &["-x", "--exec"])),
                    "bisect" if rest.first().is_some_and(|w| w.text == "run") => {
                        out.push(join_words(&rest[1..]));
                    }
                    "submodule" => {
                        if let Some(k) = rest.iter().position(|w| w.text == "foreach") {
                            let cmdline: Vec<Word> = rest[k + 1..]
                                .iter()
                                .filter(|w| w.text != "--recursive")
                                .cloned()
                                .collect();
                            out.push(join_words(&cmdline));
                        }
                    }
                    _ => {}
                }
            }
        }
        "tar" | "gtar" | "bsdtar" => {
            for w in args {
                let t = w.text.as_str();
                if let Some(c) = t.strip_prefix("--checkpoint-action=exec=") {
                    out.push(Word::literal(c));
                }
            }
            out.extend(values(
                args,
                &[
                    "--to-command",
                    "--use-compress-program",
                    "-I",
                    "--info-script",
                    "--new-volume-script",
                    "--rsh-command",
                ],
            ));
        }
        "zip" => out.extend(values(args, &["-TT", "--unzip-command"])),
        // `rsync -e 'sh -c …'`: the remote shell is run here (`-e 'ssh -p
        // 2222'` is the ssh rsync runs anyway).
        "rsync" => out.extend(
            values(args, &["-e", "--rsh"])
                .into_iter()
                .filter(|w| !runs_ssh(&w.text)),
        ),
        // `cargo --config 'target.x.runner="…"' run`, `RUSTC_WRAPPER=…
        // cargo build`: programs Cargo runs in place of the compiler, the
        // linker or the built binary.
        "cargo" => {
            for w in values(args, &["--config"]) {
                if let Some((key, value)) = w.text.split_once('=') {
                    out.extend(cargo_program(key.trim(), value.trim()).map(Word::literal));
                }
            }
            for a in &cmd.assignments {
                let n = a.name.as_str();
                let runs = matches!(
                    n,
                    "RUSTC" | "RUSTC_WRAPPER" | "RUSTC_WORKSPACE_WRAPPER" | "CARGO_BUILD_RUSTC"
                ) || n.starts_with("CARGO_BUILD_RUSTC_")
                    || (n.starts_with("CARGO_TARGET_")
                        && (n.ends_with("_RUNNER") || n.ends_with("_LINKER")));
                if runs && !a.value.text.is_empty() {
                    out.push(a.value.clone());
                }
            }
        }
        // GNU sed's `e COMMAND` and `s///e` run shell commands.
        "sed" | "gsed" => {
            let scripts = values(args, &["-e", "--expression"]);
            let scripts = if scripts.is_empty() {
                args.iter()
                    .find(|w| !w.text.starts_with('-'))
                    .cloned()
                    .into_iter()
                    .collect()
            } else {
                scripts
            };
            for script in scripts {
                out.extend(sed_commands(&script.text).map(Word::literal));
            }
        }
        // `rg --pre PROGRAM`: run on every file searched.
        "rg" => out.extend(values(args, &["--pre"])),
        "ssh" | "scp" | "sftp" => {
            for (k, w) in args.iter().enumerate() {
                let opt = if w.text == "-o" {
                    text(k + 1)
                } else {
                    w.text.strip_prefix("-o").unwrap_or("")
                };
                let lower = opt.to_ascii_lowercase();
                for key in ["proxycommand", "localcommand"] {
                    if let Some(v) = lower.strip_prefix(key) {
                        let v = &opt[opt.len() - v.len()..];
                        out.push(Word::literal(v.trim_start_matches([' ', '='])));
                    }
                }
            }
        }
        "man" => out.extend(values(args, &["-P", "--pager"])),
        "make" | "gmake" => {
            for recipe in values(args, &["--eval", "-E"]) {
                out.extend(recipes(&recipe.text));
            }
            if values(args, &["-f", "--file", "--makefile"])
                .iter()
                .any(|w| is_stdin(&w.text))
            {
                for text in here_texts(cmd) {
                    out.extend(recipes(&text));
                }
            }
        }
        "npm" | "pnpm" => {
            // `npm pkg set scripts.clean='rm -rf ~'`, `npm set-script x CMD`.
            match (text(0), text(1)) {
                ("pkg", "set") => {
                    for w in &args[2..] {
                        if let Some((_, c)) = w
                            .text
                            .split_once('=')
                            .filter(|(k, _)| k.starts_with("scripts."))
                        {
                            out.push(Word::literal(c));
                        }
                    }
                }
                ("set-script", _) => out.extend(args.get(2).cloned()),
                _ => {}
            }
        }
        "trap" => {
            if let Some(w) = args
                .first()
                .filter(|w| !matches!(w.text.as_str(), "-p" | "-l" | "-" | ""))
            {
                out.push(w.clone());
            }
        }
        "source" | "." | "sh" | "bash" | "zsh" | "dash" | "ksh" => {
            for w in args {
                if let Some(script) = printed_by_substitution(&w.text) {
                    out.push(Word::literal(script));
                }
            }
            // `source /dev/stdin <<< 'CMD'`, `. /dev/fd/0 <<EOF`.
            if matches!(cmd.program.as_str(), "source" | ".")
                && args.first().is_some_and(|w| is_stdin(&w.text))
            {
                out.extend(here_texts(cmd).map(|t| Word::literal(&t)));
            }
        }
        "osascript" => {
            for w in values(args, &["-e"]) {
                out.extend(quoted_after(&w.text, "do shell script"));
            }
        }
        "lua" | "luajit" => {
            for w in values(args, &["-e"]) {
                out.extend(quoted_after(&w.text, "os.execute("));
                out.extend(quoted_after(&w.text, "io.popen("));
            }
        }
        // `schtasks /create /tr CMD`: the task's command, run at its
        // trigger by the Task Scheduler.
        "schtasks" | "schtasks.exe" => {
            for (k, w) in args.iter().enumerate() {
                if w.text.eq_ignore_ascii_case("/tr")
                    && let Some(v) = args.get(k + 1)
                {
                    out.push(Word::literal(task_command(&v.text)));
                }
            }
        }
        "expect" => {
            for w in values(args, &["-c"]) {
                if let Some(rest) = w.text.split("spawn ").nth(1) {
                    out.push(Word::literal(rest.split([';', '\n']).next().unwrap_or("")));
                }
            }
        }
        _ => {}
    }
    out
}

/// A scheduled task's command as a line: as written, except that what
/// follows PowerShell's `-Command` (`powershell -c iwr … | iex`) is
/// PowerShell's whole, as the task hands it over, not a POSIX pipeline.
fn task_command(value: &str) -> String {
    let words: Vec<&str> = value.split_whitespace().collect();
    let program = words.first().map(|w| w.to_ascii_lowercase());
    let is_powershell = program.as_deref().is_some_and(|p| {
        let p = super::basename(&p.replace('\\', "/")).to_string();
        matches!(
            p.as_str(),
            "powershell" | "powershell.exe" | "pwsh" | "pwsh.exe"
        )
    });
    let flag = words.iter().position(|w| {
        matches!(
            w.to_ascii_lowercase().as_str(),
            "-c" | "-command" | "/c" | "/command"
        )
    });
    match (is_powershell, flag) {
        (true, Some(k)) => format!("pwsh -Command {}", super::quote(&words[k + 1..].join(" "))),
        _ => value.to_string(),
    }
}

/// Whether a file operand is the standard input.
fn is_stdin(file: &str) -> bool {
    matches!(file, "-" | "/dev/stdin" | "/dev/fd/0" | "/proc/self/fd/0")
}

/// The here-documents' and here-strings' texts `cmd` is given.
fn here_texts(cmd: &Command) -> impl Iterator<Item = String> + '_ {
    cmd.redirects.iter().filter_map(|r| {
        r.here_doc.clone().or_else(|| {
            (r.op == super::model::RedirectOp::HereString).then(|| r.target.text.clone())
        })
    })
}

/// The command a git setting runs, if it is one: `core.fsmonitor`,
/// `core.pager`, `core.sshCommand`, `core.editor`, `sequence.editor`,
/// `gpg.program`, a filter's `clean`/`smudge`/`process`, a diff driver's
/// `textconv`/`command`, and `!`-aliases and credential helpers.
fn git_command_setting<'v>(key: &str, value: &'v str) -> Option<&'v str> {
    let key = key.to_ascii_lowercase();
    let last = key.rsplit('.').next().unwrap_or("");
    let runs = matches!(
        key.as_str(),
        "core.fsmonitor"
            | "core.pager"
            | "core.sshcommand"
            | "core.editor"
            | "sequence.editor"
            | "gpg.program"
            | "core.askpass"
    ) || (key.starts_with("filter.") && matches!(last, "clean" | "smudge" | "process"))
        || (key.starts_with("diff.") && matches!(last, "textconv" | "command"));
    // `core.sshCommand='ssh -i key'` is the ssh git runs anyway.
    let ssh = key == "core.sshcommand" && runs_ssh(value);
    if runs && !ssh {
        return Some(value);
    }
    let bang = key.starts_with("alias.") || key.starts_with("credential.");
    bang.then(|| value.strip_prefix('!')).flatten()
}

/// Whether a command line runs ssh (the remote shell a tool runs anyway).
fn runs_ssh(line: &str) -> bool {
    line.split_whitespace()
        .next()
        .is_some_and(|p| p.rsplit('/').next().unwrap_or(p).ends_with("ssh"))
}

/// The program a Cargo setting given on the command line runs, if it is
/// one (`target.<triple>.runner`/`linker`, `build.rustc`,
/// `build.rustc-wrapper`): its TOML value, a string or an array of them.
fn cargo_program(key: &str, value: &str) -> Option<String> {
    if !cargo_setting_runs(key.trim_matches('"')) {
        return None;
    }
    let unquote = |v: &str| {
        let v = v.trim();
        v.strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .or_else(|| v.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
            .unwrap_or(v)
            .to_string()
    };
    match value.strip_prefix('[').and_then(|v| v.strip_suffix(']')) {
        Some(items) => Some(
            items
                .split(',')
                .map(|i| super::model::quote(&unquote(i)))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        None => Some(unquote(value)),
    }
}

/// Whether a Cargo setting (a full dotted key) names a program Cargo runs:
/// a target's `runner` or `linker`, `build.rustc`, `build.rustc-wrapper`,
/// `build.rustc-workspace-wrapper`. The configuration files' reader
/// (`implied::launchers::cargo_config`) asks the same.
pub(crate) fn cargo_setting_runs(key: &str) -> bool {
    key.starts_with("target.") && (key.ends_with(".runner") || key.ends_with(".linker"))
        || matches!(
            key,
            "build.rustc" | "build.rustc-wrapper" | "build.rustc-workspace-wrapper"
        )
}

/// The shell commands a sed script runs: its `e COMMAND` commands (after
/// an address, if any) and the replacement of an `s` command with the `e`
/// flag (the line it makes is run).
fn sed_commands(script: &str) -> impl Iterator<Item = String> + '_ {
    script.split(['\n', ';']).filter_map(|piece| {
        let p = piece.trim_start();
        // Skip an address: line numbers, `$`, ranges, `/regex/`.
        let p = p
            .trim_start_matches(|c: char| c.is_ascii_digit() || matches!(c, '$' | ',' | '~' | ' '));
        let p = match p.strip_prefix('/') {
            Some(rest) => rest
                .split_once('/')
                .map_or("", |(_, after)| after)
                .trim_start(),
            None => p,
        };
        if let Some(cmd) = p.strip_prefix("e ").or_else(|| p.strip_prefix("e\t")) {
            return Some(cmd.trim().to_string()).filter(|c| !c.is_empty());
        }
        // `s/re/replacement/flags`, any delimiter.
        let rest = p.strip_prefix('s')?;
        let delim = rest
            .chars()
            .next()
            .filter(|c| !c.is_alphanumeric() && *c != ' ')?;
        let parts: Vec<&str> = rest[delim.len_utf8()..].splitn(3, delim).collect();
        match parts.as_slice() {
            [_, replacement, flags] if flags.contains('e') && !replacement.is_empty() => {
                Some(replacement.to_string())
            }
            _ => None,
        }
    })
}

/// The values of options `names`, given as the next word or attached
/// (`--exec=CMD`, `-xCMD`).
fn values(args: &[Word], names: &[&str]) -> Vec<Word> {
    let mut out = Vec::new();
    for (k, w) in args.iter().enumerate() {
        for n in names {
            if w.text == *n {
                out.extend(args.get(k + 1).cloned());
            } else if let Some(v) = w.text.strip_prefix(n) {
                let v = v
                    .strip_prefix('=')
                    .unwrap_or(if n.starts_with("--") { "" } else { v });
                if !v.is_empty() {
                    out.push(Word::literal(v));
                }
            }
        }
    }
    out
}

/// The recipe lines of a makefile given as text: tab-indented lines, and
/// the command after `;` of a one-line rule (`x: ; rm -rf ~`).
fn recipes(text: &str) -> Vec<Word> {
    text.lines()
        .filter_map(|l| {
            if let Some(r) = l.strip_prefix('\t') {
                return Some(r.trim_start_matches(['@', '-', '+']).to_string());
            }
            let (head, rest) = l.split_once(';')?;
            head.contains(':').then(|| rest.trim().to_string())
        })
        .filter(|c| !c.is_empty())
        .take(32)
        .map(Word::literal)
        .collect()
}

/// The text an `echo`/`printf` process substitution prints (`<(echo 'rm
/// -rf ~')`): the script a shell reading it runs.
fn printed_by_substitution(word: &str) -> Option<String> {
    let inner = word.strip_prefix("<(")?.strip_suffix(')')?;
    let line = super::parse(inner);
    let c = line.commands.first()?;
    if !matches!(c.program.as_str(), "echo" | "printf") || c.program_dynamic {
        return None;
    }
    // echo's own options come first (`-n`, `-e`); the rest is printed.
    let words: Vec<&str> = c
        .args()
        .iter()
        .map(|w| w.text.as_str())
        .skip_while(|a| c.program == "echo" && matches!(*a, "-n" | "-e" | "-E" | "-ne" | "-en"))
        .collect();
    Some(words.join(" ").replace("\\n", "\n"))
}

/// The string literal after `marker` (`do shell script "rm -rf ~"`,
/// `os.execute("…")`), in double or single quotes.
fn quoted_after(code: &str, marker: &str) -> Option<Word> {
    let rest = code.split_once(marker)?.1.trim_start();
    let q = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let body = &rest[1..];
    let end = body.find(q)?;
    Some(Word::literal(&body[..end]))
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    fn handed_of(line: &str) -> Vec<String> {
        let l = parse(line);
        handed(&l.commands[0]).into_iter().map(|w| w.text).collect()
    }

    #[test]
    fn programs_run_by_rsync_cargo_sed_and_ripgrep() {
        assert_eq!(
            handed_of("rsync -e 'sh -c \"rm -rf ~\"' x h:"),
            ["sh -c \"rm -rf ~\""]
        );
        assert!(handed_of("rsync -av -e 'ssh -p 2222' x h:").is_empty());
        assert_eq!(
            handed_of("cargo --config 'target.x86_64-unknown-linux-gnu.runner=\"rm -rf ~ #\"' run"),
            ["rm -rf ~ #"]
        );
        assert_eq!(
            handed_of("cargo --config \"build.rustc-wrapper=['/tmp/w', '-v']\" build"),
            ["/tmp/w -v"]
        );
        assert!(handed_of("cargo --config 'profile.dev.opt-level=3' build").is_empty());
        assert_eq!(
            handed_of("RUSTC_WRAPPER=/tmp/evil cargo build"),
            ["/tmp/evil"]
        );
        assert_eq!(handed_of("sed -n '1e rm -rf ~' f"), ["rm -rf ~"]);
        assert_eq!(handed_of("sed 's/x/pkill clawlaw/e' f"), ["pkill clawlaw"]);
        assert_eq!(handed_of("sed -e '/^#/d' -e '$e rm x' f"), ["rm x"]);
        for line in [
            "sed -i 's/foo/bar/g' f",
            "sed -n '/start/,/end/p' f",
            "sed '1a extra line' f",
            "sed -E 's|/usr|/opt|' f",
        ] {
            assert!(handed_of(line).is_empty(), "{line}");
        }
        assert_eq!(handed_of("rg --pre ./unzip.sh needle"), ["./unzip.sh"]);
    }

    #[test]
    fn strings_handed_in_options_environment_and_input() {
        assert_eq!(handed_of("git rebase -x 'rm -rf ~' HEAD~1"), ["rm -rf ~"]);
        assert_eq!(handed_of("git bisect run rm -rf ~"), ["rm -rf ~"]);
        assert_eq!(handed_of("git submodule foreach 'rm -rf ~'"), ["rm -rf ~"]);
        assert_eq!(
            handed_of("GIT_SSH_COMMAND='rm -rf ~' git pull"),
            ["rm -rf ~"]
        );
        assert_eq!(
            handed_of("tar cf /dev/null x --checkpoint=1 --checkpoint-action=exec='rm -rf ~'"),
            ["rm -rf ~"]
        );
        assert_eq!(
            handed_of("tar xf x.tar --to-command='rm -rf ~'"),
            ["rm -rf ~"]
        );
        assert_eq!(handed_of("ssh -o ProxyCommand='rm -rf ~' x"), ["rm -rf ~"]);
        assert_eq!(handed_of("man -P 'rm -rf ~' ls"), ["rm -rf ~"]);
        assert_eq!(handed_of("make --eval=$'x:\\n\\trm -rf ~' x"), ["rm -rf ~"]);
        assert_eq!(handed_of("make -f - x <<< 'x: ; rm -rf ~'"), ["rm -rf ~"]);
        assert_eq!(handed_of("npm pkg set scripts.x='rm -rf ~'"), ["rm -rf ~"]);
        assert_eq!(handed_of("trap 'rm -rf ~' EXIT"), ["rm -rf ~"]);
        assert_eq!(handed_of("bash <(echo 'rm -rf ~')"), ["rm -rf ~"]);
        assert_eq!(handed_of("source <(echo rm -rf /srv)"), ["rm -rf /srv"]);
        assert_eq!(
            handed_of("source /dev/stdin <<< 'rm -rf /srv'"),
            ["rm -rf /srv"]
        );
        assert_eq!(handed_of(". /dev/fd/0 <<< 'pkill x'"), ["pkill x"]);
        assert_eq!(
            handed_of("osascript -e 'do shell script \"rm -rf ~\"'"),
            ["rm -rf ~"]
        );
        assert_eq!(handed_of("lua -e 'os.execute(\"rm -rf ~\")'"), ["rm -rf ~"]);
        assert_eq!(
            handed_of("expect -c 'spawn rm -rf /srv; expect eof'"),
            ["rm -rf /srv"]
        );
        // Ordinary uses hand nothing, or what they say.
        assert_eq!(
            handed_of("git config --global core.fsmonitor 'pkill clawlaw'"),
            ["pkill clawlaw"]
        );
        assert_eq!(handed_of("git -c alias.x='!rm -rf ~' x"), ["rm -rf ~"]);
        assert!(handed_of("git config --global user.name 'A B'").is_empty());
        assert!(handed_of("git rebase -i HEAD~3").is_empty());
        assert!(handed_of("tar czf x.tgz src").is_empty());
        assert!(handed_of("make -j4 test").is_empty());
        assert!(handed_of("trap - EXIT").is_empty());
        assert!(handed_of("GIT_SSH_COMMAND='ssh -i ./k' git fetch").is_empty());
        assert!(handed_of("bash script.sh").is_empty());
        assert!(handed_of("source ./env.sh <<< 'ignored'").is_empty());
    }
}
