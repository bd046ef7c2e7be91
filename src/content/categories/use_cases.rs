//! What can be done with categories: one function per use case, each
//! checking the policy and running its transaction.

use std::sync::Arc;

use super::input::{CategoryCreate, CategoryFields, CategoryPatch};
use super::queries;
use super::tree::CategoryTree;
use super::views::CategoryView;
use crate::auth::Caller;
use crate::auth::policy::{Resource, authorize_write};
use crate::changes::{self, Action, Actor, Change};
use crate::content::lookup::IdOrSlug;
use crate::content::slug;
use crate::content::{Content, Precondition};
use crate::db::{DbConnection, Tx};
use crate::error::{ApiError, FieldError};
use crate::timestamp;

fn not_found() -> ApiError {
    ApiError::not_found("no such category")
}

/// The tree for a read: the one in memory, loaded through the pool only
/// when the content generation has moved.
async fn tree_for_read(cx: &Content) -> Result<Arc<CategoryTree>, ApiError> {
    if let Some(tree) = cx.category_tree.current() {
        return Ok(tree);
    }
    let memo = Arc::clone(&cx.category_tree);
    cx.db.read(move |conn| Ok(memo.get(conn)?)).await
}

/// Every category in menu order, or the children of `parent`.
pub async fn list(cx: &Content, parent: Option<IdOrSlug>) -> Result<Vec<CategoryView>, ApiError> {
    let tree = tree_for_read(cx).await?;
    let rows = match &parent {
        None => tree.in_menu_order(),
        // An unknown parent has no children, as an unknown filter value on
        // articles matches nothing.
        Some(key) => match tree.find(key) {
            Some(parent) => tree
                .children_of(Some(parent.id))
                .iter()
                .filter_map(|id| tree.get(*id))
                .collect(),
            None => Vec::new(),
        },
    };
    Ok(rows
        .into_iter()
        .map(|r| CategoryView::new(r, &tree))
        .collect())
}

pub async fn get(cx: &Content, key: IdOrSlug) -> Result<CategoryView, ApiError> {
    let tree = tree_for_read(cx).await?;
    let row = tree.find(&key).ok_or_else(not_found)?;
    Ok(CategoryView::new(row, &tree))
}

/// The parent must exist and must not be the category itself or under it.
fn check_parent(tree: &CategoryTree, id: Option<i64>, parent_id: Option<i64>) -> Vec<FieldError> {
    let Some(parent_id) = parent_id else {
        return Vec::new();
    };
    if tree.get(parent_id).is_none() {
        return vec![FieldError::new(
            "parent_id",
            "unknown",
            format!("no category has id {parent_id}"),
        )];
    }
    if id.is_some_and(|id| tree.would_cycle(id, parent_id)) {
        return vec![FieldError::new(
            "parent_id",
            "cycle",
            "a category cannot be placed under itself or one of its descendants",
        )];
    }
    Vec::new()
}

fn validated(
    parsed: Result<CategoryFields, Vec<FieldError>>,
    mut tree_errors: Vec<FieldError>,
) -> Result<CategoryFields, ApiError> {
    match parsed {
        Ok(fields) if tree_errors.is_empty() => Ok(fields),
        Ok(_) => Err(ApiError::Validation(tree_errors)),
        Err(mut errors) => {
            errors.append(&mut tree_errors);
            Err(ApiError::Validation(errors))
        }
    }
}

pub async fn create(
    cx: &Content,
    caller: Caller,
    body: CategoryCreate,
) -> Result<CategoryView, ApiError> {
    authorize_write(&caller, Resource::Category, None)?;
    let parent_id = body.parent_id;
    let parsed = CategoryFields::from_create(body);
    cx.db
        .write(move |conn| {
            let tree = queries::load_tree(conn)?;
            let fields = validated(parsed.clone(), check_parent(&tree, None, parent_id))?;
            insert(conn, &fields, Actor::of(&caller))
        })
        .await
}

