//! `[notify]` in the gate's config: where review notifications go, how
//! they are shaped and how hard to try; checked when the config is read,
//! resolved (environment variables read, URLs parsed) when the gate starts.
//!
//! ```toml
//! [notify]
//! console_url = "https://gate.example.com/console"  # default http(s)://<listen>/console
//!
//! [[notify.webhook]]
//! url_env = "SLACK_WEBHOOK_URL"   # or url = "https://…" (a Slack URL is a secret: prefer url_env)
//! format = "slack"                # or "json" (the default)
//! name = "reviewers-slack"        # the metrics label; default the URL's host
//! secret_env = "HOOK_TOKEN"       # sent as `Authorization: Bearer <value>`
//! timeout_ms = 5000               # one attempt, connecting included
//! attempts = 4                    # tries before the notification counts as failed
//! backoff_ms = 500                # wait before the 2nd try; doubles, at most 10 s
//! ```

use std::time::Duration;

use reqwest::Url;
use reqwest::header::HeaderValue;
use serde::Deserialize;

/// `[notify]`: the webhooks told of every new review.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NotifySection {
    /// The console's base URL as reviewers reach it; links are
    /// `<console_url>/#/reviews/<id>`. Default `http(s)://<listen>/console`.
    pub console_url: Option<String>,
    /// `[[notify.webhook]]`.
    #[serde(rename = "webhook")]
    pub webhooks: Vec<WebhookEntry>,
}

/// The body a webhook is sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// A Slack incoming-webhook message (`text` and `blocks`).
    Slack,
    /// `{"event": "review.opened", "review": {…}, "link": "…"}`.
    #[default]
    Json,
}

/// `[[notify.webhook]]`: one receiver.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookEntry {
    /// The receiver's URL, http or https, or
    #[serde(default)]
    pub url: Option<String>,
    /// the environment variable holding it.
    #[serde(default)]
    pub url_env: Option<String>,
    #[serde(default)]
    pub format: Format,
    /// Its name in logs and metrics; default the URL's host.
    #[serde(default)]
    pub name: Option<String>,
    /// The environment variable whose value is sent as `Authorization: Bearer <value>`.
    #[serde(default)]
    pub secret_env: Option<String>,
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    #[serde(default = "default_attempts")]
    pub attempts: u32,
    #[serde(default = "default_backoff_ms")]
    pub backoff_ms: u64,
}

fn default_timeout_ms() -> u64 {
    5_000
}

fn default_attempts() -> u32 {
    4
}

fn default_backoff_ms() -> u64 {
    500
}

/// The longest wait between two attempts, whatever the doubling says.
pub const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// A checked webhook, ready to be posted to.
#[derive(Debug, Clone)]
pub struct Target {
    pub name: String,
    pub url: Url,
    pub format: Format,
    /// `Bearer <secret>`, marked sensitive (never printed).
    pub authorization: Option<HeaderValue>,
    pub timeout: Duration,
    pub attempts: u32,
    pub backoff: Duration,
}

/// Why the notifier cannot start: a field and what is wrong with it.
#[derive(Debug, thiserror::Error)]
#[error("{field}: {message}")]
pub struct NotifyConfigError {
    pub field: String,
    pub message: String,
}

impl NotifySection {
    /// Checks what can be checked without the environment; the error names
    /// the field (`notify.webhook[1].timeout_ms`).
    pub fn validate(&self) -> Result<(), (String, String)> {
        if let Some(console) = &self.console_url {
            check_console_url(console).map_err(|m| ("notify.console_url".to_string(), m))?;
        }
        for (i, w) in self.webhooks.iter().enumerate() {
            w.validate()
                .map_err(|(f, m)| (format!("notify.webhook[{i}]{f}"), m))?;
            if let Some(name) = &w.name
                && let Some(j) = self.webhooks[..i]
                    .iter()
                    .position(|o| o.name.as_ref() == Some(name))
            {
                return Err((
                    format!("notify.webhook[{i}].name"),
                    format!("{name:?} is already webhook[{j}]'s name"),
                ));
            }
        }
        Ok(())
    }

    /// The webhooks with their environment read and URLs parsed.
    pub fn targets(&self) -> Result<Vec<Target>, NotifyConfigError> {
        self.targets_from(|var| std::env::var(var).ok())
    }

