//! What clients send to create or change an author, and the checked values.

use serde::Deserialize;
use utoipa::ToSchema;

use super::rows::AuthorRow;
use super::views::AuthorLink;
use crate::content::patch::Patch;
use crate::content::slug::Slug;
use crate::content::text;
use crate::error::FieldError;
use crate::http::object;

pub const NAME_MAX: usize = 150;
pub const BIO_MAX: usize = 5000;
pub const LINKS_MAX: usize = 20;

/// `POST /api/v1/authors`
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthorCreate {
    #[schema(
        example = "Agence Nigérienne de Presse",
        min_length = 1,
        max_length = 150,
        pattern = r"[^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
    )]
    pub name: String,
    /// Generated from the name when absent.
    #[schema(
        example = "agence-nigerienne-de-presse",
        pattern = "^(?:[a-z0-9]*[a-z][a-z0-9]*(?:-[a-z0-9]+)*|[0-9]+(?:-[a-z0-9]+)+)$",
        max_length = 120
    )]
    pub slug: Option<String>,
    #[schema(
        example = "Agence de presse publique du Niger (ANP).",
        max_length = 5000
    )]
    pub bio: Option<String>,
    /// An http(s) URL or a path on this site; blank means none.
    #[schema(
        example = "https://cdn.example/avatars/anp.webp",
        max_length = 2048,
        pattern = r"^[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*((https?://|/)[A-Za-z0-9\-._~:/?#@!$&'()*+,;=%]*[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*)?$"
    )]
    pub avatar_url: Option<String>,
    #[serde(default, deserialize_with = "object::optional_list")]
    #[schema(max_items = 20)]
    pub links: Option<Vec<AuthorLink>>,
}

/// `PATCH /api/v1/authors/{id_or_slug}`: the fields sent change; `null`
/// clears `bio`, `avatar_url` and `links`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthorPatch {
    #[serde(default)]
    #[schema(value_type = String, min_length = 1, max_length = 150, pattern = r"[^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")]
    pub name: Patch<String>,
    #[serde(default)]
    #[schema(value_type = String, pattern = "^(?:[a-z0-9]*[a-z][a-z0-9]*(?:-[a-z0-9]+)*|[0-9]+(?:-[a-z0-9]+)+)$", max_length = 120)]
    pub slug: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "Correspondante à Niamey depuis 2019.", max_length = 5000)]
    pub bio: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 2048, pattern = r"^[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*((https?://|/)[A-Za-z0-9\-._~:/?#@!$&'()*+,;=%]*[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*)?$")]
    pub avatar_url: Patch<String>,
    #[serde(default, deserialize_with = "object::patch_list")]
    #[schema(value_type = Option<Vec<AuthorLink>>, max_items = 20)]
    pub links: Patch<Vec<AuthorLink>>,
}

#[derive(Debug, Clone)]
pub struct AuthorFields {
    pub name: String,
    /// `Some` when the client gave one.
    pub slug: Option<Slug>,
    pub bio: Option<String>,
    pub avatar_url: Option<String>,
    pub links: Vec<AuthorLink>,
}

impl AuthorFields {
    pub fn from_create(body: AuthorCreate) -> Result<Self, Vec<FieldError>> {
        Self::parse(
            &body.name,
            body.slug.as_deref(),
            body.bio.as_deref(),
            body.avatar_url.as_deref(),
            body.links.unwrap_or_default(),
            Vec::new(),
        )
    }

    pub fn from_patch(current: &AuthorRow, patch: AuthorPatch) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = patch
            .name
            .required("name", &mut errors)
            .unwrap_or_else(|| current.name.clone());
        let slug = patch.slug.required("slug", &mut errors);
        let bio = patch.bio.apply(current.bio.clone());
        let avatar_url = patch.avatar_url.apply(current.avatar_url.clone());
        let current_links: Vec<AuthorLink> =
            serde_json::from_str(&current.links).unwrap_or_default();
        let links = patch.links.apply(Some(current_links)).unwrap_or_default();
        Self::parse(
            &name,
            slug.as_deref(),
            bio.as_deref(),
            avatar_url.as_deref(),
            links,
            errors,
        )
    }

    fn parse(
        name: &str,
        slug: Option<&str>,
        bio: Option<&str>,
        avatar_url: Option<&str>,
        links: Vec<AuthorLink>,
        mut errors: Vec<FieldError>,
    ) -> Result<Self, Vec<FieldError>> {
        let name = text::required("name", name, NAME_MAX)
            .map_err(|e| errors.push(e))
            .ok();
        let slug = match slug {
            Some(raw) => Slug::parse("slug", raw).map_err(|e| errors.push(e)).ok(),
            None => None,
        };
        let bio = text::optional("bio", bio, BIO_MAX)
            .map_err(|e| errors.push(e))
            .ok()
            .flatten();
        let avatar_url = match avatar_url.map(str::trim).filter(|u| !u.is_empty()) {
            Some(raw) => text::url("avatar_url", raw)
                .map_err(|e| errors.push(e))
                .ok(),
            None => None,
        };
        if links.len() > LINKS_MAX {
            errors.push(FieldError::new(
                "links",
                "too_many",
                format!("at most {LINKS_MAX} links"),
            ));
        }
        let mut clean_links = Vec::with_capacity(links.len());
        for (i, link) in links.into_iter().enumerate() {
            let label = text::required(&format!("links[{i}].label"), &link.label, 100)
                .map_err(|e| errors.push(e))
                .ok();
            let url = text::url(&format!("links[{i}].url"), &link.url)
                .map_err(|e| errors.push(e))
                .ok();
            if let (Some(label), Some(url)) = (label, url) {
                clean_links.push(AuthorLink { label, url });
            }
        }
        match name {
            Some(name) if errors.is_empty() => Ok(Self {
                name,
                slug,
                bio,
                avatar_url,
                links: clean_links,
            }),
            _ => Err(errors),
        }
    }

    pub fn links_json(&self) -> String {
        serde_json::to_string(&self.links).unwrap_or_else(|_| "[]".to_owned())
    }
}
