//! Commands whose output is a credential: the CLIs' own ways to hand one
//! out (`gh auth token`, `gcloud auth print-access-token`, `aws configure
//! export-credentials`, `kubectl config view --raw`, `git credential fill`,
//! `security find-generic-password -w`, `vault kv get`, `op read`,
//! `heroku config`, `doppler secrets`, `ansible-vault view`, `keyctl
//! print`), an encrypted file decrypted onto the output (`sops -d`, `gpg
//! -d`, `age -d`, `openssl enc -d`), the shell's `history`, a Wi-Fi password shown
//! (`netsh wlan show profile … key=clear`, `nmcli -s connection show`),
//! the tools made to dump credentials (Mimikatz, an LSASS memory dump), a
//! dialog asking the person at the machine for a password (`zenity
//! --password`, `osascript … with hidden answer`),
//! printing a variable whose name says it holds one (`echo $GITHUB_TOKEN`,
//! `printenv AWS_SECRET_ACCESS_KEY`), and a container's whole environment,
//! where a service keeps its credentials (`docker exec db env`, `docker
//! compose config` with `.env`'s values filled in). Their
//! output goes to whoever ran them: to the agent, as a read of a credential
//! file would.
//!
//! The table is of facts about each CLI: a program, the words of its
//! subcommand in order, and what else must be there. Using a credential
//! without seeing it (`curl -H "Authorization: Bearer $TOKEN" …`, `gh pr
//! list`) is not a read.

use std::sync::LazyLock;

use crate::shell::Command;

/// A CLI's credential-printing subcommand.
struct Printer {
    programs: &'static [&'static str],
    /// Words after the options, in order, starting the subcommand.
    path: &'static [&'static str],
    /// Some argument must meet one of these, when listed: an option is
    /// that option given (`kubectl … -o yaml`, `-oyaml`, `--output=yaml`),
    /// a word is contained in an argument, case-insensitively (`aws
    /// configure get aws_secret_access_key`).
    needs: &'static [&'static str],
    kind: &'static str,
}

