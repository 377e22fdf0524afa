//! The local files a shell command names: the files it writes (`tee`,
//! `cp`/`mv`/`install`/`ln` destinations, `dd of=`; redirect targets are
//! turned into [`WriteTarget`]s here too) and the credential files it
//! mentions (`.env`, `-d @.env`, `-F f=<.env`).

use crate::argv::{Arg, NO_VALUES, Spec, operands, scan};
use crate::holders::{HOLDER, holds_credentials};
use crate::hosts::remote_spec_host;
use crate::uses::{ShellView, WriteTarget};
use clawlaw_sdk::secrets;
use clawlaw_sdk::shell::Word;

pub(crate) fn write_target(w: &Word) -> WriteTarget {
    let dynamic = w.dynamic_spans().any(|r| {
        let seg = w.text.get(r.clone()).unwrap_or("");
        !(r.start == 0 && (seg.starts_with('~') || seg == "$HOME" || seg == "${HOME}"))
    });
    WriteTarget {
        path: w.text.clone(),
        dynamic,
    }
}

/// Records `word` when it names a credential file: as written, or after a
/// `@` (curl `-d @.env`, httpie `f@.env`), `=` or `<` (curl `-F f=<.env`).
pub(crate) fn note_credential(v: &mut ShellView, word: &str) {
    if note_ci_secret(v, word, false) {
        return;
    }
    // `host:path` (and a URL) is a file over there, not one read here.
    if word.is_empty() || remote_spec_host(word).is_some() {
        return;
    }
    let mut candidates = vec![word];
    if let Some((_, r)) = word.split_once('=') {
        candidates.push(r);
    }
    if let Some((_, r)) = word.rsplit_once('@') {
        candidates.push(r);
    }
    // `@f` and `<f` (curl), `file://f` and `fileb://f` (the AWS CLI's
    // arguments read from a file).
    let more: Vec<&str> = candidates
        .iter()
        .filter_map(|c| {
            c.strip_prefix('<')
                .or_else(|| c.strip_prefix('@'))
                .or_else(|| c.strip_prefix("file://"))
                .or_else(|| c.strip_prefix("fileb://"))
        })
        .collect();
    candidates.extend(more);
    // The barest spelling that names a credential file.
    let found = candidates
        .into_iter()
        .filter(|c| !c.is_empty() && !c.starts_with('-'))
        .filter_map(|c| secrets::is_credential_path(c).map(|k| (c, k)))
        .min_by_key(|(c, _)| c.len());
    if let Some((c, kind)) = found
        && !v.credentials.iter().any(|(w, _)| w == c)
    {
        v.credentials.push((c.to_string(), kind));
    }
}

/// Programs that read a directory's files when named one: archivers,
/// copiers and recursive searches.
const DIRECTORY_READERS: &[&str] = &[
    "tar",
    "zip",
    "7z",
    "7za",
    "rar",
    "cpio",
    "pax",
    "rsync",
    "scp",
    "sftp",
    "rclone",
    "cp",
    "aws",
    "gsutil",
    "gcloud",
    "az",
    "azcopy",
    "find",
    "grep",
    "rg",
    "base64",
    "gpg",
    "openssl",
    "restic",
    "borg",
    "borgbackup",
    "duplicity",
    "rdiff-backup",
    "kopia",
    "duplicacy",
];

/// Whether a word expands GitHub Actions' whole `secrets` context.
/// A CI workflow's secret in a word: every secret of the repository at
/// once (`${{ toJSON(secrets) }}`: nothing a step needs, everything a thief
/// does) or one (`${{ secrets.NPM_TOKEN }}`). Noted as a credential the
/// line carries, whatever program prints it, unless it is one secret given
/// as the request's own credentials (`auth`); whether it is a CI secret.
pub(crate) fn note_ci_secret(v: &mut ShellView, word: &str, auth: bool) -> bool {
    if !clawlaw_sdk::text::contains(word, "${{") {
        return false;
    }
    let compact: String = word.chars().filter(|c| !c.is_whitespace()).collect();
    let lower = compact.to_ascii_lowercase();
    let kind = if lower.contains("${{tojson(secrets)}}") {
        "ci-secrets"
    } else if lower.contains("${{secrets.") {
        if auth || lower.starts_with("authorization:") {
            return true;
        }
        "ci-secret"
    } else {
        return false;
    };
    if !v.credentials.iter().any(|(w, _)| w == word) {
        v.credentials.push((word.to_string(), kind));
    }
    true
}

