//! `/wp/v2/posts`: articles as WordPress posts. Reads choose their ids
//! with WordPress's filters (`select`) and take the article API's views
//! (`articles::use_cases::by_ids`); writes are the article API's create,
//! update and delete, so roles, validation, versions, caches and events
//! are the same whichever door a text came through. `editors::mapping`
//! translates statuses and dates.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::{Map, Value, json};

use super::caller::WpCaller;
use super::error::WpError;
use super::media::media_json;
use super::params::{Context, Params};
use super::shape::{self, Site, curies, embeddable, link};
use super::terms::{Taxonomy, Term, term_json};
use super::users::{bylines, user_json};
use crate::auth::policy::acting_role;
use crate::auth::{Caller, Role};
use crate::content::Precondition;
use crate::content::articles::input::{ArticleCreate, ArticlePatch};
use crate::content::articles::lifecycle::ArticleStatus;
use crate::content::articles::queries::{newsroom_publication_time, public_now};
use crate::content::articles::use_cases;
use crate::content::articles::views::ArticleView;
use crate::content::authors::own_byline::Signers;
use crate::content::body::BodyFormat;
use crate::content::lookup::IdOrSlug;
use crate::content::patch::Patch;
use crate::db::DbBackend;
use crate::db::schema::{article_authors, article_tags, articles, categories, tags};
use crate::editors::mapping;
use crate::error::ApiError;
use crate::state::AppState;

const CANNOT_CREATE: &str = "Sorry, you are not allowed to create posts as this user.";
const CANNOT_EDIT: &str = "Sorry, you are not allowed to edit this post.";
const CANNOT_DELETE: &str = "Sorry, you are not allowed to delete this post.";
const CANNOT_PUBLISH: &str = "Sorry, you are not allowed to publish posts in this post type.";

fn escape(text: &str) -> String {
    quick_xml::escape::escape(text).into_owned()
}

/// The source a WordPress client edits: HTML. A markdown article gives
/// its rendering, so that a client sending it back keeps the paragraphs.
fn raw_content(view: &ArticleView) -> String {
    match view.body_format {
        BodyFormat::Html => view.body.clone().unwrap_or_default(),
        _ => view.body_html.clone().unwrap_or_default(),
    }
}

/// An article as a WordPress post; `edit` adds the raw texts.
pub fn post_json(site: &Site, view: &ArticleView, context: Context) -> Value {
    let date = view.published_at.unwrap_or(view.created_at);
    let link_url = format!("{}/{}/", site.home, view.slug);
    let author = view.authors.first().map_or(0, |a| a.id);
    let featured = view.featured_image.as_ref().and_then(|f| f.id).unwrap_or(0);
    let mut links = json!({
        "self": link(site.route(&format!("posts/{}", view.id))),
        "collection": link(site.route("posts")),
        "about": link(site.route("types/post")),
        "author": embeddable(site.route(&format!("users/{author}"))),
        "wp:term": [
            { "taxonomy": "category", "embeddable": true, "href": site.route(&format!("categories?post={}", view.id)) },
            { "taxonomy": "post_tag", "embeddable": true, "href": site.route(&format!("tags?post={}", view.id)) },
        ],
        "curies": curies(),
    });
    if featured != 0 {
        links["wp:featuredmedia"] = embeddable(site.route(&format!("media/{featured}")));
    }
    let excerpt_html = if view.excerpt.is_empty() {
        String::new()
    } else {
        format!("<p>{}</p>\n", escape(&view.excerpt))
    };
    let mut value = json!({
        "id": view.id,
        "date": site.local(date),
        "date_gmt": Site::gmt(date),
        "guid": { "rendered": format!("{}/?p={}", site.home, view.id) },
        "modified": site.local(view.updated_at),
        "modified_gmt": Site::gmt(view.updated_at),
        "slug": view.slug,
        "status": mapping::status_to_wordpress(view.status),
        "type": "post",
        "link": link_url,
        "title": { "rendered": escape(&view.title) },
        "content": { "rendered": view.body_html.clone().unwrap_or_default(), "protected": false },
        "excerpt": { "rendered": excerpt_html, "protected": false },
        "author": author,
        "featured_media": featured,
        "comment_status": if view.comments_enabled { "open" } else { "closed" },
        "ping_status": "closed",
        "sticky": view.featured,
        "template": "",
        "format": "standard",
        "meta": [],
        "categories": view.category.iter().map(|c| c.id).collect::<Vec<_>>(),
        "tags": view.tags.iter().map(|t| t.id).collect::<Vec<_>>(),
        "_links": links,
    });
    match context {
        Context::Edit => {
            value["title"]["raw"] = json!(view.title);
            value["content"]["raw"] = json!(raw_content(view));
            value["content"]["block_version"] = json!(0);
            value["excerpt"]["raw"] = json!(view.excerpt);
            value["guid"]["raw"] = value["guid"]["rendered"].clone();
            value["password"] = json!("");
            value["permalink_template"] = json!(format!("{}/%postname%/", site.home));
            value["generated_slug"] = json!(view.slug);
        }
        Context::Embed => {
            if let Value::Object(map) = &mut value {
                for key in [
                    "date_gmt",
                    "guid",
                    "modified",
                    "modified_gmt",
                    "status",
                    "content",
                    "comment_status",
                    "ping_status",
                    "sticky",
                    "template",
                    "format",
                    "meta",
                    "categories",
                    "tags",
                ] {
                    map.remove(key);
                }
            }
        }
        Context::View => {}
    }
    value
}

