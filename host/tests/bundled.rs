//! The bundled policies' case files, run natively and against the compiled
//! components through the gate, pre-initialised (as the gate runs them) and
//! not: all three must pass every case and agree on every decision.

use crate::common;

use clawlaw_engine::limits::Limits;
use clawlaw_engine::policy::LoadedPolicy;
use clawlaw_sdk::testing::CaseFile;
use clawlaw_sdk::{Decision, Policy};

fn run<P: Policy>(crate_name: &str) {
    let path = common::workspace_root()
        .join("policies")
        .join(crate_name)
        .join("cases.toml");
    let file = CaseFile::load(&path).unwrap();
    let bytes = std::fs::read(common::component(crate_name)).unwrap();
    let (engine, plain_engine) = (common::engine(), common::plain_engine());
    let mut failures = Vec::new();
    let mut loaded: Option<(String, LoadedPolicy, LoadedPolicy)> = None;
    for case in &file.cases {
        let settings = file.settings_for(case);
        if loaded.as_ref().is_none_or(|(s, _, _)| *s != settings) {
            // Decisions are what is checked here (deadlines: `sandbox::`):
            // a call preempted on a loaded machine must not fault.
            let limits = Limits {
                deadline_ms: 10_000,
                ..Limits::default()
            };
            let load = |engine| {
                LoadedPolicy::load(engine, &bytes, settings.clone(), limits)
                    .unwrap_or_else(|e| panic!("{crate_name}: case {:?}: {e}", case.name))
            };
            let (snapshot, plain) = (load(&engine), load(&plain_engine));
            assert!(
                snapshot.is_preinitialized(),
                "{crate_name}: not pre-initialised"
            );
            assert!(!plain.is_preinitialized());
            loaded = Some((settings.clone(), snapshot, plain));
        }
        let (_, policy, plain) = loaded.as_ref().unwrap();
        let wasm: Decision = match policy.evaluate(&case.action(), &case.session()).decision {
            Ok(d) => d,
            Err(fault) => {
                failures.push(format!("{}: component faulted: {fault}", case.name));
                continue;
            }
        };
        match plain.evaluate(&case.action(), &case.session()).decision {
            Ok(d) if d == wasm => {}
            other => failures.push(format!(
                "{}: the pre-initialised and the plain component disagree:\n  snapshot {wasm:?}\n  plain    {other:?}",
                case.name
            )),
        }
        let native = clawlaw_sdk::evaluate_json::<P>(&settings, &case.action(), &case.session());
        if native != wasm {
            failures.push(format!(
                "{}: native and Wasm disagree:\n  native {native:?}\n  wasm   {wasm:?}",
                case.name
            ));
        }
        if let Err(e) = case.check(wasm.verdict, &wasm.rules, &wasm.labels) {
            failures.push(format!("{}: {e} (reason: {})", case.name, wasm.reason));
        }
    }
    assert!(
        failures.is_empty(),
        "{crate_name}: {} of {} cases failed:\n{}",
        failures.len(),
        file.cases.len(),
        failures.join("\n")
    );
    assert!(
        file.cases.len() >= 30,
        "{crate_name} has only {} cases",
        file.cases.len()
    );
}

#[test]
fn fs_boundary_component_matches_its_cases_and_native() {
    run::<fs_boundary::FsBoundary>("fs-boundary");
}

#[test]
fn shell_guard_component_matches_its_cases_and_native() {
    run::<shell_guard::ShellGuard>("shell-guard");
}

#[test]
fn secrets_guard_component_matches_its_cases_and_native() {
    run::<secrets_guard::SecretsGuard>("secrets-guard");
}

#[test]
fn exfiltration_component_matches_its_cases_and_native() {
    run::<exfiltration::Exfiltration>("exfiltration");
}

#[test]
fn deploy_guard_component_matches_its_cases_and_native() {
    run::<deploy_guard::DeployGuard>("deploy-guard");
}

#[test]
fn ml_lifecycle_component_matches_its_cases_and_native() {
    run::<ml_lifecycle::MlLifecycle>("ml-lifecycle");
}

#[test]
fn governance_guard_component_matches_its_cases_and_native() {
    run::<governance_guard::GovernanceGuard>("governance-guard");
}

/// What a component is made of: its imports and its core modules.
fn imports_and_core_modules(bytes: &[u8]) -> (Vec<String>, usize) {
    use wasmparser::{Parser, Payload};
    let (mut imports, mut modules, mut depth) = (Vec::new(), 0, 0usize);
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.unwrap() {
            Payload::ModuleSection { .. } => modules += 1,
            Payload::ComponentSection { .. } => depth += 1,
            Payload::End(_) => depth = depth.saturating_sub(1),
            Payload::ComponentImportSection(section) if depth == 0 => {
                for import in section {
                    imports.push(import.unwrap().name.name.to_string());
                }
            }
            _ => {}
        }
    }
    (imports, modules)
}

/// The bundled policies are built without WASI: each component imports the
/// contract (its interface, its types, `log`) and, for those that read the
/// gate's load-time hint, WASI's environment, and nothing else; a fresh
/// instance of it is one core module (three with the hint's glue). A `wasm32-wasip2` build (the legacy
/// test component) imports a dozen WASI interfaces and carries more.
#[test]
fn bundled_components_import_the_contract_and_nothing_they_do_not_call() {
    let contract = ["action", "session", "decision", "info", "log"];
    let mut reading_hints = Vec::new();
    for name in common::bundled_policies() {
        let bytes = std::fs::read(common::component(&name)).unwrap();
        let (imports, modules) = imports_and_core_modules(&bytes);
        let mut hints = false;
        for import in &imports {
            if import.starts_with("wasi:cli/environment@") {
                hints = true;
            } else {
                assert!(
                    import.starts_with("clawlaw:policy/types@") || contract.contains(&&**import),
                    "{name} imports {import}"
                );
            }
        }
        // Lowering `get-environment` (it returns a list, allocated by the
        // policy's own `cabi_realloc`) takes two tiny glue modules.
        let most = if hints { 3 } else { 1 };
        assert!(modules <= most, "{name}: {modules} core modules");
        if hints {
            reading_hints.push(name);
        }
    }
    // secrets::prepare reads the hint: the policies that scan for secrets.
    assert!(
        reading_hints.contains(&"secrets-guard".to_string()),
        "{reading_hints:?}"
    );

    let legacy = std::fs::read(common::component("legacy-policy")).unwrap();
    let (imports, modules) = imports_and_core_modules(&legacy);
    assert!(modules > 1, "{modules}");
    assert!(
        imports.iter().filter(|i| i.starts_with("wasi:")).count() > 5,
        "{imports:?}"
    );
}
