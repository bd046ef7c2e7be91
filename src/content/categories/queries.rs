//! The category table, read and written.

use crate::content::lookup::IdOrSlug;
use std::collections::HashSet;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::input::CategoryFields;
use super::rows::CategoryRow;
use super::tree::CategoryTree;
use crate::content::slug::Slug;
use crate::db::DbConnection;
use crate::db::schema::{articles, categories};

pub fn load_tree(conn: &mut DbConnection) -> QueryResult<CategoryTree> {
    let rows = categories::table
        .select(CategoryRow::as_select())
        .load(conn)?;
    Ok(CategoryTree::new(rows))
}

/// Slugs equal to `base` or of the form `base-N`.
pub fn taken_slugs(conn: &mut DbConnection, base: &Slug) -> QueryResult<HashSet<String>> {
    crate::db::slug_lock::hold(conn, "categories", base.as_str())?;
    categories::table
        .filter(
            categories::slug
                .eq(base.as_str())
                .or(categories::slug.like(format!("{}-%", base.as_str()))),
        )
        .select(categories::slug)
        .load::<String>(conn)
        .map(|v| v.into_iter().collect())
}

pub fn slug_owner(conn: &mut DbConnection, slug: &Slug) -> QueryResult<Option<i64>> {
    categories::table
        .filter(categories::slug.eq(slug.as_str()))
        .select(categories::id)
        .first(conn)
        .optional()
}

/// The columns a write sets from its fields (`None` clears): the update's
/// changeset, and the insert's values. A `None` is written as NULL, not as
/// diesel's default `DEFAULT`, so the insert's text never depends on the
/// values and is prepared once (`inserts_are_prepared_once` checks it).
#[derive(AsChangeset, Insertable)]
#[diesel(
    table_name = categories,
    treat_none_as_null = true,
    treat_none_as_default_value = false
)]
struct CategoryForm<'a> {
    slug: &'a str,
    name: &'a str,
    description: Option<&'a str>,
    parent_id: Option<i64>,
    position: i32,
}

impl<'a> CategoryForm<'a> {
    fn new(fields: &'a CategoryFields, slug: &'a str) -> Self {
        Self {
            slug,
            name: &fields.name,
            description: fields.description.as_deref(),
            parent_id: fields.parent_id,
            position: fields.position,
        }
    }
}

/// A new row: its form and what only a creation sets.
#[derive(Insertable)]
#[diesel(table_name = categories, treat_none_as_default_value = false)]
struct NewCategoryRow<'a> {
    #[diesel(embed)]
    form: CategoryForm<'a>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    version: i32,
}

pub fn insert(
    conn: &mut DbConnection,
    fields: &CategoryFields,
    slug: &Slug,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    let row = NewCategoryRow {
        form: CategoryForm::new(fields, slug.as_str()),
        created_at: now,
        updated_at: now,
        version: 1,
    };
    diesel::insert_into(categories::table)
        .values(row)
        .returning(categories::id)
        .get_result(conn)
}

pub fn update(
    conn: &mut DbConnection,
    id: i64,
    fields: &CategoryFields,
    slug: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(categories::table.filter(categories::id.eq(id)))
        .set((
            CategoryForm::new(fields, slug),
            categories::updated_at.eq(now),
            categories::version.eq(categories::version + 1),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Moves a category under `parent` (a subcategory of a deleted one moving
/// up); its version moves on.
pub fn set_parent(
    conn: &mut DbConnection,
    id: i64,
    parent: Option<i64>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(categories::table.filter(categories::id.eq(id)))
        .set((
            categories::parent_id.eq(parent),
            categories::updated_at.eq(now),
            categories::version.eq(categories::version + 1),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Articles filed directly under the category, whatever their status.
pub fn article_count(conn: &mut DbConnection, id: i64) -> QueryResult<i64> {
    articles::table
        .filter(articles::category_id.eq(id))
        .count()
        .get_result(conn)
}

pub fn delete(conn: &mut DbConnection, id: i64) -> QueryResult<()> {
    diesel::delete(categories::table.filter(categories::id.eq(id)))
        .execute(conn)
        .map(|_| ())
}

/// Takes the row's write lock before the write path reads it. On PostgreSQL a
/// concurrent writer then waits and reads this write's result, so one
/// `If-Match` cannot pass twice; on SQLite the writer already holds the
/// database (`BEGIN IMMEDIATE`) and this costs one indexed no-op.
pub fn lock(conn: &mut DbConnection, key: &IdOrSlug) -> QueryResult<()> {
    match key {
        IdOrSlug::Id(id) => diesel::update(categories::table.filter(categories::id.eq(*id)))
            .set(categories::version.eq(categories::version))
            .execute(conn)?,
        IdOrSlug::Slug(slug) => {
            diesel::update(categories::table.filter(categories::slug.eq(slug.as_str())))
                .set(categories::version.eq(categories::version))
                .execute(conn)?
        }
    };
    Ok(())
}

/// The slugs of categories (`slug::settle`).
pub struct Slugs;

impl crate::content::slug::SlugTable for Slugs {
    const RESOURCE: &'static str = "category";
    const FALLBACK: &'static str = "categorie";

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
        let row = NewCategoryRow {
            form: CategoryForm {
                slug: "monde",
                name: "Monde",
                description: None,
                parent_id: None,
                position: 0,
            },
            created_at: now,
            updated_at: now,
            version: 1,
        };
        assert!(crate::db::prepared_once(
            &diesel::insert_into(categories::table).values(row)
        ));
    }
}
