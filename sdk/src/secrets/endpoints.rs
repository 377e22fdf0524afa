//! Places on the network that hand out credentials to whoever asks from
//! the machine: the cloud instance metadata services. A request to one
//! reads the machine's role credentials, service-account tokens or
//! user-data (which often holds secrets) as surely as reading
//! `~/.aws/credentials` does. Recognised by the host, in every spelling a
//! resolver accepts (`169.254.169.254`, `0xa9fea9fe`, `2852039166`,
//! `[::ffff:169.254.169.254]`), whatever the path.

use crate::net::{host, ipv4};

/// The credential service `text` (a URL, or a `host/path` word as `curl`
/// takes it) points at: `Some("cloud-metadata")` for AWS, Azure, GCP,
/// Oracle and DigitalOcean (169.254.169.254, `fd00:ec2::254`,
/// `metadata.google.internal`), ECS and EKS task credentials
/// (169.254.170.2, 169.254.170.23) and Alibaba Cloud (100.100.100.200).
pub fn is_credential_endpoint(text: &str) -> Option<&'static str> {
    // A plain word (`metadata`) is not an address; a URL or a path is.
    if !text.contains('/') {
        return None;
    }
    let host = host(text)?;
    let by_name = matches!(
        host.as_str(),
        "metadata.google.internal" | "metadata.goog" | "fd00:ec2::254" | "fd00:ec2::23"
    );
    const ADDRESSES: [u32; 4] = [
        0xa9fe_a9fe, // 169.254.169.254
        0xa9fe_aa02, // 169.254.170.2
        0xa9fe_aa17, // 169.254.170.23
        0x6464_64c8, // 100.100.100.200
    ];
    // `169.254.169.254.nip.io` resolves to the address it embeds.
    let by_address = ipv4(&host)
        .or_else(|| crate::net::wildcard_dns_ipv4(&host))
        .is_some_and(|ip| ADDRESSES.contains(&ip));
    (by_name || by_address).then_some("cloud-metadata")
}

#[cfg(test)]
mod tests {
    use super::is_credential_endpoint;

    #[test]
    fn metadata_services_in_any_spelling() {
        for url in [
            "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
            "169.254.169.254/latest/user-data",
            "http://0xa9fea9fe/latest/api/token",
            "http://169.254.169.254.nip.io/latest/meta-data/",
            "http://2852039166/",
            "http://[::ffff:169.254.169.254]/metadata/identity/oauth2/token",
            "http://[fd00:ec2::254]/latest/meta-data/",
            "http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token",
            "http://169.254.170.2/v2/credentials/abc",
            "http://100.100.100.200/latest/meta-data/ram/security-credentials/",
        ] {
            assert_eq!(is_credential_endpoint(url), Some("cloud-metadata"), "{url}");
        }
    }

    #[test]
    fn other_addresses_and_words_are_not() {
        for text in [
            "http://169.254.1.1/",
            "https://example.com/latest/meta-data",
            "metadata",
            "169.254.169.254",
            "src/metadata.rs",
            "http://10.0.0.1/",
        ] {
            assert_eq!(is_credential_endpoint(text), None, "{text}");
        }
    }
}