    /// [`NotifySection::targets`], with the environment read through `env`.
    pub fn targets_from(
        &self,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Vec<Target>, NotifyConfigError> {
        self.validate()
            .map_err(|(field, message)| NotifyConfigError { field, message })?;
        let mut targets: Vec<Target> = Vec::new();
        for (i, w) in self.webhooks.iter().enumerate() {
            let mut target = w.resolve(&env).map_err(|(f, message)| NotifyConfigError {
                field: format!("notify.webhook[{i}]{f}"),
                message,
            })?;
            // Two unnamed hooks on one host (two Slack channels) keep
            // their own metrics.
            if w.name.is_none() && targets.iter().any(|t| t.name == target.name) {
                target.name = format!("{}#{i}", target.name);
            }
            targets.push(target);
        }
        Ok(targets)
    }

    /// The console's base URL, without a trailing slash: the configured one
    /// or `default` (derived from the listening address).
    pub fn console_base(&self, default: &str) -> String {
        self.console_url
            .as_deref()
            .unwrap_or(default)
            .trim_end_matches('/')
            .to_string()
    }
}

impl WebhookEntry {
    fn validate(&self) -> Result<(), (String, String)> {
        match (&self.url, &self.url_env) {
            (Some(url), None) => {
                parse_webhook_url(url).map_err(|m| (".url".into(), m))?;
            }
            (None, Some(var)) if !var.is_empty() => {}
            _ => {
                return Err((
                    String::new(),
                    "set exactly one of `url` and `url_env`".into(),
                ));
            }
        }
        if let Some(name) = &self.name
            && !valid_name(name)
        {
            return Err((
                ".name".into(),
                format!("expected 1 to 64 of A-Z a-z 0-9 . _ : -, got {name:?}"),
            ));
        }
        if self.secret_env.as_deref() == Some("") {
            return Err((".secret_env".into(), "names no variable".into()));
        }
        if !(100..=60_000).contains(&self.timeout_ms) {
            return Err((
                ".timeout_ms".into(),
                format!("expected 100 to 60000, got {}", self.timeout_ms),
            ));
        }
        if !(1..=10).contains(&self.attempts) {
            return Err((
                ".attempts".into(),
                format!("expected 1 to 10, got {}", self.attempts),
            ));
        }
        if self.backoff_ms > MAX_BACKOFF.as_millis() as u64 {
            return Err((
                ".backoff_ms".into(),
                format!(
                    "expected at most {}, got {}",
                    MAX_BACKOFF.as_millis(),
                    self.backoff_ms
                ),
            ));
        }
        Ok(())
    }

    fn resolve(&self, env: &impl Fn(&str) -> Option<String>) -> Result<Target, (String, String)> {
        self.validate()?;
        let url = match (&self.url, &self.url_env) {
            (Some(url), _) => parse_webhook_url(url).map_err(|m| (".url".to_string(), m))?,
            (None, Some(var)) => {
                let value = env(var)
                    .ok_or_else(|| (".url_env".to_string(), format!("{var} is not set")))?;
                // The message never repeats the value: it is a secret.
                parse_webhook_url(value.trim())
                    .map_err(|m| (".url_env".to_string(), format!("{var}: {m}")))?
            }
            (None, None) => unreachable!("validated"),
        };
        let authorization = match &self.secret_env {
            Some(var) => {
                let secret = env(var)
                    .ok_or_else(|| (".secret_env".to_string(), format!("{var} is not set")))?;
                let mut value = HeaderValue::from_str(&format!("Bearer {}", secret.trim()))
                    .map_err(|_| {
                        (
                            ".secret_env".to_string(),
                            format!("{var} holds characters a header cannot carry"),
                        )
                    })?;
                value.set_sensitive(true);
                Some(value)
            }
            None => None,
        };
        let name = match &self.name {
            Some(name) => name.clone(),
            None => match (url.host_str(), url.port()) {
                (Some(host), Some(port)) => format!("{host}:{port}"),
                (Some(host), None) => host.to_string(),
                (None, _) => "webhook".to_string(),
            },
        };
        Ok(Target {
            name,
            url,
            format: self.format,
            authorization,
            timeout: Duration::from_millis(self.timeout_ms),
            attempts: self.attempts,
            backoff: Duration::from_millis(self.backoff_ms),
        })
    }
}

/// A webhook's name: a metrics label value, so plain.
fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
}

