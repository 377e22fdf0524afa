//! Package managers' configuration files that say where packages come
//! from and what runs their scripts: a `registry=` in `.npmrc`,
//! `npmRegistryServer` in `.yarnrc.yml`, `index-url`/`extra-index-url`/
//! `trusted-host` in `pip.conf`, `index-url` in `uv.toml`, a proxy, and
//! npm's and Yarn 1's `script-shell` and `node-options`. Each setting is the
//! command line that would make it (`npm config set registry URL`), so a
//! policy that judges where packages come from, or what every later `npm
//! run` runs through, judges the file too.

use super::formats::Found;

/// Most command lines a reader returns.
const MAX_COMMANDS: usize = 16;

/// npm's settings read from its files (and Yarn 1's, which shares them).
const NPM_KEYS: &[&str] = &[
    "registry",
    "strict-ssl",
    "proxy",
    "https-proxy",
    "script-shell",
    "node-options",
];

/// `.npmrc`: `registry=URL`, `@scope:registry=URL`, `strict-ssl=false`,
/// `proxy=URL`, `script-shell=PATH`, `node-options=OPTIONS`.
pub fn npmrc(content: &str) -> Vec<Found> {
    settings(content, &['='], |key, value| {
        (NPM_KEYS.contains(&key) || key.ends_with(":registry"))
            .then(|| format!("npm config set {key} {value}"))
    })
}

/// `.yarnrc.yml`: `npmRegistryServer: URL`, `enableStrictSsl: false`,
/// `httpProxy`/`httpsProxy: URL`; Yarn 1's `.yarnrc`, `KEY "VALUE"` lines
/// (`registry "URL"`, `script-shell "/bin/x"`).
pub fn yarnrc(content: &str) -> Vec<Found> {
    // A line's key ends at its first colon (YAML) or blank (Yarn 1).
    settings(content, &[':', ' ', '\t'], |key, value| {
        (matches!(
            key,
            "npmRegistryServer"
                | "enableStrictSsl"
                | "unsafeHttpWhitelist"
                | "httpProxy"
                | "httpsProxy"
        ) || NPM_KEYS.contains(&key))
        .then(|| format!("yarn config set {key} {value}"))
    })
}

/// `pip.conf`/`pip.ini`/`uv.toml`: `index-url`, `extra-index-url`,
/// `trusted-host` (in any section).
pub fn pip_conf(content: &str) -> Vec<Found> {
    let split = if content.contains('=') { '=' } else { ':' };
    settings(content, &[split], |key, value| {
        matches!(
            key,
            "index-url"
                | "extra-index-url"
                | "trusted-host"
                | "index_url"
                | "extra_index_url"
                | "proxy"
        )
        .then(|| format!("pip config set global.{} {value}", key.replace('_', "-")))
    })
}

/// `key SEP value` lines, the key ending at the first of `sep` (comments
/// and sections skipped), each made a command line by `command`.
fn settings(
    content: &str,
    sep: &[char],
    command: impl Fn(&str, &str) -> Option<String>,
) -> Vec<Found> {
    content
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with(['#', ';', '[']))
        .filter_map(|l| l.split_once(sep))
        .filter_map(|(k, v)| {
            let value = v.trim().trim_matches(['"', '\'']);
            command(k.trim(), &crate::shell::quote(value))
        })
        .map(|command| Found {
            name: None,
            command,
        })
        .take(MAX_COMMANDS)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmds(f: Vec<Found>) -> Vec<String> {
        f.into_iter().map(|f| f.command).collect()
    }

    #[test]
    fn registry_settings_as_commands() {
        assert_eq!(
            cmds(npmrc(
                "registry=http://npm.mirror.example/\nstrict-ssl=false\nsave-exact=true\n"
            )),
            [
                "npm config set registry http://npm.mirror.example/",
                "npm config set strict-ssl false"
            ]
        );
        assert_eq!(
            cmds(yarnrc(
                "npmRegistryServer: \"http://10.0.0.1:4873\"\nnodeLinker: node-modules\n"
            )),
            ["yarn config set npmRegistryServer http://10.0.0.1:4873"]
        );
        assert_eq!(
            cmds(pip_conf("[global]\nindex-url = http://pypi.mirror.example/simple\ntrusted-host = pypi.mirror.example\n")).len(),
            2
        );
        assert!(npmrc("save-exact=true\n").is_empty());
        assert_eq!(
            cmds(npmrc(
                "script-shell=/tmp/x.sh\nnode-options=--require ./hook.js\n"
            )),
            [
                "npm config set script-shell /tmp/x.sh",
                "npm config set node-options '--require ./hook.js'"
            ]
        );
        // Yarn 1's `.yarnrc`: a blank between key and value.
        assert_eq!(
            cmds(yarnrc(
                "registry \"https://npm.mirror.example/\"\nscript-shell /tmp/x\n"
            )),
            [
                "yarn config set registry https://npm.mirror.example/",
                "yarn config set script-shell /tmp/x"
            ]
        );
    }
}
