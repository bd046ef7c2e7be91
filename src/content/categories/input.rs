//! What clients send to create or change a category, and the checked
//! values the use cases work with.

use serde::Deserialize;
use utoipa::ToSchema;

use super::rows::CategoryRow;
use crate::content::patch::Patch;
use crate::content::slug::Slug;
use crate::content::text;
use crate::error::FieldError;

pub const NAME_MAX: usize = 100;
pub const DESCRIPTION_MAX: usize = 2000;

/// `POST /api/v1/categories`
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryCreate {
    #[schema(
        example = "Diplomatie",
        min_length = 1,
        max_length = 100,
        pattern = r"[^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
    )]
    pub name: String,
    /// Generated from the name when absent.
    #[schema(
        example = "diplomatie",
        pattern = "^(?:[a-z0-9]*[a-z][a-z0-9]*(?:-[a-z0-9]+)*|[0-9]+(?:-[a-z0-9]+)+)$",
        max_length = 120
    )]
    pub slug: Option<String>,
    #[schema(
        example = "Relations internationales et coopération",
        max_length = 2000
    )]
    pub description: Option<String>,
    #[schema(example = 1)]
    pub parent_id: Option<i64>,
    #[schema(example = 0, minimum = 0)]
    pub position: Option<i32>,
}

/// `PATCH /api/v1/categories/{id_or_slug}`: the fields sent change;
/// `null` clears `description` and `parent_id` (making it a root).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryPatch {
    #[serde(default)]
    #[schema(value_type = String, example = "Diplomatie et coopération", min_length = 1, max_length = 100, pattern = r"[^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")]
    pub name: Patch<String>,
    #[serde(default)]
    #[schema(value_type = String, pattern = "^(?:[a-z0-9]*[a-z][a-z0-9]*(?:-[a-z0-9]+)*|[0-9]+(?:-[a-z0-9]+)+)$", max_length = 120)]
    pub slug: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 2000)]
    pub description: Patch<String>,
    /// `null` makes it a root.
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    pub parent_id: Patch<i64>,
    #[serde(default)]
    #[schema(value_type = i32, minimum = 0)]
    pub position: Patch<i32>,
}

/// A category's fields, checked (the parent's existence and the absence of
/// cycles need the tree and are checked by the use case).
#[derive(Debug, Clone)]
pub struct CategoryFields {
    pub name: String,
    /// `Some` when the client gave one (it must then be free).
    pub slug: Option<Slug>,
    pub description: Option<String>,
    pub parent_id: Option<i64>,
    pub position: i32,
}

impl CategoryFields {
    pub fn from_create(body: CategoryCreate) -> Result<Self, Vec<FieldError>> {
        Self::parse(
            &body.name,
            body.slug.as_deref(),
            body.description.as_deref(),
            body.parent_id,
            body.position.unwrap_or(0),
            Vec::new(),
        )
    }

    /// The category after the patch; the slug is `Some` only when the patch
    /// changes it.
    pub fn from_patch(
        current: &CategoryRow,
        patch: CategoryPatch,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = patch
            .name
            .required("name", &mut errors)
            .unwrap_or_else(|| current.name.clone());
        let slug = patch.slug.required("slug", &mut errors);
        let description = patch.description.apply(current.description.clone());
        let parent_id = patch.parent_id.apply(current.parent_id);
        let position = patch
            .position
            .required("position", &mut errors)
            .unwrap_or(current.position);
        Self::parse(
            &name,
            slug.as_deref(),
            description.as_deref(),
            parent_id,
            position,
            errors,
        )
    }

    fn parse(
        name: &str,
        slug: Option<&str>,
        description: Option<&str>,
        parent_id: Option<i64>,
        position: i32,
        mut errors: Vec<FieldError>,
    ) -> Result<Self, Vec<FieldError>> {
        let name = text::required("name", name, NAME_MAX)
            .map_err(|e| errors.push(e))
            .ok();
        let slug = match slug {
            Some(raw) => Slug::parse("slug", raw)
                .map(Some)
                .map_err(|e| errors.push(e))
                .ok()
                .flatten(),
            None => None,
        };
        let description = text::optional("description", description, DESCRIPTION_MAX)
            .map_err(|e| errors.push(e))
            .ok()
            .flatten();
        if position < 0 {
            errors.push(FieldError::new(
                "position",
                "out_of_range",
                "`position` must be 0 or more",
            ));
        }
        match name {
            Some(name) if errors.is_empty() => Ok(Self {
                name,
                slug,
                description,
                parent_id,
                position,
            }),
            _ => Err(errors),
        }
    }
}
