//! Programs that run a command inside an environment they set up, named by
//! a subcommand (`uv run CMD`, `bundle exec CMD`, `conda run -n ENV CMD`,
//! `doppler run -- CMD`, `nix develop -c CMD`, `ip netns exec NS CMD`) or
//! by a marker word (`mise exec TOOL@V -- CMD`, `capsh -- -c CMD`): the
//! command they run is what is judged. `wrappers.rs` strips them the way it
//! strips `sudo`; this module says where each one's command starts.

use super::argspec::{Spec, spec};
use super::model::Word;

/// Where a runner's command starts, after its own options and operands.
#[derive(Clone, Copy)]
pub(super) struct Runner {
    /// How many words name the runner (`uv run`: 2, `capsh`: 1).
    pub words: usize,
    /// Its options and operands, as a wrapper's.
    pub spec: Spec,
    /// When not empty, the command starts only after one of these words
    /// (`mise exec node@20 -- CMD`, `nix shell nixpkgs#x -c CMD`); without
    /// one there is no command (an interactive shell, a tool list).
    pub marker: &'static [&'static str],
    /// Options whose value is a whole shell command line (`nix-shell
    /// --run STR`, `doppler run --command STR`).
    pub shell_options: &'static [&'static str],
    /// A program the words after the marker are given to (`capsh -- -c
    /// CMD` runs `bash -c CMD`).
    pub through: Option<&'static str>,
}

const fn runner(words: usize, spec: Spec) -> Runner {
    Runner {
        words,
        spec,
        marker: &[],
        shell_options: &[],
        through: None,
    }
}

/// The runner `argv` starts with, if any.
pub(super) fn runner_of(name: &str, argv: &[Word]) -> Option<Runner> {
    let sub = argv.get(1).map(|w| w.text.as_str()).unwrap_or("");
    let sub2 = argv.get(2).map(|w| w.text.as_str()).unwrap_or("");
    let none = spec("", &[], 0, false);
    Some(match (name, sub) {
        ("uv", "run") => runner(
            2,
            spec(
                "pC",
                &[
                    "--python",
                    "--with",
                    "--with-editable",
                    "--with-requirements",
                    "--project",
                    "--directory",
                    "--package",
                    "--extra",
                    "--group",
                    "--only-group",
                    "--env-file",
                    "--index",
                    "--default-index",
                    "--index-url",
                    "--extra-index-url",
                    "--find-links",
                    "--config-file",
                    "--cache-dir",
                ],
                0,
                false,
            ),
        ),
        ("poetry", "run") => runner(2, spec("CP", &["--directory", "--project"], 0, false)),
        ("pdm", "run") => runner(2, spec("p", &["--project", "--venv"], 0, false)),
        ("pipenv" | "hatch" | "rye", "run") => runner(2, spec("", &["--pyproject"], 0, false)),
        ("asdf", "exec") => runner(2, none),
        ("bundle", "exec") => runner(2, spec("", &["--gemfile"], 0, false)),
        ("direnv", "exec") => runner(2, spec("", &[], 1, false)),
        ("op", "run") => runner(2, spec("", &["--env-file", "--account"], 0, false)),
        ("doppler" | "infisical", "run") => Runner {
            shell_options: &["--command"],
            ..runner(
                2,
                spec(
                    "pc",
                    &[
                        "--project",
                        "--config",
                        "--token",
                        "--scope",
                        "--env",
                        "--path",
                        "--projectId",
                        "--domain",
                        "--mount",
                    ],
                    0,
                    false,
                ),
            )
        },
        ("aws-vault", "exec") => runner(
            2,
            spec("dt", &["--duration", "--region", "--mfa-token"], 1, false),
        ),
        ("mise" | "rtx", "exec" | "x") => Runner {
            marker: &["--"],
            shell_options: &["-c", "--command"],
            ..runner(2, spec("C", &["--cd", "--jobs"], 0, false))
        },
        ("devbox", "run") => runner(
            2,
            spec("ce", &["--config", "--environment", "--env-file"], 0, false),
        ),
        ("conda" | "mamba" | "micromamba", "run") => {
            runner(2, spec("np", &["--name", "--prefix", "--cwd"], 0, false))
        }
        ("pixi", "run") => runner(
            2,
            spec("e", &["--environment", "--manifest-path"], 0, false),
        ),
        ("nix", "develop" | "shell") => Runner {
            marker: &["-c", "--command"],
            ..runner(2, none)
        },
        // Only its `--run`/`--command` string runs here: its other words
        // are packages and files, so its marker is one no word is.
        ("nix-shell", _) => Runner {
            marker: &["\0"],
            shell_options: &["--run", "--command"],
            ..runner(1, none)
        },
        ("toolbox", "run") => runner(
            2,
            spec("cdr", &["--container", "--distro", "--release"], 0, false),
        ),
        ("distrobox", "enter") => Runner {
            marker: &["--", "-e"],
            ..runner(2, none)
        },
        ("ip", "netns") if sub2 == "exec" => runner(3, spec("", &[], 1, false)),
        // python-dotenv's `dotenv run CMD`; dotenv-cli's `dotenv -e .env -- CMD`.
        ("dotenv", "run") => runner(2, none),
        ("dotenv", _) => Runner {
            marker: &["--"],
            ..runner(1, none)
        },
        ("capsh", _) => Runner {
            marker: &["--"],
            through: Some("bash"),
            ..runner(1, none)
        },
        _ => return None,
    })
}

