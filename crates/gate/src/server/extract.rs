//! Request extractors: the authenticated caller, and JSON bodies whose
//! errors say what was wrong.
//!
//! A caller is authenticated by `Authorization: Bearer <token>` or, when
//! there is no such header, by the console's session cookie (see
//! [`super::console::sessions`]). A cookie-authenticated request with an
//! unsafe method must also carry the session's `X-CSRF-Token`: a browser
//! sends the cookie by itself, the token only the console's own page has.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::console::sessions::{self, ConsoleSessions};
use super::{ApiError, AppState};
use crate::auth::{Permission, Principal};

/// The caller, authenticated by its bearer token or console cookie.
pub struct Caller(pub Principal);

impl Caller {
    /// 403 unless the caller's role grants `p`.
    pub fn require(&self, p: Permission) -> Result<(), ApiError> {
        if self.0.role.may(p) {
            Ok(())
        } else {
            Err(ApiError::new(
                StatusCode::FORBIDDEN,
                format!("the {:?} role may not do this", self.0.role).to_lowercase(),
            ))
        }
    }

    /// 403 unless the caller's role grants one of `ps`.
    pub fn require_any(&self, ps: &[Permission]) -> Result<(), ApiError> {
        match ps.iter().find(|p| self.0.role.may(**p)) {
            Some(p) => self.require(*p),
            None => self.require(ps[0]),
        }
    }
}

impl FromRequestParts<Arc<AppState>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Caller, ApiError> {
        let unauthorized = |m: &str| ApiError::new(StatusCode::UNAUTHORIZED, m);
        let Some(header) = parts.headers.get(axum::http::header::AUTHORIZATION) else {
            return from_console_cookie(parts)
                .unwrap_or_else(|| Err(unauthorized("missing Authorization: Bearer <token>")));
        };
        let value = header
            .to_str()
            .map_err(|_| unauthorized("the Authorization header is not text"))?;
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .ok_or_else(|| unauthorized("expected Authorization: Bearer <token>"))?;
        state
            .tokens
            .authenticate(token)
            .map(Caller)
            .ok_or_else(|| unauthorized("unknown token"))
    }
}

/// The caller a console cookie names; `None` when there is no cookie (or
/// no console). A cookie that names no live session is a 401; an unsafe
/// method without the session's CSRF token a 403.
fn from_console_cookie(parts: &Parts) -> Option<Result<Caller, ApiError>> {
    let store = parts.extensions.get::<Arc<ConsoleSessions>>()?;
    let id = sessions::cookie_value(&parts.headers)?;
    let Some(session) = store.get(&id) else {
        return Some(Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "the console session has expired or was signed out; sign in again",
        )));
    };
    if !parts.method.is_safe() && sessions::check_csrf(&parts.headers, &session).is_err() {
        return Some(Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "a request authenticated by the console's cookie must carry its X-CSRF-Token",
        )));
    }
    Some(Ok(Caller(session.principal)))
}

/// A JSON body: 415 without `Content-Type: application/json`, 400 naming
/// the problem when it does not parse.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned> FromRequest<Arc<AppState>> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &Arc<AppState>) -> Result<JsonBody<T>, ApiError> {
        let bytes = raw_json(req, state).await?;
        let value = if bytes.iter().all(u8::is_ascii_whitespace) {
            serde_json::from_slice(b"{}")
        } else {
            serde_json::from_slice(&bytes)
        };
        value
            .map(JsonBody)
            .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, format!("invalid JSON body: {e}")))
    }
}

/// The raw bytes of a JSON body, after the content-type and size checks.
pub struct RawJson(pub Bytes);

impl FromRequest<Arc<AppState>> for RawJson {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &Arc<AppState>) -> Result<RawJson, ApiError> {
        raw_json(req, state).await.map(RawJson)
    }
}

async fn raw_json(req: Request, state: &Arc<AppState>) -> Result<Bytes, ApiError> {
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "the request body is over the gate's limit of {} bytes (server.max_body_bytes)",
                state.max_body_bytes
            ),
        )
    };
    // Refuse an announced oversized body at once, before reading any of it.
    let announced = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > state.max_body_bytes as u64) {
        return Err(too_large());
    }
    let is_json = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
        });
    let has_body = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .is_none_or(|v| v.as_bytes() != b"0");
    if has_body && !is_json {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "expected Content-Type: application/json",
        ));
    }
    Bytes::from_request(req, state).await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            ApiError::new(e.status(), e.body_text())
        }
    })
}
