//! Every statement about `indieauth_codes`: an approval waiting for its
//! app to exchange it at the token endpoint.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::indieauth_codes;

/// An approval as stored (the code itself only as a digest).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = indieauth_codes)]
pub struct CodeRow {
    pub user_id: i64,
    pub client_id: String,
    pub redirect_uri: String,
    pub scope: String,
    pub code_challenge: String,
    pub expires_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = indieauth_codes)]
pub struct NewCodeRow<'a> {
    pub code_hash: &'a str,
    pub user_id: i64,
    pub client_id: &'a str,
    pub redirect_uri: &'a str,
    pub scope: &'a str,
    pub code_challenge: &'a str,
    pub expires_at: NaiveDateTime,
}

/// Stores an approval, and forgets the expired ones (a few rows at most).
pub fn insert(
    conn: &mut DbConnection,
    row: &NewCodeRow<'_>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::delete(indieauth_codes::table.filter(indieauth_codes::expires_at.lt(now)))
        .execute(conn)?;
    diesel::insert_into(indieauth_codes::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// The approval with this digest, deleted as it is read: a code serves
/// once, whatever the exchange then decides.
pub fn take(conn: &mut DbConnection, code_hash: &str) -> QueryResult<Option<CodeRow>> {
    let found = indieauth_codes::table
        .filter(indieauth_codes::code_hash.eq(code_hash))
        .select(CodeRow::as_select())
        .first(conn)
        .optional()?;
    if found.is_none() {
        return Ok(None);
    }
    // Two exchanges of one code at once: only the one whose delete took
    // the row has it.
    let deleted =
        diesel::delete(indieauth_codes::table.filter(indieauth_codes::code_hash.eq(code_hash)))
            .execute(conn)?;
    Ok(found.filter(|_| deleted == 1))
}
