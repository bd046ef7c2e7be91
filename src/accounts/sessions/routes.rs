//! `/api/v1/auth/...`: thin handlers over the session use cases.

use actix_web::{HttpRequest, HttpResponse, get, post, web};

use super::input::{LoginRequest, PasswordChange, RefreshRequest};
use super::use_cases;
use super::views::TokenPair;
use crate::accounts::users::views::UserView;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::http::extract::JsonBody;
use crate::state::AppState;

/// The address failed logins are counted against (see `http::origin`).
pub fn client_address(req: &HttpRequest) -> String {
    match req.app_data::<web::Data<AppState>>() {
        Some(state) => {
            crate::http::origin::client_address(&state.config, req.peer_addr(), req.headers())
        }
        None => req
            .peer_addr()
            .map_or_else(|| "unknown".to_owned(), |a| a.ip().to_string()),
    }
}

/// Sign in with email and password.
///
/// Unknown emails and wrong passwords get the same answer in about the same
/// time. Repeated failures for one account or from one address are refused
/// with 429 and `Retry-After`: at most 5 passwords are checked per account
/// and 20 per address in 15 minutes, however many requests arrive at once.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenPair),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Invalid email or password", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Missing or unknown fields", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts",
         headers(("Retry-After" = u64, description = "Seconds to wait")),
         body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable, or password checking at capacity",
         headers(("Retry-After" = u64, description = "Seconds to wait")),
         body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: JsonBody<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let LoginRequest { email, password } = body.0;
    let pair = use_cases::sign_in(&state.accounts, email, password, client_address(&req)).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(pair))
}

/// Exchange a refresh token for a new pair.
///
/// Each refresh token works once. Presenting one that was already used (or
/// revoked) means a copy exists somewhere: the whole session is revoked,
/// including the newest token, and the account must sign in again.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new pair; the refresh token given is now spent", body = TokenPair),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Unknown, expired, reused or revoked refresh token, or inactive account", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Missing or unknown fields", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/refresh")]
pub async fn refresh_session(
    state: web::Data<AppState>,
    body: JsonBody<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let pair: TokenPair = use_cases::refresh(&state.accounts, body.0.refresh_token).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(pair))
}

/// Sign out: revoke the session a refresh token belongs to.
///
/// Idempotent: an unknown, spent or already revoked token is also a 204, so
/// that signing out never fails and reveals nothing. The access token stays
/// valid until it expires (15 minutes); clients drop it.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 204, description = "Signed out"),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Missing or unknown fields", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    body: JsonBody<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    use_cases::sign_out(&state.accounts, body.0.refresh_token).await?;
    Ok(HttpResponse::NoContent()
        .insert_header(("Cache-Control", "no-store"))
        .finish())
}

/// The signed-in account.
#[utoipa::path(
    tag = "auth",
    operation_id = "get_me",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's account", body = UserView),
        (status = 401, description = "No or invalid credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "An API token, which has no account", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/auth/me")]
pub async fn me(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let user: UserView = use_cases::me(&state.accounts, &caller).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "private, no-store"))
        .json(user))
}

/// Change one's own password.
///
/// The current password is required. Every session of the account ends
/// (all refresh tokens are revoked), this one included: sign in again.
#[utoipa::path(
    tag = "auth",
    request_body = PasswordChange,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Changed; every refresh token of the account is revoked"),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or invalid credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "An API token, which has no password", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The password changed meanwhile", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Wrong `current_password`, `new_password` too short or too long, unknown fields", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong current passwords (the sign-in counters)",
         headers(("Retry-After" = u64, description = "Seconds to wait")),
         body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable, or password checking at capacity",
         headers(("Retry-After" = u64, description = "Seconds to wait")),
         body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: Result<JsonBody<PasswordChange>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    // The public and API tokens are refused before the body is read.
    use_cases::require_account(&caller)?;
    use_cases::change_password(&state.accounts, &caller, body?.0, &client_address(&req)).await?;
    Ok(HttpResponse::NoContent().finish())
}
