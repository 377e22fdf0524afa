//! Console sign-ins: the session cookie and its CSRF token.
//!
//! Signing in with a reviewer's or an admin's token creates a console
//! session: a random 244-bit id (two UUIDv4, from the operating system's
//! CSPRNG) that the browser keeps in an `HttpOnly; SameSite=Strict; Path=/`
//! cookie (`Secure` too when the gate serves TLS), and a second random value,
//! the CSRF token, that the page reads once from `GET /console/session` and
//! sends as `X-CSRF-Token` with every unsafe request. The token itself never
//! reaches the browser's storage and the cookie never holds it.
//!
//! The store keeps only the SHA-256 of each session id (a memory dump gives
//! no usable cookie), maps it to the principal and the CSRF token, and
//! forgets a session at its expiry ([`SESSION_TTL`], absolute) or at sign-out.
//! It holds at most [`MAX_SESSIONS`]; past that the oldest sign-in goes.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::auth::Principal;

/// The cookie's name.
pub const COOKIE: &str = "clawlaw_console";
/// The header an unsafe cookie-authenticated request must carry.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// How long a sign-in lasts, from the moment it was made.
pub const SESSION_TTL: Duration = Duration::from_secs(8 * 3600);
/// Console sessions held at once.
pub const MAX_SESSIONS: usize = 1024;

/// One signed-in browser.
#[derive(Debug, Clone)]
pub struct ConsoleSession {
    pub principal: Principal,
    pub csrf_token: String,
    pub created: Instant,
    pub expires: Instant,
}

/// Every console session of a gate.
pub struct ConsoleSessions {
    map: Mutex<HashMap<[u8; 32], ConsoleSession>>,
    /// Whether the gate serves TLS: the cookie is then `Secure`.
    secure: bool,
}

/// Why a cookie did not authenticate an unsafe request.
#[derive(Debug, PartialEq, Eq)]
pub enum CsrfError {
    Missing,
    Wrong,
}

fn random_value() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

fn key(id: &str) -> [u8; 32] {
    Sha256::digest(id.as_bytes()).into()
}

impl ConsoleSessions {
    pub fn new(secure: bool) -> ConsoleSessions {
        ConsoleSessions {
            map: Mutex::new(HashMap::new()),
            secure,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<[u8; 32], ConsoleSession>> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Signs `principal` in; returns the session id (the cookie's value)
    /// and the session.
    pub fn create(&self, principal: Principal) -> (String, ConsoleSession) {
        let now = Instant::now();
        let id = random_value();
        let session = ConsoleSession {
            principal,
            csrf_token: random_value(),
            created: now,
            expires: now + SESSION_TTL,
        };
        let mut map = self.lock();
        map.retain(|_, s| s.expires > now);
        if map.len() >= MAX_SESSIONS
            && let Some(oldest) = map.iter().min_by_key(|(_, s)| s.created).map(|(k, _)| *k)
        {
            map.remove(&oldest);
        }
        map.insert(key(&id), session.clone());
        (id, session)
    }

    /// The live session a cookie value names.
    pub fn get(&self, id: &str) -> Option<ConsoleSession> {
        let k = key(id);
        let mut map = self.lock();
        match map.get(&k) {
            Some(s) if s.expires > Instant::now() => Some(s.clone()),
            Some(_) => {
                map.remove(&k);
                None
            }
            None => None,
        }
    }

    /// Signs a session out; false when there was none.
    pub fn remove(&self, id: &str) -> bool {
        self.lock().remove(&key(id)).is_some()
    }

    /// The `Set-Cookie` value that gives the browser `id`.
    pub fn set_cookie(&self, id: &str) -> String {
        format!(
            "{COOKIE}={id}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}",
            SESSION_TTL.as_secs(),
            if self.secure { "; Secure" } else { "" }
        )
    }

    /// The `Set-Cookie` value that makes the browser forget it.
    pub fn clear_cookie(&self) -> String {
        format!(
            "{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{}",
            if self.secure { "; Secure" } else { "" }
        )
    }
}

/// The console session id in a request's `Cookie` headers, if any.
pub fn cookie_value(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == COOKIE && !value.is_empty())
        .map(|(_, value)| value.to_string())
}

/// Checks an unsafe request's `X-CSRF-Token` against the session's, in
/// constant time.
pub fn check_csrf(headers: &HeaderMap, session: &ConsoleSession) -> Result<(), CsrfError> {
    let presented = headers.get(CSRF_HEADER).ok_or(CsrfError::Missing)?;
    if bool::from(presented.as_bytes().ct_eq(session.csrf_token.as_bytes())) {
        Ok(())
    } else {
        Err(CsrfError::Wrong)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;

    fn alice() -> Principal {
        Principal {
            name: "alice".into(),
            role: Role::Reviewer,
        }
    }

    #[test]
    fn a_session_is_found_by_its_id_only_and_forgotten_at_sign_out() {
        let store = ConsoleSessions::new(false);
        let (id, session) = store.create(alice());
        assert_eq!(id.len(), 64);
        assert_ne!(id, session.csrf_token);
        assert_eq!(store.get(&id).unwrap().principal, alice());
        assert!(store.get(&session.csrf_token).is_none());
        assert!(store.get("").is_none());
        assert!(store.remove(&id));
        assert!(store.get(&id).is_none());
        assert!(!store.remove(&id));
    }

    #[test]
    fn the_store_is_bounded() {
        let store = ConsoleSessions::new(false);
        let (first, _) = store.create(alice());
        for _ in 0..MAX_SESSIONS {
            store.create(alice());
        }
        assert_eq!(store.lock().len(), MAX_SESSIONS);
        assert!(store.get(&first).is_none(), "the oldest sign-in went");
    }

    #[test]
    fn cookies_carry_the_attributes_and_secure_under_tls() {
        let plain = ConsoleSessions::new(false).set_cookie("abc");
        assert!(plain.starts_with("clawlaw_console=abc; "), "{plain}");
        for attr in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=28800"] {
            assert!(plain.contains(attr), "{plain}");
        }
        assert!(!plain.contains("Secure"), "{plain}");
        assert!(
            ConsoleSessions::new(true)
                .set_cookie("abc")
                .ends_with("; Secure")
        );
        assert!(
            ConsoleSessions::new(true)
                .clear_cookie()
                .contains("Max-Age=0")
        );
    }

    #[test]
    fn the_cookie_and_the_csrf_header_are_read_from_requests() {
        let mut h = HeaderMap::new();
        h.append(
            "cookie",
            "theme=dark; clawlaw_console=s3cr3t".parse().unwrap(),
        );
        assert_eq!(cookie_value(&h).as_deref(), Some("s3cr3t"));
        h.clear();
        h.append(
            "cookie",
            "xclawlaw_console=no; clawlaw_console=".parse().unwrap(),
        );
        assert_eq!(cookie_value(&h), None);

        let store = ConsoleSessions::new(false);
        let (_, session) = store.create(alice());
        let mut h = HeaderMap::new();
        assert_eq!(check_csrf(&h, &session), Err(CsrfError::Missing));
        h.insert(CSRF_HEADER, "nope".parse().unwrap());
        assert_eq!(check_csrf(&h, &session), Err(CsrfError::Wrong));
        h.insert(CSRF_HEADER, session.csrf_token.parse().unwrap());
        assert_eq!(check_csrf(&h, &session), Ok(()));
    }
}
