//! `/api/v1/tokens`: thin handlers over the use cases.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};

use super::input::CreateApiToken;
use super::use_cases;
use super::views::{ApiTokenList, CreatedApiToken};
use crate::auth::Caller;
use crate::auth::policy::{self, Resource};
use crate::error::{ApiError, Problem};
use crate::http::extract::{JsonBody, QueryParams};
use crate::http::listing::{PageQuery, page_response};
use crate::state::AppState;

const TOKENS_PATH: &str = "/api/v1/tokens";

/// Create an API token.
///
/// The response is the only time the token is shown; only its digest is
/// kept. Scopes: `content:read` sees unpublished content, `content:write`
/// writes any content like an editor, `admin` acts as an administrator.
#[utoipa::path(
    tag = "tokens",
    request_body = CreateApiToken,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created; `token` is shown this once", body = CreatedApiToken,
         headers(("Location" = String, description = "The token's entry in the list"))),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or invalid credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid name, no or unknown scopes, bad or past `expires_at`, unknown fields", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/tokens")]
pub async fn create_token(
    state: web::Data<AppState>,
    caller: Caller,
    body: Result<JsonBody<CreateApiToken>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    // The caller is checked before the body is read.
    policy::authorize_write(&caller, Resource::ApiToken, None)?;
    let created = use_cases::create(&state.accounts, &caller, body?.0).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("{TOKENS_PATH}/{}", created.details.id),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(created))
}

/// List API tokens (never their secrets).
#[utoipa::path(
    tag = "tokens",
    params(PageQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of tokens, revoked ones included", body = ApiTokenList,
         headers(("ETag" = String, description = "Strong validator of this response"),
                 ("Link" = String, description = "RFC 8288 links to the first, last, previous and next pages"))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, description = "Bad `page` or `per_page` (more than 100)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or invalid credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/tokens")]
pub async fn list_tokens(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: Result<QueryParams<PageQuery>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    policy::authorize_admin(&caller)?;
    let page = query?.0.parse()?;
    let (data, total) = use_cases::list(&state.accounts, &caller, page).await?;
    page_response(&req, &caller, 0, data, page, total)
}

/// Revoke an API token: it is refused from the next request on. It stays
/// in the list, marked revoked.
#[utoipa::path(
    tag = "tokens",
    params(("id" = i64, Path, description = "The token's id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Revoked (also when it already was)"),
        (status = 401, description = "No or invalid credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such token", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/tokens/{id}")]
pub async fn revoke_token(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    policy::authorize_write(&caller, Resource::ApiToken, None)?;
    let id = id
        .parse::<i64>()
        .map_err(|_| ApiError::not_found("no API token has this id"))?;
    use_cases::revoke(&state.accounts, &caller, id).await?;
    Ok(HttpResponse::NoContent().finish())
}
