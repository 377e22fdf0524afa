//! What a call's arguments name, once the inline-code reader has their
//! values: a path (a literal, with its home expansion and globs; a list of
//! them; or one computed at run time, which may be anything) and a command
//! (a string a shell runs, or a program and its arguments), recorded as
//! the effects a shell command naming them would have.

use super::code::{Call, Val};
use super::context::{Cx, Kind};

/// Records a path argument of a call.
pub(super) fn path(cx: &mut Cx, kind: Kind, v: &Val, how: &str, recursive: bool) {
    match v {
        Val::Str(s) if !s.is_empty() => {
            // A leading `~` (a home expansion) and the globs a `glob()`
            // call expands are the run-time parts; the rest is literal.
            let tilde = s.starts_with('~').then_some(0..1);
            let spans: Vec<std::ops::Range<usize>> = tilde
                .into_iter()
                .chain(s.match_indices(['*', '?', '[']).map(|(k, _)| k..k + 1))
                .collect();
            let r = super::paths::resolve(s, &spans, 0, cx.cwd.as_deref(), cx.a.home);
            cx.push_path(kind, r.path, r.dynamic, recursive, how);
        }
        Val::List(items) => items.iter().for_each(|i| path(cx, kind, i, how, recursive)),
        _ => {
            cx.push_path(kind, "*".into(), true, recursive, how);
            cx.unresolved(format!("`{how}` uses a path computed at run time"));
        }
    }
}

/// A call that runs a command: a string for a shell, or a program and its
/// arguments (a list, or several arguments).
pub(super) fn shell_call(cx: &mut Cx, how: &str, c: &Call) {
    let mut argv: Vec<&Val> = Vec::new();
    match c.args.as_slice() {
        [Val::Str(s)] => return cx.nested_shell(s),
        [Val::List(l), ..] => argv.extend(l),
        [first, Val::List(l), ..] => {
            argv.push(first);
            argv.extend(l);
        }
        [] => return cx.unresolved(format!("`{how}` runs a command computed at run time")),
        all => argv.extend(all),
    }
    if argv.len() > 1
        && argv.first().and_then(|v| v.as_str()) == argv.get(1).and_then(|v| v.as_str())
    {
        argv.remove(0); // `os.execvp('rm', ['rm', …])`
    }
    if argv.iter().any(|v| v.as_str().is_none()) {
        cx.unresolved(format!("`{how}` runs a command built at run time"));
        if argv.first().is_none_or(|v| v.as_str().is_none()) {
            return; // not even the program is known
        }
    }
    let line: Vec<String> = argv
        .iter()
        .map(|v| match v.as_str() {
            Some(s) => format!("'{}'", s.replace('\'', r"'\''")),
            None => "$_".to_string(),
        })
        .collect();
    cx.nested_shell(&line.join(" "));
}
