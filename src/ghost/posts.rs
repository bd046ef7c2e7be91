//! `/ghost/api/admin/posts/`: articles as Ghost posts. Reads are the
//! article API's (`articles::use_cases::{list, get}`); writes are its
//! create, update and delete, so roles, validation, versions, caches and
//! events are the same whichever door a text came through.
//!
//! - Ids are the article's id as a string.
//! - Statuses: `draft` (a draft, or an article in review or archived),
//!   `scheduled`, `published`; a `published` post dated in the future is
//!   scheduled.
//! - The text comes from `html` with `?source=html`, a `lexical` or a
//!   `mobiledoc` document (`documents`); it reads back as a one-card
//!   document, or `html` with `?formats=html`.
//! - Tags: by id, slug or name, created when missing; a tag naming a
//!   category (its id `category-{id}`, its slug or its name) files the
//!   post in that category, and is shown as the post's first tag
//!   (`tags`). Without one, a new post goes to the first root category.
//! - Authors by id, slug or email (a string is an email, as Ghost reads
//!   it); the caller's byline by default.
//! - `PUT` requires the `updated_at` the client read: when the post
//!   changed since, and the edit changes something, it is Ghost's 409
//!   `UpdateCollisionError` (the version check underneath closes the
//!   window between the comparison and the write).

use crate::content::authors::own_byline::Signers;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDateTime;
use serde_json::{Map, Value, json};

use super::caller::GhostCaller;
use super::documents;
use super::error::{Action, GhostError};
use super::shape::{self, Limit, Page, Query, Site};
use super::tags::category_tag_id;
use crate::auth::policy::acting_role;
use crate::auth::{Caller, Role};
use crate::content::Precondition;
use crate::content::articles::input::{ArticleCreate, ArticlePatch, FeaturedImageInput, SeoInput};
use crate::content::articles::lifecycle::ArticleStatus;
use crate::content::articles::list_params::{ArticleListQuery, Shape};
use crate::content::articles::use_cases::{self, Shaped, Start};
use crate::content::articles::views::ArticleView;
use crate::content::body::BodyFormat;
use crate::content::categories::views::CategoryView;
use crate::content::lookup::IdOrSlug;
use crate::content::patch::Patch;
use crate::content::tags::views::is_internal;
use crate::editors::mapping;
use crate::error::ApiError;
use crate::state::AppState;

const BROWSE: Action = Action::Browse("posts");
const READ: Action = Action::Read("post");
const ADD: Action = Action::Add("post");
const EDIT: Action = Action::Edit("post");
const DESTROY: Action = Action::Destroy("post");

/// Ghost's title limit (its schema's; the article's own, shorter, applies
/// after).
const MAX_TITLE_CHARS: usize = 2000;

/// Which renderings of the text a read returns (`formats`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Formats {
    html: bool,
    plaintext: bool,
    lexical: bool,
    mobiledoc: bool,
}

impl Formats {
    /// Default `mobiledoc,lexical`, as Ghost's admin API.
    fn parse(query: &Query, action: Action) -> Result<Self, GhostError> {
        let Some(raw) = query.get("formats") else {
            return Ok(Self {
                html: false,
                plaintext: false,
                lexical: true,
                mobiledoc: true,
            });
        };
        let mut formats = Self {
            html: false,
            plaintext: false,
            lexical: false,
            mobiledoc: false,
        };
        for name in raw.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            match name {
                "html" => formats.html = true,
                "plaintext" => formats.plaintext = true,
                "lexical" => formats.lexical = true,
                "mobiledoc" => formats.mobiledoc = true,
                _ => {
                    return Err(GhostError::validation(
                        action,
                        "formats",
                        "Validation failed for formats.",
                    ));
                }
            }
        }
        Ok(formats)
    }
}

/// A status as Ghost names it.
fn status_name(status: ArticleStatus) -> &'static str {
    match status {
        ArticleStatus::Published => "published",
        ArticleStatus::Scheduled => "scheduled",
        ArticleStatus::Draft | ArticleStatus::Review | ArticleStatus::Archived => "draft",
    }
}

fn status_from_ghost(raw: &str) -> Option<ArticleStatus> {
    match raw {
        "draft" => Some(ArticleStatus::Draft),
        "published" => Some(ArticleStatus::Published),
        "scheduled" => Some(ArticleStatus::Scheduled),
        _ => None,
    }
}

/// A UUID for a post, stable and derived from its id (articles have none
/// of their own).
fn uuid_of(id: i64) -> String {
    format!("00000000-0000-4000-8000-{:012x}", id.max(0))
}

fn term_json(id: String, name: &str, slug: &str, url: String) -> Value {
    json!({
        "id": id,
        "name": name,
        "slug": slug,
        "description": null,
        "feature_image": null,
        "visibility": if is_internal(name) { "internal" } else { "public" },
        "meta_title": null,
        "meta_description": null,
        "canonical_url": null,
        "accent_color": null,
        "url": url,
    })
}

