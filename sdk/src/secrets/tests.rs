//! Tests of the whole scan, through the public API.

use super::*;

fn kinds(text: &str) -> Vec<&'static str> {
    find(text).into_iter().map(|f| f.kind).collect()
}

/// A plausible random token body (not any real credential).
fn body(n: usize) -> String {
    "Zq8Xv2Lm9Rt4Wb7Nc1Kd6Hf3Gj5Ps0Ya"
        .chars()
        .cycle()
        .take(n)
        .collect()
}

const RSA: &str = concat!(
    "-----BEGIN RSA PRIV",
    "ATE KEY-----\nMIIEowIBAAKCAQEAzq8Xv2Lm9Rt4Wb7Nc1Kd6Hf3Gj5Ps0YaZq8Xv2Lm9Rt4Wb7N\nc1Kd6Hf3Gj5Ps0YaZq8Xv2Lm9Rt4Wb7Nc1Kd6Hf3Gj5Ps0Ya==\n-----END RSA PRIVATE KEY-----\n"
);

#[test]
fn private_key_blocks() {
    let text = format!("key:\n{RSA}done");
    let f = find(&text);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].kind, "private-key");
    assert_eq!(&text[f[0].range.clone()], RSA.trim_end());
    assert_eq!(f[0].excerpt, "-----BEGIN RSA PRIVATE KEY-----…");
    for header in [
        "PRIVATE KEY",
        "EC PRIVATE KEY",
        "OPENSSH PRIVATE KEY",
        "ENCRYPTED PRIVATE KEY",
        "PGP PRIVATE KEY BLOCK",
    ] {
        let t = format!(
            "-----BEGIN {header}-----\n{}\n{}\n-----END {header}-----",
            body(64),
            body(20)
        );
        assert_eq!(kinds(&t), ["private-key"], "{header}");
    }
    // Escaped newlines, as in a JSON service-account file.
    let json = format!(
        r#"{{"private_key": "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n"}}"#,
        body(64)
    );
    assert_eq!(kinds(&json), ["private-key"]);
    // Legacy encrypted PEM with headers.
    let legacy = format!(
        "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,0A1B2C3D\n\n{}\n-----END RSA PRIVATE KEY-----",
        body(64)
    );
    assert_eq!(kinds(&legacy), ["private-key"]);
}

