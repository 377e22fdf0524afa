//! `clawlaw policy push|pull|sign|verify`: policies as signed OCI artifacts,
//! in cosign v2's form (a `sha256-<digest>.sig` image) and v3's (a Sigstore
//! bundle as an OCI referrer, with the `sha256-<digest>` index tag for
//! registries without the referrers API); `verify --bundle` checks a bundle
//! file offline, with cosign's flag names.
//!
//! Registry credentials come from the environment
//! (`CLAWLAW_REGISTRY_USERNAME`, `CLAWLAW_REGISTRY_PASSWORD`) or from the
//! `[[registry]]` entries of a gate config (`--config`), never from the
//! command line. Plain HTTP only with `--insecure` (or `insecure = true`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clawlaw_distribution::artifact::{self, ComponentWorld, Metadata};
use clawlaw_distribution::bundle::{self, Check};
use clawlaw_distribution::fetch::{MAX_COMPONENT_BYTES, refusal, verified_signatures};
use clawlaw_distribution::identity::KeylessEntry;
use clawlaw_distribution::{
    PolicyRef, Registry, RegistryEntry, TrustPolicy, TrustSection, keys, referrers, signature,
};
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

/// Trusted signers: public keys, or a keyless identity (cosign's flags).
#[derive(Debug, clap::Args)]
pub struct TrustArgs {
    /// A trusted public key (PEM, as `clawlaw key generate` or
    /// `cosign generate-key-pair` writes it). Repeat for several.
    #[arg(long = "key", value_name = "PUB")]
    pub keys: Vec<PathBuf>,

    /// A trusted keyless identity: the Fulcio certificate's subject
    /// alternative name, exactly (needs --certificate-oidc-issuer).
    #[arg(long = "certificate-identity", value_name = "ID", requires = "issuer")]
    pub identity: Option<String>,

    /// A trusted keyless identity as a regular expression the whole name
    /// must match (needs --certificate-oidc-issuer).
    #[arg(
        long = "certificate-identity-regexp",
        value_name = "RE",
        requires = "issuer",
        conflicts_with = "identity"
    )]
    pub identity_regexp: Option<String>,

    /// The OIDC issuer that must have vouched for the identity.
    #[arg(long = "certificate-oidc-issuer", value_name = "ISSUER")]
    pub issuer: Option<String>,

    /// The Sigstore trusted root (trusted_root.json) for keyless
    /// certificates and transparency-log entries.
    #[arg(long = "trusted-root", value_name = "FILE")]
    pub trusted_root: Option<PathBuf>,

    /// How many distinct signers must have signed.
    #[arg(long, value_name = "K", default_value_t = 1)]
    pub threshold: usize,
}

impl TrustArgs {
    fn policy(&self) -> anyhow::Result<TrustPolicy> {
        let keyless = match (&self.identity, &self.identity_regexp, &self.issuer) {
            (None, None, None) => vec![],
            (identity, identity_regexp, Some(issuer)) => vec![KeylessEntry {
                identity: identity.clone(),
                identity_regexp: identity_regexp.clone(),
                issuer: issuer.clone(),
            }],
            (_, _, None) => anyhow::bail!("--certificate-identity needs --certificate-oidc-issuer"),
        };
        let section = TrustSection {
            keys: self.keys.clone(),
            threshold: Some(self.threshold),
            keyless,
            trusted_root: self.trusted_root.clone(),
        };
        TrustPolicy::load(&section, std::path::Path::new("")).map_err(|e| {
            let flag = match e.field() {
                "trust.keyless" => "--certificate-identity",
                "trust.trusted_root" => "--trusted-root",
                "trust.threshold" => "--threshold",
                _ => "--key",
            };
            anyhow::anyhow!("{flag}: {e}")
        })
    }
}

