//! `/wp-json/` (the index discovery-based clients build their handlers
//! from: wpapi's `discover()` reads `routes`), `/wp-json/wp/v2`, and the
//! `?rest_route=/wp/v2/…` form of every path, which sites without pretty
//! permalinks use and some clients try first.

use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::StatusCode;
use actix_web::http::Uri;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{Offset, TimeZone};
use serde_json::{Map, Value, json};

use super::error::WpError;
use super::routes::ROUTES;
use super::shape;
use crate::state::AppState;

/// A route's entry in the index: its methods, and for each the arguments
/// clients may send (wpapi turns the GET ones into setters).
fn route_entry(origin: &str, path: &str, methods: &[&str], get_args: &[&str]) -> Value {
    let namespace = if path == "/" { "" } else { "wp/v2" };
    let endpoints: Vec<Value> = methods
        .iter()
        .map(|m| {
            let args: Map<String, Value> = if *m == "GET" {
                get_args
                    .iter()
                    .map(|a| ((*a).to_owned(), json!({ "required": false })))
                    .collect()
            } else {
                Map::new()
            };
            json!({ "methods": [m], "args": args })
        })
        .collect();
    let mut entry = json!({
        "namespace": namespace,
        "methods": methods,
        "endpoints": endpoints,
    });
    if !path.contains('(') {
        entry["_links"] = json!({ "self": [{ "href": format!("{origin}/wp-json{path}") }] });
    }
    entry
}

fn routes(origin: &str, namespace_only: bool) -> Map<String, Value> {
    let mut map = Map::new();
    if !namespace_only {
        map.insert(
            "/".to_owned(),
            route_entry(origin, "/", &["GET"], &["context"]),
        );
    }
    map.insert(
        "/wp/v2".to_owned(),
        route_entry(origin, "/wp/v2", &["GET"], &["namespace", "context"]),
    );
    for (path, methods, args) in ROUTES {
        map.insert(
            format!("/wp/v2{path}"),
            route_entry(origin, &format!("/wp/v2{path}"), methods, args),
        );
    }
    map
}

/// `GET /wp-json/`.
pub async fn index(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, WpError> {
    let origin = crate::http::origin::request_origin(&req, &state.config);
    let settings = state.site.settings().await?;
    let zone = settings.timezone.tz();
    let offset_seconds = zone
        .offset_from_utc_datetime(&chrono::Utc::now().naive_utc())
        .fix()
        .local_minus_utc();
    let gmt_offset = if offset_seconds % 3600 == 0 {
        json!(offset_seconds / 3600)
    } else {
        json!(f64::from(offset_seconds) / 3600.0)
    };
    let value = json!({
        "name": settings.title,
        "description": settings.description,
        "url": origin,
        "home": settings.frontend_url.clone().unwrap_or_else(|| origin.clone()),
        "gmt_offset": gmt_offset,
        "timezone_string": zone.name(),
        "page_for_posts": 0,
        "page_on_front": 0,
        "show_on_front": "posts",
        "namespaces": ["wp/v2"],
        "authentication": {
            "application-passwords": {
                "endpoints": {
                    "authorization": format!("{origin}/wp-admin/authorize-application.php"),
                },
            },
        },
        "routes": routes(&origin, false),
        "site_logo": 0,
        "site_icon": 0,
        "site_icon_url": "",
        "_links": { "help": [{ "href": "https://developer.wordpress.org/rest-api/" }] },
    });
    let params = super::params::Params::from_query(req.query_string());
    Ok(shape::json(StatusCode::OK, &shape::shaped(value, &params)))
}

/// `GET /wp-json/wp/v2`: the namespace's routes.
pub async fn namespace(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let origin = crate::http::origin::request_origin(&req, &state.config);
    shape::json(
        StatusCode::OK,
        &json!({
            "namespace": "wp/v2",
            "routes": routes(&origin, true),
            "_links": { "up": [{ "href": format!("{origin}/wp-json/") }] },
        }),
    )
}

/// The `/wp-json` path and query a `?rest_route=` request means.
fn rest_route_uri(query: &str) -> Option<Uri> {
    let mut route = None;
    let mut rest = form_urlencoded::Serializer::new(String::new());
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        if k == "rest_route" && route.is_none() {
            route = Some(v.into_owned());
        } else {
            rest.append_pair(&k, &v);
        }
    }
    let route = route?;
    let route = if route.starts_with('/') {
        route
    } else {
        format!("/{route}")
    };
    // The route is a path: anything that would leave `/wp-json` is not one.
    if route.contains("..") || route.contains('?') || route.contains('#') {
        return None;
    }
    let path: String = percent_encoding::utf8_percent_encode(&route, PATH).to_string();
    let rest = rest.finish();
    let uri = if rest.is_empty() {
        format!("/wp-json{path}")
    } else {
        format!("/wp-json{path}?{rest}")
    };
    uri.parse().ok()
}

/// What a path keeps unescaped: `/` and the unreserved characters.
const PATH: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'/')
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// `/?rest_route=/wp/v2/posts&per_page=5` is `/wp-json/wp/v2/posts?per_page=5`,
/// rewritten before routing. A plain `Transform` rather than `from_fn`:
/// every request passes through it, and it adds no future of its own,
/// only one comparison of the path.
pub struct RestRoute;

impl<S, B> Transform<S, ServiceRequest> for RestRoute
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
{
    type Response = ServiceResponse<B>;
    type Error = actix_web::Error;
    type Transform = RestRouteService<S>;
    type InitError = ();
    type Future = std::future::Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        std::future::ready(Ok(RestRouteService { service }))
    }
}

pub struct RestRouteService<S> {
    service: S,
}

impl<S, B> Service<ServiceRequest> for RestRouteService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
{
    type Response = ServiceResponse<B>;
    type Error = actix_web::Error;
    type Future = S::Future;

    actix_web::dev::forward_ready!(service);

    fn call(&self, mut req: ServiceRequest) -> Self::Future {
        if matches!(req.path(), "/" | "/index.php")
            && req.query_string().contains("rest_route=")
            && let Some(uri) = rest_route_uri(req.query_string())
        {
            req.match_info_mut().get_mut().update(&uri);
            req.head_mut().uri = uri;
        }
        self.service.call(req)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rest_routes_become_paths_and_keep_the_rest_of_the_query() {
        assert_eq!(
            rest_route_uri("rest_route=/wp/v2/posts&per_page=5").unwrap(),
            "/wp-json/wp/v2/posts?per_page=5"
        );
        assert_eq!(rest_route_uri("rest_route=/").unwrap(), "/wp-json/");
        assert_eq!(
            rest_route_uri("rest_route=%2Fwp%2Fv2%2Fposts%2F3").unwrap(),
            "/wp-json/wp/v2/posts/3"
        );
        assert!(rest_route_uri("rest_route=/../api/v1/users").is_none());
        assert!(rest_route_uri("page=2").is_none());
    }
}