/// An article as a Ghost post.
fn post_json(site: &Site, view: &ArticleView, formats: Formats) -> Value {
    let mut tags: Vec<Value> = Vec::new();
    if let Some(c) = &view.category {
        tags.push(term_json(
            category_tag_id(c.id),
            &c.name,
            &c.slug,
            format!("{}/category/{}/", site.home, c.slug),
        ));
    }
    tags.extend(view.tags.iter().map(|t| {
        term_json(
            t.id.to_string(),
            &t.name,
            &t.slug,
            format!("{}/tag/{}/", site.home, t.slug),
        )
    }));
    let authors: Vec<Value> = view
        .authors
        .iter()
        .map(|a| {
            json!({
                "id": a.id.to_string(),
                "name": a.name,
                "slug": a.slug,
                "email": null,
                "profile_image": null,
                "cover_image": null,
                "bio": null,
                "website": null,
                "location": null,
                "status": "active",
                "roles": [],
                "url": format!("{}/author/{}/", site.home, a.slug),
            })
        })
        .collect();
    let image = view.featured_image.as_ref();
    let body = view.body.clone().unwrap_or_default();
    let published = matches!(
        view.status,
        ArticleStatus::Published | ArticleStatus::Scheduled
    );
    let mut post = json!({
        "id": view.id.to_string(),
        "uuid": uuid_of(view.id),
        "title": view.title,
        "slug": view.slug,
        "comment_id": view.id.to_string(),
        "feature_image": image.map(|i| site.absolute(&i.url)),
        "feature_image_alt": image.and_then(|i| i.alt.clone()),
        "feature_image_caption": image.and_then(|i| i.caption.clone()),
        "featured": view.featured,
        "status": status_name(view.status),
        "visibility": "public",
        "created_at": shape::date(view.created_at),
        "updated_at": shape::date(view.updated_at),
        "published_at": view.published_at.filter(|_| published).map(shape::date),
        "custom_excerpt": if view.excerpt.is_empty() { Value::Null } else { json!(view.excerpt) },
        "excerpt": view.excerpt,
        "codeinjection_head": null,
        "codeinjection_foot": null,
        "custom_template": null,
        "canonical_url": view.seo.canonical_url,
        "url": if view.status == ArticleStatus::Published {
            site.permalink(&view.slug)
        } else {
            format!("{}/p/{}/", site.home, uuid_of(view.id))
        },
        "tags": tags,
        "authors": authors,
        "primary_tag": tags.first().cloned(),
        "primary_author": authors.first().cloned(),
        "reading_time": view.reading_time_minutes,
        "og_image": null, "og_title": null, "og_description": null,
        "twitter_image": null, "twitter_title": null, "twitter_description": null,
        "meta_title": view.seo.title,
        "meta_description": view.seo.description,
        "email_subject": null,
        "frontmatter": null,
        "email_only": false,
        "email_segment": "all",
        "email": null,
        "newsletter": null,
        "tiers": [],
    });
    if formats.lexical {
        post["lexical"] = json!(documents::to_lexical(view.body_format, &body));
    }
    if formats.mobiledoc {
        post["mobiledoc"] = json!(documents::to_mobiledoc(view.body_format, &body));
    }
    if formats.html {
        post["html"] = json!(view.body_html.clone().unwrap_or_default());
    }
    if formats.plaintext {
        post["plaintext"] = json!(crate::content::body::without_markup(
            &view.body_html.clone().unwrap_or_default()
        ));
    }
    post
}

/// `{"posts": [post]}`, without `meta`: the SDK unwraps a one-item array
/// only then.
fn one(status: StatusCode, site: &Site, view: &ArticleView, formats: Formats) -> HttpResponse {
    shape::json(
        status,
        &json!({ "posts": [post_json(site, view, formats)] }),
    )
}

fn post_id(raw: &str, action: Action) -> Result<i64, GhostError> {
    raw.parse::<i64>()
        .map_err(|_| GhostError::not_found(action, "Post not found."))
}

/// The post as `caller` may see it, as the article API's detail reads it
/// (the representation `update` checks a precondition against).
async fn current(
    state: &AppState,
    caller: &Caller,
    key: IdOrSlug,
    action: Action,
) -> Result<ArticleView, GhostError> {
    let shaped = use_cases::get(
        &state.content,
        caller,
        key,
        Shape {
            with_body: true,
            fields: None,
        },
    )
    .await
    .map_err(|e| match e {
        ApiError::NotFound(_) => GhostError::not_found(action, "Post not found."),
        other => GhostError::from_api(other, action),
    })?;
    match shaped {
        Shaped::Full(view) => Ok(*view),
        Shaped::Fields(_) => Err(GhostError::from_api(
            ApiError::Internal("a full view was asked for".to_owned()),
            action,
        )),
    }
}

/// What `filter` may say: `status`, `tag`/`tags`, `author`/`authors`,
/// `featured`, joined by `+`, each `key:value` or `key:[value]`.
#[derive(Debug, Default, PartialEq, Eq)]
struct Filter {
    status: Option<String>,
    tag: Option<String>,
    author: Option<String>,
    featured: Option<String>,
}

