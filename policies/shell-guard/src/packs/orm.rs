//! Database writes made from code, judged as the statements they amount
//! to: SQL in the string literals of code that hands it to a driver
//! (`cursor.execute('DELETE FROM users')`, `connection.execute("TRUNCATE
//! users")`, `pool.query('DROP TABLE t')`), and an ORM's writes to every
//! row of a model (`User.delete_all`, `Project.all.destroy_all`,
//! `Order.objects.all().delete()`, `session.query(User).delete()`,
//! `User::truncate()`, `DB::table('users')->delete()`,
//! `prisma.user.deleteMany()`). A write narrowed by a condition or a scope
//! (`User.where(…).delete_all`, `.objects.filter(…)`, `User.inactive`,
//! `deleteMany({ where: … })`) or made through one record's association
//! (`user.posts.delete_all`) is not one to every row.
//!
//! The code is inline interpreter code (`python -c`, `node -e`, `ruby -e`,
//! `php -r`, or fed on standard input; see `interp.rs`) or what a framework
//! runs inside the application (`rails runner`, `rails console` fed a
//! script, `manage.py shell -c`, `artisan tinker --execute`).

use clawlaw_sdk::shell::CommandLine;

use crate::checker::Checker;
use crate::given::fed_text;
use crate::rules::database::{DROP_TABLE, UNBOUNDED_WRITE};

/// The code a framework command runs in the application, when the line
/// shows it: `rails runner CODE` (`r`), `manage.py shell -c CODE`, `artisan
/// tinker --execute=CODE`, and what their consoles are fed (`echo
/// 'User.delete_all' | rails console`).
pub(crate) fn framework_code(cl: &CommandLine, i: usize, tool: &str, args: &[&str]) -> Vec<String> {
    // Every command of every line comes here: nothing is collected until
    // the tool is a framework's.
    let tool = tool.rsplit('/').next().unwrap_or(tool);
    if !(matches!(
        tool,
        "rails" | "gitlab-rails" | "django-admin" | "php" | "artisan"
    ) || tool.starts_with("python"))
    {
        return Vec::new();
    }
    let words: Vec<&str> = args
        .iter()
        .copied()
        .filter(|a| !a.starts_with('-'))
        .collect();
    // The option that gives a console its code, if it has one.
    let option: &[&str] = match (tool, words.as_slice()) {
        ("rails" | "gitlab-rails", ["runner" | "r", code, ..]) if !code.ends_with(".rb") => {
            return vec![code.to_string()];
        }
        ("rails" | "gitlab-rails", ["console" | "c", ..]) => &[],
        (_, [manage, "shell" | "shell_plus", ..])
            if manage.ends_with("manage.py") && tool.starts_with("python") =>
        {
            &["-c", "--command"]
        }
        ("django-admin", ["shell" | "shell_plus", ..]) => &["-c", "--command"],
        (_, [artisan, "tinker", ..]) if artisan.ends_with("artisan") && tool == "php" => {
            &["--execute"]
        }
        ("artisan", ["tinker", ..]) => &["--execute"],
        _ => return Vec::new(),
    };
    let given = args.iter().enumerate().find_map(|(k, a)| {
        option.iter().find_map(|n| {
            if a == n {
                args.get(k + 1).map(|v| v.to_string())
            } else {
                a.strip_prefix(n)
                    .and_then(|v| v.strip_prefix('='))
                    .map(str::to_string)
            }
        })
    });
    match given {
        Some(code) => vec![code],
        None => fed_text(cl, i),
    }
}

impl Checker<'_> {
    /// Judges the database writes `code` makes, which `who` runs.
    pub(crate) fn check_code_database(&mut self, code: &str, who: &str) {
        if runs_sql(code) {
            for text in string_literals(code) {
                self.judge_statements(&text, who, &format!("`{who}`"), true);
            }
        }
        for (call, truncates) in mass_writes(code) {
            let (rule, what) = if truncates {
                (&DROP_TABLE, "deletes every row of the table")
            } else {
                (
                    &UNBOUNDED_WRITE,
                    "deletes or overwrites every row of the model's table (no condition)",
                )
            };
            self.hit(
                rule,
                Some(who),
                format!("`{who}` runs `{call}`, which {what}"),
            );
        }
    }
}

/// Whether code hands statements to a database: a driver's or an ORM's
/// call that runs SQL.
fn runs_sql(code: &str) -> bool {
    [
        "execute",
        "query",
        "exec(",
        "exec_query",
        "raw(",
        "sql(",
        "unsafe(",
        ".run(",
        "statement(",
    ]
    .iter()
    .any(|call| code.contains(call))
}