/// The write path of a new category, shared by the API and the demo seed.
pub fn insert(
    conn: &mut Tx<'_>,
    fields: &CategoryFields,
    actor: Actor,
) -> Result<CategoryView, ApiError> {
    let slug = slug::settle::<queries::Slugs>(
        conn,
        fields.slug.as_ref(),
        slug::Subject::New { text: &fields.name },
    )?;
    let id = queries::insert(conn, fields, &slug, timestamp::now())?;
    let view = view_of(conn, id)?;
    changes::commit(
        conn,
        Change::category(Action::Created, &view, Vec::new(), actor)?,
    )?;
    Ok(view)
}

fn view_of(conn: &mut DbConnection, id: i64) -> Result<CategoryView, ApiError> {
    let tree = queries::load_tree(conn)?;
    let row = tree.get(id).ok_or_else(not_found)?;
    Ok(CategoryView::new(row, &tree))
}

pub async fn update(
    cx: &Content,
    caller: Caller,
    key: IdOrSlug,
    expect: Precondition,
    patch: CategoryPatch,
) -> Result<CategoryView, ApiError> {
    authorize_write(&caller, Resource::Category, None)?;
    cx.db
        .write(move |conn| {
            queries::lock(conn, &key)?;
            let tree = queries::load_tree(conn)?;
            let current = tree.find(&key).ok_or_else(not_found)?.clone();
            expect.check(&CategoryView::new(&current, &tree))?;
            let parsed = CategoryFields::from_patch(&current, patch.clone());
            let parent = parsed.as_ref().ok().and_then(|f| f.parent_id);
            let fields = validated(parsed, check_parent(&tree, Some(current.id), parent))?;
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
            // Articles embed a category's name, slug and breadcrumb path;
            // a move keeps the subtree, so it is the same before and after.
            let reshaped = if fields.name != current.name
                || slug != current.slug
                || fields.parent_id != current.parent_id
            {
                tree.with_descendants(current.id)
            } else {
                Vec::new()
            };
            let view = view_of(conn, current.id)?;
            changes::commit(
                conn,
                Change::category(Action::Updated, &view, reshaped, Actor::of(&caller))?,
            )?;
            Ok(view)
        })
        .await
}

/// Deletes a category. One with articles or subcategories is kept (409)
/// unless `reassign_to` names another category: its articles move there
/// (`articles::use_cases::move_to_category`) and its subcategories move up
/// to its parent, all in the deletion's transaction.
pub async fn delete(
    cx: &Content,
    caller: Caller,
    key: IdOrSlug,
    expect: Precondition,
    reassign_to: Option<IdOrSlug>,
) -> Result<(), ApiError> {
    authorize_write(&caller, Resource::Category, None)?;
    cx
        .db
        .write(move |conn| {
            queries::lock(conn, &key)?;
            let tree = queries::load_tree(conn)?;
            let current = tree.find(&key).ok_or_else(not_found)?;
            expect.check(&CategoryView::new(current, &tree))?;
            let (id, slug, parent) = (current.id, current.slug.clone(), current.parent_id);
            let target = match &reassign_to {
                None => None,
                Some(reference) => match tree.find(reference) {
                    Some(target) if target.id != id => Some(target.id),
                    _ => {
                        return Err(ApiError::Validation(vec![FieldError::new(
                            "reassign_to",
                            "unknown_category",
                            "must name another existing category (id or slug)",
                        )]));
                    }
                },
            };
            let children = tree.children_of(Some(id)).to_vec();
            let articles = queries::article_count(conn, id)?;
            let actor = Actor::of(&caller);
            match target {
                None if !children.is_empty() || articles > 0 => {
                    return Err(ApiError::conflict(format!(
                        "the category still has {articles} article(s) and {} subcategory(ies); move or delete them first, or name where its articles go with `reassign_to`",
                        children.len()
                    )));
                }
                None => {}
                Some(target) => {
                    crate::content::articles::use_cases::move_to_category(conn, id, target, &actor)?;
                    for child in children {
                        queries::set_parent(conn, child, parent, timestamp::now())?;
                        let view = view_of(conn, child)?;
                        let moved = tree.with_descendants(child);
                        changes::commit(
                            conn,
                            Change::category(Action::Updated, &view, moved, actor.clone())?,
                        )?;
                    }
                }
            }
            queries::delete(conn, id)?;
            changes::commit(
                conn,
                Change::deleted(changes::Resource::Category, id, &slug, actor)?,
            )?;
            Ok(())
        })
        .await
}