/// `_embedded` for each post: its author, featured image and terms, each
/// read once per page.
async fn embedded(
    state: &AppState,
    site: &Site,
    views: &[ArticleView],
    rels: &[String],
) -> HashMap<i64, Map<String, Value>> {
    let wants = |rel: &str| rels.is_empty() || rels.iter().any(|r| r == rel);
    let mut authors = HashMap::new();
    if wants("author") {
        let mut ids: Vec<i64> = views
            .iter()
            .filter_map(|v| v.authors.first().map(|a| a.id))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        for author in bylines(state, &ids).await {
            authors.insert(author.id, user_json(site, &author));
        }
    }
    let mut images = HashMap::new();
    if wants("wp:featuredmedia") {
        for id in views
            .iter()
            .filter_map(|v| v.featured_image.as_ref().and_then(|f| f.id))
        {
            if !images.contains_key(&id)
                && let Ok(m) = crate::content::media::use_cases::get(&state.media, id).await
            {
                images.insert(id, media_json(site, &m, Context::Embed));
            }
        }
    }
    views
        .iter()
        .map(|v| {
            let mut map = Map::new();
            if let Some(author) = v.authors.first().and_then(|a| authors.get(&a.id)) {
                map.insert("author".to_owned(), json!([author]));
            }
            if let Some(image) = v
                .featured_image
                .as_ref()
                .and_then(|f| f.id)
                .and_then(|id| images.get(&id))
            {
                map.insert("wp:featuredmedia".to_owned(), json!([image]));
            }
            if wants("wp:term") {
                let category: Vec<Value> = v
                    .category
                    .iter()
                    .map(|c| {
                        let parent = c
                            .path
                            .iter()
                            .rev()
                            .find(|p| p.id != c.id)
                            .map_or(0, |p| p.id);
                        let term = Term {
                            id: c.id,
                            name: c.name.clone(),
                            slug: c.slug.clone(),
                            description: String::new(),
                            parent,
                        };
                        term_json(site, Taxonomy::Category, &term, 0, true)
                    })
                    .collect();
                let tags: Vec<Value> = v
                    .tags
                    .iter()
                    .map(|t| {
                        let term = Term {
                            id: t.id,
                            name: t.name.clone(),
                            slug: t.slug.clone(),
                            description: String::new(),
                            parent: 0,
                        };
                        term_json(site, Taxonomy::Tag, &term, 0, true)
                    })
                    .collect();
                map.insert("wp:term".to_owned(), json!([category, tags]));
            }
            (v.id, map)
        })
        .collect()
}

