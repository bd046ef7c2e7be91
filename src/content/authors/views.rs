use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::rows::AuthorRow;
use crate::timestamp;

/// The byline embedded in an article.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuthorRef {
    #[schema(example = 2)]
    pub id: i64,
    #[schema(example = "aissata-maiga")]
    pub slug: String,
    #[schema(example = "Aïssata Maïga")]
    pub name: String,
}

/// A link on an author's profile (site, social network).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthorLink {
    #[schema(
        example = "Site personnel",
        min_length = 1,
        max_length = 100,
        pattern = r"[^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
    )]
    pub label: String,
    /// An http(s) URL or a path on this site.
    #[schema(
        example = "https://aissata-maiga.example",
        max_length = 2048,
        pattern = r"^[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(https?://|/)[A-Za-z0-9\-._~:/?#@!$&'()*+,;=%]*[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub url: String,
}

/// The public byline.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuthorView {
    #[schema(example = 2)]
    pub id: i64,
    #[schema(example = "aissata-maiga")]
    pub slug: String,
    #[schema(example = "Aïssata Maïga")]
    pub name: String,
    #[schema(example = "Journaliste, correspondante à Niamey.")]
    #[schema(required = true)]
    pub bio: Option<String>,
    #[schema(example = "https://cdn.example/avatars/aissata.webp")]
    #[schema(required = true)]
    pub avatar_url: Option<String>,
    pub links: Vec<AuthorLink>,
    /// Published articles it signs (primary author or co-author).
    #[schema(example = 12)]
    pub article_count: i64,
    #[serde(with = "timestamp::rfc3339")]
    #[schema(value_type = String, format = DateTime, example = "2025-01-18T09:30:00Z")]
    pub created_at: chrono::NaiveDateTime,
    #[serde(with = "timestamp::rfc3339")]
    #[schema(value_type = String, format = DateTime, example = "2025-01-18T09:30:00Z")]
    pub updated_at: chrono::NaiveDateTime,
    #[schema(example = 1)]
    pub version: i32,
}

impl AuthorView {
    pub fn new(row: AuthorRow, article_count: i64) -> Self {
        Self {
            id: row.id,
            // Stored links were checked on write; an unreadable value shows as none.
            links: serde_json::from_str(&row.links).unwrap_or_default(),
            slug: row.slug,
            name: row.name,
            bio: row.bio,
            avatar_url: row.avatar_url,
            article_count,
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        }
    }
}

/// A page of authors.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuthorList {
    pub data: Vec<AuthorView>,
    pub meta: crate::http::listing::ListMeta,
}
