//! The text a command is given, as the line shows it: on its standard input
//! (a here-document or here-string, a file the line wrote from literal text
//! read with `<`, what an `echo`/`printf` or a `cat <<EOF` just before it
//! in a pipeline prints) and in a file it is told to read that the line
//! wrote first (`psql -f /tmp/x.sql`, `kubectl apply -f pod.yaml`). What a
//! shell, a scheduler, a database client or `kubectl apply -f -` then runs
//! is judged from it.

use clawlaw_sdk::implied::printf;
use clawlaw_sdk::shell::{CommandLine, RedirectOp};

/// The text command `i` of `cl` reads on its standard input, when the line
/// shows it: a here-document or here-string, a file the line wrote from
/// literal text (`mysql prod < /tmp/x.sql`), or what the command before it
/// in a pipeline prints — an `echo`/`printf` (also those of a `(…; echo …)`
/// group there, `printf`'s format filled in), or a `cat` of a
/// here-document.
pub(crate) fn fed_text(cl: &CommandLine, i: usize) -> Vec<String> {
    let c = &cl.commands[i];
    let mut out = Vec::new();
    for r in &c.redirects {
        match r.op {
            RedirectOp::HereDoc => out.extend(r.here_doc.clone()),
            RedirectOp::HereString => out.push(r.target.text.clone()),
            // `mysql prod < /tmp/x.sql` after the line wrote it.
            RedirectOp::Read => out.extend(file_text(cl, i, &r.target.text)),
            _ => {}
        }
    }
    if !c.piped_in {
        return out;
    }
    let pipeline = &cl.pipelines[c.pipeline].commands;
    let Some(u) = pipeline
        .iter()
        .position(|&e| e == i)
        .and_then(|k| k.checked_sub(1))
        .and_then(|k| pipeline.get(k).copied())
    else {
        return out;
    };
    // The printer itself, or the printers of a group or subshell there.
    let printers = (u..cl.commands.len())
        .take_while(|&k| k == u || cl.commands[k].depth > cl.commands[u].depth)
        .filter(|&k| !cl.commands[k].program_dynamic);
    for k in printers {
        let e = &cl.commands[k];
        match e.program.as_str() {
            // `printf '\162\155 -rf /srv' | sh`: what it prints.
            "printf" => {
                let words: Vec<&str> = e.args().iter().map(|w| w.text.as_str()).collect();
                if let Some((format, rest)) = words.split_first() {
                    out.push(printf(format, rest));
                }
            }
            "echo" => {
                let text: Vec<&str> = e.operands().map(|w| w.text.as_str()).collect();
                out.push(text.join(" ").replace("\\n", "\n"));
            }
            // `cat <<'EOF' | kubectl apply -f -`, `cat x.sql | psql` after
            // the line wrote `x.sql`.
            "cat" => {
                for r in &e.redirects {
                    match r.op {
                        RedirectOp::HereDoc => out.extend(r.here_doc.clone()),
                        RedirectOp::HereString => out.push(r.target.text.clone()),
                        _ => {}
                    }
                }
                for f in e.operands() {
                    out.extend(file_text(cl, k, &f.text));
                }
            }
            _ => {}
        }
    }
    out
}

/// The text of `file` as the line before command `i` wrote it from literal
/// text (`cat > /tmp/x.sql <<EOF … EOF`), or what a process substitution
/// of an `echo`/`printf` prints (`<(echo 'DROP …')`).
pub(crate) fn file_text(cl: &CommandLine, i: usize, file: &str) -> Option<String> {
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
