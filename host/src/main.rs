//! `clawlaw-full`: the gate's command line, every command of it. Installed
//! beside the `clawlaw` front (`src/bin/clawlaw.rs`), which runs it with
//! its own arguments and name for all but `hook <agent> --gate`; run
//! directly, it is the same command.
//!
//! It owns arguments, output and exit codes only; the work is the crates'
//! below it (`clawlaw-gate` for `serve`, `clawlaw-engine` for `eval` and
//! in-process hooks, `clawlaw-hooks` for the agents' formats,
//! `clawlaw-distribution` for `policy push|sign`). Nothing depends on it.
//!
//! The doc comments of its argument structs are clap's `--help` text,
//! written for a terminal (`[server]`, `<name>`, `oci://host[:port]/…`),
//! not for rustdoc, which would read them as links and HTML tags.
#![allow(rustdoc::broken_intra_doc_links, rustdoc::invalid_html_tags)]

mod cli;

use std::process::ExitCode;

use clap::Parser;

/// mimalloc instead of glibc's allocator: the gate allocates and frees per
/// request (JSON, sessions, evidence records, the policies' arguments) on
/// several threads, where glibc's malloc, free and consolidation passes cost
/// about a seventh of its CPU under load. Built without transparent huge
/// pages (the workspace's `no_thp`), which would cost every one-shot process
/// (a hook call) a 2 MiB page zeroed on its first allocation.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    cli::init_logging(&args);
    match cli::run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(cli::EXIT_ERROR)
        }
    }
}
