//! The statements a database client is given, wherever the line shows
//! them: by option (`psql -c`, `mysql -e`, `mongosh --eval`), as operands
//! (`sqlite3 db 'SQL'`, `redis-cli FLUSHALL`), by here-document,
//! here-string or `echo … |` pipe, or in a file the line itself wrote or
//! a process substitution (`psql -f x.sql`, `mysql < x.sql`, `psql -f
//! <(echo …)`).

use clawlaw_sdk::shell::{Command, CommandLine, RedirectOp};

use crate::packs::arg_texts;

/// How a client takes its statements.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Client {
    Sql,
    Redis,
    Mongo,
}

pub(crate) fn client(program: &str) -> Option<Client> {
    match program {
        "psql" | "mysql" | "mariadb" | "sqlite3" | "sqlite" | "duckdb" | "clickhouse-client"
        | "clickhouse" | "cockroach" | "sqlcmd" | "snowsql" | "bq" | "usql" | "pgcli" | "mycli"
        | "litecli" | "cqlsh" => Some(Client::Sql),
        "redis-cli" | "valkey-cli" | "keydb-cli" => Some(Client::Redis),
        "mongosh" | "mongo" => Some(Client::Mongo),
        _ => None,
    }
}

/// The statements a client command is given: by option (`-c`, `-e`,
/// `--eval`, …), as operands (`sqlite3 db 'SQL'`, `redis-cli FLUSHALL`),
/// by here-document or here-string, or piped from `echo`/`printf`.
pub(crate) fn statements_given(cl: &CommandLine, i: usize, kind: Client) -> Vec<String> {
    let c = &cl.commands[i];
    let p = c.program.as_str();
    let args = arg_texts(c);
    let mut out: Vec<String> = Vec::new();
    let options: &[&str] = match kind {
        Client::Mongo => &["--eval"],
        Client::Redis => &[],
        Client::Sql => match p {
            "psql" | "pgcli" | "usql" => &["-c", "--command"],
            "sqlcmd" => &["-Q", "-q"],
            "snowsql" => &["-q", "--query"],
            "clickhouse-client" | "clickhouse" => &["-q", "--query"],
            "duckdb" => &["-c", "-cmd"],
            "sqlite3" | "sqlite" | "litecli" => &["-cmd"],
            _ => &["-e", "--execute"],
        },
    };
    // Options that take the next word as their value, so it is not read as
    // a statement (`mysql -p` takes none: its password must be attached).
    let valued: &[&str] = match (kind, p) {
        (Client::Redis, _) => &["-h", "-p", "-a", "-n", "-u", "-s", "--user", "--pass"],
        (Client::Mongo, _) => &[
            "--host",
            "--port",
            "-u",
            "-p",
            "--username",
            "--password",
            "--authenticationDatabase",
            "-f",
            "--file",
        ],
        (_, "psql" | "pgcli" | "usql") => &[
            "-h",
            "-p",
            "-U",
            "-d",
            "-f",
            "-P",
            "-v",
            "-o",
            "-L",
            "-T",
            "-F",
            "-R",
            "--host",
            "--port",
            "--username",
            "--dbname",
            "--file",
            "--set",
            "--variable",
            "--output",
        ],
        (_, "sqlite3" | "sqlite" | "duckdb" | "litecli") => {
            &["-cmd", "-separator", "-newline", "-nullvalue", "-init"]
        }
        _ => &[
            "-h",
            "-u",
            "-P",
            "-D",
            "-S",
            "--host",
            "--user",
            "--port",
            "--database",
            "--socket",
            "--defaults-file",
            "-d",
        ],
    };
    let mut operands: Vec<&str> = Vec::new();
    let mut k = 0;
    while k < args.len() {
        let a = args[k];
        k += 1;
        if let Some(opt) = options
            .iter()
            .find(|o| a == **o || a.starts_with(&format!("{o}=")))
        {
            if a.len() > opt.len() {
                out.push(a[opt.len() + 1..].to_string());
            } else if let Some(v) = args.get(k) {
                out.push(v.to_string());
                k += 1;
            }
        } else if let Some(v) = a
            .strip_prefix("-e")
            .filter(|v| !v.is_empty() && kind == Client::Sql && !p.starts_with("psql"))
        {
            out.push(v.to_string()); // mysql -e"DROP …"
        } else if a.starts_with('-') {
            // Options with a value: skip it, so it is not read as SQL.
            if valued.contains(&a) {
                k += 1;
            }
        } else {
            operands.push(a);
        }
    }
    match (kind, p) {
        (Client::Redis, _) => out.push(operands.join(" ")),
        (Client::Sql, "sqlite3" | "sqlite" | "duckdb" | "litecli") if operands.len() >= 2 => {
            out.push(operands[1..].join(" "))
        }
        (Client::Sql, "bq") if operands.first() == Some(&"query") => {
            out.push(operands[1..].join(" "))
        }
        _ => {}
    }
    for r in &c.redirects {
        match r.op {
            RedirectOp::HereDoc => out.extend(r.here_doc.clone()),
            RedirectOp::HereString => out.push(r.target.text.clone()),
            // `mysql prod < /tmp/x.sql` after the line wrote it.
            RedirectOp::Read => out.extend(file_text(cl, i, &r.target.text)),
            _ => {}
        }
    }
    // `psql -f /tmp/x.sql`, `psql -f <(echo 'DROP …')`.
    if kind == Client::Sql && matches!(p, "psql" | "pgcli" | "usql") {
        for (k, a) in args.iter().enumerate() {
            let file = match *a {
                "-f" | "--file" => args.get(k + 1).copied(),
                _ => a
                    .strip_prefix("--file=")
                    .or_else(|| a.strip_prefix("-f").filter(|f| !f.is_empty())),
            };
            out.extend(file.and_then(|f| file_text(cl, i, f)));
        }
    }
    if c.piped_in {
        let pipeline = &cl.pipelines[c.pipeline].commands;
        if let Some(k) = pipeline
            .iter()
            .position(|&e| e == i)
            .and_then(|k| k.checked_sub(1))
        {
            let up: &Command = &cl.commands[pipeline[k]];
            if matches!(up.program.as_str(), "echo" | "printf") && !up.program_dynamic {
                let text: Vec<&str> = up.operands().map(|w| w.text.as_str()).collect();
                out.push(text.join(" ").replace("\\n", "\n"));
            }
        }
    }
    out
}

/// The text of a file a client reads its statements from, when the line
/// shows it: written from literal text by an earlier command (`cat <<EOF >
/// /tmp/x.sql`, `echo 'DROP …' > x.sql`), or a process substitution of an
/// `echo`/`printf` (`<(echo 'DROP …')`).
fn file_text(cl: &CommandLine, i: usize, file: &str) -> Option<String> {
    if let Some(inner) = file.strip_prefix("<(").and_then(|f| f.strip_suffix(')')) {
        let line = clawlaw_sdk::shell::parse(inner);
        let c = line.commands.first()?;
        return matches!(c.program.as_str(), "echo" | "printf").then(|| {
            c.operands()
                .map(|w| w.text.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        });
    }
    let file = file.trim_start_matches("./");
    let mut written = Vec::new();
    for c in &cl.commands[..i] {
        clawlaw_sdk::implied::literal_writes(c, &mut written);
    }
    written
        .into_iter()
        .rev()
        .find(|(path, _)| path == file)
        .map(|(_, text)| text)
}
