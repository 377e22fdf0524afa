//! The trust policy over both signature forms: `[trust]` with keys and
//! keyless identities, K-of-N counting distinct signers, and the refusal
//! reason a refused bundle gives.

use std::path::Path;

use clawlaw_distribution::fetch::{RefusalKind, check_signatures};
use clawlaw_distribution::signature::{self, Found};
use clawlaw_distribution::{PolicyRef, TrustPolicy, TrustSection, keys};

const DIGEST: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
const KUBEWARDEN: &str = "sha256:c811d58de79c92f03214e63aa339484e488d694ae8a6283b5f3f17a9faf50172";

fn data() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

fn section(toml_text: &str) -> TrustSection {
    toml::from_str(toml_text).unwrap()
}

#[test]
fn keys_and_identities_count_once_each_in_either_form() {
    let dir = tempfile::tempdir().unwrap();
    let a = keys::generate(dir.path(), "a", b"pw").unwrap();
    let b = keys::generate(dir.path(), "b", b"pw").unwrap();
    let signer_a = keys::signer(&a.private, b"pw").unwrap();
    let signer_b = keys::signer(&b.private, b"pw").unwrap();
    let image = PolicyRef::parse("oci://127.0.0.1:5000/p/fs:v1").unwrap();
    let legacy_a = Found::Legacy(signature::sign(&signer_a, &image, DIGEST).unwrap());
    let bundle_a = Found::Bundle {
        bundle: signature::sign_bundle(&signer_a, DIGEST).unwrap(),
    };
    let bundle_b = Found::Bundle {
        bundle: signature::sign_bundle(&signer_b, DIGEST).unwrap(),
    };
    let two = TrustPolicy::from_files(&[a.public.clone(), b.public.clone()], 2).unwrap();
    // The same key in both forms is one signer.
    let e = signature::verify(&two, DIGEST, &[legacy_a.clone(), bundle_a.clone()]).unwrap_err();
    assert!(e.to_string().contains("1 of the required 2"), "{e}");
    let mut by = signature::verify(&two, DIGEST, &[legacy_a, bundle_b.clone()]).unwrap();
    by.sort();
    assert_eq!(by, vec!["a.pub", "b.pub"]);
    // A bundle for another digest is refused as wrong-digest.
    let one = TrustPolicy::from_files(std::slice::from_ref(&b.public), 1).unwrap();
    let other = DIGEST.replace('1', "3");
    let e = check_signatures(&one, &image, &other, &[bundle_b]).unwrap_err();
    assert_eq!(e.kind, RefusalKind::WrongDigest, "{e}");
    assert_eq!(e.kind.as_str(), "wrong-digest");
}

#[test]
fn a_keyless_policy_in_config_form() {
    let root = data().join("sigstore_trusted_root.json");
    let text = format!(
        r#"
        trusted_root = {root:?}
        [[keyless]]
        identity_regexp = 'https://github\.com/kubewarden/kubewarden-controller/\.github/workflows/release\.yml@refs/tags/v.*'
        issuer = "https://token.actions.githubusercontent.com"
        "#
    );
    let trust = TrustPolicy::load(&section(&text), Path::new("")).unwrap();
    let real = Found::Bundle {
        bundle: std::fs::read(data().join("bundle_v03.json")).unwrap(),
    };
    let image = PolicyRef::parse("oci://ghcr.io/kubewarden/kubewarden-controller:v1.34.0").unwrap();
    let by = check_signatures(&trust, &image, KUBEWARDEN, std::slice::from_ref(&real)).unwrap();
    assert_eq!(by.len(), 1);
    assert!(by[0].contains("kubewarden-controller"), "{by:?}");

    // Another identity: refused as untrusted-identity.
    let other = text.replace("kubewarden-controller", "policy-server");
    let trust = TrustPolicy::load(&section(&other), Path::new("")).unwrap();
    let e = check_signatures(&trust, &image, KUBEWARDEN, std::slice::from_ref(&real)).unwrap_err();
    assert_eq!(e.kind, RefusalKind::UntrustedIdentity, "{e}");
    assert_eq!(e.kind.as_str(), "untrusted-identity");
    // Keys only: a keyless bundle is not trusted by any key.
    let dir = tempfile::tempdir().unwrap();
    let k = keys::generate(dir.path(), "k", b"pw").unwrap();
    let keys_only = TrustPolicy::from_files(&[k.public], 1).unwrap();
    let e = check_signatures(&keys_only, &image, KUBEWARDEN, &[real]).unwrap_err();
    assert_eq!(e.kind, RefusalKind::UntrustedIdentity, "{e}");
}

#[test]
fn config_errors_name_their_field() {
    let e = TrustPolicy::load(
        &section("[[keyless]]\nidentity = \"x\"\nissuer = \"https://i\"\n"),
        Path::new(""),
    )
    .err()
    .unwrap();
    assert_eq!(e.field(), "trust.trusted_root", "{e}");
    let e = TrustPolicy::load(
        &section("trusted_root = \"/nonexistent/trusted_root.json\"\n[[keyless]]\nidentity = \"x\"\nissuer = \"https://i\"\n"),
        Path::new(""),
    )
    .err()
    .unwrap();
    assert_eq!(e.field(), "trust.trusted_root", "{e}");
    let e = TrustPolicy::load(
        &section("threshold = 2\n[[keyless]]\nidentity = \"x\"\nissuer = \"https://i\"\n"),
        Path::new(""),
    )
    .err()
    .unwrap();
    assert_eq!(e.field(), "trust.threshold", "{e}");
    let e = TrustPolicy::load(
        &section("[[keyless]]\nissuer = \"https://i\"\n"),
        Path::new(""),
    )
    .err()
    .unwrap();
    assert_eq!(e.field(), "trust.keyless", "{e}");
    assert!(
        toml::from_str::<TrustSection>(
            "[[keyless]]\nidentity = \"x\"\nissuer = \"i\"\nbogus = 1\n"
        )
        .is_err()
    );
    assert_eq!(
        TrustPolicy::load(&section(""), Path::new(""))
            .err()
            .unwrap()
            .field(),
        "trust.keys"
    );
}