/// A post as asked: context, `_embed`, then `_fields`.
async fn render(
    state: &AppState,
    site: &Site,
    views: &[ArticleView],
    context: Context,
    params: &Params,
) -> Vec<Value> {
    let embeds = match params.embed() {
        Some(rels) => Some(embedded(state, site, views, &rels).await),
        None => None,
    };
    views
        .iter()
        .map(|v| {
            let mut value = post_json(site, v, context);
            if let Some(map) = embeds.as_ref().and_then(|e| e.get(&v.id))
                && !map.is_empty()
            {
                value["_embedded"] = Value::Object(map.clone());
            }
            shape::shaped(value, params)
        })
        .collect()
}

/// WordPress's list filters, checked.
struct Selection {
    statuses: Vec<&'static str>,
    /// Authors and contributors see others' unpublished posts nowhere.
    own_byline: Option<i64>,
    include: Option<Vec<i64>>,
    exclude: Vec<i64>,
    slugs: Option<Vec<String>>,
    categories: Option<Vec<i64>>,
    categories_exclude: Vec<i64>,
    tags: Option<Vec<i64>>,
    tags_exclude: Vec<i64>,
    authors: Option<Vec<i64>>,
    authors_exclude: Vec<i64>,
    after: Option<NaiveDateTime>,
    before: Option<NaiveDateTime>,
    modified_after: Option<NaiveDateTime>,
    modified_before: Option<NaiveDateTime>,
    words: Vec<String>,
    sticky: Option<bool>,
    orderby: &'static str,
    descending: bool,
    newsroom: bool,
    now: NaiveDateTime,
}

const STATUSES: [&str; 7] = [
    "publish", "future", "draft", "pending", "private", "trash", "any",
];

type Predicate = Box<
    dyn BoxableExpression<
            articles::table,
            DbBackend,
            SqlType = diesel::sql_types::Nullable<diesel::sql_types::Bool>,
        >,
>;

fn status_predicate(status: &str, now: NaiveDateTime) -> Predicate {
    let is = |s: ArticleStatus| articles::status.eq(s.as_str()).nullable();
    match status {
        "publish" => Box::new(public_now(now)),
        "future" => Box::new(is(ArticleStatus::Scheduled).and(articles::published_at.gt(now))),
        "draft" => Box::new(is(ArticleStatus::Draft)),
        "pending" => Box::new(is(ArticleStatus::Review)),
        "private" => Box::new(is(ArticleStatus::Archived)),
        "any" => Box::new(articles::id.eq(articles::id).nullable()),
        // Nothing is in a trash here.
        _ => Box::new(articles::id.ne(articles::id).nullable()),
    }
}

type Boxed = articles::BoxedQuery<'static, DbBackend>;

impl Selection {
    fn date_param(
        params: &Params,
        name: &str,
        zone: chrono_tz::Tz,
    ) -> Result<Option<NaiveDateTime>, WpError> {
        match params.text(name)? {
            None => Ok(None),
            Some(raw) => mapping::rest_date(&raw, false, zone)
                .map(Some)
                .ok_or_else(|| WpError::invalid_param(name, "Invalid date.")),
        }
    }

