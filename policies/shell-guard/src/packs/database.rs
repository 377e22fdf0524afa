//! The database pack: database clients asked to destroy data — SQL given to
//! `psql`, `mysql`/`mariadb`, `sqlite3`, `duckdb`, `clickhouse-client`,
//! `cockroach sql` (by option, operand, here-document, here-string or an
//! `echo … |` pipe) that drops a database, schema or table, truncates, or
//! deletes/updates without `WHERE`; `dropdb` and `mysqladmin drop`; Redis
//! `FLUSHALL`/`FLUSHDB`; MongoDB `dropDatabase()`, `drop()` and
//! `deleteMany({})`; framework commands that drop or wipe the database
//! (`prisma migrate reset`, `rails db:drop`, `manage.py flush`, …); and the
//! same done from code, through a driver or an ORM (`orm.rs`).

use clawlaw_sdk::shell::{Command, CommandLine};

use super::migrations::{framework_reset, test_environment, through_runner};
use super::statements::{Client, client, statements_carried, statements_given};
use crate::checker::Checker;
use crate::packs::{arg_texts, positionals};
use crate::programs::Shown;
use crate::rules::PackRule;
use crate::rules::database::{
    DROP_DATABASE, DROP_TABLE, FLUSH, PRIVILEGES, RESET, SERVER, UNBOUNDED_WRITE,
};

/// Whether a database's name says it is disposable: one kept for tests,
/// development, CI or scratch work (`app_test`, `shop_dev`, `e2e`).
fn disposable(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| {
        matches!(
            w,
            "test"
                | "tests"
                | "testing"
                | "dev"
                | "development"
                | "local"
                | "tmp"
                | "temp"
                | "scratch"
                | "sandbox"
                | "ci"
                | "e2e"
        )
    })
}

/// Whether `pg_restore`'s short option `flag` is given, alone or in a
/// cluster (`-c`, `-cd db`, `-ecdappdb`), not as the value of one that takes
/// a value (`-Fc` is the custom format, not `--clean`).
fn pg_restore_short(args: &[&str], flag: char) -> bool {
    const VALUED: &str = "dfFIjLnNPStTUhp";
    args.iter()
        .take_while(|a| **a != "--")
        .filter_map(|a| a.strip_prefix('-').filter(|r| !r.starts_with('-')))
        .any(|cluster| {
            for ch in cluster.chars() {
                if ch == flag {
                    return true;
                }
                if VALUED.contains(ch) {
                    return false;
                }
            }
            false
        })
}

