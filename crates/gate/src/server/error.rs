//! API errors as JSON with the right status; a DENY answer rides along
//! whenever an action was involved, so an agent reading only the body still
//! sees that it must not proceed.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::gate::GateError;
use crate::review::ReviewError;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
    pub answer: Option<serde_json::Value>,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
            answer: None,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = match self.answer {
            Some(serde_json::Value::Object(map)) => serde_json::Value::Object(map),
            _ => serde_json::json!({}),
        };
        body["error"] = serde_json::Value::String(self.message);
        let mut response = (self.status, Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                "www-authenticate",
                axum::http::HeaderValue::from_static("Bearer realm=\"clawlaw\""),
            );
        }
        response
    }
}

impl From<GateError> for ApiError {
    fn from(e: GateError) -> ApiError {
        let answer = e.answer().and_then(|a| serde_json::to_value(a).ok());
        let status = match &e {
            GateError::Malformed { .. } => StatusCode::BAD_REQUEST,
            GateError::UnknownSession(..) | GateError::UnknownAction { .. } => {
                StatusCode::NOT_FOUND
            }
            GateError::DeniedAction { .. } | GateError::NotApproved { .. } => StatusCode::CONFLICT,
            GateError::Evidence(_) => StatusCode::SERVICE_UNAVAILABLE,
            GateError::Review(ReviewError::NotFound(_)) => StatusCode::NOT_FOUND,
            GateError::Review(ReviewError::AlreadyDecided { .. }) => StatusCode::CONFLICT,
            GateError::OwnSession { .. } => StatusCode::FORBIDDEN,
        };
        let answer = match (&e, answer) {
            // The evidence failed: deny, and say so, even with no recorded answer.
            (GateError::Evidence(_), None) => {
                Some(serde_json::json!({ "evaluation": "DENY", "reason": e.to_string() }))
            }
            (_, a) => a,
        };
        ApiError {
            status,
            message: e.to_string(),
            answer,
        }
    }
}

pub async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "no such endpoint; see the API table in the README",
    )
}
