//! Posts through MetaWeblog and Movable Type: what MarsEdit, Open Live
//! Writer and Word send. Each call becomes the article API's own create,
//! update, read or delete (`content::articles::use_cases`), so policy,
//! validation, versions, caches and events are the API's; `editors::mapping`
//! translates.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde_json::Value as Json;

use super::fault::Fault;
use super::server::{Call, fault_of};
use super::value::Value;
use crate::auth::policy::{self, ArticleAction, ArticleFacts};
use crate::auth::{Caller, Role};
use crate::content::Precondition;
use crate::content::articles::input::{ArticleCreate, ArticlePatch};
use crate::content::articles::lifecycle::ArticleStatus;
use crate::content::articles::list_params::Shape;
use crate::content::articles::use_cases::{self, Shaped};
use crate::content::authors::own_byline::Signers;
use crate::content::body::BodyFormat;
use crate::content::categories::views::CategoryView;
use crate::content::lookup::IdOrSlug;
use crate::content::patch::Patch;
use crate::editors::mapping;
use crate::error::ApiError;

/// How many posts `metaWeblog.getRecentPosts` gives at most.
const MAX_RECENT: i64 = 100;

pub(super) fn not_allowed_to_publish() -> Fault {
    Fault::not_allowed("Sorry, you are not allowed to publish posts on this site.")
}

/// Who signs a post written through an editor: the account's byline,
/// created with the post when the account has none (`own_byline`).
pub(super) fn signers(caller: &Caller) -> Result<Signers, Fault> {
    Signers::for_new_article(caller, None)
        .ok_or_else(|| Fault::not_allowed("Sorry, you are not allowed to create posts."))
}

pub(super) async fn categories(call: &Call<'_>) -> Result<Vec<CategoryView>, Fault> {
    crate::content::categories::use_cases::list(&call.state.content, None)
        .await
        .map_err(fault_of)
}

/// The article as the API shows it to `caller` (newsroom fields included).
pub(super) async fn article(call: &Call<'_>, caller: &Caller, id: i64) -> Result<Json, Fault> {
    let shaped = use_cases::get(
        &call.state.content,
        caller,
        IdOrSlug::Id(id),
        Shape {
            with_body: true,
            fields: None,
        },
    )
    .await
    .map_err(|e| match e {
        ApiError::NotFound(_) => Fault::not_found("Invalid post ID."),
        other => fault_of(other),
    })?;
    let json = match shaped {
        Shaped::Full(view) => serde_json::to_value(*view),
        Shaped::Fields(json) => Ok(json),
    };
    json.map_err(|e| fault_of(ApiError::Internal(e.to_string())))
}

/// Authors and contributors edit what they sign, as in WordPress (401).
pub(super) fn may_edit(caller: &Caller, article: &Json) -> Result<(), Fault> {
    let Some(account) = caller.account() else {
        return Err(Fault::not_allowed(
            "Sorry, you are not allowed to edit this post.",
        ));
    };
    if matches!(account.role, Role::Admin | Role::Editor) {
        return Ok(());
    }
    let signs = article["authors"]
        .as_array()
        .is_some_and(|a| a.iter().any(|b| b["id"].as_i64() == account.author_id));
    if signs {
        Ok(())
    } else {
        Err(Fault::not_allowed(
            "Sorry, you are not allowed to edit this post.",
        ))
    }
}

fn text_member(content: &Value, name: &str) -> Option<String> {
    content
        .member(name)
        .filter(|v| !matches!(v, Value::Nil))
        .and_then(Value::as_text)
}

fn names_member(content: &Value, name: &str) -> Option<Vec<String>> {
    match content.member(name)? {
        Value::Array(items) => Some(items.iter().filter_map(Value::as_text).collect()),
        Value::String(s) => Some(vec![s.clone()]),
        _ => None,
    }
}

/// The status a MetaWeblog call asks for: `post_status` when it is one,
/// else the `publish` flag (WordPress's rule: an edit with `publish`
/// false and no status is a draft).
fn requested_status(content: &Value, publish: bool) -> Result<ArticleStatus, Fault> {
    match text_member(content, "post_status").filter(|s| !s.trim().is_empty()) {
        Some(raw) => mapping::status_from_wordpress(&raw).map_err(Fault::bad_params),
        None if publish => Ok(ArticleStatus::Published),
        None => Ok(ArticleStatus::Draft),
    }
}

