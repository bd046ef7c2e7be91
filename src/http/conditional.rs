//! Conditional requests and caching: a strong `ETag` on every GET (the hash
//! of the exact bytes sent), `304` on a matching `If-None-Match`, `412` on a
//! stale `If-Match`, and `Cache-Control` by audience.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};
use serde::Serialize;

use crate::auth::Caller;
use crate::error::ApiError;

/// A strong validator: the same bytes always give the same tag, any change
/// to the representation changes it. XXH3-128 rather than a cryptographic
/// hash: a tag only has to tell our own representations apart (nobody gains
/// by forging a collision with a page they can read anyway), and SHA-256
/// over a 25 KB list page was a tenth of the request's CPU.
pub fn etag_of(bytes: &[u8]) -> String {
    format!("\"{:032x}\"", xxhash_rust::xxh3::xxh3_128(bytes))
}

/// The ETag a GET of `view` returns, for checking `If-Match` against the
/// representation as stored right now.
pub fn etag_of_view(view: &impl Serialize) -> Result<String, ApiError> {
    let bytes = serde_json::to_vec(view)
        .map_err(|e| ApiError::Internal(format!("cannot serialise a view: {e}")))?;
    Ok(etag_of(&bytes))
}

/// What a write expects, from its `If-Match`; the use case checks it
/// inside its transaction.
pub fn precondition(req: &HttpRequest) -> crate::content::Precondition {
    crate::content::Precondition::from_if_match(if_match(req))
}

/// The raw `If-Match` header of a request, read by write handlers and
/// checked by the use case inside its transaction.
pub fn if_match(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// `If-Match` uses the strong comparison (RFC 9110 13.1.1): a weak tag never
/// matches, `*` matches any current representation.
pub fn check_if_match(header: Option<&str>, current: &str) -> Result<(), ApiError> {
    let Some(header) = header else {
        return Ok(());
    };
    let matches = header
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag == current);
    if matches {
        Ok(())
    } else {
        Err(ApiError::PreconditionFailed)
    }
}

/// `If-None-Match` uses the weak comparison: `W/"x"` matches `"x"`.
fn none_match_hits(req: &HttpRequest, etag: &str) -> bool {
    let Some(header) = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    header
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
}

/// Who may keep a copy: shared caches for anonymous reads, nobody for
/// authenticated ones (they may hold drafts).
fn cache_control(caller: &Caller, public_max_age: u32) -> String {
    match caller {
        Caller::Public => format!("public, max-age={public_max_age}"),
        _ => "private, no-store".to_owned(),
    }
}

/// A JSON response to a GET: ETag, Cache-Control, `Vary: Authorization`,
/// and a bodiless 304 when the client already has these bytes. `headers`
/// adds what the endpoint needs (`Link`).
pub fn json_get(
    req: &HttpRequest,
    caller: &Caller,
    public_max_age: u32,
    body: &impl Serialize,
    headers: &[(header::HeaderName, String)],
) -> Result<HttpResponse, ApiError> {
    json_get_as(req, caller, public_max_age, body, headers, JSON)
}

/// The media type of JSON responses.
pub const JSON: &str = "application/json";

/// `json_get` answered as `media_type` (a `+json` type: see
/// `content::articles::views::SPARSE_JSON`).
pub fn json_get_as(
    req: &HttpRequest,
    caller: &Caller,
    public_max_age: u32,
    body: &impl Serialize,
    headers: &[(header::HeaderName, String)],
    media_type: &'static str,
) -> Result<HttpResponse, ApiError> {
    let bytes = serde_json::to_vec(body)
        .map_err(|e| ApiError::Internal(format!("cannot serialise a response: {e}")))?;
    json_bytes_get_as(req, caller, public_max_age, bytes, headers, media_type)
}

/// `json_get` for a body already serialised.
pub fn json_bytes_get(
    req: &HttpRequest,
    caller: &Caller,
    public_max_age: u32,
    bytes: Vec<u8>,
    headers: &[(header::HeaderName, String)],
) -> Result<HttpResponse, ApiError> {
    json_bytes_get_as(req, caller, public_max_age, bytes, headers, JSON)
}

fn json_bytes_get_as(
    req: &HttpRequest,
    caller: &Caller,
    public_max_age: u32,
    bytes: Vec<u8>,
    headers: &[(header::HeaderName, String)],
    media_type: &'static str,
) -> Result<HttpResponse, ApiError> {
    let etag = etag_of(&bytes);
    let hit = none_match_hits(req, &etag);
    let mut response = HttpResponse::build(if hit {
        StatusCode::NOT_MODIFIED
    } else {
        StatusCode::OK
    });
    response
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, cache_control(caller, public_max_age)))
        .insert_header((header::VARY, HeaderValue::from_static("Authorization")));
    add_headers(&mut response, headers);
    if hit {
        return Ok(response.finish());
    }
    Ok(response.content_type(media_type).body(bytes))
}

/// The response to a write that returns the resource (`201` or `200`),
/// with the ETag a following GET would give.
pub fn json_written(
    status: StatusCode,
    body: &impl Serialize,
    headers: &[(header::HeaderName, String)],
) -> Result<HttpResponse, ApiError> {
    let bytes = serde_json::to_vec(body)
        .map_err(|e| ApiError::Internal(format!("cannot serialise a response: {e}")))?;
    let mut response = HttpResponse::build(status);
    response
        .insert_header((header::ETAG, etag_of(&bytes)))
        .insert_header((header::CACHE_CONTROL, "no-store"));
    add_headers(&mut response, headers);
    Ok(response.content_type("application/json").body(bytes))
}

fn add_headers(response: &mut HttpResponseBuilder, headers: &[(header::HeaderName, String)]) {
    for (name, value) in headers {
        if let Ok(value) = HeaderValue::from_str(value) {
            response.insert_header((name.clone(), value));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_is_strong() {
        let tag = etag_of(b"x");
        assert!(check_if_match(None, &tag).is_ok());
        assert!(check_if_match(Some(&tag), &tag).is_ok());
        assert!(check_if_match(Some("*"), &tag).is_ok());
        assert!(check_if_match(Some(&format!("\"old\", {tag}")), &tag).is_ok());
        assert!(check_if_match(Some(&format!("W/{tag}")), &tag).is_err());
        assert!(check_if_match(Some("\"old\""), &tag).is_err());
    }
}
