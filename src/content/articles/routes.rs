//! `/api/v1/articles`: thin handlers over the use cases.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::input::{ArticleCreate, ArticlePatch};
use super::list_params::{ArticleInclude, ArticleListQuery, parse_shape, related_limit};
use super::list_params::{CursorPayload, SortValue};
use super::renderings;
use super::use_cases::{self, Start};
use super::views::{
    Article, ArticleList, RELATED_FIELD_NAMES, RelatedList, SPARSE_JSON, SparseArticle,
    SparseArticleList, SparseRelatedList,
};
use crate::auth::Caller;
use crate::auth::policy::may_read_unpublished;
use crate::content::lookup::IdOrSlug;
use crate::error::{ApiError, Problem};
use crate::http::conditional::{
    JSON, json_bytes_get, json_get, json_get_as, json_written, precondition,
};
use crate::http::cursor::CursorKey;
use crate::http::extract::{JsonBody, JsonBodyAfterPreconditions, QueryParams};
use crate::http::listing::{ListEnvelope, ListMeta, link_header};
use crate::state::AppState;

/// List articles.
///
/// Public. The public sees published articles whose `published_at` has
/// passed; with a bearer token (an account or an API token) the newsroom's
/// view: every status. Items embed
/// `author`, `authors`, `category` (with `path`) and `tags`; `body` and
/// `body_html` only with `include=body`. Page with `page` or, stable while
/// articles are published, with `cursor` from `meta.next_cursor`.
#[utoipa::path(
    tag = "articles",
    params(ArticleListQuery),
    responses(
        (status = 200, description = "A page of articles; with `fields`, trimmed ones \
         (`application/vnd.cms.sparse+json`)",
         content((ArticleList = "application/json"), (SparseArticleList = "application/vnd.cms.sparse+json")),
         headers(("ETag" = String, description = "Strong validator of this response"),
                 ("Link" = String, description = "RFC 8288 links: first, prev, next, last"),
                 ("Cache-Control" = String, description = "public, max-age=N for anonymous reads; private, no-store otherwise"))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, description = "Bad query parameter (named in errors[].field)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Bad credentials", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/articles")]
pub async fn list_articles(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: QueryParams<ArticleListQuery>,
) -> Result<HttpResponse, ApiError> {
    let params = query.0.parse(may_read_unpublished(&caller))?;
    let cursors = ListCursors::new(&state.cursor_key, &params.fingerprint);
    let start = match &params.cursor {
        None => Start::Offset(params.page.offset()),
        Some(cursor) => cursors.open(cursor)?,
    };
    let page_number = matches!(start, Start::Offset(_)).then_some(params.page.page);
    let per_page = params.page.per_page;
    let max_age = state.config.public_cache_seconds;
    let headers = |meta: &ListMeta| -> Vec<_> {
        link_header(&req, meta)
            .into_iter()
            .map(|l| (header::LINK, l))
            .collect()
    };
    // The public's plain list is served from the stored items when they
    // answer it: the same bytes, without building the views.
    if matches!(caller, Caller::Public)
        && let Some(page) =
            use_cases::public_list_items(&state.content, params.clone(), start.clone()).await?
    {
        let meta = ListMeta::new(page_number, per_page, page.total, cursors.seal(page.next));
        let bytes = renderings::envelope(&page.data, &meta)?;
        return json_bytes_get(&req, &caller, max_age, bytes, &headers(&meta));
    }
    let media_type = media_type(params.shape.fields.is_some());
    let page = use_cases::list(&state.content, &caller, params, start).await?;
    let meta = ListMeta::new(page_number, per_page, page.total, cursors.seal(page.next));
    let headers = headers(&meta);
    let envelope = ListEnvelope {
        data: page.data,
        meta,
    };
    json_get_as(&req, &caller, max_age, &envelope, &headers, media_type)
}

/// An article read trimmed by `fields` says so in its media type.
fn media_type(trimmed: bool) -> &'static str {
    if trimmed { SPARSE_JSON } else { JSON }
}

/// The cursors of one list query: sealed with the server's key and bound
/// to the query (a cursor from another query is refused).
struct ListCursors<'a> {
    key: &'a CursorKey,
    query: String,
}

impl<'a> ListCursors<'a> {
    fn new(key: &'a CursorKey, fingerprint: &str) -> Self {
        use sha2::{Digest, Sha256};
        Self {
            key,
            query: hex::encode(&Sha256::digest(fingerprint.as_bytes())[..8]),
        }
    }

