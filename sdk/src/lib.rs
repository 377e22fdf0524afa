//! # clawlaw-sdk: write clawlaw policies in plain Rust
//!
//! A clawlaw policy is a WebAssembly component that decides whether an action
//! an AI agent proposes may run. This crate is all a policy author touches:
//!
//! - the contract's values as plain Rust types ([`Action`], [`Session`],
//!   [`Decision`], [`Verdict`], [`Info`], [`Rule`]);
//! - the [`Policy`] trait and the [`export_policy!`] macro, which hide the
//!   WebAssembly bindings;
//! - helpers every policy needs: [`path`] normalisation and containment,
//!   [`glob`] matching, [`net`] addresses, [`shell`] command-line parsing, [`effects`] (what a
//!   command line reads, writes, deletes, runs and contacts), [`secrets`]
//!   detection, and [`workspace`], where a file action's paths, home and
//!   roots come from;
//! - [`gate`], what the gate tells a policy about itself (its files,
//!   credentials, addresses and processes), for policies that protect it;
//! - [`testing`], to run the same policy natively with `cargo test` against a
//!   declarative case file that the gate can also run against the compiled
//!   component.
//!
//! ```
//! use clawlaw_sdk::{Action, Decision, Info, Policy, Session, Verdict, export_policy};
//!
//! #[derive(Default, serde::Deserialize)]
//! #[serde(default, deny_unknown_fields)]
//! struct Settings { forbidden: Vec<String> }
//!
//! struct NoForbiddenTools;
//!
//! impl Policy for NoForbiddenTools {
//!     type Settings = Settings;
//!     fn info() -> Info {
//!         Info::new("no-forbidden-tools", env!("CARGO_PKG_VERSION"))
//!             .rule("tools.forbidden", "Deny tools the settings forbid")
//!     }
//!     fn evaluate(settings: &Settings, action: &Action, _: &Session) -> Decision {
//!         if settings.forbidden.iter().any(|t| *t == action.tool) {
//!             return Decision::deny("tools.forbidden", format!("{} is forbidden", action.tool));
//!         }
//!         Decision::allow()
//!     }
//! }
//!
//! export_policy!(NoForbiddenTools);
//!
//! // Natively the macro expands to nothing, and the policy runs as plain Rust:
//! let bash = Action { kind: "shell.exec".into(), tool: "Bash".into(), ..Action::default() };
//! let settings = r#"{"forbidden": ["Bash"]}"#;
//! let d = clawlaw_sdk::evaluate_json::<NoForbiddenTools>(settings, &bash, &Session::default());
//! assert_eq!(d.verdict, Verdict::Deny);
//! ```
//!
//! Build it with `clawlaw policy build` (or `cargo xtask policies` inside
//! this repository): `cargo build --target wasm32-unknown-unknown --release`
//! with `wasm-component-ld` as the linker, which makes the component. It
//! imports no capability but `log` (and, if it reads the gate's load-time
//! hint, [`gate::one_shot`], WASI's `get-environment`); the gate grants it
//! no files, network, environment, clocks or randomness. Built for
//! `wasm32-wasip2` instead, it imports WASI interfaces that the gate
//! satisfies with nothing.

extern crate self as clawlaw_sdk;

#[cfg(any(test, all(target_arch = "wasm32", feature = "arena")))]
mod arena;
mod types;
mod view;

/// A policy component allocates an evaluation's memory from one arena (see
/// `arena.rs`; feature `arena`, on by default).
#[cfg(all(target_arch = "wasm32", feature = "arena"))]
#[global_allocator]
static ALLOCATOR: arena::Arena = arena::Arena;

/// From here on the instance allocates from its arena: after the settings
/// are parsed and validated, what the gate snapshots.
fn start_arena() {
    #[cfg(all(target_arch = "wasm32", feature = "arena"))]
    arena::start();
}

/// An evaluation starts: the arena is on, above whatever an earlier
/// evaluation of this instance left in use.
fn arena_evaluation_starts() {
    #[cfg(all(target_arch = "wasm32", feature = "arena"))]
    arena::evaluation_starts();
}