impl Checker<'_> {
    pub(crate) fn check_database(&mut self, cl: &CommandLine, i: usize, shown: &Shown) {
        let c = &cl.commands[i];
        let p = c.program.as_str();
        let args = arg_texts(c);
        if p == "dropdb" && !args.iter().any(|a| *a == "--help" || *a == "--version") {
            let what = format!("`{shown}` drops a whole PostgreSQL database");
            // `dropdb --if-exists app_test`: the database's name is its last
            // operand (the options' values are not: `-h`, `-U`, `-p`).
            let name = super::positionals(
                &args,
                &[
                    "-h",
                    "--host",
                    "-p",
                    "--port",
                    "-U",
                    "--username",
                    "--maintenance-db",
                ],
            )
            .last()
            .copied();
            if name.is_some_and(disposable) {
                self.hit_disposable(&DROP_DATABASE, Some(p), what);
            } else {
                self.hit(&DROP_DATABASE, Some(p), what);
            }
            return;
        }
        if p == "bq" && args.iter().find(|a| !a.starts_with('-')) == Some(&"rm") {
            // `bq rm -r -f -d project:dataset`; a table (`-t`, the default)
            // or a model otherwise.
            let (rule, what) = if args.iter().any(|a| matches!(*a, "-d" | "--dataset")) {
                (
                    &DROP_DATABASE,
                    "a BigQuery dataset and, with -r, every table in it",
                )
            } else {
                (&DROP_TABLE, "a BigQuery table")
            };
            self.hit(rule, Some(p), format!("`{shown}` deletes {what}"));
            return;
        }
        // `bq load --replace`, `bq query --replace --destination_table t`,
        // `bq cp -f`, `bq mk -f`: the table's rows replaced by others.
        if p == "bq" {
            let pos = positionals(&args, &["--project_id", "--location", "--dataset_id"]);
            let flag = |names: &[&str]| args.iter().any(|a| names.contains(a));
            let replaces = match pos.first().copied() {
                Some("load" | "query") => flag(&["--replace", "--replace=true"]),
                Some("cp" | "mk") => flag(&["-f", "--force", "--force=true"]),
                _ => false,
            };
            if replaces {
                self.hit(
                    &DROP_TABLE,
                    Some(p),
                    format!("`{shown}` replaces a BigQuery table's rows with others"),
                );
                return;
            }
        }
        // `pg_restore --clean -d db dump`: every object in the dump is dropped
        // from the live database before it is restored (without `-d` it
        // only prints the SQL).
        if p == "pg_restore"
            && (c.has_long("clean") || pg_restore_short(&args, 'c'))
            && (c.has_long("dbname") || pg_restore_short(&args, 'd'))
        {
            self.hit(
                &DROP_TABLE,
                Some(p),
                format!("`{shown}` drops the database's tables that are in the dump, with their rows, before restoring the dump's copies"),
            );
            return;
        }
        if p == "mysqladmin" && args.iter().any(|a| a.eq_ignore_ascii_case("shutdown")) {
            self.hit(
                &SERVER,
                Some(p),
                format!("`{shown}` stops the MySQL server"),
            );
            return;
        }
        // `pg_dropcluster 15 main`: the cluster's data directory goes with it.
        if p == "pg_dropcluster" && !args.contains(&"--help") {
            self.hit(
                &DROP_DATABASE,
                Some(p),
                format!("`{shown}` deletes a PostgreSQL cluster, every database in it and its data directory"),
            );
            return;
        }
        if p == "mysqladmin" && args.iter().any(|a| a.eq_ignore_ascii_case("drop")) {
            self.hit(
                &DROP_DATABASE,
                Some(p),
                format!("`{shown}` drops a whole MySQL database"),
            );
            return;
        }
        if p == "etcdctl"
            && args.iter().any(|a| matches!(*a, "del" | "delete"))
            && args.iter().any(|a| {
                ["--prefix", "--from-key"].iter().any(|o| {
                    a.strip_prefix(o)
                        .is_some_and(|rest| rest.is_empty() || rest.eq_ignore_ascii_case("=true"))
                })
            })
        {
            self.hit(
                &UNBOUNDED_WRITE,
                Some(p),
                format!("`{shown}` deletes every key under a prefix (with `\"\"`, every key: a Kubernetes cluster's whole state)"),
            );
            return;
        }
        // The keys come from a scan of the server: piped into `xargs
        // redis-cli del`, or substituted into the line (`del $(redis-cli
        // keys '*')`).
        let scans = |n: &Command| {
            client(&n.program) == Some(Client::Redis)
                && n.args()
                    .iter()
                    .any(|w| w.text == "--scan" || w.text.eq_ignore_ascii_case("keys"))
        };
        if client(p) == Some(Client::Redis)
            && args
                .iter()
                .any(|a| matches!(a.to_ascii_lowercase().as_str(), "del" | "unlink"))
            && (c.has_wrapper("xargs") && cl.upstream(i).iter().any(|&u| scans(&cl.commands[u]))
                || cl.commands.iter().any(|n| n.parent == Some(i) && scans(n)))
        {
            self.hit(
                &UNBOUNDED_WRITE,
                Some(p),
                format!("`{shown}` deletes every key a scan of the server lists"),
            );
            return;
        }
        let (tool, tool_args) = through_runner(p, &args);
        if let Some(what) = framework_reset(tool, &tool_args)
            && !test_environment(c, &args)
        {
            self.hit(&RESET, Some(p), format!("`{shown}` {what}"));
            return;
        }
        for code in super::orm::framework_code(cl, i, tool, &tool_args) {
            self.check_code_database(&code, &shown.to_string());
        }
        let Some(kind) = client(p) else {
            for text in statements_carried(tool, &tool_args) {
                self.judge_statements(text, tool, &format!("`{shown}`"), true);
            }
            return;
        };
        for text in statements_given(cl, i, kind) {
            match kind {
                Client::Redis => self.judge_redis(&text, shown),
                Client::Mongo => self.judge_mongo(&text, shown),
                Client::Sql => self.judge_sql(&text, p, shown),
            }
        }
    }

    fn judge_sql(&mut self, text: &str, p: &str, shown: &Shown) {
        self.judge_statements(text, p, &format!("`{shown}`"), false);
    }

    /// SQL a tool call carries under a key such as `sql` or `query`, judged
    /// only when it is shaped like a statement (`DELETE FROM`, `DROP TABLE`),
    /// so a search query that reads "drop the old table" is not.
    pub(crate) fn judge_sql_of_tool(&mut self, text: &str, tool: &str) {
        self.judge_statements(text, tool, &format!("the tool `{tool}`"), true);
    }

    /// Each statement of `text` that `who` runs, against the pack's rules;
    /// with `shaped_only`, only those shaped like a statement.
    pub(crate) fn judge_statements(
        &mut self,
        text: &str,
        subject: &str,
        who: &str,
        shaped_only: bool,
    ) {
        for stmt in split_statements(text) {
            let words = sql_words(&stmt);
            let w: Vec<&str> = words.iter().map(String::as_str).collect();
            if (!shaped_only || statement_shaped(&w))
                && let Some((rule, what)) = sql_danger(&w)
            {
                let what = format!("{who} runs `{}`, which {what}", brief(&stmt));
                // `DROP DATABASE IF EXISTS app_test`: a database kept for tests.
                let name = w
                    .iter()
                    .skip_while(|x| !matches!(**x, "DATABASE" | "SCHEMA"))
                    .skip(1)
                    .find(|x| !matches!(**x, "IF" | "EXISTS"));
                if name.is_some_and(|n| disposable(n)) {
                    self.hit_disposable(rule, Some(subject), what);
                } else {
                    self.hit(rule, Some(subject), what);
                }
            }
        }
    }

    fn judge_redis(&mut self, text: &str, shown: &Shown) {
        for line in text.lines() {
            let cmd = line
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_ascii_uppercase();
            let words: Vec<String> = line
                .split_whitespace()
                .take(3)
                .map(str::to_ascii_uppercase)
                .collect();
            let what = match words.iter().map(String::as_str).collect::<Vec<_>>()[..] {
                ["CONFIG", "SET", "DIR" | "DBFILENAME", ..] => Some(
                    "moves where the server writes its dump: it can then write a file anywhere it may (`~/.ssh/authorized_keys`, a crontab)",
                ),
                ["SHUTDOWN", ..] => {
                    Some("stops the server (with NOSAVE, losing what it has not saved)")
                }
                ["DEBUG", "SEGFAULT" | "RESTART" | "CRASH-AND-RECOVER", ..] => {
                    Some("crashes or restarts the server")
                }
                _ => None,
            };
            if let Some(what) = what {
                self.hit(
                    &SERVER,
                    Some("redis-cli"),
                    format!("`{shown}` runs {cmd}, which {what}"),
                );
            }
            if matches!(cmd.as_str(), "FLUSHALL" | "FLUSHDB") {
                let scope = if cmd == "FLUSHALL" {
                    "every key in every database of the server"
                } else {
                    "every key in the database"
                };
                self.hit(
                    &FLUSH,
                    Some("redis-cli"),
                    format!("`{shown}` runs {cmd}, which deletes {scope}"),
                );
            }
        }
    }

    fn judge_mongo(&mut self, text: &str, shown: &Shown) {
        let compact: String = text.chars().filter(|ch| !ch.is_whitespace()).collect();
        if compact.contains(".dropDatabase(") {
            self.hit(
                &DROP_DATABASE,
                Some("mongosh"),
                format!("`{shown}` drops a whole MongoDB database"),
            );
        } else if compact.contains(".drop()") {
            self.hit(
                &DROP_TABLE,
                Some("mongosh"),
                format!("`{shown}` drops a collection and its documents"),
            );
        }
        if ["deleteMany({})", "remove({})", "deleteMany()", "remove()"]
            .iter()
            .any(|call| compact.contains(call))
        {
            self.hit(
                &UNBOUNDED_WRITE,
                Some("mongosh"),
                format!("`{shown}` deletes every document of a collection"),
            );
        }
    }
}

