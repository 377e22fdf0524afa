//! Manifests: where a `k8s.apply` action carries its YAML, how it is parsed
//! into Kubernetes objects (many documents, `List` kinds flattened), and
//! where each workload kind keeps its pod spec.

use clawlaw_sdk::Action;
use serde::Deserialize;
use serde_json::Value;

/// How deep `List` objects may nest inside each other.
const MAX_LIST_DEPTH: usize = 4;
/// How deep `[…]`/`{…}` may nest, as written.
const MAX_FLOW_DEPTH: usize = 64;
/// Objects one manifest may hold after `List`s are flattened.
pub const MAX_OBJECTS: usize = 2_000;

/// One Kubernetes object of a manifest.
#[derive(Debug, Clone)]
pub struct Object {
    pub kind: String,
    pub name: String,
    pub value: Value,
}

impl Object {
    /// `Deployment/web`, or `Deployment #3` when it has no name.
    pub fn label(&self) -> &str {
        &self.name
    }

    /// The pod spec of a workload, by kind; `None` for kinds that run no pods.
    pub fn pod_spec(&self) -> Option<&Value> {
        let path: &[&str] = match self.kind.as_str() {
            "Pod" => &["spec"],
            "Deployment"
            | "StatefulSet"
            | "DaemonSet"
            | "ReplicaSet"
            | "ReplicationController"
            | "Job" => &["spec", "template", "spec"],
            "CronJob" => &["spec", "jobTemplate", "spec", "template", "spec"],
            "PodTemplate" => &["template", "spec"],
            _ => return None,
        };
        let mut v = &self.value;
        for key in path {
            v = v.get(key)?;
        }
        v.is_object().then_some(v)
    }
}

/// Why a manifest could not be read.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    /// The action carries no manifest.
    Missing,
    /// It does, but it is not a readable set of Kubernetes objects.
    Invalid(String),
}

/// The manifest text or value an action carries: `content` (the YAML, as a
/// `Write` of the file would carry it), else the input's `manifest` (YAML
/// text, or the object or list of objects as JSON), else the input's
/// `content`.
pub fn source(action: &Action) -> Result<Source, Problem> {
    if let Some(c) = &action.content {
        return Ok(Source::Text(c.clone()));
    }
    let input = action.input_json();
    for key in ["manifest", "content"] {
        match input.get(key) {
            Some(Value::String(s)) => return Ok(Source::Text(s.clone())),
            Some(v @ (Value::Object(_) | Value::Array(_))) if key == "manifest" => {
                return Ok(Source::Json(v.clone()));
            }
            Some(Value::Null) | None => {}
            Some(other) => {
                return Err(Problem::Invalid(format!(
                    "input `{key}` is a {}, not YAML text or an object",
                    type_name(other)
                )));
            }
        }
    }
    Err(Problem::Missing)
}

/// A manifest as the action carries it.
#[derive(Debug, Clone)]
pub enum Source {
    Text(String),
    Json(Value),
}

impl Source {
    /// The manifest's size in bytes, as text.
    pub fn size(&self) -> usize {
        match self {
            Source::Text(t) => t.len(),
            Source::Json(v) => v.to_string().len(),
        }
    }
}

/// Every object of a manifest, `List`s flattened, in document order.
/// Empty documents (a lone `---`, comments only) are skipped; a manifest
/// with no object at all is invalid.
pub fn parse(source: &Source) -> Result<Vec<Object>, Problem> {
    let docs: Vec<Value> = match source {
        Source::Json(Value::Array(items)) => items.clone(),
        Source::Json(v) => vec![v.clone()],
        Source::Text(text) => yaml_documents(text)?,
    };
    let mut out = Vec::new();
    for (i, doc) in docs.into_iter().enumerate() {
        if doc.is_null() {
            continue;
        }
        collect(doc, &format!("document {}", i + 1), 0, &mut out)?;
    }
    if out.is_empty() {
        return Err(Problem::Invalid(
            "the manifest holds no Kubernetes object".into(),
        ));
    }
    Ok(out)
}

