//! The article tables, read and written. Lists are built once as a boxed
//! query for both backends; relations of a page are loaded in one query per
//! relation, whatever the page size.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::Timestamp;

use super::featured;
use super::input::ArticleDraft;
use super::list_params::{ArticleFilter, ArticleSort, SortValue};
use super::rows::{ArticleRow, ArticleSummaryRow};
use super::views::Relations;
use crate::content::articles::lifecycle::ArticleStatus;
use crate::content::authors::views::AuthorRef;
use crate::content::categories::CategoryTree;
use crate::content::french_order;
use crate::content::lookup::IdOrSlug;
use crate::content::slug::Slug;
use crate::content::tags::views::TagRef;
use crate::content::text;
use crate::db::id_list::id_in;
use crate::db::page_window::page_window;
use crate::db::schema::{
    article_authors, article_renderings, article_tags, articles, authors, tags,
};
use crate::db::{DbBackend, DbConnection};
use crate::error::ApiError;

/// Who is reading: the public sees published-and-due articles only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    Public { now: NaiveDateTime },
    Newsroom,
}

type Boxed<'a> = articles::BoxedQuery<'a, DbBackend>;

pub type PublicNow = diesel::dsl::And<
    diesel::dsl::Or<
        diesel::dsl::Eq<articles::status, &'static str>,
        diesel::dsl::Eq<articles::status, &'static str>,
    >,
    diesel::dsl::LtEq<articles::published_at, NaiveDateTime>,
>;

/// What the public may read at `now` (`lifecycle::is_public`, as SQL):
/// published, or scheduled and due. The statuses are spelled as two
/// comparisons rather than `eq_any`, whose variable list of placeholders
/// keeps diesel from reusing the statement.
pub fn public_now(now: NaiveDateTime) -> PublicNow {
    let [published, scheduled] = ArticleStatus::PUBLIC;
    articles::status
        .eq(published.as_str())
        .or(articles::status.eq(scheduled.as_str()))
        .and(articles::published_at.le(now))
}

fn visible<'a>(query: Boxed<'a>, visibility: Visibility) -> Boxed<'a> {
    match visibility {
        Visibility::Public { now } => query.filter(public_now(now)),
        Visibility::Newsroom => query,
    }
}

/// The same rule as `visible`, for one row already read.
fn is_visible(row: &ArticleRow, visibility: Visibility) -> bool {
    match visibility {
        Visibility::Public { now } => ArticleStatus::parse(&row.status)
            .is_some_and(|s| super::lifecycle::is_public(s, row.published_at, now)),
        Visibility::Newsroom => true,
    }
}

/// One article by its unique key. The queries are static (no boxing, no
/// list of statuses), so each connection prepares them once and reuses the
/// statement; visibility is checked on the row, which is the same test.
pub fn find(
    conn: &mut DbConnection,
    key: &IdOrSlug,
    visibility: Visibility,
) -> QueryResult<Option<ArticleRow>> {
    let row = match key {
        IdOrSlug::Id(id) => articles::table
            .filter(articles::id.eq(*id))
            .select(ArticleRow::as_select())
            .first(conn)
            .optional()?,
        IdOrSlug::Slug(slug) => articles::table
            .filter(articles::slug.eq(slug.as_str()))
            .select(ArticleRow::as_select())
            .first(conn)
            .optional()?,
    };
    Ok(row.filter(|row| is_visible(row, visibility)))
}

/// The rows of `ids` that `visibility` shows, in no particular order.
pub fn rows_by_ids(
    conn: &mut DbConnection,
    ids: &[i64],
    visibility: Visibility,
) -> QueryResult<Vec<ArticleRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = articles::table
        .filter(id_in(articles::id, ids))
        .select(ArticleRow::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter(|row| is_visible(row, visibility))
        .collect())
}