/// What a statement (its upper-cased words) destroys, if anything: the rule
/// and a phrase for the reason. Objects that hold no data (indexes, views,
/// functions, roles, constraints) are not counted.
fn sql_danger(w: &[&str]) -> Option<(&'static PackRule, String)> {
    const QUALIFIERS: &[&str] = &["TEMPORARY", "TEMP", "EXTERNAL", "FOREIGN", "UNLOGGED"];
    const NO_DATA: &[&str] = &[
        "INDEX",
        "VIEW",
        "MATERIALIZED",
        "USER",
        "ROLE",
        "FUNCTION",
        "PROCEDURE",
        "TRIGGER",
        "POLICY",
        "RULE",
        "CONSTRAINT",
        "KEY",
        "PRIMARY",
        "DEFAULT",
        "NOT",
        "CHECK",
        "EVENT",
        "SERVER",
        "STATISTICS",
        "PUBLICATION",
        "SUBSCRIPTION",
        "",
    ];
    let has_where = w.contains(&"WHERE") && !super::statements::where_always_true(w);
    if let Some(what) = privileges(w) {
        return Some((&PRIVILEGES, what.into()));
    }
    match *w.first()? {
        "DROP" => {
            let object = w[1..]
                .iter()
                .find(|x| !QUALIFIERS.contains(x))
                .copied()
                .unwrap_or("");
            if matches!(object, "DATABASE" | "SCHEMA" | "KEYSPACE") {
                Some((
                    &DROP_DATABASE,
                    "drops a whole database and every table in it".into(),
                ))
            } else if NO_DATA.contains(&object) {
                None
            } else {
                let object = object.to_ascii_lowercase();
                Some((&DROP_TABLE, format!("drops a {object} and the data in it")))
            }
        }
        "TRUNCATE" => Some((&DROP_TABLE, "deletes every row".into())),
        "ALTER" if w.get(1) == Some(&"TABLE") => {
            let after = w
                .iter()
                .position(|x| *x == "DROP")
                .and_then(|k| w.get(k + 1))?;
            (!NO_DATA.contains(after))
                .then(|| (&DROP_TABLE, "drops a column and the data in it".into()))
        }
        "DELETE" if !has_where => Some((&UNBOUNDED_WRITE, "deletes every row (no WHERE)".into())),
        "UPDATE" if !has_where => {
            Some((&UNBOUNDED_WRITE, "overwrites every row (no WHERE)".into()))
        }
        _ => None,
    }
}

