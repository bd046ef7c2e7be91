//! The headers every response carries so that a browser treats it safely:
//! no MIME sniffing, no referrer, no framing, and a content security policy.
//!
//! The API's JSON needs no page capabilities at all (`default-src 'none'`).
//! `/docs` is the interactive documentation, a page: its scripts, styles
//! and the document it reads come from this server only, and no other site
//! may frame it (it used to have no framing protection: a clickjacking
//! target for a signed-in editor trying requests).

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;

/// JSON cannot load anything, so `default-src 'none'` says it all; kept
/// short, as every cached response carries it.
const API_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

/// Swagger UI sets inline style attributes, and shows icons from `data:`
/// URIs in its stylesheet; it has no inline script.
const DOCS_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let docs = req.path() == "/docs" || req.path().starts_with("/docs/");
    let mut response = next.call(req).await?;
    let headers = response.headers_mut();
    let policy = if docs { DOCS_POLICY } else { API_POLICY };
    let set: [(HeaderName, &'static str); 4] = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::CONTENT_SECURITY_POLICY, policy),
    ];
    for (name, value) in set {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
    // A page that opens others: keep them from reaching back into it.
    if docs {
        headers.insert(
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        );
    }
    Ok(response)
}
