//! Request ids and access logging: every request gets an id (the client's
//! `X-Request-Id` when it is a sane token, a new UUID otherwise), echoed in the
//! response and attached to every log line written while serving it.

use std::time::Instant;

use actix_web::HttpMessage;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use tracing::Instrument;

pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the current request, in request extensions for handlers that log.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

fn accepted_client_id(value: &HeaderValue) -> Option<String> {
    let id = value.to_str().ok()?;
    let sane = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    sane.then(|| id.to_owned())
}

pub async fn request_log(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req
        .headers()
        .get(&REQUEST_ID_HEADER)
        .and_then(accepted_client_id)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    let metrics = req
        .app_data::<actix_web::web::Data<crate::metrics::Metrics>>()
        .cloned();
    // The path without its query string: query values may carry tokens.
    let span = tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.path());
    let started = Instant::now();
    let result = next.call(req).instrument(span.clone()).await;
    let _entered = span.enter();
    let elapsed_ms = crate::telemetry::rounded_ms(started.elapsed());
    match result {
        Ok(mut response) => {
            let status = response.status().as_u16();
            if let Some(metrics) = &metrics {
                let elapsed = started.elapsed();
                metrics.record(status, elapsed);
                // A cache hit never reached the router: the cache counted
                // it under the route its entry came from.
                let hit = response
                    .headers()
                    .get("x-cache")
                    .is_some_and(|v| v.as_bytes() == b"hit");
                if !hit {
                    let route = response.request().match_pattern();
                    metrics.record_route(
                        response.request().method().as_str(),
                        route.as_deref(),
                        elapsed,
                    );
                }
            }
            if let Ok(value) = HeaderValue::from_str(&id) {
                response.headers_mut().insert(REQUEST_ID_HEADER, value);
            }
            if status >= 500 {
                tracing::warn!(status, elapsed_ms, "served");
            } else {
                tracing::info!(status, elapsed_ms, "served");
            }
            Ok(response)
        }
        Err(err) => {
            tracing::warn!(error = %err, elapsed_ms, "failed");
            Err(err)
        }
    }
}