pub mod effects;
pub mod gate;
pub mod glob;
pub mod implied;
pub mod memo;
pub mod net;
pub mod path;
pub mod secrets;
pub mod shell;
#[cfg(not(target_arch = "wasm32"))]
pub mod testing;
pub mod text;
pub mod workspace;

pub use types::{
    Action, ActionRequest, Decision, Info, PastAction, Redaction, Rule, Session, Verdict, is_name,
    kinds,
};
pub use view::{SessionPart, SessionParts};

use serde::de::DeserializeOwned;

/// A policy: its rules, how it checks its settings, and how it decides.
///
/// Implement it on a unit struct and export it with [`export_policy!`].
pub trait Policy {
    /// The policy's settings, parsed from the JSON the gate's configuration
    /// gives it (`{}` when none). Use `#[serde(default, deny_unknown_fields)]`
    /// so a missing setting takes its default and a misspelt one is an error.
    type Settings: DeserializeOwned + Default + 'static;

    /// The policy's name, version, every rule it may report and, when it
    /// judges only some, the action kinds it judges ([`Info::judging`]: the
    /// gate consults it on those only).
    fn info() -> Info;

    /// Checks settings beyond what parsing already checks. Called once when
    /// the gate loads the policy; an error refuses the load.
    fn validate(_settings: &Self::Settings) -> Result<(), String> {
        Ok(())
    }

    /// Decides one action.
    fn evaluate(settings: &Self::Settings, action: &Action, session: &Session) -> Decision;

    /// Whether the policy also judges what an action implies ([`implied`]):
    /// the command line an MCP tool's input holds, the file it writes, the
    /// commands a written script, Makefile or `package.json` would run.
    /// [`evaluate`](Policy::evaluate) then runs on the action and on each
    /// implied action, and the decisions combine ([`implied::fold`]): the
    /// most severe verdict wins, its reason says where it came from, risk is
    /// the highest, rules (and the labels of what happens now, not of what
    /// a written script will run) are unioned, counters come from the
    /// action's own decision only. Set it to `false` for a policy that reads
    /// tool inputs or written content itself, or that must see each action
    /// exactly once.
    const JUDGE_IMPLIED: bool = true;

    /// Whether the policy also judges the source of a program the agent
    /// writes (`kill.py`, `tools/x.js`, `src/main.rs`: [`implied::programs`])
    /// as the commands it would run if it were run later, by hand. The gate
    /// sees that later `python3 kill.py`, not what is in the file, so a
    /// policy whose rule no later run may break (nothing may stop the
    /// gate) judges the program when it is written. Off by default: what a
    /// project's own programs do is mostly the project's business, and
    /// judging every source file for every rule would refuse ordinary code.
    /// Needs [`JUDGE_IMPLIED`](Policy::JUDGE_IMPLIED).
    const JUDGE_PROGRAMS: bool = false;
}

/// Parses a policy's settings from the JSON the gate passes (empty means `{}`).
pub fn parse_settings<P: Policy>(json: &str) -> Result<P::Settings, String> {
    let json = json.trim();
    if json.is_empty() {
        return Ok(P::Settings::default());
    }
    serde_json::from_str(json).map_err(|e| format!("invalid settings: {e}"))
}

/// Parses and validates settings: what the gate's `validate-settings` call runs.
pub fn validate_settings<P: Policy>(json: &str) -> Result<(), String> {
    let settings = parse_settings::<P>(json)?;
    P::validate(&settings)
}

/// The rule every policy may report: its settings no longer parse.
pub const SETTINGS_INVALID_RULE: &str = "settings.invalid";