/// The post's date in UTC, from `date_created_gmt` or `dateCreated`.
async fn requested_date(call: &Call<'_>, content: &Value) -> Result<Option<DateTime<Utc>>, Fault> {
    let date = |name: &str| content.member(name).and_then(Value::as_date);
    let (gmt, local) = (date("date_created_gmt"), date("dateCreated"));
    if gmt.is_none() && local.is_none() {
        return Ok(None);
    }
    let site = call.state.site.settings().await.map_err(fault_of)?;
    Ok(mapping::post_date(gmt, local, site.timezone.tz()).map(|at| at.and_utc()))
}

/// A publish with a date to come is a scheduled post.
pub(super) fn scheduled_if_future(
    status: ArticleStatus,
    at: Option<DateTime<Utc>>,
) -> ArticleStatus {
    mapping::scheduled_if_future(status, at)
}

fn thumbnail(content: &Value) -> Option<Option<i64>> {
    let value = content.member("wp_post_thumbnail")?;
    Some(match value {
        Value::Struct(_) => value.member("attachment_id").and_then(Value::as_int),
        Value::Array(_) | Value::Nil => None,
        other => other.as_int().filter(|id| *id > 0),
    })
}

fn comments(content: &Value) -> Option<bool> {
    match content.member("mt_allow_comments")? {
        // Open Live Writer: 0 none (the default), 1 open, 2 closed.
        Value::Int(n) => Some(*n == 1),
        other => other.as_bool(),
    }
}

/// Whether `caller` may take the article `current` to `status` (a
/// contributor never publishes): checked before anything is written.
pub(super) fn may_move_to(
    caller: &Caller,
    current: &Json,
    status: ArticleStatus,
) -> Result<(), Fault> {
    let current_status: ArticleStatus =
        serde_json::from_value(current["status"].clone()).unwrap_or(ArticleStatus::Draft);
    let authors: Vec<i64> = current["authors"]
        .as_array()
        .map(|a| a.iter().filter_map(|b| b["id"].as_i64()).collect())
        .unwrap_or_default();
    policy::authorize_article(
        caller,
        ArticleAction::Update,
        &ArticleFacts {
            current_authors: &authors,
            current_status: Some(current_status),
            new_authors: &authors,
            new_status: status,
        },
    )
    .map_err(|_| Fault::not_allowed("Sorry, you are not allowed to publish this post."))
}

/// `metaWeblog.newPost(blogid, user, password, struct, publish)`.
pub async fn new_post(call: &Call<'_>) -> Result<Value, Fault> {
    let caller = call.sign_in(1).await?;
    let content = call.params.structure(3, "content")?;
    let publish = call.params.optional_bool(4, "publish")?.unwrap_or(false);
    let signers = signers(&caller)?;
    let published_at = requested_date(call, content).await?;
    let status = scheduled_if_future(requested_status(content, publish)?, published_at);
    // The role is checked before anything is written (a new tag included).
    policy::authorize_article(
        &signers.acting,
        ArticleAction::Create,
        &ArticleFacts {
            current_authors: &[],
            current_status: None,
            new_authors: &signers.author_ids,
            new_status: status,
        },
    )
    .map_err(|_| not_allowed_to_publish())?;
    let all = categories(call).await?;
    let named = names_member(content, "categories").unwrap_or_default();
    let category_id = match mapping::find_categories(&all, &named)
        .map_err(fault_of)?
        .first()
    {
        Some(id) => *id,
        None => mapping::default_category(&all).map_err(fault_of)?,
    };
    let tag_names = text_member(content, "mt_keywords")
        .map(|k| mapping::keywords(&k))
        .unwrap_or_default();
    let tag_ids = mapping::tags_by_name(&call.state.db, &caller, tag_names)
        .await
        .map_err(fault_of)?;
    let body = mapping::join_more(
        &text_member(content, "description").unwrap_or_default(),
        text_member(content, "mt_text_more").as_deref(),
    );
    let input = ArticleCreate {
        title: Some(text_member(content, "title").unwrap_or_default()),
        body: Some(body),
        body_format: Some(BodyFormat::Html),
        excerpt: text_member(content, "mt_excerpt").filter(|e| !e.trim().is_empty()),
        slug: text_member(content, "wp_slug").filter(|s| !s.trim().is_empty()),
        status: Some(status),
        published_at,
        category_id: Some(category_id),
        author_ids: None,
        tag_ids: Some(tag_ids),
        featured_image_id: thumbnail(content).flatten(),
        featured_image: None,
        seo: None,
        featured: content.member("sticky").and_then(Value::as_bool),
        sponsored: None,
        comments_enabled: comments(content),
        language: None,
    };
    let view = use_cases::create(&call.state.content, caller, input)
        .await
        .map_err(fault_of)?;
    Ok(Value::string(view.id.to_string()))
}

