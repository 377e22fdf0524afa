//! `cmd.exe` command lines as POSIX ones: `rd /s`, `del`, `type`, `copy`,
//! `move`, `format`, `shutdown`, output redirected to a file, and the
//! PowerShell-style commands `cmd` starts (`taskkill`, `powershell`).

use super::text::{posix_path, split, unquote, words};
use super::{cmdlet, quoted};

/// A `cmd` line as a POSIX command line.
pub(super) fn cmd_line(src: &str) -> String {
    split(src, &["&&", "||", "&", "|"])
        .iter()
        .map(|s| cmd_command(&words(s)))
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

fn cmd_command(w: &[String]) -> String {
    // `echo {} > .claude\settings.json`: the command, then its output
    // written to the file (a redirection's target is a path like any).
    if let Some(k) = w
        .iter()
        .position(|a| a.trim_start_matches(['1', '2']).starts_with('>'))
        .filter(|&k| k > 0)
    {
        let op = w[k].trim_start_matches(['1', '2']);
        let (append, attached) = match op.strip_prefix(">>") {
            Some(rest) => (true, rest),
            None => (false, &op[1..]),
        };
        let target = if attached.is_empty() {
            w.get(k + 1).cloned().unwrap_or_default()
        } else {
            attached.to_string()
        };
        let rest = if attached.is_empty() { k + 2 } else { k + 1 };
        let mut command = w[..k].to_vec();
        command.extend(w.get(rest..).unwrap_or(&[]).iter().cloned());
        let arrow = if append { ">>" } else { ">" };
        return format!(
            "{} {arrow} {}",
            cmd_command(&command),
            posix_path(&unquote(&target))
        );
    }
    let Some((name, args)) = w.split_first() else {
        return String::new();
    };
    let name = name.to_ascii_lowercase();
    let switch = |s: &str| args.iter().any(|a| a.eq_ignore_ascii_case(s));
    let operands = || {
        args.iter()
            .filter(|a| !a.starts_with('/'))
            .map(|a| posix_path(&unquote(a)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    match name.as_str() {
        "rd" | "rmdir" => {
            let r = if switch("/s") { " -r" } else { "" };
            format!("rm{r} -f {}", operands())
        }
        "del" | "erase" => {
            let r = if switch("/s") { " -r" } else { "" };
            format!("rm{r} -f {}", operands())
        }
        "type" => format!("cat {}", operands()),
        "copy" | "xcopy" | "robocopy" => format!("cp -r {}", operands()),
        "move" => format!("mv {}", operands()),
        "format" => "wipefs -a /dev/sda".to_string(),
        "shutdown" if switch("/s") || switch("/p") => "shutdown -h now".to_string(),
        "shutdown" if switch("/r") => "reboot".to_string(),
        "taskkill" | "powershell" | "pwsh" | "stop-process" => cmdlet(w),
        _ => quoted(w.iter().map(|x| unquote(x))),
    }
}
