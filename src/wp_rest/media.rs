//! `/wp/v2/media`: the media library as WordPress attachments. Uploads go
//! through the media use case (the same checks, metadata stripping and
//! renditions as `/api/v1/media`); `media_details.sizes` lists our
//! renditions under WordPress's size names.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Map, Value, json};

use super::caller::WpCaller;
use super::error::WpError;
use super::params::{Context, Params};
use super::shape::{self, Site, curies, link};
use crate::content::Precondition;
use crate::content::media::input::{MediaPatch, UploadTexts};
use crate::content::media::routes::Part;
use crate::content::media::views::MediaView;
use crate::content::patch::Patch;
use crate::error::ApiError;
use crate::state::AppState;

fn escape(text: &str) -> String {
    quick_xml::escape::escape(text).into_owned()
}

/// WordPress's size names for our widths: the nearest WordPress size
/// takes the name, the others are named by width (`1920w`).
fn size_name(width: u32) -> String {
    match width {
        320 => "thumbnail".to_owned(),
        640 => "medium".to_owned(),
        960 => "medium_large".to_owned(),
        1280 => "large".to_owned(),
        other => format!("{other}w"),
    }
}

/// An absolute URL for a file (`/media/…` is on this service).
fn absolute(site: &Site, url: &str) -> String {
    if url.starts_with('/') {
        format!("{}{url}", site.origin)
    } else {
        url.to_owned()
    }
}

/// A media object as a WordPress attachment.
pub fn media_json(site: &Site, m: &MediaView, context: Context) -> Value {
    let title = m.title.clone().unwrap_or_else(|| m.file_name.clone());
    let caption = m.caption.clone().unwrap_or_default();
    let source_url = absolute(site, &m.url);
    let file_of = |url: &str| url.rsplit('/').next().unwrap_or_default().to_owned();
    let mut sizes = Map::new();
    for r in m.renditions.iter().filter(|r| r.mime_type == m.mime_type) {
        sizes.insert(
            size_name(r.width),
            json!({
                "file": file_of(&r.url),
                "width": r.width,
                "height": r.height,
                "filesize": r.bytes,
                "mime_type": r.mime_type,
                "source_url": absolute(site, &r.url),
            }),
        );
    }
    sizes.insert(
        "full".to_owned(),
        json!({
            "file": file_of(&m.url),
            "width": m.width,
            "height": m.height,
            "filesize": m.bytes,
            "mime_type": m.mime_type,
            "source_url": source_url,
        }),
    );
    let mut value = json!({
        "id": m.id,
        "date": site.local(m.created_at),
        "date_gmt": Site::gmt(m.created_at),
        "guid": { "rendered": source_url },
        "modified": site.local(m.updated_at),
        "modified_gmt": Site::gmt(m.updated_at),
        "slug": file_of(&m.url).rsplit_once('.').map_or(String::new(), |(s, _)| s.to_owned()),
        "status": "inherit",
        "type": "attachment",
        "link": source_url,
        "title": { "rendered": escape(&title) },
        "author": 0,
        "featured_media": 0,
        "comment_status": "closed",
        "ping_status": "closed",
        "template": "",
        "meta": [],
        "description": { "rendered": "" },
        "caption": {
            "rendered": if caption.is_empty() { String::new() } else { format!("<p>{}</p>\n", escape(&caption)) }
        },
        "alt_text": m.alt.clone().unwrap_or_default(),
        "media_type": "image",
        "mime_type": m.mime_type,
        "media_details": {
            "width": m.width,
            "height": m.height,
            "file": file_of(&m.url),
            "filesize": m.bytes,
            "sizes": sizes,
            "image_meta": {
                "credit": m.credit.clone().unwrap_or_default(),
                "caption": caption,
                "title": m.title.clone().unwrap_or_default(),
            },
        },
        "post": m.used_by.first().map(|a| a.id),
        "source_url": source_url,
        "_links": {
            "self": link(site.route(&format!("media/{}", m.id))),
            "collection": link(site.route("media")),
            "about": link(site.route("types/attachment")),
            "curies": curies(),
        },
    });
    if context == Context::Edit {
        value["title"]["raw"] = json!(title);
        value["caption"]["raw"] = json!(m.caption.clone().unwrap_or_default());
        value["description"]["raw"] = json!("");
    }
    if context == Context::Embed
        && let Value::Object(map) = &mut value
    {
        for key in [
            "guid",
            "modified",
            "modified_gmt",
            "status",
            "comment_status",
            "ping_status",
            "template",
            "meta",
            "description",
            "post",
            "featured_media",
            "date_gmt",
        ] {
            map.remove(key);
        }
    }
    value
}

fn media_id(raw: &str) -> Result<i64, WpError> {
    raw.parse().map_err(|_| WpError::invalid_post_id())
}

async fn one(state: &AppState, id: i64) -> Result<MediaView, WpError> {
    crate::content::media::use_cases::get(&state.media, id)
        .await
        .map_err(|e| match e {
            ApiError::NotFound(_) => WpError::invalid_post_id(),
            other => other.into(),
        })
}

