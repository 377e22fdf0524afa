//! Resource exhaustion: processes that multiply without end (a function
//! that starts copies of itself, inline code that forks in an endless
//! loop: fork bombs) and an endless stream written to a file with nothing
//! to bound it, or one file written at a size no disk spares (`fallocate -l
//! 500G`), which fills the disk — and with it every service's logs,
//! databases and the gate's evidence; and the machine's processors spent
//! for someone else: a cryptocurrency miner.

use clawlaw_sdk::shell::containers::container_run;
use clawlaw_sdk::shell::{Command, CommandKind, CommandLine, RedirectOp};

use crate::checker::Checker;
use crate::programs::{TEXT_PROGRAMS, option_values, show};

/// Cryptocurrency miners by the names they are published under.
const MINERS: &[&str] = &[
    "xmrig",
    "xmr-stak",
    "cpuminer",
    "cpuminer-opt",
    "minerd",
    "cgminer",
    "bfgminer",
    "ethminer",
    "nbminer",
    "lolminer",
    "t-rex",
    "phoenixminer",
    "gminer",
    "teamredminer",
    "srbminer-multi",
    "nanominer",
];

/// Devices that never run dry.
const ENDLESS_DEVICES: &[&str] = &["/dev/zero", "/dev/urandom", "/dev/random"];

/// The size of one file written from which the disk is taken to fill: more
/// than a developer's machine commonly has free for any one file.
const HUGE: u64 = 16 << 30;

/// A size as `dd`, `head`, `fallocate` and `mkfile` read it: a number with
/// an optional unit (`512`, `1M`, `1MB`, `500G`, `100g`, `2TiB`; `c` is a
/// byte, `b` a 512-byte block).
fn size(text: &str) -> Option<u64> {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let n: u64 = text[..digits].parse().ok()?;
    let unit = text[digits..].to_ascii_lowercase();
    let (letter, base) = match unit.as_bytes() {
        [] | [b'c'] => return Some(n),
        [b'b'] => return Some(n.saturating_mul(512)),
        [l] => (*l, 1024u64),
        [l, b'i', b'b'] => (*l, 1024),
        [l, b'b'] => (*l, 1000),
        _ => return None,
    };
    let power = match letter {
        b'k' => 1,
        b'm' => 2,
        b'g' => 3,
        b't' => 4,
        b'p' => 5,
        _ => return None,
    };
    Some(n.saturating_mul(base.saturating_pow(power)))
}

/// Programs that pass a stream on, changed or not, as long as it lasts.
const PASS_ON: &[&str] = &[
    "cat", "pv", "tr", "base64", "base32", "od", "xxd", "hexdump", "gzip", "bzip2", "xz", "zstd",
    "openssl", "sed", "awk", "tee", "strings", "fold", "cut",
];

/// Programs that stop after a bounded amount (`head -c 1G`, `dd count=`).
fn bounds(c: &Command) -> bool {
    match c.program.as_str() {
        "head" => true,
        "dd" => c.args().iter().any(|w| w.text.starts_with("count=")),
        "pv" => c
            .args()
            .iter()
            .any(|w| matches!(w.text.as_str(), "-S" | "--stop-at-size")),
        _ => c.has_wrapper("timeout"),
    }
}

/// A file a command's output is redirected to (not a device).
fn written_file(c: &Command) -> Option<&str> {
    c.redirects
        .iter()
        .filter(|r| r.op.writes_file() && r.fd.is_none_or(|fd| fd == 1))
        .map(|r| r.target.text.as_str())
        .find(|t| !t.starts_with("/dev/"))
}

/// The value of one of dd's `key=value` operands (`if=`, `of=`).
fn dd_operand<'c>(c: &'c Command, key: &str) -> Option<&'c str> {
    c.args().iter().find_map(|w| w.text.strip_prefix(key))
}

/// The file dd writes (`of=`), when it is one and not a device.
fn dd_file(c: &Command) -> Option<String> {
    dd_operand(c, "of=")
        .filter(|f| !f.starts_with("/dev/"))
        .map(str::to_string)
}

