//! `[mcp]` in the gate's config: the upstream MCP servers the gate serves
//! over streamable HTTP at `/mcp/{name}` (see `server::mcp`) — stdio
//! commands it launches or streamable-HTTP URLs it connects to — and the
//! checks an entry must pass before the gate starts (an HTTP upstream's
//! headers are resolved then, from the environment where asked).

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::Deserialize;

/// `[mcp]`: the upstream MCP servers the gate serves at `/mcp/{name}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct McpSection {
    /// `[[mcp.server]]`
    #[serde(rename = "server")]
    pub servers: Vec<McpServerEntry>,
    /// Live MCP sessions at most (each runs a server process); past it a
    /// new `initialize` is refused with 503.
    pub max_sessions: usize,
    /// How long an `elicitation/create` waits for the human.
    pub elicitation_timeout_secs: u64,
    /// A session unused this long (no request in flight) is ended when a
    /// new one starts, so clients that never `DELETE` do not fill the gate.
    pub idle_timeout_secs: u64,
}

impl Default for McpSection {
    fn default() -> McpSection {
        McpSection {
            servers: Vec::new(),
            max_sessions: 64,
            elicitation_timeout_secs: 300,
            idle_timeout_secs: 3600,
        }
    }
}

/// One `[[mcp.server]]`: an upstream MCP server, either a stdio command
/// the gate launches per session or a streamable-HTTP URL it connects to
/// per session.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct McpServerEntry {
    /// Its path segment and its name in actions (`mcp__<name>__<tool>`).
    pub name: String,
    /// The command and its arguments (a stdio server; or `url`).
    #[serde(default)]
    pub command: Vec<String>,
    /// The server's streamable-HTTP endpoint, `http://` or `https://` (or `command`).
    #[serde(default)]
    pub url: Option<String>,
    /// With `url`: headers sent on every request to it.
    #[serde(default)]
    pub headers: HeaderValues,
    /// With `url`: headers whose values are read from environment
    /// variables at start-up (header name = variable name), for secrets
    /// such as an `Authorization` that must not sit in the config.
    #[serde(default)]
    pub headers_env: BTreeMap<String, String>,
    /// With `url`: how long one request to it may take, its event stream
    /// included, before the request fails closed [default: 300].
    #[serde(default)]
    pub timeout_secs: Option<u64>,
    /// The working directory of the server and of its actions.
    #[serde(default)]
    pub cwd: Option<PathBuf>,
    /// The workspace roots its sessions declare (absolute paths).
    #[serde(default)]
    pub roots: Vec<String>,
    /// The intent its sessions declare.
    #[serde(default)]
    pub intent: Option<String>,
    /// Pin its tool definitions (a changed one needs a human's approval).
    #[serde(default = "yes")]
    pub pin: bool,
    /// Let the client's user answer an ESCALATE through elicitation (off
    /// under four eyes: then only a gate reviewer can).
    #[serde(default = "yes")]
    pub elicit: bool,
    /// Leave out of `tools/list` the tools the policies deny outright (a
    /// call with empty arguments, judged in the session, would be DENY).
    #[serde(default)]
    pub hide_denied: bool,
}

/// Header values written in the config: never shown by `Debug`.
#[derive(Clone, Default, Deserialize)]
#[serde(transparent)]
pub struct HeaderValues(pub BTreeMap<String, String>);

impl std::fmt::Debug for HeaderValues {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

fn yes() -> bool {
    true
}

/// How long a request to an HTTP upstream may take by default.
const DEFAULT_TIMEOUT_SECS: u64 = 300;

/// How a checked server is reached.
#[derive(Debug, Clone)]
pub enum Upstream {
    /// A stdio server launched per session.
    Command {
        command: Vec<String>,
        cwd: Option<PathBuf>,
    },
    /// A streamable-HTTP server.
    Http(HttpUpstream),
}

/// A streamable-HTTP upstream: its URL and what every request carries.
#[derive(Debug, Clone)]
pub struct HttpUpstream {
    pub url: reqwest::Url,
    /// The configured headers, values marked sensitive (never logged).
    pub headers: HeaderMap,
    pub timeout: Duration,
}

/// A checked `[[mcp.server]]`.
#[derive(Debug, Clone)]
pub struct McpServer {
    pub entry: McpServerEntry,
    pub upstream: Upstream,
}

/// Why the `[mcp]` section cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum McpConfigError {
    #[error("mcp.server {0:?}: a name is letters, digits, '-' and '_'")]
    Name(String),
    #[error("mcp.server {0:?} is named twice")]
    Duplicate(String),
    #[error(
        "mcp.server {0:?}: give exactly one of `command` (a stdio server) or `url` (a streamable-HTTP server)"
    )]
    Upstream(String),
    #[error("mcp.server {0:?}: command is empty")]
    NoCommand(String),
    #[error("mcp.server {name:?}: url {url:?} is not an http:// or https:// URL{why}")]
    Url {
        name: String,
        url: String,
        why: String,
    },
    #[error("mcp.server {0:?}: `headers`, `headers_env` and `timeout_secs` are for a `url` server")]
    HttpOnly(String),
    #[error("mcp.server {name:?}: header {header:?}: {problem}")]
    Header {
        name: String,
        header: String,
        problem: String,
    },
    #[error("mcp.server {0:?}: roots must be absolute paths")]
    Roots(String),
    #[error("the HTTP client for MCP upstreams: {0}")]
    Http(String),
}

