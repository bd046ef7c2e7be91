//! `/api/v1/media`: thin handlers over the use cases. An upload arrives as
//! `multipart/form-data` (part `file`, and `alt`, `caption`, `credit`,
//! `title`) or as the raw image with `Content-Disposition: attachment;
//! filename=…` (the WordPress REST API's shape) and its texts in the query.
//! The caller is checked before the body is read, and the size cap holds
//! while the body streams in: a 2 GB upload is refused after 20 MB, not
//! after 2 GB.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentDisposition};
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use futures_util::{StreamExt, TryStreamExt};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use super::input::{MediaPatch, UploadTexts};
use super::queries::{MediaFilter, Start};
use super::use_cases::{self, ListRequest, Upload};
use super::views::{MediaList, MediaView};
use crate::auth::Caller;
use crate::auth::policy;
use crate::error::{ApiError, FieldError, Problem};
use crate::http::conditional::{json_get, json_written, precondition};
use crate::http::extract::{JsonBody, QueryParams, parse_query};
use crate::http::listing::{ListEnvelope, ListMeta, PageRequest, link_header};
use crate::state::AppState;

const MEDIA_PATH: &str = "/api/v1/media";
/// Room for a multipart body's boundaries and text parts beside the file.
const MULTIPART_OVERHEAD: usize = 64 * 1024;
/// Longest text part of a multipart upload.
const MAX_TEXT_PART: usize = 8 * 1024;

/// Bytes of a file, as OpenAPI describes them (`string`, `binary`).
#[derive(utoipa::ToSchema, Deserialize)]
#[schema(value_type = String, format = Binary)]
pub struct BinaryFile(#[allow(dead_code, reason = "a schema only")] Vec<u8>);

/// The parts of a `multipart/form-data` upload; any other part is refused.
#[derive(utoipa::ToSchema, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(
    dead_code,
    reason = "a schema only: the parts are read as they stream in"
)]
pub struct MediaUploadForm {
    /// The image: JPEG, PNG, WebP or GIF.
    file: BinaryFile,
    #[schema(max_length = 500)]
    alt: Option<String>,
    #[schema(max_length = 2000)]
    caption: Option<String>,
    #[schema(max_length = 300)]
    credit: Option<String>,
    #[schema(max_length = 300)]
    title: Option<String>,
}

fn parse_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .map_err(|_| ApiError::not_found("no media has this id"))
}

fn missing_file() -> ApiError {
    ApiError::Validation(vec![FieldError::new(
        "file",
        "required",
        "send the image in a part named `file`",
    )])
}

fn unreadable(e: impl std::fmt::Display) -> ApiError {
    ApiError::bad_request(format!("could not read the request body: {e}"))
}

/// Reads a stream into memory, refusing it once it passes `limit`.
async fn read_capped<S, B, E>(mut stream: S, limit: usize) -> Result<Vec<u8>, ApiError>
where
    S: futures_util::Stream<Item = Result<B, E>> + Unpin,
    B: AsRef<[u8]>,
    E: std::fmt::Display,
{
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(unreadable)?;
        if bytes.len() + chunk.as_ref().len() > limit {
            return Err(ApiError::PayloadTooLarge { limit });
        }
        bytes.extend_from_slice(chunk.as_ref());
    }
    Ok(bytes)
}

/// What a part of a multipart upload is, by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    File,
    Alt,
    Caption,
    Credit,
    Title,
    /// A client's own name for the upload, echoed in its answer and not
    /// stored (Ghost's `ref`).
    Reference,
    /// Read and dropped (WordPress's `description`, `post`).
    Ignored,
    Unknown,
}

/// This API's part names; anything else is refused.
fn api_part(name: &str) -> Part {
    match name {
        "file" => Part::File,
        "alt" => Part::Alt,
        "caption" => Part::Caption,
        "credit" => Part::Credit,
        "title" => Part::Title,
        _ => Part::Unknown,
    }
}