    fn parse(
        params: &Params,
        caller: &WpCaller,
        site: &Site,
        now: NaiveDateTime,
    ) -> Result<Self, WpError> {
        let statuses: Vec<&'static str> = match params.texts("status")? {
            None => vec!["publish"],
            Some(given) => given
                .iter()
                .map(|s| {
                    STATUSES
                        .iter()
                        .find(|k| **k == s.as_str())
                        .copied()
                        .ok_or_else(|| {
                            WpError::invalid_param(
                                "status",
                                format!("status[0] is not one of {}.", STATUSES.join(", ")),
                            )
                        })
                })
                .collect::<Result<_, _>>()?,
        };
        let newsroom = crate::auth::policy::may_read_unpublished(&caller.0);
        if !newsroom && statuses.iter().any(|s| *s != "publish") {
            return Err(WpError::refused(
                false,
                "rest_forbidden_status",
                "Status is forbidden.",
            ));
        }
        let own_byline = match caller.0.account() {
            Some(a) if matches!(a.role, Role::Author | Role::Contributor) => {
                Some(a.author_id.unwrap_or(-1))
            }
            _ => None,
        };
        let words = params.search_words()?;
        Ok(Self {
            statuses,
            own_byline,
            include: params.ids("include")?,
            exclude: params.ids("exclude")?.unwrap_or_default(),
            slugs: params.texts("slug")?,
            categories: params.ids("categories")?,
            categories_exclude: params.ids("categories_exclude")?.unwrap_or_default(),
            tags: params.ids("tags")?,
            tags_exclude: params.ids("tags_exclude")?.unwrap_or_default(),
            authors: params.ids("author")?,
            authors_exclude: params.ids("author_exclude")?.unwrap_or_default(),
            after: Self::date_param(params, "after", site.zone)?,
            before: Self::date_param(params, "before", site.zone)?,
            modified_after: Self::date_param(params, "modified_after", site.zone)?,
            modified_before: Self::date_param(params, "modified_before", site.zone)?,
            words,
            sticky: params.bool("sticky")?,
            orderby: params.one_of(
                "orderby",
                &[
                    "author",
                    "date",
                    "id",
                    "include",
                    "modified",
                    "parent",
                    "relevance",
                    "slug",
                    "include_slugs",
                    "title",
                ],
                "date",
            )?,
            descending: params.descending(true)?,
            newsroom,
            now,
        })
    }

    /// The filtered query (no order, no page).
    fn query(&self) -> Boxed {
        let mut query = articles::table.into_boxed();
        let status = self
            .statuses
            .iter()
            .map(|s| status_predicate(s, self.now))
            .reduce(|a, b| Box::new(a.or(b)));
        if let Some(status) = status {
            query = query.filter(status);
        }
        if let Some(mine) = self.own_byline {
            query = query.filter(
                public_now(self.now).or(articles::id
                    .eq_any(
                        article_authors::table
                            .filter(article_authors::author_id.eq(mine))
                            .select(article_authors::article_id),
                    )
                    .nullable()),
            );
        }
        if let Some(ids) = &self.include {
            query = query.filter(articles::id.eq_any(ids.clone()));
        }
        if !self.exclude.is_empty() {
            query = query.filter(articles::id.ne_all(self.exclude.clone()));
        }
        if let Some(slugs) = &self.slugs {
            query = query.filter(articles::slug.eq_any(slugs.clone()));
        }
        if let Some(ids) = &self.categories {
            query = query.filter(articles::category_id.eq_any(ids.clone()));
        }
        if !self.categories_exclude.is_empty() {
            query = query.filter(articles::category_id.ne_all(self.categories_exclude.clone()));
        }
        let tagged = |ids: Vec<i64>| {
            article_tags::table
                .filter(article_tags::tag_id.eq_any(ids))
                .select(article_tags::article_id)
        };
        if let Some(ids) = &self.tags {
            query = query.filter(articles::id.eq_any(tagged(ids.clone())));
        }
        if !self.tags_exclude.is_empty() {
            query = query.filter(articles::id.ne_all(tagged(self.tags_exclude.clone())));
        }
        let signed = |ids: Vec<i64>| {
            article_authors::table
                .filter(article_authors::author_id.eq_any(ids))
                .select(article_authors::article_id)
        };
        if let Some(ids) = &self.authors {
            query = query.filter(articles::id.eq_any(signed(ids.clone())));
        }
        if !self.authors_exclude.is_empty() {
            query = query.filter(articles::id.ne_all(signed(self.authors_exclude.clone())));
        }
        if let Some(after) = self.after {
            query = query.filter(newsroom_publication_time().gt(after));
        }
        if let Some(before) = self.before {
            query = query.filter(newsroom_publication_time().lt(before));
        }
        if let Some(after) = self.modified_after {
            query = query.filter(articles::updated_at.gt(after));
        }
        if let Some(before) = self.modified_before {
            query = query.filter(articles::updated_at.lt(before));
        }
        for word in &self.words {
            query = query.filter(
                articles::search_text
                    .like(crate::content::text::contains_pattern(word))
                    .escape('\\'),
            );
        }
        if let Some(sticky) = self.sticky {
            query = query.filter(articles::featured.eq(sticky));
        }
        query
    }

    fn ordered(&self, query: Boxed) -> Boxed {
        let desc = self.descending;
        let query = match (self.orderby, desc) {
            ("id", true) => query.order(articles::id.desc()),
            ("id", false) => query.order(articles::id.asc()),
            ("title", true) => query.order(articles::title.desc()),
            ("title", false) => query.order(articles::title.asc()),
            ("slug" | "include_slugs", true) => query.order(articles::slug.desc()),
            ("slug" | "include_slugs", false) => query.order(articles::slug.asc()),
            ("modified", true) => query.order(articles::updated_at.desc()),
            ("modified", false) => query.order(articles::updated_at.asc()),
            (_, true) if self.newsroom => query.order(newsroom_publication_time().desc()),
            (_, false) if self.newsroom => query.order(newsroom_publication_time().asc()),
            (_, true) => query.order(articles::published_at.desc()),
            (_, false) => query.order(articles::published_at.asc()),
        };
        if desc {
            query.then_order_by(articles::id.desc())
        } else {
            query.then_order_by(articles::id.asc())
        }
    }
}

