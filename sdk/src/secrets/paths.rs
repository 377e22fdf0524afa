//! Credential files, by location alone ([`is_credential_path`]): `.env`,
//! `~/.aws/credentials`, SSH and PEM keys, `.netrc`, kube configs and the
//! like. The rule set's only path rule (`pkcs12-file`) is covered here too.
//! And the directories whose purpose is to hold credentials
//! ([`is_credential_dir`]): `~/.ssh`, `~/.aws`, `~/.gnupg`, …

/// Whether `path` names a file that holds credentials, by its location
/// alone; the answer is a kind id:
///
/// | kind | files |
/// |---|---|
/// | `dotenv` | `.env`, `.env.*` (not `.env.example`, `.sample`, `.template`, `.dist`, `.tmpl`, `.tpl`), `.envrc` |
/// | `aws-credentials` | `.aws/credentials` |
/// | `ssh-private-key` | `.ssh/id_*` (not `*.pub`); `id_rsa`, `id_ed25519`, … anywhere |
/// | `pem-file` | `*.pem`, except certificates (`*cert*`, `*chain*`, `ca.pem`, `*-ca.pem` unless the name also says `key`/`priv`) and the system CA stores |
/// | `key-file` | `*.key` |
/// | `pkcs12`, `java-keystore` | `*.p12`, `*.pfx`; `*.jks`, `*.keystore` |
/// | `netrc`, `npmrc`, `pypirc`, `pgpass`, `git-credentials`, `htpasswd`, `vault-token` | `.netrc`/`_netrc`, `.npmrc`, `.pypirc`, `.pgpass`, `.git-credentials`, `.htpasswd`, `.vault-token` |
/// | `docker-config` | `.docker/config.json` |
/// | `kube-config` | `.kube/config`, `kubeconfig` |
/// | `credentials-json` | `credentials.json`, `client_secret*.json` |
/// | `cargo-credentials` | `.cargo/credentials`, `.cargo/credentials.toml` |
/// | `gh-hosts` | `.config/gh/hosts.yml`, `.config/hub` |
/// | `gpg-private-key` | `.gnupg/private-keys-v1.d/*`, `secring.gpg` |
/// | `shell-history` | `.bash_history`, `.zsh_history`, `.python_history`, `.psql_history`, `.mysql_history`, PowerShell's `ConsoleHost_history.txt`, … (commands typed with their passwords) |
/// | `shadow` | `/etc/shadow`, `/etc/gshadow` (and their `-` backups) |
/// | `process-environment` | `/proc/<pid>/environ` |
/// | `gcloud-credentials` | `gcloud/credentials.db`, `access_tokens.db`, `application_default_credentials.json`, `legacy_credentials/*/adc.json` |
/// | `azure-credentials` | `.azure/msal_token_cache.json` (`.bin`), `accessTokens.json`, `service_principal_entries.json` |
/// | `terraform-credentials` | `.terraform.d/credentials.tfrc.json` |
/// | `1password-config` | `.config/op/config` |
/// | `kube-service-account-token` | `…/secrets/kubernetes.io/serviceaccount/token` (in every pod) |
/// | `container-secret` | `/run/secrets/*` (Docker's and Compose's mounted secrets) |
/// | `browser-credentials` | Chrome, Chromium, Edge and Brave profiles' `Login Data`, `Cookies`, `Web Data`; Firefox's `logins.json`, `key4.db`, `cookies.sqlite` |
/// | `keychain` | the desktop's password stores: macOS `Keychains/*.keychain-db`, GNOME `keyrings/*.keyring`, KDE `kwalletd/*.kwl`, KeePass `*.kdbx`/`*.kdb` |
/// | `agent-credentials` | coding agents' logins: Claude Code's `.claude/.credentials.json`, Codex's `.codex/auth.json`, Gemini CLI's `.gemini/oauth_creds.json`, GitHub Copilot's `github-copilot/hosts.json`, `apps.json` |
/// | `tool-credentials` | other tools' login files: `.my.cnf`, `.mylogin.cnf`, `.s3cfg`, `.boto`, `.databrickscfg`, `rclone/rclone.conf`, `.oci/config`, `.gem/credentials`, `containers/auth.json`, `composer/auth.json`, `.m2/settings.xml`, `.m2/settings-security.xml`, `.gradle/gradle.properties`, `ngrok.yml`, `doctl/config.yaml`, `hcloud/cli.toml`, `netlify/config.json`, Vercel's `auth.json`, `.fly/config.yml`, `.wrangler/config/default.toml`, `stripe/config.toml`, the `pass` store's entries |
/// | `vpn-key` | WireGuard's `wireguard/*.conf`, Tailscale's `tailscaled.state` |
/// | `windows-credentials` | the hives `System32/config/SAM`, `SYSTEM`, `SECURITY`; `ntds.dit`; `Microsoft/Credentials/*`, `Microsoft/Protect/*` (DPAPI's master keys), `Microsoft/Vault/*` |
/// | `crypto-wallet` | `wallet.dat`, `.ethereum/keystore/*`, `solana/id.json`, `.electrum/wallets/*` |
///
/// Works on any spelling (`~/.aws/credentials`, relative or absolute): it
/// looks at the last components only; normalise first for `..` tricks. A
/// path in other case is the same file on a case-insensitive file system
/// (macOS's default, Windows'): `~/.AWS/Credentials` is matched too, and
/// so is a Windows path (`%USERPROFILE%\.ssh\id_rsa`).
pub fn is_credential_path(path: &str) -> Option<&'static str> {
    in_any_case(path, credential_path)
}

