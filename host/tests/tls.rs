//! The gate over HTTPS: `[server.tls]` with a certificate and key, checked
//! by an independent client (curl) that trusts only that certificate.

use crate::common;

use std::process::Command;

use common::server::{AGENT, Server, config};

fn curl(args: &[&str]) -> (bool, String) {
    let out = Command::new("curl")
        .args(["-sS", "--max-time", "10"])
        .args(args)
        .output()
        .expect("curl is installed");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

#[test]
fn the_gate_serves_https_with_the_configured_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let cert =
        rcgen::generate_simple_self_signed(vec!["localhost".to_string(), "127.0.0.1".to_string()])
            .unwrap();
    let cert_path = dir.path().join("gate.crt");
    let key_path = dir.path().join("gate.key");
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.signing_key.serialize_pem()).unwrap();
    let config = config(
        dir.path(),
        "[server.tls]\ncert = \"gate.crt\"\nkey = \"gate.key\"\n",
    );
    let server = Server::start(&config);
    assert!(
        server.url.starts_with("https://127.0.0.1:"),
        "{}",
        server.url
    );
    let cacert = cert_path.to_str().unwrap();

    let (ok, body) = curl(&["--cacert", cacert, &format!("{}/healthz", server.url)]);
    assert!(ok, "{body}");
    assert!(body.contains("\"status\":\"ok\""), "{body}");

    let auth = format!("authorization: Bearer {AGENT}");
    let (ok, body) = curl(&[
        "--cacert",
        cacert,
        "-X",
        "POST",
        "-H",
        &auth,
        "-H",
        "content-type: application/json",
        "-d",
        "{}",
        &format!("{}/v1/sessions", server.url),
    ]);
    assert!(ok && body.contains("session_id"), "{body}");

    // Plain HTTP to the TLS port is not served, and an untrusted client refuses the certificate.
    let plain = server.url.replacen("https://", "http://", 1);
    let (_, body) = curl(&[&format!("{plain}/healthz")]);
    assert!(!body.contains("\"status\":\"ok\""), "{body}");
    let (ok, _) = curl(&[&format!("{}/healthz", server.url)]);
    assert!(
        !ok,
        "a client that does not trust the certificate must refuse it"
    );
}

#[test]
fn a_missing_certificate_stops_the_gate_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(
        dir.path(),
        "[server.tls]\ncert = \"missing.crt\"\nkey = \"missing.key\"\n",
    );
    let out = Command::new(env!("CARGO_BIN_EXE_clawlaw"))
        .args(["serve", "--config"])
        .arg(&config)
        .env("CLAWLAW_CACHE_DIR", dir.path().join("cache"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("missing.crt"), "{stderr}");
}
