//! The comment reads and writes, on both databases.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::input::{ModerationFilter, Order};
use super::rows::{CommentRow, NewComment, PublicCommentRow};
use super::status::CommentStatus;
use super::views::{CommentArticle, StatusCounts};
use crate::db::id_list::id_in;
use crate::db::schema::{article_authors, articles, comments};
use crate::db::{DbBackend, DbConnection};

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

const APPROVED: &str = "approved";

/// A page of an article's approved top-level comments, after `after`
/// (the last one of the previous page) in `order`.
pub fn threads(
    conn: &mut DbConnection,
    article_id: i64,
    order: Order,
    after: Option<(NaiveDateTime, i64)>,
    limit: i64,
) -> QueryResult<Vec<PublicCommentRow>> {
    let mut query = comments::table
        .filter(comments::article_id.eq(article_id))
        .filter(comments::status.eq(APPROVED))
        .filter(comments::parent_id.is_null())
        .select(PublicCommentRow::as_select())
        .limit(limit)
        .into_boxed::<DbBackend>();
    query = match (order, after) {
        (Order::Asc, Some((at, id))) => query.filter(
            comments::created_at
                .gt(at)
                .or(comments::created_at.eq(at).and(comments::id.gt(id))),
        ),
        (Order::Desc, Some((at, id))) => query.filter(
            comments::created_at
                .lt(at)
                .or(comments::created_at.eq(at).and(comments::id.lt(id))),
        ),
        (_, None) => query,
    };
    query = match order {
        Order::Asc => query.order((comments::created_at.asc(), comments::id.asc())),
        Order::Desc => query.order((comments::created_at.desc(), comments::id.desc())),
    };
    query.load(conn)
}

/// The approved replies to `parent_ids`, oldest first.
pub fn replies(conn: &mut DbConnection, parent_ids: &[i64]) -> QueryResult<Vec<PublicCommentRow>> {
    if parent_ids.is_empty() {
        return Ok(Vec::new());
    }
    comments::table
        .filter(id_in(comments::parent_id.assume_not_null(), parent_ids))
        .filter(comments::status.eq(APPROVED))
        .order((comments::created_at.asc(), comments::id.asc()))
        .select(PublicCommentRow::as_select())
        .load(conn)
}

/// Approved top-level comments of an article.
pub fn thread_count(conn: &mut DbConnection, article_id: i64) -> QueryResult<i64> {
    comments::table
        .filter(comments::article_id.eq(article_id))
        .filter(comments::status.eq(APPROVED))
        .filter(comments::parent_id.is_null())
        .count()
        .get_result(conn)
}

/// Where a comment sits: its article, status, and the chain of ids from it
/// up to the top of its thread (its depth is the chain's length).
#[derive(Debug)]
pub struct Place {
    pub article_id: i64,
    pub status: String,
    pub chain: Vec<i64>,
}

/// The place of comment `id`, walking up at most `limit` parents.
pub fn place(conn: &mut DbConnection, id: i64, limit: u32) -> QueryResult<Option<Place>> {
    let Some((article_id, status, mut parent)) = comments::table
        .find(id)
        .select((comments::article_id, comments::status, comments::parent_id))
        .first::<(i64, String, Option<i64>)>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    // The chain from the comment up: [id, parent, grandparent, …].
    let mut chain = vec![id];
    while let Some(p) = parent {
        if chain.len() as u32 > limit {
            break;
        }
        chain.push(p);
        parent = comments::table
            .find(p)
            .select(comments::parent_id)
            .first::<Option<i64>>(conn)
            .optional()?
            .flatten();
    }
    Ok(Some(Place {
        article_id,
        status,
        chain,
    }))
}

/// Whether `email` already has an approved comment (WordPress's
/// "comment author must have a previously approved comment").
pub fn has_approved(conn: &mut DbConnection, email: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        comments::table
            .filter(comments::author_email.eq(email))
            .filter(comments::status.eq(APPROVED)),
    ))
    .get_result(conn)
}

/// Whether the same comment was already sent: same article, parent,
/// name, email (when given) and text, not in the trash.
pub fn is_duplicate(
    conn: &mut DbConnection,
    article_id: i64,
    parent_id: Option<i64>,
    author_name: &str,
    author_email: Option<&str>,
    body: &str,
) -> QueryResult<bool> {
    let mut query = comments::table
        .filter(comments::article_id.eq(article_id))
        .filter(comments::author_name.eq(author_name))
        .filter(comments::body.eq(body))
        .filter(comments::status.ne(CommentStatus::Trash.as_str()))
        .select(comments::id)
        .into_boxed::<DbBackend>();
    query = match parent_id {
        Some(p) => query.filter(comments::parent_id.eq(p)),
        None => query.filter(comments::parent_id.is_null()),
    };
    if let Some(email) = author_email {
        query = query.filter(comments::author_email.eq(email));
    }
    Ok(query.first::<i64>(conn).optional()?.is_some())
}

pub fn insert(conn: &mut DbConnection, new: &NewComment<'_>) -> QueryResult<CommentRow> {
    diesel::insert_into(comments::table)
        .values(new)
        .returning(<CommentRow as Selectable<DbBackend>>::construct_selection())
        .get_result(conn)
}

