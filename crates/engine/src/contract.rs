//! The versions of the `clawlaw:policy` contract the gate speaks, and how a
//! component is called through the one it was built against.
//!
//! - `0.4.0` (`wit/policy.wit`), what the SDK targets: `info` carries
//!   `session-parts`, the parts of the session view the policy reads (the
//!   set hands it only those, [`crate::policy_set`]);
//! - `0.3.0` (`wit/0.3.0/policy.wit`, frozen): `info` carries `kinds`, the
//!   action kinds the policy judges (the set consults it only on those). It
//!   reads the whole session view;
//! - `0.2.0` (`wit/0.2.0/policy.wit`, frozen): the decision carries
//!   `redactions`, the secrets a policy found in the action. Its `info`
//!   names no kinds: it judges every kind, and reads the whole view;
//! - `0.1.0` (`wit/0.1.0/policy.wit`, frozen): every component built before
//!   0.2.0. It is called as it always was, judges every kind, and its
//!   decisions carry no redactions.
//!
//! A component's version is read from its type at load ([`detect`]): the
//! version of the `clawlaw:policy/types` interface it imports, which is the
//! package its `policy` world came from. The component is then linked and
//! type-checked against that version's bindings only, so a component that
//! claims a version but does not implement it is refused with that
//! version's error. The rest of the engine sees one `Pre`, one `Instance`
//! and the 0.4.0 types (`wit`): the action and session records are the
//! same in every version, so an older component is handed the 0.4.0 values
//! as they are (the component model checks records by shape, not by name),
//! without a copy. The 0.2.0 and 0.3.0 decisions are the 0.4.0 one, read
//! as they are; only a 0.1.0 decision is converted. An older `info` gains
//! every session part, and before 0.3.0 an empty `kinds`.

use serde::Serialize;
use wasmtime::Store;
use wasmtime::component::{Component, ComponentType, HasSelf, Lift, Linker, types::ComponentItem};

use crate::fault::one_line;
use crate::sandbox::SandboxState;

/// The host side of `clawlaw:policy@0.4.0`, the current contract.
pub(crate) mod v0_4 {
    wasmtime::component::bindgen!({
        path: "../../wit",
        world: "policy",
    });
}

/// The host side of `clawlaw:policy@0.3.0`.
pub(crate) mod v0_3 {
    wasmtime::component::bindgen!({
        path: "../../wit/0.3.0",
        world: "policy",
    });
}