/// The string literals of code (`'…'`, `"…"`, `` `…` ``), without their
/// quotes; escapes are kept as written.
fn string_literals(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = code.chars();
    while let Some(ch) = chars.next() {
        if !matches!(ch, '\'' | '"' | '`') {
            continue;
        }
        let mut text = String::new();
        let mut escaped = false;
        for c in chars.by_ref() {
            if escaped {
                text.push(c);
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == ch {
                break;
            } else {
                text.push(c);
            }
        }
        out.push(text);
    }
    out
}

/// The calls in `code` that write every row of a model, as written, and
/// whether each truncates.
fn mass_writes(code: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    for method in [
        "delete_all",
        "destroy_all",
        "update_all",
        "delete",
        "truncate",
        "deleteMany",
        "updateMany",
        "destroy",
    ] {
        let mut from = 0;
        while let Some(k) = code[from..].find(method).map(|k| k + from) {
            from = k + method.len();
            let after = &code[from..];
            if after.starts_with(|c: char| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let Some(sep) = separator_before(code, k) else {
                continue;
            };
            let start = walk_back(code, sep);
            let chain = segments(&code[start..sep]);
            let call_args = after
                .strip_prefix('(')
                .map(|rest| &rest[..matching(rest).unwrap_or(rest.len())]);
            if let Some(truncates) = every_row(method, &chain, call_args) {
                out.push((code[start..from].to_string(), truncates));
            }
        }
    }
    out
}

/// Where the separator (`.`, `->`, `::`) before a method name at `k`
/// starts, if there is one.
fn separator_before(code: &str, k: usize) -> Option<usize> {
    let before = &code[..k];
    if before.ends_with("->") || before.ends_with("::") {
        Some(k - 2)
    } else if before.ends_with('.') {
        Some(k - 1)
    } else {
        None
    }
}

/// Where the receiver chain that ends at `end` starts: back over names,
/// separators and balanced brackets.
fn walk_back(code: &str, end: usize) -> usize {
    let bytes = code.as_bytes();
    let mut k = end;
    while k > 0 {
        let b = bytes[k - 1];
        if b == b')' || b == b']' {
            let open = if b == b')' { b'(' } else { b'[' };
            let mut depth = 0usize;
            let mut j = k;
            while j > 0 {
                j -= 1;
                if bytes[j] == b {
                    depth += 1;
                } else if bytes[j] == open {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
            }
            if depth != 0 {
                break;
            }
            k = j;
        } else if b.is_ascii_alphanumeric()
            || matches!(b, b'_' | b'.' | b':' | b'$' | b'\\' | b'?' | b'!')
            || b == b'>' && k >= 2 && bytes[k - 2] == b'-'
            || b == b'-' && bytes.get(k) == Some(&b'>')
        {
            k -= 1;
        } else {
            break;
        }
    }
    k
}

/// The length of the text before the bracket that closes an opened `(`.
fn matching(rest: &str) -> Option<usize> {
    let mut depth = 1usize;
    for (k, ch) in rest.char_indices() {
        match ch {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(k);
                }
            }
            _ => {}
        }
    }
    None
}

/// The parts of a receiver chain (`App\Models\User::query()` → `App\Models\
/// User`, `query()`), split at separators outside brackets.
fn segments(chain: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut depth = 0usize;
    let mut chars = chain.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        let sep = depth == 0
            && (ch == '.'
                || (ch == ':' && chars.peek() == Some(&':'))
                || (ch == '-' && chars.peek() == Some(&'>')));
        if sep {
            if ch != '.' {
                chars.next();
            }
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push(ch);
        }
    }
    out.push(cur);
    out.retain(|s| !s.is_empty());
    out
}

