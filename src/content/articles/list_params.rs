//! The query string of `GET /api/v1/articles`, parsed into checked values:
//! every bad parameter is a 400 naming it.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::views::FIELD_NAMES;
use crate::content::articles::lifecycle::ArticleStatus;
use crate::content::lookup::{IdOrSlug, parse_reference};
use crate::content::text::fold_for_search;
use crate::error::ApiError;
use crate::http::listing::{PageRequest, parse_bool, parse_bounded};
use crate::timestamp;

/// The orders a list can be sorted in; `-` is descending. Every order ends
/// with the id, so that equal keys never swap between pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub enum ArticleSort {
    #[serde(rename = "-published_at")]
    PublishedAtDesc,
    #[serde(rename = "published_at")]
    PublishedAtAsc,
    #[serde(rename = "title")]
    TitleAsc,
    #[serde(rename = "-title")]
    TitleDesc,
    #[serde(rename = "updated_at")]
    UpdatedAtAsc,
    #[serde(rename = "-updated_at")]
    UpdatedAtDesc,
}

impl ArticleSort {
    const ALL: [ArticleSort; 6] = [
        Self::PublishedAtDesc,
        Self::PublishedAtAsc,
        Self::TitleAsc,
        Self::TitleDesc,
        Self::UpdatedAtAsc,
        Self::UpdatedAtDesc,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::PublishedAtDesc => "-published_at",
            Self::PublishedAtAsc => "published_at",
            Self::TitleAsc => "title",
            Self::TitleDesc => "-title",
            Self::UpdatedAtAsc => "updated_at",
            Self::UpdatedAtDesc => "-updated_at",
        }
    }

    pub fn descending(self) -> bool {
        self.as_str().starts_with('-')
    }
}

/// What `include` may add.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ArticleInclude {
    /// `body` and `body_html`.
    Body,
}

/// The query string as sent; values stay text here so that each bad one is
/// reported by name.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ArticleListQuery {
    /// Page number, from 1 (not with `cursor`).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000000, example = 1)]
    pub page: Option<String>,
    /// Items per page: default 20, at most 100 (more is a 400).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100, example = 20)]
    pub per_page: Option<String>,
    /// Opaque key of a page, from `meta.next_cursor` (keyset pagination,
    /// stable while articles are published).
    pub cursor: Option<String>,
    /// Order; default `-published_at`.
    #[param(value_type = Option<ArticleSort>)]
    pub sort: Option<String>,
    /// Category ids or slugs, comma-separated: articles in any of them or
    /// under them (`benin,niger`).
    #[param(example = "benin,niger", pattern = r"^[^,]+(,[^,]+)*$")]
    pub category: Option<String>,
    /// Tag ids or slugs, comma-separated: articles with any of them.
    #[param(example = "sahel,cedeao", pattern = r"^[^,]+(,[^,]+)*$")]
    pub tag: Option<String>,
    /// Author id or slug.
    #[param(example = "aissata-maiga")]
    pub author: Option<String>,
    /// Newsroom only (authenticated): any status. The public may only ask for `published`.
    #[param(value_type = Option<ArticleStatus>)]
    pub status: Option<String>,
    #[param(value_type = Option<bool>)]
    pub featured: Option<String>,
    /// Sponsored content ("Publicité") only, or none of it.
    #[param(value_type = Option<bool>)]
    pub sponsored: Option<String>,
    /// Articles in this language (`fr`, `en`, `fr-BE`).
    #[param(example = "fr", pattern = "^[a-z]{2}(-[A-Z]{2})?$")]
    pub language: Option<String>,
    /// Published strictly after this instant (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime, example = "2025-01-01T00:00:00Z")]
    pub published_after: Option<String>,
    /// Published strictly before this instant (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime, example = "2025-02-01T00:00:00Z")]
    pub published_before: Option<String>,
    /// Words that must all appear in the title, excerpt or body; accents
    /// and case are ignored (`election` finds « Élections »).
    #[param(example = "élections bénin")]
    pub q: Option<String>,
    /// Comma-separated fields to keep (plus `id`), e.g. `title,slug,excerpt`.
    #[param(
        example = "title,slug,excerpt",
        pattern = r"^(id|slug|title|excerpt|body|body_format|body_html|status|published_at|created_at|updated_at|version|language|author|authors|category|tags|featured_image|seo|featured|sponsored|comments_enabled|comment_count|comments_open|reading_time_minutes|word_count)(,(id|slug|title|excerpt|body|body_format|body_html|status|published_at|created_at|updated_at|version|language|author|authors|category|tags|featured_image|seo|featured|sponsored|comments_enabled|comment_count|comments_open|reading_time_minutes|word_count))*$"
    )]
    pub fields: Option<String>,
    /// Heavy fields lists leave out by default.
    #[param(value_type = Option<ArticleInclude>)]
    pub include: Option<String>,
}