/// `metaWeblog.editPost(postid, user, password, struct, publish)`: only
/// what is sent changes (tags too: a missing `mt_keywords` keeps them,
/// where WordPress would clear them).
pub async fn edit_post(call: &Call<'_>) -> Result<Value, Fault> {
    let id = call.params.id(0, "postid")?;
    let caller = call.sign_in(1).await?;
    let content = call.params.structure(3, "content")?;
    let publish = call.params.optional_bool(4, "publish")?.unwrap_or(false);
    let current = article(call, &caller, id).await?;
    may_edit(&caller, &current)?;
    let published_at = requested_date(call, content).await?;
    let status = scheduled_if_future(requested_status(content, publish)?, published_at);
    may_move_to(&caller, &current, status)?;
    let mut patch = ArticlePatch {
        status: Patch::Value(status),
        ..ArticlePatch::default()
    };
    if let Some(title) = text_member(content, "title") {
        patch.title = Patch::Value(title);
    }
    if let Some(main) = text_member(content, "description") {
        patch.body = Patch::Value(mapping::join_more(
            &main,
            text_member(content, "mt_text_more").as_deref(),
        ));
        patch.body_format = Patch::Value(BodyFormat::Html);
    }
    if let Some(excerpt) = text_member(content, "mt_excerpt") {
        patch.excerpt = Patch::Value(excerpt);
    }
    if let Some(slug) = text_member(content, "wp_slug").filter(|s| !s.trim().is_empty()) {
        patch.slug = Patch::Value(slug);
    }
    if let Some(at) = published_at {
        patch.published_at = Patch::Value(at);
    }
    if let Some(names) = names_member(content, "categories").filter(|n| !n.is_empty()) {
        let all = categories(call).await?;
        if let Some(first) = mapping::find_categories(&all, &names)
            .map_err(fault_of)?
            .first()
        {
            patch.category_id = Patch::Value(*first);
        }
    }
    if let Some(keywords) = text_member(content, "mt_keywords") {
        let ids = mapping::tags_by_name(&call.state.db, &caller, mapping::keywords(&keywords))
            .await
            .map_err(fault_of)?;
        patch.tag_ids = Patch::Value(ids);
    }
    // Resending the same image is no change (WordPress wrongly faults).
    match thumbnail(content) {
        Some(Some(media)) => patch.featured_image_id = Patch::Value(media),
        Some(None) if !current["featured_image"].is_null() => {
            patch.featured_image_id = Patch::Null;
        }
        _ => {}
    }
    if let Some(open) = comments(content) {
        patch.comments_enabled = Patch::Value(open);
    }
    update_article(
        call,
        caller,
        id,
        patch,
        "Sorry, you are not allowed to edit this post.",
    )
    .await?;
    Ok(Value::Bool(true))
}

pub(super) fn date_of(json: &Json) -> Option<chrono::NaiveDateTime> {
    json.as_str().and_then(crate::timestamp::parse_rfc3339)
}

/// What writing posts out needs, read once per call rather than once per
/// post: the site's zone and home, and the categories.
pub(super) struct Rendering {
    pub zone: chrono_tz::Tz,
    pub home: String,
    pub categories: Vec<CategoryView>,
}

impl Rendering {
    pub(super) async fn load(call: &Call<'_>) -> Result<Self, Fault> {
        let site = call.state.site.settings().await.map_err(fault_of)?;
        Ok(Self {
            zone: site.timezone.tz(),
            home: site.frontend_url.unwrap_or_else(|| call.origin.clone()),
            categories: categories(call).await?,
        })
    }
}

