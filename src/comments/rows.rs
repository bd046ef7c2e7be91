use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::comments;

/// A comment as stored; never sent as JSON (see `views`).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = comments)]
pub struct CommentRow {
    pub id: i64,
    pub article_id: i64,
    pub parent_id: Option<i64>,
    pub author_name: String,
    pub author_email: Option<String>,
    pub author_url: Option<String>,
    pub body: String,
    pub body_html: String,
    pub status: String,
    pub hold_reason: Option<String>,
    pub user_id: Option<i64>,
    pub address_hash: Option<String>,
    pub edit_note: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

/// What the public sees of a comment: no email, no address.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = comments)]
pub struct PublicCommentRow {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub author_name: String,
    pub author_url: Option<String>,
    pub body_html: String,
    pub user_id: Option<i64>,
    pub created_at: NaiveDateTime,
}

/// A new comment.
#[derive(Debug, Insertable)]
#[diesel(table_name = comments, treat_none_as_default_value = false)]
pub struct NewComment<'a> {
    pub article_id: i64,
    pub parent_id: Option<i64>,
    pub author_name: &'a str,
    pub author_email: Option<&'a str>,
    pub author_url: Option<&'a str>,
    pub body: &'a str,
    pub body_html: &'a str,
    pub status: &'a str,
    pub hold_reason: Option<&'a str>,
    pub user_id: Option<i64>,
    pub address_hash: Option<&'a str>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}
