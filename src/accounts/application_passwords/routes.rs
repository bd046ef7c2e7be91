//! `/api/v1/users/{id}/application-passwords`: thin handlers over the use
//! cases. `{id}` may be `me`.

use actix_web::http::header;
use actix_web::{HttpResponse, delete, get, post, web};

use super::input::CreateApplicationPassword;
use super::use_cases::{self, Owner};
use super::views::{ApplicationPasswordList, CreatedApplicationPassword};
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::http::extract::JsonBody;
use crate::state::AppState;

/// Create an application password for an editor (MarsEdit, Open Live
/// Writer, Word, the WordPress app).
///
/// The response is the only time the password is shown; only a keyed hash
/// is kept. It acts with the user's role on the editor protocols, where
/// the login password is refused. An account creates its own (`me` or its
/// id); an administrator anyone's.
#[utoipa::path(
    tag = "application passwords",
    params(("id" = String, Path, description = "The user's id, or `me`")),
    request_body = CreateApplicationPassword,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created; `password` is shown this once", body = CreatedApplicationPassword,
         headers(("Location" = String, description = "The user's application passwords"))),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or invalid credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Another user's, and not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid name or unknown fields", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users/{id}/application-passwords")]
pub async fn create_application_password(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: Result<JsonBody<CreateApplicationPassword>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    let owner = Owner::parse(&id)?;
    // The caller is checked before the body is read.
    use_cases::authorize(&caller, owner)?;
    let created = use_cases::create(&state.accounts, &caller, owner, body?.0).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!(
                "/api/v1/users/{}/application-passwords",
                created.details.user_id
            ),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(created))
}

/// List a user's application passwords (never the passwords), oldest first.
#[utoipa::path(
    tag = "application passwords",
    params(("id" = String, Path, description = "The user's id, or `me`")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The user's application passwords", body = ApplicationPasswordList),
        (status = 401, description = "No or invalid credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Another user's, and not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/users/{id}/application-passwords")]
pub async fn list_application_passwords(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let data = use_cases::list(&state.accounts, &caller, Owner::parse(&id)?).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(ApplicationPasswordList { data }))
}

/// Revoke an application password: the editor using it is refused from
/// its next request on.
#[utoipa::path(
    tag = "application passwords",
    params(
        ("id" = String, Path, description = "The user's id, or `me`"),
        ("uuid" = String, Path, description = "The application password's uuid"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "No or invalid credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Another user's, and not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user or application password", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/users/{id}/application-passwords/{uuid}")]
pub async fn revoke_application_password(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, uuid) = path.into_inner();
    use_cases::revoke(&state.accounts, &caller, Owner::parse(&id)?, uuid).await?;
    Ok(HttpResponse::NoContent().finish())
}
