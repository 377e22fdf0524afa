//! The versions of the `clawlaw:policy` contract the gate speaks, and how a
//! component is called through the one it was built against.
//!
//! - `0.2.0` (`wit/policy.wit`), what the SDK targets: the decision carries
//!   `redactions`, the secrets a policy found in the action;
//! - `0.1.0` (`wit/0.1.0/policy.wit`, frozen): every component built before
//!   0.2.0. It is called as it always was and its decisions carry no
//!   redactions.
//!
//! A component's version is read from its type at load ([`detect`]): the
//! version of the `clawlaw:policy/types` interface it imports, which is the
//! package its `policy` world came from. The component is then linked and
//! type-checked against that version's bindings only, so a component that
//! claims a version but does not implement it is refused with that
//! version's error. The rest of the engine sees one `Pre`, one `Instance`
//! and the 0.2.0 types (`wit`): the action and session records are the
//! same in both versions, so a 0.1.0 component is handed the 0.2.0 values
//! as they are (the component model checks records by shape, not by name),
//! without a copy; only its decision is converted.

use serde::Serialize;
use wasmtime::Store;
use wasmtime::component::{Component, HasSelf, Linker, types::ComponentItem};

use crate::fault::one_line;
use crate::sandbox::SandboxState;

/// The host side of `clawlaw:policy@0.2.0`, the current contract.
pub(crate) mod v0_2 {
    wasmtime::component::bindgen!({
        path: "../../wit",
        world: "policy",
    });
}

/// The host side of `clawlaw:policy@0.1.0`.
pub(crate) mod v0_1 {
    wasmtime::component::bindgen!({
        path: "../../wit/0.1.0",
        world: "policy",
    });
}

/// The contract's values, as the gate builds and reads them.
pub(crate) use v0_2::clawlaw::policy::types as wit;

impl wit::Host for SandboxState {}
impl v0_1::clawlaw::policy::types::Host for SandboxState {}

impl v0_2::PolicyImports for SandboxState {
    fn log(&mut self, message: String) {
        self.log.push(message);
    }
}

/// A version of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ContractVersion {
    #[serde(rename = "0.1.0")]
    V0_1,
    #[serde(rename = "0.2.0")]
    V0_2,
}

impl ContractVersion {
    /// Every version the gate loads, newest first.
    pub const ALL: [ContractVersion; 2] = [ContractVersion::V0_2, ContractVersion::V0_1];

    pub fn as_str(self) -> &'static str {
        match self {
            ContractVersion::V0_1 => "0.1.0",
            ContractVersion::V0_2 => "0.2.0",
        }
    }

    fn from_version(v: &str) -> Option<ContractVersion> {
        ContractVersion::ALL.into_iter().find(|c| c.as_str() == v)
    }
}

impl std::fmt::Display for ContractVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The interface whose version names a component's contract version.
const TYPES_INTERFACE: &str = "clawlaw:policy/types@";

/// Defines what a policy may import, for every version: `log` (the same
/// function in both) and each version's `types` interface.
pub(crate) fn add_to_linker(linker: &mut Linker<SandboxState>) -> wasmtime::Result<()> {
    v0_2::Policy::add_to_linker::<SandboxState, HasSelf<SandboxState>>(linker, |s| s)?;
    v0_1::clawlaw::policy::types::add_to_linker::<SandboxState, HasSelf<SandboxState>>(
        linker,
        |s| s,
    )
}

/// The contract version a component was built against, read from the
/// `clawlaw:policy/types@<version>` interface it imports. `Ok(None)` when
/// it imports none (then it is no policy, or one whose types come from
/// nowhere: linking says which); an error for a version this gate does not
/// know.
pub fn detect(
    engine: &wasmtime::Engine,
    component: &Component,
) -> Result<Option<ContractVersion>, String> {
    let ty = component.component_type();
    for (name, item) in ty.imports(engine) {
        let Some(version) = name.strip_prefix(TYPES_INTERFACE) else {
            continue;
        };
        if !matches!(item.ty, ComponentItem::ComponentInstance(_)) {
            continue;
        }
        return ContractVersion::from_version(version)
            .map(Some)
            .ok_or_else(|| {
                format!(
                    "it was built against clawlaw:policy@{version}; this gate implements {}",
                    ContractVersion::ALL.map(|v| format!("@{v}")).join(" and ")
                )
            });
    }
    Ok(None)
}