/// Whether a command produces an endless stream: `yes`, or a program
/// that passes on an endless device it reads (`cat /dev/zero`, `tr -dc
/// a-z < /dev/urandom`), unbounded.
fn endless(c: &Command) -> bool {
    if c.kind != CommandKind::Simple || c.program_dynamic || bounds(c) {
        return false;
    }
    let p = c.program.as_str();
    if p == "yes" {
        return true;
    }
    let reads_device = c
        .operands()
        .any(|w| ENDLESS_DEVICES.contains(&w.text.as_str()))
        || c.redirects
            .iter()
            .any(|r| r.op == RedirectOp::Read && ENDLESS_DEVICES.contains(&r.target.text.as_str()));
    reads_device && PASS_ON.contains(&p)
}

/// Whether inline code forks in an endless loop (`perl -e 'fork while 1'`,
/// `while True: os.fork()`, `loop { fork }`).
pub(crate) fn forks_forever(code: &str) -> bool {
    let compact: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    let forks = compact.contains("fork") || compact.contains("spawn(");
    let endless = [
        "while1",
        "while(1)",
        "whileTrue",
        "while(true)",
        "whiletrue",
        "for(;;)",
        "loop{",
        "loopdo",
    ]
    .iter()
    .any(|l| compact.contains(l));
    forks && endless
}

