//! Cross-origin access for browser frontends on other origins, from
//! `CMS_CORS_ORIGINS` (comma-separated origins, or `*`). Requests from other
//! origins are served without CORS headers (the browser then refuses them)
//! rather than failed, so same-origin and server-side clients are unaffected.

use actix_cors::Cors;
use actix_web::http::{Method, header};

pub fn policy(origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
        ])
        .expose_headers([
            header::ETAG,
            header::LINK,
            header::LOCATION,
            header::RETRY_AFTER,
            header::HeaderName::from_static("x-request-id"),
            // WordPress's list totals, which headless frontends paginate by.
            header::HeaderName::from_static("x-wp-total"),
            header::HeaderName::from_static("x-wp-totalpages"),
        ])
        .max_age(3600)
        .block_on_origin_mismatch(false);
    for origin in origins {
        cors = if origin == "*" {
            cors.allow_any_origin()
        } else {
            cors.allowed_origin(origin)
        };
    }
    cors
}
