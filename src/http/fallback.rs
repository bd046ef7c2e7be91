//! The guarantee that no client ever gets a plain-text or HTML error: unknown
//! routes are a problem+json 404, and any error response produced outside our
//! handlers (actix's own 404/405, a middleware) is rewritten as problem+json.

use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, ResponseError};

use crate::error::{ApiError, PROBLEM_JSON, Problem, problem_body};

/// The default service: nothing is routed here.
pub async fn unknown_route(req: HttpRequest) -> HttpResponse {
    ApiError::not_found(format!("no route for {} {}", req.method(), req.path())).error_response()
}

pub async fn problem_fallback(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody, BoxBody>>, actix_web::Error> {
    let response = next.call(req).await?;
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
    };
    Ok(response.map_body(|head, _| {
        head.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        head.headers_mut().remove(header::CONTENT_LENGTH);
        EitherBody::right(BoxBody::new(problem_body(&problem)))
    }))
}
