//! migration-guard: database migrations happen only when the session said
//! it is there to migrate the database.
//!
//! An agent fixing a parser test has no business editing
//! `db/migrations/0042_users.sql` or running `diesel migration run`; an agent
//! whose declared intent is "add a users.email column" does. So:
//!
//! - `migrations.no-intent` — writing or deleting a file under a migrations
//!   directory (also through a shell redirect, `echo … > db/migrations/x.sql`),
//!   or running a migration tool, is **denied** unless the session's intent
//!   names a migration (one of `intent_words`, case-insensitive).
//! - `migrations.destructive` — with that intent, a migration whose content
//!   drops or truncates a table, column, schema or database **escalates**: a
//!   human looks at data loss.
//! - Every allowed migration write labels the session `db-migration` and
//!   counts `migration_writes`, so later policies and reviewers see it.

use clawlaw_sdk::{
    Action, Decision, Info, Policy, Session, export_policy, glob, kinds, path, shell, workspace,
};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Globs of migration files (matched against normalised absolute paths).
    pub migrations: Vec<String>,
    /// Words in a session's intent that declare a database migration.
    pub intent_words: Vec<String>,
    /// Command lines that run migrations, as leading words (`diesel migration`
    /// matches `diesel migration run`); up to two launcher words may precede
    /// them (`bundle exec`, `npx`).
    pub commands: Vec<String>,
}

impl Default for Settings {
    fn default() -> Settings {
        let v = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect();
        Settings {
            migrations: v(&[
                "**/migrations/**",
                "**/db/migrate/**",
                "**/alembic/versions/**",
            ]),
            intent_words: v(&["migration", "migrate", "schema change"]),
            commands: v(&[
                "diesel migration",
                "sqlx migrate",
                "refinery migrate",
                "alembic upgrade",
                "alembic downgrade",
                "manage.py migrate",
                "rails db:migrate",
                "rails db:rollback",
                "rake db:migrate",
                "prisma migrate",
                "flyway migrate",
            ]),
        }
    }
}

/// What a migration must not do without a human looking.
const DESTRUCTIVE: &[&str] = &[
    "drop table",
    "drop column",
    "drop schema",
    "drop database",
    "truncate",
];

pub struct MigrationGuard;

impl Policy for MigrationGuard {
    type Settings = Settings;

    fn info() -> Info {
        Info::new("migration-guard", env!("CARGO_PKG_VERSION"))
            .rule(
                "migrations.no-intent",
                "Migrations are written or run only under a declared migration intent",
            )
            .rule(
                "migrations.destructive",
                "A migration that drops or truncates data escalates to a human",
            )
            // The declared intent only (always handed over): no labels,
            // counters or recent actions.
            .reading(&[])
    }

    fn validate(settings: &Settings) -> Result<(), String> {
        for g in &settings.migrations {
            glob::validate(g).map_err(|e| format!("migrations: {e}"))?;
        }
        if settings.intent_words.iter().any(|w| w.trim().is_empty()) {
            return Err("intent_words: an empty word would match every intent".into());
        }
        if settings
            .commands
            .iter()
            .any(|c| c.split_whitespace().next().is_none())
        {
            return Err("commands: an empty command would match every command".into());
        }
        Ok(())
    }

    fn evaluate(settings: &Settings, action: &Action, session: &Session) -> Decision {
        let declared = declares_migration(settings, session);
        let cwd = workspace::cwd(action);
        let home = workspace::home(None, cwd);
        let is_migration = |raw: &str| {
            path::normalize(raw, cwd, home.as_deref())
                .ok()
                .filter(|p| settings.migrations.iter().any(|g| glob::matches(g, p)))
        };
        let intent = session.intent.as_deref().unwrap_or("none declared");

        match action.kind.as_str() {
            kinds::FILE_WRITE | kinds::FILE_DELETE => {
                let input = action.input_json();
                let Some(file) = workspace::file_paths(action, &input)
                    .iter()
                    .find_map(|p| is_migration(p))
                else {
                    return Decision::allow();
                };
                if !declared {
                    return Decision::deny(
                        "migrations.no-intent",
                        format!(
                            "{} of {file}: migrations change the database, and this session \
                             did not declare a migration (intent: {intent})",
                            action.kind
                        ),
                    );
                }
                // What is written: `content`, or an Edit's `new_string`.
                let content = action
                    .content
                    .clone()
                    .or_else(|| action.input_str("content"))
                    .or_else(|| action.input_str("new_string"))
                    .unwrap_or_default();
                if let Some(what) = destructive(&content) {
                    return Decision::escalate(
                        "migrations.destructive",
                        format!("{file} would {what}: a human should confirm the data loss"),
                    )
                    .with_label("db-migration");
                }
                Decision::allow()
                    .with_label("db-migration")
                    .with_counter("migration_writes", 1)
            }
            kinds::SHELL_EXEC if !declared => {
                let line = shell::parse(action.command.as_deref().unwrap_or_default());
                for cmd in &line.commands {
                    let words: Vec<&str> = cmd.argv.iter().map(|w| w.text.as_str()).collect();
                    if let Some(run) = settings.commands.iter().find(|c| runs(&words, c)) {
                        return Decision::deny(
                            "migrations.no-intent",
                            format!(
                                "`{run}` migrates the database, and this session did not \
                                 declare a migration (intent: {intent})"
                            ),
                        );
                    }
                    let redirected = cmd
                        .redirects
                        .iter()
                        .filter(|r| r.op.writes_file())
                        .find_map(|r| is_migration(&r.target.text));
                    if let Some(file) = redirected {
                        return Decision::deny(
                            "migrations.no-intent",
                            format!(
                                "the command writes {file}, a migration, and this session did \
                                 not declare a migration (intent: {intent})"
                            ),
                        );
                    }
                }
                Decision::allow()
            }
            _ => Decision::allow(),
        }
    }
}

