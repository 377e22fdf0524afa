//! Wrappers (`sudo`, `env`, `timeout`, `xargs`, `flock`, `strace`, ...)
//! stripped from the front of a simple command's `argv`, so that its program
//! is what runs; `cmake -E` tools rewritten to the file commands they stand
//! for. The command strings a command hands to a shell are `nested.rs`'s.

use super::model::{Assignment, Command, Word, Wrapper, basename, is_name, join_words};
use super::runners::{self, Runs};
use super::wrapper_specs::{WSL_MANAGEMENT, long_multi, wrapper_spec};

fn synthetic_shell(script: Word) -> Vec<Word> {
    vec![Word::literal("sh"), Word::literal("-c"), script]
}

/// Strips wrapper commands from the front of `cmd.argv`.
pub(super) fn unwrap(cmd: &mut Command) {
    loop {
        let Some(first) = cmd.argv.first() else {
            return;
        };
        if first.is_dynamic() {
            return;
        }
        let name = basename(&first.text).to_string();
        if name == "cmake" && cmake_tool(cmd) {
            continue;
        }
        let runner = runners::runner_of(&name, &cmd.argv);
        let (spec, mut k) = match (&runner, wrapper_spec(&name)) {
            (Some(r), _) => (r.spec, r.words),
            (None, Some(spec)) => (spec, 1),
            (None, None) => return,
        };
        let argv = &cmd.argv;
        let mut flags = String::new();
        let mut values: Vec<(char, Word)> = Vec::new();
        let mut options: Vec<(String, Option<Word>)> = Vec::new();
        while k < argv.len() {
            let a = argv[k].text.as_str();
            if a == "--" {
                k += 1;
                break;
            }
            if name == "env" && a == "-" {
                flags.push('i');
                options.push(("-".to_string(), None));
                k += 1;
                continue;
            }
            if let Some(long) = a.strip_prefix("--") {
                if long.is_empty() {
                    break;
                }
                let (key, has_value) = match long.find('=') {
                    Some(p) => (&long[..p], true),
                    None => (long, false),
                };
                match key {
                    "shell" | "login" => flags.push('s'),
                    "split-string" if has_value => {
                        values.push(('S', argv[k].tail(a.find('=').unwrap_or(0) + 1)))
                    }
                    "split-string" => {
                        if let Some(v) = argv.get(k + 1) {
                            values.push(('S', v.clone()));
                        }
                    }
                    "list" | "validate" | "remove-timestamp" | "reset-timestamp" | "edit"
                    | "version" | "help" => flags.push('l'),
                    _ => {}
                }
                let option = format!("--{key}");
                let (value, taken) = if has_value {
                    (Some(argv[k].tail(a.find('=').unwrap_or(0) + 1)), 1)
                } else if let Some(n) = long_multi(&name, a) {
                    (None, 1 + n)
                } else if spec.long_valued.contains(&a) {
                    (argv.get(k + 1).cloned(), 2)
                } else {
                    (None, 1)
                };
                options.push((option, value));
                k += taken;
                continue;
            }
            if a.starts_with('-') && a.len() > 1 {
                let cluster = &a[1..];
                for (j, ch) in cluster.char_indices() {
                    if spec.valued.contains(ch) {
                        let attached = &cluster[j + ch.len_utf8()..];
                        let value = if attached.is_empty() {
                            k += 1;
                            argv.get(k).cloned()
                        } else {
                            Some(argv[k].tail(a.len() - attached.len()))
                        };
                        if let Some(v) = &value {
                            values.push((ch, v.clone()));
                        }
                        options.push((format!("-{ch}"), value));
                        break;
                    }
                    flags.push(ch);
                    options.push((format!("-{ch}"), None));
                }
                k += 1;
                continue;
            }
            break;
        }
        let k = k.min(cmd.argv.len());
        let mut k2 = k;
        let mut assignments = Vec::new();
        if spec.assignments {
            while let Some(w) = cmd.argv.get(k2) {
                let eq = w.text.find('=').unwrap_or(0);
                if eq == 0
                    || !is_name(&w.text.as_bytes()[..eq])
                    || w.spans.first().is_some_and(|&(s, _)| s < eq)
                {
                    break;
                }
                let append = w.text.as_bytes()[eq - 1] == b'+';
                assignments.push(Assignment {
                    name: w.text[..if append { eq - 1 } else { eq }].to_string(),
                    value: w.tail(eq + 1),
                    append,
                });
                k2 += 1;
            }
        }
        let mut k3 = (k2 + spec.operands).min(cmd.argv.len());
        // `aws-vault exec PROFILE -- CMD`: the end of options after the operands.
        if spec.operands > 0 && cmd.argv.get(k3).is_some_and(|w| w.text == "--") {
            k3 += 1;
        }
        let rest_empty = k3 >= cmd.argv.len();
        let has = |c: char| flags.contains(c);
        // Wrappers that do not run a command the usual way.
        let replacement: Option<Vec<Word>> =
            match (runner.map(|r| r.runs(&cmd.argv)), name.as_str()) {
                (Some(Runs::Shell(line)), _) => Some(synthetic_shell(line)),
                (Some(Runs::Words(words)), _) => Some(words),
                (Some(Runs::Nothing), _) => return,
                (Some(Runs::Rest), _) => None,
                (None, name) => match name {
                    "command" if has('v') || has('V') => return,
                    "sudo"
                        if has('e') || has('l') || has('v') || has('k') || has('K') || has('V') =>
                    {
                        return;
                    }
                    "ionice" if has('p') || has('P') || has('u') => return,
                    "sudo" | "doas" if has('s') || has('i') => {
                        if rest_empty {
                            return;
                        }
                        Some(synthetic_shell(join_words(&cmd.argv[k3..])))
                    }
                    "env" if values.iter().any(|(c, _)| *c == 'S') => {
                        let (_, s) = values
                            .iter()
                            .find(|(c, _)| *c == 'S')
                            .cloned()
                            .unwrap_or_default();
                        let mut words = vec![s];
                        words.extend_from_slice(&cmd.argv[k3..]);
                        Some(synthetic_shell(join_words(&words)))
                    }
                    "watch" if !has('x') && !rest_empty => {
                        Some(synthetic_shell(join_words(&cmd.argv[k3..])))
                    }
                    "xargs" if rest_empty => Some(vec![Word::literal("echo")]),
                    // `xargs -I{} {} clawlaw`: the program is what the
                    // input supplies, known only at run time.
                    "xargs" if replaced_program(&values, &options, &cmd.argv[k3]) => {
                        let mut words = cmd.argv[k3..].to_vec();
                        words[0] = Word::expansion(words[0].text.clone());
                        Some(words)
                    }
                    "taskset" | "chrt" if has('p') => return,
                    "prlimit" | "strace" | "ltrace" | "choom"
                        if values.iter().any(|(c, _)| *c == 'p') =>
                    {
                        return;
                    }
                    // `flock /tmp/l -c 'cmd'`, `sg grp -c 'cmd'` (sg's command is a
                    // shell string, with or without `-c`).
                    "flock" | "sg" if !rest_empty => {
                        let rest = &cmd.argv[k3..];
                        match rest.first().map(|w| w.text.as_str()) {
                            Some("-c" | "--command") => {
                                Some(synthetic_shell(join_words(&rest[1..])))
                            }
                            Some(_) if name == "sg" => Some(synthetic_shell(join_words(rest))),
                            // `flock FILE CMD ARGS…`: the command is the rest.
                            _ => None,
                        }
                    }
                    // `script -c 'cmd' log`; without `-c` it starts an interactive shell.
                    "script" => match values.iter().find(|(c, _)| *c == 'c') {
                        Some((_, s)) => Some(synthetic_shell(s.clone())),
                        None => return,
                    },
                    // `parallel rm -rf ::: a b`: the command with each argument.
                    "parallel" if !rest_empty => {
                        let rest = &cmd.argv[k3..];
                        let sep = rest
                            .iter()
                            .position(|w| w.text == ":::" || w.text == "::::")
                            .unwrap_or(rest.len());
                        let mut words = rest[..sep].to_vec();
                        if sep < rest.len() && rest[sep].text == ":::" {
                            words.extend(
                                rest[sep + 1..].iter().filter(|w| w.text != ":::").cloned(),
                            );
                        }
                        if words.is_empty() {
                            return;
                        }
                        Some(words)
                    }
                    "runuser" if !values.iter().any(|(c, _)| *c == 'u') => return,
                    // `wsl --terminate D`, `wsl -l -v`: managing distributions.
                    "wsl" | "wsl.exe"
                        if options
                            .iter()
                            .any(|(n, _)| WSL_MANAGEMENT.contains(&n.as_str())) =>
                    {
                        return;
                    }
                    _ => None,
                },
            };
        if rest_empty && replacement.is_none() {
            return;
        }
        // Its options, then its operands (`timeout 30s`, `gosu app`).
        let operands = cmd.argv[k2..k3].to_vec();
        let mut args = cmd.argv[1..k].to_vec();
        args.extend_from_slice(&operands);
        cmd.assignments.extend(assignments);
        cmd.wrappers.push(Wrapper {
            program: name,
            args,
            options,
            operands,
        });
        match replacement {
            Some(words) => cmd.argv = words,
            None => {
                cmd.argv.drain(..k3);
            }
        }
    }
}

