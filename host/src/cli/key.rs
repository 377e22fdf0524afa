//! `clawlaw key generate`: a signing key pair in cosign's file formats.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use clawlaw_distribution::keys;

use super::EXIT_ALLOW;

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Generate an ECDSA P-256 key pair: `<name>.key` (encrypted, as
    /// `cosign generate-key-pair` writes it) and `<name>.pub`. The password
    /// comes from CLAWLAW_KEY_PASSWORD (or COSIGN_PASSWORD), else it is
    /// asked for twice on the terminal.
    #[command(after_help = "Examples:\n  \
        clawlaw key generate                       # cosign.key, cosign.pub here\n  \
        CLAWLAW_KEY_PASSWORD=... clawlaw key generate --output-dir keys --name ci")]
    Generate {
        /// Where to write the two files.
        #[arg(long, value_name = "DIR", default_value = ".")]
        output_dir: PathBuf,
        /// The files' base name.
        #[arg(long, default_value = "cosign")]
        name: String,
    },
}

pub fn run(cmd: KeyCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        KeyCommand::Generate { output_dir, name } => {
            let password = keys::password(true)?;
            let files = keys::generate(&output_dir, &name, password.as_bytes())?;
            println!(
                "private key: {} (encrypted; keep it secret)\npublic key:  {} (list it in the gate's [trust] keys)",
                files.private.display(),
                files.public.display()
            );
            Ok(ExitCode::from(EXIT_ALLOW))
        }
    }
}
