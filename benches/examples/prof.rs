use clawlaw_benches::*;
use clawlaw_engine::pool::Isolation;
use std::time::Instant;
fn main() {
    let engine = engine().unwrap();
    let session = session();
    let dir = std::path::PathBuf::from("/work/main/target/wasm32-unknown-unknown/policy");
    let set = bundled_set(&engine, &dir, Isolation::Fresh).unwrap();
    let acts = kind_actions();
    let n: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse().unwrap())
        .unwrap_or(100000);
    let t = Instant::now();
    for i in 0..n {
        let _ = set.evaluate(&acts[i % 2].1, &session);
    }
    println!("{:.1} us/eval", t.elapsed().as_secs_f64() * 1e6 / n as f64);
}
