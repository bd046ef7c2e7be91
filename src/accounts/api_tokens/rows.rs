//! An API token as stored, and the form that writes one.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::api_tokens;

/// A token as stored, without its digest.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_tokens)]
pub struct ApiTokenRow {
    pub id: i64,
    pub name: String,
    pub token_prefix: String,
    pub scopes: String,
    pub created_by: Option<i64>,
    pub expires_at: Option<NaiveDateTime>,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

/// A new token's row. A `None` is written as NULL, not `DEFAULT`, so the
/// statement's text never depends on the values and is prepared once.
#[derive(Insertable)]
#[diesel(table_name = api_tokens, treat_none_as_default_value = false)]
pub struct NewApiTokenRow<'a> {
    pub name: &'a str,
    pub token_prefix: &'a str,
    pub token_hash: &'a str,
    pub scopes: &'a str,
    pub created_by: Option<i64>,
    pub expires_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}
