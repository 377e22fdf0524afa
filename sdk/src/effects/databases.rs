//! Where PostgreSQL's clients connect (`psql`, `pg_dump`, `pg_restore`,
//! `createdb`, `dropdb`, `vacuumdb`, `pgbench`, `pgcli`, …): the server and
//! database their options (`-h`, `-p`, `-d`, `-U`), a connection URI or a
//! `key=value` connection string, and the `PG*` variables set on the
//! command give, with libpq's defaults (the local server on port 5432, the
//! database named after the user). Each is a network effect whose URL is
//! `postgres://HOST:PORT/DATABASE` (no database when the line does not say
//! which), so that a policy can tell a connection to a database it guards
//! (the gate's evidence store) from one to the project's own.

use super::context::Cx;
use super::net::host_of;
use super::options::parse;
use crate::shell::Word;

/// How a client is invoked: its options that take a value (short, long),
/// the options that name the database, and whether its first operand does
/// (`psql [DBNAME [USER]]`, `pg_dump [DBNAME]`, `createdb NAME`; not
/// `pg_restore`'s archive nor `createuser`'s role).
struct Syntax {
    short: &'static str,
    long: &'static [&'static str],
    database: &'static [&'static str],
    operand: bool,
}

const CONNECTION: &[&str] = &["host", "port", "dbname", "username", "maintenance-db"];
const DBNAME: &[&str] = &["d", "dbname", "maintenance-db"];

fn syntax(prog: &str) -> Option<Syntax> {
    let s = |short, long, database, operand| {
        Some(Syntax {
            short,
            long,
            database,
            operand,
        })
    };
    match prog {
        "psql" => s(
            "cdfhLopPRTUvF",
            &[
                "command",
                "dbname",
                "file",
                "host",
                "log-file",
                "output",
                "port",
                "pset",
                "record-separator",
                "table-attr",
                "username",
                "variable",
                "set",
                "field-separator",
            ],
            DBNAME,
            true,
        ),
        "pg_dump" | "pg_restore" => s(
            "dfFhjnNpStTUZeEIP",
            &[
                "dbname",
                "file",
                "format",
                "host",
                "jobs",
                "schema",
                "exclude-schema",
                "port",
                "superuser",
                "table",
                "exclude-table",
                "username",
                "compress",
                "encoding",
                "role",
                "index",
                "function",
            ],
            DBNAME,
            prog == "pg_dump",
        ),
        "pg_dumpall" => s(
            "dfhlpSU",
            &[
                "dbname",
                "file",
                "host",
                "database",
                "port",
                "superuser",
                "username",
                "role",
                "encoding",
            ],
            &["l", "database", "d", "dbname"],
            false,
        ),
        // `pgbench -d` is `--debug`; the database is its operand.
        "pgbench" => s("cjtTsfDhpUPRLbMF", CONNECTION, &[], true),
        "createuser" | "dropuser" => s("hpUc", CONNECTION, &["maintenance-db"], false),
        "createdb" | "dropdb" | "vacuumdb" | "reindexdb" | "clusterdb" | "pg_isready"
        | "pg_amcheck" | "pgcli" => s("hpUdDEOTlSjtc", CONNECTION, DBNAME, true),
        "pg_basebackup" => s("hpUdDFrTXzZl", CONNECTION, &["d", "dbname"], false),
        _ => None,
    }
}

/// Records the connection `prog` makes when it is a PostgreSQL client.
pub(crate) fn program(cx: &mut Cx, prog: &str, args: &[Word]) -> bool {
    let Some(syntax) = syntax(prog) else {
        return false;
    };
    let p = parse(args, syntax.short, "", syntax.long);
    if p.has(&["V", "version", "help", "?"]) {
        return true;
    }
    let value = |names: &[&str]| p.value(names).map(|(w, f)| w.text[f..].to_string());
    let mut target = Target::default();
    for a in &cx.cmd().assignments {
        let v = Some(a.value.text.clone());
        match a.name.as_str() {
            "PGHOST" => target.host = v,
            "PGPORT" => target.port = v,
            "PGDATABASE" => target.database = v,
            "PGUSER" => target.user = v,
            _ => {}
        }
    }
    target.host = value(&["h", "host"]).or(target.host);
    target.port = value(&["p", "port"]).or(target.port);
    target.user = value(&["U", "username"]).or(target.user);
    let operand = p
        .operands
        .first()
        .filter(|_| syntax.operand)
        .map(|w| w.text.clone());
    let database = value(syntax.database).or(operand);
    if prog == "psql"
        && let Some(user) = p.operands.get(1)
    {
        target.user = Some(user.text.clone());
    }
    match database {
        Some(d) if d.contains("://") || d.contains('=') => target.conninfo(&d),
        Some(d) => target.database = Some(d),
        None => {}
    }
    let url = target.url();
    let host = host_of(&url);
    cx.net(prog, Some(url), host, false);
    true
}

/// A connection's parts, as far as they are given.
#[derive(Default)]
struct Target {
    host: Option<String>,
    port: Option<String>,
    database: Option<String>,
    user: Option<String>,
}

impl Target {
    /// Reads a URI (`postgresql://u@h:5433/db?host=…`) or a connection
    /// string (`host=h port=5433 dbname=db`) over what is known.
    fn conninfo(&mut self, info: &str) {
        if let Some((_, rest)) = info.split_once("://") {
            let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
            let (path, query) = path.split_once('?').unwrap_or((path, ""));
            let (user, hostport) = match authority.rsplit_once('@') {
                Some((u, h)) => (Some(u.split(':').next().unwrap_or(u)), h),
                None => (None, authority),
            };
            let (host, port) = match hostport.rsplit_once(':') {
                Some((h, p)) if !h.ends_with(':') && !p.contains(']') => (h, Some(p)),
                _ => (hostport, None),
            };
            if !host.is_empty() {
                self.host = Some(host.to_string());
            }
            self.port = port.map(str::to_string).or(self.port.take());
            self.user = user.map(str::to_string).or(self.user.take());
            if !path.is_empty() {
                self.database = Some(path.to_string());
            }
            for pair in query.split('&') {
                self.pair(pair);
            }
        } else {
            for pair in info.split_whitespace() {
                self.pair(pair);
            }
        }
    }

    fn pair(&mut self, pair: &str) {
        let Some((k, v)) = pair.split_once('=') else {
            return;
        };
        let v = Some(v.trim_matches(['\'', '"']).to_string());
        match k {
            "host" | "hostaddr" => self.host = v,
            "port" => self.port = v,
            "dbname" => self.database = v,
            "user" => self.user = v,
            _ => {}
        }
    }

    /// `postgres://HOST:PORT/DATABASE`: a socket directory is the local
    /// server; the database defaults to the user's name.
    fn url(&self) -> String {
        let host = match self.host.as_deref() {
            None | Some("") => "localhost",
            Some(h) if h.starts_with('/') => "localhost",
            Some(h) => h.split(',').next().unwrap_or(h),
        };
        let port = self.port.as_deref().unwrap_or("5432");
        let port = port.split(',').next().unwrap_or(port);
        let host = if host.contains(':') && !host.starts_with('[') {
            format!("[{host}]")
        } else {
            host.to_string()
        };
        match self.database.as_ref().or(self.user.as_ref()) {
            Some(db) => format!("postgres://{host}:{port}/{db}"),
            None => format!("postgres://{host}:{port}"),
        }
    }
}
