//! exfiltration's settings: what they hold and default to, how they are
//! validated, and the glob sets built from them once (the network tools,
//! the paths a read may reach outside the declared roots).

use clawlaw_sdk::glob::{self, GlobSet};
use clawlaw_sdk::memo::Memo;
use clawlaw_sdk::path::TOOLCHAIN_READABLE;
use clawlaw_sdk::workspace;
use serde::Deserialize;
use std::rc::Rc;

/// The labels that make egress exfiltration, unless the settings say
/// otherwise.
pub const DEFAULT_SENSITIVE_LABELS: &[&str] = &["secret-read", "pii-read"];

/// Tools that egress whatever they are asked (fetching carries data in the
/// URL).
pub const DEFAULT_NETWORK_TOOLS: &[&str] = &[
    "WebFetch",
    "WebSearch",
    "mcp__fetch__*",
    "mcp__*fetch*__*",
    "mcp__http*__*",
    "mcp__puppeteer__*",
    "mcp__playwright__*",
    "mcp__browser*__*",
    "mcp__*webhook*__*",
];

/// MCP servers whose *sending* tools egress (`mcp__<server>__<verb>…`,
/// verbs in [`SEND_VERBS`]); their reading tools do not.
pub const SEND_SERVERS: &[&str] = &[
    "*slack*",
    "discord",
    "telegram",
    "teams",
    "whatsapp",
    "*mail*",
    "twilio",
    "sendgrid",
    "github",
    "gitlab",
    "bitbucket",
    "linear",
    "jira",
    "atlassian",
    "confluence",
    "notion",
    "gdrive",
    "google_drive",
    "dropbox",
    "box",
    "s3",
    "sentry",
    "twitter",
];

/// The tool-name prefixes that send, for [`SEND_SERVERS`].
pub const SEND_VERBS: &str = "{create,update,push,add,post,send,reply,forward,upload,comment,put,write,publish,share,edit,invite}";

/// What a sensitive composition gets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// The action must not run (the default).
    #[default]
    Deny,
    /// A human decides.
    Escalate,
}

/// exfiltration's settings (see the crate documentation).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub sensitive_labels: Vec<String>,
    pub secret_egress: Mode,
    pub secret_write_outside: Mode,
    pub trusted_hosts: Vec<String>,
    pub network_tools: Vec<String>,
    pub default_network_tools: bool,
    pub network_programs: Vec<String>,
    pub readable: Vec<String>,
    pub default_readable: bool,
    pub out_of_scope_threshold: u64,
    pub max_distinct_hosts: u64,
    pub burst_threshold: usize,
    pub max_upload_bytes: u64,
    pub max_session_upload_bytes: u64,
    pub label_egress: bool,
    pub home: Option<String>,
    /// `network_tool_set()`, built once (see `clawlaw_sdk::memo`).
    #[serde(skip)]
    tool_set: Memo<(), GlobSet>,
    /// `readable_set(home)`, built once per home.
    #[serde(skip)]
    readable_sets: Memo<Option<String>, GlobSet>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            sensitive_labels: DEFAULT_SENSITIVE_LABELS
                .iter()
                .map(|l| l.to_string())
                .collect(),
            secret_egress: Mode::Deny,
            secret_write_outside: Mode::Deny,
            trusted_hosts: Vec::new(),
            network_tools: Vec::new(),
            default_network_tools: true,
            network_programs: Vec::new(),
            readable: Vec::new(),
            default_readable: true,
            out_of_scope_threshold: 5,
            max_distinct_hosts: 10,
            burst_threshold: 8,
            max_upload_bytes: 1 << 20,
            max_session_upload_bytes: 16 << 20,
            label_egress: true,
            home: None,
            tool_set: Memo::default(),
            readable_sets: Memo::default(),
        }
    }
}

/// How many past actions the gate keeps in `recent`.
pub(crate) const RECENT: usize = 16;

impl Settings {
    /// [`Self::network_tool_set`], built once.
    pub(crate) fn tools(&self) -> Result<Rc<GlobSet>, String> {
        self.tool_set
            .get_or_try_build((), |_| self.network_tool_set())
    }

    /// [`Self::readable_set`] for `home`, built once per home.
    pub(crate) fn readable_for(&self, home: Option<String>) -> Result<Rc<GlobSet>, String> {
        self.readable_sets
            .get_or_try_build(home, |home| self.readable_set(home.as_deref()))
    }

    fn network_tool_set(&self) -> Result<GlobSet, String> {
        let mut all: Vec<String> = Vec::new();
        if self.default_network_tools {
            all.extend(DEFAULT_NETWORK_TOOLS.iter().map(|t| t.to_string()));
            all.extend(
                SEND_SERVERS
                    .iter()
                    .map(|s| format!("mcp__{s}__{SEND_VERBS}*")),
            );
        }
        all.extend(self.network_tools.iter().cloned());
        GlobSet::new(&all, None).map_err(|e| format!("network_tools: {e}"))
    }

    /// Paths a read may reach outside the declared roots without leaving
    /// the scope: [`TOOLCHAIN_READABLE`] unless `default_readable` is false,
    /// and `readable`.
    fn readable_set(&self, home: Option<&str>) -> Result<GlobSet, String> {
        let defaults = self.default_readable.then_some(TOOLCHAIN_READABLE);
        GlobSet::with_defaults(defaults, &self.readable, home).map_err(|e| format!("readable: {e}"))
    }

    /// Checks what serde cannot: label and host syntax, program basenames,
    /// that the glob sets build, and the bounds of the thresholds.
    pub(crate) fn validate(&self) -> Result<(), String> {
        workspace::validate_home(self.home.as_deref())?;
        for l in &self.sensitive_labels {
            if l.trim().is_empty() || l.contains(char::is_whitespace) {
                return Err(format!(
                    "sensitive_labels: {l:?} is not a label (empty or with spaces)"
                ));
            }
        }
        for h in &self.trusted_hosts {
            glob::validate(&h.to_ascii_lowercase()).map_err(|e| format!("trusted_hosts: {e}"))?;
            if h.contains('/') {
                return Err(format!(
                    "trusted_hosts: {h:?} is not a host (no scheme or path)"
                ));
            }
        }
        self.tools()?;
        self.readable_for(self.home.clone())?;
        for p in &self.network_programs {
            if p.is_empty() || p.contains(['/', ' ', '\t']) {
                return Err(format!("network_programs: {p:?} is not a program basename"));
            }
        }
        if self.out_of_scope_threshold == 0 {
            return Err("out_of_scope_threshold must be at least 1".into());
        }
        if self.max_distinct_hosts == 0 {
            return Err("max_distinct_hosts must be at least 1".into());
        }
        if self.burst_threshold > RECENT {
            return Err(format!(
                "burst_threshold {} is more than the {RECENT} recent actions the gate keeps (0 turns the rule off)",
                self.burst_threshold
            ));
        }
        if self.max_upload_bytes == 0 {
            return Err("max_upload_bytes must be at least 1".into());
        }
        if self.max_session_upload_bytes < self.max_upload_bytes {
            return Err(format!(
                "max_session_upload_bytes ({}) is less than max_upload_bytes ({})",
                self.max_session_upload_bytes, self.max_upload_bytes
            ));
        }
        Ok(())
    }
}
