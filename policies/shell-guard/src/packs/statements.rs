//! The statements a database client is given, wherever the line shows
//! them: by option (`psql -c`, `mysql -e`, `mongosh --eval`), as operands
//! (`sqlite3 db 'SQL'`, `redis-cli FLUSHALL`), by here-document,
//! here-string or `echo … |` pipe, or in a file the line itself wrote or
//! a process substitution (`psql -f x.sql`, `mysql < x.sql`, `psql -f
//! <(echo …)`).

use clawlaw_sdk::shell::CommandLine;

use crate::given::{fed_text, file_text};
use crate::packs::arg_texts;
use crate::programs::{TEXT_PROGRAMS, is_interpreter};

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
        // `bq --project_id p query 'SQL'`: global options' values come
        // before the subcommand.
        (Client::Sql, "bq") => {
            if let Some(q) = operands.iter().position(|o| *o == "query") {
                out.push(operands[q + 1..].join(" "))
            }
        }
        _ => {}
    }
    out.extend(fed_text(cl, i));
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
    out
}

/// Statements a program that is not a database client is seen to carry to
/// one: any argument (or `--option=` or `NAME=` value) that is a whole SQL
/// statement, whatever option or subcommand carries it (`wrangler d1
/// execute DB --command 'DROP TABLE t'`, `supabase db shell -- -c …`,
/// `turso db shell DB '…'`, `aws rds-data execute-statement --sql …`,
/// `spark-sql -e …`, `make q SQL='…'`, a ClickHouse HTTP request's body).
/// Programs whose words are text ([`TEXT_PROGRAMS`]: `echo`, `grep -e`,
/// `sed`), interpreters (their code is read as code: `perl -e
/// "truncate(…)"`) and version control and forges (a commit message, an
/// issue's body) carry none. The caller judges only what is shaped like a
/// statement, so prose is not read as SQL.
pub(crate) fn statements_carried<'a>(program: &str, args: &[&'a str]) -> Vec<&'a str> {
    if TEXT_PROGRAMS.contains(&program)
        || is_interpreter(program)
        || matches!(program, "git" | "hg" | "svn" | "jj" | "gh" | "glab" | "tea")
    {
        return Vec::new();
    }
    args.iter()
        .map(|a| match a.split_once('=') {
            // `--sql=…`, and a variable given to a task (`make q SQL='…'`).
            Some((name, value))
                if name.starts_with("--")
                    || name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') =>
            {
                value
            }
            _ => a,
        })
        .filter(|a| !a.starts_with('-') && may_be_statement(a))
        .collect()
}

/// A cheap first test, before a word is split into statements: it has a
/// space and one of the keywords a destructive statement starts with.
fn may_be_statement(text: &str) -> bool {
    text.contains(char::is_whitespace)
        && text.split(|c: char| !c.is_ascii_alphabetic()).any(|w| {
            [
                "DROP", "DELETE", "UPDATE", "TRUNCATE", "ALTER", "GRANT", "CREATE",
            ]
            .iter()
            .any(|k| w.eq_ignore_ascii_case(k))
        })
}

/// Whether a statement's `WHERE` (its upper-cased words, string literals
/// left out) holds for every row: `WHERE 1=1`, `WHERE TRUE`, `WHERE 'a'='a'`,
/// `WHERE 1`, or any condition `OR 1=1` — a `DELETE` or `UPDATE` of every
/// row written to look bounded.
pub(crate) fn where_always_true(w: &[&str]) -> bool {
    let Some(k) = w.iter().position(|x| *x == "WHERE") else {
        return false;
    };
    let end = w[k + 1..]
        .iter()
        .position(|x| matches!(*x, "ORDER" | "LIMIT" | "RETURNING" | "GROUP"))
        .map_or(w.len(), |e| k + 1 + e);
    let condition = &w[k + 1..end];
    let number = |x: &str| x.bytes().all(|b| b.is_ascii_digit()) && !x.is_empty();
    let true_term = |t: &[&str]| match t {
        // Only string literals: `'a'='a'`.
        [] => true,
        ["TRUE"] => true,
        [n] => number(n) && !n.trim_start_matches('0').is_empty(),
        ["NOT", "FALSE"] => true,
        [a, b] => number(a) && a == b,
        _ => false,
    };
    condition.split(|x| *x == "OR").any(true_term)
}

#[cfg(test)]
mod tests {
    use super::where_always_true;

    fn always(sql: &str) -> bool {
        let w = crate::packs::database::sql_words(sql);
        where_always_true(&w.iter().map(String::as_str).collect::<Vec<_>>())
    }

    #[test]
    fn tautologies_bound_nothing() {
        for sql in [
            "DELETE FROM t WHERE 1=1",
            "DELETE FROM t WHERE 1 = 1 LIMIT 10",
            "DELETE FROM t WHERE TRUE",
            "DELETE FROM t WHERE 'a'='a'",
            "UPDATE t SET x = 1 WHERE id = 5 OR 2=2",
            "DELETE FROM t WHERE 1",
        ] {
            assert!(always(sql), "{sql}");
        }
        for sql in [
            "DELETE FROM t WHERE id = 1",
            "DELETE FROM t WHERE id = 5 OR id = 6",
            "DELETE FROM t WHERE name = 'x'",
            "DELETE FROM t WHERE 0",
            "DELETE FROM t WHERE created < now() ORDER BY id LIMIT 100",
            "DELETE FROM t",
        ] {
            assert!(!always(sql), "{sql}");
        }
    }
}
