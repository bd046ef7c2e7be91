//! The `wp.*` methods: WordPress's own API, which the WordPress apps,
//! the Obsidian plugin and python-wordpress-xmlrpc speak. Posts go
//! through the article use cases as in `posts`; terms are categories
//! (`category`) and tags (`post_tag`).

use serde_json::Value as Json;

use super::fault::Fault;
use super::posts::{
    Rendering, article, categories, date_of, delete_article, editable_ids, may_edit, may_move_to,
    not_allowed_to_publish, scheduled_if_future, signers, update_article,
};
use super::server::{Call, fault_of};
use super::value::{Date, Value};
use crate::auth::policy::{self, ArticleAction, ArticleFacts};
use crate::auth::{Caller, Role};
use crate::content::articles::input::{ArticleCreate, ArticlePatch};
use crate::content::articles::lifecycle::ArticleStatus;
use crate::content::articles::use_cases;
use crate::content::body::BodyFormat;
use crate::content::categories::views::CategoryView;
use crate::content::patch::Patch;
use crate::editors::mapping;
use crate::error::ApiError;

const CATEGORY: &str = "category";
const TAG: &str = "post_tag";

fn invalid_taxonomy() -> Fault {
    Fault::new(403, "Invalid taxonomy.")
}

fn text(content: &Value, name: &str) -> Option<String> {
    content
        .member(name)
        .filter(|v| !matches!(v, Value::Nil))
        .and_then(Value::as_text)
}

/// `{taxonomy: [ids or names]}` as (taxonomy, texts).
fn by_taxonomy(content: &Value, name: &str) -> Result<Vec<(String, Vec<String>)>, Fault> {
    match content.member(name) {
        None | Some(Value::Nil) => Ok(Vec::new()),
        Some(Value::Array(items)) if items.is_empty() => Ok(Vec::new()),
        Some(Value::Struct(members)) => members
            .iter()
            .map(|(taxonomy, v)| match v {
                Value::Array(items) => Ok((
                    taxonomy.clone(),
                    items.iter().filter_map(Value::as_text).collect(),
                )),
                _ => Err(Fault::bad_params(format!(
                    "{name}.{taxonomy} must be an array"
                ))),
            })
            .collect(),
        Some(_) => Err(Fault::bad_params(format!(
            "{name} must be a struct of arrays"
        ))),
    }
}

/// What `terms` and `terms_names` ask for: the category (the first one)
/// and the tags (`None`: not mentioned, unchanged).
struct Terms {
    category: Option<i64>,
    tags: Option<Vec<i64>>,
}