/// Bylines and tags of `ids` (two queries, the same statements whatever the
/// number of ids), next to the category tree the caller holds.
pub fn relations(
    conn: &mut DbConnection,
    ids: &[i64],
    tree: Arc<CategoryTree>,
) -> QueryResult<Relations> {
    let mut relations = Relations {
        tree,
        ..Relations::default()
    };
    if ids.is_empty() {
        return Ok(relations);
    }
    let bylines = article_authors::table
        .inner_join(authors::table)
        .filter(id_in(article_authors::article_id, ids))
        .order((article_authors::article_id, article_authors::position))
        .select((
            article_authors::article_id,
            authors::id,
            authors::slug,
            authors::name,
        ))
        .load::<(i64, i64, String, String)>(conn)?;
    for (article_id, id, slug, name) in bylines {
        relations
            .authors
            .entry(article_id)
            .or_default()
            .push(AuthorRef { id, slug, name });
    }
    let labels = article_tags::table
        .inner_join(tags::table)
        .filter(id_in(article_tags::article_id, ids))
        .order((article_tags::article_id, tags::name_key, tags::id))
        .select((article_tags::article_id, tags::id, tags::slug, tags::name))
        .load::<(i64, i64, String, String)>(conn)?;
    for (article_id, id, slug, name) in labels {
        relations
            .tags
            .entry(article_id)
            .or_default()
            .push(TagRef { id, slug, name });
    }
    Ok(relations)
}

/// The filters of a list, categories already expanded to their descendants.
pub struct ResolvedFilter<'f> {
    pub filter: &'f ArticleFilter,
    pub visibility: Visibility,
    pub now: NaiveDateTime,
    /// `Some(ids)` when filtering by category (empty: an unknown category).
    pub category_ids: Option<Vec<i64>>,
}

fn filtered<'a>(f: &ResolvedFilter<'_>) -> Boxed<'a> {
    restricted(articles::table.into_boxed(), f)
}

/// `query` narrowed to the rows the filters select.
fn restricted<'a>(query: Boxed<'a>, f: &ResolvedFilter<'_>) -> Boxed<'a> {
    let mut query = visible(query, f.visibility);
    if let Some(ids) = &f.category_ids {
        query = query.filter(id_in(articles::category_id, ids));
    }
    if !f.filter.tags.is_empty() {
        let (ids, slugs) = split_references(&f.filter.tags);
        query = query.filter(
            articles::id.eq_any(
                article_tags::table
                    .inner_join(tags::table)
                    .filter(tags::id.eq_any(ids).or(tags::slug.eq_any(slugs)))
                    .select(article_tags::article_id),
            ),
        );
    }
    match &f.filter.author {
        Some(IdOrSlug::Id(id)) => {
            query = query.filter(
                articles::id.eq_any(
                    article_authors::table
                        .filter(article_authors::author_id.eq(*id))
                        .select(article_authors::article_id),
                ),
            )
        }
        Some(IdOrSlug::Slug(slug)) => {
            query = query.filter(
                articles::id.eq_any(
                    article_authors::table
                        .inner_join(authors::table)
                        .filter(authors::slug.eq(slug.clone()))
                        .select(article_authors::article_id),
                ),
            )
        }
        None => {}
    }
    match f.filter.status {
        // "published" is what readers see: published, or scheduled and due.
        Some(ArticleStatus::Published) => query = query.filter(public_now(f.now)),
        Some(ArticleStatus::Scheduled) => {
            query = query
                .filter(articles::status.eq(ArticleStatus::Scheduled.as_str()))
                .filter(articles::published_at.gt(f.now))
        }
        Some(other) => query = query.filter(articles::status.eq(other.as_str())),
        None => {}
    }
    if let Some(featured) = f.filter.featured {
        query = query.filter(articles::featured.eq(featured));
    }
    if let Some(sponsored) = f.filter.sponsored {
        query = query.filter(articles::sponsored.eq(sponsored));
    }
    if let Some(language) = &f.filter.language {
        query = query.filter(articles::language.eq(language.clone()));
    }
    if let Some(after) = f.filter.published_after {
        query = query.filter(articles::published_at.gt(after));
    }
    if let Some(before) = f.filter.published_before {
        query = query.filter(articles::published_at.lt(before));
    }
    for word in &f.filter.words {
        query = query.filter(
            articles::search_text
                .like(text::contains_pattern(word))
                .escape('\\'),
        );
    }
    query
}

