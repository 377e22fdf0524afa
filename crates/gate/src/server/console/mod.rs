//! The reviewers' web console at `/console`: sign-in, the pages and their
//! embedded assets. The pages are static; their JavaScript modules call
//! the gate's ordinary `/v1/…` API with the console's session cookie (see
//! [`super::extract::Caller`]) and render every value as text.
//!
//! | method | path | what |
//! |---|---|---|
//! | GET | `/console` | the console (signed in), else a redirect to the sign-in form |
//! | GET | `/console/login` | the sign-in form |
//! | POST | `/console/login` | `token=…` (form): a reviewer's or admin's token; sets the cookie, then on to `next` (a console fragment) |
//! | POST | `/console/logout` | signs out (cookie and `X-CSRF-Token`) |
//! | GET | `/console/session` | who is signed in, and the CSRF token for unsafe requests |
//! | GET | `/console/assets/{file}` | the embedded CSS and JavaScript |
//!
//! Security: every response here carries a strict Content-Security-Policy
//! (scripts and styles from the gate only, no inline script, no eval, no
//! framing, no form posts elsewhere), `nosniff` and `no-referrer`. Agent
//! tokens cannot sign in. A sign-in posted from another origin is refused.
//! Sessions, cookies and CSRF tokens: see [`sessions`].

mod assets;
pub mod sessions;

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Json};

use super::{ApiError, AppState};
use crate::auth::Role;
use sessions::ConsoleSessions;

/// The console's Content-Security-Policy.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
     connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The console's routes (their security headers included).
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/console", get(index))
        .route("/console/", get(|| async { Redirect::to("/console") }))
        .route("/console/login", get(login_form).post(login))
        .route("/console/logout", post(logout))
        .route("/console/session", get(session))
        .route("/console/assets/{file}", get(asset))
        .layer(axum::middleware::map_response(security_headers))
}

async fn security_headers(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

fn html(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

/// The sign-in page, with `message` (HTML-escaped) when there is one.
fn login_page(status: StatusCode, message: Option<&str>) -> Response {
    let slot = message
        .map(|m| format!("<p class=\"error\" role=\"alert\">{}</p>", escape(m)))
        .unwrap_or_default();
    html(status, assets::LOGIN_HTML.replace("<!--message-->", &slot))
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

async fn index(Extension(store): Extension<Arc<ConsoleSessions>>, headers: HeaderMap) -> Response {
    match sessions::cookie_value(&headers).and_then(|id| store.get(&id)) {
        Some(_) => html(StatusCode::OK, assets::INDEX_HTML.to_string()),
        None => Redirect::to("/console/login").into_response(),
    }
}

async fn login_form() -> Response {
    login_page(StatusCode::OK, None)
}

/// The value of `name` in an `application/x-www-form-urlencoded` body.
fn form_field(body: &[u8], name: &str) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    let raw = text
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == name)?
        .1;
    let mut bytes = Vec::with_capacity(raw.len());
    let mut it = raw.bytes();
    while let Some(b) = it.next() {
        match b {
            b'+' => bytes.push(b' '),
            b'%' => {
                let hex = [it.next()?, it.next()?];
                bytes.push(u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?);
            }
            b => bytes.push(b),
        }
    }
    String::from_utf8(bytes).ok()
}

/// Whether `next` is a console page's fragment (`#/reviews/ID`…), the
/// only place a sign-in may send the browser on to.
fn is_console_fragment(next: &str) -> bool {
    next.len() <= 512
        && next.starts_with("#/")
        && next
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"#/-_.%".contains(&b))
}

/// Whether a browser says the request comes from this gate's own pages:
/// `Sec-Fetch-Site` (when sent) is `same-origin` (or `none`: typed by the
/// user), and `Origin` (when sent, and not the `null` a `no-referrer` page
/// sends) names this host. Clients that are not browsers send neither.
fn same_origin(headers: &HeaderMap) -> bool {
    let get = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    if let Some(site) = get("sec-fetch-site")
        && site != "same-origin"
        && site != "none"
    {
        return false;
    }
    match get(header::ORIGIN.as_str()) {
        None | Some("null") => true,
        Some(origin) => {
            let host = get(header::HOST.as_str());
            host.is_some() && origin.split_once("://").map(|(_, h)| h) == host
        }
    }
}

