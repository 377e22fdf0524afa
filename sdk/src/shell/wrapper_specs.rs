//! Which programs are wrappers, and how each reads its own options and
//! operands before the command it runs (`sudo -u USER`, `timeout
//! DURATION`, `bwrap --bind SRC DEST`): the table `wrappers.rs` unwraps by.

use super::argspec::{Spec, spec};

/// How wrapper `name` reads its options and operands; `None` when it is
/// not a wrapper.
pub(super) fn wrapper_spec(name: &str) -> Option<Spec> {
    Some(match name {
        "sudo" => spec(
            "ugpCDrtUTR",
            &[
                "--user",
                "--group",
                "--prompt",
                "--close-from",
                "--chdir",
                "--role",
                "--type",
                "--other-user",
                "--command-timeout",
                "--chroot",
                "--host",
            ],
            0,
            true,
        ),
        "doas" => spec("uC", &[], 0, false),
        "pkexec" => spec("", &["--user"], 0, false),
        "env" => spec("uCSP", &["--unset", "--chdir", "--split-string"], 0, true),
        "nice" => spec("n", &["--adjustment"], 0, false),
        "time" => spec("fo", &["--format", "--output"], 0, false),
        "timeout" => spec("sk", &["--signal", "--kill-after"], 1, false),
        "command" | "builtin" | "nohup" | "setsid" | "busybox" | "toybox" => {
            spec("", &[], 0, false)
        }
        "run0" => spec(
            "ugD",
            &[
                "--user",
                "--group",
                "--nice",
                "--chdir",
                "--setenv",
                "--property",
                "--unit",
                "--description",
                "--slice",
                "--machine",
                "--background",
                "--shell-prompt-prefix",
            ],
            0,
            false,
        ),
        // `runuser -u USER CMD` (its `-c` form is `su`'s, in `nested.rs`).
        "runuser" => spec("ugG", &["--user", "--group", "--supp-group"], 0, false),
        // Run a command as another user or with other credentials.
        "setpriv" => spec(
            "",
            &[
                "--reuid",
                "--regid",
                "--ruid",
                "--rgid",
                "--euid",
                "--egid",
                "--groups",
                "--inh-caps",
                "--ambient-caps",
                "--bounding-set",
                "--securebits",
                "--pdeathsig",
                "--selinux-label",
                "--apparmor-profile",
                "--landlock-access",
                "--landlock-rule",
                "--seccomp-filter",
            ],
            0,
            false,
        ),
        "gosu" | "su-exec" | "setuidgid" => spec("", &[], 1, false),
        "chpst" => spec("uUbe/nlLmdofpcrt", &[], 0, false),
        // Process supervisors and session helpers that start one command.
        "tini" => spec("pe", &[], 0, false),
        "dumb-init" => spec("r", &["--rewrite"], 0, false),
        "daemonize" => spec("ceopluE", &[], 0, false),
        "sshpass" => spec("pfdP", &[], 0, false),
        "ssh-agent" => spec("aEPt", &[], 0, false),
        "dbus-run-session" => spec("", &["--config-file", "--dbus-daemon"], 0, false),
        "systemd-inhibit" => spec("", &["--what", "--who", "--why", "--mode"], 0, false),
        "cgexec" => spec("g", &[], 0, false),
        "trickle" => spec("udwtln", &[], 0, false),
        // Run a command on the host from a sandbox or a container.
        "flatpak-spawn" | "distrobox-host-exec" | "host-spawn" => spec("", &[], 0, false),
        "exec" => spec("a", &[], 0, false),
        "bwrap" => spec(
            "",
            &[
                "--tmpfs",
                "--dev",
                "--proc",
                "--mqueue",
                "--dir",
                "--remount-ro",
                "--chdir",
                "--unsetenv",
                "--lock-file",
                "--sync-fd",
                "--info-fd",
                "--json-status-fd",
                "--block-fd",
                "--userns-block-fd",
                "--seccomp",
                "--add-seccomp-fd",
                "--exec-label",
                "--file-label",
                "--uid",
                "--gid",
                "--hostname",
                "--cap-add",
                "--cap-drop",
                "--perms",
                "--size",
                "--argv0",
                "--userns",
                "--userns2",
                "--pidns",
                "--args",
                "--tmp-overlay",
                "--ro-overlay",
                "--overlay-src",
            ],
            0,
            false,
        ),
        "xargs" => spec(
            "adEILnPs",
            &[
                "--arg-file",
                "--delimiter",
                "--max-args",
                "--max-procs",
                "--max-chars",
                "--process-slot-var",
            ],
            0,
            false,
        ),
        "stdbuf" => spec("ioe", &["--input", "--output", "--error"], 0, false),
        "ionice" => spec("cn", &["--class", "--classdata"], 0, false),
        "chroot" => spec("", &["--userspec", "--groups"], 1, false),
        "watch" => spec("nq", &["--interval", "--equexit"], 0, false),
        "unshare" => spec(
            "SGRw",
            &[
                "--propagation",
                "--setgroups",
                "--setuid",
                "--setgid",
                "--root",
                "--wd",
                "--map-user",
                "--map-group",
                "--map-users",
                "--map-groups",
                "--monotonic",
                "--boottime",
            ],
            0,
            false,
        ),
        "nsenter" => spec("tSG", &["--target", "--setuid", "--setgid"], 0, false),
        // Run a command under a lock, on chosen CPUs or memory, at a
        // priority, under limits, traced, sandboxed or proxied: the command
        // is what runs.
        "flock" => spec(
            "wE",
            &["--timeout", "--wait", "--conflict-exit-code"],
            1,
            false,
        ),
        "taskset" => spec("", &[], 1, false),
        "chrt" => spec(
            "T",
            &["--sched-runtime", "--sched-deadline", "--sched-period"],
            1,
            false,
        ),
        "numactl" => spec(
            "NmCipP",
            &[
                "--cpunodebind",
                "--membind",
                "--physcpubind",
                "--interleave",
                "--preferred",
            ],
            0,
            false,
        ),
        "prlimit" => spec("p", &["--pid"], 0, false),
        "strace" => spec(
            "abeEIoOpPsSuUX",
            &[
                "--trace",
                "--output",
                "--attach",
                "--env",
                "--user",
                "--string-limit",
            ],
            0,
            false,
        ),
        "ltrace" => spec("aAeElnopsuwxX", &["--output", "--library"], 0, false),
        "systemd-run" => spec(
            "upEMH",
            &[
                "--unit",
                "--property",
                "--setenv",
                "--description",
                "--slice",
                "--machine",
                "--host",
                "--uid",
                "--gid",
                "--nice",
                "--working-directory",
                "--service-type",
                "--on-active",
                "--on-boot",
                "--on-calendar",
                "--timer-property",
            ],
            0,
            false,
        ),
        "screen" => spec("ScTehp", &[], 0, false),
        "script" => spec(
            "cEIOTB",
            &[
                "--command",
                "--echo",
                "--log-in",
                "--log-out",
                "--log-io",
                "--log-timing",
            ],
            0,
            false,
        ),
        "sg" => spec("", &[], 1, false),
        // `choom -n ADJ [--] CMD` (with `-p PID` it runs nothing).
        "choom" => spec("np", &["--adjust", "--pid"], 0, false),
        // Windows' `wsl [-d DISTRO] [-u USER] [-e] CMD`: the command runs in
        // a Linux distribution, on the same machine and files.
        "wsl" | "wsl.exe" => spec(
            "du",
            &[
                "--distribution",
                "--user",
                "--cd",
                "--shell-type",
                "--distribution-id",
            ],
            0,
            false,
        ),
        "parallel" => spec(
            "jSaPdI",
            &[
                "--jobs",
                "--sshlogin",
                "--arg-file",
                "--delimiter",
                "--joblog",
            ],
            0,
            false,
        ),
        "unbuffer" | "dbus-launch" | "fakeroot" | "eatmydata" | "chronic" | "catchsegv"
        | "nocache" | "xvfb-run" | "torsocks" | "proxychains" | "proxychains4" | "firejail"
        | "valgrind" | "caffeinate" => spec("", &[], 0, false),
        _ => return None,
    })
}

/// `wsl`'s options that manage distributions rather than run a command.
pub(super) const WSL_MANAGEMENT: &[&str] = &[
    "--shutdown",
    "--terminate",
    "-t",
    "--unregister",
    "--export",
    "--import",
    "--import-in-place",
    "--list",
    "-l",
    "--install",
    "--set-default",
    "-s",
    "--set-default-version",
    "--set-version",
    "--update",
    "--status",
    "--mount",
    "--unmount",
    "--manage",
    "--version",
    "-v",
    "--help",
];

/// Long options of a wrapper that take more than one value, and how many
/// (`bwrap --bind SRC DEST`, `--overlay RWSRC WORKDIR DEST`).
pub(super) fn long_multi(name: &str, option: &str) -> Option<usize> {
    match (name, option) {
        (
            "bwrap",
            "--bind" | "--ro-bind" | "--dev-bind" | "--bind-try" | "--ro-bind-try"
            | "--dev-bind-try" | "--symlink" | "--setenv" | "--file" | "--bind-data"
            | "--ro-bind-data" | "--chmod",
        ) => Some(2),
        ("bwrap", "--overlay") => Some(3),
        _ => None,
    }
}
