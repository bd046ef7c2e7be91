//! `/api/v1/categories`: thin handlers over the use cases.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::input::{CategoryCreate, CategoryPatch};
use super::use_cases;
use super::views::{CategoryList, CategoryView};
use crate::auth::Caller;
use crate::content::lookup::{IdOrSlug, parse_reference};
use crate::error::{ApiError, Problem};
use crate::http::conditional::{json_get, json_written, precondition};
use crate::http::extract::{JsonBody, QueryParams};
use crate::http::listing::{ListEnvelope, ListMeta, link_header};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CategoryListQuery {
    /// Only the direct children of this category (id or slug).
    #[param(example = "monde")]
    pub parent: Option<String>,
}

/// List categories.
///
/// All categories in menu order (depth first, siblings by `position`), each
/// with its `path`; `parent` narrows to the direct children of one category.
#[utoipa::path(
    tag = "categories",
    params(CategoryListQuery),
    responses(
        (status = 200, description = "The categories", body = CategoryList,
         headers(("ETag" = String, description = "Strong validator of this response"),
                 ("Link" = String, description = "RFC 8288 links: first, last"))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, description = "Bad query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/categories")]
pub async fn list_categories(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: QueryParams<CategoryListQuery>,
) -> Result<HttpResponse, ApiError> {
    let parent = query.0.parent.as_deref().map(parse_reference);
    let data = use_cases::list(&state.content, parent).await?;
    let total = i64::try_from(data.len()).unwrap_or(i64::MAX);
    let per_page = u32::try_from(data.len()).unwrap_or(u32::MAX).max(1);
    let meta = ListMeta::new(Some(1), per_page, total, None);
    let link = link_header(&req, &meta);
    let envelope = ListEnvelope { data, meta };
    let headers: Vec<_> = link.into_iter().map(|l| (header::LINK, l)).collect();
    json_get(
        &req,
        &caller,
        state.config.public_cache_seconds,
        &envelope,
        &headers,
    )
}

/// Get a category by id or slug.
#[utoipa::path(
    tag = "categories",
    params(("id_or_slug" = String, Path, description = "Numeric id or slug", example = "diplomatie")),
    responses(
        (status = 200, description = "The category", body = CategoryView,
         headers(("ETag" = String, description = "Strong validator; send it back in If-Match to update"))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 404, description = "No such category", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/categories/{id_or_slug}")]
pub async fn get_category(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let view = use_cases::get(&state.content, IdOrSlug::parse(&path)).await?;
    json_get(&req, &caller, state.config.public_cache_seconds, &view, &[])
}

/// Create a category (editors and admins).
#[utoipa::path(
    tag = "categories",
    request_body(content = CategoryCreate, example = json!({"name": "Diplomatie", "parent_id": 1, "description": "Relations internationales et coopération"})),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = CategoryView,
         headers(("Location" = String, description = "URL of the new category"), ("ETag" = String))),
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
#[post("/categories")]
pub async fn create_category(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<CategoryCreate>,
) -> Result<HttpResponse, ApiError> {
    let view = use_cases::create(&state.content, caller, body.0).await?;
    let location = format!("/api/v1/categories/{}", view.id);
    json_written(StatusCode::CREATED, &view, &[(header::LOCATION, location)])
}

/// Update a category (merge semantics; editors and admins).
///
/// `null` clears `description` or `parent_id`; placing a category under
/// itself or one of its descendants is refused (422, `parent_id`).
#[utoipa::path(
    tag = "categories",
    params(
        ("id_or_slug" = String, Path, description = "Numeric id or slug"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version being edited; stale → 412"),
    ),
    request_body(content = CategoryPatch, example = json!({"name": "Diplomatie et coopération", "position": 2})),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = CategoryView, headers(("ETag" = String))),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such category", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Slug already taken", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match; nothing written", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or a cycle", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/categories/{id_or_slug}")]
pub async fn update_category(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: JsonBody<CategoryPatch>,
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

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CategoryDeleteQuery {
    /// Where the category's articles go (id or slug of another category);
    /// its subcategories then move up to its parent, as in WordPress.
    #[param(example = "monde")]
    pub reassign_to: Option<String>,
}

/// Delete a category (editors and admins).
///
/// Refused with 409 while articles or subcategories are filed under it,
/// unless `reassign_to` names where its articles go: they move there (each
/// a new version), and its subcategories move up to its parent.
#[utoipa::path(
    tag = "categories",
    params(
        ("id_or_slug" = String, Path, description = "Numeric id or slug"),
        CategoryDeleteQuery,
        ("If-Match" = Option<String>, Header, description = "ETag of the version being deleted; stale → 412"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No or bad credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such category", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Still has articles or subcategories, and no `reassign_to`", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match; nothing written", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`reassign_to` names no other category", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/categories/{id_or_slug}")]
pub async fn delete_category(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    query: QueryParams<CategoryDeleteQuery>,
) -> Result<HttpResponse, ApiError> {
    use_cases::delete(
        &state.content,
        caller,
        IdOrSlug::parse(&path),
        precondition(&req),
        query.0.reassign_to.as_deref().map(parse_reference),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