#[test]
fn key_headers_without_material_are_not_keys() {
    assert!(find(r#"const PEM_HEADER: &str = "-----BEGIN PRIVATE KEY-----";"#).is_empty());
    assert!(
        find("if line.starts_with(\"-----BEGIN RSA PRIVATE KEY-----\") {\n    parse(line)\n}")
            .is_empty()
    );
    assert!(find("-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAzq8Xv2Lm9Rt4Wb7N\n-----END PUBLIC KEY-----").is_empty());
    assert!(find("-----BEGIN CERTIFICATE-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAzq8Xv2Lm9Rt4Wb7N\n-----END CERTIFICATE-----").is_empty());
}

#[test]
fn cloud_and_service_tokens() {
    assert_eq!(
        kinds(concat!("export AWS_ACCESS_KEY_ID=AK", "IAZ2E5QW7RT3YU4MOP")),
        ["aws-access-token"]
    );
    assert_eq!(
        kinds(concat!("id AS", "IAY34FZKBOKMUTVV7A here")),
        ["aws-access-token"]
    );
    assert!(
        find("AKIAIOSFODNN7EXAMPLE").is_empty(),
        "AWS's documented example key"
    );
    assert!(
        find(concat!("XAK", "IA2E0A8F3B244C9986")).is_empty(),
        "part of a longer word"
    );
    let secret = concat!(
        "aws_secret_access_key = Zq8Xv2Lm9Rt4",
        "Wb7Nc1Kd/6Hf3Gj5Ps0YaZq8Xv2L"
    );
    let f = find(secret);
    assert_eq!(
        f.iter().map(|f| f.kind).collect::<Vec<_>>(),
        ["aws-secret-key"]
    );
    assert_eq!(
        &secret[f[0].range.clone()],
        "Zq8Xv2Lm9Rt4Wb7Nc1Kd/6Hf3Gj5Ps0YaZq8Xv2L"
    );
    assert_eq!(
        kinds(r#"{"SecretAccessKey": "Zq8Xv2Lm9Rt4Wb7Nc1Kd/6Hf3Gj5Ps0YaZq8Xv2L"}"#),
        ["aws-secret-key"]
    );
    assert!(find("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY").is_empty());

    assert_eq!(kinds(&format!("GH=ghp_{}", body(36))), ["github-pat"]);
    assert_eq!(kinds(&format!("ghs_{}", body(36))), ["github-app-token"]);
    assert_eq!(
        kinds(&format!("github_pat_{}_{}", body(22), body(59))),
        ["github-fine-grained-pat"]
    );
    assert!(find("ghp_short").is_empty());
    assert_eq!(kinds(&format!("glpat-{}", body(20))), ["gitlab-pat"]);
    assert_eq!(
        kinds(concat!(
            "xo",
            "xb-2048123456-2048123456789-Zq8Xv2Lm9Rt4Wb7Nc1Kd6Hf3"
        )),
        ["slack-bot-token"]
    );
    assert_eq!(
        kinds(concat!(
            "https://hooks.sl",
            "ack.com/services/T0ABC1234/B0ABC5678/Zq8Xv2Lm9Rt4Wb7Nc1Kd6Hf3"
        )),
        ["slack-webhook-url"]
    );
    assert_eq!(
        kinds(&format!("sk_live_{}", body(24))),
        ["stripe-access-token"]
    );
    // gitleaks reports test-mode keys too: they still open an account.
    assert_eq!(
        kinds(&format!("sk_test_{}", body(24))),
        ["stripe-access-token"]
    );
    assert_eq!(kinds(&format!("key=AIza{}", body(35))), ["gcp-api-key"]);
    assert_eq!(
        kinds(&format!("sk-ant-api03-{}AA", body(93))),
        ["anthropic-api-key"]
    );
    assert_eq!(
        kinds(&format!("sk-proj-{}T3BlbkFJ{}", body(74), body(74))),
        ["openai-api-key"]
    );
    assert_eq!(
        kinds(&format!(
            "//registry.npmjs.org/:_authToken=npm_{}",
            body(36)
        )),
        ["npm-access-token"]
    );
    assert_eq!(
        kinds(&format!("pypi-AgEIcHlwaS5vcmc{}", body(60))),
        ["pypi-upload-token"]
    );
}

#[test]
fn jwts_and_auth_headers() {
    let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.Zq8Xv2Lm9Rt4Wb7Nc1Kd6Hf3Gj5Ps0Ya";
    assert_eq!(kinds(&format!("token: {jwt}")), ["jwt"]);
    let cmd = format!(
        r#"curl -H "Authorization: Bearer ghp_{}" https://api.github.com"#,
        body(36)
    );
    assert_eq!(
        kinds(&cmd),
        ["github-pat"],
        "the token's own kind wins over curl-auth-header and bearer-token"
    );
    let f = find(&cmd);
    assert_eq!(&cmd[f[0].range.clone()], format!("ghp_{}", body(36)));
    let f = find("Authorization: Bearer Zq8Xv2Lm9Rt4Wb7Nc1Kd6Hf3Gj5Ps0Ya");
    assert_eq!(f[0].kind, "bearer-token");
    assert_eq!(f[0].excerpt, "Bearer Zq8X…(32 chars)");
    assert_eq!(
        kinds("Authorization: Basic dXNlcjpTM2NyM3QhOTk="),
        ["basic-auth"]
    );
    assert!(find(r#"curl -H "Authorization: Bearer $TOKEN" https://x"#).is_empty());
    assert!(find(r#"headers = {"Authorization": f"Bearer {token}"}"#).is_empty());
    assert!(find("Authorization: Bearer YOUR_ACCESS_TOKEN_GOES_HERE").is_empty());
    assert!(find("This is basic functionality for the bearer of the token.").is_empty());
}

#[test]
fn hand_parsed_forms() {
    // IPv6 host, JSON-style basic header, long JWT, token inside a longer run.
    let t = "https://admin:S3cr3tPW9@[2001:db8::1]:8443/x";
    let f = find(t);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(&t[f[0].range.clone()], "S3cr3tPW9");
    assert!(f[0].excerpt.ends_with("@[2001:db8::1]"), "{}", f[0].excerpt);
    assert_eq!(
        kinds(r#"{"Authorization": "Basic dXNlcjpTM2NyM3QhOTk="}"#),
        ["basic-auth"]
    );
    let long_jwt = format!("eyJhbGciOiJSUzI1NiJ9.eyJ{}.{}", body(900), body(342));
    assert_eq!(kinds(&format!("t={long_jwt};")), ["jwt"]);
    // gitleaks' token patterns have no left boundary: a token glued to a
    // longer run is still reported.
    assert_eq!(
        kinds(&format!("{}ghp_{}", body(2000), body(36))),
        ["github-pat"]
    );
    assert!(find(&"eyJhIjoxfQ".repeat(1000)).is_empty());
    assert!(find("mybearer Zq8Xv2Lm9Rt4Wb7Nc1Kd6Hf3Gj5Ps0Ya").is_empty());
}

#[test]
fn many_findings_stay_disjoint_and_ordered() {
    let text = "DB_PASSWORD=hunter2x\n".repeat(2000);
    let f = find(&text);
    assert_eq!(f.len(), 2000);
    assert!(f.windows(2).all(|w| w[0].range.end <= w[1].range.start));
}

#[test]
fn url_credentials() {
    let t = "git remote add origin https://deploy:Zq8Xv2Lm9R@git.corp.internal/app.git";
    let f = find(t);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].kind, "url-credentials");
    assert_eq!(&t[f[0].range.clone()], "Zq8Xv2Lm9R");
    assert_eq!(
        f[0].excerpt,
        "https://deploy:Zq…(10 chars)@git.corp.internal"
    );
    assert_eq!(
        kinds("redis://:s3cr3tPW9@cache.prod:6379/0"),
        ["url-credentials"]
    );
    // Development defaults and placeholders.
    assert!(find("DATABASE_URL=postgres://postgres:postgres@localhost:5432/app").is_empty());
    assert!(find("postgres://app:s3cr3tPW9@localhost/app").is_empty());
    assert!(find("https://user:password@example.com/x").is_empty());
    assert!(find("mysql://root:${MYSQL_PASSWORD}@db/app").is_empty());
    assert!(find("https://github.com/org/repo.git").is_empty());
    assert!(find("ssh://git@github.com/org/repo.git").is_empty());
}

#[test]
fn literal_assignments_are_found() {
    for t in [
        "PASSWORD=hunter2",
        "DB_PASSWORD=S3cr3t!xy",
        "password = \"hunter2\"",
        "  password: 'c0rrect-h0rse'",
        r#"{"password": "hunter22"}"#,
        r#"{\"password\": \"hunter22\"}"#,
        "client_secret: 9f8e7d6c5b4a",
        "export API_KEY=ab12cd34ef56",
        "x-api-key: 8c1f2e9d7b6a",
        "$conn = ['password' => 'Tr0ub4dor&3'];",
        "db.password := \"p4ssw0rd!x\"",
        "passwd: mYp4ss99",
        "mysqladmin --password s3cr3tPW9 status",
        "app --token=Zq8Xv2Lm9Rt4",
        "SECRET_KEY=9x8c7v6b5n4m3",
        "secret_token = \"qwhzkrmvbtpxjdlfgnsyc\"",
    ] {
        assert_eq!(kinds(t), ["secret-assignment"], "{t}");
    }
    let t = "DB_PASSWORD=hunter2 psql";
    let f = find(t);
    assert_eq!(&t[f[0].range.clone()], "hunter2");
    assert_eq!(f[0].excerpt, "DB_PASSWORD=h…(7 chars)");
}

#[test]
fn ordinary_code_is_not_a_secret() {
    for t in [
        "let password = read_password();",
        "    password: String,",
        "pub password: Option<String>,",
        "token = get_token()",
        "password=${PASSWORD}",
        "password=$DB_PASSWORD",
        "password = os.environ[\"PASSWORD\"]",
        "password = os.getenv('PASSWORD')",
        "password = \"\"",
        "password = \"changeme\"",
        "password: \"<your password>\"",
        "password: \"{{ .Values.db.password }}\"",
        "password: \"Enter your password\"",
        "\"password\": \"Passwort\"",
        "\"password\": {\"type\": \"string\"}",
        "if password == \"\" { return; }",
        "if password == expected {",
        "token = self.token",
        "password = args.password",
        "access_token: Option<String>,",
        "let secret_key = derive_key(&salt);",
        "const TOKEN_URL: &str = \"https://oauth2.googleapis.com/token\";",
        "max_tokens = 4096",
        "password_file: /run/secrets/db_password",
        "secret: /run/secrets/app",
        "PASSWORD=xxxxxxxx",
        "password: ********",
        "api_key = \"test-api-key-123\"",
        "token: placeholder_value_1",
        "fn check_password(password: &str) -> bool {",
        "password = password_from_env",
        "secret = \"secret\"",
        "docker login --password-stdin",
        "pg_dump --password --host db",
        "--token \"$GITHUB_TOKEN\"",
        "refresh_token: refreshToken,",
    ] {
        assert_eq!(kinds(t), Vec::<&str>::new(), "{t}");
    }
}

#[test]
fn harmless_data_is_not_a_secret() {
    let png = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
    let sha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    let uuid = "550e8400-e29b-41d4-a716-446655440000";
    for t in [
        png.to_string(),
        format!("sha256:{sha}"),
        format!("checksum = \"{sha}\""),
        format!("id: {uuid}"),
        format!("request_id = \"{uuid}\""),
        "fn main() { println!(\"hello\"); }".to_string(),
        "https://docs.rs/regex-lite/latest/regex_lite/".to_string(),
        "git@github.com:org/repo.git".to_string(),
        "short".to_string(),
    ] {
        assert!(find(&t).is_empty(), "{t}: {:?}", find(&t));
    }
}

#[test]
fn excerpts_never_echo_the_secret() {
    let token = format!("ghp_{}", body(36));
    let text = format!("echo {token} >> ~/.bashrc; PASSWORD=hunter2xyz; key: {RSA}");
    let found = find(&text);
    assert_eq!(found.len(), 3);
    for f in &found {
        let secret = &text[f.range.clone()];
        assert!(!f.excerpt.contains(secret), "{f:?}");
    }
    assert_eq!(redact_value("hunter2"), "h…(7 chars)");
    assert_eq!(redact_value("ab"), "…(2 chars)");
    let r = redact(&text);
    assert!(!r.contains(&token) && !r.contains("hunter2xyz") && !r.contains("MIIE"));
    assert!(r.contains("[REDACTED:github-pat]") && r.contains("[REDACTED:private-key]"));
    assert!(contains_secret(&text));
    assert!(!contains_secret("plain text"));
}

#[test]
fn every_kind_is_described() {
    assert_eq!(describe("github-pat"), "a GitHub Personal Access Token");
    assert!(rule_description("github-pat").is_some_and(|d| d.starts_with("Uncovered a GitHub")));
    assert_eq!(describe("private-key"), "a private key");
    assert_eq!(rule_description("secret-assignment"), None);
    assert!(
        KINDS
            .iter()
            .all(|(k, d)| describe(k) == *d && !d.is_empty())
    );
    assert!(
        KINDS.iter().all(|(_, d)| d.starts_with("a ")
            || d.starts_with("an ")
            || d.starts_with("HTTP")
            || d.ends_with('s')),
        "{:?}",
        *KINDS
    );
    assert_eq!(describe("nope"), "a credential");
    // A plural takes no article; an id starting with a vowel takes "an".
    assert_eq!(describe("aws-access-token"), "AWS credentials");
    assert_eq!(
        describe("airtable-personnal-access-token"),
        "an airtable-personnal-access-token credential"
    );
    let f = find("PASSWORD=hunter2");
    assert_eq!(
        f[0].description(),
        "a literal password, secret, key or token"
    );
}

#[test]
fn rule_set_placeholders_and_allowlists() {
    // Placeholders a fixed-format rule matches are not reported.
    for t in [
        "GH=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        concat!("key = AK", "IAIOSFODNN7EXAMPLE"),
        "SNYK_TOKEN = \"12345678-ABCD-ABCD-ABCD-1234567890AB\"",
        "api_key = \"your-api-key-here\"",
        "client_secret: \"${CLIENT_SECRET}\"",
        "token: \"{{ .Values.token }}\"",
    ] {
        assert_eq!(kinds(t), Vec::<&str>::new(), "{t}");
    }
    // The rule's entropy threshold: a GitHub token of few distinct characters.
    assert!(find("ghp_abababababababababababababababababab").is_empty());
    // The generic rule's allowlists hold for the SDK's assignment detector:
    // names that are not credentials, and gitleaks' stopwords.
    for t in [
        "csrf-token=Mj2qykJO5rELyHgezQ69nzUX0i3OH67V7+V4eUrLfpuyOuxmiW9rhROG",
        "publicToken = \"9Cnzj4p4WGeKLs1Pt8QuKUpRKfFLfRYC9AIKjbJTWit\"",
        "keyboard_layout: qw3rty-intl",
    ] {
        assert_eq!(kinds(t), Vec::<&str>::new(), "{t}");
    }
    // A quoted passphrase of letters is still a secret-assignment, although
    // gitleaks' generic rule allows letters-only values.
    assert_eq!(
        kinds("db_password = \"correcthorsebatterystaple\""),
        ["secret-assignment"]
    );
}

#[test]
fn rule_set_findings_name_the_rule_and_the_secret_group() {
    let t = concat!(
        "adafruit_key = \"",
        "Zq8Xv2Lm9Rt4Wb7Nc1Kd6Hf3Gj5Ps0Yz",
        "\";"
    );
    let f = find(t);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].kind, "adafruit-api-key");
    assert_eq!(&t[f[0].range.clone()], "Zq8Xv2Lm9Rt4Wb7Nc1Kd6Hf3Gj5Ps0Yz");
    assert_eq!(f[0].excerpt, "Zq8X…(32 chars)");
    assert_eq!(f[0].description(), "an Adafruit API Key");
    // The SDK's assignment detector names credential-named keys; the generic
    // rule reports the other keys it knows.
    let t = "api_token = \"Zq8Xv2Lm9Rt4Wb7Nc1Kd6Hf3Gj5Ps0YzQw8ER5Ty7Ui9Op\"";
    assert_eq!(kinds(t), ["secret-assignment"]);
    let t = "some_api_token_123 = \"Zq8Xv2Lm9Rt4Wb7Nc1Kd6Hf3Gj5Ps0YzQw8ER5Ty7Ui9Op\"";
    assert_eq!(kinds(t), ["generic-api-key"]);
    let t = "creds = Zq8Xv2Lm9Rt4Wb7Nc1Kd6Hf3Gj5Ps0";
    assert_eq!(kinds(t), ["generic-api-key"]);
}

#[test]
fn path_scoped_rules_need_the_file() {
    let yaml = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  username: Wm84WHYyTG05UnQ0V2I3TmMxS2Q=\n";
    assert!(find(yaml).is_empty(), "{:?}", find(yaml));
    let f = find_in_file("/work/app/k8s/secret.yaml", yaml);
    assert_eq!(
        f.iter().map(|f| f.kind).collect::<Vec<_>>(),
        ["kubernetes-secret-yaml"]
    );
    assert!(find_in_file("/work/app/k8s/secret.txt", yaml).is_empty());
}

#[test]
fn non_ascii_text_is_scanned_safely() {
    let t = format!("mot de passe é: ghp_{} — fin", body(36));
    let f = find(&t);
    assert_eq!(f.len(), 1);
    assert_eq!(&t[f[0].range.clone()], format!("ghp_{}", body(36)));
    assert!(find(&"é€ key = ü".repeat(500)).is_empty());
}