/// `GET /wp/v2/posts`: published posts for the public; the newsroom asks
/// for other statuses (`status=draft,pending`).
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: WpCaller,
) -> Result<HttpResponse, WpError> {
    let params = Params::from_query(req.query_string());
    let site = super::site::load(&req, &state).await?;
    let (page, per_page) = params.page()?;
    let context = params.context(Context::View)?;
    if context == Context::Edit && acting_role(&caller.0).is_none() {
        return Err(WpError::refused(
            caller.signed_in(),
            "rest_forbidden_context",
            "Sorry, you are not allowed to edit posts in this post type.",
        ));
    }
    let selection = Selection::parse(&params, &caller, &site, state.content.clock.now())?;
    let by_include = selection.orderby == "include";
    // `offset`, as in WP_Query, replaces the page's own start.
    let skip = match params.int("offset")? {
        Some(offset) if offset >= 0 => offset,
        Some(_) => {
            return Err(WpError::invalid_param(
                "offset",
                "offset must be greater than or equal to 0",
            ));
        }
        None => (page - 1) * per_page,
    };
    let (ids, total) = state
        .db
        .read(move |conn| {
            let total: i64 = selection.query().count().get_result(conn)?;
            let ordered = selection.ordered(selection.query()).select(articles::id);
            let ids: Vec<i64> = if by_include {
                let mut all: Vec<i64> = ordered.load(conn)?;
                let order = selection.include.clone().unwrap_or_default();
                all.sort_by_key(|id| order.iter().position(|i| i == id));
                all.into_iter()
                    .skip(skip as usize)
                    .take(per_page as usize)
                    .collect()
            } else {
                ordered.limit(per_page).offset(skip).load(conn)?
            };
            Ok((ids, total))
        })
        .await?;
    let views = use_cases::by_ids(&state.content, &caller.0, ids).await?;
    let items = render(&state, &site, &views, context, &params).await;
    shape::page(
        items,
        total,
        (page, per_page),
        &site.route("posts"),
        req.query_string(),
        "rest_post_invalid_page_number",
    )
}

fn post_id(raw: &str) -> Result<i64, WpError> {
    raw.parse().map_err(|_| WpError::invalid_post_id())
}

/// The post as `caller` may see it (an unpublished one is 404 for the
/// public: its existence is not told).
async fn current(state: &AppState, caller: &Caller, id: i64) -> Result<ArticleView, WpError> {
    use_cases::by_ids(&state.content, caller, vec![id])
        .await?
        .pop()
        .ok_or_else(WpError::invalid_post_id)
}

/// Whether `caller` may edit `view`: editors any, authors and
/// contributors what they sign.
fn may_edit(caller: &Caller, view: &ArticleView) -> bool {
    match acting_role(caller) {
        Some(Role::Admin | Role::Editor) => true,
        Some(Role::Author | Role::Contributor) => {
            let mine = caller.account().and_then(|a| a.author_id);
            view.authors.iter().any(|a| Some(a.id) == mine)
        }
        None => false,
    }
}

/// `GET /wp/v2/posts/{id}`.
pub async fn get(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: WpCaller,
    id: String,
) -> Result<HttpResponse, WpError> {
    let params = Params::from_query(req.query_string());
    let context = params.context(Context::View)?;
    let view = current(&state, &caller.0, post_id(&id)?).await?;
    if context == Context::Edit && !may_edit(&caller.0, &view) {
        return Err(WpError::refused(
            caller.signed_in(),
            "rest_forbidden_context",
            CANNOT_EDIT,
        ));
    }
    let site = super::site::load(&req, &state).await?;
    let mut items = render(&state, &site, std::slice::from_ref(&view), context, &params).await;
    Ok(shape::json(
        StatusCode::OK,
        &items.pop().unwrap_or(Value::Null),
    ))
}

