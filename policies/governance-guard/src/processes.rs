//! Whether a signal or a service command reaches the gate's processes:
//! `kill` of its pid (or of `$(pgrep clawlaw)`), `pkill`/`killall` patterns
//! that match its name or command line, `systemctl`/`service`/`launchctl`
//! units named after it, and the user-wide kills (`kill -1`, `pkill -u`)
//! that take every process of the user, the gate included.

use clawlaw_sdk::glob;
use regex_lite::RegexBuilder;

/// How a signal relates to the gate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    /// It stops (or may stop) the gate: the target that does.
    Gate(String),
    /// Its target is computed at run time and may be the gate.
    Unknown(String),
    /// It targets something else.
    Other,
}

/// The gate as a signal sees it: process names and ids, and the ports its
/// API listens on.
pub struct GateProcesses<'a> {
    pub names: &'a [String],
    pub pids: &'a [u32],
    pub ports: &'a [u16],
}

impl GateProcesses<'_> {
    /// The command lines the gate's processes run with, for `pkill -f`.
    fn command_lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        for n in self.names {
            out.push(n.clone());
            for sub in [
                "serve",
                "hook claude-code",
                "hook codex",
                "hook gemini",
                "hook cursor",
            ] {
                out.push(format!("{n} {sub}"));
                out.push(format!("/usr/local/bin/{n} {sub}"));
            }
            // `clawlaw serve --listen 127.0.0.1:7070`: a pattern for its
            // address (`pkill -f 127.0.0.1:7070`, `pkill -f :7070`).
            for port in self.ports {
                out.push(format!("{n} serve --listen 127.0.0.1:{port}"));
            }
        }
        out
    }

    pub fn mentions_name(&self, text: &str) -> bool {
        let lower = text.to_ascii_lowercase();
        self.names
            .iter()
            .any(|n| !n.is_empty() && lower.contains(&n.to_ascii_lowercase()))
    }

    /// Whether a `kill`-style target (a pid, `-1`, `%job`, `$(…)`) reaches
    /// the gate.
    pub fn kill_target(&self, target: &str) -> Reach {
        let t = target.trim();
        if self.mentions_name(t) {
            return Reach::Gate(t.to_string());
        }
        if t == "-1" {
            return Reach::Gate(format!("{t} (every process of the user)"));
        }
        // `kill 0` (`trap 'kill 0' EXIT`): the calling shell's own process
        // group, its background jobs; the gate runs in a group of its own.
        if t == "0" || t == "-0" {
            return Reach::Other;
        }
        if let Ok(pid) = t.trim_start_matches('-').parse::<u32>() {
            return if self.pids.contains(&pid) {
                Reach::Gate(t.to_string())
            } else {
                Reach::Other
            };
        }
        // `$!` (the last background job) and `%N` job specs are the
        // shell's own children, never the gate.
        if t == "$!" || t == "\"$!\"" || t.starts_with('%') {
            return Reach::Other;
        }
        // `-$(pgrep x)`: the process group of what it finds.
        if let Some(inner) = substitution(t.strip_prefix('-').unwrap_or(t)) {
            return self.finder(inner);
        }
        if t.contains('$') || t.contains('`') {
            return Reach::Unknown(t.to_string());
        }
        Reach::Other
    }

    /// What a pid finder (`pgrep [-f] P`, `pidof P`, `lsof -t -i:PORT`)
    /// run in a substitution finds: the gate when its pattern, name or port
    /// is the gate's, else something else. In a pipeline (`ps aux | grep
    /// vite | awk '{print $2}'`), a finder in it decides, else its `grep`
    /// patterns do; any other command is unknown.
    fn finder(&self, inner: &str) -> Reach {
        let line = clawlaw_sdk::shell::parse(inner);
        let cmd = match line.commands.as_slice() {
            [cmd] => cmd,
            cmds => return self.pipeline_finder(cmds, inner),
        };
        let operands: Vec<&str> = cmd.operands().map(|w| w.text.as_str()).collect();
        match cmd.program.as_str() {
            "pgrep" => {
                let full = cmd.has_flag('f') || cmd.has_long("full");
                let exact = cmd.has_flag('x') || cmd.has_long("exact");
                if cmd.has_flag('u') || cmd.has_long("euid") {
                    return Reach::Gate(inner.to_string());
                }
                operands
                    .iter()
                    .map(|p| self.pattern(p, full, exact))
                    .find(|r| *r != Reach::Other)
                    .unwrap_or(Reach::Other)
            }
            "pidof" => operands
                .iter()
                .map(|p| self.pattern(p, false, true))
                .find(|r| *r != Reach::Other)
                .unwrap_or(Reach::Other),
            "lsof" => {
                let ports: Vec<u16> = cmd
                    .args()
                    .iter()
                    .filter_map(|w| w.text.rsplit(':').next()?.parse().ok())
                    .collect();
                if ports.iter().any(|p| self.ports.contains(p)) {
                    // What listens on the gate's port is the gate.
                    Reach::Gate(inner.to_string())
                } else if ports.is_empty() {
                    Reach::Unknown(inner.to_string())
                } else {
                    Reach::Other
                }
            }
            // `kill $(jobs -p)`: the shell's own background jobs.
            "jobs" => Reach::Other,
            _ => Reach::Unknown(inner.to_string()),
        }
    }

    fn pipeline_finder(&self, cmds: &[clawlaw_sdk::shell::Command], inner: &str) -> Reach {
        if let Some(f) = cmds
            .iter()
            .find(|c| matches!(c.program.as_str(), "pgrep" | "pidof" | "lsof"))
        {
            let words: Vec<&str> = f.argv.iter().map(|w| w.text.as_str()).collect();
            return self.finder(&words.join(" "));
        }
        // `ss -ltnp | grep :7070 | …`, `netstat -tlnp | grep 7070`: what is
        // found by the gate's port is the gate.
        let by_port = cmds
            .iter()
            .flat_map(|c| c.args())
            .any(|w| matches!(self.by_port(&w.text), Reach::Gate(_)));
        if by_port {
            return Reach::Gate(inner.to_string());
        }
        // Process listings filtered by name: the filters decide.
        if cmds.first().is_none_or(|c| c.program != "ps") {
            return Reach::Unknown(inner.to_string());
        }
        let patterns: Vec<&str> = cmds
            .iter()
            .filter(|c| matches!(c.program.as_str(), "grep" | "egrep" | "fgrep" | "rg"))
            .filter(|c| !c.has_flag('v') && !c.has_long("invert-match"))
            .filter_map(|c| c.operands().next().map(|w| w.text.as_str()))
            .collect();
        if patterns.is_empty() {
            return Reach::Unknown(inner.to_string());
        }
        // Every filter must let the gate's line through for it to be found.
        let reaches: Vec<Reach> = patterns
            .iter()
            .map(|p| self.pattern(p, true, false))
            .collect();
        if reaches.contains(&Reach::Other) {
            Reach::Other
        } else {
            reaches
                .into_iter()
                .next()
                .unwrap_or_else(|| Reach::Unknown(inner.to_string()))
        }
    }

    /// Whether the ports a `fuser -k` target (`7070/tcp`, `7070,,443`) or
    /// an `ss -K` filter (`sport = :7070`) names include the gate's.
    pub fn by_port(&self, target: &str) -> Reach {
        let named = target
            .split(|c: char| !c.is_ascii_digit())
            .filter_map(|n| n.parse::<u16>().ok())
            .any(|p| self.ports.contains(&p));
        if named {
            Reach::Gate(target.to_string())
        } else if target.contains('$') || target.contains('`') {
            Reach::Unknown(target.to_string())
        } else {
            Reach::Other
        }
    }

    /// Whether a `pkill`/`pgrep`-style pattern (a regular expression over
    /// the process name, or over the whole command line with `full`)
    /// matches the gate.
    pub fn pattern(&self, pattern: &str, full: bool, exact: bool) -> Reach {
        if self.mentions_name(pattern) {
            return Reach::Gate(pattern.to_string());
        }
        if pattern.contains('$') || pattern.contains('`') {
            return Reach::Unknown(pattern.to_string());
        }
        let candidates: Vec<String> = if full {
            self.command_lines()
        } else {
            self.names.to_vec()
        };
        // `-x` still takes a regular expression, one that must match the
        // whole name (`pkill -x 'claw.*'`).
        let anchored;
        let regex = if exact {
            anchored = format!("^(?:{pattern})$");
            anchored.as_str()
        } else {
            pattern
        };
        let matched = match RegexBuilder::new(regex).size_limit(1 << 16).build() {
            Ok(re) => candidates.iter().any(|c| re.is_match(c)),
            Err(_) if exact => candidates.iter().any(|c| c == pattern),
            Err(_) => candidates.iter().any(|c| c.contains(pattern)),
        };
        if matched {
            Reach::Gate(pattern.to_string())
        } else {
            Reach::Other
        }
    }

    /// Whether a container a `docker stop`/`kill`/`rm` is given is the
    /// gate's: one named for it, or a listing substituted or piped in whose
    /// filters, project or `grep`s select it (`$(docker ps -q --filter
    /// name=clawlaw)`, `$(docker ps | grep claw | …)`). Other computed lists
    /// are other containers (shell-guard judges stopping every one).
    pub fn container(&self, target: &str) -> Reach {
        let Some(inner) = substitution(target.trim()) else {
            // `docker stop $CID`: a variable's container, as before the
            // line names it, is not taken for the gate's.
            if target.contains(['$', '`']) && !self.mentions_name(target) {
                return Reach::Other;
            }
            return self.unit(target);
        };
        if self.mentions_name(inner) {
            return Reach::Gate(inner.to_string());
        }
        clawlaw_sdk::shell::parse(inner)
            .commands
            .iter()
            .filter(|c| matches!(c.program.as_str(), "grep" | "egrep" | "rg"))
            .filter(|c| !c.has_flag('v') && !c.has_long("invert-match"))
            .filter_map(|c| c.operands().next())
            .map(|p| self.pattern(&p.text, true, false))
            .find(|r| matches!(r, Reach::Gate(_)))
            .unwrap_or(Reach::Other)
    }

    /// Whether a Windows image name (`clawlaw.exe`, `claw*`, `*LAW*`, any
    /// case, `.exe` optional) matches the gate's processes.
    pub fn image(&self, image: &str) -> Reach {
        let lower = image.to_ascii_lowercase();
        let glob = lower.strip_suffix(".exe").unwrap_or(&lower);
        if !glob.contains('*') {
            return self.unit(image);
        }
        let matched = self
            .names
            .iter()
            .any(|n| clawlaw_sdk::glob::matches(glob, &n.to_ascii_lowercase()));
        if matched {
            Reach::Gate(image.to_string())
        } else {
            Reach::Other
        }
    }

    /// Whether a service unit or label names the gate, or a pattern
    /// `systemctl` matches against its units' names matches one named for
    /// it (`'*claw*'`, `'clawl?w.service'`).
    pub fn unit(&self, unit: &str) -> Reach {
        if self.mentions_name(unit) || self.unit_pattern_matches(unit) {
            Reach::Gate(unit.to_string())
        } else if unit.contains('$') || unit.contains('`') {
            Reach::Unknown(unit.to_string())
        } else {
            Reach::Other
        }
    }

    /// Whether `unit`, a shell-style pattern, matches a unit named for
    /// the gate (`clawlaw`, `clawlaw.service`).
    fn unit_pattern_matches(&self, unit: &str) -> bool {
        if !unit.contains(['*', '?', '[']) {
            return false;
        }
        let pattern = unit.to_ascii_lowercase();
        self.names.iter().filter(|n| !n.is_empty()).any(|n| {
            let n = n.to_ascii_lowercase();
            glob::matches(&pattern, &n) || glob::matches(&pattern, &format!("{n}.service"))
        })
    }
}