/// Which articles, whatever the page.
#[derive(Debug, Clone, Default)]
pub struct ArticleFilter {
    /// Any of these (and what is under them); empty: every category.
    pub categories: Vec<IdOrSlug>,
    /// Any of these; empty: whatever the tags.
    pub tags: Vec<IdOrSlug>,
    pub author: Option<IdOrSlug>,
    pub status: Option<ArticleStatus>,
    pub featured: Option<bool>,
    pub sponsored: Option<bool>,
    pub language: Option<String>,
    pub published_after: Option<NaiveDateTime>,
    pub published_before: Option<NaiveDateTime>,
    /// Folded words, all required.
    pub words: Vec<String>,
}

/// How the response is shaped.
#[derive(Debug, Clone, Default)]
pub struct Shape {
    pub with_body: bool,
    /// `None`: every field.
    pub fields: Option<Vec<String>>,
}

#[derive(Debug, Clone)]
pub struct ArticleListParams {
    pub page: PageRequest,
    pub cursor: Option<String>,
    pub sort: ArticleSort,
    pub filter: ArticleFilter,
    pub shape: Shape,
    /// The filter and sort as sent, bound into cursors so that a cursor
    /// cannot be replayed against another query.
    pub fingerprint: String,
}

fn time_param(name: &str, raw: Option<&str>) -> Result<Option<NaiveDateTime>, ApiError> {
    raw.map(|raw| {
        timestamp::parse_rfc3339(raw).ok_or_else(|| {
            ApiError::bad_parameter(
                name,
                "invalid_datetime",
                format!("`{name}` must be an RFC 3339 timestamp with a year between 1000 and 9999"),
            )
        })
    })
    .transpose()
}

pub fn parse_shape(fields: Option<&str>, include: Option<&str>) -> Result<Shape, ApiError> {
    // Exactly the documented forms: no blanks, no spaces, no empty names.
    let mut with_body = match include {
        None => false,
        Some("body") => true,
        Some(other) => {
            return Err(ApiError::bad_parameter(
                "include",
                "invalid_choice",
                format!("unknown include `{other}`; the only one is `body`"),
            ));
        }
    };
    let fields = match fields {
        None => None,
        Some(raw) => {
            let mut names = Vec::new();
            for name in raw.split(',') {
                if !FIELD_NAMES.contains(&name) {
                    return Err(ApiError::bad_parameter(
                        "fields",
                        "unknown_field",
                        format!("unknown field `{name}`"),
                    ));
                }
                names.push(name.to_owned());
            }
            if names.iter().any(|n| n == "body" || n == "body_html") {
                with_body = true;
            }
            Some(names)
        }
    };
    Ok(Shape { with_body, fields })
}