/// A multipart upload whose parts `part` names.
pub async fn multipart_upload(
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
    part: fn(&str) -> Part,
) -> Result<Upload, ApiError> {
    let mut multipart = actix_multipart::Multipart::new(req.headers(), payload);
    let mut file: Option<(Vec<u8>, Option<String>)> = None;
    let mut texts = UploadTexts::default();
    let mut reference = None;
    while let Some(field) = multipart
        .try_next()
        .await
        .map_err(|e| ApiError::bad_request(format!("malformed multipart/form-data body: {e}")))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        match part(&name) {
            Part::File => {
                if file.is_some() {
                    return Err(ApiError::Validation(vec![FieldError::new(
                        "file",
                        "duplicate",
                        "send one file per upload",
                    )]));
                }
                let file_name = field.content_disposition().and_then(|cd| {
                    cd.get_filename_ext()
                        .map(|f| String::from_utf8_lossy(&f.value).into_owned())
                        .or_else(|| cd.get_filename().map(str::to_owned))
                });
                file = Some((read_capped(field, limit).await?, file_name));
            }
            Part::Ignored => {
                read_capped(field, MAX_TEXT_PART).await.map_err(|_| {
                    ApiError::Validation(vec![FieldError::new(
                        name.clone(),
                        "too_long",
                        "is far too long",
                    )])
                })?;
            }
            kind @ (Part::Alt | Part::Caption | Part::Credit | Part::Title | Part::Reference) => {
                let bytes = read_capped(field, MAX_TEXT_PART).await.map_err(|_| {
                    ApiError::Validation(vec![FieldError::new(
                        name.clone(),
                        "too_long",
                        "is far too long",
                    )])
                })?;
                let value = String::from_utf8(bytes).map_err(|_| {
                    ApiError::Validation(vec![FieldError::new(
                        name.clone(),
                        "invalid_utf8",
                        "must be UTF-8 text",
                    )])
                })?;
                let slot = match kind {
                    Part::Alt => &mut texts.alt,
                    Part::Caption => &mut texts.caption,
                    Part::Credit => &mut texts.credit,
                    Part::Reference => &mut reference,
                    _ => &mut texts.title,
                };
                *slot = Some(value);
            }
            Part::Unknown => {
                return Err(ApiError::Validation(vec![FieldError::new(
                    name,
                    "unknown_field",
                    "unknown part; expected file, alt, caption, credit or title",
                )]));
            }
        }
    }
    let (bytes, file_name) = file.ok_or_else(missing_file)?;
    Ok(Upload {
        bytes,
        file_name,
        texts,
        reference,
    })
}

/// A multipart form's text fields and files, in order: what a form with
/// files beside its fields sends (Micropub's `photo`).
#[derive(Default)]
pub struct MultipartForm {
    pub fields: Vec<(String, String)>,
    pub files: Vec<(String, Upload)>,
}

/// Reads a whole multipart form: parts with a file name are files (at
/// most `max_files`, each within `limit` bytes), the others UTF-8 text of
/// at most `max_text` bytes each (an article's text is one).
pub async fn multipart_form(
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
    max_files: usize,
    max_text: usize,
) -> Result<MultipartForm, ApiError> {
    let mut multipart = actix_multipart::Multipart::new(req.headers(), payload);
    let mut form = MultipartForm::default();
    while let Some(field) = multipart
        .try_next()
        .await
        .map_err(|e| ApiError::bad_request(format!("malformed multipart/form-data body: {e}")))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.content_disposition().and_then(|cd| {
            cd.get_filename_ext()
                .map(|f| String::from_utf8_lossy(&f.value).into_owned())
                .or_else(|| cd.get_filename().map(str::to_owned))
        });
        let too_long = |name: &str| {
            ApiError::Validation(vec![FieldError::new(name, "too_long", "is far too long")])
        };
        match file_name {
            Some(file_name) => {
                if form.files.len() == max_files {
                    return Err(ApiError::Validation(vec![FieldError::new(
                        name,
                        "too_many_files",
                        format!("at most {max_files} files per request"),
                    )]));
                }
                let bytes = read_capped(field, limit).await?;
                form.files.push((
                    name,
                    Upload {
                        bytes,
                        file_name: Some(file_name),
                        texts: UploadTexts::default(),
                        reference: None,
                    },
                ));
            }
            None => {
                let bytes = read_capped(field, max_text)
                    .await
                    .map_err(|_| too_long(&name))?;
                let value = String::from_utf8(bytes).map_err(|_| {
                    ApiError::Validation(vec![FieldError::new(
                        name.clone(),
                        "invalid_utf8",
                        "must be UTF-8 text",
                    )])
                })?;
                form.fields.push((name, value));
            }
        }
    }
    Ok(form)
}

/// The image itself as the body, its name in `Content-Disposition`.
pub async fn raw_upload_with(
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
    texts: UploadTexts,
) -> Result<Upload, ApiError> {
    let file_name = req
        .headers()
        .get(header::CONTENT_DISPOSITION)
        .and_then(|v| ContentDisposition::from_raw(v).ok())
        .and_then(|cd| {
            cd.get_filename_ext()
                .map(|f| String::from_utf8_lossy(&f.value).into_owned())
                .or_else(|| cd.get_filename().map(str::to_owned))
        });
    let bytes = read_capped(payload, limit).await?;
    Ok(Upload {
        bytes,
        file_name,
        texts,
        reference: None,
    })
}

