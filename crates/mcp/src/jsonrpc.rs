//! Just enough JSON-RPC 2.0 to route a message: what kind it is, its id
//! and method, and the answers the relay gives on its own (errors, and
//! tool results with `isError`). Messages the relay does not govern are
//! relayed as the bytes that arrived; only these are parsed.

use serde_json::{Value, json};

/// JSON-RPC's "parse error".
pub const PARSE_ERROR: i64 = -32700;
/// JSON-RPC's "invalid request".
pub const INVALID_REQUEST: i64 = -32600;
/// JSON-RPC's "invalid params".
pub const INVALID_PARAMS: i64 = -32602;
/// JSON-RPC's "internal error": what the relay answers when it failed closed.
pub const INTERNAL_ERROR: i64 = -32603;

/// What one message is.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// A request: it has a method and an id, and wants a response.
    Request { id: Value, method: String },
    /// A notification: a method, no id.
    Notification { method: String },
    /// A response: an id and a result or an error.
    Response { id: Value },
    /// A batch (a JSON array; MCP 2025-03-26 allowed them).
    Batch,
    /// Valid JSON but not JSON-RPC.
    Invalid(String),
}

/// Classifies a parsed message.
pub fn kind(message: &Value) -> Kind {
    let obj = match message {
        Value::Array(_) => return Kind::Batch,
        Value::Object(o) => o,
        _ => return Kind::Invalid("a JSON-RPC message is an object or an array".into()),
    };
    let id = obj.get("id").filter(|id| valid_id(id)).cloned();
    match (obj.get("method"), id) {
        (Some(Value::String(m)), Some(id)) => Kind::Request {
            id,
            method: m.clone(),
        },
        (Some(Value::String(m)), None) if !obj.contains_key("id") => {
            Kind::Notification { method: m.clone() }
        }
        (Some(Value::String(_)), None) => {
            Kind::Invalid("the request's id is not a string or number".into())
        }
        (Some(_), _) => Kind::Invalid("`method` is not a string".into()),
        (None, Some(id)) if obj.contains_key("result") || obj.contains_key("error") => {
            Kind::Response { id }
        }
        (None, _) if obj.contains_key("result") || obj.contains_key("error") => {
            // An error response to a message whose id could not be read.
            Kind::Response { id: Value::Null }
        }
        (None, _) => Kind::Invalid("neither a method nor a result or error".into()),
    }
}

fn valid_id(id: &Value) -> bool {
    matches!(id, Value::String(_) | Value::Number(_))
}

/// The key an id is tracked by: its JSON text, so `1` and `"1"` differ.
pub fn id_key(id: &Value) -> String {
    id.to_string()
}

/// A JSON-RPC error response.
pub fn error(id: &Value, code: i64, message: &str) -> Vec<u8> {
    bytes(&json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": {"code": code, "message": message},
    }))
}

/// A `tools/call` result the model reads as a failed tool call: the
/// reason as text content, `isError: true`.
pub fn tool_error(id: &Value, text: &str) -> Vec<u8> {
    bytes(&json!({
        "jsonrpc": "2.0",
        "id": id,
        "result": {"content": [{"type": "text", "text": text}], "isError": true},
    }))
}

/// A request the relay itself sends.
pub fn request(id: &Value, method: &str, params: Value) -> Vec<u8> {
    bytes(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
}

pub fn bytes(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).expect("a JSON value serialises")
}

/// A value in canonical form: object keys sorted at every level, so a hash
/// of it does not depend on the order a peer wrote them in.
pub fn canonical(v: &Value) -> Value {
    match v {
        Value::Object(o) => {
            let mut keys: Vec<&String> = o.keys().collect();
            keys.sort();
            let mut out = serde_json::Map::new();
            for k in keys {
                out.insert(k.clone(), canonical(&o[k]));
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_classified() {
        assert_eq!(
            kind(&json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call"})),
            Kind::Request {
                id: json!(1),
                method: "tools/call".into()
            }
        );
        assert_eq!(
            kind(&json!({"jsonrpc": "2.0", "method": "notifications/cancelled"})),
            Kind::Notification {
                method: "notifications/cancelled".into()
            }
        );
        assert_eq!(
            kind(&json!({"jsonrpc": "2.0", "id": "a", "result": {}})),
            Kind::Response { id: json!("a") }
        );
        assert_eq!(kind(&json!([{"id": 1}])), Kind::Batch);
        assert!(matches!(kind(&json!({"id": 1})), Kind::Invalid(_)));
        assert!(matches!(kind(&json!("x")), Kind::Invalid(_)));
        // An id that is neither a string nor a number is not a request.
        assert!(matches!(
            kind(&json!({"id": {"x": 1}, "method": "m"})),
            Kind::Invalid(_)
        ));
    }

    #[test]
    fn ids_of_different_types_are_different_keys() {
        assert_ne!(id_key(&json!(1)), id_key(&json!("1")));
    }

    #[test]
    fn canonical_form_ignores_key_order() {
        let a: Value =
            serde_json::from_str(r#"{"b": 1, "a": {"d": 2, "c": [ {"z": 0, "y": 1} ]}}"#).unwrap();
        let b: Value =
            serde_json::from_str(r#"{"a": {"c": [ {"y": 1, "z": 0} ], "d": 2}, "b": 1}"#).unwrap();
        assert_eq!(canonical(&a).to_string(), canonical(&b).to_string());
    }

    #[test]
    fn tool_errors_are_results_the_model_reads() {
        let v: Value = serde_json::from_slice(&tool_error(&json!(7), "denied: x")).unwrap();
        assert_eq!(v["id"], 7);
        assert_eq!(v["result"]["isError"], true);
        assert_eq!(v["result"]["content"][0]["text"], "denied: x");
    }
}
