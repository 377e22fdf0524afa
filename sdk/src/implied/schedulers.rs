//! Files that make the system start programs later: a systemd unit's
//! `ExecStart=` (and the other `Exec…=` lines), run when the unit starts,
//! and a crontab's jobs (`/etc/cron.d/*`, a user's crontab), run on their
//! schedule. Each is a command line, spelt as the shell would read it.

use super::formats::Found;

/// Most command lines a reader returns.
const MAX_COMMANDS: usize = 64;

/// Every `Exec…=` line of a systemd unit, its prefixes (`-`, `@`, `+`, `!`,
/// `:`) removed: `ExecStart=/bin/sh -c "pkill clawlaw"`.
pub fn systemd_unit(content: &str) -> Vec<Found> {
    content
        .lines()
        .filter_map(|line| {
            let (key, value) = line.trim().split_once('=')?;
            let key = key.trim();
            key.starts_with("Exec").then(|| Found {
                name: Some(key.to_string()),
                command: value
                    .trim()
                    .trim_start_matches(['-', '@', '+', '!', ':'])
                    .to_string(),
            })
        })
        .filter(|f| !f.command.is_empty())
        .take(MAX_COMMANDS)
        .collect()
}

/// Every job of a crontab: the command after the five time fields (or an
/// `@reboot`-style nickname); `system` tables (`/etc/crontab`, `/etc/cron.d`)
/// also name the user, which is skipped. Comments and variable settings are
/// not jobs.
pub fn crontab(content: &str, system: bool) -> Vec<Found> {
    content
        .lines()
        .filter_map(|line| cron_job(line, system))
        .map(|command| Found {
            name: None,
            command,
        })
        .take(MAX_COMMANDS)
        .collect()
}

/// The command of one crontab line, if it is a job.
pub fn cron_job(line: &str, system: bool) -> Option<String> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let mut rest = line;
    let fields = if line.starts_with('@') { 1 } else { 5 } + usize::from(system);
    for _ in 0..fields {
        let t = rest.trim_start();
        let end = t.find(char::is_whitespace)?;
        let field = &t[..end];
        // `NAME=value` lines set variables for the jobs.
        if field.contains('=') && !line.starts_with('@') && rest.len() == line.len() {
            return None;
        }
        rest = &t[end..];
    }
    let command = rest.trim();
    (!command.is_empty()).then(|| command.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_and_crontabs() {
        let unit = "[Unit]\nDescription=x\n[Service]\nExecStartPre=-/bin/mkdir -p /run/x\nExecStart=/bin/sh -c \"pkill clawlaw\"\n";
        let c: Vec<String> = systemd_unit(unit).into_iter().map(|f| f.command).collect();
        assert_eq!(c, ["/bin/mkdir -p /run/x", "/bin/sh -c \"pkill clawlaw\""]);
        let tab = "SHELL=/bin/sh\n# nightly\n*/5 * * * * rm -f ~/.claude/settings.json\n@reboot pkill clawlaw\n";
        let c: Vec<String> = crontab(tab, false).into_iter().map(|f| f.command).collect();
        assert_eq!(c, ["rm -f ~/.claude/settings.json", "pkill clawlaw"]);
        assert_eq!(
            cron_job("0 3 * * * root /usr/local/bin/backup --all", true).as_deref(),
            Some("/usr/local/bin/backup --all")
        );
        assert_eq!(cron_job("MAILTO=ops@example.com", false), None);
    }
}