async fn requested_terms(
    call: &Call<'_>,
    caller: &Caller,
    content: &Value,
) -> Result<Terms, Fault> {
    let mut terms = Terms {
        category: None,
        tags: None,
    };
    let all = categories(call).await?;
    let mut tag_ids: Vec<i64> = Vec::new();
    let mut tag_names: Vec<String> = Vec::new();
    let mut mentioned_tags = false;
    for (taxonomy, ids) in by_taxonomy(content, "terms")? {
        match taxonomy.as_str() {
            CATEGORY => {
                for id in &ids {
                    let id: i64 = id
                        .parse()
                        .map_err(|_| Fault::new(403, "Invalid term ID."))?;
                    if !all.iter().any(|c| c.id == id) {
                        return Err(Fault::new(403, "Invalid term ID."));
                    }
                    terms.category.get_or_insert(id);
                }
            }
            TAG => {
                mentioned_tags = true;
                for id in ids {
                    tag_ids.push(
                        id.parse()
                            .map_err(|_| Fault::new(403, "Invalid term ID."))?,
                    );
                }
            }
            _ => {
                return Err(Fault::not_allowed(
                    "Sorry, one of the given taxonomies is not supported by the post type.",
                ));
            }
        }
    }
    for (taxonomy, names) in by_taxonomy(content, "terms_names")? {
        match taxonomy.as_str() {
            CATEGORY => {
                let ids = mapping::find_categories(&all, &names).map_err(fault_of)?;
                if terms.category.is_none() {
                    terms.category = ids.first().copied();
                }
            }
            TAG => {
                mentioned_tags = true;
                tag_names.extend(names);
            }
            _ => {
                return Err(Fault::not_allowed(
                    "Sorry, one of the given taxonomies is not supported by the post type.",
                ));
            }
        }
    }
    if mentioned_tags {
        let known = known_tags(call, &tag_ids).await?;
        if known.len() != tag_ids.len() {
            return Err(Fault::new(403, "Invalid term ID."));
        }
        let mut ids = tag_ids;
        for id in mapping::tags_by_name(&call.state.db, caller, tag_names)
            .await
            .map_err(fault_of)?
        {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        terms.tags = Some(ids);
    }
    Ok(terms)
}

async fn known_tags(call: &Call<'_>, ids: &[i64]) -> Result<Vec<i64>, Fault> {
    let ids = ids.to_vec();
    call.state
        .db
        .read(move |conn| {
            use crate::db::schema::tags;
            use diesel::prelude::*;
            Ok(tags::table
                .filter(tags::id.eq_any(ids))
                .select(tags::id)
                .load::<i64>(conn)?)
        })
        .await
        .map_err(fault_of)
}

fn wp_status(content: &Value) -> Result<Option<ArticleStatus>, Fault> {
    match text(content, "post_status").filter(|s| !s.trim().is_empty()) {
        None => Ok(None),
        Some(raw) => mapping::status_from_wordpress(&raw)
            .map(Some)
            .map_err(Fault::bad_params),
    }
}

async fn wp_date(
    call: &Call<'_>,
    content: &Value,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, Fault> {
    let date = |name: &str| content.member(name).and_then(Value::as_date);
    let (gmt, local) = (date("post_date_gmt"), date("post_date"));
    if gmt.is_none() && local.is_none() {
        return Ok(None);
    }
    let site = call.state.site.settings().await.map_err(fault_of)?;
    Ok(mapping::post_date(gmt, local, site.timezone.tz()).map(|at| at.and_utc()))
}

/// `post_thumbnail`: an id, a struct sent back (its `attachment_id`), or
/// `0`, `""`, `[]` for none. `None`: not sent.
fn wp_thumbnail(content: &Value) -> Option<Option<i64>> {
    let value = content.member("post_thumbnail")?;
    Some(match value {
        Value::Struct(_) => value.member("attachment_id").and_then(Value::as_int),
        Value::Array(_) | Value::Nil => None,
        other => other.as_int().filter(|id| *id > 0),
    })
}

fn check_type(content: &Value) -> Result<(), Fault> {
    match text(content, "post_type").as_deref() {
        None | Some("post") => Ok(()),
        Some(_) => Err(Fault::new(403, "Invalid post type.")),
    }
}

fn check_author(caller: &Caller, content: &Value, own: i64) -> Result<(), Fault> {
    match content.member("post_author").and_then(Value::as_int) {
        Some(author)
            if author != own
                && !matches!(
                    caller.account().map(|a| a.role),
                    Some(Role::Admin | Role::Editor)
                ) =>
        {
            Err(Fault::not_allowed(
                "Sorry, you are not allowed to create posts as this user.",
            ))
        }
        _ => Ok(()),
    }
}

/// `wp.newPost(blog, user, password, content)`: the id as a string.
pub async fn new_post(call: &Call<'_>) -> Result<Value, Fault> {
    let caller = call.sign_in(1).await?;
    let content = call.params.structure(3, "content")?;
    check_type(content)?;
    let signers = signers(&caller)?;
    check_author(&caller, content, signers.author_ids[0])?;
    let published_at = wp_date(call, content).await?;
    let status = scheduled_if_future(
        wp_status(content)?.unwrap_or(ArticleStatus::Draft),
        published_at,
    );
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
    let terms = requested_terms(call, &caller, content).await?;
    let category_id = match terms.category {
        Some(id) => id,
        None => mapping::default_category(&categories(call).await?).map_err(fault_of)?,
    };
    let input = ArticleCreate {
        title: Some(text(content, "post_title").unwrap_or_default()),
        body: Some(text(content, "post_content").unwrap_or_default()),
        body_format: Some(BodyFormat::Html),
        excerpt: text(content, "post_excerpt").filter(|e| !e.trim().is_empty()),
        slug: text(content, "post_name").filter(|s| !s.trim().is_empty()),
        status: Some(status),
        published_at,
        category_id: Some(category_id),
        author_ids: None,
        tag_ids: terms.tags,
        featured_image_id: wp_thumbnail(content).flatten(),
        featured_image: None,
        seo: None,
        featured: content.member("sticky").and_then(Value::as_bool),
        sponsored: None,
        comments_enabled: content.member("comment_status").and_then(Value::as_bool),
        language: None,
    };
    let view = use_cases::create(&call.state.content, caller, input)
        .await
        .map_err(fault_of)?;
    Ok(Value::string(view.id.to_string()))
}

/// `wp.editPost(blog, user, password, post_id, content)`: only what is
/// sent changes.
pub async fn edit_post(call: &Call<'_>) -> Result<Value, Fault> {
    let caller = call.sign_in(1).await?;
    let id = call.params.id(3, "post_id")?;
    let content = call.params.structure(4, "content")?;
    check_type(content)?;
    let current = article(call, &caller, id).await?;
    may_edit(&caller, &current)?;
    let published_at = wp_date(call, content).await?;
    let status = wp_status(content)?.map(|s| scheduled_if_future(s, published_at));
    if let Some(status) = status {
        may_move_to(&caller, &current, status)?;
    }
    let terms = requested_terms(call, &caller, content).await?;
    let mut patch = ArticlePatch::default();
    if let Some(status) = status {
        patch.status = Patch::Value(status);
    }
    if let Some(title) = text(content, "post_title") {
        patch.title = Patch::Value(title);
    }
    if let Some(body) = text(content, "post_content") {
        patch.body = Patch::Value(body);
        patch.body_format = Patch::Value(BodyFormat::Html);
    }
    if let Some(excerpt) = text(content, "post_excerpt") {
        patch.excerpt = Patch::Value(excerpt);
    }
    if let Some(slug) = text(content, "post_name").filter(|s| !s.trim().is_empty()) {
        patch.slug = Patch::Value(slug);
    }
    if let Some(at) = published_at {
        patch.published_at = Patch::Value(at);
    }
    if let Some(category) = terms.category {
        patch.category_id = Patch::Value(category);
    }
    if let Some(tags) = terms.tags {
        patch.tag_ids = Patch::Value(tags);
    }
    match wp_thumbnail(content) {
        Some(Some(media)) => patch.featured_image_id = Patch::Value(media),
        Some(None) if !current["featured_image"].is_null() => patch.featured_image_id = Patch::Null,
        _ => {}
    }
    if let Some(open) = content.member("comment_status").and_then(Value::as_bool) {
        patch.comments_enabled = Patch::Value(open);
    }
    if let Some(sticky) = content.member("sticky").and_then(Value::as_bool) {
        patch.featured = Patch::Value(sticky);
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

fn term_of_category(c: &CategoryView) -> Value {
    Value::structure([
        ("term_id", Value::string(c.id.to_string())),
        ("name", Value::string(c.name.clone())),
        ("slug", Value::string(c.slug.clone())),
        ("term_group", Value::string("0")),
        ("term_taxonomy_id", Value::string(c.id.to_string())),
        ("taxonomy", Value::string(CATEGORY)),
        (
            "description",
            Value::string(c.description.clone().unwrap_or_default()),
        ),
        (
            "parent",
            Value::string(c.parent_id.unwrap_or(0).to_string()),
        ),
        ("count", Value::Int(0)),
        ("filter", Value::string("raw")),
        ("custom_fields", Value::Array(vec![])),
    ])
}

fn term_of_tag(id: i64, name: &str, slug: &str, description: &str) -> Value {
    Value::structure([
        ("term_id", Value::string(id.to_string())),
        ("name", Value::string(name)),
        ("slug", Value::string(slug)),
        ("term_group", Value::string("0")),
        ("term_taxonomy_id", Value::string(id.to_string())),
        ("taxonomy", Value::string(TAG)),
        ("description", Value::string(description)),
        ("parent", Value::string("0")),
        ("count", Value::Int(0)),
        ("filter", Value::string("raw")),
        ("custom_fields", Value::Array(vec![])),
    ])
}

/// An article as WordPress's post struct, limited to `fields` (default
/// `post`, `terms`, `custom_fields`).
fn post_struct(call: &Call<'_>, r: &Rendering, a: &Json, fields: &[String]) -> Value {
    let zone = r.zone;
    let home = &r.home;
    let local =
        |at: chrono::NaiveDateTime| Date::unzoned(at.and_utc().with_timezone(&zone).naive_local());
    let created = date_of(&a["published_at"])
        .or_else(|| date_of(&a["created_at"]))
        .unwrap_or_default();
    let modified = date_of(&a["updated_at"]).unwrap_or(created);
    let status: ArticleStatus =
        serde_json::from_value(a["status"].clone()).unwrap_or(ArticleStatus::Draft);
    let s = |v: &Json| Value::string(v.as_str().unwrap_or_default());
    let link = format!("{home}/{}/", a["slug"].as_str().unwrap_or_default());
    let wants = |group: &str, name: &str| {
        fields.is_empty() || fields.iter().any(|f| f == group || f == name)
    };
    let mut members: Vec<(String, Value)> = vec![(
        "post_id".into(),
        Value::string(a["id"].as_i64().unwrap_or_default().to_string()),
    )];
    let mut add = |name: &str, value: Value| {
        if wants("post", name) {
            members.push((name.to_owned(), value));
        }
    };
    add("post_title", s(&a["title"]));
    add("post_date", Value::DateTime(local(created)));
    add("post_date_gmt", Value::DateTime(Date::unzoned(created)));
    add("post_modified", Value::DateTime(local(modified)));
    add(
        "post_modified_gmt",
        Value::DateTime(Date::unzoned(modified)),
    );
    add(
        "post_status",
        Value::string(mapping::status_to_wordpress(status)),
    );
    add("post_type", Value::string("post"));
    add("post_name", s(&a["slug"]));
    add(
        "post_author",
        Value::string(
            a["authors"][0]["id"]
                .as_i64()
                .unwrap_or_default()
                .to_string(),
        ),
    );
    add("post_password", Value::string(""));
    add("post_excerpt", s(&a["excerpt"]));
    add("post_content", s(&a["body"]));
    add("post_parent", Value::string("0"));
    add("post_mime_type", Value::string(""));
    add("link", Value::string(link.clone()));
    add("guid", Value::string(link));
    add("menu_order", Value::Int(0));
    add(
        "comment_status",
        Value::string(if a["comments_enabled"].as_bool().unwrap_or(false) {
            "open"
        } else {
            "closed"
        }),
    );
    add("ping_status", Value::string("closed"));
    add(
        "sticky",
        Value::Bool(a["featured"].as_bool().unwrap_or(false)),
    );
    let image = &a["featured_image"];
    add(
        "post_thumbnail",
        match image["id"].as_i64() {
            None => Value::Array(vec![]),
            Some(media) => {
                let url = call.absolute(image["url"].as_str().unwrap_or_default());
                Value::structure([
                    ("attachment_id", Value::string(media.to_string())),
                    ("date_created_gmt", Value::DateTime(Date::unzoned(created))),
                    ("parent", Value::Int(0)),
                    ("link", Value::string(url.clone())),
                    ("title", s(&image["alt"])),
                    ("caption", s(&image["caption"])),
                    ("description", Value::string("")),
                    (
                        "metadata",
                        Value::structure([
                            ("width", Value::Int(image["width"].as_i64().unwrap_or(0))),
                            ("height", Value::Int(image["height"].as_i64().unwrap_or(0))),
                        ]),
                    ),
                    ("type", s(&image["mime_type"])),
                    ("thumbnail", Value::string(url)),
                ])
            }
        },
    );
    add("post_format", Value::string("standard"));
    if fields.is_empty() || fields.iter().any(|f| f == "terms" || f == "taxonomies") {
        let mut terms = Vec::new();
        let all = &r.categories;
        if let Some(c) = a["category"]["id"]
            .as_i64()
            .and_then(|id| all.iter().find(|c| c.id == id))
        {
            terms.push(term_of_category(c));
        }
        for tag in a["tags"].as_array().into_iter().flatten() {
            terms.push(term_of_tag(
                tag["id"].as_i64().unwrap_or_default(),
                tag["name"].as_str().unwrap_or_default(),
                tag["slug"].as_str().unwrap_or_default(),
                "",
            ));
        }
        members.push(("terms".into(), Value::Array(terms)));
    }
    if fields.is_empty() || fields.iter().any(|f| f == "custom_fields") {
        members.push(("custom_fields".into(), Value::Array(vec![])));
    }
    Value::Struct(members)
}

fn fields_param(call: &Call<'_>, at: usize) -> Vec<String> {
    match call.params.get(at) {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_text).collect(),
        _ => Vec::new(),
    }
}

/// `wp.getPost(blog, user, password, post_id, fields)`.
pub async fn get_post(call: &Call<'_>) -> Result<Value, Fault> {
    let caller = call.sign_in(1).await?;
    let id = call.params.id(3, "post_id")?;
    let a = article(call, &caller, id).await?;
    may_edit(&caller, &a)?;
    Ok(post_struct(
        call,
        &Rendering::load(call).await?,
        &a,
        &fields_param(call, 4),
    ))
}

/// `wp.getPosts(blog, user, password, filter, fields)`: the newest first;
/// `filter` takes `post_type` (post), `post_status`, `number`, `offset`.
pub async fn get_posts(call: &Call<'_>) -> Result<Value, Fault> {
    let caller = call.sign_in(1).await?;
    let filter = call.params.optional_struct(3, "filter")?;
    let member = |name: &str| filter.and_then(|f| f.member(name));
    if let Some(kind) = member("post_type").and_then(Value::as_text)
        && kind != "post"
    {
        return Err(Fault::new(403, "Invalid post type."));
    }
    let number = member("number")
        .and_then(Value::as_int)
        .unwrap_or(10)
        .clamp(1, 100);
    let offset = member("offset").and_then(Value::as_int).unwrap_or(0).max(0);
    let mut statuses = Vec::new();
    if let Some(raw) = member("post_status").and_then(Value::as_text) {
        for one in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let status = mapping::status_from_wordpress(one).map_err(Fault::bad_params)?;
            statuses.push(status.as_str());
        }
    }
    let ids = editable_ids(call, &caller, number, offset, statuses).await?;
    let fields = fields_param(call, 4);
    let rendering = Rendering::load(call).await?;
    let mut posts = Vec::with_capacity(ids.len());
    for id in ids {
        let a = article(call, &caller, id).await?;
        posts.push(post_struct(call, &rendering, &a, &fields));
    }
    Ok(Value::Array(posts))
}

/// `wp.deletePost(blog, user, password, post_id)`.
pub async fn delete_post(call: &Call<'_>) -> Result<Value, Fault> {
    let caller = call.sign_in(1).await?;
    let id = call.params.id(3, "post_id")?;
    delete_article(call, caller, id).await
}

async fn all_tags(call: &Call<'_>) -> Result<Vec<crate::content::tags::views::TagView>, Fault> {
    crate::content::tags::use_cases::all(&call.state.content, true)
        .await
        .map_err(fault_of)
}

/// `wp.getTerms(blog, user, password, taxonomy, filter)`.
pub async fn get_terms(call: &Call<'_>) -> Result<Value, Fault> {
    call.sign_in(1).await?;
    let taxonomy = call.params.text(3, "taxonomy")?;
    let filter = call.params.optional_struct(4, "filter")?;
    let search = filter
        .and_then(|f| f.member("search"))
        .and_then(Value::as_text)
        .map(|s| s.to_lowercase());
    let matches = |name: &str| {
        search
            .as_ref()
            .is_none_or(|s| name.to_lowercase().contains(s))
    };
    let terms: Vec<Value> = match taxonomy.as_str() {
        CATEGORY => categories(call)
            .await?
            .iter()
            .filter(|c| matches(&c.name))
            .map(term_of_category)
            .collect(),
        TAG => all_tags(call)
            .await?
            .iter()
            .filter(|t| matches(&t.name))
            .map(|t| {
                term_of_tag(
                    t.id,
                    &t.name,
                    &t.slug,
                    t.description.as_deref().unwrap_or_default(),
                )
            })
            .collect(),
        _ => return Err(invalid_taxonomy()),
    };
    let number = filter
        .and_then(|f| f.member("number"))
        .and_then(Value::as_int);
    let offset = filter
        .and_then(|f| f.member("offset"))
        .and_then(Value::as_int)
        .unwrap_or(0)
        .max(0);
    Ok(Value::Array(
        terms
            .into_iter()
            .skip(offset as usize)
            .take(number.filter(|n| *n > 0).map_or(usize::MAX, |n| n as usize))
            .collect(),
    ))
}

/// `wp.getTerm(blog, user, password, taxonomy, term_id)`.
pub async fn get_term(call: &Call<'_>) -> Result<Value, Fault> {
    call.sign_in(1).await?;
    let taxonomy = call.params.text(3, "taxonomy")?;
    let id = call.params.id(4, "term_id")?;
    let invalid = || Fault::not_found("Invalid term ID.");
    match taxonomy.as_str() {
        CATEGORY => categories(call)
            .await?
            .iter()
            .find(|c| c.id == id)
            .map(term_of_category)
            .ok_or_else(invalid),
        TAG => all_tags(call)
            .await?
            .iter()
            .find(|t| t.id == id)
            .map(|t| {
                term_of_tag(
                    t.id,
                    &t.name,
                    &t.slug,
                    t.description.as_deref().unwrap_or_default(),
                )
            })
            .ok_or_else(invalid),
        _ => Err(invalid_taxonomy()),
    }
}

async fn create_category(
    call: &Call<'_>,
    caller: Caller,
    name: String,
    slug: Option<String>,
    parent: Option<i64>,
    description: Option<String>,
) -> Result<i64, Fault> {
    let input = crate::content::categories::input::CategoryCreate {
        name,
        slug: slug.filter(|s| !s.trim().is_empty()),
        description: description.filter(|d| !d.trim().is_empty()),
        parent_id: parent.filter(|p| *p > 0),
        position: None,
    };
    crate::content::categories::use_cases::create(&call.state.content, caller, input)
        .await
        .map(|c| c.id)
        .map_err(|e| match e {
            ApiError::Forbidden(_) => {
                Fault::not_allowed("Sorry, you are not allowed to add a category.")
            }
            other => fault_of(other),
        })
}

fn term_name(content: &Value) -> Result<String, Fault> {
    text(content, "name")
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| Fault::new(403, "The term name cannot be empty."))
}

/// `wp.newTerm(blog, user, password, {name, taxonomy, slug, description,
/// parent})`: a category (editors), or a tag (anyone who writes).
pub async fn new_term(call: &Call<'_>) -> Result<Value, Fault> {
    let caller = call.sign_in(1).await?;
    let content = call.params.structure(3, "content")?;
    let name = term_name(content)?;
    match text(content, "taxonomy").as_deref() {
        Some(CATEGORY) => {
            let parent = content.member("parent").and_then(Value::as_int);
            let id = create_category(
                call,
                caller,
                name,
                text(content, "slug"),
                parent,
                text(content, "description"),
            )
            .await?;
            Ok(Value::string(id.to_string()))
        }
        Some(TAG) => {
            signers(&caller)?;
            let ids = mapping::tags_by_name(&call.state.db, &caller, vec![name])
                .await
                .map_err(fault_of)?;
            Ok(Value::string(
                ids.first().copied().unwrap_or_default().to_string(),
            ))
        }
        _ => Err(invalid_taxonomy()),
    }
}

/// `wp.newCategory(blog, user, password, {name, slug, parent_id,
/// description})`: the id as an int.
pub async fn new_category(call: &Call<'_>) -> Result<Value, Fault> {
    let caller = call.sign_in(1).await?;
    let content = call.params.structure(3, "category")?;
    let name = term_name(content)?;
    let parent = content.member("parent_id").and_then(Value::as_int);
    let id = create_category(
        call,
        caller,
        name,
        text(content, "slug"),
        parent,
        text(content, "description"),
    )
    .await?;
    Ok(Value::Int(id))
}

/// `wp.suggestCategories(blog, user, password, partial, max)`.
pub async fn suggest_categories(call: &Call<'_>) -> Result<Value, Fault> {
    call.sign_in(1).await?;
    let partial = call
        .params
        .text(3, "category")
        .unwrap_or_default()
        .to_lowercase();
    let max = call
        .params
        .optional_int(4, "max_results")?
        .filter(|m| *m > 0);
    Ok(Value::Array(
        categories(call)
            .await?
            .iter()
            .filter(|c| c.name.to_lowercase().contains(&partial))
            .take(max.map_or(usize::MAX, |m| m as usize))
            .map(|c| {
                Value::structure([
                    ("category_id", Value::Int(c.id)),
                    ("category_name", Value::string(c.name.clone())),
                ])
            })
            .collect(),
    ))
}

fn wordpress_role(role: Role) -> &'static str {
    match role {
        Role::Admin => "administrator",
        Role::Editor => "editor",
        Role::Author => "author",
        Role::Contributor => "contributor",
    }
}

