//! `/api/v1/site`: thin handlers over the use cases.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, patch, web};

use super::input::SitePatch;
use super::use_cases;
use super::views::SiteView;
use crate::auth::{Caller, policy};
use crate::error::{ApiError, Problem};
use crate::http::conditional::{json_get, json_written, precondition};
use crate::http::extract::JsonBody;
use crate::state::AppState;

/// The site's settings: title, description, URLs, time zone, language.
///
/// Public: a frontend renders the title and language from it.
#[utoipa::path(
    tag = "site",
    responses(
        (status = 200, description = "The settings in effect", body = SiteView, headers(("ETag" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/site")]
pub async fn get_site(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let view = use_cases::get(&state.site).await?;
    json_get(&req, &caller, 0, &view, &[])
}

/// Change the site's settings (administrators). `null` returns a field to
/// its configured value (`CMS_SITE_*`).
#[utoipa::path(
    tag = "site",
    params(("If-Match" = Option<String>, Header, description = "ETag of the settings being edited; stale → 412")),
    request_body(content = SitePatch, example = json!({"title": "La Nouvelle Tribune", "timezone": "Africa/Porto-Novo"})),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The settings now in effect", body = SiteView, headers(("ETag" = String))),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match; nothing written", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid, read-only or unknown fields, all named at once", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/site")]
pub async fn update_site(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    body: Result<JsonBody<SitePatch>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    // The caller is checked before the body is read.
    policy::authorize_admin(&caller)?;
    let view = use_cases::update(&state.site, &caller, precondition(&req), body?.0).await?;
    json_written(StatusCode::OK, &view, &[])
}
