//! `GET /media/{hh}/{hash}/{file}`: the files of the media store. A local
//! store's by actix-files (`Range`, `If-None-Match`, `If-Modified-Since`,
//! a strong ETag from the file's identity); an object store's relayed from
//! it (`Range`, `If-None-Match` against the object's own ETag), so that
//! any app process serves the whole library without a CDN in front.
//! Names are content-addressed (the directory is the hash of the bytes),
//! so a name never changes content: browsers and CDNs keep them for a year
//! without asking again.

use actix_web::http::{Method, header};
use actix_web::{HttpRequest, HttpResponse, get, head, web};

use super::routes::BinaryFile;
use crate::error::ApiError;
use crate::state::AppState;
use crate::storage::{MediaStore, S3Store, s3::Fetched};

pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

fn not_found() -> ApiError {
    ApiError::not_found("no such media file")
}

/// A media file: an original or a rendition, as its media object's `url`
/// and `renditions[].url` name it.
#[utoipa::path(
    tag = "media",
    operation_id = "get_media_file",
    params(
        ("shard" = String, Path, description = "The first two characters of `hash`"),
        ("hash" = String, Path, description = "SHA-256 of the uploaded bytes, in hex"),
        ("file" = String, Path, description = "The file: `{name}.{ext}` or `{name}-{width}w.{ext}`"),
        ("Range" = Option<String>, Header, description = "A byte range (`bytes=0-1023`)"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag last received: 304 when unchanged"),
    ),
    responses(
        (status = 200, description = "The file; cached for a year (its name never changes content)",
         content(
             (BinaryFile = "image/jpeg"), (BinaryFile = "image/png"),
             (BinaryFile = "image/webp"), (BinaryFile = "image/gif"),
         ),
         headers(("ETag" = String, description = "Strong validator"),
                 ("Cache-Control" = String, description = "public, max-age=31536000, immutable"))),
        (status = 206, description = "The range asked for", headers(("Content-Range" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 404, description = "No such file", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 416, description = "The range lies outside the file"),
    )
)]
#[get("/media/{shard}/{hash}/{file}")]
pub async fn serve_file(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, ApiError> {
    file_response(&req, &state, &path).await
}

/// The headers `GET` would send, without the file.
#[utoipa::path(
    tag = "media",
    operation_id = "head_media_file",
    params(
        ("shard" = String, Path, description = "The first two characters of `hash`"),
        ("hash" = String, Path, description = "SHA-256 of the uploaded bytes, in hex"),
        ("file" = String, Path, description = "The file's name"),
    ),
    responses(
        (status = 200, description = "The file's headers", headers(("ETag" = String), ("Content-Length" = u64))),
        (status = 404, description = "No such file"),
    )
)]
#[head("/media/{shard}/{hash}/{file}")]
pub async fn serve_file_head(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, ApiError> {
    file_response(&req, &state, &path).await
}

async fn file_response(
    req: &HttpRequest,
    state: &AppState,
    (shard, hash, file): &(String, String, String),
) -> Result<HttpResponse, ApiError> {
    let key = format!("{shard}/{hash}/{file}");
    let store = match &state.media.store {
        MediaStore::Local(store) => store,
        MediaStore::S3(store) => return object_response(req, store, &key).await,
    };
    let path = store.file_path(&key).ok_or_else(not_found)?;
    let file = actix_files::NamedFile::open_async(path)
        .await
        .map_err(|_| not_found())?;
    let mut response = file
        .use_last_modified(true)
        .disable_content_disposition()
        .into_response(req);
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static(IMMUTABLE),
    );
    Ok(response)
}

fn store_error(e: std::io::Error) -> ApiError {
    match e.kind() {
        std::io::ErrorKind::NotFound | std::io::ErrorKind::InvalidInput => not_found(),
        _ => ApiError::Internal(format!("media store: {e}")),
    }
}

/// An object store's file: one request to the store for a whole file (a
/// conditional one when the client holds an ETag), two for a range (its
/// size first, to answer 416 as actix-files does).
async fn object_response(
    req: &HttpRequest,
    store: &S3Store,
    key: &str,
) -> Result<HttpResponse, ApiError> {
    let headers = req.headers();
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &header::HeaderValue| v.to_str().ok())
    };
    let if_none_match = text(header::IF_NONE_MATCH).map(str::to_owned);
    let range = text(header::RANGE);
    let mime = actix_files::file_extension_to_mime(key.rsplit('.').next().unwrap_or_default());
    let response = |status| {
        let mut builder = HttpResponse::build(status);
        builder
            .insert_header((header::CACHE_CONTROL, IMMUTABLE))
            .insert_header((header::ACCEPT_RANGES, "bytes"));
        builder
    };
    let not_modified = |e_tag: &str| {
        response(actix_web::http::StatusCode::NOT_MODIFIED)
            .insert_header((header::ETAG, e_tag.to_owned()))
            .finish()
    };
    if req.method() == Method::HEAD || range.is_some() {
        let (size, e_tag) = store.head(key).await.map_err(store_error)?;
        let e_tag = e_tag.unwrap_or_default();
        if if_none_match
            .as_deref()
            .is_some_and(|asked| matches_e_tag(asked, &e_tag))
        {
            return Ok(not_modified(&e_tag));
        }
        let Some(range) = range.filter(|_| req.method() != Method::HEAD) else {
            // A body of the file's size that HEAD never sends: actix
            // writes its Content-Length and skips it.
            let none = futures_util::stream::empty::<Result<bytes::Bytes, std::io::Error>>();
            return Ok(response(actix_web::http::StatusCode::OK)
                .insert_header((header::ETAG, e_tag))
                .insert_header((header::CONTENT_TYPE, mime.essence_str()))
                .body(actix_web::body::SizedStream::new(size, none)));
        };
        return match actix_files::HttpRange::parse(range, size).as_deref() {
            Ok([one]) if one.length > 0 => {
                let bytes = store
                    .range(key, one.start..one.start + one.length)
                    .await
                    .map_err(store_error)?;
                Ok(response(actix_web::http::StatusCode::PARTIAL_CONTENT)
                    .insert_header((header::ETAG, e_tag))
                    .insert_header((header::CONTENT_TYPE, mime.essence_str()))
                    .insert_header((
                        header::CONTENT_RANGE,
                        format!("bytes {}-{}/{size}", one.start, one.start + one.length - 1),
                    ))
                    .body(bytes))
            }
            _ => Ok(response(actix_web::http::StatusCode::RANGE_NOT_SATISFIABLE)
                .insert_header((header::CONTENT_RANGE, format!("bytes */{size}")))
                .finish()),
        };
    }
    match store
        .fetch(key, if_none_match.clone())
        .await
        .map_err(store_error)?
    {
        Fetched::NotModified => Ok(not_modified(if_none_match.as_deref().unwrap_or_default())),
        Fetched::Whole { size, e_tag, body } => {
            let mut whole = response(actix_web::http::StatusCode::OK);
            if let Some(e_tag) = e_tag {
                whole.insert_header((header::ETAG, e_tag));
            }
            whole
                .insert_header((header::CONTENT_TYPE, mime.essence_str()))
                .no_chunking(size);
            Ok(whole.streaming(body))
        }
    }
}

/// `If-None-Match` (a list of tags, or `*`) against an ETag, weakly as
/// RFC 9110 wants for GET.
fn matches_e_tag(asked: &str, e_tag: &str) -> bool {
    let bare = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
    asked.trim() == "*" || asked.split(',').any(|tag| bare(tag) == bare(e_tag))
}