impl ArticleListQuery {
    /// `newsroom`: the caller may read unpublished articles (and so filter by status).
    pub fn parse(mut self, newsroom: bool) -> Result<ArticleListParams, ApiError> {
        let page = PageRequest::parse(self.page.as_deref(), self.per_page.as_deref())?;
        // `cursor=` (empty), as forms and generated clients send it, means none.
        self.cursor = self.cursor.filter(|c| !c.is_empty());
        if self.cursor.is_some() && self.page.is_some() {
            return Err(ApiError::bad_parameter(
                "cursor",
                "conflicting_parameters",
                "`cursor` and `page` cannot be combined",
            ));
        }
        let sort = match self.sort.as_deref() {
            None => ArticleSort::PublishedAtDesc,
            Some(raw) => ArticleSort::ALL.into_iter().find(|s| s.as_str() == raw).ok_or_else(|| {
                ApiError::bad_parameter(
                    "sort",
                    "invalid_choice",
                    "`sort` must be one of -published_at, published_at, title, -title, updated_at, -updated_at",
                )
            })?,
        };
        let status = match self.status.as_deref() {
            None => None,
            Some(raw) => {
                let status = ArticleStatus::parse(raw).ok_or_else(|| {
                    ApiError::bad_parameter(
                        "status",
                        "invalid_choice",
                        "`status` must be one of draft, review, scheduled, published, archived",
                    )
                })?;
                // The public only ever sees published articles; asking for
                // others is refused rather than silently answered with none,
                // as a 401 (with `WWW-Authenticate`): the same request with
                // credentials is answered.
                if !newsroom && status != ArticleStatus::Published {
                    return Err(ApiError::Unauthorized(
                        "only authenticated newsroom callers may list unpublished articles; \
                         sign in and send the bearer token"
                            .to_owned(),
                    ));
                }
                Some(status)
            }
        };
        let featured = self
            .featured
            .as_deref()
            .map(|raw| parse_bool("featured", raw))
            .transpose()?;
        let sponsored = self
            .sponsored
            .as_deref()
            .map(|raw| parse_bool("sponsored", raw))
            .transpose()?;
        let language = self
            .language
            .as_deref()
            .map(|raw| {
                crate::content::articles::input::check_language(raw)
                    .map_err(|e| ApiError::bad_parameter("language", &e.code, e.message))
            })
            .transpose()?;
        let filter = ArticleFilter {
            categories: references("category", self.category.as_deref())?,
            tags: references("tag", self.tag.as_deref())?,
            author: self.author.as_deref().map(parse_reference),
            status,
            featured,
            sponsored,
            language,
            published_after: time_param("published_after", self.published_after.as_deref())?,
            published_before: time_param("published_before", self.published_before.as_deref())?,
            words: self
                .q
                .as_deref()
                .map(|q| {
                    fold_for_search(q)
                        .split_whitespace()
                        .take(10)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
        };
        let shape = parse_shape(self.fields.as_deref(), self.include.as_deref())?;
        let fingerprint = format!(
            "{newsroom}|{}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
            sort.as_str(),
            self.category,
            self.tag,
            self.author,
            self.status,
            self.featured,
            self.sponsored,
            self.language,
            self.published_after,
            self.published_before,
            self.q
        );
        Ok(ArticleListParams {
            page,
            cursor: self.cursor,
            sort,
            filter,
            shape,
            fingerprint,
        })
    }
}

/// A comma-separated list of ids or slugs (`benin,niger`): any of them.
/// An empty name (`benin,,niger`, a trailing comma) is a 400 naming the
/// parameter.
fn references(parameter: &str, raw: Option<&str>) -> Result<Vec<IdOrSlug>, ApiError> {
    let Some(raw) = raw else {
        return Ok(Vec::new());
    };
    raw.split(',')
        .map(|part| {
            let part = part.trim();
            if part.is_empty() {
                Err(ApiError::bad_parameter(
                    parameter,
                    "invalid_list",
                    format!("`{parameter}` is a comma-separated list of ids or slugs, without empty items"),
                ))
            } else {
                Ok(parse_reference(part))
            }
        })
        .collect()
}

/// `limit` of the related block: default 5, at most 20.
pub fn related_limit(raw: Option<&str>) -> Result<u32, ApiError> {
    raw.map(|raw| parse_bounded("limit", raw, 1, 20))
        .transpose()
        .map(|l| l.unwrap_or(5))
}

/// The last key of a page, sealed into `meta.next_cursor`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CursorPayload {
    /// Digest of the query the cursor belongs to.
    pub q: String,
    pub key: SortValue,
    pub id: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SortValue {
    /// Microseconds since the epoch.
    Time(i64),
    /// A title's collation key (`french_order`), in hex.
    Key(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `fields` pattern the document publishes (on the list and on the
    /// detail) accepts exactly the names the server accepts.
    #[test]
    fn documented_fields_pattern_matches_the_field_names() {
        let names = FIELD_NAMES.join("|");
        let expected = format!("^({names})(,({names}))*$");
        let doc = serde_json::to_value(crate::openapi::document()).unwrap_or_default();
        for path in ["/api/v1/articles", "/api/v1/articles/{id_or_slug}"] {
            let params = doc["paths"][path]["get"]["parameters"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let fields = params
                .iter()
                .find(|p| p["name"] == "fields")
                .cloned()
                .unwrap_or_default();
            assert_eq!(fields["schema"]["pattern"], expected.as_str(), "{path}");
        }
    }
}