#[rustfmt::skip]
const PRINTERS: &[Printer] = &[
    Printer { programs: &["gh"], path: &["auth", "token"], needs: &[], kind: "cli-token" },
    Printer { programs: &["gh"], path: &["auth", "status"], needs: &["--show-token"], kind: "cli-token" },
    Printer { programs: &["gh"], path: &["auth", "status"], needs: &["-t"], kind: "cli-token" },
    Printer { programs: &["glab"], path: &["config", "get", "token"], needs: &[], kind: "cli-token" },
    Printer { programs: &["heroku"], path: &["auth:token"], needs: &[], kind: "cli-token" },
    Printer { programs: &["aws"], path: &["configure", "get"], needs: &["secret", "token", "key_id"], kind: "cloud-credentials" },
    Printer { programs: &["aws"], path: &["configure", "export-credentials"], needs: &[], kind: "cloud-credentials" },
    Printer { programs: &["aws"], path: &["sts", "get-session-token"], needs: &[], kind: "cloud-credentials" },
    Printer { programs: &["aws"], path: &["sts", "assume-role"], needs: &[], kind: "cloud-credentials" },
    Printer { programs: &["aws"], path: &["ecr", "get-login-password"], needs: &[], kind: "cloud-credentials" },
    Printer { programs: &["aws"], path: &["codeartifact", "get-authorization-token"], needs: &[], kind: "cloud-credentials" },
    Printer { programs: &["aws"], path: &["secretsmanager", "get-secret-value"], needs: &[], kind: "secret-store" },
    Printer { programs: &["aws"], path: &["ssm", "get-parameter"], needs: &["--with-decryption"], kind: "secret-store" },
    Printer { programs: &["aws"], path: &["ssm", "get-parameters"], needs: &["--with-decryption"], kind: "secret-store" },
    Printer { programs: &["gcloud"], path: &["auth", "print-access-token"], needs: &[], kind: "cloud-credentials" },
    Printer { programs: &["gcloud"], path: &["auth", "print-identity-token"], needs: &[], kind: "cloud-credentials" },
    Printer { programs: &["gcloud"], path: &["auth", "application-default", "print-access-token"], needs: &[], kind: "cloud-credentials" },
    Printer { programs: &["gcloud"], path: &["secrets", "versions", "access"], needs: &[], kind: "secret-store" },
    Printer { programs: &["az"], path: &["account", "get-access-token"], needs: &[], kind: "cloud-credentials" },
    Printer { programs: &["az"], path: &["keyvault", "secret", "show"], needs: &[], kind: "secret-store" },
    Printer { programs: &["az"], path: &["keyvault", "secret", "download"], needs: &[], kind: "secret-store" },
    Printer { programs: &["kubectl", "oc"], path: &["config", "view"], needs: &["--raw", "--flatten"], kind: "kube-config" },
    Printer { programs: &["kubectl", "oc"], path: &["get", "secret"], needs: &["-o", "--output"], kind: "kube-secret" },
    Printer { programs: &["kubectl", "oc"], path: &["get", "secrets"], needs: &["-o", "--output"], kind: "kube-secret" },
    Printer { programs: &["git"], path: &["credential", "fill"], needs: &[], kind: "git-credentials" },
    Printer { programs: &["security"], path: &["find-generic-password"], needs: &["-w", "-g"], kind: "keychain" },
    Printer { programs: &["security"], path: &["find-internet-password"], needs: &["-w", "-g"], kind: "keychain" },
    Printer { programs: &["security"], path: &["dump-keychain"], needs: &[], kind: "keychain" },
    Printer { programs: &["secret-tool"], path: &["lookup"], needs: &[], kind: "keychain" },
    Printer { programs: &["keyring"], path: &["get"], needs: &[], kind: "keychain" },
    Printer { programs: &["getent"], path: &["shadow"], needs: &[], kind: "shadow" },
    Printer { programs: &["getent"], path: &["gshadow"], needs: &[], kind: "shadow" },
    Printer { programs: &["keyctl"], path: &["print"], needs: &[], kind: "keychain" },
    Printer { programs: &["keyctl"], path: &["pipe"], needs: &[], kind: "keychain" },
    Printer { programs: &["keyctl"], path: &["read"], needs: &[], kind: "keychain" },
    Printer { programs: &["op"], path: &["read"], needs: &[], kind: "password-manager" },
    Printer { programs: &["op"], path: &["item", "get"], needs: &["--reveal", "--fields"], kind: "password-manager" },
    Printer { programs: &["op"], path: &["document", "get"], needs: &[], kind: "password-manager" },
    Printer { programs: &["bw"], path: &["get"], needs: &[], kind: "password-manager" },
    Printer { programs: &["lpass"], path: &["show"], needs: &[], kind: "password-manager" },
    Printer { programs: &["pass", "gopass"], path: &["show"], needs: &[], kind: "password-manager" },
    Printer { programs: &["vault"], path: &["kv", "get"], needs: &[], kind: "secret-store" },
    Printer { programs: &["vault"], path: &["read"], needs: &[], kind: "secret-store" },
    Printer { programs: &["vault"], path: &["print", "token"], needs: &[], kind: "secret-store" },
    Printer { programs: &["npm"], path: &["config", "get"], needs: &["_authtoken", "_auth"], kind: "cli-token" },
    Printer { programs: &["heroku"], path: &["config:get"], needs: &[], kind: "platform-config" },
    Printer { programs: &["heroku"], path: &["config"], needs: &[], kind: "platform-config" },
    Printer { programs: &["railway"], path: &["variables"], needs: &[], kind: "platform-config" },
    Printer { programs: &["netlify"], path: &["env:get"], needs: &[], kind: "platform-config" },
    Printer { programs: &["doppler"], path: &["secrets"], needs: &[], kind: "secret-store" },
    Printer { programs: &["infisical"], path: &["secrets"], needs: &[], kind: "secret-store" },
    Printer { programs: &["infisical"], path: &["export"], needs: &[], kind: "secret-store" },
    Printer { programs: &["infisical"], path: &["dynamic-secrets", "lease", "create"], needs: &[], kind: "secret-store" },
    Printer { programs: &["chamber"], path: &["read"], needs: &[], kind: "secret-store" },
    Printer { programs: &["chamber"], path: &["export"], needs: &[], kind: "secret-store" },
    Printer { programs: &["bws"], path: &["secret", "get"], needs: &[], kind: "secret-store" },
    Printer { programs: &["ansible-vault"], path: &["view"], needs: &[], kind: "encrypted-secrets" },
    Printer { programs: &["ansible-vault"], path: &["decrypt"], needs: &["--output=-", "--output"], kind: "encrypted-secrets" },
];

