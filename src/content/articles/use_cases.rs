//! What can be done with articles, one function per use case: each checks
//! the policy (`auth::policy`), runs its transaction, and writes the outbox
//! event with the change.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::NaiveDateTime;

use super::input::{ArticleCreate, ArticleDraft, ArticlePatch, Desired};
use super::list_params::{ArticleListParams, ArticleSort, Shape, SortValue};
use super::queries::{self, ResolvedFilter, Visibility};
use super::renderings;
use super::rows::ArticleRow;
use super::totals::ListTotals;
use super::views::{ArticleView, RelatedArticle, Relations};
use super::{featured, inline_images};
use crate::auth::Caller;
use crate::auth::policy::{ArticleAction, ArticleFacts, authorize_article, may_read_unpublished};
use crate::changes::{self, Action, Actor, Change};
use crate::content::articles::lifecycle::ArticleStatus;
use crate::content::authors::own_byline::Signers;
use crate::content::authors::views::AuthorRef;
use crate::content::categories::CategoryTree;
use crate::content::embeds::EmbedHosts;
use crate::content::lookup::IdOrSlug;
use crate::content::media::views::MediaUrls;
use crate::content::slug;
use crate::content::tags::views::TagRef;
use crate::content::{Content, Precondition};
use crate::db::embedded_names::{self, Hold};
use crate::db::{DbConnection, Tx};
use crate::error::{ApiError, FieldError};

fn not_found() -> ApiError {
    ApiError::not_found("no such article")
}

fn visibility(caller: &Caller, now: NaiveDateTime) -> Visibility {
    if may_read_unpublished(caller) {
        Visibility::Newsroom
    } else {
        Visibility::Public { now }
    }
}

/// Views of `rows` with their relations, in a fixed number of queries.
fn views(
    conn: &mut DbConnection,
    rows: Vec<ArticleRow>,
    with_body: bool,
    now: NaiveDateTime,
    tree: Arc<CategoryTree>,
) -> Result<Vec<ArticleView>, ApiError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let relations = queries::relations(conn, &ids, tree)?;
    Ok(rows
        .into_iter()
        .map(|row| ArticleView::new(row, &relations, with_body, now))
        .collect())
}

/// `view` as `visibility` shows it.
fn seen_with(view: ArticleView, visibility: Visibility) -> ArticleView {
    match visibility {
        Visibility::Public { .. } => view.for_public(),
        Visibility::Newsroom => view,
    }
}

/// The full view of one article, as `GET` without parameters returns it
/// (and so the representation `If-Match` is checked against).
fn detail(
    conn: &mut DbConnection,
    row: ArticleRow,
    now: NaiveDateTime,
    tree: Arc<CategoryTree>,
) -> Result<ArticleView, ApiError> {
    views(conn, vec![row], true, now, tree)?
        .pop()
        .ok_or_else(not_found)
}

/// Takes `tag_id` off every article it labels, as WordPress does when a
/// term in use is deleted. Part of the tag's deletion transaction.
pub(crate) fn detach_tag(tx: &mut Tx<'_>, tag_id: i64, actor: &Actor) -> Result<(), ApiError> {
    use crate::db::schema::article_tags;
    use diesel::prelude::*;
    embedded_names::hold(tx, Hold::Exclusive)?;
    let ids: Vec<i64> = article_tags::table
        .filter(article_tags::tag_id.eq(tag_id))
        .select(article_tags::article_id)
        .load(tx.conn())?;
    if ids.is_empty() {
        return Ok(());
    }
    diesel::delete(article_tags::table.filter(article_tags::tag_id.eq(tag_id)))
        .execute(tx.conn())?;
    relabelled(tx, &ids, actor)
}

/// Files every article of category `from` under `to` (`?reassign_to=` of a
/// category's deletion, in its transaction).
pub(crate) fn move_to_category(
    tx: &mut Tx<'_>,
    from: i64,
    to: i64,
    actor: &Actor,
) -> Result<(), ApiError> {
    use crate::db::schema::articles;
    use diesel::prelude::*;
    embedded_names::hold(tx, Hold::Exclusive)?;
    let ids: Vec<i64> = articles::table
        .filter(articles::category_id.eq(from))
        .select(articles::id)
        .load(tx.conn())?;
    if ids.is_empty() {
        return Ok(());
    }
    diesel::update(articles::table.filter(articles::category_id.eq(from)))
        .set(articles::category_id.eq(to))
        .execute(tx.conn())?;
    relabelled(tx, &ids, actor)
}

