//! `/api/v1/authors`: thin handlers over the use cases.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};

use super::input::{AuthorCreate, AuthorPatch};
use super::use_cases;
use super::views::{AuthorList, AuthorView};
use crate::auth::Caller;
use crate::content::lookup::IdOrSlug;
use crate::error::{ApiError, Problem};
use crate::http::conditional::{json_get, json_written, precondition};
use crate::http::extract::{JsonBody, QueryParams};
use crate::http::listing::{PageQuery, page_response};
use crate::state::AppState;

/// List authors (bylines), by name, each with its count of published articles.
#[utoipa::path(
    tag = "authors",
    params(PageQuery),
    responses(
        (status = 200, description = "A page of authors", body = AuthorList,
         headers(("ETag" = String, description = "Strong validator of this response"),
                 ("Link" = String, description = "RFC 8288 links: first, prev, next, last"))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, description = "Bad query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/authors")]
pub async fn list_authors(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: QueryParams<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = query.0.parse()?;
    let (data, total) = use_cases::list(&state.content, page).await?;
    page_response(
        &req,
        &caller,
        state.config.public_cache_seconds,
        data,
        page,
        total,
    )
}

/// Get an author by id or slug.
#[utoipa::path(
    tag = "authors",
    params(("id_or_slug" = String, Path, description = "Numeric id or slug", example = "aissata-maiga")),
    responses(
        (status = 200, description = "The author", body = AuthorView, headers(("ETag" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 404, description = "No such author", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/authors/{id_or_slug}")]
pub async fn get_author(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let view = use_cases::get(&state.content, IdOrSlug::parse(&path)).await?;
    json_get(&req, &caller, state.config.public_cache_seconds, &view, &[])
}

/// Create an author (editors and admins); a byline need not be a user.
#[utoipa::path(
    tag = "authors",
    request_body(content = AuthorCreate, example = json!({"name": "Agence Nigérienne de Presse", "bio": "Agence de presse publique du Niger (ANP)."})),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = AuthorView,
         headers(("Location" = String, description = "URL of the new author"), ("ETag" = String))),
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
#[post("/authors")]
pub async fn create_author(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<AuthorCreate>,
) -> Result<HttpResponse, ApiError> {
    let view = use_cases::create(&state.content, caller, body.0).await?;
    let location = format!("/api/v1/authors/{}", view.id);
    json_written(StatusCode::CREATED, &view, &[(header::LOCATION, location)])
}

/// Update an author (merge semantics): editors and admins, or the author
/// whose account is linked to this byline.
#[utoipa::path(
    tag = "authors",
    params(
        ("id_or_slug" = String, Path, description = "Numeric id or slug"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version being edited; stale → 412"),
    ),
    request_body(content = AuthorPatch, example = json!({"bio": "Correspondante à Niamey depuis 2019.", "links": [{"label": "Site", "url": "https://aissata.example"}]})),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = AuthorView, headers(("ETag" = String))),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such author", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Slug already taken", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match; nothing written", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/authors/{id_or_slug}")]
pub async fn update_author(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: JsonBody<AuthorPatch>,
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

/// Delete an author; refused with 409 while it signs articles.
#[utoipa::path(
    tag = "authors",
    params(
        ("id_or_slug" = String, Path, description = "Numeric id or slug"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version being deleted; stale → 412"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No or bad credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such author", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Still signs articles", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match; nothing written", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/authors/{id_or_slug}")]
pub async fn delete_author(
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
