//! Framework and migration tools told to drop, wipe or rebuild a database
//! (`prisma migrate reset`, `rails db:drop`, `manage.py flush`, every
//! migration undone, `flyway clean`, `migrate … drop`, `goose … reset`,
//! `dbmate drop`, `dotnet ef database drop`, `atlas schema clean`, any
//! migration tool's reset or every migration undone), seen
//! through package runners (`npx`, `pnpm exec`), and the
//! test environments whose database is rebuilt for every run. The database pack reports them (`db.reset`).

use clawlaw_sdk::shell::Command;

/// The tool a package runner runs and its arguments: `npx prisma …`,
/// `pnpm exec prisma …`; else the command itself. (Environment runners,
/// `bundle exec rails …` and `poetry run python manage.py …`, are seen
/// through by the SDK's parser: their command is the program.)
pub(crate) fn through_runner<'a>(p: &'a str, args: &[&'a str]) -> (&'a str, Vec<&'a str>) {
    let skip = match p {
        "npx" | "bunx" | "pnpx" => 0,
        "pnpm" | "yarn"
            if args
                .first()
                .is_some_and(|a| matches!(*a, "exec" | "run" | "dlx")) =>
        {
            1
        }
        _ => return (p, args.to_vec()),
    };
    let rest: Vec<&str> = args[skip..]
        .iter()
        .copied()
        .skip_while(|a| a.starts_with('-'))
        .collect();
    match rest.split_first() {
        Some((tool, tool_args)) => (tool.rsplit('/').next().unwrap_or(tool), tool_args.to_vec()),
        None => (p, args.to_vec()),
    }
}

/// Whether a framework or migration tool is told to drop, wipe or rebuild
/// the database: `(program, words)` → what it does.
pub(crate) fn framework_reset(p: &str, args: &[&str]) -> Option<&'static str> {
    let words: Vec<&str> = args
        .iter()
        .copied()
        .filter(|a| !a.starts_with('-'))
        .collect();
    let first = words.first().copied().unwrap_or("");
    let second = words.get(1).copied().unwrap_or("");
    let rails_task = |t: &str| {
        matches!(
            t,
            "db:drop"
                | "db:reset"
                | "db:purge"
                | "db:schema:load"
                | "db:drop:all"
                | "db:truncate_all"
        )
    };
    match p {
        "prisma" if first == "migrate" && second == "reset" => {
            Some("drops the database and re-applies the migrations")
        }
        "prisma" if first == "db" && second == "push" && args.contains(&"--force-reset") => {
            Some("drops the database before pushing the schema")
        }
        // The change Prisma warned would lose data, pushed anyway.
        "prisma" if first == "db" && second == "push" && args.contains(&"--accept-data-loss") => {
            Some("pushes a schema change that drops columns or tables with their data")
        }
        // `supabase stop --no-backup`: the local stack's data volumes deleted.
        "supabase" if first == "stop" && args.contains(&"--no-backup") => {
            Some("deletes the local database's data volumes")
        }
        "rails" | "rake" if words.iter().any(|w| rails_task(w)) => {
            Some("drops or wipes the database")
        }
        "artisan" if matches!(first, "migrate:fresh" | "migrate:reset" | "db:wipe") => {
            Some("drops every table")
        }
        "php"
            if first.ends_with("artisan")
                && matches!(second, "migrate:fresh" | "migrate:reset" | "db:wipe") =>
        {
            Some("drops every table")
        }
        "mix" if matches!(first, "ecto.drop" | "ecto.reset") => Some("drops the database"),
        "supabase" if first == "db" && second == "reset" => {
            Some("recreates the database from migrations")
        }
        "sequelize" | "sequelize-cli" if matches!(first, "db:drop" | "db:migrate:undo:all") => {
            Some("drops the database or undoes every migration")
        }
        "django-admin" if matches!(first, "flush" | "reset_db") => {
            Some("deletes every row of every table")
        }
        _ if p.starts_with("python")
            && first.ends_with("manage.py")
            && matches!(second, "flush" | "reset_db" | "sqlflush") =>
        {
            Some("deletes every row of every table")
        }
        // `manage.py migrate shop zero`: every migration of the app undone,
        // its tables dropped.
        _ if (p == "django-admin" && first == "migrate" && words.get(2) == Some(&"zero"))
            || (p.starts_with("python")
                && first.ends_with("manage.py")
                && second == "migrate"
                && words.get(3) == Some(&"zero")) =>
        {
            Some("undoes every migration of an app, dropping its tables")
        }
        // `alembic downgrade base`, `flask db downgrade base`.
        "alembic" if first == "downgrade" && second == "base" => {
            Some("undoes every migration, dropping the tables they made")
        }
        "flask" if first == "db" && second == "downgrade" && words.get(2) == Some(&"base") => {
            Some("undoes every migration, dropping the tables they made")
        }
        "knex" if first == "migrate:rollback" && args.contains(&"--all") => {
            Some("undoes every migration, dropping the tables they made")
        }
        "flyway" if words.contains(&"clean") => Some("drops every object in the schemas"),
        // golang-migrate: `migrate -database URL down -all`, `… drop -f`.
        "migrate" if words.contains(&"drop") => Some("drops everything in the database"),
        "migrate"
            if words.contains(&"down") && args.iter().any(|a| matches!(*a, "-all" | "--all")) =>
        {
            Some("undoes every migration, dropping the tables they made")
        }
        // goose: `goose postgres URL reset`, `goose … down-to 0`.
        "goose" if words.contains(&"reset") || words.windows(2).any(|w| w == ["down-to", "0"]) => {
            Some("undoes every migration, dropping the tables they made")
        }
        "dbmate" if words.contains(&"drop") => Some("drops the database"),
        // Undoes the last migrations by resetting the database and
        // re-applying the rest.
        "supabase" if first == "migration" && second == "down" => {
            Some("resets the database to undo migrations")
        }
        // Entity Framework Core: `dotnet ef database drop -f`.
        "dotnet" if words.starts_with(&["ef", "database", "drop"]) => Some("drops the database"),
        "liquibase" if words.iter().any(|w| matches!(*w, "dropAll" | "drop-all")) => {
            Some("drops every object in the database")
        }
        _ if p.starts_with("typeorm") && first == "schema:drop" => {
            Some("drops every table of the database")
        }
        // Atlas: `atlas schema clean -u URL`.
        "atlas" if first == "schema" && second == "clean" => {
            Some("drops every object in the schema")
        }
        _ => any_migrator_undoing_all(p, &words, args),
    }
}