/// What a statement grants beyond one database, if it does: privileges on
/// every database (`GRANT … ON *.*`), the right to grant them on, a
/// superuser's attributes, or a role that reaches the server's files and
/// programs.
fn privileges(w: &[&str]) -> Option<&'static str> {
    const SERVER_ROLES: &[&str] = &[
        "PG_EXECUTE_SERVER_PROGRAM",
        "PG_READ_SERVER_FILES",
        "PG_WRITE_SERVER_FILES",
        "RDS_SUPERUSER",
        "CLOUDSQLSUPERUSER",
        "AZURE_PG_ADMIN",
        "ALLOY_SUPERUSER",
    ];
    match w {
        ["GRANT", rest @ ..] => {
            let on = rest.iter().position(|x| *x == "ON");
            let to = rest.iter().position(|x| *x == "TO")?;
            if on.is_some_and(|k| rest.get(k + 1..k + 3) == Some(&["*", "*"])) {
                Some("grants privileges on every database of the server")
            } else if w.windows(3).any(|x| x == ["WITH", "GRANT", "OPTION"])
                || w.windows(3).any(|x| x == ["WITH", "ADMIN", "OPTION"])
            {
                Some("lets the grantee grant the same privileges to anyone")
            } else if on.is_none() && rest[..to].iter().any(|r| SERVER_ROLES.contains(r)) {
                Some(
                    "grants a superuser's role, or one that reads, writes or runs the server's files and programs",
                )
            } else {
                None
            }
        }
        ["ALTER" | "CREATE", "ROLE" | "USER", rest @ ..]
            if rest.iter().any(|x| matches!(*x, "SUPERUSER" | "BYPASSRLS")) =>
        {
            Some("makes a superuser, or a role that ignores row-level security")
        }
        _ => None,
    }
}

/// Whether upper-cased words read as an SQL statement rather than prose:
/// the object after `DROP` is a schema object's keyword, `DELETE` is followed
/// by `FROM`, `UPDATE t` by `SET`, `TRUNCATE` by `TABLE` or one name.
fn statement_shaped(w: &[&str]) -> bool {
    const OBJECTS: &[&str] = &[
        "TABLE",
        "DATABASE",
        "SCHEMA",
        "SEQUENCE",
        "TYPE",
        "DOMAIN",
        "EXTENSION",
        "TABLESPACE",
        "COLLECTION",
        "KEYSPACE",
        "TEMPORARY",
        "TEMP",
        "EXTERNAL",
        "FOREIGN",
        "UNLOGGED",
        "MATERIALIZED",
        "INDEX",
        "VIEW",
    ];
    match w {
        ["DROP", object, ..] => OBJECTS.contains(object),
        ["DELETE", "FROM", _, ..] => true,
        ["UPDATE", _, "SET", ..] => true,
        ["TRUNCATE", "TABLE", _, ..] | ["TRUNCATE", _] => true,
        ["ALTER", "TABLE", ..] => true,
        ["GRANT", ..] => w.contains(&"TO"),
        ["ALTER" | "CREATE", "ROLE" | "USER", ..] => true,
        _ => false,
    }
}