/// References split into ids and slugs, for one `IN` on each.
fn split_references(references: &[IdOrSlug]) -> (Vec<i64>, Vec<String>) {
    let mut ids = Vec::new();
    let mut slugs = Vec::new();
    for reference in references {
        match reference {
            IdOrSlug::Id(id) => ids.push(*id),
            IdOrSlug::Slug(slug) => slugs.push(slug.clone()),
        }
    }
    (ids, slugs)
}

pub fn count(conn: &mut DbConnection, f: &ResolvedFilter<'_>) -> QueryResult<i64> {
    filtered(f).count().get_result(conn)
}

/// For the newsroom, articles never published sort by their creation time
/// (both backends order NULLs differently, and keyset needs a total order).
/// The public never sees an article without `published_at`, so its lists
/// use the column itself and its index.
pub fn newsroom_publication_time() -> diesel::expression::SqlLiteral<Timestamp> {
    diesel::dsl::sql::<Timestamp>("COALESCE(articles.published_at, articles.created_at)")
}

/// Orders by `$key` then id, starting after `$after` (key value, id).
macro_rules! keyset {
    ($query:expr, $key:expr, $desc:expr, $after:expr) => {{
        let mut query = $query;
        // `(key, id) < (value, id)` spelled so that both planners can seek:
        // the redundant bound on the key alone starts an index range scan,
        // which the OR by itself hides from them.
        if let Some((value, id)) = $after {
            query = if $desc {
                query.filter($key.le(value.clone())).filter(
                    $key.lt(value.clone())
                        .or($key.eq(value).and(articles::id.lt(id))),
                )
            } else {
                query.filter($key.ge(value.clone())).filter(
                    $key.gt(value.clone())
                        .or($key.eq(value).and(articles::id.gt(id))),
                )
            };
        }
        if $desc {
            query.order(($key.desc(), articles::id.desc()))
        } else {
            query.order(($key.asc(), articles::id.asc()))
        }
    }};
}

/// Where a page starts: an offset, or after a key.
#[derive(Debug, Clone)]
pub enum Start {
    Offset(i64),
    After(SortValue, i64),
}

fn bad_cursor() -> ApiError {
    ApiError::bad_parameter(
        "cursor",
        "invalid_cursor",
        "the cursor is invalid or belongs to another query",
    )
}

/// Up to `limit` rows of the list from `start`; without `with_body` the body
/// columns are not read (the rows carry empty bodies).
pub fn page(
    conn: &mut DbConnection,
    f: &ResolvedFilter<'_>,
    sort: ArticleSort,
    start: &Start,
    limit: i64,
    with_body: bool,
) -> Result<Vec<ArticleRow>, ApiError> {
    let (query, offset) = page_query(f, sort, start)?;
    if with_body {
        Ok(page_window(query.select(ArticleRow::as_select()), offset, limit).load(conn)?)
    } else {
        Ok(
            page_window(query.select(ArticleSummaryRow::as_select()), offset, limit)
                .load::<ArticleSummaryRow>(conn)?
                .into_iter()
                .map(ArticleRow::from)
                .collect(),
        )
    }
}

/// A page sorted by publication time as its stored list items: each
/// article's id and publication time from the list index, and its current
/// list item (`None` while it has none) by key, in one statement. `None`
/// for a sort the list items do not serve.
pub fn page_items(
    conn: &mut DbConnection,
    f: &ResolvedFilter<'_>,
    sort: ArticleSort,
    start: &Start,
    limit: i64,
) -> Result<Option<Vec<PageItem>>, ApiError> {
    if !matches!(
        sort,
        ArticleSort::PublishedAtDesc | ArticleSort::PublishedAtAsc
    ) {
        return Ok(None);
    }
    let item = article_renderings::table
        .filter(article_renderings::article_id.eq(articles::id))
        .filter(article_renderings::shape.eq(super::renderings::SHAPE))
        .select(article_renderings::list_item)
        .single_value();
    let (query, offset) = page_query(f, sort, start)?;
    Ok(Some(
        page_window(
            query.select((articles::id, articles::published_at, item)),
            offset,
            limit,
        )
        .load(conn)?,
    ))
}

/// An article of a page read as list items: id, publication time, item.
pub type PageItem = (i64, Option<NaiveDateTime>, Option<Vec<u8>>);

