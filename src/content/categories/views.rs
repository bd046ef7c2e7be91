//! Categories as the contract shows them.

use serde::Serialize;
use utoipa::ToSchema;

use super::rows::CategoryRow;
use super::tree::CategoryTree;
use crate::timestamp;

/// One step of a breadcrumb.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CategoryCrumb {
    #[schema(example = 1)]
    pub id: i64,
    #[schema(example = "news-infos")]
    pub slug: String,
    #[schema(example = "News - Infos")]
    pub name: String,
}

impl From<&CategoryRow> for CategoryCrumb {
    fn from(row: &CategoryRow) -> Self {
        Self {
            id: row.id,
            slug: row.slug.clone(),
            name: row.name.clone(),
        }
    }
}

/// The category embedded in an article: enough for a label and a breadcrumb.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CategoryRef {
    #[schema(example = 2)]
    pub id: i64,
    #[schema(example = "diplomatie")]
    pub slug: String,
    #[schema(example = "Diplomatie")]
    pub name: String,
    /// From the root down to this category (included).
    pub path: Vec<CategoryCrumb>,
}

/// A category.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CategoryView {
    #[schema(example = 2)]
    pub id: i64,
    #[schema(example = "diplomatie")]
    pub slug: String,
    #[schema(example = "Diplomatie")]
    pub name: String,
    #[schema(example = "Relations internationales et coopération")]
    #[schema(required = true)]
    pub description: Option<String>,
    #[schema(example = 1)]
    #[schema(required = true)]
    pub parent_id: Option<i64>,
    /// Order among its siblings (ascending).
    #[schema(example = 0)]
    pub position: i32,
    /// From the root down to this category (included): the breadcrumb
    /// « Accueil > News - Infos > Diplomatie » is built from it.
    pub path: Vec<CategoryCrumb>,
    #[serde(with = "timestamp::rfc3339")]
    #[schema(value_type = String, format = DateTime, example = "2025-01-18T09:30:00Z")]
    pub created_at: chrono::NaiveDateTime,
    #[serde(with = "timestamp::rfc3339")]
    #[schema(value_type = String, format = DateTime, example = "2025-01-18T09:30:00Z")]
    pub updated_at: chrono::NaiveDateTime,
    /// Bumped on every write.
    #[schema(example = 1)]
    pub version: i32,
}

impl CategoryView {
    pub fn new(row: &CategoryRow, tree: &CategoryTree) -> Self {
        Self {
            id: row.id,
            slug: row.slug.clone(),
            name: row.name.clone(),
            description: row.description.clone(),
            parent_id: row.parent_id,
            position: row.position,
            path: tree.path(row.id),
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        }
    }
}

/// The list of categories (all of them, in menu order).
#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryList {
    pub data: Vec<CategoryView>,
    pub meta: crate::http::listing::ListMeta,
}
