//! Getting one notification to one webhook: a POST with a timeout, retried
//! with exponential backoff, then given up on and counted.
//!
//! A transport error (refused, reset, timed out) and the answers that say
//! "later" (408, 429, any 5xx) are retried; any other 4xx is final — the
//! same request would be refused again (Slack answers 400/403/404/410 for a
//! bad payload, a revoked or unknown hook, an archived channel). Redirects
//! are not followed: the bearer secret goes to the configured URL only.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};

use super::config::{MAX_BACKOFF, Target};

/// One notification's fate at one webhook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A 2xx answer, after `attempts` tries.
    Sent { attempts: u32 },
    /// Every try failed, or one was refused for good; the last reason.
    Failed { attempts: u32, reason: String },
}

impl Outcome {
    /// The metrics label.
    pub fn result(&self) -> &'static str {
        match self {
            Outcome::Sent { .. } => "sent",
            Outcome::Failed { .. } => "failed",
        }
    }
}

/// What one try came to.
enum Try {
    Done,
    /// Worth another try, not before `at_least` (a 429's `Retry-After`).
    Retry {
        reason: String,
        at_least: Option<Duration>,
    },
    Final(String),
}

/// The HTTP client every webhook shares (connections are pooled per host).
pub fn client() -> reqwest::Result<reqwest::Client> {
    // When the tree's TLS backend is rustls it needs a process-wide crypto
    // provider; the gate uses ring everywhere (a second install is a no-op).
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("clawlaw-gate/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// The wait before try `n + 1` (n ≥ 1): `backoff · 2^(n-1)`, at most
/// [`MAX_BACKOFF`].
pub fn backoff_after(backoff: Duration, n: u32) -> Duration {
    let factor = 1u32.checked_shl(n.saturating_sub(1)).unwrap_or(u32::MAX);
    backoff.saturating_mul(factor).min(MAX_BACKOFF)
}

/// Posts `body` (JSON) to `target` until it is taken, refused for good, or
/// the target's attempts are spent.
pub async fn deliver(client: &reqwest::Client, target: &Target, body: &[u8]) -> Outcome {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let reason = match try_once(client, target, body).await {
            Try::Done => return Outcome::Sent { attempts: attempt },
            Try::Final(reason) => {
                return Outcome::Failed {
                    attempts: attempt,
                    reason,
                };
            }
            Try::Retry { reason, at_least } if attempt < target.attempts => {
                let wait = backoff_after(target.backoff, attempt)
                    .max(at_least.unwrap_or_default().min(MAX_BACKOFF));
                tracing::debug!(webhook = %target.name, attempt, %reason, ?wait, "notification not taken; retrying");
                tokio::time::sleep(wait).await;
                continue;
            }
            Try::Retry { reason, .. } => reason,
        };
        return Outcome::Failed {
            attempts: attempt,
            reason,
        };
    }
}

async fn try_once(client: &reqwest::Client, target: &Target, body: &[u8]) -> Try {
    let mut request = client
        .post(target.url.clone())
        .timeout(target.timeout)
        .header(CONTENT_TYPE, "application/json")
        .body(body.to_vec());
    if let Some(auth) = &target.authorization {
        request = request.header(AUTHORIZATION, auth.clone());
    }
    match request.send().await {
        Ok(response) => {
            let status = response.status();
            if status.is_success() {
                return Try::Done;
            }
            let reason = format!("answered {status}");
            if retryable(status) {
                let at_least = response
                    .headers()
                    .get(RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(Duration::from_secs);
                Try::Retry { reason, at_least }
            } else {
                Try::Final(reason)
            }
        }
        // The error's text names the URL, a secret for Slack: say what kind
        // of failure it was, not where.
        Err(e) => Try::Retry {
            reason: transport_failure(&e).to_string(),
            at_least: None,
        },
    }
}

fn retryable(status: StatusCode) -> bool {
    status.is_server_error()
        || status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::TOO_MANY_REQUESTS
}

fn transport_failure(e: &reqwest::Error) -> &'static str {
    if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_request() || e.is_body() {
        "the request failed"
    } else {
        "transport error"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let base = Duration::from_millis(500);
        let waits: Vec<_> = (1..=7).map(|n| backoff_after(base, n)).collect();
        assert_eq!(
            waits,
            [500, 1000, 2000, 4000, 8000, 10_000, 10_000].map(Duration::from_millis)
        );
        assert_eq!(backoff_after(base, 40), MAX_BACKOFF);
        assert_eq!(backoff_after(Duration::ZERO, 3), Duration::ZERO);
    }

    #[test]
    fn only_answers_that_mean_later_are_retried() {
        for code in [500, 502, 503, 408, 429] {
            assert!(retryable(StatusCode::from_u16(code).unwrap()), "{code}");
        }
        for code in [400, 401, 403, 404, 410, 413] {
            assert!(!retryable(StatusCode::from_u16(code).unwrap()), "{code}");
        }
    }
}