    fn open(&self, cursor: &str) -> Result<Start, ApiError> {
        let payload: CursorPayload = self
            .key
            .open(cursor)
            .filter(|p: &CursorPayload| p.q == self.query)
            .ok_or_else(|| {
                ApiError::bad_parameter(
                    "cursor",
                    "invalid_cursor",
                    "the cursor is invalid or belongs to another query",
                )
            })?;
        Ok(Start::After(payload.key, payload.id))
    }

    fn seal(&self, next: Option<(SortValue, i64)>) -> Option<String> {
        let (key, id) = next?;
        self.key.seal(&CursorPayload {
            q: self.query.clone(),
            key,
            id,
        })
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ArticleGetQuery {
    /// Comma-separated fields to keep (plus `id`).
    #[param(
        example = "title,slug,body_html",
        pattern = r"^(id|slug|title|excerpt|body|body_format|body_html|status|published_at|created_at|updated_at|version|language|author|authors|category|tags|featured_image|seo|featured|sponsored|comments_enabled|comment_count|comments_open|reading_time_minutes|word_count)(,(id|slug|title|excerpt|body|body_format|body_html|status|published_at|created_at|updated_at|version|language|author|authors|category|tags|featured_image|seo|featured|sponsored|comments_enabled|comment_count|comments_open|reading_time_minutes|word_count))*$"
    )]
    pub fields: Option<String>,
    /// Accepted for symmetry with lists; the detail always has the body.
    #[param(value_type = Option<ArticleInclude>)]
    pub include: Option<String>,
}

