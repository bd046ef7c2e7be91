//! What a WordPress site without pages answers about itself:
//! `/wp/v2/types`, `/statuses`, `/taxonomies`, `/settings`, and `/pages`
//! (always empty). Clients read these once to set up their screens.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Map, Value, json};

use super::caller::WpCaller;
use super::error::WpError;
use super::params::Params;
use super::shape::{self, Site, link};
use crate::auth::Role;
use crate::state::AppState;

/// The site as links need it, read once per request.
pub async fn load(req: &HttpRequest, state: &AppState) -> Result<Site, WpError> {
    let origin = crate::http::origin::request_origin(req, &state.config);
    let settings = state.site.settings().await?;
    Ok(Site {
        home: settings.home(&origin),
        origin,
        zone: settings.timezone.tz(),
    })
}

fn post_type(site: &Site, slug: &str, name: &str, rest_base: &str, taxonomies: &[&str]) -> Value {
    json!({
        "description": "",
        "hierarchical": false,
        "has_archive": false,
        "name": name,
        "slug": slug,
        "icon": null,
        "taxonomies": taxonomies,
        "rest_base": rest_base,
        "rest_namespace": "wp/v2",
        "_links": {
            "collection": link(site.route("types")),
            "wp:items": link(site.route(rest_base)),
            "curies": shape::curies(),
        },
    })
}

fn types(site: &Site) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert(
        "post".to_owned(),
        post_type(site, "post", "Articles", "posts", &["category", "post_tag"]),
    );
    map.insert(
        "page".to_owned(),
        post_type(site, "page", "Pages", "pages", &[]),
    );
    map.insert(
        "attachment".to_owned(),
        post_type(site, "attachment", "Médias", "media", &[]),
    );
    map
}

/// `GET /wp/v2/types` and `/types/{type}`.
pub async fn get_types(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: Option<web::Path<String>>,
) -> Result<HttpResponse, WpError> {
    let site = load(&req, &state).await?;
    let params = Params::from_query(req.query_string());
    shape::one_or_all(
        types(&site),
        path.as_deref().map(String::as_str),
        &params,
        || WpError::new(404, "rest_type_invalid", "Invalid post type."),
    )
}

/// The statuses the public sees (`publish`) and those the newsroom sees.
fn statuses(signed_in: bool) -> Map<String, Value> {
    let all = [
        ("publish", "Publié", true, false),
        ("future", "Planifié", false, true),
        ("draft", "Brouillon", false, true),
        ("pending", "En attente de relecture", false, true),
        ("private", "Archivé", false, true),
    ];
    all.iter()
        .filter(|(_, _, public, _)| *public || signed_in)
        .map(|(slug, name, public, _)| {
            (
                (*slug).to_owned(),
                json!({
                    "name": name,
                    "public": public,
                    "queryable": public,
                    "slug": slug,
                    "date_floating": matches!(*slug, "draft" | "pending"),
                }),
            )
        })
        .collect()
}

/// `GET /wp/v2/statuses` and `/statuses/{status}`.
pub async fn get_statuses(
    req: HttpRequest,
    caller: WpCaller,
    path: Option<web::Path<String>>,
) -> Result<HttpResponse, WpError> {
    let params = Params::from_query(req.query_string());
    shape::one_or_all(
        statuses(caller.signed_in()),
        path.as_deref().map(String::as_str),
        &params,
        || WpError::new(404, "rest_status_invalid", "Invalid status."),
    )
}

fn taxonomies(site: &Site) -> Map<String, Value> {
    let taxonomy = |slug: &str, name: &str, base: &str, hierarchical: bool| {
        json!({
            "name": name,
            "slug": slug,
            "description": "",
            "types": ["post"],
            "hierarchical": hierarchical,
            "rest_base": base,
            "rest_namespace": "wp/v2",
            "_links": {
                "collection": link(site.route("taxonomies")),
                "wp:items": link(site.route(base)),
                "curies": shape::curies(),
            },
        })
    };
    let mut map = Map::new();
    map.insert(
        "category".to_owned(),
        taxonomy("category", "Catégories", "categories", true),
    );
    map.insert(
        "post_tag".to_owned(),
        taxonomy("post_tag", "Étiquettes", "tags", false),
    );
    map
}

/// `GET /wp/v2/taxonomies` and `/taxonomies/{taxonomy}`.
pub async fn get_taxonomies(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: Option<web::Path<String>>,
) -> Result<HttpResponse, WpError> {
    let site = load(&req, &state).await?;
    let params = Params::from_query(req.query_string());
    shape::one_or_all(
        taxonomies(&site),
        path.as_deref().map(String::as_str),
        &params,
        || WpError::new(404, "rest_taxonomy_invalid", "Invalid taxonomy."),
    )
}

/// `GET /wp/v2/settings` (administrators, as WordPress's
/// `manage_options`): the site's settings under WordPress's names.
pub async fn get_settings(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: WpCaller,
) -> Result<HttpResponse, WpError> {
    let is_admin = crate::auth::policy::acting_role(&caller.0) == Some(Role::Admin);
    if !is_admin {
        return Err(WpError::refused(
            caller.signed_in(),
            "rest_forbidden",
            "Sorry, you are not allowed to do that.",
        ));
    }
    let settings = state.site.settings().await?;
    let categories = crate::content::categories::use_cases::list(&state.content, None).await?;
    let default_category = crate::editors::mapping::default_category(&categories).unwrap_or(0);
    let params = Params::from_query(req.query_string());
    let origin = crate::http::origin::request_origin(&req, &state.config);
    let value = json!({
        "title": settings.title,
        "description": settings.description,
        "url": settings.frontend_url.clone().unwrap_or(origin),
        "email": "",
        "timezone": settings.timezone.tz().name(),
        "date_format": "j F Y",
        "time_format": "G\\hi",
        "start_of_week": 1,
        "language": settings.language.as_str().replace('-', "_"),
        "use_smilies": false,
        "default_category": default_category,
        "default_post_format": "0",
        "posts_per_page": 10,
        "show_on_front": "posts",
        "page_on_front": 0,
        "page_for_posts": 0,
        "default_ping_status": "closed",
        "default_comment_status": "open",
        "site_logo": null,
        "site_icon": 0,
    });
    Ok(shape::json(StatusCode::OK, &shape::shaped(value, &params)))
}

/// `GET /wp/v2/pages`: a site without pages has none.
pub async fn list_pages(req: HttpRequest) -> Result<HttpResponse, WpError> {
    let params = Params::from_query(req.query_string());
    params.page()?;
    Ok(HttpResponse::Ok()
        .insert_header(("X-WP-Total", "0"))
        .insert_header(("X-WP-TotalPages", "0"))
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(json!([])))
}

/// `GET /wp/v2/pages/{id}`: no page has this id.
pub async fn get_page() -> Result<HttpResponse, WpError> {
    Err(WpError::invalid_post_id())
}

/// Writing a page: this site publishes posts only.
pub async fn write_page(caller: WpCaller) -> Result<HttpResponse, WpError> {
    Err(WpError::refused(
        caller.signed_in(),
        "rest_cannot_create",
        "Sorry, this site has no pages: publish a post instead.",
    ))
}