/// A policy's [`Info`] as the gate sees it: the rules it declares plus
/// [`SETTINGS_INVALID_RULE`], which [`evaluate_json`] may report for any
/// policy; and, when it declares kinds and judges implied actions
/// ([`Policy::JUDGE_IMPLIED`]), every kind whose actions may imply one of
/// them ([`implied::implying`]), since the policy judges those too.
pub fn full_info<P: Policy>() -> Info {
    let mut info = P::info();
    if !info.rules.iter().any(|r| r.id == SETTINGS_INVALID_RULE) {
        info = info.rule(
            SETTINGS_INVALID_RULE,
            "Settings that do not parse deny every action",
        );
    }
    if P::JUDGE_IMPLIED {
        let declared = info.kinds.clone();
        for kind in &declared {
            info = info.judging(implied::implying(kind));
        }
    }
    info
}

/// Runs one evaluation as the exported `evaluate` does: settings that no
/// longer parse are a denial, never a panic.
pub fn evaluate_json<P: Policy>(settings: &str, action: &Action, session: &Session) -> Decision {
    decide::<P>(parse_settings::<P>(settings), action, session)
}

/// Decides with settings parsed (owned, or kept by the export glue), or
/// denies with [`SETTINGS_INVALID_RULE`] when they did not parse.
fn decide<P: Policy>(
    settings: Result<impl std::borrow::Borrow<P::Settings>, String>,
    action: &Action,
    session: &Session,
) -> Decision {
    match settings {
        Ok(settings) => implied::judge::<P>(settings.borrow(), action, session),
        Err(e) => Decision::deny(SETTINGS_INVALID_RULE, e),
    }
}

/// Writes a line to the gate's log, attributed to this policy. Natively (in
/// `cargo test`) it goes to standard error.
pub fn log(message: &str) {
    #[cfg(target_arch = "wasm32")]
    bindings::log(message);
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("[policy log] {message}");
}

/// The generated WebAssembly bindings. Not part of the API: use
/// [`export_policy!`].
#[doc(hidden)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "../wit",
        world: "policy",
        pub_export_macro: true,
        export_macro_name: "__export_world_policy",
        default_bindings_module: "clawlaw_sdk::bindings",
        runtime_path: "clawlaw_sdk::__private::wit_bindgen_rt",
    });
}

/// The WASI environment, where the standard library cannot read it
/// (`wasm32-unknown-unknown`): see `wit/environment.wit`.
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
#[doc(hidden)]
pub mod hints {
    wit_bindgen::generate!({
        path: "wit/environment.wit",
        world: "hints",
        runtime_path: "clawlaw_sdk::__private::wit_bindgen_rt",
    });
}

/// Glue used by [`export_policy!`]. Not part of the API.
#[doc(hidden)]
pub mod __private {
    pub use wit_bindgen::rt as wit_bindgen_rt;

    use std::any::Any;
    use std::cell::RefCell;
    use std::rc::Rc;

    use crate::bindings::clawlaw::policy::types as wit;
    use crate::{Action, Decision, PastAction, Policy, Session, Verdict};

    pub fn info<P: Policy>() -> wit::Info {
        let info = crate::full_info::<P>();
        wit::Info {
            name: info.name,
            version: info.version,
            rules: info
                .rules
                .into_iter()
                .map(|r| wit::Rule {
                    id: r.id,
                    summary: r.summary,
                })
                .collect(),
            kinds: info.kinds,
            session_parts: {
                use wit::SessionParts as P;
                let parts = info.session_parts;
                let pick = |read: bool, part: P| if read { part } else { P::empty() };
                pick(parts.labels, P::LABELS)
                    | pick(parts.counters, P::COUNTERS)
                    | pick(parts.recent, P::RECENT)
            },
        }
    }

    pub fn validate<P: Policy>(settings: String) -> Result<(), String> {
        let parsed = cached_settings::<P>(settings)?;
        let verdict = P::validate(&parsed);
        crate::start_arena();
        verdict
    }

    std::thread_local! {
        /// The settings this instance last parsed, with the string they came
        /// from. A pooled instance (or one pre-initialised by the gate) is
        /// called with the same settings every time: parsing them once, and
        /// keeping whatever a policy derives from them inside its settings
        /// type, takes that work off every later call. A fresh instance
        /// starts empty and pays for one parse, as before.
        static LAST_SETTINGS: RefCell<Option<(String, Rc<dyn Any>)>> = const { RefCell::new(None) };
    }