/// The rows of a page, in order, before choosing what to read of them, and
/// the offset of its first row (for `db::page_window`, with the page size).
fn page_query<'a>(
    f: &ResolvedFilter<'_>,
    sort: ArticleSort,
    start: &Start,
) -> Result<(Boxed<'a>, i64), ApiError> {
    // The keyset bound goes first: planning without the bound values
    // (`db::plan_stability`), SQLite seeks with the first of several bounds
    // on a column, and the visibility bound (`published_at <= now`) would
    // have every cursor page walk the index from the newest article (7×
    // slower half way through 10,000).
    let query = articles::table.into_boxed();
    let desc = sort.descending();
    let (offset, after) = match start {
        Start::Offset(offset) => (*offset, None),
        Start::After(value, id) => (0, Some((value, *id))),
    };
    let time_after = match after {
        Some((SortValue::Time(micros), id)) => Some((
            chrono::DateTime::from_timestamp_micros(*micros)
                .ok_or_else(bad_cursor)?
                .naive_utc(),
            id,
        )),
        Some((SortValue::Key(_), _))
            if !matches!(sort, ArticleSort::TitleAsc | ArticleSort::TitleDesc) =>
        {
            return Err(bad_cursor());
        }
        _ => None,
    };
    let key_after = match after {
        Some((SortValue::Key(hex_key), id)) => {
            Some((hex::decode(hex_key).map_err(|_| bad_cursor())?, id))
        }
        Some(_) if matches!(sort, ArticleSort::TitleAsc | ArticleSort::TitleDesc) => {
            return Err(bad_cursor());
        }
        _ => None,
    };
    let query = match sort {
        ArticleSort::PublishedAtDesc | ArticleSort::PublishedAtAsc => match f.visibility {
            Visibility::Public { .. } => keyset!(query, articles::published_at, desc, time_after),
            Visibility::Newsroom => keyset!(query, newsroom_publication_time(), desc, time_after),
        },
        ArticleSort::TitleAsc | ArticleSort::TitleDesc => {
            keyset!(query, articles::title_key, desc, key_after)
        }
        ArticleSort::UpdatedAtAsc | ArticleSort::UpdatedAtDesc => {
            keyset!(query, articles::updated_at, desc, time_after)
        }
    };
    Ok((restricted(query, f), offset))
}

/// The sort key of a row, for the cursor of the page it ends.
pub fn sort_value(row: &ArticleRow, sort: ArticleSort) -> SortValue {
    match sort {
        ArticleSort::PublishedAtDesc | ArticleSort::PublishedAtAsc => {
            time_value(row.published_at.unwrap_or(row.created_at))
        }
        ArticleSort::TitleAsc | ArticleSort::TitleDesc => {
            SortValue::Key(hex::encode(french_order::sort_key(&row.title)))
        }
        ArticleSort::UpdatedAtAsc | ArticleSort::UpdatedAtDesc => time_value(row.updated_at),
    }
}

/// The cursor key of a time.
pub fn time_value(at: NaiveDateTime) -> SortValue {
    SortValue::Time(at.and_utc().timestamp_micros())
}

