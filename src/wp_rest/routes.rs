//! Where each WordPress path goes, and `ROUTES`, the list the index
//! advertises: one table, so that `/wp-json/` never lists a route that
//! is not served. Outside `/api/v1` and its OpenAPI document: these
//! answer in WordPress's shapes.

use actix_web::{HttpRequest, HttpResponse, web};

use super::caller::WpCaller;
use super::error::WpError;
use super::params::Params;
use super::terms::Taxonomy;
use super::{authorize, index, media, posts, site, terms, users};
use crate::error::ApiError;
use crate::state::AppState;

const LIST_ARGS: &[&str] = &[
    "context", "page", "per_page", "search", "exclude", "include", "order", "orderby", "slug",
];
const POST_LIST_ARGS: &[&str] = &[
    "context",
    "page",
    "per_page",
    "search",
    "after",
    "modified_after",
    "author",
    "author_exclude",
    "before",
    "modified_before",
    "exclude",
    "include",
    "offset",
    "order",
    "orderby",
    "slug",
    "status",
    "categories",
    "categories_exclude",
    "tags",
    "tags_exclude",
    "sticky",
];
const TERM_LIST_ARGS: &[&str] = &[
    "context",
    "page",
    "per_page",
    "search",
    "exclude",
    "include",
    "order",
    "orderby",
    "hide_empty",
    "parent",
    "post",
    "slug",
];
const ONE: &[&str] = &["context"];
const READ: &[&str] = &["GET"];
const COLLECTION: &[&str] = &["GET", "POST"];
const ITEM: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE"];

/// Every route under `/wp/v2`: path (as WordPress writes it), methods,
/// and the arguments its GET takes.
pub const ROUTES: &[(&str, &[&str], &[&str])] = &[
    ("/posts", COLLECTION, POST_LIST_ARGS),
    ("/posts/(?P<id>[\\d]+)", ITEM, ONE),
    ("/pages", COLLECTION, LIST_ARGS),
    ("/pages/(?P<id>[\\d]+)", ITEM, ONE),
    ("/media", COLLECTION, LIST_ARGS),
    ("/media/(?P<id>[\\d]+)", ITEM, ONE),
    ("/categories", COLLECTION, TERM_LIST_ARGS),
    ("/categories/(?P<id>[\\d]+)", ITEM, ONE),
    ("/tags", COLLECTION, TERM_LIST_ARGS),
    ("/tags/(?P<id>[\\d]+)", ITEM, ONE),
    ("/users", READ, LIST_ARGS),
    ("/users/(?P<id>[\\d]+)", READ, ONE),
    ("/users/me", READ, ONE),
    ("/types", READ, ONE),
    ("/types/(?P<type>[\\w-]+)", READ, ONE),
    ("/statuses", READ, ONE),
    ("/statuses/(?P<status>[\\w-]+)", READ, ONE),
    ("/taxonomies", READ, ONE),
    ("/taxonomies/(?P<taxonomy>[\\w-]+)", READ, ONE),
    ("/settings", READ, &[]),
];

/// The body's parameters over the query's, read up to the service's body
/// limit.
async fn params(
    req: &HttpRequest,
    state: &AppState,
    mut payload: web::Payload,
) -> Result<Params, WpError> {
    let limit = state.config.max_body_bytes;
    let body = crate::http::extract::body_within(&mut payload, limit)
        .await
        .map_err(|e| match e {
            ApiError::PayloadTooLarge { limit } => WpError::new(
                413,
                "rest_body_too_large",
                format!("The body is larger than {limit} bytes."),
            ),
            other => WpError::new(400, "rest_invalid_json", other.to_string()),
        })?;
    let content_type = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    Ok(Params::from_query(req.query_string()).with_body(Params::parse_body(&content_type, &body)?))
}

async fn post_create(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: WpCaller,
    payload: web::Payload,
) -> Result<HttpResponse, WpError> {
    let params = params(&req, &state, payload).await?;
    posts::create(req, state, caller, params).await
}

async fn post_get(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: WpCaller,
    id: web::Path<String>,
) -> Result<HttpResponse, WpError> {
    posts::get(req, state, caller, id.into_inner()).await
}

