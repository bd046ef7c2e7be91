//! What can be done with authors, one function per use case.

use super::input::{AuthorCreate, AuthorFields, AuthorPatch};
use super::queries;
use super::rows::AuthorRow;
use super::views::AuthorView;
use crate::auth::Caller;
use crate::auth::policy::{Resource, authorize_write};
use crate::changes::{self, Action, Actor, Change};
use crate::content::lookup::IdOrSlug;
use crate::content::slug;
use crate::content::{Content, Precondition};
use crate::db::{DbConnection, Tx};
use crate::error::ApiError;
use crate::http::listing::PageRequest;
use crate::timestamp;

fn not_found() -> ApiError {
    ApiError::not_found("no such author")
}

fn views(conn: &mut DbConnection, rows: Vec<AuthorRow>) -> Result<Vec<AuthorView>, ApiError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let counts = queries::published_counts(conn, &ids, timestamp::now())?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let count = counts.get(&row.id).copied().unwrap_or(0);
            AuthorView::new(row, count)
        })
        .collect())
}

fn view_of(conn: &mut DbConnection, key: &IdOrSlug) -> Result<AuthorView, ApiError> {
    let row = queries::find(conn, key)?.ok_or_else(not_found)?;
    views(conn, vec![row])?.pop().ok_or_else(not_found)
}

pub async fn list(cx: &Content, page: PageRequest) -> Result<(Vec<AuthorView>, i64), ApiError> {
    cx.db
        .read(move |conn| {
            let (rows, total) = queries::page(conn, page)?;
            Ok((views(conn, rows)?, total))
        })
        .await
}

pub async fn get(cx: &Content, key: IdOrSlug) -> Result<AuthorView, ApiError> {
    cx.db.read(move |conn| view_of(conn, &key)).await
}

pub async fn create(
    cx: &Content,
    caller: Caller,
    body: AuthorCreate,
) -> Result<AuthorView, ApiError> {
    authorize_write(&caller, Resource::Author, None)?;
    let fields = AuthorFields::from_create(body).map_err(ApiError::Validation)?;
    cx.db
        .write(move |conn| insert(conn, &fields, Actor::of(&caller)))
        .await
}

/// The write path of a new author, shared by the API and the demo seed.
pub fn insert(
    conn: &mut Tx<'_>,
    fields: &AuthorFields,
    actor: Actor,
) -> Result<AuthorView, ApiError> {
    let slug = slug::settle::<queries::Slugs>(
        conn,
        fields.slug.as_ref(),
        slug::Subject::New { text: &fields.name },
    )?;
    let id = queries::insert(conn, fields, &slug, timestamp::now())?;
    let view = view_of(conn, &IdOrSlug::Id(id))?;
    changes::commit(conn, Change::author(Action::Created, &view, false, actor)?)?;
    Ok(view)
}

/// Editors and admins edit any byline; an author or contributor its own.
pub async fn update(
    cx: &Content,
    caller: Caller,
    key: IdOrSlug,
    expect: Precondition,
    patch: AuthorPatch,
) -> Result<AuthorView, ApiError> {
    caller.require_authenticated()?;
    cx.db
        .write(move |conn| {
            queries::lock(conn, &key)?;
            let current = view_of(conn, &key)?;
            authorize_write(&caller, Resource::Author, Some(current.id))?;
            expect.check(&current)?;
            let row = queries::find(conn, &IdOrSlug::Id(current.id))?.ok_or_else(not_found)?;
            let fields =
                AuthorFields::from_patch(&row, patch.clone()).map_err(ApiError::Validation)?;
            let slug = slug::settle::<queries::Slugs>(
                conn,
                fields.slug.as_ref(),
                slug::Subject::Existing {
                    id: row.id,
                    slug: &row.slug,
                },
            )?
            .into_string();
            queries::update(conn, row.id, &fields, &slug, timestamp::now())?;
            let renamed = fields.name != row.name || slug != row.slug;
            let view = view_of(conn, &IdOrSlug::Id(row.id))?;
            changes::commit(
                conn,
                Change::author(Action::Updated, &view, renamed, Actor::of(&caller))?,
            )?;
            Ok(view)
        })
        .await
}

/// A byline that still signs articles is not deleted (409).
pub async fn delete(
    cx: &Content,
    caller: Caller,
    key: IdOrSlug,
    expect: Precondition,
) -> Result<(), ApiError> {
    caller.require_authenticated()?;
    cx.db
        .write(move |conn| {
            queries::lock(conn, &key)?;
            let current = view_of(conn, &key)?;
            authorize_write(&caller, Resource::Author, Some(current.id))?;
            expect.check(&current)?;
            let signed = queries::byline_count(conn, current.id)?;
            if signed > 0 {
                return Err(ApiError::conflict(format!(
                    "the author still signs {signed} article(s); reassign them first"
                )));
            }
            queries::delete(conn, current.id)?;
            changes::commit(
                conn,
                Change::deleted(
                    changes::Resource::Author,
                    current.id,
                    &current.slug,
                    Actor::of(&caller),
                )?,
            )?;
            Ok(())
        })
        .await
}
