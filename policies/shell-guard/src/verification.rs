//! TLS certificate verification switched off for what tools fetch from now
//! on: git's `http.sslVerify`, npm's, pnpm's and Yarn's `strict-ssl`
//! (`enableStrictSsl`), pip's `trusted-host`, conda's `ssl_verify` set in
//! their configuration, and `NODE_TLS_REJECT_UNAUTHORIZED=0`,
//! `GIT_SSL_NO_VERIFY`, `PYTHONHTTPSVERIFY=0` exported for the rest of the
//! session. Every later clone and install then takes whatever a network
//! attacker serves: a defence switched off, escalated as `shell.defenses`
//! (see `defenses.rs`). One request made without verification (`curl -k`,
//! `git -c http.sslVerify=false clone …`) is a choice about that request,
//! not judged here.

use clawlaw_sdk::shell::Command;

use crate::checker::Checker;
use crate::programs::Shown;

impl Checker<'_> {
    pub(crate) fn check_verification(&mut self, c: &Command, shown: &Shown) {
        // The words, read only for a program that has such a setting.
        let words = || -> Vec<&str> { c.args().iter().map(|w| w.text.as_str()).collect() };
        let what = match c.program.as_str() {
            "git" => git_ssl_verify_off(&words()),
            "npm" | "pnpm" | "yarn" => {
                config_set(&words(), &["strict-ssl", "enablestrictssl"]).filter(|(_, v)| off(v))
            }
            "pip" | "pip3" => {
                config_set(&words(), &[]).filter(|(k, _)| k.ends_with(".trusted-host"))
            }
            "conda" | "mamba" | "micromamba" => words()
                .windows(3)
                .find(|w| w[0] == "--set" && w[1].eq_ignore_ascii_case("ssl_verify") && off(w[2]))
                .map(|w| (w[1].to_string(), w[2].to_string())),
            "export" | "declare" | "typeset" => exported_off(&words()),
            _ => None,
        };
        if let Some((setting, value)) = what {
            self.escalate(
                "shell.defenses",
                0.6,
                Some(c.program.as_str()),
                format!(
                    "`{shown}` switches off TLS certificate verification ({setting} = {value}) for every later fetch: whoever sits on the network could serve the packages and code that come after"
                ),
            );
        }
    }
}

/// A value that turns a boolean setting off.
fn off(v: &str) -> bool {
    matches!(
        v.to_ascii_lowercase().as_str(),
        "false" | "0" | "no" | "off"
    )
}

/// `git config [SCOPE] [set] http[.URL].sslVerify false`.
fn git_ssl_verify_off(words: &[&str]) -> Option<(String, String)> {
    if words.first() != Some(&"config") {
        return None;
    }
    let mut rest = words[1..]
        .iter()
        .filter(|w| !w.starts_with('-') && **w != "set");
    let key = rest.next()?;
    let value = rest.next()?;
    let k = key.to_ascii_lowercase();
    (k.starts_with("http.") && k.ends_with(".sslverify") && off(value))
        .then(|| (key.to_string(), value.to_string()))
}

/// `config set KEY VALUE` (or `KEY=VALUE`, or `set KEY VALUE` alone, as
/// npm takes it) when KEY, lower-cased, is one of `keys` (any when
/// empty).
fn config_set(words: &[&str], keys: &[&str]) -> Option<(String, String)> {
    let at = words.iter().position(|w| *w == "set")?;
    let mut rest = words[at + 1..].iter().filter(|w| !w.starts_with('-'));
    let first = rest.next()?;
    let (key, value) = match first.split_once('=') {
        Some((k, v)) => (k.to_string(), v.to_string()),
        None => (first.to_string(), rest.next()?.to_string()),
    };
    let lower = key.to_ascii_lowercase();
    (keys.is_empty() || keys.contains(&lower.as_str())).then_some((lower, value))
}

/// An exported variable that makes a runtime skip verification.
fn exported_off(words: &[&str]) -> Option<(String, String)> {
    words.iter().find_map(|w| {
        let (name, value) = w.split_once('=')?;
        let skips = match name {
            "NODE_TLS_REJECT_UNAUTHORIZED" | "PYTHONHTTPSVERIFY" => value == "0",
            "GIT_SSL_NO_VERIFY" => !value.is_empty() && !off(value),
            _ => false,
        };
        skips.then(|| (name.to_string(), value.to_string()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_that_switch_verification_off() {
        let w = |s: &'static str| s.split(' ').collect::<Vec<_>>();
        assert!(git_ssl_verify_off(&w("config --global http.sslVerify false")).is_some());
        assert!(git_ssl_verify_off(&w("config set http.https://x.example/.sslverify 0")).is_some());
        assert!(git_ssl_verify_off(&w("config --global http.sslVerify true")).is_none());
        assert!(git_ssl_verify_off(&w("config --get http.sslVerify")).is_none());
        let npm = ["strict-ssl", "enablestrictssl"];
        assert!(config_set(&w("config set strict-ssl false"), &npm).is_some_and(|(_, v)| off(&v)));
        assert!(config_set(&w("set strict-ssl=false"), &npm).is_some_and(|(_, v)| off(&v)));
        assert!(config_set(&w("config set registry https://r.example/"), &npm).is_none());
        assert!(exported_off(&w("NODE_TLS_REJECT_UNAUTHORIZED=0")).is_some());
        assert!(exported_off(&w("GIT_SSL_NO_VERIFY=1")).is_some());
        assert!(exported_off(&w("GIT_SSL_NO_VERIFY=false")).is_none());
        assert!(exported_off(&w("NODE_ENV=production")).is_none());
    }
}