/// After a change made to articles from outside (a tag or a category they
/// were filed under goes): each article's version moves on (a writer's
/// stale `If-Match` no longer passes), its stored item is rendered again,
/// and an `updated` change is recorded for it.
fn relabelled(tx: &mut Tx<'_>, ids: &[i64], actor: &Actor) -> Result<(), ApiError> {
    use crate::db::schema::articles;
    use diesel::prelude::*;
    let now = crate::timestamp::now();
    for chunk in ids.chunks(500) {
        diesel::update(articles::table.filter(crate::db::id_list::id_in(articles::id, chunk)))
            .set((
                articles::version.eq(articles::version + 1),
                articles::updated_at.eq(now),
            ))
            .execute(tx.conn())?;
    }
    renderings::refresh(tx, ids)?;
    let tree = tree_in_transaction(tx)?;
    for &id in ids {
        let row =
            queries::find(tx, &IdOrSlug::Id(id), Visibility::Newsroom)?.ok_or_else(not_found)?;
        let view = detail(tx, row, now, Arc::clone(&tree))?;
        changes::commit(tx, Change::article(Action::Updated, &view, actor.clone())?)?;
    }
    Ok(())
}

/// The category tree as a write transaction sees it (never the memo, which
/// may lag behind another process's commit).
fn tree_in_transaction(conn: &mut DbConnection) -> Result<Arc<CategoryTree>, ApiError> {
    Ok(Arc::new(crate::content::categories::queries::load_tree(
        conn,
    )?))
}

/// An article as a GET sends it: the whole view, serialised as is (the
/// same bytes, and so the same ETag, as a write's response and the
/// `If-Match` check), or trimmed to the fields asked for.
#[derive(Debug, serde::Serialize)]
#[serde(untagged)]
pub enum Shaped {
    Full(Box<ArticleView>),
    Fields(serde_json::Value),
}

/// A view trimmed to the fields asked for (always with `id`). Without
/// `fields` the view is kept as is: going through `serde_json::Value` costs
/// a map per item, which was a good part of a list's time.
pub fn shaped(view: ArticleView, shape: &Shape) -> Result<Shaped, ApiError> {
    let Some(fields) = &shape.fields else {
        return Ok(Shaped::Full(Box::new(view)));
    };
    let value = serde_json::to_value(&view)
        .map_err(|e| ApiError::Internal(format!("cannot serialise an article: {e}")))?;
    match value {
        serde_json::Value::Object(map) => Ok(Shaped::Fields(serde_json::Value::Object(
            map.into_iter()
                .filter(|(k, _)| k == "id" || fields.contains(k))
                .collect(),
        ))),
        other => Ok(Shaped::Fields(other)),
    }
}

/// One page of a list: its items, the total, and where the next page
/// starts (the transport turns it into a cursor).
pub struct ArticlePage<T> {
    pub data: Vec<T>,
    pub total: i64,
    /// The sort key and id of the last item, when more follow.
    pub next: Option<(SortValue, i64)>,
}

/// Where a page starts: an offset, or after a position a previous page
/// ended at (`ArticlePage::next`, carried by a cursor).
pub use super::queries::Start;

/// A page of articles as `caller` may see them, shaped as asked.
pub async fn list(
    cx: &Content,
    caller: &Caller,
    params: ArticleListParams,
    start: Start,
) -> Result<ArticlePage<Shaped>, ApiError> {
    let list_totals = Arc::clone(&cx.list_totals);
    let category_tree = Arc::clone(&cx.category_tree);
    let now = cx.clock.now();
    let visibility = visibility(caller, now);
    let short = is_short(&params, visibility, &start, &list_totals);
    let read = move |conn: &mut DbConnection| {
        let tree = category_tree.get(conn)?;
        let filter = resolve(&params, &tree, visibility, now);
        let total =
            list_totals.get_or_count(&params.fingerprint, || queries::count(conn, &filter))?;
        let per_page = params.page.per_page as usize;
        let mut rows = queries::page(
            conn,
            &filter,
            params.sort,
            &start,
            per_page as i64 + 1,
            params.shape.with_body,
        )?;
        let has_more = rows.len() > per_page;
        rows.truncate(per_page);
        let next = rows
            .last()
            .filter(|_| has_more)
            .map(|last| (queries::sort_value(last, params.sort), last.id));
        let data = views(conn, rows, params.shape.with_body, now, tree)?
            .into_iter()
            .map(|view| shaped(seen_with(view, visibility), &params.shape))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ArticlePage { data, total, next })
    };
    if short {
        cx.db.read_short(read).await
    } else {
        cx.db.read(read).await
    }
}