impl Checker<'_> {
    pub(crate) fn check_fork_bomb(&mut self, cl: &CommandLine, i: usize) {
        let c = &cl.commands[i];
        if !(c.piped_in || c.piped_out || c.background) {
            return;
        }
        for a in cl.ancestors(i) {
            if let CommandKind::Function { name } = &cl.commands[a].kind
                && *name == c.program
            {
                self.deny(
                    "shell.fork-bomb",
                    format!("`{name}() {{ … }}` is a fork bomb: it starts copies of itself in a pipeline or in the background"),
                );
                return;
            }
        }
    }

    /// An endless loop (`while true`, `while :`, `until false`) whose body
    /// starts a command in the background at every turn without waiting
    /// for anything (`while true; do sleep 1 & done`): processes pile up
    /// as fast as the loop turns.
    pub(crate) fn check_fork_loops(&mut self, cl: &CommandLine) {
        for l in &cl.loops {
            let header: Vec<&Command> = cl.commands[l.header.clone()]
                .iter()
                .filter(|c| c.kind != CommandKind::Simple || !c.argv.is_empty())
                .collect();
            let endless = match header.as_slice() {
                [c] if !c.program_dynamic => {
                    let words: Vec<&str> = c.argv.iter().map(|w| w.text.as_str()).collect();
                    if l.until {
                        matches!(words.as_slice(), ["false"])
                    } else {
                        matches!(
                            words.as_slice(),
                            ["true"] | [":"] | ["[", "1", "]"] | ["[[", "1", "]]"]
                        )
                    }
                }
                _ => false,
            };
            if !endless {
                continue;
            }
            let body = &cl.commands[l.body.clone()];
            let spawns = body
                .iter()
                .find(|c| c.background && c.kind == CommandKind::Simple);
            // Anything the loop waits on paces it: `sleep 5`, `wait`, `read`.
            let paced = body
                .iter()
                .any(|c| !c.background && matches!(c.program.as_str(), "sleep" | "wait" | "read"));
            if let Some(c) = spawns
                && !paced
            {
                self.deny(
                    "shell.fork-bomb",
                    format!(
                        "an endless loop starts `{}` in the background at every turn without waiting: a fork bomb, which takes every process slot of the machine",
                        show(c)
                    ),
                );
                return;
            }
        }
    }

    /// An endless stream written to a file: `dd if=/dev/zero of=f` without
    /// `count=`, `cat /dev/urandom > f`, `yes > f`, `yes | tee f`; a
    /// bounding stage on the way (`| head -c 1G`, `dd count=`) ends it.
    pub(crate) fn check_disk_fill(&mut self, cl: &CommandLine, i: usize) {
        let c = &cl.commands[i];
        let file = if c.program == "dd" && !c.program_dynamic {
            let from_device = dd_operand(c, "if=").is_some_and(|f| ENDLESS_DEVICES.contains(&f));
            (from_device && !bounds(c)).then(|| dd_file(c)).flatten()
        } else if endless(c) {
            self.stream_destination(cl, i)
        } else {
            None
        };
        if let Some(file) = file {
            self.escalate(
                "shell.disk-fill",
                0.6,
                Some(&c.program),
                format!(
                    "`{}` writes an endless stream to {file} with nothing to stop it: the disk fills, and with it every service's logs and data; bound it (`count=`, `head -c SIZE`)",
                    show(c)
                ),
            );
        } else if let Some((bytes, file)) = self.huge_write(cl, i) {
            self.escalate(
                "shell.disk-fill",
                0.6,
                Some(&c.program),
                format!(
                    "`{}` writes {} GiB to {file}: enough to fill the disk, and with it every service's logs and data; write what the work needs",
                    show(c),
                    bytes >> 30
                ),
            );
        }
    }

    /// A cryptocurrency miner started: any program told to work for a
    /// mining pool (a `stratum+tcp://`, `stratum+ssl://`, `stratum2+…`
    /// address), or a miner by its name, run directly, as a container
    /// image (`xmrig`, `docker run … xmrig/xmrig`) or as a container's
    /// command (`docker run ubuntu ./xmrig`).
    pub(crate) fn check_miner(&mut self, c: &Command) {
        let found = mining(c).or_else(|| {
            let inside = container_run(c)?.command_line();
            inside.commands.iter().find_map(mining)
        });
        if let Some(what) = found {
            self.escalate(
                "shell.cryptominer",
                0.8,
                None,
                format!(
                    "`{}` {what}: the machine's processors and power spent for someone else",
                    show(c)
                ),
            );
        }
    }

    /// A file written at a size the command states, when it is at least
    /// [`HUGE`]: `fallocate -l 500G f`, `dd bs=1M count=1000000 of=f`,
    /// `head -c 100G /dev/urandom > f`, macOS's `mkfile 100g f`. (A sparse
    /// file, `truncate -s 10T f`, takes no space until written.)
    fn huge_write(&self, cl: &CommandLine, i: usize) -> Option<(u64, String)> {
        let c = &cl.commands[i];
        if c.program_dynamic {
            return None;
        }
        let value = |names: &[&str]| option_values(c, names).next().map(|w| w.text);
        let (bytes, file) = match c.program.as_str() {
            "fallocate" => (
                size(&value(&["-l", "--length"])?)?,
                c.operands().last()?.text.clone(),
            ),
            "mkfile" => {
                let ops: Vec<&str> = c.operands().map(|w| w.text.as_str()).collect();
                (size(ops.first()?)?, ops.get(1)?.to_string())
            }
            "dd" => {
                let bs = dd_operand(c, "bs=")
                    .or_else(|| dd_operand(c, "obs="))
                    .map_or(Some(512), size)?;
                let count: u64 = dd_operand(c, "count=")?.parse().ok()?;
                (bs.saturating_mul(count), dd_file(c)?)
            }
            "head" => (
                size(&value(&["-c", "--bytes"])?)?,
                self.stream_destination(cl, i)?,
            ),
            _ => return None,
        };
        (bytes >= HUGE).then_some((bytes, file))
    }

    /// Where the endless stream of command `i` ends up written, following
    /// its pipeline through programs that pass it on.
    fn stream_destination(&self, cl: &CommandLine, i: usize) -> Option<String> {
        let c = &cl.commands[i];
        if let Some(f) = written_file(c) {
            return Some(f.to_string());
        }
        if !c.piped_out {
            return None;
        }
        let stages = &cl.pipelines.get(c.pipeline)?.commands;
        let at = stages.iter().position(|&s| s == i)?;
        for &s in &stages[at + 1..] {
            let d = &cl.commands[s];
            if d.program_dynamic || bounds(d) {
                return None;
            }
            // `… | dd of=f` with no count: written whole.
            if d.program == "dd" {
                return dd_file(d);
            }
            if !PASS_ON.contains(&d.program.as_str()) {
                return None;
            }
            if d.program == "tee"
                && let Some(f) = d.operands().find(|w| !w.text.starts_with("/dev/"))
            {
                return Some(f.text.clone());
            }
            if let Some(f) = written_file(d) {
                return Some(f.to_string());
            }
        }
        None
    }
}

