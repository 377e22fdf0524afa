//! `clawlaw policy push|pull|sign|verify`: policies as signed OCI artifacts.
//!
//! Registry credentials come from the environment
//! (`CLAWLAW_REGISTRY_USERNAME`, `CLAWLAW_REGISTRY_PASSWORD`) or from the
//! `[[registry]]` entries of a gate config (`--config`), never from the
//! command line. Plain HTTP only with `--insecure` (or `insecure = true`).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clawlaw_distribution::artifact::{self, ComponentWorld, Metadata};
use clawlaw_distribution::fetch::{MAX_COMPONENT_BYTES, refusal, verified_signatures};
use clawlaw_distribution::{PolicyRef, Registry, RegistryEntry, TrustPolicy, keys, signature};
use clawlaw_engine::limits::Limits;
use clawlaw_engine::policy::LoadedPolicy;
use clawlaw_engine::policy_set::engine_for;

use super::{EXIT_ALLOW, EXIT_DENY, EXIT_USAGE, EngineArgs};

/// How to reach the registry.
#[derive(Debug, clap::Args)]
pub struct RegistryArgs {
    /// Talk plain HTTP to the reference's registry (a local test registry).
    #[arg(long)]
    pub insecure: bool,

    /// Read `[[registry]]` entries (credentials, insecure hosts) from this
    /// gate config.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Give up on a registry that does not answer within this many seconds.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub timeout_secs: u64,
}

impl RegistryArgs {
    fn registry(&self, r: &PolicyRef) -> anyhow::Result<Registry> {
        let mut entries: Vec<RegistryEntry> = match &self.config {
            Some(path) => {
                clawlaw_gate::config::load_config(path)
                    .map_err(anyhow::Error::msg)?
                    .0
                    .registries
            }
            None => Vec::new(),
        };
        if self.insecure {
            match entries.iter_mut().find(|e| e.host == r.registry()) {
                Some(e) => e.insecure = true,
                None => entries.push(RegistryEntry {
                    host: r.registry().to_string(),
                    insecure: true,
                    ..RegistryEntry::default()
                }),
            }
        }
        Ok(Registry::new(
            &entries,
            Duration::from_secs(self.timeout_secs),
        ))
    }
}

/// Trusted public keys.
#[derive(Debug, clap::Args)]
pub struct TrustArgs {
    /// A trusted public key (PEM, as `clawlaw key generate` or
    /// `cosign generate-key-pair` writes it). Repeat for several.
    #[arg(long = "key", value_name = "PUB", required = true)]
    pub keys: Vec<PathBuf>,

    /// How many of the keys must have signed.
    #[arg(long, value_name = "K", default_value_t = 1)]
    pub threshold: usize,
}

#[derive(Debug, clap::Args)]
pub struct PushArgs {
    /// The policy component (.wasm).
    pub component: PathBuf,
    /// Where to push: oci://host[:port]/repository:tag.
    pub reference: String,
    /// The source repository URL for the `org.opencontainers.image.source`
    /// annotation [default: $GITHUB_SERVER_URL/$GITHUB_REPOSITORY when set].
    #[arg(long, value_name = "URL")]
    pub source: Option<String>,
    /// Also point this tag at the same manifest (repeatable): one digest,
    /// one signature, several tags (a version and a moving `stable`).
    #[arg(long, value_name = "TAG")]
    pub also_tag: Vec<String>,
    /// Sign the pushed manifest (needs --key).
    #[arg(long, requires = "key")]
    pub sign: bool,
    /// The private key to sign with (password from CLAWLAW_KEY_PASSWORD or
    /// COSIGN_PASSWORD, else asked on the terminal).
    #[arg(long, value_name = "KEY")]
    pub key: Option<PathBuf>,
    #[command(flatten)]
    pub registry: RegistryArgs,
    #[command(flatten)]
    pub engine: EngineArgs,
}

#[derive(Debug, clap::Args)]
pub struct PullArgs {
    /// oci://host[:port]/repository:tag or …@sha256:<digest>.
    pub reference: String,
    /// Where to write the component [default: <repository name>.wasm].
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Verify the signature against this public key before writing
    /// anything. Repeat for several.
    #[arg(long = "key", value_name = "PUB")]
    pub keys: Vec<PathBuf>,
    /// How many of the keys must have signed.
    #[arg(long, value_name = "K", default_value_t = 1)]
    pub threshold: usize,
    #[command(flatten)]
    pub registry: RegistryArgs,
}

