use serde::Serialize;
use utoipa::ToSchema;

use super::rows::TagRow;
use crate::timestamp;

/// Whether a tag is internal: Ghost's convention, a name starting with
/// `#` (`#une`, `#à-relire`), for the newsroom's own sorting. The public
/// never sees internal tags on an article (`ArticleView::for_public`).
pub fn is_internal(name: &str) -> bool {
    name.starts_with('#')
}

/// The tag embedded in an article.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TagRef {
    #[schema(example = 3)]
    pub id: i64,
    #[schema(example = "sahel")]
    pub slug: String,
    #[schema(example = "Sahel")]
    pub name: String,
}

/// A tag.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TagView {
    #[schema(example = 3)]
    pub id: i64,
    #[schema(example = "elections")]
    pub slug: String,
    #[schema(example = "Élections")]
    pub name: String,
    #[schema(example = "Scrutins et campagnes électorales")]
    #[schema(required = true)]
    pub description: Option<String>,
    #[serde(with = "timestamp::rfc3339")]
    #[schema(value_type = String, format = DateTime, example = "2025-01-18T09:30:00Z")]
    pub created_at: chrono::NaiveDateTime,
    #[serde(with = "timestamp::rfc3339")]
    #[schema(value_type = String, format = DateTime, example = "2025-01-18T09:30:00Z")]
    pub updated_at: chrono::NaiveDateTime,
    #[schema(example = 1)]
    pub version: i32,
}

impl From<TagRow> for TagView {
    fn from(row: TagRow) -> Self {
        Self {
            id: row.id,
            slug: row.slug,
            name: row.name,
            description: row.description,
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        }
    }
}

/// A page of tags.
#[derive(Debug, Serialize, ToSchema)]
pub struct TagList {
    pub data: Vec<TagView>,
    pub meta: crate::http::listing::ListMeta,
}
