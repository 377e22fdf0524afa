//! Review notifications: every review opened is POSTed to the configured
//! webhooks ([`config`]), as a Slack message or a generic JSON document
//! ([`body`]) linking to the review in the console, retried with backoff
//! and counted ([`deliver`]).
//!
//! Nothing here can delay or change a decision. The gate publishes review
//! events on a broadcast channel it never waits on
//! ([`crate::review::Reviews::subscribe`]); one dispatcher task reads them,
//! renders each message once per format and hands it to each webhook's
//! bounded queue without waiting (a full queue drops the message and counts
//! it). Each webhook has its own worker, so a dead receiver only backs up
//! its own queue, with a bounded number of deliveries in flight. Should the
//! dispatcher itself fall behind the channel, the events it missed are
//! logged and counted too.
//!
//! Metrics: `clawlaw_notifications_total{webhook, result="sent|failed|dropped"}`
//! and `clawlaw_notification_events_missed_total`.

pub mod body;
pub mod config;
pub mod deliver;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::broadcast::error::RecvError;
use tokio::sync::mpsc::error::TrySendError;
use tokio::sync::{Semaphore, broadcast, mpsc};

pub use body::SessionContext;
pub use config::{Format, NotifyConfigError, NotifySection, Target, WebhookEntry};

use crate::gate::Gate;
use crate::review::{Review, ReviewEvent, ReviewEventKind};

/// Messages waiting for one webhook before new ones are dropped.
const QUEUE: usize = 256;
/// Deliveries one webhook may have in flight (each retrying on its own).
const IN_FLIGHT: usize = 8;
/// How long the dispatcher waits for a session's intent before sending without it.
const SESSION_LOOKUP: Duration = Duration::from_secs(1);

#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error(transparent)]
    Config(#[from] NotifyConfigError),
    #[error("starting the webhook client: {0}")]
    Client(#[source] reqwest::Error),
}

/// The review notifier, configured and not yet running.
pub struct Notifier {
    console: String,
    targets: Vec<Arc<Target>>,
    client: reqwest::Client,
}

/// One rendered message, shared by the webhooks of its format.
struct Message {
    review_id: String,
    body: Vec<u8>,
}

/// The console's address when `[notify] console_url` is not set: the
/// gate's own, as it listens.
pub fn default_console_url(tls: bool, addr: SocketAddr) -> String {
    let scheme = if tls { "https" } else { "http" };
    format!("{scheme}://{addr}/console")
}

impl Notifier {
    /// A notifier for `section`'s webhooks (their environment read now), or
    /// `None` when there is none. `default_console` is the console's URL
    /// when the section does not set one.
    pub fn new(
        section: &NotifySection,
        default_console: &str,
    ) -> Result<Option<Notifier>, NotifyError> {
        let targets = section.targets()?;
        if targets.is_empty() {
            return Ok(None);
        }
        Ok(Some(Notifier {
            console: section.console_base(default_console),
            targets: targets.into_iter().map(Arc::new).collect(),
            client: deliver::client().map_err(NotifyError::Client)?,
        }))
    }

    /// The console base URL the links point into.
    pub fn console(&self) -> &str {
        &self.console
    }

    /// The webhooks' names, as logs and metrics show them.
    pub fn webhooks(&self) -> impl Iterator<Item = &str> {
        self.targets.iter().map(|t| t.name.as_str())
    }

    /// Starts notifying of the reviews `gate` opens from now on (reviews
    /// read back from the evidence with their sessions are not re-sent).
    /// The handle is the dispatcher's; aborting it stops new notifications.
    pub fn spawn(self, gate: Arc<Gate>) -> tokio::task::JoinHandle<()> {
        // Subscribed before returning: no review opened after this is missed.
        let events = gate.reviews().subscribe();
        let queues = self
            .targets
            .iter()
            .map(|target| {
                let (tx, rx) = mpsc::channel(QUEUE);
                tokio::spawn(work(self.client.clone(), target.clone(), rx, gate.clone()));
                (target.clone(), tx)
            })
            .collect();
        tokio::spawn(dispatch(gate, events, queues, self.console))
    }
}

/// Reads the review events and queues a message per webhook for each review opened.
async fn dispatch(
    gate: Arc<Gate>,
    mut events: broadcast::Receiver<ReviewEvent>,
    queues: Vec<(Arc<Target>, mpsc::Sender<Arc<Message>>)>,
    console: String,
) {
    loop {
        let review = match events.recv().await {
            // A review read back with its session was notified when it
            // was opened (by this gate before, or by another replica).
            Ok(ReviewEvent {
                kind: ReviewEventKind::Opened,
                review,
                read_back: false,
            }) => review,
            Ok(_) => continue,
            Err(RecvError::Lagged(missed)) => {
                tracing::warn!(
                    missed,
                    "the notifier fell behind the review events; reviews opened meanwhile were not notified"
                );
                gate.metrics().notification_events_missed.inc_by(missed);
                continue;
            }
            Err(RecvError::Closed) => return,
        };
        let session = session_context(&gate, &review.session_id).await;
        let link = body::review_link(&console, &review.id);
        let (mut slack, mut json) = (None, None);
        for (target, queue) in &queues {
            let message = match target.format {
                Format::Slack => slack.get_or_insert_with(|| {
                    render(&review, body::slack_body(&review, &session, &link))
                }),
                Format::Json => json.get_or_insert_with(|| {
                    render(&review, body::json_body(&review, &session, &link))
                }),
            };
            match queue.try_send(message.clone()) {
                Ok(()) => {}
                Err(TrySendError::Full(_) | TrySendError::Closed(_)) => {
                    tracing::warn!(webhook = %target.name, review = %review.id, "webhook queue full; notification dropped");
                    gate.metrics().count_notification(&target.name, "dropped");
                }
            }
        }
    }
}

fn render(review: &Review, body: serde_json::Value) -> Arc<Message> {
    Arc::new(Message {
        review_id: review.id.clone(),
        body: body.to_string().into_bytes(),
    })
}

/// The session's intent and principal, if the session answers promptly.
async fn session_context(gate: &Gate, session_id: &str) -> SessionContext {
    match tokio::time::timeout(SESSION_LOOKUP, gate.session_summary(session_id)).await {
        Ok(Some(summary)) => SessionContext::from_summary(&summary),
        _ => SessionContext::default(),
    }
}

/// Delivers one webhook's queue, at most [`IN_FLIGHT`] at a time.
async fn work(
    client: reqwest::Client,
    target: Arc<Target>,
    mut queue: mpsc::Receiver<Arc<Message>>,
    gate: Arc<Gate>,
) {
    let slots = Arc::new(Semaphore::new(IN_FLIGHT));
    while let Some(message) = queue.recv().await {
        let Ok(slot) = slots.clone().acquire_owned().await else {
            return;
        };
        let (client, target, gate) = (client.clone(), target.clone(), gate.clone());
        tokio::spawn(async move {
            let outcome = deliver::deliver(&client, &target, &message.body).await;
            gate.metrics()
                .count_notification(&target.name, outcome.result());
            match &outcome {
                deliver::Outcome::Sent { attempts } => {
                    tracing::debug!(webhook = %target.name, review = %message.review_id, attempts, "review notification sent");
                }
                deliver::Outcome::Failed { attempts, reason } => {
                    tracing::warn!(webhook = %target.name, review = %message.review_id, attempts, %reason, "review notification failed; giving up");
                }
            }
            drop(slot);
        });
    }
}