/// Whether `method` called on `chain` with `args` writes every row:
/// `Some(true)` when it truncates, `Some(false)` for another write to
/// every row, `None` when the write is narrowed or not a model's.
fn every_row(method: &str, chain: &[String], args: Option<&str>) -> Option<bool> {
    let model = |s: &str| {
        s.rsplit('\\')
            .next()
            .is_some_and(|n| n.starts_with(|c: char| c.is_ascii_uppercase()))
    };
    let empty = |s: &str| s.chars().all(|c| c.is_whitespace() || c == '{' || c == '}');
    let compact: String = args.unwrap_or("").split_whitespace().collect();
    let first = chain.first().map(String::as_str).unwrap_or("");
    // The parts after the model: `Admin::User.all` is model `Admin::User`.
    let rest: Vec<&str> = chain
        .iter()
        .map(String::as_str)
        .skip_while(|s| model(s))
        .collect();
    let all_rows = |s: &str| {
        matches!(
            s,
            "all" | "all()" | "unscoped" | "unscoped()" | "default_scoped" | "query()" | "filter()"
        )
    };
    match method {
        // Ruby: `User.delete_all`, `Project.all.destroy_all`.
        "delete_all" | "destroy_all" | "update_all" => {
            (model(first) && rest.iter().all(|s| all_rows(s))).then_some(false)
        }
        // Django: `Order.objects.all().delete()`; SQLAlchemy:
        // `session.query(User).delete()`; Laravel: `User::query()->delete()`,
        // `DB::table('users')->delete()`.
        "delete" if args.is_some_and(empty) => {
            let django = model(first)
                && rest.first() == Some(&"objects")
                && rest[1..].iter().all(|s| all_rows(s));
            let sqlalchemy = chain.last().is_some_and(|s| s.starts_with("query("));
            let laravel = model(first) && !rest.is_empty() && rest.iter().all(|s| all_rows(s))
                || first == "DB" && rest.len() == 1 && rest[0].starts_with("table(");
            (django || sqlalchemy || laravel).then_some(false)
        }
        // Laravel: `User::truncate()`, `DB::table('users')->truncate()`.
        "truncate" if args.is_some_and(empty) => (model(first)
            && (rest.is_empty() || rest.len() == 1 && rest[0].starts_with("table(")))
        .then_some(true),
        // Prisma, the MongoDB driver: `prisma.user.deleteMany()`,
        // `deleteMany({})`, `updateMany({}, …)`.
        "deleteMany" | "updateMany" => {
            let filter = compact.split(',').next().unwrap_or("");
            (args.is_some() && empty(filter) && !compact.contains("where:")).then_some(false)
        }
        // Sequelize: `User.destroy({ truncate: true })`, `{ where: {} }`.
        "destroy" => (model(first)
            && (compact.contains("truncate:true") || compact.contains("where:{}")))
        .then_some(compact.contains("truncate:true")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn writes(code: &str) -> Vec<(String, bool)> {
        mass_writes(code)
    }

    #[test]
    fn writes_to_every_row() {
        for code in [
            "User.delete_all",
            "Project.all.destroy_all",
            "Admin::User.unscoped.delete_all",
            "User.update_all(admin: true)",
            "from shop.models import Order; Order.objects.all().delete()",
            "Order.objects.delete()",
            "db.session.query(User).delete()",
            r"App\Models\User::query()->delete()",
            "DB::table('users')->delete()",
            "const p = new PrismaClient(); await p.user.deleteMany()",
            "db.collection('orders').deleteMany({})",
            "User.destroy({ where: {} })",
        ] {
            assert_eq!(writes(code).len(), 1, "{code}: {:?}", writes(code));
            assert!(!writes(code)[0].1, "{code}");
        }
        for code in [
            r"App\Models\User::truncate()",
            "DB::table('users')->truncate()",
            "User.destroy({ truncate: true })",
        ] {
            assert_eq!(writes(code).len(), 1, "{code}");
            assert!(writes(code)[0].1, "{code}");
        }
    }

    #[test]
    fn narrowed_writes() {
        for code in [
            "User.where(active: false).delete_all",
            "User.inactive.destroy_all",
            "user.posts.delete_all",
            "Order.objects.filter(paid=False).delete()",
            "session.query(User).filter(User.id == 5).delete()",
            "User::where('votes', '>', 100)->delete()",
            "$user->delete()",
            "order.delete()",
            "prisma.user.deleteMany({ where: { email: { contains: 'test' } } })",
            "db.collection('orders').deleteMany({ status: 'cancelled' })",
            "User.destroy({ where: { id: 5 } })",
            "cache.delete('key')",
            "os.remove('x'); shutil.rmtree('build')",
            "fs.rmSync('dist', { recursive: true })",
        ] {
            assert!(writes(code).is_empty(), "{code}: {:?}", writes(code));
        }
    }

    #[test]
    fn literals_and_sql_calls() {
        assert_eq!(
            string_literals(r#"c.execute('DELETE FROM users'); x = "a\"b""#),
            ["DELETE FROM users", "a\"b"]
        );
        assert!(runs_sql("cursor.execute('DROP TABLE t')"));
        assert!(runs_sql("pool.query('TRUNCATE t')"));
        assert!(!runs_sql("print('DROP TABLE t')"));
    }
}