/// `wp.getProfile(blog, user, password, fields)`: the signed-in account.
pub async fn get_profile(call: &Call<'_>) -> Result<Value, Fault> {
    let caller = call.sign_in(1).await?;
    let account = caller
        .account()
        .ok_or_else(|| Fault::not_allowed("Sorry, you are not allowed to edit your profile."))?;
    let user_id = account.user_id;
    let role = account.role;
    let (email, name, created) = call
        .state
        .db
        .read(move |conn| {
            use crate::db::schema::users;
            use diesel::prelude::*;
            Ok(users::table
                .find(user_id)
                .select((users::email, users::display_name, users::created_at))
                .first::<(String, String, chrono::NaiveDateTime)>(conn)?)
        })
        .await
        .map_err(fault_of)?;
    Ok(Value::structure([
        ("user_id", Value::string(user_id.to_string())),
        ("username", Value::string(email.clone())),
        ("first_name", Value::string("")),
        ("last_name", Value::string("")),
        ("registered", Value::DateTime(Date::unzoned(created))),
        ("bio", Value::string("")),
        ("email", Value::string(email)),
        ("nickname", Value::string(name.clone())),
        (
            "nicename",
            Value::string(
                crate::content::slug::Slug::from_text(&name)
                    .map(|s| s.into_string())
                    .unwrap_or_default(),
            ),
        ),
        ("url", Value::string("")),
        ("display_name", Value::string(name)),
        (
            "roles",
            Value::Array(vec![Value::string(wordpress_role(role))]),
        ),
    ]))
}

