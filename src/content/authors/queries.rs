//! The author table, read and written.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::input::AuthorFields;
use super::rows::AuthorRow;
use crate::content::articles::queries::public_now;
use crate::content::french_order;
use crate::content::lookup::IdOrSlug;
use crate::content::slug::Slug;
use crate::db::DbConnection;
use crate::db::id_list::id_in;
use crate::db::schema::{article_authors, articles, authors};
use crate::http::listing::PageRequest;

pub fn find(conn: &mut DbConnection, key: &IdOrSlug) -> QueryResult<Option<AuthorRow>> {
    let query = authors::table.select(AuthorRow::as_select()).into_boxed();
    let query = match key {
        IdOrSlug::Id(id) => query.filter(authors::id.eq(*id)),
        IdOrSlug::Slug(slug) => query.filter(authors::slug.eq(slug.clone())),
    };
    query.first(conn).optional()
}

pub fn page(conn: &mut DbConnection, page: PageRequest) -> QueryResult<(Vec<AuthorRow>, i64)> {
    let total = authors::table.count().get_result(conn)?;
    let rows = authors::table
        .select(AuthorRow::as_select())
        .order((authors::name_key.asc(), authors::id.asc()))
        .limit(page.limit())
        .offset(page.offset())
        .load(conn)?;
    Ok((rows, total))
}

/// Published (and due) articles signed by each of `ids`, in one query.
pub fn published_counts(
    conn: &mut DbConnection,
    ids: &[i64],
    now: NaiveDateTime,
) -> QueryResult<HashMap<i64, i64>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    article_authors::table
        .inner_join(articles::table)
        .filter(id_in(article_authors::author_id, ids))
        .filter(public_now(now))
        .group_by(article_authors::author_id)
        .select((
            article_authors::author_id,
            diesel::dsl::count(article_authors::article_id),
        ))
        .load::<(i64, i64)>(conn)
        .map(|v| v.into_iter().collect())
}

pub fn taken_slugs(conn: &mut DbConnection, base: &Slug) -> QueryResult<HashSet<String>> {
    crate::db::slug_lock::hold(conn, "authors", base.as_str())?;
    authors::table
        .filter(
            authors::slug
                .eq(base.as_str())
                .or(authors::slug.like(format!("{}-%", base.as_str()))),
        )
        .select(authors::slug)
        .load::<String>(conn)
        .map(|v| v.into_iter().collect())
}

pub fn slug_owner(conn: &mut DbConnection, slug: &Slug) -> QueryResult<Option<i64>> {
    authors::table
        .filter(authors::slug.eq(slug.as_str()))
        .select(authors::id)
        .first(conn)
        .optional()
}

/// The columns a write sets from its fields (`None` clears): the update's
/// changeset, and the insert's values. A `None` is written as NULL, not as
/// diesel's default `DEFAULT`, so the insert's text never depends on the
/// values and is prepared once (`inserts_are_prepared_once` checks it).
#[derive(AsChangeset, Insertable)]
#[diesel(
    table_name = authors,
    treat_none_as_null = true,
    treat_none_as_default_value = false
)]
struct AuthorForm<'a> {
    slug: &'a str,
    name: &'a str,
    /// French order (`french_order`), kept with the name it sorts.
    name_key: Vec<u8>,
    bio: Option<&'a str>,
    avatar_url: Option<&'a str>,
    links: String,
}

impl<'a> AuthorForm<'a> {
    fn new(fields: &'a AuthorFields, slug: &'a str) -> Self {
        Self {
            slug,
            name: &fields.name,
            name_key: french_order::sort_key(&fields.name),
            bio: fields.bio.as_deref(),
            avatar_url: fields.avatar_url.as_deref(),
            links: fields.links_json(),
        }
    }
}

/// A new row: its form and what only a creation sets.
#[derive(Insertable)]
#[diesel(table_name = authors, treat_none_as_default_value = false)]
struct NewAuthorRow<'a> {
    #[diesel(embed)]
    form: AuthorForm<'a>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    version: i32,
}

pub fn insert(
    conn: &mut DbConnection,
    fields: &AuthorFields,
    slug: &Slug,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    let row = NewAuthorRow {
        form: AuthorForm::new(fields, slug.as_str()),
        created_at: now,
        updated_at: now,
        version: 1,
    };
    diesel::insert_into(authors::table)
        .values(row)
        .returning(authors::id)
        .get_result(conn)
}

pub fn update(
    conn: &mut DbConnection,
    id: i64,
    fields: &AuthorFields,
    slug: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(authors::table.filter(authors::id.eq(id)))
        .set((
            AuthorForm::new(fields, slug),
            authors::updated_at.eq(now),
            authors::version.eq(authors::version + 1),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Articles of any status signed by the author.
pub fn byline_count(conn: &mut DbConnection, id: i64) -> QueryResult<i64> {
    article_authors::table
        .filter(article_authors::author_id.eq(id))
        .count()
        .get_result(conn)
}

pub fn delete(conn: &mut DbConnection, id: i64) -> QueryResult<()> {
    diesel::delete(authors::table.filter(authors::id.eq(id)))
        .execute(conn)
        .map(|_| ())
}

/// Takes the row's write lock before the write path reads it. On PostgreSQL a
/// concurrent writer then waits and reads this write's result, so one
/// `If-Match` cannot pass twice; on SQLite the writer already holds the
/// database (`BEGIN IMMEDIATE`) and this costs one indexed no-op.
pub fn lock(conn: &mut DbConnection, key: &IdOrSlug) -> QueryResult<()> {
    match key {
        IdOrSlug::Id(id) => diesel::update(authors::table.filter(authors::id.eq(*id)))
            .set(authors::version.eq(authors::version))
            .execute(conn)?,
        IdOrSlug::Slug(slug) => {
            diesel::update(authors::table.filter(authors::slug.eq(slug.as_str())))
                .set(authors::version.eq(authors::version))
                .execute(conn)?
        }
    };
    Ok(())
}

/// The slugs of authors (`slug::settle`).
pub struct Slugs;

impl crate::content::slug::SlugTable for Slugs {
    const RESOURCE: &'static str = "author";
    const FALLBACK: &'static str = "auteur";

    fn owner(conn: &mut DbConnection, slug: &Slug) -> QueryResult<Option<i64>> {
        slug_owner(conn, slug)
    }

    fn taken(conn: &mut DbConnection, base: &Slug) -> QueryResult<HashSet<String>> {
        taken_slugs(conn, base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserts_are_prepared_once() {
        let now = crate::timestamp::now();
        let row = NewAuthorRow {
            form: AuthorForm {
                slug: "afp",
                name: "AFP",
                name_key: french_order::sort_key("AFP"),
                bio: None,
                avatar_url: None,
                links: "[]".to_owned(),
            },
            created_at: now,
            updated_at: now,
            version: 1,
        };
        assert!(crate::db::prepared_once(
            &diesel::insert_into(authors::table).values(row)
        ));
    }
}