/// Published articles sharing the category or a tag with `article`, newest first.
pub fn related(
    conn: &mut DbConnection,
    article: &ArticleRow,
    section: &[i64],
    limit: i64,
    now: NaiveDateTime,
) -> QueryResult<Vec<ArticleRow>> {
    let public = Visibility::Public { now };
    let limit = usize::try_from(limit).unwrap_or(0);
    // 1. Articles sharing tags, most shared first (a bounded set: the
    //    strongest candidates are enough to fill any `limit`).
    let own_tags = tag_ids(conn, article.id)?;
    let sharing: Vec<(i64, i64)> = if own_tags.is_empty() {
        Vec::new()
    } else {
        article_tags::table
            .filter(id_in(article_tags::tag_id, &own_tags))
            .filter(article_tags::article_id.ne(article.id))
            .group_by(article_tags::article_id)
            .select((article_tags::article_id, diesel::dsl::count_star()))
            .order((
                diesel::dsl::count_star().desc(),
                article_tags::article_id.desc(),
            ))
            .limit(RELATED_CANDIDATES)
            .load(conn)?
    };
    let shared: std::collections::HashMap<i64, i64> = sharing.iter().copied().collect();
    let ids: Vec<i64> = sharing.iter().map(|(id, _)| *id).collect();
    let mut found: Vec<ArticleRow> = if ids.is_empty() {
        Vec::new()
    } else {
        visible(articles::table.into_boxed(), public)
            .filter(id_in(articles::id, &ids))
            .select(ArticleRow::as_select())
            .load(conn)?
    };
    // Shared tags, then the same section (its category or one under it),
    // then the newest.
    let in_section = |row: &ArticleRow| section.contains(&row.category_id);
    found.sort_by(|a, b| {
        let key = |row: &ArticleRow| {
            (
                shared.get(&row.id).copied().unwrap_or(0),
                in_section(row),
                row.published_at,
                row.id,
            )
        };
        key(b).cmp(&key(a))
    });
    found.truncate(limit);
    // 2. Then the section's newest, 3. then the site's newest: `limit`
    //    items whenever the site has that many.
    for in_section_only in [true, false] {
        if found.len() >= limit {
            break;
        }
        let mut taken: Vec<i64> = found.iter().map(|r| r.id).collect();
        taken.push(article.id);
        let mut more = visible(articles::table.into_boxed(), public)
            .filter(diesel::dsl::not(id_in(articles::id, &taken)));
        if in_section_only {
            more = more.filter(id_in(articles::category_id, section));
        }
        let wanted = i64::try_from(limit - found.len()).unwrap_or(0);
        let rows: Vec<ArticleRow> = page_window(
            more.select(ArticleRow::as_select())
                .order((articles::published_at.desc(), articles::id.desc())),
            0,
            wanted,
        )
        .load(conn)?;
        found.extend(rows);
    }
    Ok(found)
}

/// How many tag-sharing articles are ranked for the related block.
const RELATED_CANDIDATES: i64 = 200;

/// Finds an article for a write and holds its row until the transaction
/// ends. SQLite's write transactions already exclude each other (BEGIN
/// IMMEDIATE); on PostgreSQL a no-op UPDATE takes the row lock, so a second
/// writer waits, then reads the first one's result, and its `If-Match` no
/// longer matches.
pub fn find_for_write(conn: &mut DbConnection, key: &IdOrSlug) -> QueryResult<Option<ArticleRow>> {
    let Some(row) = find(conn, key, Visibility::Newsroom)? else {
        return Ok(None);
    };
    diesel::update(articles::table.filter(articles::id.eq(row.id)))
        .set(articles::version.eq(articles::version))
        .execute(conn)?;
    find(conn, &IdOrSlug::Id(row.id), Visibility::Newsroom)
}

/// Slugs equal to `base` or of the form `base-N`. A free `base` is all a new
/// slug needs to know (it is then used as is), and that is one index lookup;
/// the `LIKE` scan, which no index serves (SQLite's LIKE ignores case, and
/// PostgreSQL's needs a pattern operator class), runs only for a duplicate.
pub fn taken_slugs(conn: &mut DbConnection, base: &Slug) -> QueryResult<HashSet<String>> {
    crate::db::slug_lock::hold(conn, "articles", base.as_str())?;
    if slug_owner(conn, base)?.is_none() {
        return Ok(HashSet::new());
    }
    articles::table
        .filter(
            articles::slug
                .eq(base.as_str())
                .or(articles::slug.like(format!("{}-%", base.as_str()))),
        )
        .select(articles::slug)
        .load::<String>(conn)
        .map(|v| v.into_iter().collect())
}

pub fn slug_owner(conn: &mut DbConnection, slug: &Slug) -> QueryResult<Option<i64>> {
    articles::table
        .filter(articles::slug.eq(slug.as_str()))
        .select(articles::id)
        .first(conn)
        .optional()
}