/// Name parts that say a variable holds a credential (`GITHUB_TOKEN`,
/// `AWS_SECRET_ACCESS_KEY`, `DB_PASSWORD`, `OPENAI_API_KEY`).
const SECRET_NAME_PARTS: &[&str] = &[
    "TOKEN",
    "SECRET",
    "PASSWORD",
    "PASSWD",
    "API_KEY",
    "APIKEY",
    "PRIVATE_KEY",
    "ACCESS_KEY",
    "CREDENTIAL",
];

/// Whether a command line with the word `word` may print a credential: a
/// cheap test on the line's words before parsing it for
/// [`prints_credential`].
pub fn may_print_credential(word: &str) -> bool {
    let program = crate::shell::without_exe(word);
    matches!(
        word,
        "echo"
            | "printf"
            | "printenv"
            | "print"
            | "pass"
            | "gpg"
            | "gpg2"
            | "sops"
            | "age"
            | "openssl"
            | "history"
    ) || word.starts_with("docker-credential-")
        || [
            "netsh",
            "nmcli",
            "procdump",
            "procdump64",
            "rundll32",
            "zenity",
            "kdialog",
            "osascript",
            "get-credential",
        ]
        .iter()
        .chain(DUMPERS)
        .chain(ASKPASS)
        .any(|p| program.eq_ignore_ascii_case(p))
        || CONTAINER_CLIS.contains(&word)
        || PRINTER_PROGRAMS.binary_search(&word).is_ok()
}

/// Every program [`PRINTERS`] names, sorted, for [`may_print_credential`]
/// (asked of every word of a line).
pub(crate) static PRINTER_PROGRAMS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    let mut programs: Vec<&str> = PRINTERS
        .iter()
        .flat_map(|p| p.programs.iter().copied())
        .collect();
    programs.sort_unstable();
    programs.dedup();
    programs
});

/// The CLIs that run a command in a container or show its configuration.
const CONTAINER_CLIS: &[&str] = &[
    "docker",
    "podman",
    "nerdctl",
    "docker-compose",
    "podman-compose",
    "kubectl",
    "oc",
];

/// What credential command `c` prints, as a kind id, if it prints one.
pub fn prints_credential(c: &Command) -> Option<&'static str> {
    let program = c.program.as_str();
    let args: Vec<&str> = c.args().iter().map(|w| w.text.as_str()).collect();
    if matches!(program, "echo" | "printf" | "printenv" | "print") {
        return args
            .iter()
            .filter_map(|a| variable_named(a, program == "printenv"))
            .any(is_secret_name)
            .then_some("secret-variable");
    }
    // The shell's history (`history`, `history 50`): commands typed with
    // their passwords, as `.bash_history` holds them. Its options clear,
    // write or read the file instead.
    if program == "history" {
        return args
            .iter()
            .all(|a| !a.starts_with('-'))
            .then_some("shell-history");
    }
    if program.starts_with("docker-credential-") {
        return (args.first() == Some(&"get")).then_some("docker-config");
    }
    // `gpg --export-secret-keys`, `gpg --armor --export-secret-subkeys ID`.
    if matches!(program, "gpg" | "gpg2")
        && args.iter().any(|a| {
            a.starts_with("--export-secret-keys") || a.starts_with("--export-secret-subkeys")
        })
    {
        return Some("private-key");
    }
    if decrypts_to_output(program, &args) {
        return Some("encrypted-secrets");
    }
    PRINTERS
        .iter()
        .filter(|p| p.programs.contains(&program))
        .find(|p| {
            // The subcommand starts at its first word (global options and
            // their values before it: `kubectl -n prod get secret`).
            let words: Vec<&str> = args
                .iter()
                .copied()
                .filter(|a| !a.starts_with('-'))
                .skip_while(|a| *a != p.path[0])
                .take(p.path.len())
                .collect();
            // `kubectl get secret/db -o yaml`: the kind and name in one word.
            let path_ok = words.len() == p.path.len()
                && words
                    .iter()
                    .zip(p.path)
                    .all(|(w, want)| w == want || (*want == "secret" && w.starts_with("secret/")));
            let needs_ok =
                p.needs.is_empty() || args.iter().any(|a| p.needs.iter().any(|n| meets(a, n)));
            path_ok && needs_ok
        })
        .map(|p| p.kind)
        .or_else(|| bare_pass(program, &args))
        .or_else(|| container_environment(c, &args))
        .or_else(|| wifi_password(program, &args))
        .or_else(|| credential_dump(program, &args))
        .or_else(|| password_prompt(program, &args))
}