/// `find` of `path`, or of `path` lower-cased with its backslashes read as
/// separators (`C:\Users\dev\.SSH\id_rsa`) when it holds either.
fn in_any_case(path: &str, find: fn(&str) -> Option<&'static str>) -> Option<&'static str> {
    find(path).or_else(|| {
        path.bytes()
            .any(|b| b.is_ascii_uppercase() || b == b'\\')
            .then(|| find(&path.to_ascii_lowercase().replace('\\', "/")))
            .flatten()
    })
}

/// [`is_credential_path`] of `path` as spelt.
fn credential_path(path: &str) -> Option<&'static str> {
    let p = path.trim_end_matches('/');
    let mut parts = p.rsplit('/');
    let name = parts.next().unwrap_or("");
    let parent = parts.next().unwrap_or("");
    let grand = parts.next().unwrap_or("");
    let lower = name.to_ascii_lowercase();

    if name == ".env" || name == ".envrc" {
        return Some("dotenv");
    }
    if let Some(rest) = name.strip_prefix(".env.") {
        const TEMPLATES: &[&str] = &["example", "sample", "template", "dist", "tmpl", "tpl"];
        let template = rest
            .split('.')
            .any(|s| TEMPLATES.contains(&s.to_ascii_lowercase().as_str()));
        return (!template).then_some("dotenv");
    }
    match (parent, name) {
        (".aws", "credentials") => return Some("aws-credentials"),
        (".docker", "config.json") => return Some("docker-config"),
        (".kube", "config") => return Some("kube-config"),
        (".cargo", "credentials" | "credentials.toml") => return Some("cargo-credentials"),
        ("gh", "hosts.yml") if grand == ".config" => return Some("gh-hosts"),
        ("private-keys-v1.d", _) if grand == ".gnupg" => return Some("gpg-private-key"),
        ("etc", "shadow" | "gshadow" | "shadow-" | "gshadow-")
            if grand.is_empty() && p.starts_with('/') =>
        {
            return Some("shadow");
        }
        (_, "environ") if grand == "proc" => return Some("process-environment"),
        // Cloud CLIs' own token stores.
        (
            "gcloud",
            "credentials.db"
            | "access_tokens.db"
            | "application_default_credentials.json"
            | "legacy_credentials",
        ) => return Some("gcloud-credentials"),
        (_, "adc.json") if grand == "legacy_credentials" => return Some("gcloud-credentials"),
        (
            ".azure",
            "msal_token_cache.json"
            | "msal_token_cache.bin"
            | "accessTokens.json"
            | "service_principal_entries.json",
        ) => return Some("azure-credentials"),
        (".terraform.d", "credentials.tfrc.json") => return Some("terraform-credentials"),
        ("op", "config") if grand == ".config" => return Some("1password-config"),
        // hub, GitHub's older CLI, keeps its token in `~/.config/hub`.
        (".config", "hub") => return Some("gh-hosts"),
        // Kubernetes mounts a pod's service-account token here.
        ("serviceaccount", "token") if p.contains("/secrets/kubernetes.io/") => {
            return Some("kube-service-account-token");
        }
        // Docker and Compose mount a service's secrets as files here.
        ("secrets", _) if (grand == "run" || p.contains("/run/secrets/")) && !name.is_empty() => {
            return Some("container-secret");
        }
        _ => {}
    }
    // Browsers' saved passwords and session cookies (Chrome, Chromium,
    // Edge, Brave keep `Login Data` and `Cookies` in a profile directory;
    // Firefox `logins.json`, `key4.db` and `cookies.sqlite`).
    let browser_store = matches!(
        name,
        "Login Data"
            | "Cookies"
            | "Web Data"
            | "logins.json"
            | "key4.db"
            | "key3.db"
            | "cookies.sqlite"
    );
    if browser_store
        && [
            "/google-chrome/",
            "/chromium/",
            "/microsoft-edge/",
            "/BraveSoftware/",
            "/Google/Chrome/",
            "/.mozilla/firefox/",
            "/Firefox/Profiles/",
        ]
        .iter()
        .any(|d| p.contains(d))
    {
        return Some("browser-credentials");
    }
    // The desktop's password stores.
    let store_dir = matches!(
        (parent, lower.rsplit('.').next().unwrap_or("")),
        ("Keychains", "keychain-db" | "keychain") | ("keyrings", "keyring") | ("kwalletd", "kwl")
    );
    if store_dir || lower.ends_with(".kdbx") || lower.ends_with(".kdb") {
        return Some("keychain");
    }
    // Other tools' login files.
    let tool = matches!(
        (parent, name),
        ("rclone", "rclone.conf")
            | (".oci", "config")
            | (".gem", "credentials")
            | ("containers" | ".composer" | "composer", "auth.json")
            | (".m2", "settings-security.xml")
            | (".ngrok2" | "ngrok", "ngrok.yml")
            | ("doctl", "config.yaml")
            | ("hcloud", "cli.toml")
            // Maven's and Gradle's publishing and signing passwords.
            | (".m2", "settings.xml")
            | (".gradle", "gradle.properties")
            // Hosting and API CLIs' sign-in tokens.
            | ("netlify", "config.json")
            | (".vercel" | "com.vercel.cli", "auth.json")
            | (".fly", "config.yml")
            | ("stripe", "config.toml")
    ) || matches!(
        name,
        ".my.cnf" | ".mylogin.cnf" | ".s3cfg" | ".boto" | ".databrickscfg"
    );
    // Wrangler's sign-in, and the `pass` store's entries.
    let in_dir = |d: &str| p.contains(d) || p.starts_with(&d[1..]);
    if tool
        || p.ends_with(".wrangler/config/default.toml")
        || (in_dir("/.password-store/") && lower.ends_with(".gpg"))
    {
        return Some("tool-credentials");
    }
    // A VPN's private key: WireGuard's interface files, Tailscale's node
    // state.
    if (parent == "wireguard" && lower.ends_with(".conf")) || name == "tailscaled.state" {
        return Some("vpn-key");
    }
    // Cryptocurrency wallets: whoever holds the file holds the funds.
    if name == "wallet.dat"
        || (parent == "keystore" && grand == ".ethereum")
        || (parent == "solana" && name == "id.json")
        || (parent == "wallets" && grand == ".electrum")
    {
        return Some("crypto-wallet");
    }
    // Windows' own credential stores (matched lower-cased): the account
    // database and the hives whose keys decrypt it, a domain's directory
    // database, DPAPI's master keys and the credentials and vaults they
    // protect.
    if (grand == "system32" && parent == "config" && matches!(name, "sam" | "system" | "security"))
        || name == "ntds.dit"
        || [
            "/microsoft/credentials/",
            "/microsoft/protect/",
            "/microsoft/vault/",
        ]
        .iter()
        .any(|d| p.contains(d))
    {
        return Some("windows-credentials");
    }
    // Coding agents' own logins: an API key or OAuth tokens to act as the
    // user with the model provider.
    if matches!(
        (parent, name),
        (".claude", ".credentials.json")
            | (".codex", "auth.json")
            | (".gemini", "oauth_creds.json")
            | ("github-copilot", "hosts.json" | "apps.json")
    ) {
        return Some("agent-credentials");
    }
    if parent == ".ssh" && name.starts_with("id_") && !name.ends_with(".pub") {
        return Some("ssh-private-key");
    }
    const SSH_KEYS: &[&str] = &[
        "id_rsa",
        "id_dsa",
        "id_ecdsa",
        "id_ed25519",
        "id_ecdsa_sk",
        "id_ed25519_sk",
    ];
    if SSH_KEYS.contains(&name) {
        return Some("ssh-private-key");
    }
    let fixed = match name {
        ".netrc" | "_netrc" => Some("netrc"),
        ".npmrc" => Some("npmrc"),
        ".pypirc" => Some("pypirc"),
        ".pgpass" => Some("pgpass"),
        ".git-credentials" => Some("git-credentials"),
        ".htpasswd" => Some("htpasswd"),
        ".vault-token" => Some("vault-token"),
        "kubeconfig" => Some("kube-config"),
        "credentials.json" => Some("credentials-json"),
        "secring.gpg" => Some("gpg-private-key"),
        // Passwords typed on command lines and in REPLs end up here.
        ".bash_history" | ".zsh_history" | ".sh_history" | ".python_history" | ".psql_history"
        | ".mysql_history" | ".sqlite_history" | ".node_repl_history" | ".rediscli_history"
        | "fish_history"
        // PowerShell's (PSReadLine's), matched lower-cased.
        | "consolehost_history.txt" => Some("shell-history"),
        _ => None,
    };
    if fixed.is_some() {
        return fixed;
    }
    if lower.starts_with("client_secret") && lower.ends_with(".json") {
        return Some("credentials-json");
    }
    if lower.ends_with(".pem") {
        let system_store = [
            "/etc/ssl/certs/",
            "/usr/share/ca-certificates/",
            "/etc/pki/ca-trust/",
            "/usr/local/share/ca-certificates/",
        ]
        .iter()
        .any(|d| p.starts_with(d));
        let says_key = lower.contains("key") || lower.contains("priv");
        let says_cert = lower.contains("cert")
            || lower.contains("chain")
            || lower == "ca.pem"
            || lower.ends_with("-ca.pem")
            || lower.ends_with("_ca.pem")
            || lower.ends_with(".crt.pem");
        return (says_key || !(says_cert || system_store)).then_some("pem-file");
    }
    if lower.ends_with(".key") {
        return Some("key-file");
    }
    if lower.ends_with(".p12") || lower.ends_with(".pfx") {
        return Some("pkcs12");
    }
    if lower.ends_with(".jks") || lower.ends_with(".keystore") {
        return Some("java-keystore");
    }
    None
}

