use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::tags;

/// A tag as stored; never sent as JSON (see `views`).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tags)]
pub struct TagRow {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}