/// The read side's fast path for the public list: the page from the
/// stored list items of its articles (`renderings`), already JSON, the
/// same bytes `list` would serialise. `None` when the query is not one
/// the items answer (newsroom, `fields`, `include=body`), or a sort or a
/// missing item means the page must be built by `list`.
pub async fn public_list_items(
    cx: &Content,
    params: ArticleListParams,
    start: Start,
) -> Result<Option<ArticlePage<Vec<u8>>>, ApiError> {
    if params.shape.fields.is_some() || params.shape.with_body {
        return Ok(None);
    }
    let list_totals = Arc::clone(&cx.list_totals);
    let category_tree = Arc::clone(&cx.category_tree);
    let now = cx.clock.now();
    let visibility = Visibility::Public { now };
    let short = is_short(&params, visibility, &start, &list_totals);
    let read = move |conn: &mut DbConnection| {
        let tree = category_tree.get(conn)?;
        let filter = resolve(&params, &tree, visibility, now);
        let total =
            list_totals.get_or_count(&params.fingerprint, || queries::count(conn, &filter))?;
        Ok(
            stored_page(conn, &filter, &params, &start)?.map(|(data, next)| ArticlePage {
                data,
                total,
                next,
            }),
        )
    };
    if short {
        cx.db.read_short(read).await
    } else {
        cx.db.read(read).await
    }
}

/// The filter with its category resolved to the ids it covers.
fn resolve<'a>(
    params: &'a ArticleListParams,
    tree: &CategoryTree,
    visibility: Visibility,
    now: NaiveDateTime,
) -> ResolvedFilter<'a> {
    let categories = &params.filter.categories;
    let category_ids = (!categories.is_empty()).then(|| {
        let mut ids: Vec<i64> = categories
            .iter()
            .filter_map(|category| tree.find(category))
            .flat_map(|c| tree.with_descendants(c.id))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    });
    ResolvedFilter {
        filter: &params.filter,
        visibility,
        now,
        category_ids,
    }
}

/// A public page's stored list items, in order, and where the next page
/// starts; `None` when a sort or a missing item (not yet backfilled, or of
/// another shape) means the page must be built instead.
type StoredPage = (Vec<Vec<u8>>, Option<(SortValue, i64)>);

fn stored_page(
    conn: &mut DbConnection,
    filter: &ResolvedFilter<'_>,
    params: &ArticleListParams,
    start: &Start,
) -> Result<Option<StoredPage>, ApiError> {
    let per_page = params.page.per_page as usize;
    let Some(mut rows) =
        queries::page_items(conn, filter, params.sort, start, per_page as i64 + 1)?
    else {
        return Ok(None);
    };
    let has_more = rows.len() > per_page;
    rows.truncate(per_page);
    let next = match rows.last() {
        Some(&(id, Some(at), _)) if has_more => Some((queries::time_value(at), id)),
        Some(_) if has_more => return Ok(None),
        _ => None,
    };
    let items: Option<Vec<Vec<u8>>> = rows.into_iter().map(|(_, _, item)| item).collect();
    Ok(items.map(|items| (items, next)))
}

/// Offsets up to which a page is still a short walk on the index.
const SHORT_OFFSET: i64 = 1_000;