/// An upload's bytes, name and texts, from a multipart body (parts named
/// by `part`) or the image itself as the body (`raw_texts` then), within
/// the size limit and not empty.
pub async fn read_upload(
    req: &HttpRequest,
    payload: web::Payload,
    media: &crate::content::media::Media,
    part: fn(&str) -> Part,
    raw_texts: UploadTexts,
) -> Result<Upload, ApiError> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let content_type = crate::http::extract::content_type_essence(req);
    let upload = if content_type == "multipart/form-data" {
        if declared.is_some_and(|n| n > media.max_bytes + MULTIPART_OVERHEAD) {
            return Err(ApiError::PayloadTooLarge {
                limit: media.max_bytes,
            });
        }
        multipart_upload(req, payload, media.max_bytes, part).await?
    } else if content_type.starts_with("image/") || content_type == "application/octet-stream" {
        if declared.is_some_and(|n| n > media.max_bytes) {
            return Err(ApiError::PayloadTooLarge {
                limit: media.max_bytes,
            });
        }
        raw_upload_with(req, payload, media.max_bytes, raw_texts).await?
    } else {
        return Err(ApiError::UnsupportedMediaType(
            "send multipart/form-data with a `file` part, or the image itself (image/*)".to_owned(),
        ));
    };
    if upload.bytes.is_empty() {
        return Err(ApiError::Validation(vec![FieldError::new(
            "file",
            "empty",
            "the file is empty",
        )]));
    }
    Ok(upload)
}