/// What a runner runs, read from `argv` after its own words.
pub(super) enum Runs {
    /// A shell command line.
    Shell(Word),
    /// These words.
    Words(Vec<Word>),
    /// The words after its options and operands.
    Rest,
    /// Nothing: it runs no command.
    Nothing,
}

impl Runner {
    /// What this runner, at the front of `argv`, runs.
    pub(super) fn runs(&self, argv: &[Word]) -> Runs {
        let own = argv.get(self.words..).unwrap_or_default();
        for (k, w) in own.iter().enumerate() {
            let t = w.text.as_str();
            if t == "--" && self.marker.is_empty() {
                break;
            }
            for o in self.shell_options {
                if t == *o {
                    if let Some(v) = own.get(k + 1) {
                        return Runs::Shell(v.clone());
                    }
                } else if let Some(v) = t.strip_prefix(o).and_then(|r| r.strip_prefix('='))
                    && o.starts_with("--")
                {
                    return Runs::Shell(Word::literal(v));
                }
            }
        }
        if self.marker.is_empty() {
            return Runs::Rest;
        }
        let Some(at) = own
            .iter()
            .position(|w| self.marker.contains(&w.text.as_str()))
        else {
            return Runs::Nothing;
        };
        let mut words: Vec<Word> = self.through.map(Word::literal).into_iter().collect();
        words.extend_from_slice(&own[at + 1..]);
        if words.is_empty() || (self.through.is_some() && words.len() == 1) {
            return Runs::Nothing;
        }
        Runs::Words(words)
    }
}

#[cfg(test)]
mod tests {
    use crate::shell::parse;

    /// The first command of `line`: its wrappers' programs and its argv.
    fn unwrapped(line: &str) -> (Vec<String>, Vec<String>) {
        let cl = parse(line);
        let c = &cl.commands[0];
        (
            c.wrappers.iter().map(|w| w.program.clone()).collect(),
            c.argv.iter().map(|w| w.text.clone()).collect(),
        )
    }

