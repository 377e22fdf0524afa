//! The HTTP load client, built to take as little as it can of the cores it
//! shares with the gate: every connection is driven by one thread (a tokio
//! current-thread runtime and hyper's HTTP/1 client, keep-alive), each
//! request body is serialised before the clock starts, and a response is
//! read only for its status and verdict, not parsed into a JSON tree.
//!
//! A client is one session: it opens it, then sends its actions one after
//! the other, each to the next gate in turn when there are several (so
//! replicas decide a session's actions in turn).

use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HOST, HeaderValue};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpStream;

use super::gate::Gate;
use super::{TOKEN, bench_action, micros};

/// Latencies (µs) of every action `clients` sessions sent at once,
/// `per_client` each after `warmup` untimed ones, and the wall time from
/// the first timed send to the last answer.
pub fn run(
    gates: &[&Gate],
    clients: usize,
    warmup: usize,
    per_client: usize,
) -> anyhow::Result<(Vec<f64>, Duration)> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the load client's runtime")?;
    let urls: Vec<&str> = gates.iter().map(|g| g.url.as_str()).collect();
    rt.block_on(async {
        // Connect, open the sessions and warm up before the clock starts.
        let mut ready = Vec::with_capacity(clients);
        for c in 0..clients {
            ready.push(tokio::spawn(Client::open(
                urls_owned(&urls),
                c,
                warmup,
                per_client,
            )));
        }
        let mut sessions = Vec::with_capacity(clients);
        for r in ready {
            sessions.push(r.await.map_err(|e| anyhow!("a client failed: {e}"))??);
        }
        let started = Instant::now();
        let running: Vec<_> = sessions
            .into_iter()
            .map(|s| tokio::spawn(s.send_all()))
            .collect();
        let mut all = Vec::with_capacity(clients * per_client);
        for r in running {
            all.extend(r.await.map_err(|e| anyhow!("a client failed: {e}"))??);
        }
        Ok((all, started.elapsed()))
    })
}

fn urls_owned(urls: &[&str]) -> Vec<String> {
    urls.iter().map(|u| u.to_string()).collect()
}

/// One keep-alive connection to a gate.
struct Conn {
    send: SendRequest<Full<Bytes>>,
    host: HeaderValue,
    auth: HeaderValue,
}

impl Conn {
    async fn open(url: &str) -> anyhow::Result<Conn> {
        let authority = url
            .strip_prefix("http://")
            .ok_or_else(|| anyhow!("not an http:// URL: {url}"))?
            .trim_end_matches('/');
        let stream = TcpStream::connect(authority)
            .await
            .with_context(|| format!("connecting to {authority}"))?;
        stream.set_nodelay(true)?;
        let (send, conn) = http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        Ok(Conn {
            send,
            host: HeaderValue::from_str(authority)?,
            auth: HeaderValue::from_str(&format!("Bearer {TOKEN}"))?,
        })
    }

    /// POSTs `body` to `path`; the response body of a success.
    async fn post(&mut self, path: &str, body: Bytes) -> anyhow::Result<Bytes> {
        self.send.ready().await?;
        let req = Request::post(path)
            .header(HOST, self.host.clone())
            .header(AUTHORIZATION, self.auth.clone())
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .body(Full::new(body))?;
        let resp = self.send.send_request(req).await?;
        let status = resp.status();
        let body = resp.into_body().collect().await?.to_bytes();
        if !status.is_success() {
            bail!(
                "{path}: the gate answered {status}: {}",
                String::from_utf8_lossy(&body)
            );
        }
        Ok(body)
    }
}

/// One session's connections and the requests it will send.
struct Client {
    conns: Vec<Conn>,
    /// Which connection the first timed request goes to.
    first: usize,
    path: String,
    bodies: Vec<Bytes>,
}

impl Client {
    /// Client `c`: connected to every gate, its session opened on one of
    /// them, `warmup` actions sent, `per_client` bodies serialised.
    async fn open(
        urls: Vec<String>,
        c: usize,
        warmup: usize,
        per_client: usize,
    ) -> anyhow::Result<Client> {
        let mut conns = Vec::with_capacity(urls.len());
        for u in &urls {
            conns.push(Conn::open(u).await?);
        }
        let n = conns.len();
        let opened = conns[c % n]
            .post(
                "/v1/sessions",
                Bytes::from(
                    json!({"intent": "benchmark", "scope": {"roots": ["/work/app"]}}).to_string(),
                ),
            )
            .await?;
        let opened: Value = serde_json::from_slice(&opened)?;
        let session = opened["session_id"]
            .as_str()
            .ok_or_else(|| anyhow!("no session_id in {opened}"))?;
        let path = format!("/v1/sessions/{session}/actions");
        let body = |i: usize| Bytes::from(json!({ "action": bench_action(i) }).to_string());
        for i in 0..warmup {
            verdict(&conns[(c + i) % n].post(&path, body(i)).await?)?;
        }
        Ok(Client {
            conns,
            first: c + warmup,
            path,
            bodies: (0..per_client).map(body).collect(),
        })
    }

    /// Sends every body in turn; each one's latency, µs.
    async fn send_all(mut self) -> anyhow::Result<Vec<f64>> {
        let n = self.conns.len();
        let mut samples = Vec::with_capacity(self.bodies.len());
        for (i, body) in std::mem::take(&mut self.bodies).into_iter().enumerate() {
            let t = Instant::now();
            let answer = self.conns[(self.first + i) % n]
                .post(&self.path, body)
                .await?;
            samples.push(micros(t.elapsed()));
            verdict(&answer)?;
        }
        Ok(samples)
    }
}

/// Checks that an answer carries a verdict, without parsing it whole.
fn verdict(answer: &[u8]) -> anyhow::Result<()> {
    const KEY: &[u8] = b"\"evaluation\":\"";
    if answer.windows(KEY.len()).any(|w| w == KEY) {
        Ok(())
    } else {
        bail!("no evaluation in {}", String::from_utf8_lossy(answer))
    }
}

#[cfg(test)]
mod tests {
    use super::verdict;

    #[test]
    fn an_answer_needs_a_verdict() {
        assert!(verdict(br#"{"evaluation":"ALLOW","risk":0}"#).is_ok());
        assert!(verdict(br#"{"error":"bad"}"#).is_err());
    }
}
