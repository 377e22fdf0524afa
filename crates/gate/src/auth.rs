//! Who may do what: bearer tokens, each with a role and a name.
//!
//! - `agent`: open sessions, evaluate actions, report outcomes, wait on its
//!   reviews, read sessions;
//! - `reviewer`: list, read, approve and deny reviews; read sessions and evidence;
//! - `admin`: everything, including policy reload.
//!
//! An agent's token cannot approve a review, not even one of its own
//! session. Tokens are kept only as sha256 digests and compared in constant
//! time; they are never logged. The name of the token is the identity that
//! reviews and evidence record.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Agent,
    Reviewer,
    Admin,
}

/// What a request wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Open sessions, evaluate, report outcomes, wait on reviews.
    Act,
    /// Read sessions.
    ReadSessions,
    /// Read the evidence.
    ReadEvidence,
    /// List, approve and deny reviews.
    Review,
    /// Reload policies and other administration.
    Admin,
}

impl Role {
    pub fn may(self, p: Permission) -> bool {
        match self {
            Role::Admin => true,
            Role::Agent => matches!(p, Permission::Act | Permission::ReadSessions),
            Role::Reviewer => matches!(
                p,
                Permission::Review | Permission::ReadSessions | Permission::ReadEvidence
            ),
        }
    }
}

/// The caller a valid token identifies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub name: String,
    pub role: Role,
}

/// `[[auth.token]]` in the config: a name, a role, and where the secret is.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenEntry {
    pub name: String,
    pub role: Role,
    /// The environment variable holding the token (preferred).
    #[serde(default)]
    pub token_env: Option<String>,
    /// A file holding the token (its first line).
    #[serde(default)]
    pub token_file: Option<std::path::PathBuf>,
    /// The token itself, inline (for local experiments only).
    #[serde(default)]
    pub token: Option<String>,
}

/// Shortest token accepted, in bytes.
pub const MIN_TOKEN_LEN: usize = 16;

/// The tokens a gate accepts.
pub struct Tokens {
    entries: Vec<([u8; 32], Principal)>,
}

impl std::fmt::Debug for Tokens {
    /// Names the principals, never the token digests.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.entries.iter().map(|(_, p)| p))
            .finish()
    }
}

impl Tokens {
    /// Resolves the configured tokens; the error names the entry.
    pub fn from_entries(entries: &[TokenEntry]) -> Result<Tokens, String> {
        let mut out = Vec::new();
        for (i, e) in entries.iter().enumerate() {
            let field = format!("auth.token[{i}] ({})", e.name);
            let secret = match (&e.token_env, &e.token_file, &e.token) {
                (Some(var), None, None) => std::env::var(var)
                    .map_err(|_| format!("{field}: environment variable {var} is not set"))?,
                (None, Some(path), None) => std::fs::read_to_string(path)
                    .map_err(|err| format!("{field}: {}: {err}", path.display()))?
                    .lines()
                    .next()
                    .unwrap_or("")
                    .to_string(),
                (None, None, Some(t)) => t.clone(),
                _ => {
                    return Err(format!(
                        "{field}: give exactly one of token_env, token_file, token"
                    ));
                }
            };
            let secret = secret.trim();
            if secret.len() < MIN_TOKEN_LEN {
                return Err(format!(
                    "{field}: the token must be at least {MIN_TOKEN_LEN} characters"
                ));
            }
            out.push((
                digest(secret),
                Principal {
                    name: e.name.clone(),
                    role: e.role,
                },
            ));
        }
        Ok(Tokens { entries: out })
    }

    /// Fresh random tokens, one per role, for a gate started without any
    /// configured. Returns the tokens to show the operator once.
    pub fn generate() -> (Tokens, Vec<(Role, String)>) {
        let mut entries = Vec::new();
        let mut shown = Vec::new();
        for (role, name) in [
            (Role::Agent, "agent"),
            (Role::Reviewer, "reviewer"),
            (Role::Admin, "admin"),
        ] {
            let secret = format!("claw_{name}_{}", uuid::Uuid::new_v4().simple());
            entries.push((
                digest(&secret),
                Principal {
                    name: name.into(),
                    role,
                },
            ));
            shown.push((role, secret));
        }
        (Tokens { entries }, shown)
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The principal a presented token belongs to. Every entry is compared,
    /// in constant time, whatever matches.
    pub fn authenticate(&self, presented: &str) -> Option<Principal> {
        let d = digest(presented.trim());
        let mut found = None;
        for (known, principal) in &self.entries {
            if bool::from(known.ct_eq(&d)) && found.is_none() {
                found = Some(principal.clone());
            }
        }
        found
    }
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_grant_what_they_say() {
        assert!(Role::Agent.may(Permission::Act));
        assert!(!Role::Agent.may(Permission::Review));
        assert!(!Role::Agent.may(Permission::Admin));
        assert!(!Role::Agent.may(Permission::ReadEvidence));
        assert!(Role::Reviewer.may(Permission::Review));
        assert!(!Role::Reviewer.may(Permission::Act));
        assert!(Role::Admin.may(Permission::Admin) && Role::Admin.may(Permission::Act));
    }

    #[test]
    fn tokens_authenticate_and_refuse() {
        let entries = vec![TokenEntry {
            name: "ci".into(),
            role: Role::Agent,
            token_env: None,
            token_file: None,
            token: Some("0123456789abcdef-agent".into()),
        }];
        let tokens = Tokens::from_entries(&entries).unwrap();
        assert_eq!(
            tokens.authenticate("0123456789abcdef-agent").unwrap().role,
            Role::Agent
        );
        assert!(tokens.authenticate("0123456789abcdef-agenT").is_none());
        assert!(tokens.authenticate("").is_none());
        let short = vec![TokenEntry {
            token: Some("short".into()),
            ..entries[0].clone()
        }];
        assert!(
            Tokens::from_entries(&short)
                .unwrap_err()
                .contains("at least 16")
        );
        let both = vec![TokenEntry {
            token_env: Some("X".into()),
            ..entries[0].clone()
        }];
        assert!(
            Tokens::from_entries(&both)
                .unwrap_err()
                .contains("exactly one")
        );
    }

    #[test]
    fn generated_tokens_differ_per_role() {
        let (tokens, shown) = Tokens::generate();
        assert_eq!(shown.len(), 3);
        for (role, secret) in &shown {
            assert_eq!(tokens.authenticate(secret).unwrap().role, *role);
        }
    }
}
