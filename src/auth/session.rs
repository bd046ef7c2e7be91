//! Signing in: `POST /api/v1/auth/login` exchanges an email and a password
//! for an access token and a refresh token.

use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::authenticate::Credentials;
use crate::auth::{Caller, Role, refresh};
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
    let LoginRequest {
        email,
        password: given,
    } = body.0;
    let caller = state
        .auth
        .authenticate(Credentials::Password {
            email,
            password: given,
            client: client_address(&req),
        })
        .await?;
    let Caller::Account(account) = caller else {
        return Err(ApiError::Internal(
            "a password named something other than an account".to_owned(),
        ));
    };
    let state_for_db = state.clone();
    let pair = state
        .db
        .write(move |conn| token_pair(&state_for_db, conn, account.user_id, account.role, None))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(pair))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// The refresh token of the last pair received.
    #[schema(example = "q9Xr3c0mYt2b8sKQ4nLw1hJ6pVdE5aFzUoG7iTyR2Ck")]
    pub refresh_token: String,
}

fn refresh_refused() -> ApiError {
    ApiError::Unauthorized("invalid, expired or already used refresh token".to_owned())
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
    let token = body.0.refresh_token;
    let state_for_db = state.clone();
    let pair = state
        .db
        // The transaction commits whatever `redeem` decided, a family
        // revoked on reuse included; only then is the refusal returned.
        .write(
            move |conn| match refresh::redeem(conn, &token, timestamp::now())? {
                refresh::Redemption::Rotated {
                    user_id,
                    role,
                    family,
                } => {
                    let role = Role::parse(&role).ok_or_else(|| {
                        ApiError::Internal(format!("user {user_id} has an unknown role"))
                    })?;
                    token_pair(&state_for_db, conn, user_id, role, Some(&family)).map(Some)
                }
                refresh::Redemption::Reused => {
                    tracing::warn!("refresh token reused; its session is revoked");
                    Ok(None)
                }
                refresh::Redemption::Refused => Ok(None),
            },
        )
        .await?
        .ok_or_else(refresh_refused);
    let pair = pair?;
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
    let token = body.0.refresh_token;
    state
        .db
        .write(move |conn| refresh::revoke_family_of(conn, &token, timestamp::now()))
        .await?;
    Ok(HttpResponse::NoContent()
        .insert_header(("Cache-Control", "no-store"))
        .finish())
}
