//! Gate replicas on one PostgreSQL store, against one gate on its local
//! log: p50/p99 at concurrency 1 and decisions/s and p99 at concurrency 32,
//! for 1, 2 and 3 replicas, every request sent to the next replica in turn
//! (so each action of a session is decided by another replica than the
//! one before, after catching up on what it recorded). PostgreSQL runs
//! here too, from Debian's `postgresql`, as the scale-out tests start it.

use super::client;
use super::gate::{Backing, Gate};
use super::{Args, Figures, insert_quantiles, quantile, sorted};

#[allow(dead_code)]
#[path = "../../../../host/tests/common/postgres.rs"]
mod postgres;

pub fn replicas(args: &Args) -> anyhow::Result<Figures> {
    let mut f = Figures::new();
    measure("replicas.local", &[Gate::start(&args.gate)?], args, &mut f)?;
    let pg = postgres::Postgres::new();
    let url = pg.url();
    let keys = tempfile::tempdir()?;
    let key = keys.path().join("redaction.key");
    let mut gates = Vec::new();
    for n in 1..=3 {
        gates.push(Gate::start_on(
            &args.gate,
            Backing::Shared {
                url: &url,
                key: &key,
            },
        )?);
        measure(&format!("replicas.pg{n}"), &gates, args, &mut f)?;
    }
    Ok(f)
}

fn measure(prefix: &str, gates: &[Gate], args: &Args, f: &mut Figures) -> anyhow::Result<()> {
    let gates: Vec<&Gate> = gates.iter().collect();
    let n = if args.quick { 20 } else { 2_000 };
    let (samples, _) = client::run(&gates, 1, n.min(100), n)?;
    insert_quantiles(f, &format!("{prefix}.c1"), samples);

    let per_client = if args.quick { 5 } else { 300 };
    let (all, elapsed) = client::run(&gates, 32, 0, per_client)?;
    let total = all.len();
    let s = sorted(all);
    f.insert(format!("{prefix}.c32.p99_us"), quantile(&s, 0.99));
    f.insert(
        format!("{prefix}.c32.decisions_per_s"),
        total as f64 / elapsed.as_secs_f64(),
    );
    Ok(())
}
