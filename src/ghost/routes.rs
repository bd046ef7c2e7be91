//! Where each Ghost Admin API path goes: `/ghost/api/admin/…` and the
//! legacy versioned prefixes older clients use (`/ghost/api/v4/admin/…`,
//! and v2, v3, canary; their tokens carry that version's audience).
//! Every answer carries `Content-Version` (the SDK sends `Accept-Version`
//! and Ghost answers any version on a known route) and Ghost's error
//! shape, never problem+json (`http::fallback::OWN_ERROR_SHAPES`).

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::{Next, from_fn};
use actix_web::{HttpResponse, web};

use super::error::GhostError;
use super::shape::GHOST_VERSION;
use super::{images, posts, site, tags};

/// `Content-Version: v6.0` and `Vary: Accept-Version` on every answer.
async fn content_version(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let mut response = next.call(req).await?;
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&format!("v{GHOST_VERSION}")) {
        headers.insert(header::HeaderName::from_static("content-version"), value);
    }
    headers.append(header::VARY, HeaderValue::from_static("Accept-Version"));
    Ok(response)
}

async fn no_route() -> Result<HttpResponse, GhostError> {
    Err(GhostError::no_route())
}

fn resources(cfg: &mut web::ServiceConfig) {
    cfg.route("/site/", web::get().to(site::read))
        .route("/tags/", web::get().to(tags::browse))
        .route("/images/upload/", web::post().to(images::upload))
        .service(
            web::resource("/posts/")
                .route(web::get().to(posts::browse))
                .route(web::post().to(posts::add)),
        )
        .route("/posts/slug/{slug}/", web::get().to(posts::read_by_slug))
        .service(
            web::resource("/posts/{id}/")
                .route(web::get().to(posts::read))
                .route(web::put().to(posts::edit))
                .route(web::delete().to(posts::destroy)),
        );
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    for prefix in [
        "/ghost/api/admin",
        "/ghost/api/{version:v2|v3|v4|canary}/admin",
    ] {
        cfg.service(
            web::scope(prefix)
                .wrap(from_fn(content_version))
                .configure(resources)
                .default_service(web::to(no_route)),
        );
    }
    cfg.service(
        web::scope("/ghost")
            .wrap(from_fn(content_version))
            .default_service(web::to(no_route)),
    );
}