#[derive(Debug, clap::Args)]
pub struct SignArgs {
    /// The artifact to sign: oci://host[:port]/repository:tag or …@sha256:….
    pub reference: String,
    /// The private key (password from CLAWLAW_KEY_PASSWORD or
    /// COSIGN_PASSWORD, else asked on the terminal).
    #[arg(long, value_name = "KEY")]
    pub key: PathBuf,
    #[command(flatten)]
    pub registry: RegistryArgs,
}

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The artifact to verify.
    pub reference: String,
    #[command(flatten)]
    pub trust: TrustArgs,
    #[command(flatten)]
    pub registry: RegistryArgs,
}

fn parse_ref(s: &str) -> Result<PolicyRef, ExitCode> {
    PolicyRef::parse(s).map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::from(EXIT_USAGE)
    })
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

pub fn push(args: PushArgs) -> anyhow::Result<ExitCode> {
    let r = match parse_ref(&args.reference) {
        Ok(r) => r,
        Err(code) => return Ok(code),
    };
    if r.digest().is_some() || r.tag().is_none() {
        eprintln!("error: push needs a tag to push to (…/repository:tag), not a digest");
        return Ok(ExitCode::from(EXIT_USAGE));
    }
    let bytes = std::fs::read(&args.component)
        .with_context(|| format!("reading {}", args.component.display()))?;
    // Only a component that loads as a clawlaw policy is published.
    let mut section = clawlaw_gate::config::EngineSection::default();
    args.engine.apply(&mut section);
    let engine = engine_for(&section).context("starting the WebAssembly engine")?;
    let policy = match LoadedPolicy::load(&engine, &bytes, "{}".into(), Limits::default()) {
        Ok(p) => p,
        Err(e) => {
            eprintln!(
                "error: {}: not a clawlaw policy component: {e}",
                args.component.display()
            );
            return Ok(ExitCode::from(EXIT_USAGE));
        }
    };
    let world = world_of(&engine, &bytes)?;
    let signer = match &args.key {
        Some(key) if args.sign => Some(keys::signer(key, keys::password(false)?.as_bytes())?),
        _ => None,
    };
    let source = args.source.clone().or_else(|| {
        match (
            std::env::var("GITHUB_SERVER_URL"),
            std::env::var("GITHUB_REPOSITORY"),
        ) {
            (Ok(server), Ok(repo)) => Some(format!("{server}/{repo}")),
            _ => None,
        }
    });
    let meta = Metadata {
        name: policy.id().name.clone(),
        version: policy.id().version.clone(),
        source,
        created: created()?,
        world,
    };
    let built = artifact::build(bytes, &meta);
    let registry = args.registry.registry(&r)?;
    let rt = runtime()?;
    let digest = rt.block_on(async {
        registry.push_blob(&r, built.layer.clone()).await?;
        registry.push_blob(&r, built.config.clone()).await?;
        let digest = registry.push_manifest(&r, built.manifest.clone()).await?;
        for tag in &args.also_tag {
            registry
                .push_manifest(&r.at_tag(tag), built.manifest.clone())
                .await?;
        }
        Ok::<_, clawlaw_distribution::registry::RegistryError>(digest)
    })?;
    println!(
        "pushed {} {} to {r}\ndigest: {digest}\nlayer:  {} ({} bytes)",
        meta.name,
        meta.version,
        built.layer_digest,
        built.layer.len()
    );
    for tag in &args.also_tag {
        println!("tagged: {}", r.at_tag(tag));
    }
    if let Some(signer) = signer {
        let layer = signature::sign(&signer, &r, &digest).map_err(anyhow::Error::msg)?;
        rt.block_on(signature::push(&registry, &r, &digest, layer))?;
        println!("signed: {}", r.signature_ref(&digest));
    }
    Ok(ExitCode::from(EXIT_ALLOW))
}

/// The creation time: `SOURCE_DATE_EPOCH` when set (reproducible builds),
/// else now.
fn created() -> anyhow::Result<String> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(secs) => {
            let secs: i64 = secs
                .trim()
                .parse()
                .context("SOURCE_DATE_EPOCH is not a number of seconds")?;
            Ok(jiff::Timestamp::from_second(secs)?.to_string())
        }
        Err(_) => Ok(jiff::Timestamp::now().to_string()),
    }
}

/// The component's imports and exports, for the artifact's config.
fn world_of(
    engine: &clawlaw_engine::engine::Engine,
    bytes: &[u8],
) -> anyhow::Result<ComponentWorld> {
    let compiled = engine.compile(bytes).map_err(anyhow::Error::msg)?;
    let ty = compiled.component.component_type();
    let wt = engine.wasmtime();
    Ok(ComponentWorld {
        target: "clawlaw:policy/policy@0.1.0".into(),
        imports: ty.imports(wt).map(|(name, _)| name.to_string()).collect(),
        exports: ty.exports(wt).map(|(name, _)| name.to_string()).collect(),
    })
}