/// Get an article by id or slug.
///
/// Public. A draft, or an article scheduled for later, is a 404 to the
/// public; with a bearer token the newsroom sees it.
#[utoipa::path(
    tag = "articles",
    params(
        ("id_or_slug" = String, Path, description = "Numeric id or slug", example = "lutte-contre-le-terrorisme-le-niger-compte-sur-la-russie"),
        ArticleGetQuery,
    ),
    responses(
        (status = 200, description = "The article; with `fields`, trimmed \
         (`application/vnd.cms.sparse+json`)",
         content((Article = "application/json"), (SparseArticle = "application/vnd.cms.sparse+json")),
         headers(("ETag" = String, description = "Strong validator; send it back in If-Match to update"),
                 ("Cache-Control" = String, description = "public, max-age=N for anonymous reads; private, no-store otherwise"))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, description = "Bad query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Bad credentials", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Absent, or not visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/articles/{id_or_slug}")]
pub async fn get_article(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    query: QueryParams<ArticleGetQuery>,
) -> Result<HttpResponse, ApiError> {
    let mut shape = parse_shape(query.0.fields.as_deref(), query.0.include.as_deref())?;
    shape.with_body = true;
    let max_age = state.config.public_cache_seconds;
    let key = IdOrSlug::parse(&path);
    // The public's whole article is its stored item with its bodies: the
    // same bytes, without building the view.
    if matches!(caller, Caller::Public)
        && shape.fields.is_none()
        && let Some(bytes) = use_cases::public_detail(&state.content, key.clone()).await?
    {
        return json_bytes_get(&req, &caller, max_age, bytes, &[]);
    }
    let media_type = media_type(shape.fields.is_some());
    let view = use_cases::get(&state.content, &caller, key, shape).await?;
    json_get_as(&req, &caller, max_age, &view, &[], media_type)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RelatedQuery {
    /// How many: default 5, at most 20.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 20, example = 5)]
    pub limit: Option<String>,
    /// Comma-separated fields to keep (plus `id`); the answer is then
    /// `application/vnd.cms.sparse+json`.
    #[param(
        example = "title,slug",
        pattern = r"^(id|slug|title|excerpt|published_at|featured_image|category)(,(id|slug|title|excerpt|published_at|featured_image|category))*$"
    )]
    pub fields: Option<String>,
}

/// The related fields asked for, each a known one.
fn related_fields(raw: Option<&str>) -> Result<Option<Vec<String>>, ApiError> {
    let Some(raw) = raw else {
        return Ok(None);
    };
    raw.split(',')
        .map(|name| {
            if RELATED_FIELD_NAMES.contains(&name) {
                Ok(name.to_owned())
            } else {
                Err(ApiError::bad_parameter(
                    "fields",
                    "unknown_field",
                    format!("unknown field `{name}`"),
                ))
            }
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// Articles related to one.
///
/// Public. Best first: most tags shared, then the same section (the
/// article's category or one under it), then the newest; filled with the
/// section's and then the site's newest, so there are `limit` items when
/// the site has that many. Never the article itself, only published
/// articles, each with its category for the label.
#[utoipa::path(
    tag = "articles",
    params(
        ("id_or_slug" = String, Path, description = "Numeric id or slug of the article"),
        RelatedQuery,
    ),
    responses(
        (status = 200, description = "Related articles; with `fields`, trimmed \
         (`application/vnd.cms.sparse+json`)",
         content((RelatedList = "application/json"), (SparseRelatedList = "application/vnd.cms.sparse+json")),
         headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, description = "Bad query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Absent, or not visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/articles/{id_or_slug}/related")]
pub async fn related_articles(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    query: QueryParams<RelatedQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = related_limit(query.0.limit.as_deref())?;
    let fields = related_fields(query.0.fields.as_deref())?;
    let data = use_cases::related(&state.content, &caller, IdOrSlug::parse(&path), limit).await?;
    let max_age = state.config.public_cache_seconds;
    let Some(fields) = fields else {
        return json_get(&req, &caller, max_age, &RelatedList { data }, &[]);
    };
    let trimmed: Vec<serde_json::Value> = data
        .iter()
        .map(|item| match serde_json::to_value(item) {
            Ok(serde_json::Value::Object(map)) => Ok(serde_json::Value::Object(
                map.into_iter()
                    .filter(|(k, _)| k == "id" || fields.contains(k))
                    .collect(),
            )),
            Ok(other) => Ok(other),
            Err(e) => Err(ApiError::Internal(format!(
                "cannot serialise a related article: {e}"
            ))),
        })
        .collect::<Result<_, _>>()?;
    json_get_as(
        &req,
        &caller,
        max_age,
        &serde_json::json!({ "data": trimmed }),
        &[],
        SPARSE_JSON,
    )
}

/// Create an article.
///
/// Contributors create drafts (or submit for review) under their own byline;
/// authors may publish their own; editors and admins anything.
#[utoipa::path(
    tag = "articles",
    request_body(content = ArticleCreate, example = json!({
        "title": "L’été à Niamey : « Noël » approche",
        "body": "Les rues de Niamey se parent de **lumières** 🎄.",
        "category_id": 2,
        "author_ids": [2],
        "tag_ids": [3],
        "status": "draft"
    })),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = Article,
         headers(("Location" = String, description = "URL of the new article"), ("ETag" = String))),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed (another's byline, or a contributor publishing)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Slug already taken", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (all reported at once)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/articles")]
pub async fn create_article(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<ArticleCreate>,
) -> Result<HttpResponse, ApiError> {
    let view = use_cases::create(&state.content, caller, body.0).await?;
    let location = format!("/api/v1/articles/{}", view.id);
    json_written(StatusCode::CREATED, &view, &[(header::LOCATION, location)])
}

/// Update an article (merge semantics).
///
/// Publishing is `{"status": "published"}` (`published_at` defaults to now);
/// scheduling is `{"status": "scheduled", "published_at": <future>}`.
#[utoipa::path(
    tag = "articles",
    params(
        ("id_or_slug" = String, Path, description = "Numeric id or slug"),
        ("If-Match" = Option<String>, Header, description = "ETag from a GET of the article; stale → 412 and nothing written"),
    ),
    request_body(content = ArticlePatch, example = json!({"status": "published"})),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = Article, headers(("ETag" = String))),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Slug already taken", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match; nothing written", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields or status transition", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/articles/{id_or_slug}")]
pub async fn update_article(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: JsonBodyAfterPreconditions<ArticlePatch>,
) -> Result<HttpResponse, ApiError> {
    let view = use_cases::update_as_sent(
        &state.content,
        caller,
        IdOrSlug::parse(&path),
        precondition(&req),
        body.0,
    )
    .await?;
    json_written(StatusCode::OK, &view, &[])
}

/// Delete an article.
#[utoipa::path(
    tag = "articles",
    params(
        ("id_or_slug" = String, Path, description = "Numeric id or slug"),
        ("If-Match" = Option<String>, Header, description = "ETag from a GET of the article; stale → 412 and nothing deleted"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No or bad credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match; nothing deleted", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/articles/{id_or_slug}")]
pub async fn delete_article(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    use_cases::delete(
        &state.content,
        caller,
        IdOrSlug::parse(&path),
        precondition(&req),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