/// The columns a write sets from its draft (`None` clears): the update's
/// changeset, and the insert's values. A `None` is written as NULL, not as
/// diesel's default `DEFAULT`, so the insert's text never depends on the
/// values and is prepared once (`inserts_are_prepared_once` checks it).
#[derive(AsChangeset, Insertable)]
#[diesel(
    table_name = articles,
    treat_none_as_null = true,
    treat_none_as_default_value = false
)]
struct ArticleForm<'a> {
    slug: &'a str,
    title: &'a str,
    /// French order of titles (`french_order`), kept with the title.
    title_key: Vec<u8>,
    excerpt: &'a str,
    body: &'a str,
    body_format: &'a str,
    body_html: &'a str,
    status: &'a str,
    published_at: Option<NaiveDateTime>,
    language: &'a str,
    category_id: i64,
    featured_image: Option<&'a str>,
    featured_image_id: Option<i64>,
    seo_title: Option<&'a str>,
    seo_description: Option<&'a str>,
    seo_canonical_url: Option<&'a str>,
    featured: bool,
    sponsored: bool,
    comments_enabled: bool,
    reading_time_minutes: i32,
    word_count: i32,
    search_text: String,
    comments_close_at: Option<NaiveDateTime>,
}

/// What an article write takes from other rows: its featured image, and
/// its body with our images described (`inline_images`).
#[derive(Debug, Clone, Copy)]
pub struct Resolved<'a> {
    pub featured: &'a featured::Resolved,
    pub body_html: &'a str,
    /// When comments close, from the site's rule and `published_at`.
    pub comments_close_at: Option<NaiveDateTime>,
}

impl<'a> ArticleForm<'a> {
    fn new(draft: &'a ArticleDraft, slug: &'a str, resolved: Resolved<'a>) -> Self {
        let featured = resolved.featured;
        Self {
            slug,
            title: &draft.title,
            title_key: french_order::sort_key(&draft.title),
            excerpt: &draft.excerpt,
            body: &draft.body,
            body_format: draft.body_format.as_str(),
            body_html: resolved.body_html,
            status: draft.status.as_str(),
            published_at: draft.published_at,
            language: &draft.language,
            category_id: draft.category_id,
            featured_image: featured.json.as_deref(),
            featured_image_id: featured.media_id,
            seo_title: draft.seo.title.as_deref(),
            seo_description: draft.seo.description.as_deref(),
            seo_canonical_url: draft.seo.canonical_url.as_deref(),
            featured: draft.featured,
            sponsored: draft.sponsored,
            comments_enabled: draft.comments_enabled,
            reading_time_minutes: draft.rendered.reading_time_minutes,
            word_count: draft.rendered.word_count,
            search_text: draft.search_text(),
            comments_close_at: resolved.comments_close_at,
        }
    }
}

/// A new row: its form and what only a creation sets.
#[derive(Insertable)]
#[diesel(table_name = articles, treat_none_as_default_value = false)]
struct NewArticleRow<'a> {
    #[diesel(embed)]
    form: ArticleForm<'a>,
    created_by: Option<i64>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    version: i32,
}