/// A component linked against the sandbox and checked to export the
/// `policy` world of its version.
pub(crate) enum Pre {
    V0_1(v0_1::PolicyPre<SandboxState>),
    V0_2(v0_2::PolicyPre<SandboxState>),
}

impl Pre {
    /// Links `component` as a policy of the version [`detect`] reads from
    /// it, or, when it names none, of whichever version links (newest
    /// first). The error says which world it fails to implement and why.
    pub(crate) fn link(
        engine: &wasmtime::Engine,
        linker: &Linker<SandboxState>,
        component: &Component,
    ) -> Result<Pre, String> {
        let link_as = |version: ContractVersion| -> Result<Pre, String> {
            let pre = linker
                .instantiate_pre(component)
                .map_err(|e| one_line(&e))?;
            match version {
                ContractVersion::V0_1 => v0_1::PolicyPre::new(pre).map(Pre::V0_1),
                ContractVersion::V0_2 => v0_2::PolicyPre::new(pre).map(Pre::V0_2),
            }
            .map_err(|e| one_line(&e))
        };
        let world = |v: ContractVersion| format!("the clawlaw:policy@{v} world");
        let detected = detect(engine, component)
            .map_err(|e| format!("{}: {e}", world(ContractVersion::V0_2)))?;
        match detected {
            Some(version) => link_as(version).map_err(|e| format!("{}: {e}", world(version))),
            None => link_as(ContractVersion::V0_2)
                .or_else(|e| link_as(ContractVersion::V0_1).map_err(|_| e))
                .map_err(|e| {
                    let all = ContractVersion::ALL.map(world).join(" nor ");
                    format!("{all}: {e}")
                }),
        }
    }

    pub(crate) fn version(&self) -> ContractVersion {
        match self {
            Pre::V0_1(_) => ContractVersion::V0_1,
            Pre::V0_2(_) => ContractVersion::V0_2,
        }
    }

    /// A new instance in `store`.
    pub(crate) fn instantiate(
        &self,
        store: &mut Store<SandboxState>,
    ) -> wasmtime::Result<Instance> {
        Ok(match self {
            Pre::V0_1(pre) => Instance::V0_1(pre.instantiate(store)?),
            Pre::V0_2(pre) => Instance::V0_2(pre.instantiate(store)?),
        })
    }
}

/// One instance of a policy, of either version.
pub(crate) enum Instance {
    V0_1(v0_1::Policy),
    V0_2(v0_2::Policy),
}

impl Instance {
    /// The policy exports of an instance made outside a [`Pre`] (the
    /// pre-initialisation snapshot instruments the component first).
    pub(crate) fn new(
        store: &mut Store<SandboxState>,
        instance: &wasmtime::component::Instance,
        version: ContractVersion,
    ) -> wasmtime::Result<Instance> {
        Ok(match version {
            ContractVersion::V0_1 => Instance::V0_1(v0_1::Policy::new(store, instance)?),
            ContractVersion::V0_2 => Instance::V0_2(v0_2::Policy::new(store, instance)?),
        })
    }

    pub(crate) fn call_info(&self, store: &mut Store<SandboxState>) -> wasmtime::Result<wit::Info> {
        match self {
            Instance::V0_2(p) => p.call_info(store),
            Instance::V0_1(p) => {
                let info = p.call_info(store)?;
                Ok(wit::Info {
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
                })
            }
        }
    }

    pub(crate) fn call_validate_settings(
        &self,
        store: &mut Store<SandboxState>,
        settings: &str,
    ) -> wasmtime::Result<Result<(), String>> {
        match self {
            Instance::V0_2(p) => p.call_validate_settings(store, settings),
            Instance::V0_1(p) => p.call_validate_settings(store, settings),
        }
    }