/// Statements of `text`, split at `;` outside quotes, comments removed.
fn split_statements(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut chars = text.chars().peekable();
    while let Some(ch) = chars.next() {
        match quote {
            Some(q) => {
                cur.push(ch);
                if ch == q {
                    quote = None;
                }
            }
            None if ch == '\'' || ch == '"' || ch == '`' => {
                quote = Some(ch);
                cur.push(ch);
            }
            None if ch == '-' && chars.peek() == Some(&'-') => {
                for c2 in chars.by_ref() {
                    if c2 == '\n' {
                        break;
                    }
                }
                cur.push(' ');
            }
            None if ch == ';' => out.push(std::mem::take(&mut cur)),
            None => cur.push(ch),
        }
    }
    out.push(cur);
    out.retain(|s| !s.trim().is_empty());
    out
}

/// The upper-cased keywords and names of a statement, quoted text dropped.
pub(super) fn sql_words(stmt: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    for ch in stmt.chars() {
        if let Some(q) = quote {
            if ch == q {
                quote = None;
            }
            continue;
        }
        if ch == '\'' {
            quote = Some(ch);
        } else if ch == '*' {
            // `ON *.*`: every database.
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            out.push("*".into());
            continue;
        } else if ch.is_alphanumeric() || ch == '_' {
            word.push(ch.to_ascii_uppercase());
            continue;
        }
        if !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

fn brief(stmt: &str) -> String {
    let s: String = stmt.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn danger(sql: &str) -> Option<&'static str> {
        let words = sql_words(sql);
        let w: Vec<&str> = words.iter().map(String::as_str).collect();
        sql_danger(&w).map(|(rule, _)| rule.id)
    }

    #[test]
    fn statements_split_outside_quotes_and_comments() {
        assert_eq!(
            split_statements("select ';'; -- drop table x;\nDELETE FROM t"),
            vec!["select ';'", "  DELETE FROM t"]
        );
        assert_eq!(
            sql_words("delete from \"T\" where note = 'x where'"),
            ["DELETE", "FROM", "T", "WHERE", "NOTE"]
        );
    }

    #[test]
    fn statements_are_judged_by_what_they_destroy() {
        assert_eq!(danger("drop database app"), Some("db.drop-database"));
        assert_eq!(
            danger("DROP SCHEMA public CASCADE"),
            Some("db.drop-database")
        );
        assert_eq!(danger("drop temporary table t"), Some("db.drop-table"));
        assert_eq!(danger("drop index concurrently i"), None);
        assert_eq!(danger("drop materialized view v"), None);
        assert_eq!(danger("alter table t drop column c"), Some("db.drop-table"));
        assert_eq!(danger("alter table t drop constraint c"), None);
        assert_eq!(danger("truncate t"), Some("db.drop-table"));
        assert_eq!(danger("delete from t"), Some("db.unbounded-write"));
        assert_eq!(danger("delete from t where id = 1"), None);
        assert_eq!(
            danger("update t set a = 'where'"),
            Some("db.unbounded-write")
        );
        assert_eq!(danger("select * from t"), None);
    }

    #[test]
    fn runners_and_frameworks() {
        assert_eq!(
            through_runner("npx", &["-y", "prisma", "migrate", "reset"]),
            ("prisma", vec!["migrate", "reset"])
        );
        assert_eq!(
            through_runner("pnpm", &["exec", "node_modules/.bin/prisma", "db", "push"]),
            ("prisma", vec!["db", "push"])
        );
        assert_eq!(
            through_runner("pnpm", &["install"]),
            ("pnpm", vec!["install"])
        );
        assert!(framework_reset("python3", &["manage.py", "flush"]).is_some());
        assert!(framework_reset("python3", &["manage.py", "migrate"]).is_none());
        assert!(framework_reset("rake", &["db:migrate"]).is_none());
    }
}