/// Whether the session's intent declares a database migration.
fn declares_migration(settings: &Settings, session: &Session) -> bool {
    let Some(intent) = session.intent.as_deref() else {
        return false;
    };
    let intent = intent.to_lowercase();
    settings
        .intent_words
        .iter()
        .any(|w| intent.contains(&w.to_lowercase()))
}

/// Whether `words` run `command` (its words in order at the start, or after
/// at most two launcher words: `bundle exec rails db:migrate`, `npx prisma migrate`).
fn runs(words: &[&str], command: &str) -> bool {
    let want: Vec<&str> = command.split_whitespace().collect();
    (0..=2).any(|skip| {
        words.len() >= skip + want.len()
            && words[skip..skip + want.len()]
                .iter()
                .zip(&want)
                .all(|(have, want)| shell::basename(have) == *want || have == want)
    })
}

/// The first destructive statement in a migration's text, lower-cased.
fn destructive(content: &str) -> Option<&'static str> {
    let flat = content
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    DESTRUCTIVE.iter().copied().find(|d| flat.contains(d))
}

export_policy!(MigrationGuard);

#[cfg(test)]
mod tests {
    use super::*;
    use clawlaw_sdk::testing::{assert_case_file, eval};
    use clawlaw_sdk::{Verdict, evaluate_json, validate_settings};

    fn session(intent: &str) -> Session {
        Session {
            intent: Some(intent.into()),
            ..Session::default()
        }
    }

    #[test]
    fn cases() {
        assert_case_file::<MigrationGuard>("cases.yaml", include_str!("../cases.yaml"));
    }

    #[test]
    fn a_migration_without_the_intent_is_denied() {
        let a = Action::write(
            "/work/app/db/migrations/0042_users.sql",
            "ALTER TABLE users ADD email text;",
        );
        let d = evaluate_json::<MigrationGuard>("{}", &a, &session("fix the parser test"));
        assert_eq!(d.verdict, Verdict::Deny);
        assert_eq!(d.rules, ["migrations.no-intent"]);
        assert!(
            d.reason.contains("intent: fix the parser test"),
            "{}",
            d.reason
        );
    }

    #[test]
    fn with_the_intent_it_is_allowed_and_counted() {
        let a = Action::write(
            "/work/app/db/migrations/0042_users.sql",
            "ALTER TABLE users ADD email text;",
        );
        let d = evaluate_json::<MigrationGuard>(
            "{}",
            &a,
            &session("Add a users.email column (migration)"),
        );
        assert_eq!(d.verdict, Verdict::Allow);
        assert_eq!(d.labels, ["db-migration"]);
        assert_eq!(d.counters, [("migration_writes".to_string(), 1)]);
    }

    #[test]
    fn drops_escalate_even_with_the_intent() {
        let a = Action::write(
            "/work/app/db/migrations/0043.sql",
            "ALTER TABLE users\n  DROP   COLUMN email;",
        );
        let d = evaluate_json::<MigrationGuard>("{}", &a, &session("migrate the schema"));
        assert_eq!(d.verdict, Verdict::Escalate);
        assert_eq!(d.rules, ["migrations.destructive"]);
    }

    #[test]
    fn migration_tools_and_redirects_need_the_intent() {
        for cmd in [
            "diesel migration run",
            "cd /work/app && bundle exec rails db:migrate",
            "npx prisma migrate deploy",
            "echo 'DROP TABLE x;' > db/migrations/0044.sql",
        ] {
            let a = Action::shell(cmd).in_dir("/work/app");
            assert_eq!(eval::<MigrationGuard>(&a).verdict, Verdict::Deny, "{cmd}");
            let with = evaluate_json::<MigrationGuard>("{}", &a, &session("db migration"));
            assert_eq!(with.verdict, Verdict::Allow, "{cmd}");
        }
        let a = Action::shell("cargo test -p migrations").in_dir("/work/app");
        assert_eq!(eval::<MigrationGuard>(&a).verdict, Verdict::Allow);
    }

    #[test]
    fn settings_are_checked() {
        assert!(validate_settings::<MigrationGuard>(r#"{"intent_words": [""]}"#).is_err());
        assert!(validate_settings::<MigrationGuard>(r#"{"commands": ["  "]}"#).is_err());
        assert!(validate_settings::<MigrationGuard>(r#"{"migrations": ["!x"]}"#).is_err());
        assert!(validate_settings::<MigrationGuard>(r#"{"migration": []}"#).is_err());
        assert!(validate_settings::<MigrationGuard>(r#"{"migrations": ["/srv/sql/**"]}"#).is_ok());
    }
}
