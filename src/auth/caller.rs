//! Who is calling: the `Caller` extractor reads `Authorization: Bearer ...`
//! (an access JWT or an API token), checks it against the database on every
//! request (so a deactivated or deleted account stops working at once), and
//! yields the identity the policy decides on.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use chrono::Duration;
use diesel::prelude::*;
use futures_util::future::LocalBoxFuture;

use crate::auth::{Role, Scope, secret};
use crate::db::schema::{api_tokens, users};
use crate::error::ApiError;
use crate::state::AppState;
use crate::timestamp;

/// API tokens start with this, so they are told apart from JWTs at a glance
/// (and by secret scanners).
pub const API_TOKEN_PREFIX: &str = "cms_";

/// How stale `last_used_at` may get before a request refreshes it: one write
/// per token per minute, not one per request.
const LAST_USED_GRANULARITY_SECONDS: i64 = 60;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub user_id: i64,
    pub role: Role,
    /// The byline this account writes under; ownership of articles follows it.
    pub author_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiTokenCaller {
    pub token_id: i64,
    pub scopes: Vec<Scope>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// No credentials: the public.
    Public,
    Account(Account),
    ApiToken(ApiTokenCaller),
}

impl Caller {
    /// 401 for the public; the identity otherwise.
    pub fn require_authenticated(&self) -> Result<(), ApiError> {
        match self {
            Self::Public => Err(unauthorized()),
            _ => Ok(()),
        }
    }

    pub fn account(&self) -> Option<&Account> {
        match self {
            Self::Account(a) => Some(a),
            _ => None,
        }
    }

    pub fn user_id(&self) -> Option<i64> {
        self.account().map(|a| a.user_id)
    }

    pub fn has_scope(&self, scope: Scope) -> bool {
        matches!(self, Self::ApiToken(t) if t.scopes.contains(&scope))
    }
}

pub fn unauthorized() -> ApiError {
    ApiError::Unauthorized("missing, invalid or expired credentials".to_owned())
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let header_value = req
            .headers()
            .get(header::AUTHORIZATION)
            .map(|v| v.to_str().map(str::to_owned));
        Box::pin(async move {
            let Some(state) = state else {
                return Err(ApiError::Internal("application state missing".to_owned()));
            };
            let token = match header_value {
                None => return Ok(Caller::Public),
                Some(Err(_)) => return Err(unauthorized()),
                Some(Ok(value)) => bearer_token(&value).ok_or_else(unauthorized)?,
            };
            identify(&state, token).await
        })
    }
}

fn bearer_token(value: &str) -> Option<String> {
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_owned())
}

async fn identify(state: &AppState, token: String) -> Result<Caller, ApiError> {
    if token.starts_with(API_TOKEN_PREFIX) {
        let digest = secret::token_digest(&token);
        let (caller, stale_use) = state
            .db
            .read(move |conn| api_token_caller(conn, &digest))
            .await?;
        if let (Some(token_id), Caller::ApiToken(_)) = (stale_use, &caller) {
            state
                .db
                .write(move |conn| Ok(mark_used(conn, token_id, timestamp::now())?))
                .await?;
        }
        return Ok(caller);
    }
    let claims = state
        .access_tokens
        .verify(&token)
        .ok_or_else(unauthorized)?;
    let user_id: i64 = claims.sub.parse().map_err(|_| unauthorized())?;
    let account = state
        .db
        .read(move |conn| {
            users::table
                .filter(users::id.eq(user_id))
                .filter(users::active.eq(true))
                .select((users::role, users::author_id))
                .first::<(String, Option<i64>)>(conn)
                .optional()
                .map_err(ApiError::from)
        })
        .await?
        .ok_or_else(unauthorized)?;
    // The role is read from the account, not the token: a demotion applies at once.
    let role = Role::parse(&account.0).ok_or_else(unauthorized)?;
    Ok(Caller::Account(Account {
        user_id,
        role,
        author_id: account.1,
    }))
}

/// The caller an API token names, and the token's id when its
/// `last_used_at` is due for a refresh (a write, made apart).
fn api_token_caller(
    conn: &mut crate::db::DbConnection,
    digest: &str,
) -> Result<(Caller, Option<i64>), ApiError> {
    let now = timestamp::now();
    let row = api_tokens::table
        .filter(api_tokens::token_hash.eq(digest))
        .filter(api_tokens::revoked_at.is_null())
        .select((
            api_tokens::id,
            api_tokens::scopes,
            api_tokens::expires_at,
            api_tokens::last_used_at,
        ))
        .first::<(
            i64,
            String,
            Option<chrono::NaiveDateTime>,
            Option<chrono::NaiveDateTime>,
        )>(conn)
        .optional()?;
    let Some((token_id, scopes, expires_at, last_used_at)) = row else {
        return Err(unauthorized());
    };
    if expires_at.is_some_and(|at| at <= now) {
        return Err(unauthorized());
    }
    let stale_use = last_used_at
        .is_none_or(|at| now - at >= Duration::seconds(LAST_USED_GRANULARITY_SECONDS))
        .then_some(token_id);
    Ok((
        Caller::ApiToken(ApiTokenCaller {
            token_id,
            scopes: Scope::parse_list(&scopes),
        }),
        stale_use,
    ))
}

fn mark_used(
    conn: &mut crate::db::DbConnection,
    token_id: i64,
    now: chrono::NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(api_tokens::table.filter(api_tokens::id.eq(token_id)))
        .set(api_tokens::last_used_at.eq(now))
        .execute(conn)
}