pub fn insert(
    conn: &mut DbConnection,
    draft: &ArticleDraft,
    resolved: Resolved<'_>,
    slug: &str,
    created_by: Option<i64>,
    now: NaiveDateTime,
) -> QueryResult<ArticleRow> {
    let row = NewArticleRow {
        form: ArticleForm::new(draft, slug, resolved),
        created_by,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    diesel::insert_into(articles::table)
        .values(row)
        // The row as stored, so that the new article's view needs no read.
        // (The columns, not `as_returning()`: the combined backend cannot
        // pass a `SelectBy` down to either database's RETURNING.)
        .returning(<ArticleRow as Selectable<DbBackend>>::construct_selection())
        .get_result(conn)
}

pub fn update(
    conn: &mut DbConnection,
    id: i64,
    draft: &ArticleDraft,
    resolved: Resolved<'_>,
    slug: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(articles::table.filter(articles::id.eq(id)))
        .set((
            ArticleForm::new(draft, slug, resolved),
            articles::updated_at.eq(now),
            articles::version.eq(articles::version + 1),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Replaces the bylines (in order) and tags of an article.
pub fn replace_relations(
    conn: &mut DbConnection,
    id: i64,
    author_ids: &[i64],
    tag_ids: &[i64],
) -> QueryResult<()> {
    diesel::delete(article_authors::table.filter(article_authors::article_id.eq(id)))
        .execute(conn)?;
    diesel::delete(article_tags::table.filter(article_tags::article_id.eq(id))).execute(conn)?;
    insert_relations(conn, id, author_ids, tag_ids)
}

/// Rows per multi-row `INSERT`: far below the bind parameter limits of
/// both backends (32,766 for SQLite, 65,535 for PostgreSQL).
const ROWS_PER_INSERT: usize = 1000;

/// Writes the bylines (in order) and tags of an article that has none, a
/// statement per relation rather than per row.
pub fn insert_relations(
    conn: &mut DbConnection,
    id: i64,
    author_ids: &[i64],
    tag_ids: &[i64],
) -> QueryResult<()> {
    let bylines: Vec<_> = author_ids
        .iter()
        .enumerate()
        .map(|(position, author_id)| {
            (
                article_authors::article_id.eq(id),
                article_authors::author_id.eq(*author_id),
                article_authors::position.eq(i32::try_from(position).unwrap_or(i32::MAX)),
            )
        })
        .collect();
    for rows in bylines.chunks(ROWS_PER_INSERT) {
        crate::on_each_backend!(&mut *conn, |c| diesel::insert_into(article_authors::table)
            .values(rows)
            .execute(c))?;
    }
    let labels: Vec<_> = tag_ids
        .iter()
        .map(|tag_id| {
            (
                article_tags::article_id.eq(id),
                article_tags::tag_id.eq(*tag_id),
            )
        })
        .collect();
    for rows in labels.chunks(ROWS_PER_INSERT) {
        crate::on_each_backend!(&mut *conn, |c| diesel::insert_into(article_tags::table)
            .values(rows)
            .execute(c))?;
    }
    Ok(())
}

pub fn delete(conn: &mut DbConnection, id: i64) -> QueryResult<()> {
    diesel::delete(articles::table.filter(articles::id.eq(id)))
        .execute(conn)
        .map(|_| ())
}

/// Tag ids of one article, as stored.
pub fn tag_ids(conn: &mut DbConnection, id: i64) -> QueryResult<Vec<i64>> {
    article_tags::table
        .filter(article_tags::article_id.eq(id))
        .select(article_tags::tag_id)
        .order(article_tags::tag_id)
        .load(conn)
}

/// The authors and tags among `author_ids` and `tag_ids` that exist, as an
/// article embeds them: the tags in a view's order (by name, then id, as
/// the database collates names), the authors in no particular order.
pub fn referenced(
    conn: &mut DbConnection,
    author_ids: &[i64],
    tag_ids: &[i64],
) -> QueryResult<(Vec<AuthorRef>, Vec<TagRef>)> {
    let found_authors = if author_ids.is_empty() {
        Vec::new()
    } else {
        authors::table
            .filter(id_in(authors::id, author_ids))
            .select((authors::id, authors::slug, authors::name))
            .load::<(i64, String, String)>(conn)?
    };
    let found_tags = if tag_ids.is_empty() {
        Vec::new()
    } else {
        tags::table
            .filter(id_in(tags::id, tag_ids))
            .order((tags::name_key, tags::id))
            .select((tags::id, tags::slug, tags::name))
            .load::<(i64, String, String)>(conn)?
    };
    Ok((
        found_authors
            .into_iter()
            .map(|(id, slug, name)| AuthorRef { id, slug, name })
            .collect(),
        found_tags
            .into_iter()
            .map(|(id, slug, name)| TagRef { id, slug, name })
            .collect(),
    ))
}

/// The slugs of articles (`slug::settle`).
pub struct Slugs;

impl crate::content::slug::SlugTable for Slugs {
    const RESOURCE: &'static str = "article";
    const FALLBACK: &'static str = "article";

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
        let row = NewArticleRow {
            form: ArticleForm {
                slug: "brouillon",
                title: "Brouillon",
                title_key: french_order::sort_key("Brouillon"),
                excerpt: "",
                body: "",
                body_format: "html",
                body_html: "",
                status: "draft",
                published_at: None,
                language: "fr",
                category_id: 1,
                featured_image: None,
                featured_image_id: None,
                seo_title: None,
                seo_description: None,
                seo_canonical_url: None,
                featured: false,
                sponsored: false,
                comments_enabled: true,
                reading_time_minutes: 0,
                word_count: 0,
                search_text: String::new(),
                comments_close_at: None,
            },
            created_by: None,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        assert!(crate::db::prepared_once(
            &diesel::insert_into(articles::table).values(row)
        ));
    }
}
