//! `/api/v1/users`: thin handlers over the use cases. The caller is checked
//! before the body is read, so a refused caller learns nothing about what a
//! valid body looks like.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};

use super::input::{CreateUser, UserPatch};
use super::use_cases;
use super::views::{UserList, UserView};
use crate::auth::Caller;
use crate::auth::policy::{self, Resource};
use crate::error::{ApiError, Problem};
use crate::http::conditional::{json_get, json_written, precondition};
use crate::http::extract::{JsonBody, QueryParams};
use crate::http::listing::{PageQuery, page_response};
use crate::state::AppState;

const USERS_PATH: &str = "/api/v1/users";

/// Ids that are not integers name no user: 404, like an unknown id.
pub fn parse_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .map_err(|_| ApiError::not_found("no user has this id"))
}

/// List accounts, oldest first.
#[utoipa::path(
    tag = "users",
    params(PageQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of accounts", body = UserList,
         headers(("ETag" = String, description = "Strong validator of this response"),
                 ("Link" = String, description = "RFC 8288 links to the first, last, previous and next pages"))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, description = "Bad `page` or `per_page` (more than 100)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or invalid credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/users")]
pub async fn list_users(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: Result<QueryParams<PageQuery>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    policy::authorize_admin(&caller)?;
    let page = query?.0.parse()?;
    let (views, total) = use_cases::list(&state.accounts, &caller, page).await?;
    page_response(&req, &caller, 0, views, page, total)
}

/// Create an account.
///
/// No endpoint creates the first administrator: that is `cms create-admin`.
#[utoipa::path(
    tag = "users",
    request_body = CreateUser,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = UserView,
         headers(("Location" = String, description = "The new account"), ("ETag" = String))),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or invalid credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Email or byline already used by another account", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid, missing or unknown fields (all named at once), unknown `author_id`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users")]
pub async fn create_user(
    state: web::Data<AppState>,
    caller: Caller,
    body: Result<JsonBody<CreateUser>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    policy::authorize_write(&caller, Resource::User, None)?;
    let user = use_cases::create(&state.accounts, &caller, body?.0).await?;
    let location = format!("{USERS_PATH}/{}", user.id);
    json_written(StatusCode::CREATED, &user, &[(header::LOCATION, location)])
}

/// One account.
#[utoipa::path(
    tag = "users",
    params(("id" = i64, Path, description = "The account's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The account", body = UserView, headers(("ETag" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 401, description = "No or invalid credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/users/{id}")]
pub async fn get_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    policy::authorize_admin(&caller)?;
    let user = use_cases::get(&state.accounts, &caller, parse_id(&id)?).await?;
    json_get(&req, &caller, 0, &user, &[])
}

/// Change an account (merge semantics: only the fields sent change).
///
/// Setting `active: false` or a new `password` ends every session of the
/// account. The last active administrator cannot be demoted or deactivated.
#[utoipa::path(
    tag = "users",
    params(
        ("id" = i64, Path, description = "The account's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; a stale one is a 412"),
    ),
    request_body = UserPatch,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The account as changed", body = UserView, headers(("ETag" = String))),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or invalid credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Email or byline taken, or the last active administrator", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale `If-Match`", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid or unknown fields, all named at once", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/users/{id}")]
pub async fn update_user(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    body: Result<JsonBody<UserPatch>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    policy::authorize_write(&caller, Resource::User, None)?;
    let id = parse_id(&id)?;
    let user = use_cases::update(&state.accounts, &caller, id, precondition(&req), body?.0).await?;
    json_written(StatusCode::OK, &user, &[])
}

/// Delete an account.
///
/// Its sessions end and its access tokens are refused at once. Articles it
/// created stay (their bylines are authors, not accounts). The last active
/// administrator cannot be deleted.
#[utoipa::path(
    tag = "users",
    params(
        ("id" = i64, Path, description = "The account's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; a stale one is a 412"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No or invalid credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The last active administrator", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale `If-Match`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/users/{id}")]
pub async fn delete_user(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    policy::authorize_write(&caller, Resource::User, None)?;
    let id = parse_id(&id)?;
    use_cases::delete(&state.accounts, &caller, id, precondition(&req)).await?;
    Ok(HttpResponse::NoContent().finish())
}
