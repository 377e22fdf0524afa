//! A hostile policy for the gate's sandbox tests. Its settings choose how it
//! misbehaves, so one component covers every fault the gate must survive:
//!
//! | `mode`       | what `evaluate` does                                        |
//! |--------------|-------------------------------------------------------------|
//! | `ok`         | allows, as a well-behaved policy would                      |
//! | `loop`       | spins forever                                               |
//! | `alloc`      | allocates and touches memory without bound                  |
//! | `recurse`    | recurses without bound, with locals on the shadow stack     |
//! | `recurse-wasm` | recurses without bound on the WebAssembly stack itself    |
//! | `trap`       | executes `unreachable`                                      |
//! | `panic`      | panics                                                      |
//! | `giant`      | returns a decision whose reason is `size` bytes             |
//! | `bad-risk`   | returns a NaN risk                                          |
//! | `log-flood`  | calls `log` a million times with 1 KiB lines                |
//! | `probe`      | tries files, sockets, environment, clocks, randomness, and  |
//! |              | reports in its reason (as JSON) what it could reach         |
//! | `stateful`   | counts its calls in a global and allows, noting `calls <n>`; |
//! |              | with `trap_at` > 0 it traps on that call (pooled-mode tests) |
//! | `view`       | reports in its reason (as JSON) how many labels, counters   |
//! |              | and recent actions the session view it was handed holds     |
//!
//! It declares that it reads the session's counters and no other part of the
//! view, so `view` shows what the gate hands a policy that declares fewer
//! parts than all.
//!
//! With `"in_validate": true` the misbehaviour happens in `validate-settings`
//! instead, so the gate's load path is tested too.

use clawlaw_sdk::{Action, Decision, Info, Policy, Session, SessionPart, export_policy};
use serde::Deserialize;
use std::hint::black_box;

#[derive(Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub mode: String,
    pub in_validate: bool,
    /// For `giant`: the reason's size in bytes.
    pub size: usize,
    /// For `probe`: an address to try to connect to.
    pub addr: Option<String>,
    /// For `stateful`: the call (1-based, counted per instance) that traps; 0 never.
    pub trap_at: u64,
}

pub struct Hostile;

/// The version `info` reports, kept in the component's data behind a fixed
/// marker so tests can make "the same policy, another version" by patching
/// these bytes in the compiled component (same length) instead of building
/// it again: see `VERSION_MARKER`.
static VERSION_SLOT: [u8; 32] = *b"CLAWLAW_TEST_VERSION=0.1.0\0\0\0\0\0\0";

/// What precedes the version in the component's bytes.
pub const VERSION_MARKER: &str = "CLAWLAW_TEST_VERSION=";

fn version() -> String {
    // Read through black_box so the bytes stay in the data segment.
    let slot: &[u8; 32] = black_box(&VERSION_SLOT);
    let text = &slot[VERSION_MARKER.len()..];
    let end = text.iter().position(|&b| b == 0).unwrap_or(text.len());
    String::from_utf8_lossy(&text[..end]).into_owned()
}

impl Policy for Hostile {
    type Settings = Settings;

    fn info() -> Info {
        Info::new("hostile", &version())
            .rule("hostile.probe", "Reports what the sandbox let it reach")
            .reading(&[SessionPart::Counters])
    }

    fn validate(settings: &Settings) -> Result<(), String> {
        if settings.in_validate {
            misbehave(settings);
        }
        Ok(())
    }

    fn evaluate(settings: &Settings, _action: &Action, session: &Session) -> Decision {
        if settings.mode == "view" {
            let seen = serde_json::json!({
                "labels": session.labels.len(),
                "counters": session.counters.len(),
                "recent": session.recent.len(),
            });
            return Decision::allow_noting("hostile.probe", seen.to_string());
        }
        misbehave(settings)
    }
}

