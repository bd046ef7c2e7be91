//! What clients send to create or change a tag, and the checked values.

use serde::Deserialize;
use utoipa::ToSchema;

use super::rows::TagRow;
use crate::content::patch::Patch;
use crate::content::slug::Slug;
use crate::content::text;
use crate::error::FieldError;

pub const NAME_MAX: usize = 100;
pub const DESCRIPTION_MAX: usize = 2000;

/// `POST /api/v1/tags`
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TagCreate {
    #[schema(
        example = "Élections",
        min_length = 1,
        max_length = 100,
        pattern = r"[^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
    )]
    pub name: String,
    /// Generated from the name when absent.
    #[schema(
        example = "elections",
        pattern = "^(?:[a-z0-9]*[a-z][a-z0-9]*(?:-[a-z0-9]+)*|[0-9]+(?:-[a-z0-9]+)+)$",
        max_length = 120
    )]
    pub slug: Option<String>,
    #[schema(example = "Scrutins et campagnes électorales", max_length = 2000)]
    pub description: Option<String>,
}

/// `PATCH /api/v1/tags/{id_or_slug}`: the fields sent change; `null`
/// clears `description`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TagPatch {
    #[serde(default)]
    #[schema(value_type = String, example = "Élections 2026", min_length = 1, max_length = 100, pattern = r"[^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")]
    pub name: Patch<String>,
    #[serde(default)]
    #[schema(value_type = String, pattern = "^(?:[a-z0-9]*[a-z][a-z0-9]*(?:-[a-z0-9]+)*|[0-9]+(?:-[a-z0-9]+)+)$", max_length = 120)]
    pub slug: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 2000)]
    pub description: Patch<String>,
}

#[derive(Debug, Clone)]
pub struct TagFields {
    pub name: String,
    /// `Some` when the client gave one.
    pub slug: Option<Slug>,
    pub description: Option<String>,
}

impl TagFields {
    pub fn from_create(body: TagCreate) -> Result<Self, Vec<FieldError>> {
        Self::parse(
            &body.name,
            body.slug.as_deref(),
            body.description.as_deref(),
            Vec::new(),
        )
    }

    pub fn from_patch(current: &TagRow, patch: TagPatch) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = patch
            .name
            .required("name", &mut errors)
            .unwrap_or_else(|| current.name.clone());
        let slug = patch.slug.required("slug", &mut errors);
        let description = patch.description.apply(current.description.clone());
        Self::parse(&name, slug.as_deref(), description.as_deref(), errors)
    }

    fn parse(
        name: &str,
        slug: Option<&str>,
        description: Option<&str>,
        mut errors: Vec<FieldError>,
    ) -> Result<Self, Vec<FieldError>> {
        let name = text::required("name", name, NAME_MAX)
            .map_err(|e| errors.push(e))
            .ok();
        let slug = match slug {
            Some(raw) => Slug::parse("slug", raw).map_err(|e| errors.push(e)).ok(),
            None => None,
        };
        let description = text::optional("description", description, DESCRIPTION_MAX)
            .map_err(|e| errors.push(e))
            .ok()
            .flatten();
        match name {
            Some(name) if errors.is_empty() => Ok(Self {
                name,
                slug,
                description,
            }),
            _ => Err(errors),
        }
    }
}
