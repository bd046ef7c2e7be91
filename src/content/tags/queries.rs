//! The tag table, read and written.

use std::collections::HashSet;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::input::TagFields;
use super::rows::TagRow;
use crate::content::french_order;
use crate::content::lookup::IdOrSlug;
use crate::content::slug::Slug;
use crate::db::DbConnection;
use crate::db::schema::{article_tags, tags};
use crate::http::listing::PageRequest;

pub fn find(conn: &mut DbConnection, key: &IdOrSlug) -> QueryResult<Option<TagRow>> {
    let query = tags::table.select(TagRow::as_select()).into_boxed();
    let query = match key {
        IdOrSlug::Id(id) => query.filter(tags::id.eq(*id)),
        IdOrSlug::Slug(slug) => query.filter(tags::slug.eq(slug.clone())),
    };
    query.first(conn).optional()
}

/// A page of tags in French order (`french_order`), and the total; internal tags (`#…`,
/// `views::is_internal`) only `with_internal`.
pub fn page(
    conn: &mut DbConnection,
    page: PageRequest,
    with_internal: bool,
) -> QueryResult<(Vec<TagRow>, i64)> {
    let visible = || {
        let query = tags::table.into_boxed();
        if with_internal {
            query
        } else {
            query.filter(tags::name.not_like("#%"))
        }
    };
    let total = visible().count().get_result(conn)?;
    let rows = visible()
        .select(TagRow::as_select())
        .order((tags::name_key.asc(), tags::id.asc()))
        .limit(page.limit())
        .offset(page.offset())
        .load(conn)?;
    Ok((rows, total))
}

pub fn taken_slugs(conn: &mut DbConnection, base: &Slug) -> QueryResult<HashSet<String>> {
    crate::db::slug_lock::hold(conn, "tags", base.as_str())?;
    tags::table
        .filter(
            tags::slug
                .eq(base.as_str())
                .or(tags::slug.like(format!("{}-%", base.as_str()))),
        )
        .select(tags::slug)
        .load::<String>(conn)
        .map(|v| v.into_iter().collect())
}

pub fn slug_owner(conn: &mut DbConnection, slug: &Slug) -> QueryResult<Option<i64>> {
    tags::table
        .filter(tags::slug.eq(slug.as_str()))
        .select(tags::id)
        .first(conn)
        .optional()
}

/// The columns a write sets from its fields (`None` clears): the update's
/// changeset, and the insert's values. A `None` is written as NULL, not as
/// diesel's default `DEFAULT`, so the insert's text never depends on the
/// values and is prepared once (`inserts_are_prepared_once` checks it).
#[derive(AsChangeset, Insertable)]
#[diesel(
    table_name = tags,
    treat_none_as_null = true,
    treat_none_as_default_value = false
)]
struct TagForm<'a> {
    slug: &'a str,
    name: &'a str,
    /// French order (`french_order`), kept with the name it sorts.
    name_key: Vec<u8>,
    description: Option<&'a str>,
}

impl<'a> TagForm<'a> {
    fn new(fields: &'a TagFields, slug: &'a str) -> Self {
        Self {
            slug,
            name: &fields.name,
            name_key: french_order::sort_key(&fields.name),
            description: fields.description.as_deref(),
        }
    }
}

/// A new row: its form and what only a creation sets.
#[derive(Insertable)]
#[diesel(table_name = tags, treat_none_as_default_value = false)]
struct NewTagRow<'a> {
    #[diesel(embed)]
    form: TagForm<'a>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    version: i32,
}

pub fn insert(
    conn: &mut DbConnection,
    fields: &TagFields,
    slug: &Slug,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    let row = NewTagRow {
        form: TagForm::new(fields, slug.as_str()),
        created_at: now,
        updated_at: now,
        version: 1,
    };
    diesel::insert_into(tags::table)
        .values(row)
        .returning(tags::id)
        .get_result(conn)
}

pub fn update(
    conn: &mut DbConnection,
    id: i64,
    fields: &TagFields,
    slug: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(tags::table.filter(tags::id.eq(id)))
        .set((
            TagForm::new(fields, slug),
            tags::updated_at.eq(now),
            tags::version.eq(tags::version + 1),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn usage_count(conn: &mut DbConnection, id: i64) -> QueryResult<i64> {
    article_tags::table
        .filter(article_tags::tag_id.eq(id))
        .count()
        .get_result(conn)
}

pub fn delete(conn: &mut DbConnection, id: i64) -> QueryResult<()> {
    diesel::delete(tags::table.filter(tags::id.eq(id)))
        .execute(conn)
        .map(|_| ())
}

/// Takes the row's write lock before the write path reads it. On PostgreSQL a
/// concurrent writer then waits and reads this write's result, so one
/// `If-Match` cannot pass twice; on SQLite the writer already holds the
/// database (`BEGIN IMMEDIATE`) and this costs one indexed no-op.
pub fn lock(conn: &mut DbConnection, key: &IdOrSlug) -> QueryResult<()> {
    match key {
        IdOrSlug::Id(id) => diesel::update(tags::table.filter(tags::id.eq(*id)))
            .set(tags::version.eq(tags::version))
            .execute(conn)?,
        IdOrSlug::Slug(slug) => diesel::update(tags::table.filter(tags::slug.eq(slug.as_str())))
            .set(tags::version.eq(tags::version))
            .execute(conn)?,
    };
    Ok(())
}

/// The slugs of tags (`slug::settle`).
pub struct Slugs;

impl crate::content::slug::SlugTable for Slugs {
    const RESOURCE: &'static str = "tag";
    const FALLBACK: &'static str = "etiquette";

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
        let row = NewTagRow {
            form: TagForm {
                slug: "sahel",
                name: "Sahel",
                name_key: french_order::sort_key("Sahel"),
                description: None,
            },
            created_at: now,
            updated_at: now,
            version: 1,
        };
        assert!(crate::db::prepared_once(
            &diesel::insert_into(tags::table).values(row)
        ));
    }
}
