//! Every route the service serves, registered in one place. Documented
//! routes go through utoipa-actix-web so each lands in the OpenAPI document.

use actix_web::web;
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::{auth, health, users};

/// Routes that appear in the OpenAPI document.
pub fn documented(cfg: &mut ServiceConfig) {
    cfg.service(health::live).service(health::ready);
    cfg.service(
        scope::scope("/api/v1")
            .service(auth::session::login)
            .service(auth::session::refresh_session)
            .service(auth::session::logout)
            .service(auth::account::me)
            .service(auth::account::change_password)
            .service(users::routes::list_users)
            .service(users::routes::create_user)
            .service(users::routes::get_user)
            .service(users::routes::update_user)
            .service(users::routes::delete_user)
            .service(auth::api_tokens::create_token)
            .service(auth::api_tokens::list_tokens)
            .service(auth::api_tokens::revoke_token),
    );
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
