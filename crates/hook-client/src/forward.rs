//! Forwarding a hook event to the gate's `POST /v1/hooks/{agent}`, which
//! keeps the sessions, prompt hashes, outcomes, reviews and evidence, and
//! answers in the agent's format.

use std::time::{Duration, Instant};

use clawlaw_hooks::{Agent, HookInput, Reply, fail};

/// A hook call's deadline when `--timeout-ms` is not given.
pub const DEFAULT_TIMEOUT_MS: u64 = 5000;

/// The options every hook call takes, whichever binary runs it.
#[derive(Debug, Clone, clap::Args)]
pub struct CallArgs {
    /// The environment variable holding the gate's agent token.
    #[arg(long, value_name = "VAR", default_value = "CLAWLAW_TOKEN")]
    pub token_env: String,

    /// Answer within this many milliseconds whatever happens (a deny when
    /// nothing else answered in time). Keep it under the agent's own hook
    /// timeout (Claude Code: 60 s).
    #[arg(long, value_name = "MS", default_value_t = DEFAULT_TIMEOUT_MS)]
    pub timeout_ms: u64,

    /// On ESCALATE, wait for a reviewer through the gate instead of asking
    /// at the agent's prompt (the deadline grows by --review-timeout-ms).
    #[arg(long, requires = "gate")]
    pub wait_review: bool,

    /// How long --wait-review waits (the gate caps it at its max_wait).
    #[arg(long, value_name = "MS", default_value_t = 50_000)]
    pub review_timeout_ms: u64,
}

impl CallArgs {
    /// The whole call's deadline: `--timeout-ms`, plus the review's wait
    /// with `--wait-review`.
    pub fn budget(&self) -> Duration {
        let review = if self.wait_review {
            self.review_timeout_ms
        } else {
            0
        };
        Duration::from_millis(self.timeout_ms + review)
    }
}

/// Sends the agent's input as it came to the gate at `url` and returns the
/// gate's answer, or a deny naming why there is none: no token, the gate
/// unreachable, an HTTP error, an answer that is not a JSON object.
pub fn forward(
    agent: Agent,
    args: &CallArgs,
    url: &str,
    bytes: &[u8],
    input: &HookInput,
    deadline: Instant,
) -> Reply {
    let fail = |why: String| fail(agent, &input.kind, &why);
    let token = match std::env::var(&args.token_env) {
        Ok(t) if !t.trim().is_empty() => t,
        _ => return fail(format!("no agent token in ${}", args.token_env)),
    };
    let mut endpoint = format!("{}/v1/hooks/{}", url.trim_end_matches('/'), agent.name());
    if args.wait_review {
        endpoint.push_str(&format!("?wait_ms={}", args.review_timeout_ms));
    }
    // Leave the watchdog a little room to answer if the gate is slow.
    let remaining = deadline
        .saturating_duration_since(Instant::now())
        .saturating_sub(Duration::from_millis(50));
    let client = ureq::AgentBuilder::new().timeout(remaining).build();
    let response = client
        .post(&endpoint)
        .set("Authorization", &format!("Bearer {}", token.trim()))
        .set("Content-Type", "application/json")
        .send_bytes(bytes);
    match response {
        Ok(r) => match r.into_json::<serde_json::Value>() {
            Ok(v @ serde_json::Value::Object(_)) => Reply::json(v),
            Ok(_) => fail(format!(
                "the gate at {url} answered something other than a JSON object"
            )),
            Err(e) => fail(format!("the gate at {url} answered unreadable JSON: {e}")),
        },
        Err(ureq::Error::Status(code, r)) => {
            let message = r
                .into_json::<serde_json::Value>()
                .ok()
                .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_string))
                .unwrap_or_default();
            fail(format!("the gate at {url} answered {code}: {message}"))
        }
        Err(ureq::Error::Transport(t)) => fail(format!("the gate at {url} is unreachable: {t}")),
    }
}