    /// Decides one action. A 0.1.0 component is handed the 0.2.0 action
    /// and session as they are: the records are the same shape, which the
    /// typed call checks.
    pub(crate) fn call_evaluate(
        &self,
        store: &mut Store<SandboxState>,
        settings: &str,
        action: &wit::Action,
        session: &wit::Session,
    ) -> wasmtime::Result<wit::Decision> {
        match self {
            Instance::V0_2(p) => p.call_evaluate(store, settings, action, session),
            Instance::V0_1(p) => {
                type Params<'a> = (&'a str, &'a wit::Action, &'a wit::Session);
                let evaluate = p
                    .func_evaluate()
                    .func()
                    .typed::<Params<'_>, (v0_1::clawlaw::policy::types::Decision,)>(&*store)?;
                let (d,) = evaluate.call(&mut *store, (settings, action, session))?;
                use v0_1::clawlaw::policy::types::Verdict as V1;
                Ok(wit::Decision {
                    verdict: match d.verdict {
                        V1::Allow => wit::Verdict::Allow,
                        V1::Deny => wit::Verdict::Deny,
                        V1::Escalate => wit::Verdict::Escalate,
                    },
                    risk: d.risk,
                    reason: d.reason,
                    rules: d.rules,
                    labels: d.labels,
                    counters: d.counters,
                    redactions: Vec::new(),
                })
            }
        }
    }
}

/// Converts the contract's plain Rust values to the bindings' types.
pub(crate) mod convert {
    use super::wit;
    use clawlaw_sdk::{Action, Session, Verdict};

    pub fn action(a: &Action) -> wit::Action {
        wit::Action {
            id: a.id.clone(),
            kind: a.kind.clone(),
            tool: a.tool.clone(),
            target: a.target.clone(),
            command: a.command.clone(),
            content: a.content.clone(),
            input: a.input.clone(),
            cwd: a.cwd.clone(),
        }
    }

    pub fn session(s: &Session) -> wit::Session {
        wit::Session {
            id: s.id.clone(),
            intent: s.intent.clone(),
            scope: s.scope.clone(),
            actions: s.actions,
            labels: s.labels.clone(),
            counters: s.counters.clone(),
            risk: s.risk,
            recent: s
                .recent
                .iter()
                .map(|p| wit::PastAction {
                    kind: p.kind.clone(),
                    target: p.target.clone(),
                    verdict: match p.verdict {
                        Verdict::Allow => wit::Verdict::Allow,
                        Verdict::Deny => wit::Verdict::Deny,
                        Verdict::Escalate => wit::Verdict::Escalate,
                    },
                    labels: p.labels.clone(),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn component(engine: &wasmtime::Engine, wat: &str) -> Component {
        Component::new(engine, wat::parse_str(wat).unwrap()).unwrap()
    }

    #[test]
    fn the_version_is_read_from_the_types_interface_a_component_imports() {
        let mut config = wasmtime::Config::new();
        config.wasm_component_model(true);
        let engine = wasmtime::Engine::new(&config).unwrap();
        let importing = |v: &str| {
            component(
                &engine,
                &format!(r#"(component (import "clawlaw:policy/types@{v}" (instance)))"#),
            )
        };
        assert_eq!(
            detect(&engine, &importing("0.1.0")),
            Ok(Some(ContractVersion::V0_1))
        );
        assert_eq!(
            detect(&engine, &importing("0.2.0")),
            Ok(Some(ContractVersion::V0_2))
        );
        let err = detect(&engine, &importing("0.9.0")).unwrap_err();
        assert!(err.contains("built against clawlaw:policy@0.9.0"), "{err}");
        assert!(err.contains("@0.2.0 and @0.1.0"), "{err}");
        assert_eq!(
            detect(&engine, &component(&engine, "(component)")),
            Ok(None)
        );
    }
}