pub fn pull(args: PullArgs) -> anyhow::Result<ExitCode> {
    let r = match parse_ref(&args.reference) {
        Ok(r) => r,
        Err(code) => return Ok(code),
    };
    let trust = if args.keys.is_empty() {
        None
    } else {
        Some(TrustPolicy::from_files(&args.keys, args.threshold).map_err(anyhow::Error::msg)?)
    };
    let registry = args.registry.registry(&r)?;
    let result = runtime()?.block_on(async {
        let digest = registry.resolve(&r).await.map_err(|e| refusal(&r, e))?;
        let manifest = registry
            .manifest(&r, &digest)
            .await
            .map_err(|e| refusal(&r, e))?;
        let parsed = artifact::parse(&manifest).map_err(|e| clawlaw_distribution::Refusal {
            reference: r.to_string(),
            kind: clawlaw_distribution::RefusalKind::Malformed,
            message: e.to_string(),
        })?;
        let signed_by = match &trust {
            Some(t) => Some(verified_signatures(&registry, t, &r, &digest).await?.1),
            None => None,
        };
        let bytes = registry
            .blob(&r, &parsed.layer, MAX_COMPONENT_BYTES)
            .await
            .map_err(|e| refusal(&r, e))?;
        Ok::<_, clawlaw_distribution::Refusal>((digest, parsed, signed_by, bytes))
    });
    let (digest, parsed, signed_by, bytes) = match result {
        Ok(v) => v,
        Err(refusal) => {
            eprintln!("error: {refusal}");
            return Ok(ExitCode::from(EXIT_DENY));
        }
    };
    let output = args.output.unwrap_or_else(|| {
        let name = r.repository().rsplit('/').next().unwrap_or("policy");
        PathBuf::from(format!("{name}.wasm"))
    });
    std::fs::write(&output, &bytes).with_context(|| format!("writing {}", output.display()))?;
    println!(
        "pulled {r}\ndigest:  {digest}\nversion: {}\nlayer:   {} ({})\nwrote:   {}",
        parsed.version().unwrap_or("(none)"),
        parsed.layer.digest,
        parsed.layer.media_type,
        output.display()
    );
    match signed_by {
        Some(keys) => println!("signed by: {}", keys.join(", ")),
        None => eprintln!("warning: the signature was not checked (pass --key to verify)"),
    }
    Ok(ExitCode::from(EXIT_ALLOW))
}

pub fn sign(args: SignArgs) -> anyhow::Result<ExitCode> {
    let r = match parse_ref(&args.reference) {
        Ok(r) => r,
        Err(code) => return Ok(code),
    };
    let signer = keys::signer(&args.key, keys::password(false)?.as_bytes())?;
    let registry = args.registry.registry(&r)?;
    let rt = runtime()?;
    let digest = rt.block_on(registry.resolve(&r))?;
    let layer = signature::sign(&signer, &r, &digest).map_err(anyhow::Error::msg)?;
    rt.block_on(signature::push(&registry, &r, &digest, layer))?;
    println!(
        "signed {r}\ndigest: {digest}\nsignature: {}",
        r.signature_ref(&digest)
    );
    Ok(ExitCode::from(EXIT_ALLOW))
}

pub fn verify(args: VerifyArgs) -> anyhow::Result<ExitCode> {
    let r = match parse_ref(&args.reference) {
        Ok(r) => r,
        Err(code) => return Ok(code),
    };
    let trust = TrustPolicy::from_files(&args.trust.keys, args.trust.threshold)
        .map_err(anyhow::Error::msg)?;
    let registry = args.registry.registry(&r)?;
    let result = runtime()?.block_on(async {
        let digest = registry.resolve(&r).await.map_err(|e| refusal(&r, e))?;
        let (_, signed_by) = verified_signatures(&registry, &trust, &r, &digest).await?;
        // The signature covers the manifest; the manifest names the layer:
        // check the layer the registry serves is that one.
        let manifest = registry
            .manifest(&r, &digest)
            .await
            .map_err(|e| refusal(&r, e))?;
        if let Ok(parsed) = artifact::parse(&manifest) {
            registry
                .blob(&r, &parsed.layer, MAX_COMPONENT_BYTES)
                .await
                .map_err(|e| refusal(&r, e))?;
        }
        Ok::<_, clawlaw_distribution::Refusal>((digest, signed_by))
    });
    match result {
        Ok((digest, signed_by)) => {
            println!(
                "verified {r}\ndigest: {digest}\nsigned by: {}",
                signed_by.join(", ")
            );
            Ok(ExitCode::from(EXIT_ALLOW))
        }
        Err(refusal) => {
            eprintln!("error: {refusal}");
            Ok(ExitCode::from(EXIT_DENY))
        }
    }
}
