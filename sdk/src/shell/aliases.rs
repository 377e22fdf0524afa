//! Aliases a line defines and then uses: `alias k=pkill` followed by `k
//! clawlaw` runs `pkill clawlaw` in a shell that expands aliases (an
//! interactive one, or one with `shopt -s expand_aliases`, as agents'
//! shells often are). The line is read once more with each use spelled
//! out, so that what it runs is judged by what it is.

use super::{CommandLine, requote};

/// Most alias uses spelled out for one line.
const MAX_USES: usize = 16;

/// Each later command of `line` whose program is an alias the line
/// defined before it (`alias NAME=VALUE`), as the line it expands to:
/// the alias's value, then the command's arguments.
pub(super) fn uses(line: &CommandLine) -> Vec<String> {
    let mut defined: Vec<(&str, &str)> = Vec::new();
    let mut out = Vec::new();
    for c in &line.commands {
        if c.program == "alias" && !c.program_dynamic {
            for a in c.args() {
                if let Some((name, value)) = a.text.split_once('=')
                    && !name.is_empty()
                    && !value.trim().is_empty()
                {
                    defined.push((name, value));
                }
            }
            continue;
        }
        // Only an unquoted command word is looked up as an alias.
        let Some(word) = c.argv.first().filter(|w| !w.quoted && !w.is_dynamic()) else {
            continue;
        };
        if let Some((_, value)) = defined.iter().rev().find(|(n, _)| *n == word.text) {
            let args: Vec<String> = c.args().iter().map(|w| requote(&w.text)).collect();
            out.push(format!("{value} {}", args.join(" ")).trim_end().to_string());
            if out.len() >= MAX_USES {
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::shell::parse;

    fn programs(line: &str) -> Vec<String> {
        parse(line).programs().map(str::to_string).collect()
    }

    #[test]
    fn an_alias_used_after_it_is_defined_runs_its_value() {
        let cl = parse("alias k=pkill; k clawlaw");
        assert!(
            cl.commands
                .iter()
                .any(|c| c.program == "pkill" && c.args().iter().any(|a| a.text == "clawlaw")),
            "{:?}",
            cl.commands
        );
        assert!(programs("alias wipe='rm -rf'\nwipe ~/.claude").contains(&"rm".to_string()));
    }

    /// Whether `line` runs `pkill clawlaw`.
    fn kills_clawlaw(line: &str) -> bool {
        parse(line)
            .commands
            .iter()
            .any(|c| c.program == "pkill" && c.args().iter().any(|a| a.text == "clawlaw"))
    }

    #[test]
    fn names_not_defined_before_or_quoted_are_not_aliases() {
        assert!(!kills_clawlaw("k clawlaw; alias k=pkill"));
        assert!(!kills_clawlaw("alias k=pkill; 'k' clawlaw"));
    }

    #[test]
    fn an_alias_value_is_a_command_line_that_runs_later() {
        assert_eq!(programs("alias ll='ls -la'"), ["alias", "ls"]);
        assert!(kills_clawlaw("alias ls='pkill clawlaw; ls'"));
        let cl = parse("alias ll='ls -la'");
        assert_eq!(cl.commands[1].origin, crate::shell::Origin::FunctionBody);
    }
}
