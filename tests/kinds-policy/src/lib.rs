//! A policy as an author wrote one against `clawlaw:policy@0.3.0`, before
//! 0.4.0's session parts: built with wit-bindgen against the frozen contract
//! (`wit/0.3.0/`), without the SDK, so its component is exactly what such an
//! author has. The gate's tests load it to prove such components still load,
//! are consulted only on the kinds they declare, and are handed the whole
//! session view.
//!
//! It judges `net.request` only (rule `kinds.seen`): it allows, noting in
//! its reason how many labels, counters and recent actions the session view
//! it was handed holds, as JSON (`{"labels":1,"counters":2,"recent":3}`).

#[cfg(target_arch = "wasm32")]
mod component {
    wit_bindgen::generate!({
        path: "../../wit/0.3.0",
        world: "policy",
    });

    use clawlaw::policy::types::{Rule, Verdict};

    struct Kinds;

    impl Guest for Kinds {
        fn info() -> Info {
            Info {
                name: "kinds-policy".into(),
                version: "0.3.0".into(),
                rules: vec![Rule {
                    id: "kinds.seen".into(),
                    summary: "Note the session view a network request is judged with".into(),
                }],
                kinds: vec!["net.request".into()],
            }
        }

        fn validate_settings(_settings: String) -> Result<(), String> {
            Ok(())
        }

        fn evaluate(_settings: String, _action: Action, session: Session) -> Decision {
            Decision {
                verdict: Verdict::Allow,
                risk: 0.0,
                reason: format!(
                    r#"{{"labels":{},"counters":{},"recent":{}}}"#,
                    session.labels.len(),
                    session.counters.len(),
                    session.recent.len()
                ),
                rules: vec!["kinds.seen".into()],
                labels: Vec::new(),
                counters: Vec::new(),
                redactions: Vec::new(),
            }
        }
    }

    export!(Kinds);
}
