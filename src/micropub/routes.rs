//! `/micropub` and `/micropub/media`: Micropub (W3C Recommendation) for
//! iA Writer, the Micro.blog apps, Quill and Micropublish. Posts are
//! written through the article use cases (roles, validation, versions,
//! caches, events as `/api/v1`), images through the media use case.
//!
//! - `GET ?q=config|source|category|syndicate-to`;
//! - `POST` creates (form, multipart or JSON), or with `action` updates
//!   (`replace`, `add`, `delete`), deletes and undeletes;
//! - scopes: `create` (or `draft`, drafts only), `update`, `delete`,
//!   `media`.
//!
//! A post's URL is its permalink on the public site, `{home}/{slug}/`;
//! a request naming a post gives that URL back (its last path segment is
//! the slug, the host this site's).
//!
//! There is no trash yet: `delete` archives a published post (gone from
//! the public site, kept, and `undelete` publishes it again) and deletes
//! an unpublished one, as the other protocols' deletes do.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Map, Value, json};
use url::Url;

use super::entry::{self, Photo};
use super::error::MicropubError;
use super::request::{Action, MicropubRequest, TokenHolder, authenticate};
use crate::auth::Role;
use crate::auth::policy::acting_role;
use crate::content::Precondition;
use crate::content::articles::input::{ArticleCreate, ArticlePatch, FeaturedImageInput};
use crate::content::articles::lifecycle::ArticleStatus;
use crate::content::articles::list_params::Shape;
use crate::content::articles::use_cases::{self, Shaped};
use crate::content::articles::views::ArticleView;
use crate::content::authors::own_byline::Signers;
use crate::content::body::BodyFormat;
use crate::content::lookup::IdOrSlug;
use crate::content::patch::Patch;
use crate::editors::mapping;
use crate::error::ApiError;
use crate::state::AppState;

pub const PATH: &str = "/micropub";
pub const MEDIA_PATH: &str = "/micropub/media";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource(PATH)
            .route(web::get().to(query))
            .route(web::post().to(post)),
    )
    .service(web::resource(MEDIA_PATH).route(web::post().to(media)));
}

/// Where the API and the public site are.
struct Site {
    origin: String,
    home: String,
}

impl Site {
    async fn load(req: &HttpRequest, state: &AppState) -> Result<Self, MicropubError> {
        let origin = crate::http::origin::request_origin(req, &state.config);
        let settings = state.site.settings().await?;
        Ok(Self {
            home: settings.home(&origin),
            origin,
        })
    }

    fn permalink(&self, slug: &str) -> String {
        format!("{}/{slug}/", self.home)
    }

    fn absolute(&self, url: &str) -> String {
        if url.starts_with('/') {
            format!("{}{url}", self.origin)
        } else {
            url.to_owned()
        }
    }

    /// The slug a post's URL names: its last path segment, on this site.
    fn slug_of(&self, url: &str) -> Result<String, MicropubError> {
        let unknown =
            || MicropubError::invalid_request(format!("no post of this site is at {url}"));
        let parsed = Url::parse(url).map_err(|_| unknown())?;
        let ours = [&self.home, &self.origin]
            .iter()
            .filter_map(|u| Url::parse(u).ok())
            .any(|u| u.origin() == parsed.origin());
        if !ours {
            return Err(unknown());
        }
        parsed
            .path_segments()
            .and_then(|mut segments| segments.rfind(|s| !s.is_empty()))
            .map(|s| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8_lossy()
                    .into_owned()
            })
            .ok_or_else(unknown)
    }
}

fn no_store(mut response: HttpResponse) -> HttpResponse {
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
}

/// The post `url` names, as the token's account sees it.
async fn article_at(
    state: &AppState,
    holder: &TokenHolder,
    site: &Site,
    url: Option<&str>,
) -> Result<ArticleView, MicropubError> {
    let url = url.ok_or_else(|| MicropubError::invalid_request("`url` is required"))?;
    let slug = site.slug_of(url)?;
    let shaped = use_cases::get(
        &state.content,
        &holder.caller,
        IdOrSlug::Slug(slug),
        Shape {
            with_body: true,
            fields: None,
        },
    )
    .await
    .map_err(|e| match e {
        ApiError::NotFound(_) => {
            MicropubError::invalid_request(format!("no post of this site is at {url}"))
        }
        other => other.into(),
    })?;
    match shaped {
        Shaped::Full(view) => Ok(*view),
        Shaped::Fields(_) => Err(ApiError::Internal("a full view was asked for".to_owned()).into()),
    }
}

