//! Signing in: `POST /api/v1/auth/login` exchanges an email and a password
//! for an access token and a refresh token.

use actix_web::{HttpRequest, HttpResponse, post, web};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{Role, password, refresh, throttle};
use crate::db::schema::users;
use crate::error::{ApiError, Problem};
use crate::http::extract::JsonBody;
use crate::state::AppState;
use crate::timestamp;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(example = "redaction@journal.ne")]
    pub email: String,
    #[schema(example = "un mot de passe très long")]
    pub password: String,
}

/// The credentials a client keeps after signing in.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenPair {
    /// A JWT for `Authorization: Bearer ...`, valid for `expires_in` seconds.
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    #[schema(example = 900)]
    pub expires_in: u64,
    /// Opaque; exchange it at `/auth/refresh` for a new pair. Single use.
    pub refresh_token: String,
}

pub fn invalid_credentials() -> ApiError {
    ApiError::Unauthorized("invalid email or password".to_owned())
}

/// The address failed logins are counted against.
pub fn client_address(req: &HttpRequest) -> String {
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// Issues an access token and a refresh token in `family` (new when `None`).
pub fn token_pair(
    state: &AppState,
    conn: &mut crate::db::DbConnection,
    user_id: i64,
    role: Role,
    family: Option<&str>,
) -> Result<TokenPair, ApiError> {
    let refresh_token = refresh::issue(
        conn,
        user_id,
        family,
        timestamp::now(),
        state.config.refresh_token_ttl,
    )?;
    Ok(TokenPair {
        access_token: state.access_tokens.issue(user_id, role)?,
        token_type: "Bearer",
        expires_in: state.access_tokens.ttl().as_secs(),
        refresh_token,
    })
}

/// Sign in with email and password.
///
/// Unknown emails and wrong passwords get the same answer in about the same
/// time. Repeated failures for one account or from one address are refused
/// with 429 and `Retry-After`.
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
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: JsonBody<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let LoginRequest {
        email,
        password: given,
    } = body.0;
    let keys = throttle::login_keys(&email, &client_address(&req));
    let state_for_db = state.clone();
    let pair = state
        .db
        .read(move |conn| {
            let now = timestamp::now();
            throttle::check(conn, &keys, now)?;
            let account = users::table
                .filter(users::email.eq(email.trim().to_lowercase()))
                .filter(users::active.eq(true))
                .select((users::id, users::password_hash, users::role))
                .first::<(i64, String, String)>(conn)
                .optional()?;
            // Verify against a dummy hash when there is no such account, so that
            // both refusals cost the same.
            let stored = account
                .as_ref()
                .map(|a| a.1.as_str())
                .unwrap_or(password::dummy_hash());
            let matches = password::verify(&given, stored);
            let Some((user_id, stored_hash, role)) = account.filter(|_| matches) else {
                throttle::record_failure(conn, &keys, now)?;
                return Err(invalid_credentials());
            };
            let role = Role::parse(&role)
                .ok_or_else(|| ApiError::Internal(format!("user {user_id} has an unknown role")))?;
            conn.write_transaction(|conn| {
                if password::needs_rehash(&stored_hash) {
                    diesel::update(users::table.find(user_id))
                        .set(users::password_hash.eq(password::hash(&given)?))
                        .execute(conn)?;
                }
                if let Some(account_key) = keys.first() {
                    throttle::clear(conn, account_key)?;
                }
                token_pair(&state_for_db, conn, user_id, role, None)
            })
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(pair))
}