/// Whether the argument `arg` meets a printer's need `need` (see
/// [`Printer::needs`]): an option (`-t`, `--raw`) is the option itself,
/// with its value attached (`-oyaml`, `--output=yaml`), never a word
/// merely holding its letters (`--hostname my-test`); any other need is
/// contained in the argument, whatever its case.
fn meets(arg: &str, need: &str) -> bool {
    if let Some(long) = need.strip_prefix("--") {
        let given = arg.strip_prefix("--").unwrap_or("");
        let given = given.split_once('=').map_or(given, |(name, _)| name);
        // A need with a value of its own (`--output=-`) is matched whole.
        return given == long || arg == need;
    }
    if need.starts_with('-') {
        return !arg.starts_with("--") && arg.starts_with(need);
    }
    arg.to_ascii_lowercase().contains(need)
}

/// A file decrypted onto the standard output: what was encrypted to keep
/// it secret, shown in the clear to whoever ran the command. `sops -d` (or
/// `sops decrypt`), `gpg -d`/`--decrypt`, `age -d`/`--decrypt`, OpenSSL's
/// `enc -d`, `smime`/`cms -decrypt`, `pkeyutl`/`rsautl -decrypt` — unless
/// an output file takes the clear text (`-o`, `--output`, `-out`).
fn decrypts_to_output(program: &str, args: &[&str]) -> bool {
    let has = |w: &str| args.contains(&w);
    let to_file = args.iter().any(|a| {
        matches!(*a, "-o" | "--output" | "-out")
            || (a.starts_with("--output=") && *a != "--output=-")
    });
    let subcommand = args.iter().find(|a| !a.starts_with('-')).copied();
    let decrypts = match program {
        "sops" => has("-d") || has("--decrypt") || subcommand == Some("decrypt"),
        "gpg" | "gpg2" | "age" => has("-d") || has("--decrypt"),
        // `enc -d` with a cipher (`-aes-256-cbc`), or a cipher as the
        // subcommand (`openssl aes-256-cbc -d`); `enc -d -base64` alone only
        // decodes.
        "openssl" => match subcommand {
            Some("enc") => {
                has("-d") && args.iter().any(|a| a.strip_prefix('-').is_some_and(cipher))
            }
            Some(c) if cipher(c) => has("-d"),
            Some("smime" | "cms" | "pkeyutl" | "rsautl") => has("-decrypt"),
            _ => false,
        },
        _ => false,
    };
    decrypts && !to_file
}

/// An OpenSSL cipher's name (`aes-256-cbc`, `des3`, `chacha20`,
/// `camellia256`).
fn cipher(name: &str) -> bool {
    [
        "aes", "des", "chacha", "camellia", "aria", "sm4", "bf-", "cast", "seed", "idea",
    ]
    .iter()
    .any(|f| name.starts_with(f))
}

/// A dialog that asks the person at the machine for a password and hands
/// it to whoever ran it: `zenity --password`, `kdialog --password`,
/// AppleScript's `display dialog … with hidden answer`, the askpass
/// helpers, PowerShell's `Get-Credential`. Whoever ran it gets the
/// password, as if they had read it.
fn password_prompt(program: &str, args: &[&str]) -> Option<&'static str> {
    let has = |w: &str| args.contains(&w);
    let asks = match program {
        "zenity" => has("--password") || has("--entry") && has("--hide-text"),
        "kdialog" => has("--password") || has("--newpassword"),
        "osascript" => args
            .iter()
            .any(|a| a.to_ascii_lowercase().contains("hidden answer")),
        p => ASKPASS.contains(&p) || p.eq_ignore_ascii_case("get-credential"),
    };
    asks.then_some("password-prompt")
}