/// Whether `xargs`'s replacement string (`-I R`, `--replace[=R]`, `-i`:
/// `{}`) is in `program`, the word it runs: each input line becomes the
/// program.
fn replaced_program(
    values: &[(char, Word)],
    options: &[(String, Option<Word>)],
    program: &Word,
) -> bool {
    let replacement = values
        .iter()
        .find(|(c, _)| *c == 'I')
        .map(|(_, w)| w.text.clone())
        .or_else(|| {
            options
                .iter()
                .find_map(|(name, value)| match name.as_str() {
                    "--replace" => {
                        Some(value.as_ref().map_or("{}".to_string(), |w| w.text.clone()))
                    }
                    "-i" => Some("{}".to_string()),
                    _ => None,
                })
        });
    replacement.is_some_and(|r| !r.is_empty() && program.text.contains(&r))
}

/// `cmake -E rm -rf DIR`, `cmake -E remove_directory DIR`: CMake's
/// command-line tools are the file commands they stand for; the line is
/// rewritten to them, with `cmake -E` as the wrapper.
fn cmake_tool(cmd: &mut Command) -> bool {
    if cmd.argv.get(1).is_none_or(|w| w.text != "-E") {
        return false;
    }
    let Some(tool) = cmd.argv.get(2).filter(|w| !w.is_dynamic()) else {
        return false;
    };
    let words: &[&str] = match tool.text.as_str() {
        "rm" => &["rm"],
        "remove" => &["rm", "-f"],
        "remove_directory" => &["rm", "-rf"],
        "rename" => &["mv"],
        "copy" | "copy_if_different" => &["cp"],
        "copy_directory" | "copy_directory_if_different" => &["cp", "-r"],
        "make_directory" => &["mkdir", "-p"],
        "create_symlink" => &["ln", "-s"],
        "create_hardlink" => &["ln"],
        "touch" | "touch_nocreate" => &["touch"],
        "tar" => &["tar"],
        "env" => &["env"],
        _ => return false,
    };
    let args = cmd.argv[1..3].to_vec();
    cmd.wrappers.push(Wrapper {
        program: "cmake".to_string(),
        options: vec![("-E".to_string(), Some(args[1].clone()))],
        operands: Vec::new(),
        args,
    });
    let rest = cmd.argv.split_off(3);
    cmd.argv = words.iter().map(|w| Word::literal(*w)).collect();
    cmd.argv.extend(rest);
    true
}
