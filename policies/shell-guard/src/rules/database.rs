//! The database pack's rules.

use super::{Pack, PackRule, Verdict};

pub(crate) const DROP_DATABASE: PackRule = PackRule {
    id: "db.drop-database",
    pack: Pack::Database,
    verdict: Verdict::Deny,
    risk: 1.0,
    summary: "Deny dropping a whole database or schema (`DROP DATABASE`, `DROP SCHEMA`, `dropdb`, `mysqladmin drop`, `db.dropDatabase()`, `bq rm -d`)",
    instead: "take a dump first (`pg_dump`, `mysqldump`, `mongodump`) and have a human drop it",
};
pub(crate) const FLUSH: PackRule = PackRule {
    id: "db.flush",
    pack: Pack::Database,
    verdict: Verdict::Deny,
    risk: 1.0,
    summary: "Deny `redis-cli FLUSHALL`/`FLUSHDB`: every key of the server or database is deleted",
    instead: "delete the keys you mean (`redis-cli --scan --pattern 'app:*' | xargs redis-cli del`), after `BGSAVE`",
};
pub(crate) const DROP_TABLE: PackRule = PackRule {
    id: "db.drop-table",
    pack: Pack::Database,
    verdict: Verdict::Escalate,
    risk: 0.8,
    summary: "Escalate `DROP TABLE` (and other objects that hold data), `ALTER TABLE … DROP COLUMN`, `TRUNCATE`, MongoDB `drop()`, `bq rm` of a table and a BigQuery table overwritten (`bq load|query --replace`, `bq cp|mk -f`): the rows are gone",
    instead: "back the table up first (`CREATE TABLE t_backup AS SELECT * FROM t`, `pg_dump -t t`), or run it in a migration a human reviews",
};
pub(crate) const UNBOUNDED_WRITE: PackRule = PackRule {
    id: "db.unbounded-write",
    pack: Pack::Database,
    verdict: Verdict::Escalate,
    risk: 0.8,
    summary: "Escalate `DELETE` or `UPDATE` without `WHERE`, MongoDB `deleteMany({})`/`remove({})`, `etcdctl del --prefix`, Redis keys deleted from a scan (`redis-cli --scan | xargs redis-cli del`), and an ORM's write to every row of a model (`User.delete_all`, `Order.objects.all().delete()`): every row or key is deleted or overwritten",
    instead: "add a `WHERE` clause and check it with `SELECT count(*) … WHERE …` first, inside a transaction",
};

pub(crate) const RESET: PackRule = PackRule {
    id: "db.reset",
    pack: Pack::Database,
    verdict: Verdict::Escalate,
    risk: 0.8,
    summary: "Escalate framework commands that drop or wipe the database (`prisma migrate reset`, `rails db:drop`/`db:reset`, `manage.py flush`, `artisan migrate:fresh`/`db:wipe`, `mix ecto.drop`/`ecto.reset`, `supabase db reset`)",
    instead: "dump the database first, or point the command at a disposable database (check the connection settings)",
};

pub(crate) const SERVER: PackRule = PackRule {
    id: "db.server",
    pack: Pack::Database,
    verdict: Verdict::Escalate,
    risk: 0.8,
    summary: "Escalate stopping a database server or changing where it writes: Redis `SHUTDOWN`, `CONFIG SET dir`/`dbfilename` (its dump written anywhere: the classic way into `~/.ssh`), `DEBUG SEGFAULT`; `mysqladmin shutdown`",
    instead: "restart the service through its manager (`systemctl restart`) where a human sees it, and leave the server's files where they are",
};

pub(crate) const PRIVILEGES: PackRule = PackRule {
    id: "db.privileges",
    pack: Pack::Database,
    verdict: Verdict::Escalate,
    risk: 0.7,
    summary: "Escalate granting database privileges beyond one database: on every database of the server (`GRANT … ON *.*`), with the right to grant them on (`WITH GRANT OPTION`), a superuser's (`ALTER ROLE … SUPERUSER`, `BYPASSRLS`, `GRANT rds_superuser`), or the server's files and programs (`pg_execute_server_program`, `pg_read_server_files`, `pg_write_server_files`)",
    instead: "grant the privileges the task needs on the one database or table (`GRANT SELECT, INSERT ON app.orders TO 'svc'@'10.0.0.%'`)",
};

pub(crate) const RULES: &[&PackRule] = &[
    &DROP_DATABASE,
    &FLUSH,
    &DROP_TABLE,
    &UNBOUNDED_WRITE,
    &PRIVILEGES,
    &RESET,
    &SERVER,
];