/// An http(s) URL with a host. Errors never quote the URL: a Slack
/// webhook's URL is its secret.
fn parse_webhook_url(text: &str) -> Result<Url, String> {
    let url = Url::parse(text).map_err(|e| format!("not a URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("expected http or https, got {}", url.scheme()));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("the URL names no host".into());
    }
    Ok(url)
}

/// The console URL goes verbatim into Slack's `<url|label>` links: an
/// http(s) URL with none of the characters that would end one early.
fn check_console_url(text: &str) -> Result<(), String> {
    parse_webhook_url(text)?;
    if let Some(c) = text
        .chars()
        .find(|c| matches!(c, '<' | '>' | '|' | '"') || c.is_whitespace() || c.is_control())
    {
        return Err(format!("{c:?} may not appear in the console URL"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct File {
        notify: NotifySection,
    }

    fn parse(text: &str) -> Result<NotifySection, toml::de::Error> {
        toml::from_str::<File>(text).map(|f| f.notify)
    }

    fn section(text: &str) -> NotifySection {
        parse(text).unwrap()
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn a_webhook_gets_defaults_and_its_host_as_name() {
        let s = section(
            "[notify]\nconsole_url = \"https://gate.example.com/console/\"\n\
             [[notify.webhook]]\nurl = \"https://hooks.example.com:8443/in\"\nformat = \"slack\"\n",
        );
        assert_eq!(s.validate(), Ok(()));
        let t = &s.targets_from(no_env).unwrap()[0];
        assert_eq!(t.name, "hooks.example.com:8443");
        assert_eq!(t.format, Format::Slack);
        assert_eq!(t.timeout, Duration::from_secs(5));
        assert_eq!((t.attempts, t.backoff), (4, Duration::from_millis(500)));
        assert!(t.authorization.is_none());
        assert_eq!(
            s.console_base("http://127.0.0.1:7070/console"),
            "https://gate.example.com/console"
        );
        assert_eq!(
            NotifySection::default().console_base("http://[::1]:7070/console"),
            "http://[::1]:7070/console"
        );
    }

    #[test]
    fn bad_entries_name_their_field() {
        let err = |text: &str| section(text).validate().unwrap_err();
        assert_eq!(
            err("[[notify.webhook]]\nformat = \"json\"\n").0,
            "notify.webhook[0]"
        );
        let (field, message) = err("[[notify.webhook]]\nurl = \"ftp://x/\"\n");
        assert_eq!(field, "notify.webhook[0].url");
        assert!(message.contains("http or https"), "{message}");
        assert_eq!(
            err("[[notify.webhook]]\nurl = \"http://a/\"\n\
                 [[notify.webhook]]\nurl = \"http://b/\"\nattempts = 0\n")
            .0,
            "notify.webhook[1].attempts"
        );
        assert_eq!(
            err("[[notify.webhook]]\nurl = \"http://a/\"\ntimeout_ms = 5\n").0,
            "notify.webhook[0].timeout_ms"
        );
        assert_eq!(
            err("[notify]\nconsole_url = \"https://x/c|<!channel>\"\n").0,
            "notify.console_url"
        );
        assert_eq!(
            err("[[notify.webhook]]\nurl = \"http://a/\"\nname = \"a\\\"b\"\n").0,
            "notify.webhook[0].name"
        );
        let (field, message) = err("[[notify.webhook]]\nurl = \"http://a/\"\nname = \"ops\"\n\
             [[notify.webhook]]\nurl = \"http://b/\"\nname = \"ops\"\n");
        assert_eq!(field, "notify.webhook[1].name");
        assert!(message.contains("webhook[0]"), "{message}");
        let format = parse("[[notify.webhook]]\nurl = \"http://a/\"\nformat = \"xml\"\n")
            .unwrap_err()
            .to_string();
        assert!(format.contains("unknown variant `xml`"), "{format}");
        let unknown = parse("[[notify.webhook]]\nurl = \"http://a/\"\nretries = 3\n")
            .unwrap_err()
            .to_string();
        assert!(unknown.contains("unknown field `retries`"), "{unknown}");
    }

    #[test]
    fn unnamed_hooks_on_one_host_keep_apart() {
        let s = section(
            "[[notify.webhook]]\nurl = \"https://hooks.slack.com/a\"\n\
             [[notify.webhook]]\nurl = \"https://hooks.slack.com/b\"\n\
             [[notify.webhook]]\nurl = \"https://x.example/\"\nname = \"ops-json\"\n",
        );
        let names: Vec<String> = s
            .targets_from(no_env)
            .unwrap()
            .into_iter()
            .map(|t| t.name)
            .collect();
        assert_eq!(names, ["hooks.slack.com", "hooks.slack.com#1", "ops-json"]);
    }

    #[test]
    fn secrets_come_from_the_environment_and_are_never_shown() {
        let text = "[[notify.webhook]]\nurl_env = \"HOOK_URL\"\nsecret_env = \"HOOK_TOKEN\"\n";
        let missing = section(text).targets_from(no_env).unwrap_err();
        assert_eq!(missing.field, "notify.webhook[0].url_env");
        assert_eq!(missing.message, "HOOK_URL is not set");
        let env = |var: &str| match var {
            "HOOK_URL" => Some("https://hooks.slack.com/services/T0/B0/sekrit\n".to_string()),
            "HOOK_TOKEN" => Some("tok-123".to_string()),
            _ => None,
        };
        let t = &section(text).targets_from(env).unwrap()[0];
        assert_eq!(t.name, "hooks.slack.com");
        assert_eq!(t.url.path(), "/services/T0/B0/sekrit");
        let auth = t.authorization.as_ref().unwrap();
        assert!(auth.is_sensitive());
        assert_eq!(auth.to_str().unwrap(), "Bearer tok-123");
        assert!(!format!("{auth:?}").contains("tok-123"));
        let bad = section(text)
            .targets_from(|var| (var == "HOOK_URL").then(|| "hooks.slack.com/sekrit".to_string()))
            .unwrap_err();
        assert_eq!(bad.field, "notify.webhook[0].url_env");
        assert!(!bad.message.contains("sekrit"), "{bad}");
    }
}
