//! The signed-in account's own routes: who am I, and changing one's password.
//! Both need an account: API tokens belong to no one and get a 403.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::caller::Account;
use crate::auth::{Caller, password, session, throttle};
use crate::error::{ApiError, FieldError, Problem};
use crate::http::extract::JsonBody;
use crate::state::AppState;
use crate::users::{self, views::UserView};

/// 401 for the public, 403 for API tokens, the account otherwise.
fn require_account(caller: &Caller) -> Result<&Account, ApiError> {
    caller.require_authenticated()?;
    caller.account().ok_or_else(|| {
        ApiError::Forbidden("API tokens have no account; sign in as a user".to_owned())
    })
}

/// The signed-in account.
#[utoipa::path(
    tag = "auth",
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
    let user_id = require_account(&caller)?.user_id;
    let user = state
        .db
        .read(move |conn| users::find(conn, user_id))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "private, no-store"))
        .json(UserView::try_from(user)?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    #[schema(example = "l'ancienne phrase de passe")]
    pub current_password: String,
    /// At least 12 characters.
    #[schema(example = "une nouvelle phrase de passe")]
    pub new_password: String,
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
    let user_id = require_account(&caller)?.user_id;
    let change = body?.0;
    if !state.passwords.has_room() {
        return Err(crate::auth::password_work::PasswordWork::busy());
    }
    let (email, stored) = state
        .db
        .read(move |conn| users::own_password(conn, user_id))
        .await?;
    // The same counters as sign-in: a stolen access token must not become
    // a way to guess the password faster than the sign-in form allows.
    let keys = throttle::password_keys(&email, &session::client_address(&req));
    throttle::reserve_waiting(&state.db, &keys).await?;
    let right = match state
        .passwords
        .verify(change.current_password, stored.clone())
        .await
    {
        Ok(right) => right,
        Err(e) => {
            throttle::settle_with(&state.db, keys, throttle::release).await;
            return Err(e);
        }
    };
    let mut errors = Vec::new();
    if !right {
        errors.push(FieldError::new(
            "current_password",
            "incorrect",
            "is not the account's current password",
        ));
    }
    if let Err(e) = password::check_policy("new_password", &change.new_password) {
        errors.push(e);
    }
    if !errors.is_empty() {
        let outcome = if right {
            throttle::succeeded
        } else {
            throttle::failed
        };
        throttle::settle_with(&state.db, keys, outcome).await;
        return Err(ApiError::Validation(errors));
    }
    let new_hash = match state.passwords.hash(change.new_password).await {
        Ok(hash) => hash,
        Err(e) => {
            throttle::settle_with(&state.db, keys, throttle::succeeded).await;
            return Err(e);
        }
    };
    let settled = keys.clone();
    let replaced = state
        .db
        .write(move |conn| {
            users::replace_own_password(conn, user_id, &stored, &new_hash)?;
            throttle::succeeded(conn, &settled)
        })
        .await;
    if let Err(e) = replaced {
        throttle::settle_with(&state.db, keys, throttle::succeeded).await;
        return Err(e);
    }
    Ok(HttpResponse::NoContent().finish())
}
