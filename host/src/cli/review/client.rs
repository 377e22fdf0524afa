//! Talking to a gate as a reviewer: the bearer token from the environment,
//! JSON requests over `ureq`, and every way a request can fail turned into
//! one [`ClientError`] with its own exit code.

use std::fmt;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::exit;

/// How long a connection attempt may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long an ordinary request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Why a request to the gate did not give what was asked for.
#[derive(Debug)]
pub enum ClientError {
    /// The token variable is unset or blank.
    NoToken { var: String },
    /// No connection, or it broke (refused, reset, timed out, DNS).
    Unreachable { url: String, detail: String },
    /// 401: the gate does not know the token.
    Unauthorized {
        url: String,
        var: String,
        message: String,
    },
    /// 403: the token's role may not do this.
    Forbidden { message: String },
    /// 404: no such review (or session).
    NotFound { message: String },
    /// 409: the review was decided already; the message says how and by whom.
    Conflict { message: String },
    /// The gate answered, but not with what the API promises.
    Malformed { what: String, detail: String },
    /// Any other error status (400, 5xx).
    Status { code: u16, message: String },
    /// An id prefix matches more than one review.
    Ambiguous {
        prefix: String,
        matches: Vec<String>,
    },
}

impl ClientError {
    /// The process exit code for this error (see the command's help).
    pub fn exit_code(&self) -> u8 {
        match self {
            ClientError::NoToken { .. } => exit::NO_TOKEN,
            ClientError::Unreachable { .. } => exit::UNREACHABLE,
            ClientError::Unauthorized { .. } => exit::UNAUTHORIZED,
            ClientError::Forbidden { .. } => exit::FORBIDDEN,
            ClientError::NotFound { .. } => exit::NOT_FOUND,
            ClientError::Conflict { .. } => exit::CONFLICT,
            ClientError::Malformed { .. } => exit::MALFORMED,
            ClientError::Status { .. } => crate::cli::EXIT_ERROR,
            ClientError::Ambiguous { .. } => crate::cli::EXIT_USAGE,
        }
    }
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::NoToken { var } => write!(
                f,
                "no token: set ${var} to a reviewer or admin token \
                 (or name another variable with --token-env)"
            ),
            ClientError::Unreachable { url, detail } => write!(
                f,
                "the gate at {url} is unreachable ({detail}); is `clawlaw serve` running? \
                 (--gate URL or $CLAWLAW_GATE)"
            ),
            ClientError::Unauthorized { url, var, message } => write!(
                f,
                "the gate at {url} does not accept the token in ${var}: {message}"
            ),
            ClientError::Forbidden { message } => f.write_str(message),
            ClientError::NotFound { message } | ClientError::Conflict { message } => {
                f.write_str(message)
            }
            ClientError::Malformed { what, detail } => {
                write!(
                    f,
                    "the gate answered {what} with something unexpected: {detail}"
                )
            }
            ClientError::Status { code, message } => {
                write!(f, "the gate answered {code}: {message}")
            }
            ClientError::Ambiguous { prefix, matches } => {
                write!(
                    f,
                    "{prefix:?} is ambiguous: {} reviews start with it ({}); give more of the id",
                    matches.len(),
                    matches.join(", ")
                )
            }
        }
    }
}

/// A gate, and the token to call it with.
pub struct Gate {
    base: String,
    token: String,
    token_var: String,
    agent: ureq::Agent,
}

impl Gate {
    /// The gate at `url`, with the token held by the environment variable
    /// `token_var`.
    pub fn connect(url: &str, token_var: &str) -> Result<Gate, ClientError> {
        let token = match std::env::var(token_var) {
            Ok(t) if !t.trim().is_empty() => t.trim().to_string(),
            _ => {
                return Err(ClientError::NoToken {
                    var: token_var.to_string(),
                });
            }
        };
        Ok(Gate {
            base: url.trim_end_matches('/').to_string(),
            token,
            token_var: token_var.to_string(),
            agent: ureq::AgentBuilder::new()
                .timeout_connect(CONNECT_TIMEOUT)
                .build(),
        })
    }