/// What a create or an update names, checked against the site.
struct Fields {
    title: Option<String>,
    content: Option<String>,
    excerpt: Option<String>,
    slug: Option<String>,
    status: Option<ArticleStatus>,
    date: Option<chrono::DateTime<chrono::Utc>>,
    author: Option<i64>,
    featured_media: Option<i64>,
    categories: Option<Vec<i64>>,
    tags: Option<Vec<i64>>,
    comments: Option<bool>,
    sticky: Option<bool>,
}

async fn known(state: &AppState, table: Taxonomy, ids: Vec<i64>) -> Result<Vec<i64>, WpError> {
    Ok(state
        .db
        .read(move |conn| {
            Ok(match table {
                Taxonomy::Category => categories::table
                    .filter(categories::id.eq_any(ids))
                    .select(categories::id)
                    .load::<i64>(conn)?,
                Taxonomy::Tag => tags::table
                    .filter(tags::id.eq_any(ids))
                    .select(tags::id)
                    .load::<i64>(conn)?,
            })
        })
        .await?)
}

impl Fields {
    async fn parse(state: &AppState, params: &Params, site: &Site) -> Result<Self, WpError> {
        let mut bad: Vec<(String, String)> = Vec::new();
        let status = match params.text("status")? {
            None => None,
            Some(raw) => match mapping::status_from_wordpress(&raw) {
                Ok(s) => Some(s),
                Err(_) => {
                    bad.push((
                        "status".to_owned(),
                        "status is not one of publish, future, draft, pending, and private."
                            .to_owned(),
                    ));
                    None
                }
            },
        };
        let mut date = None;
        for (name, gmt) in [("date_gmt", true), ("date", false)] {
            if date.is_some() {
                break;
            }
            if let Some(raw) = params.text(name)? {
                match mapping::rest_date(&raw, gmt, site.zone) {
                    Some(at) => date = Some(at.and_utc()),
                    None => bad.push((name.to_owned(), "Invalid date.".to_owned())),
                }
            }
        }
        if params.text("password")?.is_some_and(|p| !p.is_empty()) {
            bad.push((
                "password".to_owned(),
                "Password-protected posts are not supported: keep the post a draft.".to_owned(),
            ));
        }
        let comments = match params.text("comment_status")?.as_deref() {
            None => None,
            Some("open") => Some(true),
            Some("closed") => Some(false),
            Some(_) => {
                bad.push((
                    "comment_status".to_owned(),
                    "comment_status is not one of open and closed.".to_owned(),
                ));
                None
            }
        };
        let categories = params.ids("categories")?;
        let tags = params.ids("tags")?;
        for (name, taxonomy, ids) in [
            ("categories", Taxonomy::Category, &categories),
            ("tags", Taxonomy::Tag, &tags),
        ] {
            if let Some(ids) = ids {
                let found = known(state, taxonomy, ids.clone()).await?;
                let missing: Vec<String> = ids
                    .iter()
                    .filter(|id| !found.contains(id))
                    .map(i64::to_string)
                    .collect();
                if !missing.is_empty() {
                    bad.push((
                        name.to_owned(),
                        format!("Invalid term ID: {}.", missing.join(", ")),
                    ));
                }
            }
        }
        if !bad.is_empty() {
            return Err(WpError::invalid_params(bad));
        }
        Ok(Self {
            title: params.text("title")?,
            content: params.text("content")?,
            excerpt: params.text("excerpt")?,
            slug: params.text("slug")?.filter(|s| !s.trim().is_empty()),
            status,
            date,
            author: params.int("author")?,
            featured_media: params.int("featured_media")?,
            categories,
            tags,
            comments,
            sticky: params.bool("sticky")?,
        })
    }
}

