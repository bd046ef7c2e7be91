//! Newsroom roles and API token scopes.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What an account may do, from most to least powerful.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything, including users and API tokens.
    Admin,
    /// All content: edit anyone's articles, publish, moderate.
    Editor,
    /// Writes and publishes its own articles.
    Author,
    /// Writes its own drafts; cannot publish or schedule.
    Contributor,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Editor, Role::Author, Role::Contributor];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Editor => "editor",
            Self::Author => "author",
            Self::Contributor => "contributor",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == raw)
    }
}

/// What an API token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum Scope {
    /// Read unpublished content (drafts, previews).
    #[serde(rename = "content:read")]
    ContentRead,
    /// Create, edit, publish and delete any content.
    #[serde(rename = "content:write")]
    ContentWrite,
    /// Everything an admin account may do.
    #[serde(rename = "admin")]
    Admin,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::ContentRead, Scope::ContentWrite, Scope::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ContentRead => "content:read",
            Self::ContentWrite => "content:write",
            Self::Admin => "admin",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// Scopes are stored space-separated (as in OAuth).
    pub fn parse_list(raw: &str) -> Vec<Self> {
        raw.split_whitespace().filter_map(Self::parse).collect()
    }

    pub fn join(scopes: &[Self]) -> String {
        scopes
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }
}