/// The host side of `clawlaw:policy@0.2.0`.
pub(crate) mod v0_2 {
    wasmtime::component::bindgen!({
        path: "../../wit/0.2.0",
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
pub(crate) use v0_4::clawlaw::policy::types as wit;

impl wit::Host for SandboxState {}
impl v0_3::clawlaw::policy::types::Host for SandboxState {}
impl v0_2::clawlaw::policy::types::Host for SandboxState {}
impl v0_1::clawlaw::policy::types::Host for SandboxState {}

impl v0_4::PolicyImports for SandboxState {
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
    #[serde(rename = "0.3.0")]
    V0_3,
    #[serde(rename = "0.4.0")]
    V0_4,
}

impl ContractVersion {
    /// Every version the gate loads, newest first.
    pub const ALL: [ContractVersion; 4] = [
        ContractVersion::V0_4,
        ContractVersion::V0_3,
        ContractVersion::V0_2,
        ContractVersion::V0_1,
    ];

    /// The version the SDK builds components against.
    pub const CURRENT: ContractVersion = ContractVersion::ALL[0];

    pub fn as_str(self) -> &'static str {
        match self {
            ContractVersion::V0_1 => "0.1.0",
            ContractVersion::V0_2 => "0.2.0",
            ContractVersion::V0_3 => "0.3.0",
            ContractVersion::V0_4 => "0.4.0",
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
/// function in all) and each version's `types` interface.
pub(crate) fn add_to_linker(linker: &mut Linker<SandboxState>) -> wasmtime::Result<()> {
    v0_4::Policy::add_to_linker::<SandboxState, HasSelf<SandboxState>>(linker, |s| s)?;
    v0_3::clawlaw::policy::types::add_to_linker::<SandboxState, HasSelf<SandboxState>>(
        linker,
        |s| s,
    )?;
    v0_2::clawlaw::policy::types::add_to_linker::<SandboxState, HasSelf<SandboxState>>(
        linker,
        |s| s,
    )?;
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
                    ContractVersion::ALL.map(|v| format!("@{v}")).join(", ")
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
    V0_3(v0_3::PolicyPre<SandboxState>),
    V0_4(v0_4::PolicyPre<SandboxState>),
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
                ContractVersion::V0_3 => v0_3::PolicyPre::new(pre).map(Pre::V0_3),
                ContractVersion::V0_4 => v0_4::PolicyPre::new(pre).map(Pre::V0_4),
            }
            .map_err(|e| one_line(&e))
        };
        let world = |v: ContractVersion| format!("the clawlaw:policy@{v} world");
        let detected = detect(engine, component)
            .map_err(|e| format!("{}: {e}", world(ContractVersion::CURRENT)))?;
        if let Some(version) = detected {
            return link_as(version).map_err(|e| format!("{}: {e}", world(version)));
        }
        // Newest first; the error is the newest version's.
        let mut newest_error = None;
        for version in ContractVersion::ALL {
            match link_as(version) {
                Ok(pre) => return Ok(pre),
                Err(e) => {
                    newest_error.get_or_insert(e);
                }
            }
        }
        let all = ContractVersion::ALL.map(world).join(" nor ");
        Err(format!("{all}: {}", newest_error.unwrap_or_default()))
    }

    pub(crate) fn version(&self) -> ContractVersion {
        match self {
            Pre::V0_1(_) => ContractVersion::V0_1,
            Pre::V0_2(_) => ContractVersion::V0_2,
            Pre::V0_3(_) => ContractVersion::V0_3,
            Pre::V0_4(_) => ContractVersion::V0_4,
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
            Pre::V0_3(pre) => Instance::V0_3(pre.instantiate(store)?),
            Pre::V0_4(pre) => Instance::V0_4(pre.instantiate(store)?),
        })
    }
}

/// The `info` record of 0.1.0 and 0.2.0 (the same in both): 0.3.0's
/// without `kinds`, its rules read straight into 0.3.0's.
#[derive(ComponentType, Lift)]
#[component(record)]
struct InfoBefore0_3 {
    name: String,
    version: String,
    rules: Vec<wit::Rule>,
}

impl InfoBefore0_3 {
    /// Calls a 0.1.0 or 0.2.0 `info` and reads it as 0.3.0's, with no kinds.
    fn call(
        info: wasmtime::component::Func,
        store: &mut Store<SandboxState>,
    ) -> wasmtime::Result<Info0_3> {
        let (i,) = info
            .typed::<(), (InfoBefore0_3,)>(&*store)?
            .call(&mut *store, ())?;
        Ok(Info0_3 {
            name: i.name,
            version: i.version,
            rules: i.rules,
            kinds: Vec::new(),
        })
    }
}

/// The `info` record of 0.3.0: 0.4.0's without `session-parts`, its rules
/// read straight into 0.4.0's.
#[derive(ComponentType, Lift)]
#[component(record)]
struct Info0_3 {
    name: String,
    version: String,
    rules: Vec<wit::Rule>,
    kinds: Vec<String>,
}

/// One instance of a policy, of any version.
pub(crate) enum Instance {
    V0_1(v0_1::Policy),
    V0_2(v0_2::Policy),
    V0_3(v0_3::Policy),
    V0_4(v0_4::Policy),
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
            ContractVersion::V0_3 => Instance::V0_3(v0_3::Policy::new(store, instance)?),
            ContractVersion::V0_4 => Instance::V0_4(v0_4::Policy::new(store, instance)?),
        })
    }

    /// What the policy says about itself. An older component reads every
    /// part of the session view; the `info` of a 0.1.0 or 0.2.0 one
    /// ([`InfoBefore0_3`]) names no kinds: it judges every kind.
    pub(crate) fn call_info(&self, store: &mut Store<SandboxState>) -> wasmtime::Result<wit::Info> {
        let info = match self {
            Instance::V0_4(p) => return p.call_info(store),
            Instance::V0_3(p) => {
                p.func_info()
                    .func()
                    .typed::<(), (Info0_3,)>(&*store)?
                    .call(&mut *store, ())?
                    .0
            }
            Instance::V0_2(p) => InfoBefore0_3::call(*p.func_info().func(), store)?,
            Instance::V0_1(p) => InfoBefore0_3::call(*p.func_info().func(), store)?,
        };
        Ok(wit::Info {
            name: info.name,
            version: info.version,
            rules: info.rules,
            kinds: info.kinds,
            session_parts: wit::SessionParts::all(),
        })
    }

    pub(crate) fn call_validate_settings(
        &self,
        store: &mut Store<SandboxState>,
        settings: &str,
    ) -> wasmtime::Result<Result<(), String>> {
        match self {
            Instance::V0_4(p) => p.call_validate_settings(store, settings),
            Instance::V0_3(p) => p.call_validate_settings(store, settings),
            Instance::V0_2(p) => p.call_validate_settings(store, settings),
            Instance::V0_1(p) => p.call_validate_settings(store, settings),
        }
    }

    /// Decides one action. An older component is handed the 0.4.0 action
    /// and session as they are: the records are the same shape in every
    /// version, which the typed call checks. A 0.2.0 or 0.3.0 decision is
    /// read as the 0.4.0 one (the same record); a 0.1.0 one gains no
    /// redactions.
    pub(crate) fn call_evaluate(
        &self,
        store: &mut Store<SandboxState>,
        settings: &str,
        action: &wit::Action,
        session: &wit::Session,
    ) -> wasmtime::Result<wit::Decision> {
        type Params<'a> = (&'a str, &'a wit::Action, &'a wit::Session);
        let same_decision = |f: wasmtime::component::Func, store: &mut Store<SandboxState>| {
            Ok(f.typed::<Params<'_>, (wit::Decision,)>(&*store)?
                .call(&mut *store, (settings, action, session))?
                .0)
        };
        match self {
            Instance::V0_4(p) => p.call_evaluate(store, settings, action, session),
            Instance::V0_3(p) => same_decision(*p.func_evaluate().func(), store),
            Instance::V0_2(p) => same_decision(*p.func_evaluate().func(), store),
            Instance::V0_1(p) => {
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
    use clawlaw_sdk::{Action, Session, SessionParts, Verdict};

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

    /// The parts a policy declares it reads, from its `info`.
    pub fn session_parts(parts: wit::SessionParts) -> SessionParts {
        SessionParts {
            labels: parts.contains(wit::SessionParts::LABELS),
            counters: parts.contains(wit::SessionParts::COUNTERS),
            recent: parts.contains(wit::SessionParts::RECENT),
        }
    }

    /// The view of `s` a policy reading `parts` is handed: the others are
    /// empty, and so cost nothing to copy into its instance.
    pub fn session(s: &Session, parts: SessionParts) -> wit::Session {
        let kept = |read: bool, n: usize| if read { n } else { 0 };
        wit::Session {
            id: s.id.clone(),
            intent: s.intent.clone(),
            scope: s.scope.clone(),
            actions: s.actions,
            labels: s.labels[..kept(parts.labels, s.labels.len())].to_vec(),
            counters: s.counters[..kept(parts.counters, s.counters.len())].to_vec(),
            risk: s.risk,
            recent: s.recent[..kept(parts.recent, s.recent.len())]
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

    /// A component built against 0.2.0, by hand: it imports the 0.2.0
    /// types, names itself `v02-policy` with one rule `v02.r` (and, being
    /// 0.2.0, no kinds), accepts any settings, and denies every action with
    /// risk 0.5, rule `v02.r`, the action's kind as its reason, and a
    /// redaction of `content` bytes 0..3 (kind `k`).
    const V0_2_COMPONENT: &str = r#"(component
      (import "clawlaw:policy/types@0.2.0" (instance $types
        (type $verdict' (enum "allow" "deny" "escalate"))
        (export "verdict" (type $verdict (eq $verdict')))
        (type $action' (record (field "id" string) (field "kind" string) (field "tool" string)
          (field "target" (option string)) (field "command" (option string))
          (field "content" (option string)) (field "input" string) (field "cwd" (option string))))
        (export "action" (type $action (eq $action')))
        (type $past' (record (field "kind" string) (field "target" (option string))
          (field "verdict" $verdict) (field "labels" (list string))))
        (export "past-action" (type $past (eq $past')))
        (type $session' (record (field "id" string) (field "intent" (option string))
          (field "scope" (list string)) (field "actions" u64) (field "labels" (list string))
          (field "counters" (list (tuple string s64))) (field "risk" f32)
          (field "recent" (list $past))))
        (export "session" (type $session (eq $session')))
        (type $redaction' (record (field "field" string) (field "start" u32) (field "end" u32)
          (field "kind" string)))
        (export "redaction" (type $redaction (eq $redaction')))
        (type $decision' (record (field "verdict" $verdict) (field "risk" f32)
          (field "reason" string) (field "rules" (list string)) (field "labels" (list string))
          (field "counters" (list (tuple string s64))) (field "redactions" (list $redaction))))
        (export "decision" (type $decision (eq $decision')))
        (type $rule' (record (field "id" string) (field "summary" string)))
        (export "rule" (type $rule (eq $rule')))
        (type $info' (record (field "name" string) (field "version" string)
          (field "rules" (list $rule))))
        (export "info" (type $info (eq $info')))))
      (alias export $types "action" (type $action))
      (alias export $types "session" (type $session))
      (alias export $types "decision" (type $decision))
      (alias export $types "info" (type $info))
      (core module $m
        (memory (export "memory") 1)
        (global $bump (mut i32) (i32.const 4096))
        (func (export "realloc") (param i32 i32 i32 i32) (result i32)
          (local $p i32)
          (local.set $p (i32.and
            (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
            (i32.sub (i32.const 0) (local.get 2))))
          (global.set $bump (i32.add (local.get $p) (local.get 3)))
          (local.get $p))
        (data (i32.const 16) "v02-policy")
        (data (i32.const 32) "1.0.0")
        (data (i32.const 48) "v02.r")
        (data (i32.const 64) "a rule")
        ;; the rule: id (48, 5), summary (64, 6)
        (data (i32.const 80) "\30\00\00\00\05\00\00\00\40\00\00\00\06\00\00\00")
        ;; info: name (16, 10), version (32, 5), rules (80, 1)
        (data (i32.const 96) "\10\00\00\00\0a\00\00\00\20\00\00\00\05\00\00\00\50\00\00\00\01\00\00\00")
        (func (export "info") (result i32) (i32.const 96))
        (func (export "validate-settings") (param i32 i32) (result i32)
          (i32.store8 (i32.const 128) (i32.const 0))
          (i32.const 128))
        ;; the decision: deny, 0.5, reason (set below), rules (336, 1),
        ;; no labels or counters, redactions (352, 1)
        (data (i32.const 256) "\01\00\00\00\00\00\00\3f\00\00\00\00\00\00\00\00\50\01\00\00\01\00\00\00")
        (data (i32.const 296) "\60\01\00\00\01\00\00\00")
        (data (i32.const 336) "\30\00\00\00\05\00\00\00")
        ;; the redaction: field (384, 7), 0..3, kind (400, 1)
        (data (i32.const 352) "\80\01\00\00\07\00\00\00\00\00\00\00\03\00\00\00\90\01\00\00\01\00\00\00")
        (data (i32.const 384) "content")
        (data (i32.const 400) "k")
        ;; The parameters are in memory: settings (8 bytes), then the
        ;; action, whose `kind` is its second string.
        (func (export "evaluate") (param $params i32) (result i32)
          (i32.store (i32.const 264) (i32.load offset=16 (local.get $params)))
          (i32.store (i32.const 268) (i32.load offset=20 (local.get $params)))
          (i32.const 256)))
      (core instance $i (instantiate $m))
      (alias core export $i "memory" (core memory $mem))
      (alias core export $i "realloc" (core func $realloc))
      (func (export "info") (result $info)
        (canon lift (core func $i "info") (memory $mem) (realloc $realloc)))
      (func (export "validate-settings") (param "settings" string) (result (result (error string)))
        (canon lift (core func $i "validate-settings") (memory $mem) (realloc $realloc)))
      (func (export "evaluate")
        (param "settings" string) (param "action" $action) (param "session" $session)
        (result $decision)
        (canon lift (core func $i "evaluate") (memory $mem) (realloc $realloc)))
    )"#;

    #[test]
    fn a_0_2_0_component_loads_as_judging_every_kind_and_keeps_its_redactions() {
        use crate::engine::{Engine, EngineConfig};
        use crate::policy::LoadedPolicy;
        let engine = Engine::new(&EngineConfig {
            cache_dir: None,
            preinitialize: false,
            ..EngineConfig::default()
        })
        .unwrap();
        let bytes = wat::parse_str(V0_2_COMPONENT).unwrap();
        let policy = LoadedPolicy::load(&engine, &bytes, "{}".into(), Default::default()).unwrap();
        assert_eq!(policy.contract(), ContractVersion::V0_2);
        assert_eq!(
            (policy.id().name.as_str(), policy.id().version.as_str()),
            ("v02-policy", "1.0.0")
        );
        assert_eq!(policy.rules()[0].id, "v02.r");
        assert!(policy.kinds().is_empty());
        assert!(policy.judges("k8s.apply") && policy.judges("any.kind"));
        let action = clawlaw_sdk::Action::write("/w/a.txt", "abcdef");
        let d = policy
            .evaluate(&action, &clawlaw_sdk::Session::default())
            .decision
            .unwrap();
        assert_eq!(d.verdict, clawlaw_sdk::Verdict::Deny);
        assert_eq!((d.risk, d.reason.as_str()), (0.5, "file.write"));
        assert_eq!(d.rules, ["v02.r"]);
        assert_eq!(d.redactions.len(), 1);
        let r = &d.redactions[0];
        assert_eq!(
            (r.field.as_str(), r.start, r.end, r.kind.as_str()),
            ("content", 0, 3, "k")
        );
    }

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
        assert_eq!(
            detect(&engine, &importing("0.3.0")),
            Ok(Some(ContractVersion::V0_3))
        );
        assert_eq!(
            detect(&engine, &importing("0.4.0")),
            Ok(Some(ContractVersion::V0_4))
        );
        let err = detect(&engine, &importing("0.9.0")).unwrap_err();
        assert!(err.contains("built against clawlaw:policy@0.9.0"), "{err}");
        assert!(err.contains("@0.4.0, @0.3.0, @0.2.0, @0.1.0"), "{err}");
        assert_eq!(
            detect(&engine, &component(&engine, "(component)")),
            Ok(None)
        );
    }
}