    pub fn url(&self) -> &str {
        &self.base
    }

    /// GETs `path` and decodes its JSON into `T`; also returns the JSON as
    /// the gate sent it (for `--json`).
    pub fn get<T: DeserializeOwned>(&self, path: &str) -> Result<(T, Value), ClientError> {
        let request = self.request("GET", path).timeout(REQUEST_TIMEOUT);
        let value = self.json(path, request.call())?;
        decode(path, value)
    }

    /// POSTs `body` to `path` and decodes the JSON answer.
    pub fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &Value,
    ) -> Result<(T, Value), ClientError> {
        let request = self
            .request("POST", path)
            .timeout(REQUEST_TIMEOUT)
            .set("Content-Type", "application/json");
        let value = self.json(path, request.send_string(&body.to_string()))?;
        decode(path, value)
    }

    /// Opens a long-lived GET (a Server-Sent Events stream): no overall
    /// timeout, but a read that waits longer than `idle` fails, so a gate
    /// that vanished without closing the connection is noticed.
    pub fn stream(
        &self,
        path: &str,
        idle: Duration,
    ) -> Result<Box<dyn std::io::Read + Send>, ClientError> {
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(CONNECT_TIMEOUT)
            .timeout_read(idle)
            .build();
        let request = agent
            .get(&format!("{}{path}", self.base))
            .set("Authorization", &format!("Bearer {}", self.token))
            .set("Accept", "text/event-stream");
        match request.call() {
            Ok(response) => Ok(Box::new(response.into_reader())),
            Err(e) => Err(self.error(e)),
        }
    }

    fn request(&self, method: &str, path: &str) -> ureq::Request {
        self.agent
            .request(method, &format!("{}{path}", self.base))
            .set("Authorization", &format!("Bearer {}", self.token))
    }

    fn json(
        &self,
        path: &str,
        response: Result<ureq::Response, ureq::Error>,
    ) -> Result<Value, ClientError> {
        let response = response.map_err(|e| self.error(e))?;
        response
            .into_json::<Value>()
            .map_err(|e| ClientError::Malformed {
                what: path.to_string(),
                detail: format!("not JSON: {e}"),
            })
    }

    /// Classifies a failed request.
    fn error(&self, e: ureq::Error) -> ClientError {
        let response = match e {
            ureq::Error::Transport(t) => {
                // "URL: Connection Failed: …": the URL is said already.
                let text = t.to_string();
                let detail = match text.split_once(": ") {
                    Some((url, rest)) if url.starts_with("http") => rest.to_string(),
                    _ => text,
                };
                return ClientError::Unreachable {
                    url: self.base.clone(),
                    detail,
                };
            }
            ureq::Error::Status(_, response) => response,
        };
        let code = response.status();
        let message = response
            .into_json::<Value>()
            .ok()
            .and_then(|v| v.get("error").and_then(Value::as_str).map(str::to_string))
            .unwrap_or_else(|| "no error message".to_string());
        match code {
            401 => ClientError::Unauthorized {
                url: self.base.clone(),
                var: self.token_var.clone(),
                message,
            },
            403 => ClientError::Forbidden {
                message: forbidden(&message),
            },
            404 => ClientError::NotFound { message },
            409 => ClientError::Conflict { message },
            code => ClientError::Status { code, message },
        }
    }
}

/// The gate says "the agent role may not do this"; say what it means here.
fn forbidden(message: &str) -> String {
    match message
        .strip_prefix("the ")
        .and_then(|m| m.strip_suffix(" role may not do this"))
    {
        Some(role) => format!("the {role} role may not review; use a reviewer or admin token"),
        None => format!("{message} (reviewing needs a reviewer or admin token)"),
    }
}

fn decode<T: DeserializeOwned>(path: &str, value: Value) -> Result<(T, Value), ClientError> {
    match T::deserialize(&value) {
        Ok(t) => Ok((t, value)),
        Err(e) => Err(ClientError::Malformed {
            what: path.to_string(),
            detail: e.to_string(),
        }),
    }
}