/// Records `word`, an argument of `program`, when it names a directory of
/// credentials that the program reads whole (`tar czf - ~/.aws`, `rsync -a
/// ~/.gnupg/ host:`), or a directory that holds them (`zip -r - ~`, `aws
/// s3 sync ~ s3://…`: see [`holds_credentials`]); `mkdir ~/.ssh` or `chmod
/// 700 ~/.ssh` read nothing.
pub(crate) fn note_credential_dir(v: &mut ShellView, program: &str, word: &str) {
    if !DIRECTORY_READERS.contains(&program) || remote_spec_host(word).is_some() {
        return;
    }
    let kind =
        secrets::is_credential_dir(word).or_else(|| holds_credentials(word, None).map(|_| HOLDER));
    if let Some(kind) = kind
        && !v.credentials.iter().any(|(w, _)| w == word)
    {
        v.credentials.push((word.to_string(), kind));
    }
}

/// Files written by `tee`, `cp`/`mv`/`install`/`ln` and `dd`.
pub(crate) fn local_writes(v: &mut ShellView, p: &str, args: &[Word]) {
    match p {
        "tee" => {
            for a in scan(args, &NO_VALUES).iter().filter(|a| a.opt.is_none()) {
                if !a.word.text.starts_with("/dev/") {
                    v.writes.push(write_target(a.word));
                }
            }
        }
        "cp" | "mv" | "install" | "ln" => {
            let spec = Spec {
                short: "tSmogT",
                long: &["target-directory", "suffix", "mode", "owner", "group"],
            };
            let parsed = scan(args, &spec);
            if let Some(t) = parsed
                .iter()
                .find(|a| a.is(&["t", "target-directory"]) && a.val.is_some())
            {
                v.writes.push(write_target(t.word));
            } else {
                let ops: Vec<&Arg> = operands(&parsed).collect();
                if ops.len() >= 2
                    && let Some(last) = ops.last()
                {
                    v.writes.push(write_target(last.word));
                }
            }
        }
        "dd" => {
            for w in args {
                if let Some(path) = w.text.strip_prefix("of=")
                    && !path.starts_with("/dev/")
                {
                    let mut t = write_target(w);
                    t.path = path.to_string();
                    v.writes.push(t);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use clawlaw_sdk::shell::parse;

    fn writes(line: &str) -> Vec<(String, bool)> {
        let cl = parse(line);
        let cmd = &cl.commands[0];
        let mut v = ShellView::default();
        local_writes(&mut v, &cmd.program, cmd.args());
        v.writes.into_iter().map(|w| (w.path, w.dynamic)).collect()
    }

    fn credentials(word: &str) -> Vec<(String, &'static str)> {
        let mut v = ShellView::default();
        note_credential(&mut v, word);
        v.credentials
    }

    #[test]
    fn copies_tee_and_dd_write_their_destination() {
        assert_eq!(writes("cp -t /tmp/dir a b"), [("/tmp/dir".into(), false)]);
        assert_eq!(writes("cp a b c/"), [("c/".into(), false)]);
        assert!(writes("cp a").is_empty(), "no destination");
        assert_eq!(
            writes("install -m 600 .env /etc/app/env"),
            [("/etc/app/env".into(), false)]
        );
        assert_eq!(
            writes("tee -a ~/log /dev/stderr \"$D/x\""),
            [("~/log".into(), false), ("$D/x".into(), true)]
        );
        assert_eq!(
            writes("dd if=.env of=/tmp/out bs=1"),
            [("/tmp/out".into(), false)]
        );
        assert!(writes("dd if=.env of=/dev/null").is_empty());
        assert!(writes("cat a b").is_empty());
    }

    #[test]
    fn home_is_not_a_run_time_path() {
        let cl = parse("cat a > \"$HOME/x\" > ~/y > \"$OUT/z\"");
        let dynamic: Vec<bool> = cl.commands[0]
            .redirects
            .iter()
            .map(|r| write_target(&r.target).dynamic)
            .collect();
        assert_eq!(dynamic, [false, false, true]);
    }

    #[test]
    fn credential_files_are_named_through_option_syntax() {
        assert_eq!(credentials(".env"), [(".env".to_string(), "dotenv")]);
        assert_eq!(credentials("@.env")[0].0, ".env");
        assert_eq!(credentials("f=<.env")[0].0, ".env");
        assert_eq!(credentials("--data-binary=@.env")[0].0, ".env");
        assert!(
            credentials("user@host.example:.env").is_empty(),
            "a remote file"
        );
        assert!(credentials("README.md").is_empty());
        assert!(credentials("--env").is_empty());
    }
}