/// `GET /wp/v2/media`: newest first, `search`, `mime_type`, `page`.
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: WpCaller,
) -> Result<HttpResponse, WpError> {
    let params = Params::from_query(req.query_string());
    let site = super::site::load(&req, &state).await?;
    let (page, per_page) = params.page()?;
    let context = params.context(Context::View)?;
    if context == Context::Edit && !caller.signed_in() {
        return Err(WpError::refused(
            false,
            "rest_forbidden_context",
            "Sorry, you are not allowed to edit posts in this post type.",
        ));
    }
    let mime_type = match params.text("mime_type")? {
        Some(raw) => Some(
            crate::content::media::use_cases::mime_filter(&raw).map_err(|_| {
                WpError::invalid_param(
                    "mime_type",
                    "mime_type is not one of image/jpeg, image/png, image/webp, and image/gif.",
                )
            })?,
        ),
        None => None,
    };
    let words = params.search_words()?;
    let result = crate::content::media::use_cases::list(
        &state.media,
        crate::content::media::use_cases::ListRequest {
            filter: crate::content::media::queries::MediaFilter { mime_type, words },
            start: crate::content::media::queries::Start::Offset((page - 1) * per_page),
            per_page: per_page as u32,
        },
    )
    .await?;
    let items = result
        .data
        .iter()
        .map(|m| shape::shaped(media_json(&site, m, context), &params))
        .collect();
    shape::page(
        items,
        result.total,
        (page, per_page),
        &site.route("media"),
        req.query_string(),
        "rest_post_invalid_page_number",
    )
}

/// `GET /wp/v2/media/{id}`.
pub async fn get(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: WpCaller,
    id: String,
) -> Result<HttpResponse, WpError> {
    let params = Params::from_query(req.query_string());
    let context = params.context(Context::View)?;
    if context == Context::Edit && !caller.signed_in() {
        return Err(WpError::refused(
            false,
            "rest_forbidden_context",
            "Sorry, you are not allowed to edit this post.",
        ));
    }
    let site = super::site::load(&req, &state).await?;
    let m = one(&state, media_id(&id)?).await?;
    Ok(shape::json(
        StatusCode::OK,
        &shape::shaped(media_json(&site, &m, context), &params),
    ))
}

/// WordPress's part names: `alt_text` is our `alt`; `description` and
/// `post` are read and dropped.
fn wordpress_part(name: &str) -> Part {
    match name {
        "file" => Part::File,
        "alt_text" => Part::Alt,
        "caption" => Part::Caption,
        "title" => Part::Title,
        _ => Part::Ignored,
    }
}

/// `POST /wp/v2/media`: a multipart `file` (with `title`, `caption`,
/// `alt_text`), or the image as the body with `Content-Disposition:
/// attachment; filename=…` (its texts then from the query).
pub async fn upload(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: WpCaller,
    payload: web::Payload,
) -> Result<HttpResponse, WpError> {
    let refused = (
        "rest_cannot_create",
        "Sorry, you are not allowed to upload media on this site.",
    );
    crate::auth::policy::authorize_media_upload(&caller.0)
        .map_err(|e| WpError::from_api(e, refused))?;
    let media = &state.media;
    if !media.work.has_room() {
        return Err(crate::work_pool::WorkPool::busy().into());
    }
    let params = Params::from_query(req.query_string());
    let texts = UploadTexts {
        alt: params.text("alt_text")?,
        caption: params.text("caption")?,
        credit: None,
        title: params.text("title")?,
    };
    let upload = crate::content::media::routes::read_upload(
        &req,
        payload,
        media,
        wordpress_part,
        texts,
    )
    .await
    .map_err(|e| match e {
        ApiError::UnsupportedMediaType(_) => WpError::new(
            400,
            "rest_upload_no_data",
            "No data supplied: send a multipart `file`, or the image with Content-Disposition.",
        ),
        other => other.into(),
    })?;
    let view = crate::content::media::use_cases::upload(media, &caller.0, upload)
        .await
        .map_err(|e| WpError::from_api(e, refused))?;
    let site = super::site::load(&req, &state).await?;
    Ok(shape::created(
        &shape::shaped(media_json(&site, &view, Context::Edit), &params),
        &site.route(&format!("media/{}", view.id)),
    ))
}

/// `POST|PUT|PATCH /wp/v2/media/{id}`: `alt_text`, `caption`, `title`.
pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: WpCaller,
    params: Params,
    id: String,
) -> Result<HttpResponse, WpError> {
    let id = media_id(&id)?;
    one(&state, id).await?;
    let patch = MediaPatch {
        alt: params.patch_text("alt_text", true)?,
        caption: params.patch_text("caption", true)?,
        credit: Patch::Absent,
        title: params.patch_text("title", true)?,
    };
    let view = crate::content::media::use_cases::update(
        &state.media,
        &caller.0,
        id,
        Precondition::Any,
        patch,
    )
    .await
    .map_err(|e| {
        WpError::from_api(
            e,
            (
                "rest_cannot_edit",
                "Sorry, you are not allowed to edit this post.",
            ),
        )
    })?;
    let site = super::site::load(&req, &state).await?;
    Ok(shape::json(
        StatusCode::OK,
        &shape::shaped(media_json(&site, &view, Context::Edit), &params),
    ))
}

/// `DELETE /wp/v2/media/{id}?force=true`: attachments have no trash in
/// WordPress either. A featured image is taken off its articles, as
/// WordPress does.
pub async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: WpCaller,
    params: Params,
    id: String,
) -> Result<HttpResponse, WpError> {
    let id = media_id(&id)?;
    let current = one(&state, id).await?;
    if !caller.signed_in() {
        return Err(WpError::refused(
            false,
            "rest_cannot_delete",
            "Sorry, you are not allowed to delete this post.",
        ));
    }
    params.require_force("The post does")?;
    let site = super::site::load(&req, &state).await?;
    let previous = media_json(&site, &current, Context::Edit);
    crate::content::media::use_cases::delete(&state.media, &caller.0, id, Precondition::Any, true)
        .await
        .map_err(|e| {
            WpError::from_api(
                e,
                (
                    "rest_cannot_delete",
                    "Sorry, you are not allowed to delete this post.",
                ),
            )
        })?;
    Ok(shape::deleted(previous))
}