/// The command inside `$(…)` or backquotes, when that is the whole word.
fn substitution(t: &str) -> Option<&str> {
    t.strip_prefix("$(")
        .and_then(|r| r.strip_suffix(')'))
        .or_else(|| t.strip_prefix('`').and_then(|r| r.strip_suffix('`')))
        .map(str::trim)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate() -> (Vec<String>, Vec<u32>) {
        (vec!["clawlaw".into()], vec![4242])
    }

    const PORTS: &[u16] = &[7070];

    #[test]
    fn kill_targets() {
        let (names, pids) = gate();
        let g = GateProcesses {
            names: &names,
            pids: &pids,
            ports: PORTS,
        };
        assert!(matches!(g.kill_target("4242"), Reach::Gate(_)));
        assert!(matches!(g.kill_target("$(pgrep clawlaw)"), Reach::Gate(_)));
        assert!(matches!(
            g.kill_target("$(pgrep -f CLAWLAW)"),
            Reach::Gate(_)
        ));
        assert!(matches!(g.kill_target("-1"), Reach::Gate(_)));
        assert_eq!(g.kill_target("1234"), Reach::Other);
        assert_eq!(g.kill_target("%1"), Reach::Other);
        assert_eq!(g.kill_target("$!"), Reach::Other);
        assert!(matches!(g.kill_target("$PID"), Reach::Unknown(_)));
        // Pid finders are judged by what they look for.
        assert_eq!(g.kill_target("$(pgrep -f vite)"), Reach::Other);
        assert!(matches!(g.kill_target("$(pgrep -f serve)"), Reach::Gate(_)));
        assert_eq!(g.kill_target("$(pidof node)"), Reach::Other);
        assert_eq!(g.kill_target("$(lsof -t -i:3000)"), Reach::Other);
        assert!(matches!(
            g.kill_target("$(lsof -t -i:7070)"),
            Reach::Gate(_)
        ));
        assert!(matches!(g.kill_target("$(lsof -t -i)"), Reach::Unknown(_)));
        // Pipelines: a finder in them, else their grep patterns.
        assert!(matches!(
            g.kill_target("$(lsof -ti :7070 | head -1)"),
            Reach::Gate(_)
        ));
        assert_eq!(
            g.kill_target("$(ps aux | grep -v grep | grep vite | awk '{print $2}')"),
            Reach::Other
        );
        assert!(matches!(
            g.kill_target("$(ps aux | grep claw | awk '{print $2}')"),
            Reach::Gate(_)
        ));
        assert!(matches!(
            g.kill_target("$(cat pids | sort -u)"),
            Reach::Unknown(_)
        ));
        assert!(matches!(
            g.kill_target("$(ss -ltnp | grep 7070 | grep -oP 'pid=\\K[0-9]+')"),
            Reach::Gate(_)
        ));
        assert!(matches!(
            g.kill_target("$(docker ps -q | grep web)"),
            Reach::Unknown(_)
        ));
        assert!(matches!(g.by_port("7070/tcp"), Reach::Gate(_)));
        assert!(matches!(g.by_port("sport = :7070"), Reach::Gate(_)));
        assert_eq!(g.by_port("3000/tcp"), Reach::Other);
        assert!(matches!(
            g.kill_target("$(cat gate.pid)"),
            Reach::Unknown(_)
        ));
    }

    #[test]
    fn patterns() {
        let (names, pids) = gate();
        let g = GateProcesses {
            names: &names,
            pids: &pids,
            ports: PORTS,
        };
        assert!(matches!(g.pattern("claw", false, false), Reach::Gate(_)));
        assert!(matches!(g.pattern("cl.*aw", false, false), Reach::Gate(_)));
        assert!(matches!(g.pattern("serve", true, false), Reach::Gate(_)));
        assert_eq!(g.pattern("serve", false, false), Reach::Other);
        assert_eq!(g.pattern("node", true, false), Reach::Other);
        assert!(matches!(g.pattern(".", true, false), Reach::Gate(_)));
        assert_eq!(g.pattern("claw", false, true), Reach::Other);
        assert!(matches!(g.pattern("clawlaw", false, true), Reach::Gate(_)));
        assert!(matches!(g.pattern("claw.*", false, true), Reach::Gate(_)));
        assert!(matches!(g.pattern("c[a-z]+", false, true), Reach::Gate(_)));
        assert_eq!(g.pattern("cla", false, true), Reach::Other);
        assert_eq!(g.pattern("vite", false, true), Reach::Other);
        assert!(matches!(g.unit("clawlaw.service"), Reach::Gate(_)));
        assert!(matches!(g.unit("*claw*"), Reach::Gate(_)));
        assert!(matches!(g.unit("clawl?w.service"), Reach::Gate(_)));
        assert!(matches!(g.unit("nginx*"), Reach::Other));
        assert!(matches!(g.container("clawlaw-gate"), Reach::Gate(_)));
        assert!(matches!(
            g.container("$(docker ps -q --filter name=clawlaw)"),
            Reach::Gate(_)
        ));
        assert!(matches!(
            g.container("$(docker ps | grep claw | cut -d' ' -f1)"),
            Reach::Gate(_)
        ));
        assert_eq!(g.container("$(docker ps -q)"), Reach::Other);
        assert_eq!(g.container("$(docker ps -q -f name=web)"), Reach::Other);
        assert_eq!(g.container("$(docker compose ps -q)"), Reach::Other);
        assert_eq!(g.container("web-1"), Reach::Other);
        assert_eq!(g.container("$CID"), Reach::Other);
        assert_eq!(g.unit("nginx"), Reach::Other);
        // Windows image names: any case, `.exe` optional, `*` wildcards.
        assert!(matches!(g.image("CLAWLAW.EXE"), Reach::Gate(_)));
        assert!(matches!(g.image("claw*"), Reach::Gate(_)));
        assert!(matches!(g.image("*LAW.exe"), Reach::Gate(_)));
        assert!(matches!(g.image("c*w"), Reach::Gate(_)));
        assert_eq!(g.image("node.exe"), Reach::Other);
        assert_eq!(g.image("cl*x"), Reach::Other);
    }
}