/// Any migration tool told to undo every migration or reset: its program
/// or a word names migrations (`db-migrate reset`, `node-pg-migrate down
/// 0`, `hasura migrate apply --down all`, `sqlx migrate revert
/// --target-version 0`), and a word undoes (`down`, `rollback`, `revert`)
/// all of them (`all`, `--all`, `0`, `base`, `zero`), or resets.
fn any_migrator_undoing_all(p: &str, words: &[&str], args: &[&str]) -> Option<&'static str> {
    let migrator = p.contains("migrat")
        || words
            .iter()
            .any(|w| w.starts_with("migrat") || w.starts_with("db:migrat"));
    if !migrator {
        return None;
    }
    let resets = words.contains(&"reset");
    let undoes = args.iter().any(|a| {
        let a = a.trim_start_matches('-');
        matches!(a, "down" | "rollback" | "revert") || a.starts_with("down=")
    });
    let all = args.iter().any(|a| {
        let value = a.rsplit('=').next().unwrap_or(a);
        matches!(value.trim_start_matches('-'), "all" | "0" | "base" | "zero")
    });
    (resets || undoes && all).then_some("undoes every migration, dropping the tables they made")
}

/// Whether a command names a test environment for the framework it runs
/// (`RAILS_ENV=test`, `MIX_ENV=test`, `--env test`, `-e test`): a
/// database rebuilt for every test run, whose wiping loses nothing.
pub(crate) fn test_environment(c: &Command, args: &[&str]) -> bool {
    const VARS: &[&str] = &[
        "RAILS_ENV",
        "RACK_ENV",
        "MIX_ENV",
        "NODE_ENV",
        "APP_ENV",
        "DJANGO_ENV",
        "FLASK_ENV",
    ];
    let test = |v: &str| matches!(v, "test" | "testing");
    c.assignments
        .iter()
        .any(|a| VARS.contains(&a.name.as_str()) && test(&a.value.text))
        || args.iter().enumerate().any(|(k, a)| {
            (matches!(*a, "--env" | "-e") && args.get(k + 1).is_some_and(|v| test(v)))
                || a.strip_prefix("--env=").is_some_and(test)
                || a.strip_prefix("RAILS_ENV=").is_some_and(test)
        })
}