/// Upload an image (authors, contributors and up).
///
/// JPEG, PNG, WebP and GIF, recognised by their bytes. The stored original
/// is turned upright and loses its metadata (EXIF, XMP, IPTC: GPS
/// positions included); caption, credit and title written in an agency
/// photo's IPTC or XMP fill those the upload leaves out. Renditions at
/// 320, 640, 960, 1280 and 1920 px wide (never wider than the original)
/// come in WebP and in the original's family.
#[utoipa::path(
    tag = "media",
    params(UploadTexts),
    request_body(
        description = "`multipart/form-data` with a part `file` (and optional parts `alt`, `caption`, `credit`, `title`), or the image itself with `Content-Disposition: attachment; filename=…`",
        content(
            (MediaUploadForm = "multipart/form-data"),
            (BinaryFile = "image/jpeg"), (BinaryFile = "image/png"),
            (BinaryFile = "image/webp"), (BinaryFile = "image/gif"),
            (BinaryFile = "application/octet-stream"),
        )
    ),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Stored", body = MediaView,
         headers(("Location" = String, description = "The new media object"), ("ETag" = String))),
        (status = 400, description = "Unreadable body or bad query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role not allowed (read-only token)", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than CMS_MEDIA_MAX_MB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not a JPEG, PNG, WebP or GIF image (the detail names what was found), or a body that is neither multipart nor raw", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Missing or empty file, corrupt or truncated image, data after the image, too many pixels, bad file name, texts too long or unknown parts", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Image processing at capacity, or database unavailable",
         headers(("Retry-After" = u64, description = "Seconds to wait")),
         body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/media")]
pub async fn upload_media(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    policy::authorize_media_upload(&caller)?;
    let media = &state.media;
    if !media.work.has_room() {
        return Err(crate::work_pool::WorkPool::busy());
    }
    let texts: UploadTexts =
        if crate::http::extract::content_type_essence(&req) == "multipart/form-data" {
            UploadTexts::default()
        } else {
            parse_query(req.query_string())?
        };
    let upload = read_upload(&req, payload, media, api_part, texts).await?;
    let view = use_cases::upload(media, &caller, upload).await?;
    let location = format!("{MEDIA_PATH}/{}", view.id);
    json_written(StatusCode::CREATED, &view, &[(header::LOCATION, location)])
}

/// The query of `GET /media`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MediaListQuery {
    /// Page number, from 1 (or use `cursor`).
    #[param(value_type = Option<u32>, minimum = 1)]
    pub page: Option<String>,
    /// Items per page: default 20, at most 100.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub per_page: Option<String>,
    /// `meta.next_cursor` of the previous page: stable while uploads arrive.
    pub cursor: Option<String>,
    /// Only this type: `image/jpeg`, `image/png`, `image/webp` or `image/gif`.
    pub mime_type: Option<String>,
    /// Words to find in the alt text, caption, credit, title or file name
    /// (accents and case ignored; all must appear).
    pub q: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct CursorPayload {
    /// Which query the cursor belongs to.
    q: String,
    before: i64,
}

/// List media, newest first (public).
#[utoipa::path(
    tag = "media",
    params(MediaListQuery),
    responses(
        (status = 200, description = "A page of media", body = MediaList,
         headers(("ETag" = String, description = "Strong validator of this response"),
                 ("Link" = String, description = "RFC 8288 links: first, prev, next, last"))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, description = "Bad query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/media")]
pub async fn list_media(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: QueryParams<MediaListQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.0;
    let page = PageRequest::parse(query.page.as_deref(), query.per_page.as_deref())?;
    let mime_type = query
        .mime_type
        .as_deref()
        .map(use_cases::mime_filter)
        .transpose()?;
    let words: Vec<String> = query
        .q
        .as_deref()
        .map(|q| {
            crate::content::text::fold_for_search(q)
                .split_whitespace()
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let fingerprint = {
        use sha2::{Digest, Sha256};
        let key = format!("{mime_type:?}|{words:?}");
        hex::encode(&Sha256::digest(key.as_bytes())[..8])
    };
    let start = match &query.cursor {
        None => Start::Offset(page.offset()),
        Some(cursor) => {
            let payload: CursorPayload = state
                .cursor_key
                .open(cursor)
                .filter(|p: &CursorPayload| p.q == fingerprint)
                .ok_or_else(|| {
                    ApiError::bad_parameter(
                        "cursor",
                        "invalid_cursor",
                        "the cursor is invalid or belongs to another query",
                    )
                })?;
            Start::Before(payload.before)
        }
    };
    let page_number = matches!(start, Start::Offset(_)).then_some(page.page);
    let result = use_cases::list(
        &state.media,
        ListRequest {
            filter: MediaFilter { mime_type, words },
            start,
            per_page: page.per_page,
        },
    )
    .await?;
    let next_cursor = result.next.and_then(|before| {
        state.cursor_key.seal(&CursorPayload {
            q: fingerprint.clone(),
            before,
        })
    });
    let meta = ListMeta::new(page_number, page.per_page, result.total, next_cursor);
    let links: Vec<_> = link_header(&req, &meta)
        .into_iter()
        .map(|l| (header::LINK, l))
        .collect();
    json_get(
        &req,
        &caller,
        state.config.public_cache_seconds,
        &ListEnvelope {
            data: result.data,
            meta,
        },
        &links,
    )
}

/// One media object (public).
#[utoipa::path(
    tag = "media",
    params(("id" = i64, Path, description = "The media object's id")),
    responses(
        (status = 200, description = "The media object", body = MediaView, headers(("ETag" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 404, description = "No such media", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/media/{id}")]
pub async fn get_media(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let view = use_cases::get(&state.media, parse_id(&id)?).await?;
    json_get(&req, &caller, state.config.public_cache_seconds, &view, &[])
}

/// Change a media object's texts (merge semantics; `null` clears).
///
/// Authors and contributors change their own uploads; editors and admins
/// any.
#[utoipa::path(
    tag = "media",
    params(
        ("id" = i64, Path, description = "The media object's id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version being edited; stale → 412"),
    ),
    request_body = MediaPatch,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = MediaView, headers(("ETag" = String))),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not yours, or a read-only token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such media", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match; nothing written", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Texts too long, unknown fields", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/media/{id}")]
pub async fn update_media(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: Result<JsonBody<MediaPatch>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    policy::authorize_media_upload(&caller)?;
    let id = parse_id(&id)?;
    let view = use_cases::update(&state.media, &caller, id, precondition(&req), body?.0).await?;
    json_written(StatusCode::OK, &view, &[])
}

/// The query of `DELETE /media/{id}`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MediaDeleteQuery {
    /// `true`: delete it even if articles feature it, taking it off them.
    #[param(value_type = Option<bool>)]
    pub force: Option<String>,
}

/// Delete a media object. Its files go once no other upload of the same
/// bytes uses them. An object articles feature is a 409 naming them,
/// unless `force=true`.
#[utoipa::path(
    tag = "media",
    params(
        ("id" = i64, Path, description = "The media object's id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version being deleted; stale → 412"),
        MediaDeleteQuery,
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Bad `force`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Featured by articles (named in the detail); send force=true to take it off them", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not yours, or a read-only token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such media", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match; nothing deleted", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/media/{id}")]
pub async fn delete_media(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    query: QueryParams<MediaDeleteQuery>,
) -> Result<HttpResponse, ApiError> {
    policy::authorize_media_upload(&caller)?;
    let id = parse_id(&id)?;
    let force = query
        .0
        .force
        .as_deref()
        .map(|raw| crate::http::listing::parse_bool("force", raw))
        .transpose()?
        .unwrap_or(false);
    use_cases::delete(&state.media, &caller, id, precondition(&req), force).await?;
    Ok(HttpResponse::NoContent().finish())
}
