//! `/api/v1/tags`: thin handlers over the use cases.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};

use super::input::{TagCreate, TagPatch};
use super::use_cases;
use super::views::{TagList, TagView};
use crate::auth::Caller;
use crate::content::lookup::IdOrSlug;
use crate::error::{ApiError, Problem};
use crate::http::conditional::{json_get, json_written, precondition};
use crate::http::extract::{JsonBody, QueryParams};
use crate::http::listing::{PageQuery, page_response};
use crate::state::AppState;

/// List tags, by name.
#[utoipa::path(
    tag = "tags",
    params(PageQuery),
    responses(
        (status = 200, description = "A page of tags", body = TagList,
         headers(("ETag" = String, description = "Strong validator of this response"),
                 ("Link" = String, description = "RFC 8288 links: first, prev, next, last"))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, description = "Bad query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/tags")]
pub async fn list_tags(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: QueryParams<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = query.0.parse()?;
    let with_internal = crate::auth::policy::may_read_unpublished(&caller);
    let (data, total) = use_cases::list(&state.content, page, with_internal).await?;
    page_response(
        &req,
        &caller,
        state.config.public_cache_seconds,
        data,
        page,
        total,
    )
}

/// Get a tag by id or slug.
#[utoipa::path(
    tag = "tags",
    params(("id_or_slug" = String, Path, description = "Numeric id or slug", example = "sahel")),
    responses(
        (status = 200, description = "The tag", body = TagView, headers(("ETag" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 404, description = "No such tag", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/tags/{id_or_slug}")]
pub async fn get_tag(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let with_internal = crate::auth::policy::may_read_unpublished(&caller);
    let view = use_cases::get(&state.content, IdOrSlug::parse(&path), with_internal).await?;
    json_get(&req, &caller, state.config.public_cache_seconds, &view, &[])
}

/// Create a tag (authors, editors, admins).
#[utoipa::path(
    tag = "tags",
    request_body(content = TagCreate, example = json!({"name": "Élections"})),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = TagView,
         headers(("Location" = String, description = "URL of the new tag"), ("ETag" = String))),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Slug already taken", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (all reported)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/tags")]
pub async fn create_tag(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<TagCreate>,
) -> Result<HttpResponse, ApiError> {
    let view = use_cases::create(&state.content, caller, body.0).await?;
    let location = format!("/api/v1/tags/{}", view.id);
    json_written(StatusCode::CREATED, &view, &[(header::LOCATION, location)])
}

/// Update a tag (merge semantics; editors and admins).
#[utoipa::path(
    tag = "tags",
    params(
        ("id_or_slug" = String, Path, description = "Numeric id or slug"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version being edited; stale → 412"),
    ),
    request_body(content = TagPatch, example = json!({"description": "Scrutins et campagnes électorales"})),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = TagView, headers(("ETag" = String))),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tag", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Slug already taken", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match; nothing written", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/tags/{id_or_slug}")]
pub async fn update_tag(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: JsonBody<TagPatch>,
) -> Result<HttpResponse, ApiError> {
    let view = use_cases::update(
        &state.content,
        caller,
        IdOrSlug::parse(&path),
        precondition(&req),
        body.0,
    )
    .await?;
    json_written(StatusCode::OK, &view, &[])
}

/// Delete a tag (editors and admins); articles carrying it lose it (their
/// versions move on).
#[utoipa::path(
    tag = "tags",
    params(
        ("id_or_slug" = String, Path, description = "Numeric id or slug"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version being deleted; stale → 412"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No or bad credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tag", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match; nothing written", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/tags/{id_or_slug}")]
pub async fn delete_tag(
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