/// The helpers whose only work is to ask for a password.
const ASKPASS: &[&str] = &[
    "systemd-ask-password",
    "ssh-askpass",
    "x11-ssh-askpass",
    "ksshaskpass",
    "lxqt-openssh-askpass",
];

/// A Wi-Fi network's password shown in the clear: `netsh wlan show profile
/// NAME key=clear`, `nmcli -s connection show NAME` (`--show-secrets`),
/// `nmcli device wifi show-password`.
fn wifi_password(program: &str, args: &[&str]) -> Option<&'static str> {
    let has = |w: &str| args.iter().any(|a| a.eq_ignore_ascii_case(w));
    let shown = match program {
        "netsh" => has("wlan") && has("key=clear"),
        "nmcli" => {
            (has("-s") || has("--show-secrets")) && (has("show") || has("s"))
                || has("show-password")
        }
        _ => false,
    };
    shown.then_some("wifi-password")
}

/// Programs whose work is to take credentials out of where the system
/// keeps them: Mimikatz and its kin, and a dump of the memory of LSASS,
/// the Windows process holding every signed-in user's credentials
/// (`procdump -ma lsass.exe`, `rundll32 comsvcs.dll, MiniDump PID FILE`).
fn credential_dump(program: &str, args: &[&str]) -> Option<&'static str> {
    let any = |part: &str| args.iter().any(|a| a.to_ascii_lowercase().contains(part));
    let dumps = match program.to_ascii_lowercase().as_str() {
        p if DUMPERS.contains(&p) => true,
        "procdump" | "procdump64" => any("lsass"),
        "rundll32" => any("comsvcs") && any("minidump"),
        _ => false,
    };
    dumps.then_some("credential-dump")
}

/// Tools made to take credentials out of the system's stores.
const DUMPERS: &[&str] = &[
    "mimikatz",
    "pypykatz",
    "secretsdump.py",
    "impacket-secretsdump",
    "lazagne",
    "mimipenguin",
];

/// A container's whole environment, where a service's credentials live
/// (`DATABASE_URL`, `STRIPE_SECRET_KEY`): `env` or `printenv` run in it
/// (`docker exec db env`, `docker compose exec api printenv`, `kubectl exec
/// deploy/api -- env`), or its configuration's `Env` printed (`docker
/// inspect --format '{{.Config.Env}}' db`). One variable by a name that
/// says nothing secret (`printenv PATH`) is not.
fn container_environment(c: &Command, args: &[&str]) -> Option<&'static str> {
    let program = c.program.as_str();
    if !CONTAINER_CLIS.contains(&program) {
        return None;
    }
    let inspect = args.iter().position(|a| *a == "inspect");
    if inspect.is_some_and(|at| args[at..].iter().any(|a| a.contains(".Config.Env"))) {
        return Some("container-environment");
    }
    if compose_config(program, args) {
        return Some("container-environment");
    }
    let run = crate::shell::containers::run_inside(c)?;
    let (cmd, cmd_args) = run.split_first()?;
    let whole = match *cmd {
        "env" => cmd_args.is_empty(),
        "printenv" => cmd_args.is_empty() || cmd_args.iter().any(|a| is_secret_name(a)),
        _ => false,
    };
    whole.then_some("container-environment")
}

