//! What can be done with authors, one function per use case.

use super::input::{AuthorCreate, AuthorFields, AuthorPatch};
use super::queries;
use super::rows::AuthorRow;
use super::views::AuthorView;
use crate::auth::Caller;
use crate::auth::policy::{Resource, authorize_write};
use crate::content::articles::renderings;
use crate::content::events::{self, Action};
use crate::content::lookup::IdOrSlug;
use crate::content::slug;
use crate::db::DbConnection;
use crate::error::ApiError;
use crate::http::conditional::{check_if_match, etag_of_view};
use crate::http::listing::PageRequest;
use crate::state::AppState;
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

pub async fn list(state: &AppState, page: PageRequest) -> Result<(Vec<AuthorView>, i64), ApiError> {
    state
        .db
        .read(move |conn| {
            let (rows, total) = queries::page(conn, page)?;
            Ok((views(conn, rows)?, total))
        })
        .await
}

pub async fn get(state: &AppState, key: IdOrSlug) -> Result<AuthorView, ApiError> {
    state.db.read(move |conn| view_of(conn, &key)).await
}

pub async fn create(
    state: &AppState,
    caller: Caller,
    body: AuthorCreate,
) -> Result<AuthorView, ApiError> {
    authorize_write(&caller, Resource::Author, None)?;
    let fields = AuthorFields::from_create(body).map_err(ApiError::Validation)?;
    state
        .db
        .write(move |conn| {
            let id = insert(conn, &fields, caller.user_id())?;
            view_of(conn, &IdOrSlug::Id(id))
        })
        .await
}

/// The write path of a new author, shared by the API and the demo seed.
pub fn insert(
    conn: &mut DbConnection,
    fields: &AuthorFields,
    actor: Option<i64>,
) -> Result<i64, ApiError> {
    let slug = match &fields.slug {
        Some(given) => {
            if queries::slug_owner(conn, given)?.is_some() {
                return Err(slug::taken_conflict("author", given));
            }
            given.clone()
        }
        None => slug::generate(&fields.name, "auteur", |base| {
            queries::taken_slugs(conn, base)
        })?,
    };
    let id = queries::insert(conn, fields, &slug, timestamp::now())?;
    events::record(conn, events::Resource::Author, id, Action::Created, actor)?;
    Ok(id)
}

/// Editors and admins edit any byline; an author or contributor its own.
pub async fn update(
    state: &AppState,
    caller: Caller,
    key: IdOrSlug,
    if_match: Option<String>,
    patch: AuthorPatch,
) -> Result<AuthorView, ApiError> {
    caller.require_authenticated()?;
    state
        .db
        .write(move |conn| {
            queries::lock(conn, &key)?;
            let current = view_of(conn, &key)?;
            authorize_write(&caller, Resource::Author, Some(current.id))?;
            check_if_match(if_match.as_deref(), &etag_of_view(&current)?)?;
            let row = queries::find(conn, &IdOrSlug::Id(current.id))?.ok_or_else(not_found)?;
            let fields =
                AuthorFields::from_patch(&row, patch.clone()).map_err(ApiError::Validation)?;
            let slug = match &fields.slug {
                Some(given) if given.as_str() != row.slug => {
                    if queries::slug_owner(conn, given)?.is_some() {
                        return Err(slug::taken_conflict("author", given));
                    }
                    given.as_str().to_owned()
                }
                _ => row.slug.clone(),
            };
            queries::update(conn, row.id, &fields, &slug, timestamp::now())?;
            if fields.name != row.name || slug != row.slug {
                renderings::refresh_signed_by(conn, row.id)?;
            }
            events::record(
                conn,
                events::Resource::Author,
                row.id,
                Action::Updated,
                caller.user_id(),
            )?;
            view_of(conn, &IdOrSlug::Id(row.id))
        })
        .await
}

/// A byline that still signs articles is not deleted (409).
pub async fn delete(
    state: &AppState,
    caller: Caller,
    key: IdOrSlug,
    if_match: Option<String>,
) -> Result<(), ApiError> {
    caller.require_authenticated()?;
    state
        .db
        .write(move |conn| {
            queries::lock(conn, &key)?;
            let current = view_of(conn, &key)?;
            authorize_write(&caller, Resource::Author, Some(current.id))?;
            check_if_match(if_match.as_deref(), &etag_of_view(&current)?)?;
            let signed = queries::byline_count(conn, current.id)?;
            if signed > 0 {
                return Err(ApiError::conflict(format!(
                    "the author still signs {signed} article(s); reassign them first"
                )));
            }
            queries::delete(conn, current.id)?;
            events::record(
                conn,
                events::Resource::Author,
                current.id,
                Action::Deleted,
                caller.user_id(),
            )?;
            Ok(())
        })
        .await
}
