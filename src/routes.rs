//! Every route the service serves, registered in one place. Documented
//! routes go through utoipa-actix-web so each lands in the OpenAPI document.

use actix_web::web;
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::{auth, health, metrics};

/// Routes that appear in the OpenAPI document.
pub fn documented(cfg: &mut ServiceConfig) {
    cfg.service(health::live)
        .service(health::ready)
        .service(metrics::serve);
    cfg.service(scope::scope("/api/v1").service(auth::session::login));
}

/// Routes outside the document: the document itself and its viewer.
pub fn undocumented(cfg: &mut web::ServiceConfig) {
    cfg.service(crate::openapi::serve_document)
        .service(
            utoipa_swagger_ui::SwaggerUi::new("/docs/{_:.*}")
                .config(utoipa_swagger_ui::Config::new(["/openapi.json"])),
        )
        .service(web::redirect("/docs", "/docs/"));
}