impl Filter {
    fn parse(raw: Option<&str>) -> Result<Self, GhostError> {
        let mut filter = Self::default();
        let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
            return Ok(filter);
        };
        let refused = |why: String| {
            GhostError::new(400, "BadRequestError", "Error parsing filter").with_context(why)
        };
        for clause in raw.split('+') {
            let (key, value) = clause
                .split_once(':')
                .ok_or_else(|| refused(format!("`{clause}` is not `key:value`")))?;
            let mut value = value.trim().trim_matches('\'').trim_matches('"');
            if let Some(inner) = value.strip_prefix('[').and_then(|v| v.strip_suffix(']')) {
                if inner.contains(',') {
                    return Err(refused(format!("`{key}` takes one value here, not a list")));
                }
                value = inner.trim();
            }
            let slot = match key.trim() {
                "status" => {
                    if status_from_ghost(value).is_none() {
                        return Err(refused(format!("`{value}` is not a post status")));
                    }
                    &mut filter.status
                }
                "tag" | "tags" | "primary_tag" => &mut filter.tag,
                "author" | "authors" | "primary_author" => &mut filter.author,
                "featured" => &mut filter.featured,
                other => {
                    return Err(refused(format!(
                        "posts cannot be filtered by `{other}` here (status, tag, author, featured)"
                    )));
                }
            };
            *slot = Some(value.to_owned());
        }
        Ok(filter)
    }
}

/// `GET posts/`: newest change first; `limit=all` reads every page.
pub async fn browse(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: GhostCaller,
) -> Result<HttpResponse, GhostError> {
    let query = Query::of(&req);
    let page = Page::parse(&query, BROWSE)?;
    let formats = Formats::parse(&query, BROWSE)?;
    let filter = Filter::parse(query.get("filter"))?;
    let site = Site::load(&req, &state, BROWSE).await?;
    let (offset, wanted) = match page.limit {
        Limit::All => (0, i64::MAX),
        Limit::Some(n) => (
            i64::from(page.page - 1).saturating_mul(i64::from(n)),
            i64::from(n),
        ),
    };
    let mut views: Vec<ArticleView> = Vec::new();
    let mut total = 0;
    loop {
        let per_page = (wanted - views.len() as i64).clamp(1, 100);
        let list = ArticleListQuery {
            per_page: Some(per_page.to_string()),
            sort: Some("-updated_at".to_owned()),
            status: filter
                .status
                .as_deref()
                .and_then(status_from_ghost)
                .map(|s| {
                    serde_json::to_value(s)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default()
                }),
            tag: filter.tag.clone(),
            author: filter.author.clone(),
            featured: filter.featured.clone(),
            include: Some("body".to_owned()),
            ..ArticleListQuery::default()
        }
        .parse(true)
        .map_err(|e| GhostError::from_api(e, BROWSE))?;
        let start = Start::Offset(offset + views.len() as i64);
        let found = match use_cases::list(&state.content, &caller.0, list, start).await {
            Ok(found) => found,
            // A tag or author that names nothing: no posts.
            Err(ApiError::NotFound(_)) => break,
            Err(e) => return Err(GhostError::from_api(e, BROWSE)),
        };
        total = found.total;
        let got = found.data.len() as i64;
        views.extend(found.data.into_iter().filter_map(|s| match s {
            Shaped::Full(view) => Some(*view),
            Shaped::Fields(_) => None,
        }));
        if got < per_page || views.len() as i64 >= wanted {
            break;
        }
    }
    let posts: Vec<Value> = views
        .iter()
        .map(|view| post_json(&site, view, formats))
        .collect();
    Ok(shape::json(
        StatusCode::OK,
        &json!({ "posts": posts, "meta": page.meta(total) }),
    ))
}

/// `GET posts/{id}/`.
pub async fn read(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: GhostCaller,
    id: web::Path<String>,
) -> Result<HttpResponse, GhostError> {
    let formats = Formats::parse(&Query::of(&req), READ)?;
    let view = current(&state, &caller.0, IdOrSlug::Id(post_id(&id, READ)?), READ).await?;
    let site = Site::load(&req, &state, READ).await?;
    Ok(one(StatusCode::OK, &site, &view, formats))
}

/// `GET posts/slug/{slug}/`.
pub async fn read_by_slug(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: GhostCaller,
    slug: web::Path<String>,
) -> Result<HttpResponse, GhostError> {
    let formats = Formats::parse(&Query::of(&req), READ)?;
    let view = current(&state, &caller.0, IdOrSlug::Slug(slug.into_inner()), READ).await?;
    let site = Site::load(&req, &state, READ).await?;
    Ok(one(StatusCode::OK, &site, &view, formats))
}

/// A field of the post object that may be absent, `null` or a value.
#[derive(Debug, Clone, PartialEq)]
enum Field<T> {
    Absent,
    Null,
    Value(T),
}

impl<T> Field<T> {
    fn value(self) -> Option<T> {
        match self {
            Self::Value(v) => Some(v),
            _ => None,
        }
    }
}

/// A tag as a post names it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum TagRef {
    Id(String),
    Slug(String),
    Name(String),
}

/// An author as a post names them.
#[derive(Debug, Clone, PartialEq, Eq)]
enum AuthorRef {
    Id(String),
    Slug(String),
    Email(String),
}

/// The post object of an add or an edit, read as Ghost's schema does:
/// unknown and read-only fields dropped, wrong types refused.
#[derive(Debug)]
struct PostInput {
    title: Field<String>,
    body: Option<documents::Body>,
    status: Option<ArticleStatus>,
    slug: Field<String>,
    custom_excerpt: Field<String>,
    published_at: Field<NaiveDateTime>,
    updated_at: Field<NaiveDateTime>,
    featured: Option<bool>,
    feature_image: Field<String>,
    feature_image_alt: Field<String>,
    feature_image_caption: Field<String>,
    meta_title: Field<String>,
    meta_description: Field<String>,
    canonical_url: Field<String>,
    tags: Option<Vec<TagRef>>,
    authors: Option<Vec<AuthorRef>>,
}

