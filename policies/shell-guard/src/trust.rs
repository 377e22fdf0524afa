//! A certificate authority added to the trust stores programs read: the
//! system's (`update-ca-certificates`, `update-ca-trust`, p11-kit's `trust
//! anchor`), macOS's keychains (`security add-trusted-cert`), Windows'
//! (`certutil -addstore Root`, `Import-Certificate -CertStoreLocation
//! Cert:\…\Root`), NSS's (`certutil -A -t C,,`), Java's (`keytool
//! -importcert -cacerts`) and mkcert's (`mkcert -install`). Whoever holds
//! the authority's key can then read and alter every TLS connection the
//! machine makes, with no warning; a defence switched off (`defenses`).

use clawlaw_sdk::shell::{Command, without_exe};

/// Windows' certificate stores whose certificates are trusted to issue.
const WINDOWS_ROOTS: &[&str] = &["root", "authroot", "ca", "trustedpublisher"];

/// What `c` makes the machine trust, if it adds a certificate authority.
pub(crate) fn adds_authority(c: &Command) -> Option<String> {
    let p = without_exe(&c.program).to_ascii_lowercase();
    let args: Vec<String> = c
        .args()
        .iter()
        .map(|w| w.text.to_ascii_lowercase())
        .collect();
    let has = |a: &str| args.iter().any(|x| x == a);
    if has("--help") || has("-h") || has("-?") {
        return None;
    }
    let added = match p.as_str() {
        "update-ca-certificates" | "update-ca-trust" => true,
        "trust" => args.first().is_some_and(|a| a == "anchor") && !has("--remove"),
        "security" => args.first().is_some_and(|a| a == "add-trusted-cert"),
        "mkcert" => has("-install"),
        // Windows' `certutil -addstore [-f] [-user] Root FILE`; NSS's
        // `certutil -A -n NAME -t C,, -i FILE` (`C` or `T`: trusted to issue).
        "certutil" => {
            let windows = args
                .iter()
                .position(|a| a == "-addstore" || a == "/addstore")
                .and_then(|k| args[k + 1..].iter().find(|a| !a.starts_with(['-', '/'])))
                .is_some_and(|store| WINDOWS_ROOTS.contains(&store.as_str()));
            let nss = has("-a")
                && args.windows(2).any(|w| {
                    w[0] == "-t"
                        && w[1]
                            .split(',')
                            .next()
                            .is_some_and(|t| t.contains(['c', 't']))
                });
            windows || nss
        }
        "import-certificate" | "import-pfxcertificate" => args.iter().any(|a| {
            a.trim_matches(['"', '\''])
                .trim_end_matches('\\')
                .rsplit('\\')
                .next()
                .is_some_and(|store| WINDOWS_ROOTS.contains(&store))
                && a.contains("cert:")
        }),
        "keytool" => {
            (has("-importcert") || has("-import") || has("-importkeystore"))
                && (has("-cacerts") || args.iter().any(|a| a.ends_with("/cacerts")))
        }
        _ => false,
    };
    added.then(|| {
        "adds a certificate authority the machine's programs trust: whoever holds its key can read and alter their TLS connections".to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::adds_authority;
    use clawlaw_sdk::shell::parse;

    fn adds(line: &str) -> bool {
        parse(line)
            .commands
            .iter()
            .any(|c| adds_authority(c).is_some())
    }

    #[test]
    fn authorities_added_to_a_trust_store() {
        for line in [
            "update-ca-certificates",
            "update-ca-trust extract",
            "trust anchor --store evil.crt",
            "security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain x.crt",
            "certutil -addstore -f Root x.crt",
            "certutil.exe -user -addstore root x.cer",
            "certutil -A -d sql:$HOME/.pki/nssdb -n x -t C,, -i x.crt",
            r"Import-Certificate -FilePath x.cer -CertStoreLocation Cert:\LocalMachine\Root",
            "keytool -importcert -cacerts -alias x -file x.crt -noprompt",
            "mkcert -install",
        ] {
            assert!(adds(line), "{line}");
        }
    }

    #[test]
    fn certificates_made_or_read_are_not_trusted() {
        for line in [
            "mkcert localhost 127.0.0.1",
            "trust list",
            "trust anchor --remove x.crt",
            "security find-certificate -a -p",
            "certutil -addstore My x.pfx",
            "certutil -L -d sql:$HOME/.pki/nssdb",
            r"Import-Certificate -FilePath x.cer -CertStoreLocation Cert:\CurrentUser\My",
            "keytool -importcert -keystore app.jks -alias x -file x.crt",
            "update-ca-certificates --help",
        ] {
            assert!(!adds(line), "{line}");
        }
    }
}
