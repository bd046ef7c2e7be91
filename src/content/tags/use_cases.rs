//! What can be done with tags, one function per use case.

use super::input::{TagCreate, TagFields, TagPatch};
use super::queries;
use super::views::TagView;
use crate::auth::Caller;
use crate::auth::policy::{Resource, authorize_tag_create, authorize_write};
use crate::changes::{self, Action, Actor, Change};
use crate::content::lookup::IdOrSlug;
use crate::content::slug;
use crate::content::{Content, Precondition};
use crate::db::Tx;
use crate::error::ApiError;
use crate::http::listing::PageRequest;
use crate::timestamp;

fn not_found() -> ApiError {
    ApiError::not_found("no such tag")
}

/// A page of tags; internal ones (`#…`) only `with_internal` (for the
/// newsroom).
pub async fn list(
    cx: &Content,
    page: PageRequest,
    with_internal: bool,
) -> Result<(Vec<TagView>, i64), ApiError> {
    cx.db
        .read(move |conn| {
            let (rows, total) = queries::page(conn, page, with_internal)?;
            Ok((rows.into_iter().map(TagView::from).collect(), total))
        })
        .await
}

/// Every tag, for the editor protocols that choose among them in memory (a
/// newsroom has hundreds).
pub async fn all(cx: &Content, with_internal: bool) -> Result<Vec<TagView>, ApiError> {
    let every = PageRequest {
        page: 1,
        per_page: u32::MAX,
    };
    Ok(list(cx, every, with_internal).await?.0)
}

/// A tag by id or slug; an internal one (`#…`) only `with_internal` (the
/// public is told there is none).
pub async fn get(cx: &Content, key: IdOrSlug, with_internal: bool) -> Result<TagView, ApiError> {
    let view: TagView = cx
        .db
        .read(move |conn| Ok(queries::find(conn, &key)?.ok_or_else(not_found)?.into()))
        .await?;
    if !with_internal && super::views::is_internal(&view.name) {
        return Err(not_found());
    }
    Ok(view)
}

pub async fn create(cx: &Content, caller: Caller, body: TagCreate) -> Result<TagView, ApiError> {
    authorize_tag_create(&caller)?;
    let fields = TagFields::from_create(body).map_err(ApiError::Validation)?;
    cx.db
        .write(move |conn| insert(conn, &fields, Actor::of(&caller)))
        .await
}

/// The write path of a new tag, shared by the API and the demo seed.
pub fn insert(conn: &mut Tx<'_>, fields: &TagFields, actor: Actor) -> Result<TagView, ApiError> {
    let slug = slug::settle::<queries::Slugs>(
        conn,
        fields.slug.as_ref(),
        slug::Subject::New { text: &fields.name },
    )?;
    let id = queries::insert(conn, fields, &slug, timestamp::now())?;
    let view: TagView = queries::find(conn, &IdOrSlug::Id(id))?
        .ok_or_else(not_found)?
        .into();
    changes::commit(conn, Change::tag(Action::Created, &view, false, actor)?)?;
    Ok(view)
}

pub async fn update(
    cx: &Content,
    caller: Caller,
    key: IdOrSlug,
    expect: Precondition,
    patch: TagPatch,
) -> Result<TagView, ApiError> {
    authorize_write(&caller, Resource::Tag, None)?;
    cx.db
        .write(move |conn| {
            queries::lock(conn, &key)?;
            let current = queries::find(conn, &key)?.ok_or_else(not_found)?;
            expect.check(&TagView::from(current.clone()))?;
            let fields =
                TagFields::from_patch(&current, patch.clone()).map_err(ApiError::Validation)?;
            let slug = slug::settle::<queries::Slugs>(
                conn,
                fields.slug.as_ref(),
                slug::Subject::Existing {
                    id: current.id,
                    slug: &current.slug,
                },
            )?
            .into_string();
            queries::update(conn, current.id, &fields, &slug, timestamp::now())?;
            let renamed = fields.name != current.name || slug != current.slug;
            let view: TagView = queries::find(conn, &IdOrSlug::Id(current.id))?
                .ok_or_else(not_found)?
                .into();
            changes::commit(
                conn,
                Change::tag(Action::Updated, &view, renamed, Actor::of(&caller))?,
            )?;
            Ok(view)
        })
        .await
}

/// Deletes a tag; one still on articles comes off them first, as
/// WordPress does (`articles::use_cases::detach_tag`: their versions move
/// on, and each records an `updated` change, so nothing changes unseen).
pub async fn delete(
    cx: &Content,
    caller: Caller,
    key: IdOrSlug,
    expect: Precondition,
) -> Result<(), ApiError> {
    authorize_write(&caller, Resource::Tag, None)?;
    cx.db
        .write(move |conn| {
            queries::lock(conn, &key)?;
            let current = queries::find(conn, &key)?.ok_or_else(not_found)?;
            expect.check(&TagView::from(current.clone()))?;
            // A tag in use comes off its articles, as in WordPress.
            crate::content::articles::use_cases::detach_tag(conn, current.id, &Actor::of(&caller))?;
            queries::delete(conn, current.id)?;
            changes::commit(
                conn,
                Change::deleted(
                    changes::Resource::Tag,
                    current.id,
                    &current.slug,
                    Actor::of(&caller),
                )?,
            )?;
            Ok(())
        })
        .await
}