/// Whether a list read costs what its page costs, whatever the number of
/// articles (`Db::read_short`): the public list by publication time, on its
/// index, optionally by category (its index), not far by offset, with the
/// total already known. A search, a tag, author, status or featured filter,
/// another sort, the newsroom's view (sorted on an expression) or a total to
/// count can walk every article.
fn is_short(
    params: &ArticleListParams,
    visibility: Visibility,
    start: &Start,
    totals: &ListTotals,
) -> bool {
    let f = &params.filter;
    matches!(visibility, Visibility::Public { .. })
        && matches!(
            params.sort,
            ArticleSort::PublishedAtDesc | ArticleSort::PublishedAtAsc
        )
        && f.words.is_empty()
        && f.tags.is_empty()
        && f.sponsored.is_none()
        && f.language.is_none()
        && f.author.is_none()
        && f.status.is_none()
        && f.featured.is_none()
        && match start {
            Start::Offset(offset) => *offset <= SHORT_OFFSET,
            Start::After(..) => true,
        }
        && totals.is_known(&params.fingerprint)
}

/// One article as `caller` may see it, shaped as asked.
pub async fn get(
    cx: &Content,
    caller: &Caller,
    key: IdOrSlug,
    shape: Shape,
) -> Result<Shaped, ApiError> {
    let now = cx.clock.now();
    let visibility = visibility(caller, now);
    let category_tree = Arc::clone(&cx.category_tree);
    cx.db
        .read(move |conn| {
            let row = queries::find(conn, &key, visibility)?.ok_or_else(not_found)?;
            let tree = category_tree.get(conn)?;
            let view = detail(conn, row, now, tree)?;
            shaped(seen_with(view, visibility), &shape)
        })
        .await
}

/// Full views (bodies included) of the articles `ids` names that `caller`
/// may see, in the order of `ids`, in a fixed number of queries: for the
/// editor protocols, which choose their ids with their own filters.
pub async fn by_ids(
    cx: &Content,
    caller: &Caller,
    ids: Vec<i64>,
) -> Result<Vec<ArticleView>, ApiError> {
    let now = cx.clock.now();
    let visibility = visibility(caller, now);
    let category_tree = Arc::clone(&cx.category_tree);
    cx.db
        .read(move |conn| {
            let rows = queries::rows_by_ids(conn, &ids, visibility)?;
            let tree = category_tree.get(conn)?;
            let mut found: Vec<ArticleView> = views(conn, rows, true, now, tree)?
                .into_iter()
                .map(|view| seen_with(view, visibility))
                .collect();
            found.sort_by_key(|v| ids.iter().position(|id| *id == v.id));
            Ok(found)
        })
        .await
}

/// The read side's fast path for a public article: its stored list item
/// with its bodies set in (`renderings`), the same bytes `get` would
/// serialise. `None` when the public may not read it or it has no current
/// item; the caller then asks `get` (which says 404 where it must).
//
// Not `read_short`: any article can be asked for, so its pages are as
// often out of cache as the database is larger than memory, and a read
// waiting on them inline holds up every request of its worker.
pub async fn public_detail(cx: &Content, key: IdOrSlug) -> Result<Option<Vec<u8>>, ApiError> {
    let now = cx.clock.now();
    cx.db
        .read(move |conn| Ok(renderings::public_detail(conn, &key, now)?))
        .await
}

/// The "related" block: published articles only, whoever asks (it is what
/// readers will see under the article).
pub async fn related(
    cx: &Content,
    caller: &Caller,
    key: IdOrSlug,
    limit: u32,
) -> Result<Vec<RelatedArticle>, ApiError> {
    let now = cx.clock.now();
    let visibility = visibility(caller, now);
    let category_tree = Arc::clone(&cx.category_tree);
    cx.db
        .read(move |conn| {
            let article = queries::find(conn, &key, visibility)?.ok_or_else(not_found)?;
            let tree = category_tree.get(conn)?;
            let section = tree.with_descendants(article.category_id);
            let rows = queries::related(conn, &article, &section, i64::from(limit), now)?;
            Ok(rows
                .into_iter()
                .map(|row| RelatedArticle::new(row, &tree))
                .collect())
        })
        .await
}

/// What an article's references point to, read once both to check them
/// and to embed them in the article's view.
struct References {
    tree: Arc<CategoryTree>,
    authors: Vec<AuthorRef>,
    tags: Vec<TagRef>,
}

impl References {
    fn load(
        conn: &mut DbConnection,
        tree: Arc<CategoryTree>,
        author_ids: &[i64],
        tag_ids: &[i64],
    ) -> Result<Self, ApiError> {
        let (authors, tags) = queries::referenced(conn, author_ids, tag_ids)?;
        Ok(Self {
            tree,
            authors,
            tags,
        })
    }