/// Each YAML document as a JSON value. libyaml's own limits (nesting depth,
/// alias expansion) turn a hostile document into an error, not a blow-up.
fn yaml_documents(text: &str) -> Result<Vec<Value>, Problem> {
    // libyaml's cost grows with the square of flow nesting (`[[[[…`): refuse
    // deep nesting before parsing, counting brackets as written (quotes
    // ignored, so this can only over-count a depth no manifest comes near).
    let mut depth = 0usize;
    for b in text.bytes() {
        match b {
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_FLOW_DEPTH {
                    return Err(Problem::Invalid(format!(
                        "flow collections ([…], {{…}}) nest deeper than {MAX_FLOW_DEPTH} levels"
                    )));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    if let Some(alias) = first_alias(text) {
        return Err(Problem::Invalid(format!(
            "YAML aliases are not accepted (found *{alias}): write the manifest out in full"
        )));
    }
    let mut docs = Vec::new();
    for (i, de) in serde_yaml_ng::Deserializer::from_str(text).enumerate() {
        let doc = Value::deserialize(de)
            .map_err(|e| Problem::Invalid(format!("YAML document {}: {e}", i + 1)))?;
        docs.push(doc);
        if docs.len() > MAX_OBJECTS {
            return Err(too_many());
        }
    }
    Ok(docs)
}

/// The first alias (`*name`) in a YAML text, found by a scan that skips
/// comments and quoted scalars. libyaml bounds alias expansion only loosely
/// (a 600-byte "billion laughs" costs ~100 ms), and manifests have no need
/// of aliases, so any is refused. A ` *word` inside a block scalar (`|`)
/// is taken for an alias too: that errs on the side of refusing.
fn first_alias(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let node_start =
        |i: usize| i == 0 || matches!(b[i - 1], b' ' | b'\t' | b'\n' | b'\r' | b'[' | b'{' | b',');
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'#' if node_start(i) => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' if node_start(i) => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'\'' if node_start(i) => {
                i += 1;
                while i < b.len() {
                    if b[i] == b'\'' {
                        if b.get(i + 1) == Some(&b'\'') {
                            i += 1;
                        } else {
                            break;
                        }
                    }
                    i += 1;
                }
            }
            b'*' if node_start(i) => {
                let name: String = text[i + 1..]
                    .chars()
                    .take_while(|c| !c.is_whitespace() && !",[]{}".contains(*c))
                    .take(64)
                    .collect();
                if !name.is_empty() {
                    return Some(name);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

fn too_many() -> Problem {
    Problem::Invalid(format!(
        "the manifest holds more than {MAX_OBJECTS} objects"
    ))
}

fn collect(doc: Value, at: &str, depth: usize, out: &mut Vec<Object>) -> Result<(), Problem> {
    let Value::Object(map) = &doc else {
        return Err(Problem::Invalid(format!(
            "{at} is a {}, not a Kubernetes object",
            type_name(&doc)
        )));
    };
    let kind = match map.get("kind") {
        Some(Value::String(k)) if !k.trim().is_empty() => k.trim().to_string(),
        _ => {
            return Err(Problem::Invalid(format!(
                "{at} has no `kind`, so it is not a Kubernetes object"
            )));
        }
    };
    if !matches!(map.get("apiVersion"), Some(Value::String(v)) if !v.trim().is_empty()) {
        return Err(Problem::Invalid(format!(
            "{at} ({kind}) has no `apiVersion`"
        )));
    }
    if kind.ends_with("List") && (map.contains_key("items") || kind == "List") {
        if depth >= MAX_LIST_DEPTH {
            return Err(Problem::Invalid(format!(
                "{at}: Lists nested more than {MAX_LIST_DEPTH} deep"
            )));
        }
        let items = match map.get("items") {
            Some(Value::Array(items)) => items.clone(),
            Some(Value::Null) | None => Vec::new(),
            Some(other) => {
                return Err(Problem::Invalid(format!(
                    "{at} ({kind}): `items` is a {}, not a list",
                    type_name(other)
                )));
            }
        };
        for (i, item) in items.into_iter().enumerate() {
            collect(
                item,
                &format!("{at} ({kind}) item {}", i + 1),
                depth + 1,
                out,
            )?;
        }
        return Ok(());
    }
    let name = doc
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .map(|n| format!("{kind}/{n}"))
        .unwrap_or_else(|| format!("{kind} ({at})"));
    if out.len() >= MAX_OBJECTS {
        return Err(too_many());
    }
    out.push(Object {
        kind,
        name,
        value: doc,
    });
    Ok(())
}

/// A JSON value's type, for messages.
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "mapping",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn objects(yaml: &str) -> Result<Vec<Object>, Problem> {
        parse(&Source::Text(yaml.into()))
    }

    #[test]
    fn many_documents_and_lists_flatten_in_order() {
        let objs = objects(
            "# leading comment\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\n---\n\
             apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: {name: s}\n\
             - apiVersion: v1\n  kind: PodList\n  items:\n  - {apiVersion: v1, kind: Pod, metadata: {name: b}}\n",
        )
        .unwrap();
        let names: Vec<&str> = objs.iter().map(|o| o.label()).collect();
        assert_eq!(names, ["Pod/a", "Service/s", "Pod/b"]);
    }

    #[test]
    fn pod_specs_are_found_by_kind() {
        let cron = objects(
            "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers: [{name: x, image: 'a:1'}]\n",
        )
        .unwrap();
        assert!(cron[0].pod_spec().unwrap().get("containers").is_some());
        let svc = objects("apiVersion: v1\nkind: Service\nmetadata: {name: s}\n").unwrap();
        assert!(svc[0].pod_spec().is_none());
    }

    #[test]
    fn malformed_manifests_are_problems_with_a_reason() {
        for (yaml, needle) in [
            ("kind: Pod\nspec: [unclosed", "YAML document 1"),
            ("- a\n- b\n", "is a list"),
            ("apiVersion: v1\nmetadata: {}\n", "no `kind`"),
            ("kind: Pod\n", "no `apiVersion`"),
            ("# nothing\n---\n", "no Kubernetes object"),
            ("apiVersion: v1\nkind: List\nitems: 3\n", "not a list"),
        ] {
            match objects(yaml) {
                Err(Problem::Invalid(why)) => assert!(why.contains(needle), "{yaml:?}: {why}"),
                other => panic!("{yaml:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn deep_nesting_is_refused_not_recursed() {
        let yaml = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        match objects(&yaml) {
            Err(Problem::Invalid(why)) => assert!(why.contains("nest deeper than 64"), "{why}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn aliases_are_found_outside_quotes_and_comments() {
        assert_eq!(first_alias("a: &x 1\nb: *x\n").as_deref(), Some("x"));
        assert_eq!(first_alias("l: [*a, 1]").as_deref(), Some("a"));
        assert_eq!(first_alias("s: \"0 3 * * *\"\nt: '*.example.com'\n"), None);
        assert_eq!(
            first_alias("c: \"say \\\" *no\"\n# *comment\nd: it's *plain\n").as_deref(),
            Some("plain")
        );
        assert_eq!(first_alias("cron: 0 3 * * *\nglob: /tmp/*.log\n"), None);
        let d =
            objects("apiVersion: v1\nkind: Pod\nmetadata: {name: &n p}\nspec: {hostname: *n}\n");
        assert!(matches!(d, Err(Problem::Invalid(w)) if w.contains("aliases")));
    }

    #[test]
    fn an_alias_bomb_is_refused_not_expanded() {
        let mut yaml = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..12 {
            let prev = if i == 0 {
                "a".to_string()
            } else {
                format!("l{}", i - 1)
            };
            yaml.push_str(&format!(
                "l{i}: &l{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
        }
        assert!(matches!(objects(&yaml), Err(Problem::Invalid(_))));
    }
}