/// Which of cosign's forms `sign` writes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum SignatureFormat {
    /// cosign v2: a simple-signing layer in the image sha256-<digest>.sig.
    #[default]
    Legacy,
    /// cosign v3: a Sigstore bundle (v0.3, DSSE) as an OCI referrer, also
    /// listed under the index tag sha256-<digest>.
    V3,
    /// Both.
    Both,
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
    /// The signature's form.
    #[arg(long, value_enum, default_value_t, value_name = "FORM")]
    pub signature_format: SignatureFormat,
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
    /// The signature's form.
    #[arg(long, value_enum, default_value_t, value_name = "FORM")]
    pub signature_format: SignatureFormat,
    #[command(flatten)]
    pub registry: RegistryArgs,
}

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The artifact to verify (or --bundle).
    #[arg(required_unless_present = "bundle")]
    pub reference: Option<String>,
    /// Verify this Sigstore bundle file offline instead of a registry's
    /// signatures (needs --digest).
    #[arg(
        long,
        value_name = "FILE",
        requires = "digest",
        conflicts_with = "reference"
    )]
    pub bundle: Option<PathBuf>,
    /// The manifest digest the bundle must sign (with --bundle).
    #[arg(long, value_name = "sha256:HEX", requires = "bundle")]
    pub digest: Option<String>,
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
        for line in rt.block_on(write_signatures(
            &registry,
            &r,
            &digest,
            &signer,
            args.signature_format,
        ))? {
            println!("signed: {line}");
        }
    }
    Ok(ExitCode::from(EXIT_ALLOW))
}

/// Signs manifest `digest` in `format` and stores the signatures; returns
/// where each went.
async fn write_signatures(
    registry: &Registry,
    r: &PolicyRef,
    digest: &str,
    signer: &keys::SigStoreSigner,
    format: SignatureFormat,
) -> anyhow::Result<Vec<String>> {
    let mut written = Vec::new();
    if format != SignatureFormat::V3 {
        let layer = signature::sign(signer, r, digest).map_err(anyhow::Error::msg)?;
        signature::push(registry, r, digest, layer).await?;
        written.push(r.signature_ref(digest).to_string());
    }
    if format != SignatureFormat::Legacy {
        let signed = signature::sign_bundle(signer, digest).map_err(anyhow::Error::msg)?;
        let referrer = referrers::push(registry, r, digest, signed, &created()?).await?;
        written.push(format!(
            "{} (bundle referrer, listed under {})",
            r.at_digest(&referrer),
            referrers::fallback_ref(r, digest)
        ));
    }
    Ok(written)
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
    let written = rt.block_on(write_signatures(
        &registry,
        &r,
        &digest,
        &signer,
        args.signature_format,
    ))?;
    println!("signed {r}\ndigest: {digest}");
    for line in written {
        println!("signature: {line}");
    }
    Ok(ExitCode::from(EXIT_ALLOW))
}

pub fn verify(args: VerifyArgs) -> anyhow::Result<ExitCode> {
    let trust = match args.trust.policy() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(EXIT_USAGE));
        }
    };
    if let (Some(file), Some(digest)) = (&args.bundle, &args.digest) {
        return verify_bundle_file(file, digest, &trust);
    }
    let r = match parse_ref(args.reference.as_deref().unwrap_or_default()) {
        Ok(r) => r,
        Err(code) => return Ok(code),
    };
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

/// `verify --bundle`: one bundle file against one digest, offline. Prints
/// each check that passed and the first that failed; exit 0 only when the
/// bundle verified.
fn verify_bundle_file(file: &Path, digest: &str, trust: &TrustPolicy) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let checks = bundle::checks_for(&bytes);
    match bundle::verify(
        &bytes,
        digest,
        &bundle::BundleTrust::from(trust),
        jiff::Timestamp::now(),
    ) {
        Ok(v) => {
            for check in &v.passed {
                match (check, &v.logged) {
                    (Check::Tlog, Some(l)) => println!(
                        "ok      {}: {} entry {}, integrated {}",
                        check.name(),
                        l.log_url,
                        l.log_index,
                        l.integrated_time
                    ),
                    _ => println!("ok      {}", check.name()),
                }
            }
            if v.logged.is_none() {
                println!(
                    "skipped {}: {}",
                    Check::Tlog.name(),
                    if trust.trusted_root.is_some() {
                        "the bundle has no log entry"
                    } else {
                        "no --trusted-root to check a log entry against"
                    }
                );
            }
            println!("verified {digest}\nsigned by: {}", v.signer);
            Ok(ExitCode::from(EXIT_ALLOW))
        }
        Err(e) => {
            for check in checks.iter().filter(|c| **c < e.check) {
                println!("ok      {}", check.name());
            }
            println!("FAILED  {}: {}", e.check.name(), e.message);
            eprintln!("error: refused ({}): {e}", e.check.reason());
            Ok(ExitCode::from(EXIT_DENY))
        }
    }
}
