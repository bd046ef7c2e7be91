//! Every statement about `api_tokens` made by their management (the check
//! of a presented token is `auth::authenticate`'s).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::rows::{ApiTokenRow, NewApiTokenRow};
use crate::db::DbConnection;
use crate::db::schema::api_tokens;
use crate::http::listing::PageRequest;

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<ApiTokenRow>> {
    api_tokens::table
        .find(id)
        .select(ApiTokenRow::as_select())
        .first(conn)
        .optional()
}

pub fn insert(conn: &mut DbConnection, row: &NewApiTokenRow<'_>) -> QueryResult<i64> {
    diesel::insert_into(api_tokens::table)
        .values(row)
        .returning(api_tokens::id)
        .get_result::<i64>(conn)
}

/// One page of tokens, oldest first, revoked ones included, and the total.
pub fn page(conn: &mut DbConnection, page: PageRequest) -> QueryResult<(Vec<ApiTokenRow>, i64)> {
    let total = api_tokens::table.count().get_result::<i64>(conn)?;
    let rows = api_tokens::table
        .select(ApiTokenRow::as_select())
        .order(api_tokens::id)
        .limit(page.limit())
        .offset(page.offset())
        .load(conn)?;
    Ok((rows, total))
}

pub fn revoke(conn: &mut DbConnection, id: i64, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(api_tokens::table.find(id))
        .set(api_tokens::revoked_at.eq(now))
        .execute(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserts_are_prepared_once() {
        let now = crate::timestamp::now();
        let row = NewApiTokenRow {
            name: "n",
            token_prefix: "cms_abcdef",
            token_hash: "x",
            scopes: "content:read",
            created_by: None,
            expires_at: None,
            created_at: now,
        };
        assert!(crate::db::prepared_once(
            &diesel::insert_into(api_tokens::table).values(&row)
        ));
    }
}