/// Sets the article's `comment_count` to its approved comments.
pub fn recount(conn: &mut DbConnection, article_id: i64) -> QueryResult<()> {
    let count: i64 = comments::table
        .filter(comments::article_id.eq(article_id))
        .filter(comments::status.eq(APPROVED))
        .count()
        .get_result(conn)?;
    diesel::update(articles::table.find(article_id))
        .set(articles::comment_count.eq(i32::try_from(count).unwrap_or(i32::MAX)))
        .execute(conn)
        .map(drop)
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<CommentRow>> {
    comments::table
        .find(id)
        .select(CommentRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_many(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<CommentRow>> {
    comments::table
        .filter(id_in(comments::id, ids))
        .select(CommentRow::as_select())
        .load(conn)
}

/// Whose comments a moderator sees: all, or those on the articles one
/// byline signs (an author).
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    All,
    SignedBy(i64),
}

type Boxed<'a> = comments::BoxedQuery<'a, DbBackend>;

fn filtered<'a>(f: &'a ModerationFilter, scope: Scope, with_status: bool) -> Boxed<'a> {
    let mut query = comments::table.into_boxed::<DbBackend>();
    if let Scope::SignedBy(author_id) = scope {
        query = query.filter(
            comments::article_id.eq_any(
                article_authors::table
                    .filter(article_authors::author_id.eq(author_id))
                    .select(article_authors::article_id),
            ),
        );
    }
    if with_status {
        query = match f.status {
            Some(status) => query.filter(comments::status.eq(status.as_str())),
            None => query.filter(comments::status.ne(CommentStatus::Trash.as_str())),
        };
    }
    if let Some(article_id) = f.article_id {
        query = query.filter(comments::article_id.eq(article_id));
    }
    if let Some(email) = &f.email {
        query = query.filter(comments::author_email.eq(email));
    }
    if let Some(q) = &f.q {
        let escaped = q
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let pattern = format!("%{escaped}%");
        query = query.filter(
            lower(comments::author_name)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(comments::body).like(pattern).escape('\\')),
        );
    }
    query
}

/// A page of the moderation queue, newest first, and its total.
pub fn moderation_page(
    conn: &mut DbConnection,
    f: &ModerationFilter,
    scope: Scope,
) -> QueryResult<(Vec<CommentRow>, i64)> {
    let total: i64 = filtered(f, scope, true).count().get_result(conn)?;
    let rows = filtered(f, scope, true)
        .order((comments::created_at.desc(), comments::id.desc()))
        .limit(i64::from(f.page.per_page))
        .offset(f.page.offset())
        .select(CommentRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// Comments per status under the filter's other conditions.
pub fn status_counts(
    conn: &mut DbConnection,
    f: &ModerationFilter,
    scope: Scope,
) -> QueryResult<StatusCounts> {
    // One count per status: a boxed query cannot be grouped.
    let mut count = |status: CommentStatus| -> QueryResult<i64> {
        filtered(f, scope, false)
            .filter(comments::status.eq(status.as_str()))
            .count()
            .get_result(conn)
    };
    let counts = StatusCounts {
        pending: count(CommentStatus::Pending)?,
        approved: count(CommentStatus::Approved)?,
        spam: count(CommentStatus::Spam)?,
        trash: count(CommentStatus::Trash)?,
    };
    Ok(counts)
}

/// The id, slug and title of these articles.
pub fn articles_brief(
    conn: &mut DbConnection,
    ids: &[i64],
) -> QueryResult<HashMap<i64, CommentArticle>> {
    let rows: Vec<(i64, String, String)> = articles::table
        .filter(id_in(articles::id, ids))
        .select((articles::id, articles::slug, articles::title))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, slug, title)| (id, CommentArticle { id, slug, title }))
        .collect())
}

/// Whether `author_id` signs `article_id`.
pub fn signs(conn: &mut DbConnection, author_id: i64, article_id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        article_authors::table
            .filter(article_authors::author_id.eq(author_id))
            .filter(article_authors::article_id.eq(article_id)),
    ))
    .get_result(conn)
}

/// Every comment `email` wrote, oldest first.
pub fn by_email(conn: &mut DbConnection, email: &str) -> QueryResult<Vec<CommentRow>> {
    comments::table
        .filter(comments::author_email.eq(email))
        .order((comments::created_at.asc(), comments::id.asc()))
        .select(CommentRow::as_select())
        .load(conn)
}

/// Moves `id`'s replies to its parent (or to the top), then deletes it.
pub fn purge(conn: &mut DbConnection, row: &CommentRow) -> QueryResult<()> {
    diesel::update(comments::table.filter(comments::parent_id.eq(row.id)))
        .set(comments::parent_id.eq(row.parent_id))
        .execute(conn)?;
    diesel::delete(comments::table.find(row.id))
        .execute(conn)
        .map(drop)
}

/// Sets a comment's status (and, for an edit, its text).
pub fn set_status(
    conn: &mut DbConnection,
    id: i64,
    status: CommentStatus,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(comments::table.find(id))
        .set((
            comments::status.eq(status.as_str()),
            comments::updated_at.eq(now),
            comments::version.eq(comments::version + 1),
        ))
        .execute(conn)
}

pub fn set_body(
    conn: &mut DbConnection,
    id: i64,
    body: &str,
    body_html: &str,
    note: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(comments::table.find(id))
        .set((
            comments::body.eq(body),
            comments::body_html.eq(body_html),
            comments::edit_note.eq(note),
            comments::updated_at.eq(now),
            comments::version.eq(comments::version + 1),
        ))
        .execute(conn)
}