async fn login(
    State(state): State<Arc<AppState>>,
    Extension(store): Extension<Arc<ConsoleSessions>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !same_origin(&headers) {
        return login_page(
            StatusCode::FORBIDDEN,
            Some("A sign-in must come from the console's own page."),
        );
    }
    let Some(token) = form_field(&body, "token").filter(|t| !t.trim().is_empty()) else {
        return login_page(
            StatusCode::BAD_REQUEST,
            Some("Enter a reviewer or admin token."),
        );
    };
    let Some(principal) = state.tokens.authenticate(&token) else {
        return login_page(StatusCode::UNAUTHORIZED, Some("Unknown token."));
    };
    if principal.role == Role::Agent {
        return login_page(
            StatusCode::FORBIDDEN,
            Some(
                "This is an agent's token: agents cannot sign in to the console. \
                 Use a reviewer's or an admin's token.",
            ),
        );
    }
    tracing::info!(principal = %principal.name, "console sign-in");
    let (id, _) = store.create(principal);
    let next = form_field(&body, "next").filter(|n| is_console_fragment(n));
    let target = format!("/console{}", next.unwrap_or_default());
    let mut response = Redirect::to(&target).into_response();
    if let Ok(cookie) = HeaderValue::from_str(&store.set_cookie(&id)) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

async fn logout(
    Extension(store): Extension<Arc<ConsoleSessions>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let id = sessions::cookie_value(&headers)
        .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "not signed in"))?;
    let session = store
        .get(&id)
        .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "not signed in"))?;
    sessions::check_csrf(&headers, &session)
        .map_err(|_| ApiError::new(StatusCode::FORBIDDEN, "missing or wrong X-CSRF-Token"))?;
    store.remove(&id);
    let mut response = StatusCode::NO_CONTENT.into_response();
    if let Ok(cookie) = HeaderValue::from_str(&store.clear_cookie()) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

async fn session(
    State(state): State<Arc<AppState>>,
    Extension(store): Extension<Arc<ConsoleSessions>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let session = sessions::cookie_value(&headers)
        .and_then(|id| store.get(&id))
        .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "not signed in"))?;
    let left = session
        .expires
        .saturating_duration_since(std::time::Instant::now());
    Ok(Json(serde_json::json!({
        "name": session.principal.name,
        "role": session.principal.role,
        "csrf_token": session.csrf_token,
        "expires_in_secs": left.as_secs(),
        "four_eyes": state.gate.four_eyes(),
    }))
    .into_response())
}

async fn asset(Path(file): Path<String>) -> Response {
    match assets::find(&file) {
        Some(a) => (
            [
                (header::CONTENT_TYPE, a.content_type),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            a.body,
        )
            .into_response(),
        None => {
            ApiError::new(StatusCode::NOT_FOUND, format!("no console asset {file}")).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_fields_are_decoded() {
        assert_eq!(
            form_field(b"a=1&token=abc%2Fdef+g%3D", "token").as_deref(),
            Some("abc/def g=")
        );
        assert_eq!(form_field(b"token=%zz", "token"), None);
        assert_eq!(form_field(b"tokens=x", "token"), None);
    }

    #[test]
    fn a_sign_in_goes_on_only_to_a_console_page() {
        assert!(is_console_fragment("#/reviews/01a2-b3"));
        assert!(is_console_fragment("#/evidence/s%2F1/a"));
        for bad in [
            "//evil.example",
            "https://evil.example",
            "#/x\r\nSet-Cookie: a",
            "#/a?b",
            "/console",
        ] {
            assert!(!is_console_fragment(bad), "{bad}");
        }
    }

    #[test]
    fn messages_are_escaped_into_the_sign_in_page() {
        assert_eq!(
            escape("<b a=\"x\">&'"),
            "&lt;b a=&quot;x&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn only_the_gates_own_origin_may_sign_in() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, "127.0.0.1:8080".parse().unwrap());
        assert!(same_origin(&h), "no Origin: a non-browser client");
        h.insert(header::ORIGIN, "http://127.0.0.1:8080".parse().unwrap());
        assert!(same_origin(&h));
        h.insert(header::ORIGIN, "https://evil.example".parse().unwrap());
        assert!(!same_origin(&h));
        h.insert(header::ORIGIN, "null".parse().unwrap());
        assert!(same_origin(&h), "a no-referrer page's own form");
        h.insert("sec-fetch-site", "cross-site".parse().unwrap());
        assert!(!same_origin(&h));
        h.insert("sec-fetch-site", "same-origin".parse().unwrap());
        assert!(same_origin(&h));
    }
}