/// `wp.getAuthors`: whom a post may be signed as through an editor, that
/// is the caller alone (other accounts' addresses are not shared).
pub async fn get_authors(call: &Call<'_>) -> Result<Value, Fault> {
    let profile = get_profile(call).await?;
    let get = |name: &str| profile.member(name).cloned().unwrap_or(Value::string(""));
    Ok(Value::Array(vec![Value::structure([
        ("user_id", get("user_id")),
        ("user_login", get("username")),
        ("display_name", get("display_name")),
    ])]))
}

/// `wp.getOptions`: the site's settings as WordPress names them, all read-only here.
pub async fn get_options(call: &Call<'_>) -> Result<Value, Fault> {
    call.sign_in(1).await?;
    let site = call.state.site.settings().await.map_err(fault_of)?;
    let home = site
        .frontend_url
        .clone()
        .unwrap_or_else(|| call.origin.clone());
    let offset = f64::from(
        site.timezone
            .offset_seconds_at(chrono::Utc::now().naive_utc()),
    ) / 3600.0;
    let option = |desc: &str, value: Value| {
        Value::structure([
            ("desc", Value::string(desc)),
            ("readonly", Value::Bool(true)),
            ("value", value),
        ])
    };
    let all = [
        (
            "software_name",
            option("Software Name", Value::string("WordPress")),
        ),
        (
            "software_version",
            option("Software Version", Value::string("6.7")),
        ),
        (
            "blog_url",
            option(
                "WordPress Address (URL)",
                Value::string(call.origin.clone()),
            ),
        ),
        (
            "home_url",
            option("Site Address (URL)", Value::string(home)),
        ),
        (
            "blog_title",
            option("Site Title", Value::string(site.title)),
        ),
        (
            "blog_tagline",
            option("Site Tagline", Value::string(site.description)),
        ),
        (
            "time_zone",
            option("Time Zone", Value::string(format!("{offset}"))),
        ),
        (
            "timezone_string",
            option("Time Zone", Value::string(site.timezone.name())),
        ),
        ("date_format", option("Date Format", Value::string("j F Y"))),
        ("time_format", option("Time Format", Value::string("H:i"))),
        (
            "post_thumbnail",
            option("Post Thumbnail", Value::Bool(true)),
        ),
        (
            "default_comment_status",
            option(
                "Allow people to submit comments on new posts.",
                Value::string("open"),
            ),
        ),
    ];
    let wanted: Vec<String> = match call.params.get(3) {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_text).collect(),
        _ => Vec::new(),
    };
    Ok(Value::structure(all.into_iter().filter(|(name, _)| {
        wanted.is_empty() || wanted.iter().any(|w| w == name)
    })))
}

