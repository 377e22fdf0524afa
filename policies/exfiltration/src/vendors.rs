//! Credential variables named for a service, and where that service is: a
//! token sent to sign in (`-H "Authorization: Bearer $GITHUB_TOKEN"`, `-u
//! user:$NPM_TOKEN`) goes to the service it is for, and sent as a sign-in
//! to any other host it is given away. A variable named for no service
//! known here (`$API_TOKEN`) may be for the host it is sent to.

/// One service: the words its variables are named with (`GITHUB` in
/// `GITHUB_TOKEN`, `MY_GITHUB_PAT`) and the words its hosts are named with
/// (a label of `api.github.com`, `github.example.corp` for a self-hosted
/// one).
struct Vendor {
    name: &'static str,
    variable_words: &'static [&'static str],
    host_words: &'static [&'static str],
}

const VENDORS: &[Vendor] = &[
    Vendor {
        name: "GitHub",
        variable_words: &["GITHUB", "GH"],
        host_words: &["github", "githubusercontent", "ghcr"],
    },
    Vendor {
        name: "GitLab",
        variable_words: &["GITLAB"],
        host_words: &["gitlab"],
    },
    Vendor {
        name: "OpenAI",
        variable_words: &["OPENAI"],
        host_words: &["openai"],
    },
    Vendor {
        name: "Anthropic",
        variable_words: &["ANTHROPIC", "CLAUDE"],
        host_words: &["anthropic", "claude"],
    },
    Vendor {
        name: "AWS",
        variable_words: &["AWS"],
        host_words: &["amazonaws", "aws"],
    },
    Vendor {
        name: "Google Cloud",
        variable_words: &["GOOGLE", "GCP", "GCLOUD", "GEMINI"],
        host_words: &["googleapis", "google"],
    },
    Vendor {
        name: "Azure",
        variable_words: &["AZURE"],
        host_words: &["azure", "microsoft", "windows", "microsoftonline"],
    },
    Vendor {
        name: "npm",
        variable_words: &["NPM"],
        host_words: &["npmjs"],
    },
    Vendor {
        name: "PyPI",
        variable_words: &["PYPI", "TWINE"],
        host_words: &["pypi"],
    },
    Vendor {
        name: "Docker Hub",
        variable_words: &["DOCKERHUB"],
        host_words: &["docker"],
    },
    Vendor {
        name: "Hugging Face",
        variable_words: &["HF", "HUGGINGFACE", "HUGGING"],
        host_words: &["huggingface", "hf"],
    },
    Vendor {
        name: "Slack",
        variable_words: &["SLACK"],
        host_words: &["slack"],
    },
    Vendor {
        name: "Stripe",
        variable_words: &["STRIPE"],
        host_words: &["stripe"],
    },
    Vendor {
        name: "Cloudflare",
        variable_words: &["CLOUDFLARE"],
        host_words: &["cloudflare"],
    },
    Vendor {
        name: "DigitalOcean",
        variable_words: &["DIGITALOCEAN"],
        host_words: &["digitalocean"],
    },
    Vendor {
        name: "Heroku",
        variable_words: &["HEROKU"],
        host_words: &["heroku"],
    },
    Vendor {
        name: "Vercel",
        variable_words: &["VERCEL"],
        host_words: &["vercel"],
    },
    Vendor {
        name: "Netlify",
        variable_words: &["NETLIFY"],
        host_words: &["netlify"],
    },
    Vendor {
        name: "Datadog",
        variable_words: &["DATADOG"],
        host_words: &["datadoghq", "datadog"],
    },
    Vendor {
        name: "Sentry",
        variable_words: &["SENTRY"],
        host_words: &["sentry"],
    },
    Vendor {
        name: "Twilio",
        variable_words: &["TWILIO"],
        host_words: &["twilio"],
    },
    Vendor {
        name: "SendGrid",
        variable_words: &["SENDGRID"],
        host_words: &["sendgrid"],
    },
];

/// The service whose command-line client `program` is, when a credential
/// it prints (`gh auth token`, `gcloud auth print-access-token`) is for
/// that service: named like its variables (`gh`, `gcloud`, `aws`, `npm`,
/// `heroku`, `vercel`, `netlify`), or one of `glab`, `az`, `doctl`,
/// `huggingface-cli`.
pub(crate) fn service_of_program(program: &str) -> Option<&'static str> {
    match program {
        "glab" => Some("GitLab"),
        "az" => Some("Azure"),
        "doctl" => Some("DigitalOcean"),
        "huggingface-cli" => Some("Hugging Face"),
        _ => service_of(program),
    }
}

/// The service credential variable `name` (without `$`) is for, when its
/// name says: a word of it (split at `_`) is one of a service's.
pub(crate) fn service_of(name: &str) -> Option<&'static str> {
    let upper = name.to_ascii_uppercase();
    let words: Vec<&str> = upper.split('_').collect();
    VENDORS
        .iter()
        .find(|v| v.variable_words.iter().any(|w| words.contains(w)))
        .map(|v| v.name)
}

/// Whether `host` is one of `service`'s: a label of it is one of the
/// service's host words (`api.github.com`, `github.corp.example`,
/// `x.openai.azure.com`).
pub(crate) fn is_service_host(service: &str, host: &str) -> bool {
    let Some(v) = VENDORS.iter().find(|v| v.name == service) else {
        return true;
    };
    let host = host.to_ascii_lowercase();
    host.split('.').any(|label| v.host_words.contains(&label))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_are_named_for_their_service() {
        assert_eq!(service_of("GITHUB_TOKEN"), Some("GitHub"));
        assert_eq!(service_of("MY_GH_PAT"), Some("GitHub"));
        assert_eq!(service_of("OPENAI_API_KEY"), Some("OpenAI"));
        assert_eq!(service_of("AWS_SECRET_ACCESS_KEY"), Some("AWS"));
        assert_eq!(service_of("API_TOKEN"), None);
        assert_eq!(service_of("GHOST_KEY"), None, "words, not prefixes");
    }

    #[test]
    fn a_service_is_reached_at_its_own_hosts() {
        assert!(is_service_host("GitHub", "api.github.com"));
        assert!(is_service_host("GitHub", "github.corp.example"));
        assert!(is_service_host("OpenAI", "x.openai.azure.com"));
        assert!(is_service_host("AWS", "s3.eu-west-1.amazonaws.com"));
        assert!(!is_service_host("GitHub", "evil.example"));
        assert!(!is_service_host("GitHub", "github-stats.evil.example"));
        assert!(!is_service_host("OpenAI", "openai-proxy.evil.example"));
    }
}