    /// Every reference that does not exist, one error per bad id.
    fn errors(&self, category_id: i64, author_ids: &[i64], tag_ids: &[i64]) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if self.tree.get(category_id).is_none() {
            errors.push(FieldError::new(
                "category_id",
                "unknown",
                format!("no category has id {category_id}"),
            ));
        }
        let authors: HashSet<i64> = self.authors.iter().map(|a| a.id).collect();
        errors.extend(unknown_ids("author_ids", "author", author_ids, &authors));
        let tags: HashSet<i64> = self.tags.iter().map(|t| t.id).collect();
        errors.extend(unknown_ids("tag_ids", "tag", tag_ids, &tags));
        errors
    }

    /// The relations of article `id` once its bylines are `author_ids`
    /// (every one of them found) and its tags the ones found.
    fn of_new_article(self, id: i64, author_ids: &[i64]) -> Relations {
        let mut found: HashMap<i64, AuthorRef> =
            self.authors.into_iter().map(|a| (a.id, a)).collect();
        let bylines = author_ids
            .iter()
            .filter_map(|wanted| found.remove(wanted))
            .collect();
        Relations {
            authors: HashMap::from([(id, bylines)]),
            tags: HashMap::from([(id, self.tags)]),
            tree: self.tree,
        }
    }
}

/// One error per id of `wanted` that is not in `found`, named by its index.
fn unknown_ids<'a>(
    field: &'a str,
    noun: &'a str,
    wanted: &'a [i64],
    found: &'a HashSet<i64>,
) -> impl Iterator<Item = FieldError> + 'a {
    wanted
        .iter()
        .enumerate()
        .filter(|(_, id)| !found.contains(id))
        .map(move |(i, id)| {
            FieldError::new(
                format!("{field}[{i}]"),
                "unknown",
                format!("no {noun} has id {id}"),
            )
        })
}

fn reference_errors(
    conn: &mut DbConnection,
    tree: Arc<CategoryTree>,
    category_id: i64,
    author_ids: &[i64],
    tag_ids: &[i64],
) -> Result<Vec<FieldError>, ApiError> {
    Ok(References::load(conn, tree, author_ids, tag_ids)?.errors(category_id, author_ids, tag_ids))
}

/// Checks the desired article: field rules and references, all reported together.
fn checked(
    conn: &mut DbConnection,
    tree: Arc<CategoryTree>,
    desired: Desired,
    previous: Option<ArticleStatus>,
    now: NaiveDateTime,
    embeds: &EmbedHosts,
) -> Result<ArticleDraft, ApiError> {
    let mut reference = reference_errors(
        conn,
        tree,
        desired.category_id,
        &desired.author_ids,
        &desired.tag_ids,
    )?;
    match ArticleDraft::parse(desired, previous, now, embeds) {
        Ok(draft) if reference.is_empty() => Ok(draft),
        Ok(_) => Err(ApiError::Validation(reference)),
        Err(mut errors) => {
            errors.append(&mut reference);
            Err(ApiError::Validation(FieldError::first_per_field(errors)))
        }
    }
}

