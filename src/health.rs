//! Liveness and readiness probes for load balancers and orchestrators.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct HealthStatus {
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// The process is up and serving HTTP.
#[utoipa::path(
    tag = "service",
    operation_id = "get_liveness",
    responses((status = 200, description = "The process is alive", body = HealthStatus))
)]
#[get("/health/live")]
pub async fn live() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(HealthStatus { status: "ok" })
}

/// The service can answer requests: the database responds to a query.
#[utoipa::path(
    tag = "service",
    operation_id = "get_readiness",
    responses(
        (status = 200, description = "The database answers", body = HealthStatus),
        (status = 503, description = "The database is unreachable", body = Problem,
         content_type = "application/problem+json"),
    )
)]
#[get("/health/ready")]
pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    state.db.check_ready().await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(HealthStatus { status: "ok" }))
}
