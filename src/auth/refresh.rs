//! Refresh tokens: opaque random strings, stored only as a digest, grouped in
//! families (one per login) so that reuse of a rotated token revokes them all.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::auth::secret;
use crate::db::DbConnection;
use crate::db::schema::refresh_tokens;
use crate::error::ApiError;

/// Creates a refresh token in `family` (a new family when `None`) and
/// returns the plain token, which is never stored.
pub fn issue(
    conn: &mut DbConnection,
    user_id: i64,
    family: Option<&str>,
    now: NaiveDateTime,
    ttl: std::time::Duration,
) -> Result<String, ApiError> {
    let token = secret::random_token(32);
    let family = family
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let ttl = chrono::Duration::from_std(ttl).map_err(|e| ApiError::Internal(e.to_string()))?;
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::user_id.eq(user_id),
            refresh_tokens::family_id.eq(&family),
            refresh_tokens::token_hash.eq(secret::token_digest(&token)),
            refresh_tokens::expires_at.eq(now + ttl),
            refresh_tokens::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(token)
}

/// Revokes every live refresh token of a user (password change,
/// deactivation, deletion).
pub fn revoke_all_for_user(
    conn: &mut DbConnection,
    user_id: i64,
    now: NaiveDateTime,
) -> Result<usize, ApiError> {
    Ok(diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::user_id.eq(user_id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(now))
    .execute(conn)?)
}