/// `GET /micropub?q=…`.
async fn query(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, MicropubError> {
    let holder = authenticate(&req, &state, None).await?;
    let pairs: Vec<(String, String)> = form_urlencoded::parse(req.query_string().as_bytes())
        .into_owned()
        .collect();
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let site = Site::load(&req, &state).await?;
    let body = match get("q") {
        Some("config") => json!({
            "media-endpoint": format!("{}{MEDIA_PATH}", site.origin),
            "syndicate-to": [],
            "post-types": [
                {"type": "article", "name": "Article"},
                {"type": "note", "name": "Note"},
                {"type": "photo", "name": "Photo"},
            ],
            "q": ["config", "source", "category", "syndicate-to"],
        }),
        Some("syndicate-to") => json!({ "syndicate-to": [] }),
        Some("category") => {
            let filter = get("filter").unwrap_or_default().to_lowercase();
            let mut names: Vec<String> =
                crate::content::categories::use_cases::list(&state.content, None)
                    .await?
                    .into_iter()
                    .map(|c| c.name)
                    .collect();
            names.extend(
                crate::content::tags::use_cases::all(&state.content, true)
                    .await?
                    .into_iter()
                    .map(|t| t.name),
            );
            names.retain(|n| filter.is_empty() || n.to_lowercase().contains(&filter));
            json!({ "categories": names })
        }
        Some("source") => {
            let view = article_at(&state, &holder, &site, get("url")).await?;
            let only: Vec<String> = pairs
                .iter()
                .filter(|(k, _)| k == "properties[]" || k == "properties")
                .map(|(_, v)| v.clone())
                .collect();
            entry::source(
                &view,
                &site.permalink(&view.slug),
                |u| site.absolute(u),
                &only,
            )
        }
        Some(other) => {
            return Err(MicropubError::invalid_request(format!(
                "`q={other}` is not a query here (config, source, category, syndicate-to)"
            )));
        }
        None => return Err(MicropubError::invalid_request("`q` is required")),
    };
    Ok(no_store(HttpResponse::Ok().json(body)))
}

/// `POST /micropub`.
async fn post(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Result<HttpResponse, MicropubError> {
    let mut request = MicropubRequest::read(&req, &state, payload).await?;
    let holder = authenticate(&req, &state, request.access_token.take()).await?;
    let site = Site::load(&req, &state).await?;
    let response = match request.action.unwrap_or(Action::Create) {
        Action::Create => create(&state, &holder, &site, request).await?,
        Action::Update => update(&state, &holder, &site, request).await?,
        Action::Delete => delete(&state, &holder, &site, request).await?,
        Action::Undelete => undelete(&state, &holder, &site, request).await?,
    };
    Ok(no_store(response))
}

/// The featured image a photo names: our media object when the URL is one
/// of our uploads, an external image otherwise.
async fn featured(
    state: &AppState,
    site: &Site,
    photo: &Photo,
) -> Result<(Option<i64>, FeaturedImageInput), MicropubError> {
    let media_id =
        crate::content::media::use_cases::id_of_url(&state.media, &site.origin, &photo.url).await?;
    Ok((
        media_id,
        FeaturedImageInput {
            url: media_id.is_none().then(|| photo.url.clone()),
            alt: photo.alt.clone(),
            caption: None,
            credit: None,
            width: None,
            height: None,
        },
    ))
}

/// The files of a multipart request, stored in the media library before
/// anything else is written (a post whose image fails is not created).
async fn uploaded(
    state: &AppState,
    holder: &TokenHolder,
    site: &Site,
    files: Vec<(String, crate::content::media::use_cases::Upload)>,
) -> Result<Vec<Photo>, MicropubError> {
    let mut photos = Vec::new();
    for (name, file) in files {
        if name != "photo" {
            return Err(MicropubError::invalid_request(format!(
                "`{name}` files are not taken here; send photos as `photo`"
            )));
        }
        let view =
            crate::content::media::use_cases::upload(&state.media, &holder.caller, file).await?;
        photos.push(Photo {
            url: site.absolute(&view.url),
            alt: None,
        });
    }
    Ok(photos)
}

async fn create(
    state: &AppState,
    holder: &TokenHolder,
    site: &Site,
    request: MicropubRequest,
) -> Result<HttpResponse, MicropubError> {
    let kind = request.kind.as_deref().unwrap_or("entry");
    if kind != "entry" {
        return Err(MicropubError::invalid_request(format!(
            "`h-{kind}` posts are not published here: send an h-entry"
        )));
    }
    let p = &request.properties;
    let asked = entry::status(p)?.unwrap_or(ArticleStatus::Published);
    let may_write = holder.has("create") || holder.has("draft") && asked == ArticleStatus::Draft;
    if !may_write {
        return Err(MicropubError::insufficient_scope("create"));
    }
    let published_at = entry::published(p)?;
    let status = mapping::scheduled_if_future(asked, published_at.map(|at| at.and_utc()));
    match acting_role(&holder.caller) {
        None => return Err(MicropubError::forbidden("this account may not write posts")),
        Some(Role::Contributor) if status != ArticleStatus::Draft => {
            return Err(MicropubError::forbidden(
                "a contributor's posts are drafts (post-status: draft): an editor publishes them",
            ));
        }
        Some(_) => {}
    }
    // The account's byline, created with the post when it has none
    // (`own_byline`); `acting_role` above has already refused the rest.
    if Signers::for_new_article(&holder.caller, None).is_none() {
        return Err(MicropubError::forbidden("this account may not write posts"));
    }
    let (format, text) = entry::content(p)?.unwrap_or((BodyFormat::Markdown, String::new()));
    let title = entry::first(p, "name")
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| entry::note_title(&text));
    if title.trim().is_empty() {
        return Err(MicropubError::invalid_request(
            "a post needs a name or some content",
        ));
    }
    let all = crate::content::categories::use_cases::list(&state.content, None).await?;
    let (category, tag_names) = entry::categories_and_tags(&all, &entry::texts(p, "category"));
    let category_id = match category {
        Some(id) => id,
        None => mapping::default_category(&all)?,
    };
    let mut photos = entry::photos(p)?;
    let files = uploaded(state, holder, site, request.files).await?;
    photos.splice(0..0, files);
    let (featured_image_id, featured_image) = match photos.first() {
        Some(photo) => {
            let (id, texts) = featured(state, site, photo).await?;
            (id, Some(texts))
        }
        None => (None, None),
    };
    let body = entry::with_photos(format, &text, photos.get(1..).unwrap_or_default());
    let tag_ids = mapping::tags_by_name(&state.db, &holder.caller, tag_names).await?;
    let input = ArticleCreate {
        title: Some(title),
        body: Some(body),
        body_format: Some(format),
        excerpt: entry::first(p, "summary").filter(|s| !s.trim().is_empty()),
        slug: entry::first(p, "mp-slug").filter(|s| !s.trim().is_empty()),
        status: Some(status),
        published_at: published_at.map(|at| at.and_utc()),
        category_id: Some(category_id),
        author_ids: None,
        tag_ids: Some(tag_ids),
        featured_image_id,
        featured_image,
        seo: None,
        featured: None,
        sponsored: None,
        comments_enabled: None,
        language: None,
    };
    let view = use_cases::create(&state.content, holder.caller.clone(), input).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, site.permalink(&view.slug)))
        .finish())
}