fn text_field(
    post: &Map<String, Value>,
    name: &str,
    action: Action,
) -> Result<Field<String>, GhostError> {
    match post.get(name) {
        None => Ok(Field::Absent),
        Some(Value::Null) => Ok(Field::Null),
        Some(Value::String(s)) => Ok(Field::Value(s.clone())),
        Some(_) => Err(GhostError::validation(
            action,
            name,
            format!("Validation failed for {name}."),
        )),
    }
}

fn date_field(
    post: &Map<String, Value>,
    name: &str,
    action: Action,
) -> Result<Field<NaiveDateTime>, GhostError> {
    match text_field(post, name, action)? {
        Field::Absent => Ok(Field::Absent),
        Field::Null => Ok(Field::Null),
        Field::Value(raw) => shape::parse_date(&raw).map(Field::Value).ok_or_else(|| {
            GhostError::validation(action, name, format!("Validation failed for {name}."))
        }),
    }
}

fn refs<T>(
    post: &Map<String, Value>,
    name: &str,
    action: Action,
    of_text: fn(String) -> T,
    of_object: fn(&Map<String, Value>) -> Option<T>,
) -> Result<Option<Vec<T>>, GhostError> {
    let invalid = || GhostError::validation(action, name, format!("Validation failed for {name}."));
    match post.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::String(s) if !s.trim().is_empty() => Ok(of_text(s.trim().to_owned())),
                Value::Object(o) => of_object(o).ok_or_else(invalid),
                _ => Err(invalid()),
            })
            .collect::<Result<Vec<T>, _>>()
            .map(Some),
        Some(_) => Err(invalid()),
    }
}