async fn post_update(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: WpCaller,
    id: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, WpError> {
    let params = params(&req, &state, payload).await?;
    posts::update(req, state, caller, params, id.into_inner()).await
}

async fn post_delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: WpCaller,
    id: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, WpError> {
    let params = params(&req, &state, payload).await?;
    posts::delete(req, state, caller, params, id.into_inner()).await
}

fn term_routes(cfg: &mut web::ServiceConfig, base: &'static str, taxonomy: Taxonomy) {
    let item = format!("/wp/v2/{base}/{{id}}");
    cfg.service(
        web::resource(format!("/wp/v2/{base}"))
            .route(web::get().to(
                move |req: HttpRequest, state: web::Data<AppState>, caller: WpCaller| {
                    terms::list(req, state, caller, taxonomy)
                },
            ))
            .route(web::post().to(
                move |req: HttpRequest,
                      state: web::Data<AppState>,
                      caller: WpCaller,
                      payload: web::Payload| async move {
                    let params = params(&req, &state, payload).await?;
                    terms::create(req, state, caller, params, taxonomy).await
                },
            )),
    )
    .service(
        web::resource(item)
            .route(web::get().to(
                move |req: HttpRequest,
                      state: web::Data<AppState>,
                      caller: WpCaller,
                      id: web::Path<String>| {
                    terms::get(req, state, caller, id.into_inner(), taxonomy)
                },
            ))
            .route(
                web::route()
                    .guard(
                        actix_web::guard::Any(actix_web::guard::Post())
                            .or(actix_web::guard::Put())
                            .or(actix_web::guard::Patch()),
                    )
                    .to(
                        move |req: HttpRequest,
                              state: web::Data<AppState>,
                              caller: WpCaller,
                              id: web::Path<String>,
                              payload: web::Payload| async move {
                            let params = params(&req, &state, payload).await?;
                            terms::update(req, state, caller, params, id.into_inner(), taxonomy)
                                .await
                        },
                    ),
            )
            .route(web::delete().to(
                move |req: HttpRequest,
                      state: web::Data<AppState>,
                      caller: WpCaller,
                      id: web::Path<String>,
                      payload: web::Payload| async move {
                    let params = params(&req, &state, payload).await?;
                    terms::delete(req, state, caller, params, id.into_inner(), taxonomy).await
                },
            )),
    );
}

fn writes() -> actix_web::guard::AnyGuard {
    actix_web::guard::Any(actix_web::guard::Post())
        .or(actix_web::guard::Put())
        .or(actix_web::guard::Patch())
}

async fn media_get(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: WpCaller,
    id: web::Path<String>,
) -> Result<HttpResponse, WpError> {
    media::get(req, state, caller, id.into_inner()).await
}

async fn media_update(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: WpCaller,
    id: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, WpError> {
    let params = params(&req, &state, payload).await?;
    media::update(req, state, caller, params, id.into_inner()).await
}

async fn media_delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: WpCaller,
    id: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, WpError> {
    let params = params(&req, &state, payload).await?;
    media::delete(req, state, caller, params, id.into_inner()).await
}

async fn types_one(
    req: HttpRequest,
    state: web::Data<AppState>,
    name: web::Path<String>,
) -> Result<HttpResponse, WpError> {
    site::get_types(req, state, Some(name)).await
}

async fn types_all(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, WpError> {
    site::get_types(req, state, None).await
}

async fn statuses_one(
    req: HttpRequest,
    caller: WpCaller,
    name: web::Path<String>,
) -> Result<HttpResponse, WpError> {
    site::get_statuses(req, caller, Some(name)).await
}

async fn statuses_all(req: HttpRequest, caller: WpCaller) -> Result<HttpResponse, WpError> {
    site::get_statuses(req, caller, None).await
}

async fn taxonomies_one(
    req: HttpRequest,
    state: web::Data<AppState>,
    name: web::Path<String>,
) -> Result<HttpResponse, WpError> {
    site::get_taxonomies(req, state, Some(name)).await
}

async fn taxonomies_all(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, WpError> {
    site::get_taxonomies(req, state, None).await
}

async fn no_route() -> Result<HttpResponse, WpError> {
    Err(WpError::no_route())
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.configure(authorize::configure);
    cfg.service(
        web::scope("/wp-json")
            .route("", web::get().to(index::index))
            .route("/", web::get().to(index::index))
            .route("/wp/v2", web::get().to(index::namespace))
            .route("/wp/v2/", web::get().to(index::namespace))
            .service(
                web::resource("/wp/v2/posts")
                    .route(web::get().to(posts::list))
                    .route(web::post().to(post_create)),
            )
            .service(
                web::resource("/wp/v2/posts/{id}")
                    .route(web::get().to(post_get))
                    .route(web::route().guard(writes()).to(post_update))
                    .route(web::delete().to(post_delete)),
            )
            .configure(|cfg| term_routes(cfg, "categories", Taxonomy::Category))
            .configure(|cfg| term_routes(cfg, "tags", Taxonomy::Tag))
            .route("/wp/v2/users", web::get().to(users::list))
            .route("/wp/v2/users/me", web::get().to(users::me))
            .route("/wp/v2/users/{id}", web::get().to(users::get))
            .service(
                web::resource("/wp/v2/media")
                    .route(web::get().to(media::list))
                    .route(web::post().to(media::upload)),
            )
            .service(
                web::resource("/wp/v2/media/{id}")
                    .route(web::get().to(media_get))
                    .route(web::route().guard(writes()).to(media_update))
                    .route(web::delete().to(media_delete)),
            )
            .service(
                web::resource("/wp/v2/pages")
                    .route(web::get().to(site::list_pages))
                    .route(web::post().to(site::write_page)),
            )
            .service(
                web::resource("/wp/v2/pages/{id}")
                    .route(web::get().to(site::get_page))
                    .route(web::route().guard(writes()).to(site::write_page))
                    .route(web::delete().to(site::write_page)),
            )
            .route("/wp/v2/types", web::get().to(types_all))
            .route("/wp/v2/types/{name}", web::get().to(types_one))
            .route("/wp/v2/statuses", web::get().to(statuses_all))
            .route("/wp/v2/statuses/{name}", web::get().to(statuses_one))
            .route("/wp/v2/taxonomies", web::get().to(taxonomies_all))
            .route("/wp/v2/taxonomies/{name}", web::get().to(taxonomies_one))
            .route("/wp/v2/settings", web::get().to(site::get_settings))
            .default_service(web::to(no_route)),
    );
}