/// WordPress's refusals, decided before anything is written: a
/// contributor's publish is `rest_cannot_publish`, signing as someone
/// else without editing rights `rest_cannot_edit_others`.
fn check_role(
    caller: &WpCaller,
    status: ArticleStatus,
    authors: &[i64],
    refused: (&'static str, &str),
) -> Result<(), WpError> {
    let Some(role) = acting_role(&caller.0) else {
        return Err(WpError::refused(caller.signed_in(), refused.0, refused.1));
    };
    if role == Role::Contributor
        && matches!(
            status,
            ArticleStatus::Published | ArticleStatus::Scheduled | ArticleStatus::Archived
        )
    {
        return Err(WpError::new(403, "rest_cannot_publish", CANNOT_PUBLISH));
    }
    if matches!(role, Role::Author | Role::Contributor) {
        let mine = caller.0.account().and_then(|a| a.author_id);
        if !authors.iter().any(|a| Some(*a) == mine) {
            return Err(WpError::new(403, "rest_cannot_edit_others", CANNOT_CREATE));
        }
    }
    Ok(())
}

fn write_error(error: ApiError, refused: (&'static str, &str)) -> WpError {
    match error {
        ApiError::NotFound(_) => WpError::invalid_post_id(),
        other => WpError::from_api(other, refused),
    }
}

async fn written(
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    id: i64,
    status: StatusCode,
    params: &Params,
) -> Result<HttpResponse, WpError> {
    let site = super::site::load(req, state).await?;
    let view = current(state, caller, id).await?;
    let mut items = render(
        state,
        &site,
        std::slice::from_ref(&view),
        Context::Edit,
        params,
    )
    .await;
    let value = items.pop().unwrap_or(Value::Null);
    Ok(if status == StatusCode::CREATED {
        shape::created(&value, &site.route(&format!("posts/{id}")))
    } else {
        shape::json(status, &value)
    })
}

/// `POST /wp/v2/posts`: a draft unless `status` says otherwise, signed by
/// the caller unless an editor names another `author`, in the site's
/// first category when none is given (WordPress's "Uncategorized").
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: WpCaller,
    params: Params,
) -> Result<HttpResponse, WpError> {
    let refused = ("rest_cannot_create", CANNOT_CREATE);
    if acting_role(&caller.0).is_none() {
        return Err(WpError::refused(caller.signed_in(), refused.0, refused.1));
    }
    if params.has("id") {
        return Err(WpError::new(
            400,
            "rest_post_exists",
            "Cannot create existing post.",
        ));
    }
    let site = super::site::load(&req, &state).await?;
    let fields = Fields::parse(&state, &params, &site).await?;
    // Signed by `author`, or by the caller's own byline (created with the
    // post when the account has none, `own_byline`).
    let given = fields.author.map(|id| vec![id]);
    let Some(signers) = Signers::for_new_article(&caller.0, given.clone()) else {
        return Err(WpError::refused(caller.signed_in(), refused.0, refused.1));
    };
    let status =
        mapping::scheduled_if_future(fields.status.unwrap_or(ArticleStatus::Draft), fields.date);
    check_role(
        &WpCaller(signers.acting.clone()),
        status,
        &signers.author_ids,
        refused,
    )?;
    let category_id = match fields.categories.as_ref().and_then(|c| c.first()) {
        Some(id) => *id,
        None => {
            let all = crate::content::categories::use_cases::list(&state.content, None).await?;
            mapping::default_category(&all)?
        }
    };
    let input = ArticleCreate {
        title: Some(fields.title.unwrap_or_default()),
        body: Some(fields.content.unwrap_or_default()),
        body_format: Some(BodyFormat::Html),
        excerpt: fields.excerpt.filter(|e| !e.trim().is_empty()),
        slug: fields.slug,
        status: Some(status),
        published_at: fields.date,
        category_id: Some(category_id),
        author_ids: given,
        tag_ids: fields.tags,
        featured_image_id: fields.featured_media.filter(|id| *id > 0),
        featured_image: None,
        seo: None,
        featured: fields.sticky,
        sponsored: None,
        comments_enabled: fields.comments,
        language: None,
    };
    let view = use_cases::create(&state.content, caller.0.clone(), input)
        .await
        .map_err(|e| write_error(e, refused))?;
    written(
        &req,
        &state,
        &caller.0,
        view.id,
        StatusCode::CREATED,
        &params,
    )
    .await
}

/// `POST|PUT|PATCH /wp/v2/posts/{id}`: only the fields sent change.
pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: WpCaller,
    params: Params,
    id: String,
) -> Result<HttpResponse, WpError> {
    let id = post_id(&id)?;
    let refused = ("rest_cannot_edit", CANNOT_EDIT);
    let view = current(&state, &caller.0, id).await?;
    if !may_edit(&caller.0, &view) {
        return Err(WpError::refused(caller.signed_in(), refused.0, refused.1));
    }
    let site = super::site::load(&req, &state).await?;
    let fields = Fields::parse(&state, &params, &site).await?;
    let authors: Vec<i64> = match fields.author {
        Some(author) => vec![author],
        None => view.authors.iter().map(|a| a.id).collect(),
    };
    let mut patch = ArticlePatch::default();
    let status = match fields.status {
        Some(status) => Some(mapping::scheduled_if_future(
            status,
            fields.date.or(view.published_at.map(|at| at.and_utc())),
        )),
        // A new date to come on a published post schedules it again.
        None if fields.date.is_some() && view.status == ArticleStatus::Published => Some(
            mapping::scheduled_if_future(ArticleStatus::Published, fields.date),
        ),
        None => None,
    };
    if status.is_some() || fields.author.is_some() {
        check_role(&caller, status.unwrap_or(view.status), &authors, refused)?;
    }
    if let Some(status) = status {
        patch.status = Patch::Value(status);
    }
    if let Some(title) = fields.title {
        patch.title = Patch::Value(title);
    }
    if let Some(content) = fields.content {
        patch.body = Patch::Value(content);
        patch.body_format = Patch::Value(BodyFormat::Html);
    }
    if let Some(excerpt) = fields.excerpt {
        patch.excerpt = Patch::Value(excerpt);
    }
    if let Some(slug) = fields.slug {
        patch.slug = Patch::Value(slug);
    }
    if let Some(at) = fields.date {
        patch.published_at = Patch::Value(at);
    }
    if fields.author.is_some() {
        patch.author_ids = Patch::Value(authors);
    }
    if let Some(first) = fields.categories.as_ref().and_then(|c| c.first()) {
        patch.category_id = Patch::Value(*first);
    }
    if let Some(tags) = fields.tags {
        patch.tag_ids = Patch::Value(tags);
    }
    match fields.featured_media {
        Some(0) if view.featured_image.is_some() => patch.featured_image_id = Patch::Null,
        Some(id) if id > 0 => patch.featured_image_id = Patch::Value(id),
        _ => {}
    }
    if let Some(open) = fields.comments {
        patch.comments_enabled = Patch::Value(open);
    }
    if let Some(sticky) = fields.sticky {
        patch.featured = Patch::Value(sticky);
    }
    use_cases::update(
        &state.content,
        caller.0.clone(),
        IdOrSlug::Id(id),
        Precondition::Any,
        patch,
    )
    .await
    .map_err(|e| write_error(e, refused))?;
    written(&req, &state, &caller.0, id, StatusCode::OK, &params).await
}

/// `DELETE /wp/v2/posts/{id}?force=true`. Without `force` WordPress
/// moves a post to the trash; there is no trash yet, so it is
/// WordPress's own answer for a type without one (501), and nothing is
/// deleted.
pub async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: WpCaller,
    params: Params,
    id: String,
) -> Result<HttpResponse, WpError> {
    let id = post_id(&id)?;
    let refused = ("rest_cannot_delete", CANNOT_DELETE);
    let view = current(&state, &caller.0, id).await?;
    if !may_edit(&caller.0, &view) {
        return Err(WpError::refused(caller.signed_in(), refused.0, refused.1));
    }
    params.require_force("The post does")?;
    let site = super::site::load(&req, &state).await?;
    let previous = post_json(&site, &view, Context::Edit);
    use_cases::delete(
        &state.content,
        caller.0.clone(),
        IdOrSlug::Id(id),
        Precondition::Any,
    )
    .await
    .map_err(|e| write_error(e, refused))?;
    Ok(shape::deleted(previous))
}