/// An article as a MetaWeblog post struct (`postid` an int in getPost, a
/// string in getRecentPosts, as WordPress).
fn post_struct(r: &Rendering, a: &Json, id_as_int: bool) -> Value {
    let zone = r.zone;
    let home = &r.home;
    let id = a["id"].as_i64().unwrap_or_default();
    let created = date_of(&a["published_at"])
        .or_else(|| date_of(&a["created_at"]))
        .unwrap_or_default();
    let local = created.and_utc().with_timezone(&zone).naive_local();
    let modified = date_of(&a["updated_at"]).unwrap_or(created);
    let body = a["body"].as_str().unwrap_or_default();
    let (main, more) = mapping::split_more(body);
    let status: ArticleStatus =
        serde_json::from_value(a["status"].clone()).unwrap_or(ArticleStatus::Draft);
    let author = &a["authors"][0];
    let link = format!("{home}/{}/", a["slug"].as_str().unwrap_or_default());
    let text = |v: &Json| Value::string(v.as_str().unwrap_or_default());
    let tags: Vec<&str> = a["tags"]
        .as_array()
        .map(|t| t.iter().filter_map(|t| t["name"].as_str()).collect())
        .unwrap_or_default();
    Value::structure([
        ("dateCreated", Value::DateTime(super::Date::unzoned(local))),
        (
            "userid",
            Value::string(author["id"].as_i64().unwrap_or_default().to_string()),
        ),
        (
            "postid",
            if id_as_int {
                Value::Int(id)
            } else {
                Value::string(id.to_string())
            },
        ),
        ("description", Value::string(main)),
        ("title", text(&a["title"])),
        ("link", Value::string(link.clone())),
        ("permaLink", Value::string(link)),
        (
            "categories",
            Value::Array(
                a["category"]["name"]
                    .as_str()
                    .map(Value::string)
                    .into_iter()
                    .collect(),
            ),
        ),
        ("mt_excerpt", text(&a["excerpt"])),
        ("mt_text_more", Value::string(more)),
        ("wp_more_text", Value::string("")),
        (
            "mt_allow_comments",
            Value::Int(i64::from(a["comments_enabled"].as_bool().unwrap_or(false))),
        ),
        ("mt_allow_pings", Value::Int(0)),
        ("mt_keywords", Value::string(tags.join(", "))),
        ("wp_slug", text(&a["slug"])),
        ("wp_password", Value::string("")),
        (
            "wp_author_id",
            Value::string(author["id"].as_i64().unwrap_or_default().to_string()),
        ),
        ("wp_author_display_name", text(&author["name"])),
        (
            "date_created_gmt",
            Value::DateTime(super::Date::unzoned(created)),
        ),
        (
            "post_status",
            Value::string(mapping::status_to_wordpress(status)),
        ),
        ("custom_fields", Value::Array(vec![])),
        ("wp_post_format", Value::string("standard")),
        (
            "sticky",
            Value::Bool(a["featured"].as_bool().unwrap_or(false)),
        ),
        (
            "date_modified",
            Value::DateTime(super::Date::unzoned(
                modified.and_utc().with_timezone(&zone).naive_local(),
            )),
        ),
        (
            "date_modified_gmt",
            Value::DateTime(super::Date::unzoned(modified)),
        ),
        (
            "wp_post_thumbnail",
            Value::Int(a["featured_image"]["id"].as_i64().unwrap_or(0)),
        ),
    ])
}

/// `metaWeblog.getPost(postid, user, password)`.
pub async fn get_post(call: &Call<'_>) -> Result<Value, Fault> {
    let id = call.params.id(0, "postid")?;
    let caller = call.sign_in(1).await?;
    let a = article(call, &caller, id).await?;
    may_edit(&caller, &a)?;
    Ok(post_struct(&Rendering::load(call).await?, &a, true))
}

/// `metaWeblog.getRecentPosts(blogid, user, password, number)`: the
/// newest posts the caller may edit.
pub async fn recent_posts(call: &Call<'_>) -> Result<Value, Fault> {
    let caller = call.sign_in(1).await?;
    let number = call
        .params
        .optional_int(3, "number")?
        .unwrap_or(10)
        .clamp(1, MAX_RECENT);
    let ids = editable_ids(call, &caller, number, 0, Vec::new()).await?;
    let rendering = Rendering::load(call).await?;
    let mut posts = Vec::with_capacity(ids.len());
    for id in ids {
        let a = article(call, &caller, id).await?;
        posts.push(post_struct(&rendering, &a, false));
    }
    Ok(Value::Array(posts))
}

/// The newest articles `caller` may edit (all for editors, their own for
/// authors and contributors), optionally of some statuses.
pub(super) async fn editable_ids(
    call: &Call<'_>,
    caller: &Caller,
    limit: i64,
    offset: i64,
    statuses: Vec<&'static str>,
) -> Result<Vec<i64>, Fault> {
    let own = match caller.account() {
        Some(a) if matches!(a.role, Role::Admin | Role::Editor) => None,
        Some(a) => Some(a.author_id.unwrap_or(-1)),
        None => {
            return Err(Fault::not_allowed(
                "Sorry, you are not allowed to edit posts.",
            ));
        }
    };
    call.state
        .db
        .read(move |conn| {
            use crate::db::schema::{article_authors, articles};
            let mut query = articles::table
                .select(articles::id)
                .order((articles::created_at.desc(), articles::id.desc()))
                .limit(limit)
                .offset(offset)
                .into_boxed();
            if let Some(author) = own {
                query = query.filter(
                    articles::id.eq_any(
                        article_authors::table
                            .filter(article_authors::author_id.eq(author))
                            .select(article_authors::article_id),
                    ),
                );
            }
            if !statuses.is_empty() {
                query = query.filter(articles::status.eq_any(statuses));
            }
            Ok(query.load::<i64>(conn)?)
        })
        .await
        .map_err(fault_of)
}