/// `docker compose config` (`docker-compose config`, `podman compose
/// config`): the services as Compose runs them, their environments with
/// the values of `.env` and the shell's variables filled in. Not when it
/// prints only names (`--services`, `--volumes`, `--images`, …), validates
/// (`-q`) or leaves the variables as written (`--no-interpolate`).
fn compose_config(program: &str, args: &[&str]) -> bool {
    // Compose's options that take a value, before its subcommand.
    const VALUED: &[&str] = &[
        "-f",
        "--file",
        "-p",
        "--project-name",
        "--env-file",
        "--profile",
        "--project-directory",
        "--ansi",
        "--progress",
        "--parallel",
    ];
    let after = match program {
        "docker-compose" | "podman-compose" => Some(0),
        _ => args.iter().position(|a| *a == "compose").map(|k| k + 1),
    };
    let Some(from) = after else {
        return false;
    };
    let mut rest = args[from..].iter();
    let mut subcommand = None;
    while let Some(a) = rest.next() {
        if VALUED.contains(a) {
            rest.next();
        } else if !a.starts_with('-') {
            subcommand = Some(*a);
            break;
        }
    }
    let config = subcommand == Some("config");
    const NAMES_ONLY: &[&str] = &[
        "--no-interpolate",
        "--services",
        "--volumes",
        "--images",
        "--profiles",
        "--networks",
        "--hash",
        "-q",
        "--quiet",
        "--variables",
    ];
    config && !args.iter().any(|a| NAMES_ONLY.contains(a))
}

/// `pass NAME` (no subcommand) shows the entry, like `pass show NAME`.
fn bare_pass(program: &str, args: &[&str]) -> Option<&'static str> {
    const SUBCOMMANDS: &[&str] = &[
        "init", "ls", "list", "find", "search", "grep", "insert", "add", "edit", "generate", "rm",
        "remove", "mv", "cp", "git", "help", "version",
    ];
    let first = args.iter().find(|a| !a.starts_with('-'))?;
    (program == "pass" && !SUBCOMMANDS.contains(first)).then_some("password-manager")
}

/// The variable `arg` prints: `$NAME`, `${NAME}`, `"$NAME"` inside text
/// (`token=$TOKEN`), or a bare `NAME` for `printenv`.
fn variable_named(arg: &str, bare: bool) -> Option<&str> {
    if bare && !arg.starts_with('-') {
        return Some(arg);
    }
    let start = arg.find('$')? + 1;
    let rest = arg[start..].trim_start_matches('{');
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

/// The credential variable a word expands, if any: `$GITHUB_TOKEN`,
/// `token=${API_KEY}` (a variable whose name says it holds a credential).
pub fn secret_variable(word: &str) -> Option<&str> {
    variable_named(word, false).filter(|n| is_secret_name(n))
}

/// Whether a variable's name says it holds a credential (`GITHUB_TOKEN`,
/// `AWS_SECRET_ACCESS_KEY`, `DB_PASSWORD`).
pub fn is_secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    SECRET_NAME_PARTS.iter().any(|p| upper.contains(p))
}

#[cfg(test)]
mod tests {
    use super::prints_credential;
    use crate::shell;