    /// The parsed settings for `json`, from the cache when it holds the same
    /// string. Only settings that parse are kept.
    fn cached_settings<P: Policy>(json: String) -> Result<Rc<P::Settings>, String> {
        let hit = LAST_SETTINGS.with_borrow(|last| match last {
            Some((text, parsed)) if *text == json => parsed.clone().downcast::<P::Settings>().ok(),
            _ => None,
        });
        if let Some(parsed) = hit {
            return Ok(parsed);
        }
        let parsed = Rc::new(crate::parse_settings::<P>(&json)?);
        let keep: Rc<dyn Any> = parsed.clone();
        LAST_SETTINGS.set(Some((json, keep)));
        Ok(parsed)
    }

    pub fn evaluate<P: Policy>(
        settings: String,
        action: wit::Action,
        session: wit::Session,
    ) -> wit::Decision {
        crate::arena_evaluation_starts();
        let action = Action {
            id: action.id,
            kind: action.kind,
            tool: action.tool,
            target: action.target,
            command: action.command,
            content: action.content,
            input: action.input,
            cwd: action.cwd,
        };
        let session = Session {
            id: session.id,
            intent: session.intent,
            scope: session.scope,
            actions: session.actions,
            labels: session.labels,
            counters: session.counters,
            risk: session.risk,
            recent: session
                .recent
                .into_iter()
                .map(|p| PastAction {
                    kind: p.kind,
                    target: p.target,
                    verdict: from_wit(p.verdict),
                    labels: p.labels,
                })
                .collect(),
        };
        let d: Decision = crate::decide::<P>(cached_settings::<P>(settings), &action, &session);
        wit::Decision {
            verdict: to_wit(d.verdict),
            risk: d.risk,
            reason: d.reason,
            rules: d.rules,
            labels: d.labels,
            counters: d.counters,
            redactions: d
                .redactions
                .into_iter()
                .map(|r| wit::Redaction {
                    field: r.field,
                    start: r.start,
                    end: r.end,
                    kind: r.kind,
                })
                .collect(),
        }
    }

    fn from_wit(v: wit::Verdict) -> Verdict {
        match v {
            wit::Verdict::Allow => Verdict::Allow,
            wit::Verdict::Deny => Verdict::Deny,
            wit::Verdict::Escalate => Verdict::Escalate,
        }
    }

    fn to_wit(v: Verdict) -> wit::Verdict {
        match v {
            Verdict::Allow => wit::Verdict::Allow,
            Verdict::Deny => wit::Verdict::Deny,
            Verdict::Escalate => wit::Verdict::Escalate,
        }
    }
}

/// Exports a [`Policy`] implementation as the component's `clawlaw:policy`
/// world. Invoke it once, at the crate root of a `cdylib` crate. It expands
/// to nothing on native targets, so several policies can be linked into one
/// native test binary.
#[macro_export]
macro_rules! export_policy {
    ($policy:ty) => {
        #[cfg(target_arch = "wasm32")]
        #[doc(hidden)]
        mod __clawlaw_policy_export {
            #[allow(unused_imports)]
            use super::*;

            pub struct Export;

            impl $crate::bindings::Guest for Export {
                fn info() -> $crate::bindings::clawlaw::policy::types::Info {
                    $crate::__private::info::<$policy>()
                }
                fn validate_settings(
                    settings: ::std::string::String,
                ) -> ::std::result::Result<(), ::std::string::String> {
                    $crate::__private::validate::<$policy>(settings)
                }
                fn evaluate(
                    settings: ::std::string::String,
                    action: $crate::bindings::clawlaw::policy::types::Action,
                    session: $crate::bindings::clawlaw::policy::types::Session,
                ) -> $crate::bindings::clawlaw::policy::types::Decision {
                    $crate::__private::evaluate::<$policy>(settings, action, session)
                }
            }

            $crate::bindings::__export_world_policy!(Export with_types_in $crate::bindings);
        }
    };
}
