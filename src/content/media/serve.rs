//! `GET /media/{hh}/{hash}/{file}`: the files of a local store, by
//! actix-files (`Range`, `If-None-Match`, `If-Modified-Since`, a strong
//! ETag from the file's identity). Names are content-addressed (the
//! directory is the hash of the bytes), so a name never changes content:
//! browsers and CDNs keep them for a year without asking again.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, head, web};

use super::routes::BinaryFile;
use crate::error::ApiError;
use crate::state::AppState;
use crate::storage::MediaStore;

pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

fn not_found() -> ApiError {
    ApiError::not_found("no such media file")
}

/// A media file: an original or a rendition, as its media object's `url`
/// and `renditions[].url` name it.
#[utoipa::path(
    tag = "media",
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
    let MediaStore::Local(store) = &state.media.store;
    let path = store
        .file_path(&format!("{shard}/{hash}/{file}"))
        .ok_or_else(not_found)?;
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