    #[test]
    fn runners_run_the_command_after_their_options() {
        let cases: &[(&str, &str, &[&str])] = &[
            (
                "uv run --with requests -p 3.12 rm -rf x",
                "uv",
                &["rm", "-rf", "x"],
            ),
            (
                "poetry run --directory app pytest -q",
                "poetry",
                &["pytest", "-q"],
            ),
            ("bundle exec rails db:drop", "bundle", &["rails", "db:drop"]),
            ("conda run -n base rm x", "conda", &["rm", "x"]),
            (
                "micromamba run --prefix /opt/e rm x",
                "micromamba",
                &["rm", "x"],
            ),
            ("direnv exec . make test", "direnv", &["make", "test"]),
            (
                "aws-vault exec prod -- aws s3 ls",
                "aws-vault",
                &["aws", "s3", "ls"],
            ),
            (
                "doppler run -p web -c prd -- npm start",
                "doppler",
                &["npm", "start"],
            ),
            ("op run --env-file=.env -- ./server", "op", &["./server"]),
            (
                "mise exec node@20 python@3 -- node x.js",
                "mise",
                &["node", "x.js"],
            ),
            ("nix develop .#ci -c cargo test", "nix", &["cargo", "test"]),
            ("nix shell nixpkgs#hello --command hello", "nix", &["hello"]),
            ("ip netns exec blue ping h", "ip", &["ping", "h"]),
            ("toolbox run -c dev make", "toolbox", &["make"]),
            ("distrobox enter dev -- make", "distrobox", &["make"]),
            ("dotenv -e .env.test -- jest", "dotenv", &["jest"]),
            ("dotenv run python app.py", "dotenv", &["python", "app.py"]),
            ("run0 -u root --chdir=/ rm x", "run0", &["rm", "x"]),
            ("runuser -u dev -- rm x", "runuser", &["rm", "x"]),
            (
                "setpriv --reuid=0 --init-groups rm x",
                "setpriv",
                &["rm", "x"],
            ),
            ("gosu app node s.js", "gosu", &["node", "s.js"]),
            ("chpst -u root -/ /srv rm x", "chpst", &["rm", "x"]),
            ("tini -s -- node s.js", "tini", &["node", "s.js"]),
            ("sshpass -p pw ssh h", "sshpass", &["ssh", "h"]),
            ("flatpak-spawn --host rm x", "flatpak-spawn", &["rm", "x"]),
            ("toybox rm x", "toybox", &["rm", "x"]),
        ];
        for (line, wrapper, argv) in cases {
            let (wrappers, got) = unwrapped(line);
            assert_eq!(
                wrappers.first().map(String::as_str),
                Some(*wrapper),
                "{line}"
            );
            assert_eq!(got, *argv, "{line}");
        }
    }

    #[test]
    fn shell_strings_given_to_runners_are_parsed() {
        for line in [
            "nix-shell -p coreutils --run 'rm -rf x'",
            "doppler run --command 'rm -rf x'",
            "infisical run --command='rm -rf x'",
            "mise exec -c 'rm -rf x'",
            "capsh --caps=cap_net_raw+ep -- -c 'rm -rf x'",
        ] {
            let cl = parse(line);
            let rm = cl.commands.iter().find(|c| c.program == "rm");
            assert!(
                rm.is_some_and(|c| c.argv.iter().any(|w| w.text == "x")),
                "{line}: {:?}",
                cl.commands
            );
        }
    }

    #[test]
    fn runners_without_a_command_stay_themselves() {
        for (line, program) in [
            ("nix-shell shell.nix", "nix-shell"),
            ("nix-shell", "nix-shell"),
            ("mise exec node@20", "mise"),
            ("distrobox enter dev", "distrobox"),
            ("capsh --print", "capsh"),
            ("uv run", "uv"),
            ("uv pip install x", "uv"),
            ("runuser -l root", "runuser"),
            ("ssh-agent -s", "ssh-agent"),
            ("ip netns list", "ip"),
        ] {
            let cl = parse(line);
            assert_eq!(cl.commands[0].program, program, "{line}");
            assert!(cl.commands[0].wrappers.is_empty(), "{line}");
        }
    }
}