/// The servers by name, after checking their entries; `env` reads the
/// variables `headers_env` names.
pub(crate) fn checked(
    entries: Vec<McpServerEntry>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<HashMap<String, McpServer>, McpConfigError> {
    let mut servers = HashMap::new();
    for s in entries {
        let name_ok = !s.name.is_empty()
            && s.name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !name_ok {
            return Err(McpConfigError::Name(s.name));
        }
        if s.roots.iter().any(|r| !r.starts_with('/')) {
            return Err(McpConfigError::Roots(s.name));
        }
        if servers.contains_key(&s.name) {
            return Err(McpConfigError::Duplicate(s.name));
        }
        let upstream = upstream(&s, &env)?;
        servers.insert(s.name.clone(), McpServer { entry: s, upstream });
    }
    Ok(servers)
}

fn upstream(
    s: &McpServerEntry,
    env: &impl Fn(&str) -> Option<String>,
) -> Result<Upstream, McpConfigError> {
    let name = || s.name.clone();
    let Some(url) = &s.url else {
        if s.command.is_empty() {
            return Err(McpConfigError::Upstream(name()));
        }
        if s.command[0].is_empty() {
            return Err(McpConfigError::NoCommand(name()));
        }
        let http_only =
            !s.headers.0.is_empty() || !s.headers_env.is_empty() || s.timeout_secs.is_some();
        if http_only {
            return Err(McpConfigError::HttpOnly(name()));
        }
        return Ok(Upstream::Command {
            command: s.command.clone(),
            cwd: s.cwd.clone(),
        });
    };
    if !s.command.is_empty() {
        return Err(McpConfigError::Upstream(name()));
    }
    let bad_url = |why: String| McpConfigError::Url {
        name: name(),
        url: url.clone(),
        why,
    };
    let parsed = reqwest::Url::parse(url).map_err(|e| bad_url(format!(": {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(bad_url(String::new()));
    }
    let mut headers = HeaderMap::new();
    let literal = s.headers.0.iter().map(|(k, v)| (k, Ok(v.clone())));
    let from_env = s
        .headers_env
        .iter()
        .map(|(k, var)| (k, env(var).ok_or_else(|| format!("${var} is not set"))));
    for (header, value) in literal.chain(from_env) {
        let problem = |problem: String| McpConfigError::Header {
            name: name(),
            header: header.clone(),
            problem,
        };
        let key = HeaderName::from_bytes(header.as_bytes())
            .map_err(|_| problem("not a valid header name".into()))?;
        if headers.contains_key(&key) {
            return Err(problem("given twice".into()));
        }
        let value = value.map_err(problem)?;
        // The value is never shown, even in the error.
        let mut value = HeaderValue::from_str(value.trim())
            .map_err(|_| problem("the value is not a valid header value".into()))?;
        value.set_sensitive(true);
        headers.insert(key, value);
    }
    Ok(Upstream::Http(HttpUpstream {
        url: parsed,
        headers,
        timeout: Duration::from_secs(s.timeout_secs.unwrap_or(DEFAULT_TIMEOUT_SECS).max(1)),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(toml_text: &str) -> McpSection {
        toml::from_str(toml_text).unwrap()
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    /// The first server of `toml_text`, checked with `env`.
    fn check_one(
        toml_text: &str,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<McpServer, McpConfigError> {
        let s = section(toml_text);
        let name = s.servers[0].name.clone();
        checked(s.servers, env).map(|mut m| m.remove(&name).unwrap())
    }

    #[test]
    fn the_section_parses_with_defaults() {
        let s = section(
            "[[server]]\nname = \"fs\"\ncommand = [\"mcp-server-filesystem\", \"/w\"]\nroots = [\"/w\"]\n",
        );
        assert_eq!(s.max_sessions, 64);
        assert_eq!(s.idle_timeout_secs, 3600);
        let servers = checked(s.servers, no_env).unwrap();
        let fs = &servers["fs"].entry;
        assert!(fs.pin && fs.elicit && !fs.hide_denied);
        assert_eq!(fs.roots, ["/w"]);
        assert!(fs.cwd.is_none());
        assert!(matches!(
            &servers["fs"].upstream,
            Upstream::Command { command, .. } if command[0] == "mcp-server-filesystem"
        ));
        // Unknown keys are refused, not ignored.
        assert!(
            toml::from_str::<McpSection>(
                "[[server]]\nname = \"a\"\ncommand = [\"x\"]\nhide = true\n"
            )
            .is_err()
        );
    }

    #[test]
    fn a_server_is_a_command_or_a_url_never_both_nor_neither() {
        let err = |t: &str| check_one(t, no_env).unwrap_err().to_string();
        let both = err("[[server]]\nname = \"a\"\ncommand = [\"x\"]\nurl = \"http://h/mcp\"\n");
        assert!(both.contains("exactly one of `command`"), "{both}");
        let neither = err("[[server]]\nname = \"a\"\n");
        assert!(neither.contains("exactly one of `command`"), "{neither}");
        for url in ["ftp://h/mcp", "not a url", "http://"] {
            let e = err(&format!("[[server]]\nname = \"a\"\nurl = {url:?}\n"));
            assert!(e.contains("not an http:// or https:// URL"), "{url}: {e}");
        }
        let e = err("[[server]]\nname = \"a\"\ncommand = [\"x\"]\nheaders = { A = \"b\" }\n");
        assert!(e.contains("are for a `url` server"), "{e}");
        let e = err("[[server]]\nname = \"a\"\ncommand = [\"x\"]\ntimeout_secs = 5\n");
        assert!(e.contains("are for a `url` server"), "{e}");

        let ok = check_one(
            "[[server]]\nname = \"remote\"\nurl = \"https://mcp.example.com/mcp\"\nhide_denied = true\ntimeout_secs = 9\n",
            no_env,
        )
        .unwrap();
        assert!(ok.entry.hide_denied);
        let Upstream::Http(http) = ok.upstream else {
            panic!("a URL server is an HTTP upstream");
        };
        assert_eq!(http.url.as_str(), "https://mcp.example.com/mcp");
        assert_eq!(http.timeout, Duration::from_secs(9));
        assert!(http.headers.is_empty());
    }

    #[test]
    fn headers_come_from_the_config_or_the_environment_and_are_never_shown() {
        let secret = "Bearer upstream-secret-value";
        let toml_text = "[[server]]\nname = \"remote\"\nurl = \"http://127.0.0.1:9/mcp\"\n\
            headers = { \"X-Team\" = \"tools-team-value\" }\n\
            headers_env = { Authorization = \"UPSTREAM_TOKEN\" }\n";
        let env = |var: &str| (var == "UPSTREAM_TOKEN").then(|| secret.to_string());
        let server = check_one(toml_text, env).unwrap();
        let Upstream::Http(http) = &server.upstream else {
            panic!("an HTTP upstream");
        };
        assert_eq!(http.headers["authorization"], secret);
        assert_eq!(http.headers["x-team"], "tools-team-value");
        assert!(http.headers["authorization"].is_sensitive());
        let shown = format!("{server:?}");
        assert!(!shown.contains("upstream-secret-value"), "{shown}");
        assert!(!shown.contains("tools-team-value"), "{shown}");

        // A variable that is not set names itself, not a value.
        let e = check_one(toml_text, no_env).unwrap_err().to_string();
        assert!(
            e.contains("$UPSTREAM_TOKEN is not set") && e.contains("Authorization"),
            "{e}"
        );
        // A value that is not a header value is refused without showing it.
        let e = check_one(toml_text, |_| Some("line\nbreak".into()))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("not a valid header value") && !e.contains("break"),
            "{e}"
        );
        let e = check_one(
            "[[server]]\nname = \"r\"\nurl = \"http://h/\"\nheaders = { \"bad name\" = \"v\" }\n",
            no_env,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("not a valid header name"), "{e}");
    }

    #[test]
    fn bad_entries_are_refused_naming_the_server() {
        let entry = |name: &str, command: &[&str], roots: &[&str]| McpServerEntry {
            name: name.into(),
            command: command.iter().map(|c| c.to_string()).collect(),
            url: None,
            headers: HeaderValues::default(),
            headers_env: BTreeMap::new(),
            timeout_secs: None,
            cwd: None,
            roots: roots.iter().map(|c| c.to_string()).collect(),
            intent: None,
            pin: true,
            elicit: true,
            hide_denied: false,
        };
        let err = |entries| checked(entries, no_env).unwrap_err().to_string();
        assert!(err(vec![entry("a/b", &["x"], &[])]).contains("\"a/b\""));
        assert!(err(vec![entry("", &["x"], &[])]).contains("name"));
        assert!(err(vec![entry("a", &[], &[])]).contains("exactly one"));
        assert!(err(vec![entry("a", &[""], &[])]).contains("command is empty"));
        assert!(err(vec![entry("a", &["x"], &["rel"])]).contains("absolute"));
        assert!(err(vec![entry("a", &["x"], &[]), entry("a", &["y"], &[])]).contains("twice"));
        let ok = checked(
            vec![entry("git_1-x", &["x"], &["/r"]), entry("b", &["y"], &[])],
            no_env,
        )
        .unwrap();
        assert_eq!(ok.len(), 2);
    }
}