fn misbehave(settings: &Settings) -> Decision {
    match settings.mode.as_str() {
        "loop" => loop {
            black_box(());
        },
        "alloc" => {
            let mut hoard: Vec<Vec<u8>> = Vec::new();
            loop {
                hoard.push(vec![1u8; 1 << 20]);
                black_box(&hoard);
            }
        }
        "recurse" => {
            Decision::allow_noting("hostile.probe", format!("depth {}", recurse(black_box(1))))
        }
        "recurse-wasm" => Decision::allow_noting(
            "hostile.probe",
            format!("depth {}", recurse_wasm(black_box(1))),
        ),
        "trap" => trap(),
        "panic" => panic!("hostile policy panics on purpose"),
        "giant" => Decision::allow_noting("hostile.probe", "x".repeat(settings.size.max(1))),
        "bad-risk" => {
            let mut d = Decision::allow();
            d.risk = f32::NAN;
            d
        }
        "log-flood" => {
            let line = "y".repeat(1024);
            for _ in 0..1_000_000 {
                clawlaw_sdk::log(&line);
            }
            Decision::allow()
        }
        "probe" => {
            Decision::allow_noting("hostile.probe", probe(settings.addr.as_deref()).to_string())
        }
        "stateful" => {
            // State an instance carries from one evaluation to the next: what
            // pooled mode lets through and recycling bounds.
            static CALLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
            let n = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            if n == settings.trap_at {
                trap()
            } else {
                Decision::allow_noting("hostile.probe", format!("calls {n}"))
            }
        }
        _ => Decision::allow(),
    }
}

#[allow(unconditional_recursion)]
fn recurse(n: u64) -> u64 {
    let local = [n; 64];
    black_box(&local);
    recurse(black_box(n + 1)) + local[3]
}

/// No addressable locals, so the frames live on the wasm stack, not in
/// linear memory; not a tail call, so it cannot become a loop.
#[allow(unconditional_recursion)]
fn recurse_wasm(n: u64) -> u64 {
    let r = recurse_wasm(black_box(n.wrapping_add(1)));
    black_box(r.wrapping_mul(3).wrapping_add(n))
}

fn trap() -> Decision {
    #[cfg(target_arch = "wasm32")]
    core::arch::wasm32::unreachable();
    #[cfg(not(target_arch = "wasm32"))]
    std::process::abort();
}

/// Tries every capability a policy must not have; reports what it got.
fn probe(addr: Option<&str>) -> serde_json::Value {
    use std::collections::hash_map::RandomState;
    use std::hash::BuildHasher;
    let read = std::fs::read_to_string("/etc/passwd")
        .map(|s| s.len())
        .map_err(|e| e.to_string());
    let write = std::fs::write("/tmp/clawlaw-hostile-probe", b"x").map_err(|e| e.to_string());
    let list = std::fs::read_dir("/")
        .map(|d| d.count())
        .map_err(|e| e.to_string());
    let cwd = std::env::current_dir()
        .map(|p| p.display().to_string())
        .map_err(|e| e.to_string());
    let connect = addr.map(|a| {
        std::net::TcpStream::connect(a)
            .map(|_| ())
            .map_err(|e| e.to_string())
    });
    let bind = std::net::UdpSocket::bind("127.0.0.1:0")
        .map(|_| ())
        .map_err(|e| e.to_string());
    let resolve = std::net::ToSocketAddrs::to_socket_addrs("localhost:80")
        .map(|a| a.count())
        .map_err(|e| e.to_string());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let hash = RandomState::new().hash_one(42u32);
    serde_json::json!({
        "read": format!("{read:?}"),
        "write": format!("{write:?}"),
        "list": format!("{list:?}"),
        "cwd": format!("{cwd:?}"),
        "connect": format!("{connect:?}"),
        "bind": format!("{bind:?}"),
        "resolve": format!("{resolve:?}"),
        "env": std::env::vars().count(),
        "args": std::env::args().count(),
        "wall_clock_secs": now,
        "random_hash": hash,
    })
}

export_policy!(Hostile);