/// Whether `path` names a directory whose purpose is to hold credentials,
/// so that reading it whole (`tar czf - ~/.aws`, `rsync -a ~/.gnupg/ …`,
/// `zip -r - ~/.ssh`) reads them: the kind id, as [`is_credential_path`]
/// gives it for the files inside.
///
/// | kind | directories |
/// |---|---|
/// | `ssh-private-key` | `.ssh` |
/// | `aws-credentials` | `.aws` |
/// | `gpg-private-key` | `.gnupg`, `.password-store` |
/// | `kube-config` | `.kube` |
/// | `docker-config` | `.docker` |
/// | `credentials-json` | `.azure`, `.config/gcloud` |
/// | `gh-hosts` | `.config/gh` |
/// | `private-keys` | `/etc/ssl/private` |
/// | `keychain` | `Library/Keychains`, `.local/share/keyrings`, `kwalletd` |
///
/// In any case, as [`is_credential_path`].
pub fn is_credential_dir(path: &str) -> Option<&'static str> {
    in_any_case(path, credential_dir)
}

/// [`is_credential_dir`] of `path` as spelt.
fn credential_dir(path: &str) -> Option<&'static str> {
    let p = path.trim_end_matches('/');
    let mut parts = p.rsplit('/');
    let name = parts.next().unwrap_or("");
    let parent = parts.next().unwrap_or("");
    match (parent, name) {
        (_, ".ssh") => Some("ssh-private-key"),
        (_, ".aws") => Some("aws-credentials"),
        (_, ".gnupg" | ".password-store") => Some("gpg-private-key"),
        (_, ".kube") => Some("kube-config"),
        (_, ".docker") => Some("docker-config"),
        (_, ".azure") | (".config", "gcloud") => Some("credentials-json"),
        (".config", "gh") => Some("gh-hosts"),
        ("ssl", "private") if p.ends_with("/etc/ssl/private") => Some("private-keys"),
        ("Library", "Keychains") | ("share", "keyrings" | "kwalletd") => Some("keychain"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_paths() {
        for (p, kind) in [
            ("/work/app/.env", "dotenv"),
            (".env", "dotenv"),
            ("/work/app/.env.local", "dotenv"),
            ("/work/app/.env.production", "dotenv"),
            ("/work/app/.envrc", "dotenv"),
            ("~/.aws/credentials", "aws-credentials"),
            ("/home/dev/.aws/credentials", "aws-credentials"),
            // The same files on a case-insensitive file system.
            ("/Users/dev/.AWS/Credentials", "aws-credentials"),
            ("~/.SSH/ID_RSA", "ssh-private-key"),
            ("~/.Kube/Config", "kube-config"),
            ("/work/app/.ENV", "dotenv"),
            ("%USERPROFILE%\\.ssh\\id_rsa", "ssh-private-key"),
            ("/usr/windows/System32/config/SAM", "windows-credentials"),
            ("C:\\Windows\\NTDS\\ntds.dit", "windows-credentials"),
            (
                "$HOME/AppData/Roaming/Microsoft/Credentials/DFBE70A7E5CC19A398EBF1B96859CE5D",
                "windows-credentials",
            ),
            (
                "$HOME/AppData/Roaming/Microsoft/Windows/PowerShell/PSReadLine/ConsoleHost_history.txt",
                "shell-history",
            ),
            ("/root/.ssh/id_rsa", "ssh-private-key"),
            ("~/.ssh/id_ed25519", "ssh-private-key"),
            ("~/.ssh/id_deploy", "ssh-private-key"),
            ("/work/app/keys/id_rsa", "ssh-private-key"),
            ("~/.m2/settings.xml", "tool-credentials"),
            ("/home/dev/.gradle/gradle.properties", "tool-credentials"),
            ("~/.vercel/auth.json", "tool-credentials"),
            ("~/.wrangler/config/default.toml", "tool-credentials"),
            ("~/.password-store/web/github.gpg", "tool-credentials"),
            ("/etc/wireguard/wg0.conf", "vpn-key"),
            ("/var/lib/tailscale/tailscaled.state", "vpn-key"),
            ("~/.bitcoin/wallet.dat", "crypto-wallet"),
            (
                "~/.ethereum/keystore/UTC--2024-01-01T00-00-00Z--abc",
                "crypto-wallet",
            ),
            ("~/.config/solana/id.json", "crypto-wallet"),
            ("/work/app/tls/server.pem", "pem-file"),
            ("/etc/letsencrypt/live/x/privkey.pem", "pem-file"),
            ("/work/app/server.key", "key-file"),
            ("/home/dev/.netrc", "netrc"),
            ("/work/app/.npmrc", "npmrc"),
            ("~/.pypirc", "pypirc"),
            ("~/.docker/config.json", "docker-config"),
            ("/home/dev/.kube/config", "kube-config"),
            ("/work/app/credentials.json", "credentials-json"),
            ("/work/app/client_secret_1234.apps.json", "credentials-json"),
            ("/work/app/cert.p12", "pkcs12"),
            ("/work/app/cert.pfx", "pkcs12"),
            ("~/.git-credentials", "git-credentials"),
            ("~/.cargo/credentials.toml", "cargo-credentials"),
            ("~/.config/gh/hosts.yml", "gh-hosts"),
            ("~/.claude/.credentials.json", "agent-credentials"),
            ("/home/dev/.codex/auth.json", "agent-credentials"),
            ("~/.gemini/oauth_creds.json", "agent-credentials"),
            ("~/.config/github-copilot/apps.json", "agent-credentials"),
            ("/etc/shadow", "shadow"),
            ("/proc/self/environ", "process-environment"),
            ("~/.gnupg/private-keys-v1.d/ABC.key", "gpg-private-key"),
            ("~/.config/gcloud/credentials.db", "gcloud-credentials"),
            (
                "/home/u/.config/gcloud/application_default_credentials.json",
                "gcloud-credentials",
            ),
            (
                "~/.config/gcloud/legacy_credentials/me@x.com/adc.json",
                "gcloud-credentials",
            ),
            ("~/.azure/msal_token_cache.json", "azure-credentials"),
            (
                "~/.terraform.d/credentials.tfrc.json",
                "terraform-credentials",
            ),
            ("~/.config/op/config", "1password-config"),
            ("~/.config/hub", "gh-hosts"),
            (
                "/var/run/secrets/kubernetes.io/serviceaccount/token",
                "kube-service-account-token",
            ),
            ("/run/secrets/db_password", "container-secret"),
            (
                "/home/u/.config/google-chrome/Default/Login Data",
                "browser-credentials",
            ),
            (
                "/home/u/.mozilla/firefox/abc.default-release/logins.json",
                "browser-credentials",
            ),
            (
                "/Users/u/Library/Application Support/Google/Chrome/Default/Cookies",
                "browser-credentials",
            ),
            ("~/Library/Keychains/login.keychain-db", "keychain"),
            ("~/.local/share/keyrings/login.keyring", "keychain"),
            ("/work/app/secrets/team.kdbx", "keychain"),
            ("~/.my.cnf", "tool-credentials"),
            ("~/.s3cfg", "tool-credentials"),
            ("~/.config/rclone/rclone.conf", "tool-credentials"),
            ("~/.oci/config", "tool-credentials"),
            ("~/.config/containers/auth.json", "tool-credentials"),
            ("~/.config/composer/auth.json", "tool-credentials"),
        ] {
            assert_eq!(is_credential_path(p), Some(kind), "{p}");
        }
        for p in [
            "/work/app/gradle.properties",
            "/work/app/config/default.toml",
            "/work/app/src/wallet.rs",
            "/work/app/config/settings.xml",
            "/work/app/.env.example",
            "/work/app/.env.sample",
            "/work/app/.env.template",
            "/work/app/.env.local.example",
            "/work/app/.ENV.Example",
            "/work/app/config/SYSTEM",
            "C:\\src\\Cargo.toml",
            "/work/app/src/env.rs",
            "/work/app/.environment/x",
            "~/.ssh/id_rsa.pub",
            "~/.ssh/known_hosts",
            "~/.ssh/config",
            "~/.aws/config",
            "/work/app/src/id_utils.py",
            "/work/app/tls/cert.pem",
            "/work/app/tls/fullchain.pem",
            "/work/app/tls/ca.pem",
            "/etc/ssl/certs/ISRG_Root_X1.pem",
            "/work/app/config.json",
            "/work/app/.kube/other",
            "/work/app/Cargo.toml",
            "/work/app/src/keys.rs",
            "/work/app/shadow",
            "/proc/self/status",
            "~/.config/gcloud/configurations/config_default",
            "/work/app/src/serviceaccount/token",
            "/work/app/tests/Cookies",
            "~/.config/google-chrome/Default/Preferences",
            "~/Library/Keychains/metadata.plist",
            "/work/app/.claude/settings.json",
            "/work/app/src/auth.json",
            "/work/app/auth.json",
            "/work/app/config/mysql.cnf",
            "/",
            "",
        ] {
            assert_eq!(is_credential_path(p), None, "{p}");
        }
    }

    #[test]
    fn credential_directories() {
        for (d, kind) in [
            ("~/.ssh", "ssh-private-key"),
            ("/home/u/.ssh/", "ssh-private-key"),
            ("~/.aws", "aws-credentials"),
            ("$HOME/.gnupg/", "gpg-private-key"),
            ("/root/.kube", "kube-config"),
            ("~/.config/gcloud", "credentials-json"),
            ("~/.config/gh", "gh-hosts"),
            ("/etc/ssl/private", "private-keys"),
            ("~/Library/Keychains", "keychain"),
            ("~/.local/share/keyrings/", "keychain"),
            ("/Users/dev/.SSH", "ssh-private-key"),
        ] {
            assert_eq!(is_credential_dir(d), Some(kind), "{d}");
        }
        for d in [
            "~",
            "~/.config",
            "src",
            "~/.sshd",
            "/etc/ssl/certs",
            "~/.ssh/known_hosts",
        ] {
            assert_eq!(is_credential_dir(d), None, "{d}");
        }
    }
}
