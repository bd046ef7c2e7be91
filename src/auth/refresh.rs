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

/// What presenting a refresh token leads to.
#[derive(Debug)]
pub enum Redemption {
    /// The token was live and is now used: issue the next one in `family`.
    Rotated {
        user_id: i64,
        role: String,
        family: String,
    },
    /// Unknown, expired, or its account is gone or inactive.
    Refused,
    /// Already used or revoked: someone holds a copy. The whole family is
    /// now revoked, the legitimate client's newest token included.
    Reused,
}

/// Marks a refresh token used, atomically: of two requests presenting the
/// same token, exactly one rotates it and the other counts as a reuse.
/// Call inside a write transaction, and commit even when the answer is a
/// refusal, so that a family revoked on reuse stays revoked.
pub fn redeem(
    conn: &mut DbConnection,
    token: &str,
    now: NaiveDateTime,
) -> Result<Redemption, ApiError> {
    use crate::db::schema::users;
    let row = refresh_tokens::table
        .inner_join(users::table)
        .filter(refresh_tokens::token_hash.eq(secret::token_digest(token)))
        .select((
            refresh_tokens::id,
            refresh_tokens::user_id,
            refresh_tokens::family_id,
            refresh_tokens::expires_at,
            refresh_tokens::used_at
                .is_not_null()
                .or(refresh_tokens::revoked_at.is_not_null()),
            users::active,
            users::role,
        ))
        .first::<(i64, i64, String, NaiveDateTime, bool, bool, String)>(conn)
        .optional()?;
    let Some((id, user_id, family, expires_at, spent, active, role)) = row else {
        return Ok(Redemption::Refused);
    };
    if spent {
        revoke_family(conn, &family, now)?;
        return Ok(Redemption::Reused);
    }
    if expires_at <= now || !active {
        return Ok(Redemption::Refused);
    }
    let marked = diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::id.eq(id))
            .filter(refresh_tokens::used_at.is_null())
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::used_at.eq(now))
    .execute(conn)?;
    if marked == 0 {
        // Another request used it between our read and our write.
        revoke_family(conn, &family, now)?;
        return Ok(Redemption::Reused);
    }
    Ok(Redemption::Rotated {
        user_id,
        role,
        family,
    })
}

/// Revokes every live token of a family (reuse, logout).
pub fn revoke_family(
    conn: &mut DbConnection,
    family: &str,
    now: NaiveDateTime,
) -> Result<usize, ApiError> {
    Ok(diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::family_id.eq(family))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(now))
    .execute(conn)?)
}

/// Ends the session a refresh token belongs to; unknown tokens do nothing.
pub fn revoke_family_of(
    conn: &mut DbConnection,
    token: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let family = refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(secret::token_digest(token)))
        .select(refresh_tokens::family_id)
        .first::<String>(conn)
        .optional()?;
    if let Some(family) = family {
        revoke_family(conn, &family, now)?;
    }
    Ok(())
}
