//! The guarantee that no client ever gets a plain-text or HTML error: unknown
//! routes are a problem+json 404, and any error response produced outside our
//! handlers (actix's own 404/405, a middleware) is rewritten as problem+json.

use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::ResourceDef;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};

use crate::error::{ApiError, PROBLEM_JSON, Problem, problem_body};

/// Every path the server answers and its methods, built once from the
/// OpenAPI document (plus the few undocumented routes), so that a known path
/// asked with another method is a 405 with `Allow`, not a 404.
pub struct KnownRoutes(Vec<(ResourceDef, Vec<String>)>);

impl KnownRoutes {
    pub fn from_document(doc: &utoipa::openapi::OpenApi) -> Self {
        let mut routes: Vec<(ResourceDef, Vec<String>)> = doc
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let json = serde_json::to_value(item).unwrap_or_default();
                let methods = ["get", "post", "put", "patch", "delete", "head", "options"]
                    .into_iter()
                    .filter(|m| json.get(m).is_some())
                    .map(str::to_uppercase)
                    .collect();
                (ResourceDef::new(path.as_str()), methods)
            })
            .collect();
        routes.push((ResourceDef::new("/openapi.json"), vec!["GET".to_owned()]));
        Self(routes)
    }

    fn allowed(&self, path: &str) -> Option<&[String]> {
        self.0
            .iter()
            .find(|(def, _)| def.is_match(path))
            .map(|(_, methods)| methods.as_slice())
    }
}

/// The default service: nothing is routed here.
pub async fn unknown_route(req: HttpRequest, known: web::Data<KnownRoutes>) -> HttpResponse {
    if let Some(allowed) = known.allowed(req.path()) {
        return ApiError::MethodNotAllowed {
            allowed: allowed.to_vec(),
        }
        .error_response();
    }
    ApiError::not_found(format!("no route for {} {}", req.method(), req.path())).error_response()
}

/// Surfaces that answer errors in their protocol's own shape (WordPress's
/// `{code, message, data}`, its authorize page, Ghost's `{errors}`,
/// Micropub's and OAuth's `{error, error_description}`, the IndieAuth
/// page), never as problem+json.
const OWN_ERROR_SHAPES: [&str; 6] = [
    "/wp-json",
    "/wp-admin/",
    "/ghost/",
    "/micropub",
    "/indieauth/",
    "/.well-known/oauth-authorization-server",
];

pub async fn problem_fallback(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody, BoxBody>>, actix_web::Error> {
    let own_shape = OWN_ERROR_SHAPES.iter().any(|p| req.path().starts_with(p));
    let response = next.call(req).await?;
    if own_shape {
        return Ok(response.map_into_left_body());
    }
    let status = response.status();
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|ct| ct.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if !(status.is_client_error() || status.is_server_error()) || is_problem {
        return Ok(response.map_into_left_body());
    }
    let problem = Problem {
        kind: format!("/problems/http-{}", status.as_u16()),
        title: status.canonical_reason().unwrap_or("Error").to_owned(),
        status: status.as_u16(),
        detail: status.canonical_reason().unwrap_or("Error").to_lowercase(),
        errors: Vec::new(),
        code: None,
    };
    Ok(response.map_body(|head, _| {
        head.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        head.headers_mut().remove(header::CONTENT_LENGTH);
        EitherBody::right(BoxBody::new(problem_body(&problem)))
    }))
}