fn member(o: &Map<String, Value>, key: &str) -> Option<String> {
    o.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

impl PostInput {
    /// `{"posts": [{…}]}`; the text from `html` only with `?source=html`.
    fn parse(body: &Value, query: &Query, action: Action) -> Result<Self, GhostError> {
        let post = body
            .get("posts")
            .and_then(Value::as_array)
            .and_then(|posts| posts.first())
            .and_then(Value::as_object)
            .ok_or_else(|| {
                GhostError::validation(action, "posts", "Validation failed for posts.")
            })?;
        let title = text_field(post, "title", action)?;
        if let Field::Value(t) = &title
            && t.chars().count() > MAX_TITLE_CHARS
        {
            return Err(GhostError::validation(
                action,
                "title",
                "Validation failed for title.",
            ));
        }
        let from_html = query.get("source") == Some("html");
        let refuse_document = |field: &str, why: String| {
            GhostError::validation(
                action,
                field,
                format!("Validation failed for {field}: {why}."),
            )
        };
        let body = match (post.get("html"), post.get("lexical"), post.get("mobiledoc")) {
            (Some(Value::String(html)), _, _) if from_html => Some(documents::Body {
                format: BodyFormat::Html,
                text: html.clone(),
            }),
            (_, Some(lexical), _) if !lexical.is_null() => Some(
                documents::from_lexical(lexical).map_err(|why| refuse_document("lexical", why))?,
            ),
            (_, _, Some(mobiledoc)) if !mobiledoc.is_null() => Some(
                documents::from_mobiledoc(mobiledoc)
                    .map_err(|why| refuse_document("mobiledoc", why))?,
            ),
            _ => None,
        };
        let status = match text_field(post, "status", action)? {
            Field::Value(raw) => Some(status_from_ghost(&raw).ok_or_else(|| {
                GhostError::validation(action, "status", "Validation failed for status.")
            })?),
            _ => None,
        };
        let featured = match post.get("featured") {
            None | Some(Value::Null) => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(_) => {
                return Err(GhostError::validation(
                    action,
                    "featured",
                    "Validation failed for featured.",
                ));
            }
        };
        Ok(Self {
            title,
            body,
            status,
            slug: text_field(post, "slug", action)?,
            custom_excerpt: text_field(post, "custom_excerpt", action)?,
            published_at: date_field(post, "published_at", action)?,
            updated_at: date_field(post, "updated_at", action)?,
            featured,
            feature_image: text_field(post, "feature_image", action)?,
            feature_image_alt: text_field(post, "feature_image_alt", action)?,
            feature_image_caption: text_field(post, "feature_image_caption", action)?,
            meta_title: text_field(post, "meta_title", action)?,
            meta_description: text_field(post, "meta_description", action)?,
            canonical_url: text_field(post, "canonical_url", action)?,
            tags: refs(post, "tags", action, TagRef::Name, |o| {
                member(o, "id")
                    .map(TagRef::Id)
                    .or_else(|| member(o, "slug").map(TagRef::Slug))
                    .or_else(|| member(o, "name").map(TagRef::Name))
            })?,
            authors: refs(post, "authors", action, AuthorRef::Email, |o| {
                member(o, "id")
                    .map(AuthorRef::Id)
                    .or_else(|| member(o, "email").map(AuthorRef::Email))
                    .or_else(|| member(o, "slug").map(AuthorRef::Slug))
            })?,
        })
    }
}

/// The category and tags a post's `tags` name (`module` rules), checked
/// before anything is written; the missing tags' names, to create.
#[derive(Debug, Default)]
struct Terms {
    category: Option<i64>,
    tag_ids: Vec<i64>,
    new_names: Vec<String>,
}

impl Terms {
    async fn resolve(
        state: &AppState,
        categories: &[CategoryView],
        refs: &[TagRef],
        action: Action,
    ) -> Result<Self, GhostError> {
        let unknown = |what: String| {
            GhostError::validation(
                action,
                "tags",
                format!("Validation failed for tags: {what}."),
            )
        };
        let tags = crate::content::tags::use_cases::all(&state.content, true)
            .await
            .map_err(|e| GhostError::from_api(e, action))?;
        let mut terms = Self::default();
        for r in refs {
            let category = match r {
                TagRef::Id(id) => id
                    .strip_prefix("category-")
                    .and_then(|n| n.parse::<i64>().ok())
                    .and_then(|n| categories.iter().find(|c| c.id == n)),
                TagRef::Slug(slug) => categories.iter().find(|c| &c.slug == slug),
                TagRef::Name(name) => categories
                    .iter()
                    .filter(|c| c.name.to_lowercase() == name.to_lowercase())
                    .min_by_key(|c| (c.path.len(), c.id)),
            };
            if let Some(c) = category {
                if terms.category.is_none() {
                    terms.category = Some(c.id);
                }
                continue;
            }
            let tag = match r {
                TagRef::Id(id) => Some(
                    id.parse::<i64>()
                        .ok()
                        .and_then(|n| tags.iter().find(|t| t.id == n))
                        .ok_or_else(|| unknown(format!("no tag has the id {id}")))?,
                ),
                TagRef::Slug(slug) => tags.iter().find(|t| &t.slug == slug),
                TagRef::Name(name) => tags
                    .iter()
                    .find(|t| t.name.to_lowercase() == name.to_lowercase()),
            };
            match (tag, r) {
                (Some(t), _) if !terms.tag_ids.contains(&t.id) => terms.tag_ids.push(t.id),
                (Some(_), _) => {}
                (None, TagRef::Slug(name) | TagRef::Name(name)) => {
                    if !terms
                        .new_names
                        .iter()
                        .any(|n| n.to_lowercase() == name.to_lowercase())
                    {
                        terms.new_names.push(name.clone());
                    }
                }
                (None, TagRef::Id(_)) => {}
            }
        }
        Ok(terms)
    }

    /// The tag ids, the missing ones created now (by `caller`).
    async fn tag_ids(
        self,
        state: &AppState,
        caller: &Caller,
        action: Action,
    ) -> Result<Vec<i64>, GhostError> {
        let mut ids = self.tag_ids;
        for id in mapping::tags_by_name(&state.db, caller, self.new_names)
            .await
            .map_err(|e| GhostError::from_api(e, action))?
        {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        Ok(ids)
    }
}

/// The bylines `authors` names.
async fn bylines(
    state: &AppState,
    refs: &[AuthorRef],
    action: Action,
) -> Result<Vec<i64>, GhostError> {
    let refs = refs.to_vec();
    state
        .db
        .read(move |conn| {
            let mut ids = Vec::new();
            for r in &refs {
                let id = match r {
                    AuthorRef::Email(email) => {
                        crate::accounts::users::queries::byline_of_email(conn, email)?.flatten()
                    }
                    AuthorRef::Id(id) => match id.parse::<i64>() {
                        Ok(n) => crate::content::authors::queries::find(conn, &IdOrSlug::Id(n))?
                            .map(|a| a.id),
                        Err(_) => None,
                    },
                    AuthorRef::Slug(slug) => {
                        crate::content::authors::queries::find(conn, &IdOrSlug::Slug(slug.clone()))?
                            .map(|a| a.id)
                    }
                };
                match id {
                    Some(id) if !ids.contains(&id) => ids.push(id),
                    Some(_) => {}
                    None => {
                        let named = match r {
                            AuthorRef::Email(s) | AuthorRef::Id(s) | AuthorRef::Slug(s) => s,
                        };
                        return Err(ApiError::Validation(vec![crate::error::FieldError::new(
                            "authors",
                            "unknown_author",
                            format!("no author is `{named}`"),
                        )]));
                    }
                }
            }
            Ok(ids)
        })
        .await
        .map_err(|e| GhostError::from_api(e, action))
}

/// Ghost's refusals by role, decided before anything is written: a
/// contributor publishes nothing; authors and contributors sign their own
/// posts only.
fn check_role(
    caller: &Caller,
    status: ArticleStatus,
    authors: &[i64],
    action: Action,
) -> Result<(), GhostError> {
    let Some(role) = acting_role(caller) else {
        return Err(GhostError::no_permission(
            action,
            "This key's account may not write posts.",
        ));
    };
    if role == Role::Contributor
        && matches!(
            status,
            ArticleStatus::Published | ArticleStatus::Scheduled | ArticleStatus::Archived
        )
    {
        return Err(GhostError::no_permission(
            action,
            "Contributors can only save drafts; an editor publishes.",
        ));
    }
    if matches!(role, Role::Author | Role::Contributor) {
        let mine = caller.account().and_then(|a| a.author_id);
        if !authors.iter().any(|a| Some(*a) == mine) {
            return Err(GhostError::no_permission(
                action,
                "Authors and contributors sign their own posts.",
            ));
        }
    }
    Ok(())
}

/// The featured image a post names: one of ours (by its upload's URL) is
/// the media object, with the post's alt and caption; another URL is an
/// external image.
async fn featured_image(
    state: &AppState,
    site: &Site,
    input: &PostInput,
    action: Action,
) -> Result<Field<(Option<i64>, FeaturedImageInput)>, GhostError> {
    let url = match &input.feature_image {
        Field::Absent => return Ok(Field::Absent),
        Field::Null => return Ok(Field::Null),
        Field::Value(url) if url.trim().is_empty() => return Ok(Field::Null),
        Field::Value(url) => url.trim().to_owned(),
    };
    let media_id = crate::content::media::use_cases::id_of_url(&state.media, &site.origin, &url)
        .await
        .map_err(|e| GhostError::from_api(e, action))?;
    let texts = FeaturedImageInput {
        url: media_id.is_none().then(|| url.clone()),
        alt: input.feature_image_alt.clone().value(),
        caption: input.feature_image_caption.clone().value(),
        credit: None,
        width: None,
        height: None,
    };
    Ok(Field::Value((media_id, texts)))
}

fn seo(input: &PostInput) -> Option<SeoInput> {
    let to_patch = |f: &Field<String>| match f {
        Field::Absent => Patch::Absent,
        Field::Null => Patch::Null,
        Field::Value(v) => Patch::Value(v.clone()),
    };
    let seo = SeoInput {
        title: to_patch(&input.meta_title),
        description: to_patch(&input.meta_description),
        canonical_url: to_patch(&input.canonical_url),
    };
    (!(seo.title.is_absent() && seo.description.is_absent() && seo.canonical_url.is_absent()))
        .then_some(seo)
}

/// The status a write asks for, a `published` one dated in the future
/// being scheduled.
fn wanted_status(status: ArticleStatus, at: Option<NaiveDateTime>) -> ArticleStatus {
    mapping::scheduled_if_future(status, at.map(|at| at.and_utc()))
}

/// `POST posts/`: a draft unless `status` says otherwise, signed by the
/// caller unless `authors` names others.
pub async fn add(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: GhostCaller,
    payload: web::Payload,
) -> Result<HttpResponse, GhostError> {
    let query = Query::of(&req);
    let formats = Formats::parse(&query, ADD)?;
    if acting_role(&caller.0).is_none() {
        return Err(GhostError::no_permission(
            ADD,
            "This key's account may not write posts.",
        ));
    }
    let body = shape::read_json(&req, &state, payload, ADD).await?;
    let input = PostInput::parse(&body, &query, ADD)?;
    let title = match &input.title {
        Field::Value(t) if !t.trim().is_empty() => t.clone(),
        _ => {
            return Err(GhostError::validation(
                ADD,
                "title",
                "Validation failed for title.",
            ));
        }
    };
    let site = Site::load(&req, &state, ADD).await?;
    // The authors named, or the caller's own byline (created with the post
    // when the account has none, `own_byline`).
    let given = match &input.authors {
        Some(refs) if !refs.is_empty() => Some(bylines(&state, refs, ADD).await?),
        _ => None,
    };
    let Some(signers) = Signers::for_new_article(&caller.0, given.clone()) else {
        return Err(GhostError::no_permission(
            ADD,
            "This key's account may not write posts.",
        ));
    };
    let published_at = input.published_at.clone().value();
    let status = wanted_status(input.status.unwrap_or(ArticleStatus::Draft), published_at);
    check_role(&signers.acting, status, &signers.author_ids, ADD)?;
    let categories = crate::content::categories::use_cases::list(&state.content, None)
        .await
        .map_err(|e| GhostError::from_api(e, ADD))?;
    let terms = Terms::resolve(
        &state,
        &categories,
        input.tags.as_deref().unwrap_or(&[]),
        ADD,
    )
    .await?;
    let category_id = match terms.category {
        Some(id) => id,
        None => mapping::default_category(&categories).map_err(|e| GhostError::from_api(e, ADD))?,
    };
    let featured = featured_image(&state, &site, &input, ADD).await?;
    let tag_ids = terms.tag_ids(&state, &caller.0, ADD).await?;
    let body = input.body.clone().unwrap_or(documents::Body {
        format: BodyFormat::Markdown,
        text: String::new(),
    });
    let (featured_image_id, featured_image) = match featured.value() {
        Some((Some(id), texts)) => (Some(id), Some(texts)),
        Some((None, texts)) => (None, Some(texts)),
        None => (None, None),
    };
    let create = ArticleCreate {
        title: Some(title),
        body: Some(body.text),
        body_format: Some(body.format),
        excerpt: input
            .custom_excerpt
            .clone()
            .value()
            .filter(|e| !e.trim().is_empty()),
        slug: input.slug.clone().value().filter(|s| !s.trim().is_empty()),
        status: Some(status),
        published_at: published_at.map(|at| at.and_utc()),
        category_id: Some(category_id),
        author_ids: given,
        tag_ids: Some(tag_ids),
        featured_image_id,
        featured_image,
        seo: seo(&input),
        featured: input.featured,
        sponsored: None,
        comments_enabled: None,
        language: None,
    };
    let view = use_cases::create(&state.content, caller.0.clone(), create)
        .await
        .map_err(|e| GhostError::from_api(e, ADD))?;
    let view = current(&state, &caller.0, IdOrSlug::Id(view.id), ADD).await?;
    Ok(one(StatusCode::CREATED, &site, &view, formats))
}

/// What an edit changes, and the names of the fields it changes (for
/// the collision's `details`).
struct Edit {
    patch: ArticlePatch,
    changed: Vec<&'static str>,
    status: Option<ArticleStatus>,
    authors: Option<Vec<i64>>,
}

async fn edit_of(
    state: &AppState,
    site: &Site,
    view: &ArticleView,
    input: &PostInput,
) -> Result<(Edit, Option<Terms>), GhostError> {
    let mut patch = ArticlePatch::default();
    let mut changed = Vec::new();
    if let Field::Value(title) = &input.title
        && title != &view.title
    {
        patch.title = Patch::Value(title.clone());
        changed.push("title");
    }
    if let Some(body) = &input.body
        && (Some(&body.text) != view.body.as_ref() || body.format != view.body_format)
    {
        patch.body = Patch::Value(body.text.clone());
        patch.body_format = Patch::Value(body.format);
        changed.push(match body.format {
            BodyFormat::Markdown => "mobiledoc",
            BodyFormat::Html => "html",
        });
    }
    match &input.custom_excerpt {
        Field::Value(e) if e != &view.excerpt => {
            patch.excerpt = Patch::Value(e.clone());
            changed.push("custom_excerpt");
        }
        Field::Null if !view.excerpt.is_empty() => {
            patch.excerpt = Patch::Value(String::new());
            changed.push("custom_excerpt");
        }
        _ => {}
    }
    if let Field::Value(slug) = &input.slug
        && !slug.trim().is_empty()
        && slug != &view.slug
    {
        patch.slug = Patch::Value(slug.clone());
        changed.push("slug");
    }
    let date = match &input.published_at {
        Field::Value(at) => Some(*at),
        _ => view.published_at,
    };
    if let Field::Value(at) = &input.published_at
        && Some(shape::to_millis(*at)) != view.published_at.map(shape::to_millis)
    {
        patch.published_at = Patch::Value(at.and_utc());
        changed.push("published_at");
    }
    // `draft` sent back for an article in review (shown as a draft)
    // changes nothing.
    let status = input.status.map(|s| wanted_status(s, date)).filter(|s| {
        *s != view.status && !(*s == ArticleStatus::Draft && status_name(view.status) == "draft")
    });
    if let Some(s) = status {
        patch.status = Patch::Value(s);
        changed.push("status");
    }
    if let Some(featured) = input.featured
        && featured != view.featured
    {
        patch.featured = Patch::Value(featured);
        changed.push("featured");
    }
    let authors = match &input.authors {
        Some(refs) if !refs.is_empty() => {
            let ids = bylines(state, refs, EDIT).await?;
            let now: Vec<i64> = view.authors.iter().map(|a| a.id).collect();
            (ids != now).then_some(ids)
        }
        _ => None,
    };
    if let Some(ids) = &authors {
        patch.author_ids = Patch::Value(ids.clone());
        changed.push("authors");
    }
    let mut terms = None;
    if let Some(refs) = &input.tags {
        let categories = crate::content::categories::use_cases::list(&state.content, None)
            .await
            .map_err(|e| GhostError::from_api(e, EDIT))?;
        let resolved = Terms::resolve(state, &categories, refs, EDIT).await?;
        if let Some(c) = resolved.category
            && Some(c) != view.category.as_ref().map(|c| c.id)
        {
            patch.category_id = Patch::Value(c);
            changed.push("tags");
        }
        let now: Vec<i64> = view.tags.iter().map(|t| t.id).collect();
        if resolved.tag_ids != now || !resolved.new_names.is_empty() {
            if !changed.contains(&"tags") {
                changed.push("tags");
            }
            terms = Some(resolved);
        }
    }
    match featured_image(state, site, input, EDIT).await? {
        Field::Absent => {}
        Field::Null => {
            if view.featured_image.is_some() {
                patch.clear_featured_image();
                changed.push("feature_image");
            }
        }
        Field::Value((media_id, texts)) => {
            let current = view.featured_image.as_ref();
            let same = match media_id {
                Some(id) => current.and_then(|i| i.id) == Some(id),
                None => current.map(|i| &i.url) == texts.url.as_ref(),
            } && current.and_then(|i| i.alt.clone()) == texts.alt
                && current.and_then(|i| i.caption.clone()) == texts.caption;
            if !same {
                patch.set_featured_image(media_id, texts);
                changed.push("feature_image");
            }
        }
    }
    if let Some(seo) = seo(input) {
        let differs = |p: &Patch<String>, now: &Option<String>| match p {
            Patch::Absent => false,
            Patch::Null => now.is_some(),
            Patch::Value(v) => now.as_ref() != Some(v),
        };
        if differs(&seo.title, &view.seo.title)
            || differs(&seo.description, &view.seo.description)
            || differs(&seo.canonical_url, &view.seo.canonical_url)
        {
            patch.seo = Patch::Value(seo);
            changed.push("meta_title");
        }
    }
    Ok((
        Edit {
            patch,
            changed,
            status,
            authors,
        },
        terms,
    ))
}

/// `PUT posts/{id}/`: only the fields sent change; `updated_at` is
/// required (Ghost's collision check).
pub async fn edit(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: GhostCaller,
    id: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, GhostError> {
    let query = Query::of(&req);
    let formats = Formats::parse(&query, EDIT)?;
    let id = post_id(&id, EDIT)?;
    let body = shape::read_json(&req, &state, payload, EDIT).await?;
    let input = PostInput::parse(&body, &query, EDIT)?;
    let view = current(&state, &caller.0, IdOrSlug::Id(id), EDIT).await?;
    let client_updated_at = match input.updated_at {
        Field::Value(at) => at,
        _ => {
            return Err(GhostError::validation(
                EDIT,
                "updated_at",
                "Validation failed for updated_at.",
            )
            .with_details(json!([{
                "instancePath": "/posts/0",
                "keyword": "required",
                "params": { "missingProperty": "updated_at" },
                "message": "must have required property 'updated_at'",
            }])));
        }
    };
    let site = Site::load(&req, &state, EDIT).await?;
    let (edit, terms) = edit_of(&state, &site, &view, &input).await?;
    if edit.changed.is_empty() {
        return Ok(one(StatusCode::OK, &site, &view, formats));
    }
    if shape::to_millis(client_updated_at) != shape::to_millis(view.updated_at) {
        return Err(collision(&edit.changed, client_updated_at, view.updated_at));
    }
    if edit.status.is_some() || edit.authors.is_some() {
        let authors = edit
            .authors
            .clone()
            .unwrap_or_else(|| view.authors.iter().map(|a| a.id).collect());
        check_role(
            &caller.0,
            edit.status.unwrap_or(view.status),
            &authors,
            EDIT,
        )?;
    }
    let mut patch = edit.patch;
    if let Some(terms) = terms {
        patch.tag_ids = Patch::Value(terms.tag_ids(&state, &caller.0, EDIT).await?);
    }
    let expected =
        crate::http::conditional::etag_of_view(&view).map_err(|e| GhostError::from_api(e, EDIT))?;
    let updated = use_cases::update(
        &state.content,
        caller.0.clone(),
        IdOrSlug::Id(id),
        Precondition::IfMatch(expected),
        patch,
    )
    .await;
    match updated {
        Ok(_) => {}
        Err(ApiError::PreconditionFailed) => {
            let now = current(&state, &caller.0, IdOrSlug::Id(id), EDIT).await?;
            return Err(collision(&edit.changed, client_updated_at, now.updated_at));
        }
        Err(e) => return Err(GhostError::from_api(e, EDIT)),
    }
    let view = current(&state, &caller.0, IdOrSlug::Id(id), EDIT).await?;
    Ok(one(StatusCode::OK, &site, &view, formats))
}

fn collision(changed: &[&str], client: NaiveDateTime, server: NaiveDateTime) -> GhostError {
    GhostError::collision(json!({
        "changedFields": changed,
        "clientUpdatedAt": shape::date(client),
        "serverUpdatedAt": shape::date(server),
    }))
}

/// `DELETE posts/{id}/`: 204 with no body.
pub async fn destroy(
    state: web::Data<AppState>,
    caller: GhostCaller,
    id: web::Path<String>,
) -> Result<HttpResponse, GhostError> {
    let id = post_id(&id, DESTROY)?;
    use_cases::delete(
        &state.content,
        caller.0.clone(),
        IdOrSlug::Id(id),
        Precondition::Any,
    )
    .await
    .map_err(|e| match e {
        ApiError::NotFound(_) => GhostError::not_found(DESTROY, "Post not found."),
        other => GhostError::from_api(other, DESTROY),
    })?;
    Ok(HttpResponse::NoContent()
        .insert_header((actix_web::http::header::CACHE_CONTROL, shape::NO_CACHE))
        .finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_read_the_sdks_forms() {
        assert_eq!(
            Filter::parse(Some("status:draft")).unwrap(),
            Filter {
                status: Some("draft".to_owned()),
                ..Filter::default()
            }
        );
        assert_eq!(
            Filter::parse(Some("status:[published]+tag:'diplomatie'")).unwrap(),
            Filter {
                status: Some("published".to_owned()),
                tag: Some("diplomatie".to_owned()),
                ..Filter::default()
            }
        );
        for bad in [
            "status:brouillon",
            "title:x",
            "status",
            "status:[draft,published]",
        ] {
            let e = Filter::parse(Some(bad)).unwrap_err();
            assert_eq!(
                (e.status.as_u16(), e.kind),
                (400, "BadRequestError"),
                "{bad}"
            );
        }
    }

    #[test]
    fn statuses_map_both_ways() {
        for name in ["draft", "published", "scheduled"] {
            assert_eq!(status_name(status_from_ghost(name).unwrap()), name);
        }
        assert_eq!(status_name(ArticleStatus::Review), "draft");
        assert_eq!(status_from_ghost("sent"), None);
    }

    #[test]
    fn formats_default_to_the_documents() {
        let q = Query::parse;
        let d = Formats::parse(&q(""), READ).unwrap();
        assert!(d.lexical && d.mobiledoc && !d.html);
        let h = Formats::parse(&q("formats=html"), READ).unwrap();
        assert!(h.html && !h.lexical && !h.mobiledoc);
        assert!(Formats::parse(&q("formats=html,pdf"), READ).is_err());
    }
}