fn values<'a>(name: &str, value: &'a Value) -> Result<&'a Vec<Value>, MicropubError> {
    value
        .as_array()
        .ok_or_else(|| MicropubError::invalid_request(format!("`{name}` takes a list of values")))
}

fn one_property(name: &str, values: &[Value]) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert(name.to_owned(), Value::Array(values.to_vec()));
    map
}

async fn update(
    state: &AppState,
    holder: &TokenHolder,
    site: &Site,
    request: MicropubRequest,
) -> Result<HttpResponse, MicropubError> {
    holder.require("update")?;
    let view = article_at(state, holder, site, request.url.as_deref()).await?;
    let mut patch = ArticlePatch::default();
    let mut changed = false;
    let current_tags: Vec<i64> = view.tags.iter().map(|t| t.id).collect();
    let mut tags: Option<Vec<i64>> = None;
    let all = crate::content::categories::use_cases::list(&state.content, None).await?;
    for (name, value) in request.replace.iter().flatten() {
        let vals = values(name, value)?;
        let props = one_property(name, vals);
        match name.as_str() {
            "name" => {
                let title = entry::first(&props, "name").unwrap_or_default();
                patch.title = Patch::Value(title);
            }
            "content" => {
                let (format, text) =
                    entry::content(&props)?.unwrap_or((BodyFormat::Markdown, String::new()));
                patch.body = Patch::Value(text);
                patch.body_format = Patch::Value(format);
            }
            "summary" => {
                patch.excerpt = Patch::Value(entry::first(&props, "summary").unwrap_or_default())
            }
            "mp-slug" => {
                if let Some(slug) = entry::first(&props, "mp-slug") {
                    patch.slug = Patch::Value(slug);
                }
            }
            "published" => {
                if let Some(at) = entry::published(&props)? {
                    patch.published_at = Patch::Value(at.and_utc());
                }
            }
            "post-status" => {
                if let Some(status) = entry::status(&props)? {
                    patch.status = Patch::Value(status);
                }
            }
            "category" => {
                let (category, names) =
                    entry::categories_and_tags(&all, &entry::texts(&props, "category"));
                if let Some(id) = category {
                    patch.category_id = Patch::Value(id);
                }
                tags = Some(mapping::tags_by_name(&state.db, &holder.caller, names).await?);
            }
            "photo" => match entry::photos(&props)?.first() {
                Some(photo) => {
                    let (id, texts) = featured(state, site, photo).await?;
                    patch.set_featured_image(id, texts);
                }
                None => patch.clear_featured_image(),
            },
            other => {
                return Err(MicropubError::invalid_request(format!(
                    "`{other}` cannot be replaced here"
                )));
            }
        }
        changed = true;
    }
    for (name, value) in request.add.iter().flatten() {
        let vals = values(name, value)?;
        let props = one_property(name, vals);
        match name.as_str() {
            "category" => {
                let (category, names) =
                    entry::categories_and_tags(&all, &entry::texts(&props, "category"));
                if let Some(id) = category {
                    patch.category_id = Patch::Value(id);
                }
                let mut ids = tags.take().unwrap_or_else(|| current_tags.clone());
                for id in mapping::tags_by_name(&state.db, &holder.caller, names).await? {
                    if !ids.contains(&id) {
                        ids.push(id);
                    }
                }
                tags = Some(ids);
            }
            "photo" if view.featured_image.is_none() => {
                if let Some(photo) = entry::photos(&props)?.first() {
                    let (id, texts) = featured(state, site, photo).await?;
                    patch.set_featured_image(id, texts);
                }
            }
            other => {
                return Err(MicropubError::invalid_request(format!(
                    "values cannot be added to `{other}` here"
                )));
            }
        }
        changed = true;
    }
    match &request.delete {
        None => {}
        Some(Value::Array(names)) => {
            for name in names {
                match name.as_str() {
                    // The category stays: an article has one.
                    Some("category") => tags = Some(Vec::new()),
                    Some("summary") => patch.excerpt = Patch::Value(String::new()),
                    Some("photo") => patch.clear_featured_image(),
                    _ => {
                        return Err(MicropubError::invalid_request(format!(
                            "{name} cannot be deleted here (category, summary, photo)"
                        )));
                    }
                }
                changed = true;
            }
        }
        Some(Value::Object(removed)) => {
            for (name, value) in removed {
                let vals = values(name, value)?;
                match name.as_str() {
                    "category" => {
                        let gone: Vec<String> = entry::texts(&one_property(name, vals), name)
                            .iter()
                            .map(|n| n.to_lowercase())
                            .collect();
                        let ids = tags.take().unwrap_or_else(|| current_tags.clone());
                        tags = Some(
                            ids.into_iter()
                                .filter(|id| {
                                    !view.tags.iter().any(|t| {
                                        t.id == *id && gone.contains(&t.name.to_lowercase())
                                    })
                                })
                                .collect(),
                        );
                    }
                    other => {
                        return Err(MicropubError::invalid_request(format!(
                            "values cannot be deleted from `{other}` here"
                        )));
                    }
                }
                changed = true;
            }
        }
        Some(_) => {
            return Err(MicropubError::invalid_request(
                "`delete` is a list of properties or an object of values",
            ));
        }
    }
    if !changed {
        return Err(MicropubError::invalid_request(
            "an update needs `replace`, `add` or `delete`",
        ));
    }
    if let Some(ids) = tags {
        patch.tag_ids = Patch::Value(ids);
    }
    if let Patch::Value(status) = patch.status {
        let at = match &patch.published_at {
            Patch::Value(at) => Some(*at),
            _ => view.published_at.map(|at| at.and_utc()),
        };
        patch.status = Patch::Value(mapping::scheduled_if_future(status, at));
    }
    let updated = use_cases::update(
        &state.content,
        holder.caller.clone(),
        IdOrSlug::Id(view.id),
        Precondition::Any,
        patch,
    )
    .await?;
    Ok(if updated.slug == view.slug {
        HttpResponse::NoContent().finish()
    } else {
        HttpResponse::Created()
            .insert_header((header::LOCATION, site.permalink(&updated.slug)))
            .finish()
    })
}