/// What makes `c` a miner at work, if it is one (see
/// [`Checker::check_miner`]).
fn mining(c: &Command) -> Option<&'static str> {
    let program = c.program.as_str();
    if TEXT_PROGRAMS.contains(&program) {
        return None;
    }
    // Asked of every command: compared in place, nothing allocated.
    let starts_with_any_case = |text: &str, prefix: &str| {
        text.get(..prefix.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
    };
    // `xmrig`, `./xmrig-6.21/xmrig`, `xmrig/xmrig:latest`, `xmrig.exe`.
    let is_miner = |w: &str| {
        let name = w.rsplit('/').next().unwrap_or(w);
        let name = name.split([':', '@']).next().unwrap_or(name);
        let name = name.trim_end_matches(".exe");
        MINERS.iter().any(|m| {
            starts_with_any_case(name, m)
                && (name.len() == m.len() || name[m.len()..].starts_with(['-', '_']))
        })
    };
    let pool = c.args().iter().any(|a| {
        let a = a.text.as_str();
        let value = a.rsplit_once('=').map_or(a, |(_, v)| v);
        starts_with_any_case(value, "stratum") && value.contains("://")
    });
    if pool {
        Some("works for a cryptocurrency mining pool")
    } else if is_miner(program) || started_images(c).iter().any(|i| is_miner(i)) {
        Some("starts a cryptocurrency miner")
    } else {
        None
    }
}

/// The container images `c` starts: a run's or create's image (`docker
/// run -d metal3d/xmrig`), Kubernetes' `--image` (`kubectl run x
/// --image=xmrig/xmrig`, `create deployment`) and `set image`'s
/// `CONTAINER=IMAGE`, and what follows containerd's `run`. An image pulled,
/// listed or removed (`docker rm -f xmrig`) is not started.
fn started_images(c: &Command) -> Vec<String> {
    if let Some(run) = container_run(c) {
        return vec![run.image.to_string()];
    }
    let args = c.args();
    let texts = || args.iter().map(|w| w.text.as_str());
    match c.program.as_str() {
        "kubectl" | "oc" => {
            let mut images: Vec<String> = option_values(c, &["--image"]).map(|w| w.text).collect();
            if texts().any(|a| a == "set") && texts().any(|a| a == "image") {
                images.extend(
                    texts()
                        .filter(|a| !a.starts_with('-'))
                        .filter_map(|a| Some(a.split_once('=')?.1.to_string())),
                );
            }
            images
        }
        "ctr" | "crictl" => texts()
            .skip_while(|a| *a != "run")
            .skip(1)
            .filter(|a| !a.starts_with('-'))
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::{forks_forever, size};

    #[test]
    fn sizes_as_the_tools_read_them() {
        assert_eq!(size("512"), Some(512));
        assert_eq!(size("4b"), Some(2048));
        assert_eq!(size("1M"), Some(1 << 20));
        assert_eq!(size("1MB"), Some(1_000_000));
        assert_eq!(size("500G"), Some(500 << 30));
        assert_eq!(size("2TiB"), Some(2 << 40));
        assert_eq!(size("100g"), Some(100 << 30));
        assert_eq!(size("-5"), None);
        assert_eq!(size("1X"), None);
    }

    #[test]
    fn endless_forking_loops_in_code() {
        for code in [
            "fork while 1",
            "while(1){fork}",
            "import os\nwhile True: os.fork()",
            "loop { fork }",
            "for (;;) { fork(); }",
            "while (true) require('child_process').spawn(process.argv[0])",
        ] {
            assert!(forks_forever(code), "{code}");
        }
        for code in [
            "pid = os.fork()",
            "while True: time.sleep(1)",
            "for i in range(4): os.fork()",
        ] {
            assert!(!forks_forever(code), "{code}");
        }
    }
}