/// `mt.getPostCategories(postid, user, password)`: the article's one
/// category, primary.
pub async fn post_categories(call: &Call<'_>) -> Result<Value, Fault> {
    let id = call.params.id(0, "postid")?;
    let caller = call.sign_in(1).await?;
    let a = article(call, &caller, id).await?;
    may_edit(&caller, &a)?;
    let category = &a["category"];
    Ok(Value::Array(
        category["id"]
            .as_i64()
            .map(|cid| {
                Value::structure([
                    (
                        "categoryName",
                        Value::string(category["name"].as_str().unwrap_or_default()),
                    ),
                    ("categoryId", Value::string(cid.to_string())),
                    ("isPrimary", Value::Bool(true)),
                ])
            })
            .into_iter()
            .collect(),
    ))
}

/// `mt.setPostCategories(postid, user, password, [{categoryId}])`: an
/// article has one category, the first given (the primary one when
/// marked); an empty list changes nothing.
pub async fn set_post_categories(call: &Call<'_>) -> Result<Value, Fault> {
    let id = call.params.id(0, "postid")?;
    let caller = call.sign_in(1).await?;
    let given = call.params.array(3, "categories")?;
    let current = article(call, &caller, id).await?;
    may_edit(&caller, &current)?;
    let primary = given
        .iter()
        .find(|c| c.member("isPrimary").and_then(Value::as_bool) == Some(true))
        .or_else(|| given.first());
    let Some(chosen) = primary else {
        return Ok(Value::Bool(true));
    };
    let raw = chosen
        .member("categoryId")
        .or_else(|| chosen.member("categoryName"))
        .and_then(Value::as_text)
        .ok_or_else(|| {
            Fault::bad_params("mt.setPostCategories: each category needs a categoryId")
        })?;
    let all = categories(call).await?;
    let category_id = mapping::find_category(&all, &raw)
        .map_err(|message| Fault::new(403, format!("Invalid category: {message}")))?;
    update_article(
        call,
        caller,
        id,
        ArticlePatch {
            category_id: Patch::Value(category_id),
            ..ArticlePatch::default()
        },
        "Sorry, you are not allowed to edit this post.",
    )
    .await?;
    Ok(Value::Bool(true))
}

/// `mt.publishPost(postid, user, password)`: the post id, as WordPress.
pub async fn publish_post(call: &Call<'_>) -> Result<Value, Fault> {
    let id = call.params.id(0, "postid")?;
    let caller = call.sign_in(1).await?;
    let current = article(call, &caller, id).await?;
    may_edit(&caller, &current)?;
    update_article(
        call,
        caller,
        id,
        ArticlePatch {
            status: Patch::Value(ArticleStatus::Published),
            ..ArticlePatch::default()
        },
        "Sorry, you are not allowed to publish this post.",
    )
    .await?;
    Ok(Value::Int(id))
}

/// An edit through an editor: the article API's update (version, events,
/// caches), with WordPress's words when the role refuses it.
pub(super) async fn update_article(
    call: &Call<'_>,
    caller: Caller,
    id: i64,
    patch: ArticlePatch,
    refused: &str,
) -> Result<(), Fault> {
    use_cases::update(
        &call.state.content,
        caller,
        IdOrSlug::Id(id),
        Precondition::Any,
        patch,
    )
    .await
    .map(drop)
    .map_err(|e| match e {
        ApiError::Forbidden(_) => Fault::not_allowed(refused),
        other => fault_of(other),
    })
}

/// `blogger.deletePost(appkey, postid, user, password, publish)`.
pub async fn delete_post(call: &Call<'_>) -> Result<Value, Fault> {
    let id = call.params.id(1, "postid")?;
    let caller = call.sign_in(2).await?;
    delete_article(call, caller, id).await
}

/// A delete through an editor: the article API's, with WordPress's words.
pub(super) async fn delete_article(
    call: &Call<'_>,
    caller: Caller,
    id: i64,
) -> Result<Value, Fault> {
    let current = article(call, &caller, id).await?;
    may_edit(&caller, &current)?;
    use_cases::delete(
        &call.state.content,
        caller,
        IdOrSlug::Id(id),
        Precondition::Any,
    )
    .await
    .map_err(|e| match e {
        ApiError::Forbidden(_) => {
            Fault::not_allowed("Sorry, you are not allowed to delete this post.")
        }
        other => fault_of(other),
    })?;
    Ok(Value::Bool(true))
}
