//! What can be done with API tokens, one function per use case; all of
//! them are an administrator's.

use super::input::CreateApiToken;
use super::queries;
use super::rows::NewApiTokenRow;
use super::views::{ApiTokenView, CreatedApiToken};
use crate::accounts::Accounts;
use crate::auth::caller::API_TOKEN_PREFIX;
use crate::auth::policy::{self, Resource};
use crate::auth::{Caller, Scope, secret};
use crate::error::ApiError;
use crate::http::listing::PageRequest;
use crate::timestamp;

/// Characters of the secret kept in clear after the `cms_` prefix, enough to
/// tell tokens apart in a list, far too few to guess the rest.
const DISPLAY_CHARS: usize = 6;

/// Random bytes in a token: 256 bits.
const TOKEN_BYTES: usize = 32;

fn not_found() -> ApiError {
    ApiError::not_found("no API token has this id")
}

/// Creates a token and returns its only plain copy with the stored details.
pub async fn create(
    cx: &Accounts,
    caller: &Caller,
    input: CreateApiToken,
) -> Result<CreatedApiToken, ApiError> {
    policy::authorize_write(caller, Resource::ApiToken, None)?;
    let now = timestamp::now();
    let new = input.check(now)?;
    let created_by = caller.user_id();
    cx.db
        .write(move |tx| {
            let token = format!("{API_TOKEN_PREFIX}{}", secret::random_token(TOKEN_BYTES));
            let display: String = token
                .chars()
                .take(API_TOKEN_PREFIX.len() + DISPLAY_CHARS)
                .collect();
            let id = queries::insert(
                tx,
                &NewApiTokenRow {
                    name: &new.name,
                    token_prefix: &display,
                    token_hash: &secret::token_digest(&token),
                    scopes: &Scope::join(&new.scopes),
                    created_by,
                    expires_at: new.expires_at,
                    created_at: now,
                },
            )?;
            let row = queries::find(tx, id)?.ok_or_else(not_found)?;
            Ok(CreatedApiToken {
                token,
                details: row.into(),
            })
        })
        .await
}

pub async fn list(
    cx: &Accounts,
    caller: &Caller,
    page: PageRequest,
) -> Result<(Vec<ApiTokenView>, i64), ApiError> {
    policy::authorize_admin(caller)?;
    let (rows, total) = cx
        .db
        .read(move |conn| Ok(queries::page(conn, page)?))
        .await?;
    Ok((rows.into_iter().map(ApiTokenView::from).collect(), total))
}

/// Refused from the next request on; it stays in the list, marked revoked.
/// Revoking twice is the same as once.
pub async fn revoke(cx: &Accounts, caller: &Caller, id: i64) -> Result<(), ApiError> {
    policy::authorize_write(caller, Resource::ApiToken, None)?;
    cx.db
        .write(move |tx| {
            let current = queries::find(tx, id)?.ok_or_else(not_found)?;
            if current.revoked_at.is_none() {
                queries::revoke(tx, id, timestamp::now())?;
            }
            Ok(())
        })
        .await
}
