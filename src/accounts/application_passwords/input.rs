//! What a client sends to create an application password (of any kind),
//! and its checks.

use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::{ApiError, FieldError};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApplicationPassword {
    /// Which editor, on which device: shown in the list to tell them apart.
    #[schema(
        example = "MarsEdit, portable de la rédaction",
        min_length = 1,
        max_length = 100,
        pattern = r"[^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
    )]
    pub name: String,
    /// Which protocol it is for; `application_password` when absent.
    #[serde(default)]
    pub kind: CredentialKind,
    /// A Micropub token's scopes; all but `delete` when absent. Refused for
    /// other kinds (the document says so with `if`/`then`, see
    /// `openapi::cross_field_rules`).
    #[schema(example = json!(["create", "update", "media"]), min_items = 1)]
    pub scopes: Option<Vec<MicropubScope>>,
}

/// What a Micropub token may do (micropub.spec.indieweb.org, "Scope").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MicropubScope {
    Create,
    Update,
    Delete,
    Media,
    Draft,
}

impl MicropubScope {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Update => "update",
            Self::Delete => "delete",
            Self::Media => "media",
            Self::Draft => "draft",
        }
    }
}

/// The protocol a credential is presented on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, serde::Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CredentialKind {
    /// WordPress's application password: XML-RPC and `/wp-json`
    /// (`email` + password).
    #[default]
    ApplicationPassword,
    /// Ghost's staff access token `id:secret` (24 + 64 hex), for
    /// `/ghost/api/admin/` (Ulysses, iA Writer, Drafts, Obsidian).
    GhostAdminKey,
    /// A Micropub bearer token with scopes, for `/micropub` (iA Writer,
    /// Micro.blog, Quill).
    MicropubToken,
}

impl CredentialKind {
    pub const ALL: [Self; 3] = [
        Self::ApplicationPassword,
        Self::GhostAdminKey,
        Self::MicropubToken,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ApplicationPassword => "application_password",
            Self::GhostAdminKey => "ghost_admin_key",
            Self::MicropubToken => "micropub_token",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }
}

/// Micropub's scopes (micropub.spec.indieweb.org, "Scope").
pub const MICROPUB_SCOPES: [&str; 5] = ["create", "update", "delete", "media", "draft"];

/// What a hand-made Micropub token may do unless told otherwise: write and
/// upload, not delete.
pub const DEFAULT_MICROPUB_SCOPES: [&str; 4] = ["create", "update", "media", "draft"];

/// A credential to create, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCredential {
    pub name: String,
    pub kind: CredentialKind,
    /// Space-separated, as stored; Micropub tokens only.
    pub scopes: Option<String>,
}

/// Scopes as stored: deduplicated, in the spec's order, space-separated
/// (the form Micropub's `scope` takes); at least one.
fn micropub_scopes(given: &[MicropubScope]) -> Result<String, String> {
    let kept: Vec<&str> = MICROPUB_SCOPES
        .into_iter()
        .filter(|s| given.iter().any(|g| g.as_str() == *s))
        .collect();
    if kept.is_empty() {
        return Err("at least one scope is needed".to_owned());
    }
    Ok(kept.join(" "))
}

impl CreateApplicationPassword {
    /// The name, trimmed: 1 to 100 characters (control characters are
    /// refused for every JSON body, by `http::extract`); scopes for a
    /// Micropub token only.
    pub fn check(self) -> Result<NewCredential, ApiError> {
        let mut errors = Vec::new();
        let name = self.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > 100 {
            errors.push(FieldError::new(
                "name",
                "invalid_length",
                "must be 1 to 100 characters",
            ));
        }
        let scopes = match (self.kind, &self.scopes) {
            (CredentialKind::MicropubToken, None) => Some(DEFAULT_MICROPUB_SCOPES.join(" ")),
            (CredentialKind::MicropubToken, Some(given)) => match micropub_scopes(given) {
                Ok(scopes) => Some(scopes),
                Err(message) => {
                    errors.push(FieldError::new("scopes", "invalid_scope", message));
                    None
                }
            },
            (_, Some(_)) => {
                errors.push(FieldError::new(
                    "scopes",
                    "not_allowed",
                    "only a micropub_token has scopes",
                ));
                None
            }
            (_, None) => None,
        };
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        Ok(NewCredential {
            name,
            kind: self.kind,
            scopes,
        })
    }
}

/// A presented password as stored hashes see it: spaces (the groups of
/// four the password is shown in) ignored, as WordPress does.
pub fn normalize(presented: &str) -> String {
    presented.chars().filter(|c| !c.is_whitespace()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_are_trimmed_and_bounded() {
        let named = |name: &str| CreateApplicationPassword {
            name: name.to_owned(),
            kind: CredentialKind::default(),
            scopes: None,
        };
        assert_eq!(
            named("  MarsEdit, portable de la rédaction ")
                .check()
                .unwrap()
                .name,
            "MarsEdit, portable de la rédaction"
        );
        for bad in ["", "   "] {
            assert!(named(bad).check().is_err(), "{bad:?}");
        }
        assert!(named(&"é".repeat(101)).check().is_err());
    }

    #[test]
    fn only_micropub_tokens_have_scopes() {
        let with = |body: serde_json::Value| {
            serde_json::from_value::<CreateApplicationPassword>(body)
                .map_err(|e| e.to_string())
                .and_then(|input| input.check().map_err(|e| format!("{e:?}")))
        };
        let token = with(json!({"name": "iA Writer", "kind": "micropub_token"})).unwrap();
        assert_eq!(token.scopes.as_deref(), Some("create update media draft"));
        let token = with(json!({"name": "iA Writer", "kind": "micropub_token",
            "scopes": ["media", "delete", "create", "media"]}))
        .unwrap();
        assert_eq!(token.scopes.as_deref(), Some("create delete media"));
        for refused in [
            json!({"name": "iA Writer", "kind": "micropub_token", "scopes": ["admin"]}),
            json!({"name": "iA Writer", "kind": "micropub_token", "scopes": ["create delete"]}),
            json!({"name": "iA Writer", "kind": "micropub_token", "scopes": []}),
            json!({"name": "iA Writer", "kind": "ghost_admin_key", "scopes": ["create"]}),
            json!({"name": "iA Writer", "scopes": ["create"]}),
        ] {
            assert!(with(refused.clone()).is_err(), "{refused}");
        }
        let key =
            with(json!({"name": "iA Writer", "kind": "ghost_admin_key", "scopes": null})).unwrap();
        assert_eq!(key.scopes, None);
    }

    #[test]
    fn spaces_are_ignored_in_a_presented_password() {
        assert_eq!(
            normalize("abcd EFGH ijkl\tMNOP qrst uvwx"),
            "abcdEFGHijklMNOPqrstuvwx"
        );
    }
}
