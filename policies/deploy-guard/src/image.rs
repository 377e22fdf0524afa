//! Container image references (`[registry[:port]/]path[:tag][@digest]`) and
//! whether one is pinned: by a digest, or by a tag that is not mutable.

/// What an image reference pins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pin {
    /// `@sha256:<64 hex>` (any tag beside it is then irrelevant).
    Digest,
    /// `:<tag>`, not one of the mutable tags.
    Tag(String),
    /// `:<tag>` where the tag is a mutable one such as `latest`.
    Mutable(String),
    /// Neither a tag nor a digest: the registry serves `latest`.
    Nothing,
    /// An `@` that is not a well-formed digest, or an empty reference.
    Malformed(String),
}

/// What `image` pins, with `mutable` the tags that do not pin (e.g. `latest`).
pub fn pin(image: &str, mutable: &[String]) -> Pin {
    let image = image.trim();
    if image.is_empty() {
        return Pin::Malformed("the image is empty".into());
    }
    let (name, digest) = match image.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (image, None),
    };
    if let Some(d) = digest {
        return if valid_digest(d) {
            Pin::Digest
        } else {
            Pin::Malformed(format!("{d:?} is not a digest (sha256:<64 hex>)"))
        };
    }
    // A ':' after the last '/' starts the tag; one before it is a port.
    let last = name.rsplit('/').next().unwrap_or(name);
    match last.rsplit_once(':') {
        Some((_, "")) => Pin::Nothing,
        Some((_, tag)) if mutable.iter().any(|m| m == tag) => Pin::Mutable(tag.to_string()),
        Some((_, tag)) => Pin::Tag(tag.to_string()),
        None => Pin::Nothing,
    }
}

/// `algorithm:hex`, with the lengths of the registered algorithms.
fn valid_digest(d: &str) -> bool {
    let Some((alg, hex)) = d.split_once(':') else {
        return false;
    };
    let len = match alg {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => return false,
    };
    hex.len() == len
        && hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn p(image: &str) -> Pin {
        pin(image, &["latest".to_string()])
    }

    #[test]
    fn tags_digests_and_ports() {
        assert_eq!(p("nginx:1.25"), Pin::Tag("1.25".into()));
        assert_eq!(p("nginx"), Pin::Nothing);
        assert_eq!(p("nginx:"), Pin::Nothing);
        assert_eq!(p("nginx:latest"), Pin::Mutable("latest".into()));
        assert_eq!(p("localhost:5000/team/app"), Pin::Nothing);
        assert_eq!(p("localhost:5000/team/app:v2"), Pin::Tag("v2".into()));
        assert_eq!(
            p("registry.io:443/app:latest"),
            Pin::Mutable("latest".into())
        );
        assert_eq!(p(&format!("nginx@{SHA}")), Pin::Digest);
        assert_eq!(p(&format!("nginx:latest@{SHA}")), Pin::Digest);
        assert!(matches!(p("nginx@sha256:abc"), Pin::Malformed(_)));
        assert!(matches!(p("nginx@md5:abc"), Pin::Malformed(_)));
        assert!(matches!(p("  "), Pin::Malformed(_)));
        // Tags are case-sensitive, as registries treat them.
        assert_eq!(p("nginx:Latest"), Pin::Tag("Latest".into()));
    }
}