    fn prints(line: &str) -> Option<&'static str> {
        shell::parse(line)
            .commands
            .iter()
            .find_map(prints_credential)
    }

    #[test]
    fn credential_printers() {
        for line in [
            "gh auth token",
            "gh auth status --show-token",
            "op document get 'Production Certificate'",
            "infisical dynamic-secrets lease create prod-db --plain",
            "aws configure get aws_secret_access_key --profile prod",
            "aws configure export-credentials --format env",
            "gcloud auth print-access-token",
            "az account get-access-token --resource https://vault.azure.net",
            "kubectl config view --raw",
            "kubectl get secret db -o jsonpath='{.data.password}'",
            "kubectl -n prod get secret/db -o yaml",
            "kubectl get secrets -oyaml",
            "kubectl get secret db --output=json",
            "op item get db --fields=password",
            "echo url=https://github.com | git credential fill",
            "security find-generic-password -s github -w",
            "secret-tool lookup service github",
            "op read op://vault/db/password",
            "vault kv get secret/prod/db",
            "pass show work/db",
            "pass work/db",
            "docker-credential-desktop get",
            "echo $GITHUB_TOKEN",
            "printf '%s' \"${OPENAI_API_KEY}\"",
            "printenv AWS_SECRET_ACCESS_KEY",
            "aws secretsmanager get-secret-value --secret-id prod/db",
            "gpg --armor --export-secret-keys me@example.com",
            "docker exec db env",
            "docker exec -u postgres -e X=1 db printenv",
            "docker compose exec -T api env",
            "kubectl -n prod exec deploy/api -c app -- env",
            "podman exec web printenv DATABASE_PASSWORD",
            "docker inspect --format '{{json .Config.Env}}' db",
            "docker compose config",
            "docker compose -f prod.yml --env-file .env.prod config",
            "docker-compose config",
            "heroku config:get DATABASE_URL -a web",
            "heroku config -a web",
            "doppler secrets download --no-file --format env",
            "sops -d secrets.enc.yaml",
            "sops decrypt secrets.enc.yaml",
            "gh auth status -t",
            "gpg -d secrets.gpg",
            "gpg2 --batch --decrypt prod.env.asc",
            "age -d -i ~/.age/key.txt secrets.age",
            "age --decrypt -i key.txt secrets.age",
            "openssl enc -d -aes-256-cbc -pbkdf2 -in secrets.enc -pass env:KEY",
            "openssl smime -decrypt -in mail.p7m -inkey key.pem",
            "openssl pkeyutl -decrypt -inkey key.pem -in secret.bin",
            "openssl aes-256-cbc -d -in secrets.enc -k x",
            "ansible-vault view group_vars/vault.yml",
            "chamber read prod db_password",
            // Wi-Fi passwords, and the tools made to dump credentials.
            "netsh wlan show profile name=home key=clear",
            "nmcli -s connection show home",
            "nmcli --show-secrets -g 802-11-wireless-security.psk con show home",
            "nmcli device wifi show-password",
            "procdump64.exe -accepteula -ma lsass.exe l.dmp",
            "rundll32.exe comsvcs.dll, MiniDump 624 l.dmp full",
            "mimikatz.exe privilege::debug sekurlsa::logonpasswords exit",
            "impacket-secretsdump -just-dc corp/admin@dc",
            "zenity --password --title sudo",
            "kdialog --password 'Password for dev:'",
            "osascript -e 'display dialog \"Password:\" default answer \"\" with hidden answer'",
            "systemd-ask-password 'Disk passphrase:'",
            "pwsh -c 'Get-Credential'",
        ] {
            assert!(prints(line).is_some(), "{line}");
        }
    }

    #[test]
    fn using_a_credential_is_not_printing_it() {
        for line in [
            "gh pr list",
            "gh auth status",
            "gh auth status --hostname my-test.example.com",
            "kubectl get secrets --show-labels -l tier=top-only",
            "aws configure get region",
            "aws s3 ls",
            "kubectl get secrets",
            "kubectl config view",
            "curl -H \"Authorization: Bearer $TOKEN\" https://api.example.com",
            "echo $HOME",
            "echo $AUTHOR_NAME",
            "printenv PATH",
            "vault status",
            "pass ls",
            "op item list",
            "aws ssm get-parameter --name /app/region",
            "gpg --armor --export me@example.com",
            "gpg -d -o secrets.txt secrets.gpg",
            "age -d -i key.txt -o secrets.txt secrets.age",
            "openssl enc -d -aes-256-cbc -in secrets.enc -out secrets.txt",
            "openssl enc -aes-256-cbc -in secrets.txt -out secrets.enc",
            "openssl enc -d -base64 -in blob.b64",
            "openssl base64 -d -in blob.b64",
            "sops -d --output secrets.yaml secrets.enc.yaml",
            "gpg --verify release.tar.gz.asc",
            "openssl x509 -in cert.pem -noout -text",
            "docker exec db printenv PATH",
            "docker exec -it db psql -U app",
            "kubectl exec deploy/api -- env LANG=C ls",
            "docker inspect db",
            "docker compose exec api npm test",
            "docker compose config --services",
            "docker compose config -q",
            "docker compose config --no-interpolate",
            "docker compose exec app cat config",
            "heroku config:set FOO=bar",
            "sops -e my-db.yaml",
            "netsh wlan show profiles",
            "nmcli connection show my-server",
            "procdump -ma myapp.exe app.dmp",
            "rundll32 shell32.dll,Control_RunDLL",
            "zenity --info --text done",
            "osascript -e 'display notification \"Build done\"'",
            "sops -d --output secrets.yaml secrets.enc.yaml",
            "ansible-vault encrypt vault.yml",
        ] {
            assert_eq!(prints(line), None, "{line}");
        }
    }
}