pub async fn create(
    cx: &Content,
    caller: Caller,
    body: ArticleCreate,
) -> Result<ArticleView, ApiError> {
    caller.require_authenticated()?;
    let mut body = body;
    let signers = Signers::for_new_article(&caller, body.author_ids.take());
    body.author_ids = signers.as_ref().map(|s| s.author_ids.clone());
    let desired = Desired::from_create(body);
    authorize_article(
        signers.as_ref().map_or(&caller, |s| &s.acting),
        ArticleAction::Create,
        &ArticleFacts {
            current_authors: &[],
            current_status: None,
            new_authors: &desired.author_ids,
            new_status: desired.status,
        },
    )?;
    // A new article's draft needs nothing from the database, so rendering
    // and checking it happen before the write lock, which SQLite gives one
    // writer at a time. The article is thus dated when it was checked, a
    // moment before it commits.
    let now = cx.clock.now();
    // The byline to create (`Signers`) exists only once the write runs.
    let creates_byline = signers.as_ref().is_some_and(Signers::creates_byline);
    let references = (
        desired.category_id,
        if creates_byline {
            Vec::new()
        } else {
            desired.author_ids.clone()
        },
        desired.tag_ids.clone(),
    );
    let draft = match ArticleDraft::parse(desired, None, now, &cx.embeds) {
        Ok(draft) => draft,
        Err(mut errors) => {
            // Nothing will be written: a read is enough to report the bad
            // references along with the bad fields.
            let (category_id, author_ids, tag_ids) = references;
            let category_tree = Arc::clone(&cx.category_tree);
            let mut reference = cx
                .db
                .read(move |conn| {
                    let tree = category_tree.get(conn)?;
                    reference_errors(conn, tree, category_id, &author_ids, &tag_ids)
                })
                .await?;
            errors.append(&mut reference);
            return Err(ApiError::Validation(FieldError::first_per_field(errors)));
        }
    };
    let urls = cx.media_urls.clone();
    let close_days = cx.comments_close_after_days;
    cx.db
        .write(move |conn| {
            embedded_names::hold(conn, Hold::Shared)?;
            let settled;
            let draft = match signers.as_ref().filter(|s| s.creates_byline()) {
                Some(signers) => {
                    let mut with_byline = draft.clone();
                    with_byline.author_ids =
                        signers.settle(conn, Actor::of(&caller), &draft.author_ids, now)?;
                    settled = with_byline;
                    &settled
                }
                None => &draft,
            };
            let tree = tree_in_transaction(conn)?;
            let references = References::load(conn, tree, &draft.author_ids, &draft.tag_ids)?;
            let errors = references.errors(draft.category_id, &draft.author_ids, &draft.tag_ids);
            if !errors.is_empty() {
                return Err(ApiError::Validation(errors));
            }
            // The view is built from what was just written and read in this
            // transaction, as `detail` would build it from a read of the row.
            let row = insert_row(conn, draft, caller.user_id(), now, &urls, close_days)?;
            let relations = references.of_new_article(row.id, &draft.author_ids);
            let view = ArticleView::new(row, &relations, true, now);
            changes::commit(
                conn,
                Change::article(Action::Created, &view, Actor::of(&caller))?,
            )?;
            Ok(view)
        })
        .await
}

/// A new article written by the service itself (the demo seed, an import):
/// the same rows and the same commit as `create`, in the caller's
/// transaction; its comments never close by age.
pub fn insert(
    tx: &mut Tx<'_>,
    draft: &ArticleDraft,
    actor: Actor,
    now: NaiveDateTime,
    urls: &MediaUrls,
) -> Result<ArticleView, ApiError> {
    let row = insert_row(tx, draft, actor.user_id, now, urls, None)?;
    let tree = tree_in_transaction(tx)?;
    let view = detail(tx, row, now, tree)?;
    changes::commit(tx, Change::article(Action::Created, &view, actor)?)?;
    Ok(view)
}

/// Slug, row, bylines and tags of a new article.
fn insert_row(
    conn: &mut DbConnection,
    draft: &ArticleDraft,
    actor: Option<i64>,
    now: NaiveDateTime,
    urls: &MediaUrls,
    close_days: Option<u32>,
) -> Result<ArticleRow, ApiError> {
    let featured = featured::resolve(
        conn,
        draft.featured_image.as_ref(),
        draft.featured_media.as_ref(),
        urls,
    )?;
    let body_html = inline_images::enrich(conn, &draft.rendered.html, urls)?;
    let slug = slug::settle::<queries::Slugs>(
        conn,
        draft.slug.as_ref(),
        slug::Subject::New { text: &draft.title },
    )?;
    let resolved = queries::Resolved {
        featured: &featured,
        body_html: &body_html,
        comments_close_at: crate::comments::closing::close_at(close_days, draft.published_at),
    };
    let row = queries::insert(conn, draft, resolved, slug.as_str(), actor, now)?;
    queries::insert_relations(conn, row.id, &draft.author_ids, &draft.tag_ids)?;
    Ok(row)
}

pub async fn update(
    cx: &Content,
    caller: Caller,
    key: IdOrSlug,
    expect: Precondition,
    patch: ArticlePatch,
) -> Result<ArticleView, ApiError> {
    update_as_sent(cx, caller, key, expect, Ok(patch)).await
}