/// `wp.getPostFormats`: the standard format only.
pub async fn get_post_formats(call: &Call<'_>) -> Result<Value, Fault> {
    call.sign_in(1).await?;
    let all = Value::structure([("standard", Value::string("Standard"))]);
    let supported = call
        .params
        .get(3)
        .and_then(|f| f.member("show-supported"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    Ok(if supported {
        Value::structure([
            ("all", all),
            ("supported", Value::Array(vec![Value::string("standard")])),
        ])
    } else {
        all
    })
}

pub async fn get_post_status_list(call: &Call<'_>) -> Result<Value, Fault> {
    call.sign_in(1).await?;
    Ok(Value::structure([
        ("draft", Value::string("Draft")),
        ("pending", Value::string("Pending Review")),
        ("future", Value::string("Scheduled")),
        ("publish", Value::string("Published")),
    ]))
}

pub async fn get_post_types(call: &Call<'_>) -> Result<Value, Fault> {
    call.sign_in(1).await?;
    let supports = Value::structure(
        [
            "title",
            "editor",
            "author",
            "thumbnail",
            "excerpt",
            "comments",
        ]
        .into_iter()
        .map(|f| (f, Value::Bool(true))),
    );
    Ok(Value::structure([(
        "post",
        Value::structure([
            ("name", Value::string("post")),
            ("label", Value::string("Posts")),
            ("hierarchical", Value::Bool(false)),
            ("public", Value::Bool(true)),
            ("show_ui", Value::Bool(true)),
            ("_builtin", Value::Bool(true)),
            ("has_archive", Value::Bool(false)),
            ("supports", supports),
            (
                "taxonomies",
                Value::Array(vec![Value::string(CATEGORY), Value::string(TAG)]),
            ),
        ]),
    )]))
}

/// `wp.getCommentCount(blog, user, password, post_id)`: comments come
/// with their own issue; every count is 0 until then.
pub async fn get_comment_count(call: &Call<'_>) -> Result<Value, Fault> {
    let caller = call.sign_in(1).await?;
    let id = call.params.id(3, "post_id")?;
    article(call, &caller, id).await?;
    Ok(Value::structure([
        ("approved", Value::Int(0)),
        ("awaiting_moderation", Value::Int(0)),
        ("spam", Value::Int(0)),
        ("total_comments", Value::Int(0)),
    ]))
}

fn media_item(call: &Call<'_>, m: &crate::content::media::views::MediaView) -> Value {
    let url = call.absolute(&m.url);
    let thumbnail = m
        .renditions
        .first()
        .map_or_else(|| url.clone(), |r| call.absolute(&r.url));
    Value::structure([
        ("attachment_id", Value::string(m.id.to_string())),
        (
            "date_created_gmt",
            Value::DateTime(Date::unzoned(m.created_at)),
        ),
        ("parent", Value::Int(0)),
        ("link", Value::string(url)),
        (
            "title",
            Value::string(m.title.clone().unwrap_or_else(|| m.file_name.clone())),
        ),
        (
            "caption",
            Value::string(m.caption.clone().unwrap_or_default()),
        ),
        ("description", Value::string("")),
        (
            "metadata",
            Value::structure([
                ("width", Value::Int(i64::from(m.width))),
                ("height", Value::Int(i64::from(m.height))),
                ("file", Value::string(m.file_name.clone())),
                ("filesize", Value::Int(m.bytes as i64)),
            ]),
        ),
        ("type", Value::string(m.mime_type.clone())),
        ("alt", Value::string(m.alt.clone().unwrap_or_default())),
        ("thumbnail", Value::string(thumbnail)),
    ])
}

/// `wp.getMediaItem(blog, user, password, attachment_id)`.
pub async fn get_media_item(call: &Call<'_>) -> Result<Value, Fault> {
    call.sign_in(1).await?;
    let id = call.params.id(3, "attachment_id")?;
    let media = crate::content::media::use_cases::get(&call.state.media, id)
        .await
        .map_err(|e| match e {
            ApiError::NotFound(_) => Fault::not_found("Invalid attachment ID."),
            other => fault_of(other),
        })?;
    Ok(media_item(call, &media))
}

/// `wp.getMediaLibrary(blog, user, password, filter)`: newest first;
/// `number`, `offset`, `mime_type`.
pub async fn get_media_library(call: &Call<'_>) -> Result<Value, Fault> {
    call.sign_in(1).await?;
    let filter = call.params.optional_struct(3, "filter")?;
    let member = |name: &str| filter.and_then(|f| f.member(name));
    let number = member("number")
        .and_then(Value::as_int)
        .filter(|n| *n > 0)
        .unwrap_or(100)
        .min(100);
    let offset = member("offset").and_then(Value::as_int).unwrap_or(0).max(0);
    let mime_type = match member("mime_type")
        .and_then(Value::as_text)
        .filter(|m| !m.is_empty())
    {
        Some(raw) => Some(crate::content::media::use_cases::mime_filter(&raw).map_err(fault_of)?),
        None => None,
    };
    let request = crate::content::media::use_cases::ListRequest {
        filter: crate::content::media::queries::MediaFilter {
            mime_type,
            words: Vec::new(),
        },
        start: crate::content::media::queries::Start::Offset(offset),
        per_page: number as u32,
    };
    let page = crate::content::media::use_cases::list(&call.state.media, request)
        .await
        .map_err(fault_of)?;
    Ok(Value::Array(
        page.data.iter().map(|m| media_item(call, m)).collect(),
    ))
}

/// `mt.getRecentPostTitles(blog, user, password, number)`.
pub async fn recent_post_titles(call: &Call<'_>) -> Result<Value, Fault> {
    let caller = call.sign_in(1).await?;
    let number = call
        .params
        .optional_int(3, "number")?
        .unwrap_or(10)
        .clamp(1, 100);
    let ids = editable_ids(call, &caller, number, 0, Vec::new()).await?;
    let site = call.state.site.settings().await.map_err(fault_of)?;
    let zone = site.timezone.tz();
    let mut titles = Vec::new();
    for id in ids {
        let a = article(call, &caller, id).await?;
        let created = date_of(&a["published_at"])
            .or_else(|| date_of(&a["created_at"]))
            .unwrap_or_default();
        let status: ArticleStatus =
            serde_json::from_value(a["status"].clone()).unwrap_or(ArticleStatus::Draft);
        titles.push(Value::structure([
            (
                "dateCreated",
                Value::DateTime(Date::unzoned(
                    created.and_utc().with_timezone(&zone).naive_local(),
                )),
            ),
            (
                "userid",
                Value::string(
                    a["authors"][0]["id"]
                        .as_i64()
                        .unwrap_or_default()
                        .to_string(),
                ),
            ),
            ("postid", Value::string(id.to_string())),
            (
                "title",
                Value::string(a["title"].as_str().unwrap_or_default()),
            ),
            (
                "post_status",
                Value::string(mapping::status_to_wordpress(status)),
            ),
            ("date_created_gmt", Value::DateTime(Date::unzoned(created))),
        ]));
    }
    Ok(Value::Array(titles))
}