async fn delete(
    state: &AppState,
    holder: &TokenHolder,
    site: &Site,
    request: MicropubRequest,
) -> Result<HttpResponse, MicropubError> {
    holder.require("delete")?;
    let view = article_at(state, holder, site, request.url.as_deref()).await?;
    match view.status {
        ArticleStatus::Published | ArticleStatus::Scheduled => {
            set_status(state, holder, view.id, ArticleStatus::Archived).await?;
        }
        ArticleStatus::Archived => {}
        ArticleStatus::Draft | ArticleStatus::Review => {
            use_cases::delete(
                &state.content,
                holder.caller.clone(),
                IdOrSlug::Id(view.id),
                Precondition::Any,
            )
            .await?;
        }
    }
    Ok(HttpResponse::NoContent().finish())
}

async fn undelete(
    state: &AppState,
    holder: &TokenHolder,
    site: &Site,
    request: MicropubRequest,
) -> Result<HttpResponse, MicropubError> {
    holder.require("delete")?;
    let view = article_at(state, holder, site, request.url.as_deref()).await?;
    if view.status != ArticleStatus::Archived {
        return Err(MicropubError::invalid_request("this post is not deleted"));
    }
    set_status(state, holder, view.id, ArticleStatus::Published).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Deleting and undeleting change the status only.
async fn set_status(
    state: &AppState,
    holder: &TokenHolder,
    id: i64,
    status: ArticleStatus,
) -> Result<(), MicropubError> {
    let patch = ArticlePatch {
        status: Patch::Value(status),
        ..ArticlePatch::default()
    };
    use_cases::update(
        &state.content,
        holder.caller.clone(),
        IdOrSlug::Id(id),
        Precondition::Any,
        patch,
    )
    .await?;
    Ok(())
}

/// `POST /micropub/media`: one file, `file`, into the media library; 201
/// with its URL in `Location`.
async fn media(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Result<HttpResponse, MicropubError> {
    if crate::http::extract::content_type_essence(&req) != "multipart/form-data" {
        return Err(MicropubError::invalid_request(
            "send the file as multipart/form-data, in a part named `file`",
        ));
    }
    let form = crate::content::media::routes::multipart_form(
        &req,
        payload,
        state.media.max_bytes,
        1,
        crate::editors::consent::MAX_FORM_BYTES,
    )
    .await?;
    let token = form
        .fields
        .iter()
        .find(|(k, _)| k == "access_token")
        .map(|(_, v)| v.clone());
    let holder = authenticate(&req, &state, token).await?;
    if !holder.has("media") && !holder.has("create") {
        return Err(MicropubError::insufficient_scope("media"));
    }
    let Some((name, file)) = form.files.into_iter().next() else {
        return Err(MicropubError::invalid_request(
            "send the file in a part named `file`",
        ));
    };
    if name != "file" {
        return Err(MicropubError::invalid_request(format!(
            "the file is in `{name}`; send it in a part named `file`"
        )));
    }
    let view = crate::content::media::use_cases::upload(&state.media, &holder.caller, file).await?;
    let site = Site::load(&req, &state).await?;
    Ok(no_store(
        HttpResponse::build(StatusCode::CREATED)
            .insert_header((header::LOCATION, site.absolute(&view.url)))
            .json(json!({ "url": site.absolute(&view.url) })),
    ))
}