/// `update` for a body as `/api/v1` received it: one of the wrong shape
/// (`Err`, its field errors) is refused with 422 only after the checks that
/// do not need it, so that a stale `If-Match` is a 412 whatever was sent.
pub async fn update_as_sent(
    cx: &Content,
    caller: Caller,
    key: IdOrSlug,
    expect: Precondition,
    patch: Result<ArticlePatch, Vec<FieldError>>,
) -> Result<ArticleView, ApiError> {
    caller.require_authenticated()?;
    let clock = Arc::clone(&cx.clock);
    let urls = cx.media_urls.clone();
    let close_days = cx.comments_close_after_days;
    let embeds = Arc::clone(&cx.embeds);
    cx.db
        .write(move |conn| {
            embedded_names::hold(conn, Hold::Shared)?;
            let now = clock.now();
            let row = queries::find_for_write(conn, &key)?.ok_or_else(not_found)?;
            let tree = tree_in_transaction(conn)?;
            let current = detail(conn, row.clone(), now, Arc::clone(&tree))?;
            let current_status = row.effective_status(now);
            // A body of the wrong shape waits for the checks that do not
            // need it: may the caller edit this article at all, and is its
            // copy current (412 before 422).
            let current_authors = current.author_ids();
            let may_make = |new_authors: &[i64], new_status| {
                authorize_article(
                    &caller,
                    ArticleAction::Update,
                    &ArticleFacts {
                        current_authors: &current_authors,
                        current_status: Some(current_status),
                        new_authors,
                        new_status,
                    },
                )
            };
            let patch = match &patch {
                Ok(patch) => patch.clone(),
                Err(shape) => {
                    may_make(&current_authors, current_status)?;
                    expect.check(&current)?;
                    return Err(ApiError::Validation(shape.clone()));
                }
            };
            let tag_ids = queries::tag_ids(conn, row.id)?;
            let desired = Desired::from_patch(&row, &current, tag_ids, now, patch);
            may_make(&desired.author_ids, desired.status)?;
            expect.check(&current)?;
            let draft = checked(
                conn,
                Arc::clone(&tree),
                desired,
                Some(current_status),
                now,
                &embeds,
            )?;
            let featured = featured::resolve(
                conn,
                draft.featured_image.as_ref(),
                draft.featured_media.as_ref(),
                &urls,
            )?;
            let body_html = inline_images::enrich(conn, &draft.rendered.html, &urls)?;
            let slug = slug::settle::<queries::Slugs>(
                conn,
                draft.slug.as_ref(),
                slug::Subject::Existing {
                    id: row.id,
                    slug: &row.slug,
                },
            )?
            .into_string();
            let resolved = queries::Resolved {
                featured: &featured,
                body_html: &body_html,
                comments_close_at: crate::comments::closing::close_at(
                    close_days,
                    draft.published_at,
                ),
            };
            queries::update(conn, row.id, &draft, resolved, &slug, now)?;
            queries::replace_relations(conn, row.id, &draft.author_ids, &draft.tag_ids)?;
            let row = queries::find(conn, &IdOrSlug::Id(row.id), Visibility::Newsroom)?
                .ok_or_else(not_found)?;
            let view = detail(conn, row, now, tree)?;
            changes::commit(
                conn,
                Change::article(Action::Updated, &view, Actor::of(&caller))?,
            )?;
            Ok(view)
        })
        .await
}

pub async fn delete(
    cx: &Content,
    caller: Caller,
    key: IdOrSlug,
    expect: Precondition,
) -> Result<(), ApiError> {
    caller.require_authenticated()?;
    let clock = Arc::clone(&cx.clock);
    cx.db
        .write(move |conn| {
            let now = clock.now();
            let row = queries::find_for_write(conn, &key)?.ok_or_else(not_found)?;
            let tree = tree_in_transaction(conn)?;
            let current = detail(conn, row.clone(), now, Arc::clone(&tree))?;
            let status = row.effective_status(now);
            let authors = current.author_ids();
            authorize_article(
                &caller,
                ArticleAction::Delete,
                &ArticleFacts {
                    current_authors: &authors,
                    current_status: Some(status),
                    new_authors: &authors,
                    new_status: status,
                },
            )?;
            expect.check(&current)?;
            queries::delete(conn, row.id)?;
            changes::commit(
                conn,
                Change::deleted(
                    changes::Resource::Article,
                    row.id,
                    &row.slug,
                    Actor::of(&caller),
                )?,
            )?;
            Ok(())
        })
        .await
}
