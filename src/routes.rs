//! Every route the service serves, registered in one place. Documented
//! routes go through utoipa-actix-web so each lands in the OpenAPI document.

use actix_web::web;
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::accounts::{api_tokens, application_passwords, sessions, users};
use crate::content::{articles, authors, categories, media, tags};
use crate::{health, metrics};

/// Routes that appear in the OpenAPI document.
pub fn documented(cfg: &mut ServiceConfig) {
    cfg.service(health::live)
        .service(health::ready)
        .service(metrics::serve)
        .service(media::serve::serve_file)
        .service(media::serve::serve_file_head);
    cfg.service(
        scope::scope("/api/v1")
            .service(sessions::routes::login)
            .service(sessions::routes::refresh_session)
            .service(sessions::routes::logout)
            .service(sessions::routes::me)
            .service(sessions::routes::change_password)
            .service(users::routes::list_users)
            .service(users::routes::create_user)
            .service(users::routes::get_user)
            .service(users::routes::update_user)
            .service(users::routes::delete_user)
            .service(api_tokens::routes::create_token)
            .service(api_tokens::routes::list_tokens)
            .service(api_tokens::routes::revoke_token)
            // Matched in order: the read paths (content) come before the
            // rarely called settings routes.
            .configure(content_routes)
            .service(application_passwords::routes::create_application_password)
            .service(application_passwords::routes::list_application_passwords)
            .service(application_passwords::routes::revoke_application_password)
            .service(crate::site::routes::get_site)
            .service(crate::site::routes::update_site),
    );
}

/// Articles, categories, authors and tags.
fn content_routes(cfg: &mut ServiceConfig) {
    cfg.service(articles::routes::list_articles)
        .service(articles::routes::create_article)
        .service(articles::routes::related_articles)
        .service(articles::routes::get_article)
        .service(articles::routes::update_article)
        .service(articles::routes::delete_article)
        .service(categories::routes::list_categories)
        .service(categories::routes::create_category)
        .service(categories::routes::get_category)
        .service(categories::routes::update_category)
        .service(categories::routes::delete_category)
        .service(authors::routes::list_authors)
        .service(authors::routes::create_author)
        .service(authors::routes::get_author)
        .service(authors::routes::update_author)
        .service(authors::routes::delete_author)
        .service(tags::routes::list_tags)
        .service(tags::routes::create_tag)
        .service(tags::routes::get_tag)
        .service(tags::routes::update_tag)
        .service(tags::routes::delete_tag)
        .service(media::routes::list_media)
        .service(media::routes::upload_media)
        .service(media::routes::get_media)
        .service(media::routes::update_media)
        .service(media::routes::delete_media)
        .configure(crate::comments::routes::configure);
}

/// Routes outside the document: the document itself and its viewer.
pub fn undocumented(cfg: &mut web::ServiceConfig) {
    cfg.service(crate::xmlrpc::routes::xmlrpc)
        .service(crate::xmlrpc::routes::xmlrpc_get)
        .service(crate::xmlrpc::routes::wlw_manifest)
        .service(crate::xmlrpc::routes::wlw_template)
        .service(crate::xmlrpc::routes::home_page)
        .configure(crate::wp_rest::routes::configure)
        .configure(crate::ghost::routes::configure)
        .configure(crate::micropub::routes::configure)
        .configure(crate::indieauth::configure)
        .service(crate::openapi::serve_document)
        .service(
            utoipa_swagger_ui::SwaggerUi::new("/docs/{_:.*}")
                .config(utoipa_swagger_ui::Config::new(["/openapi.json"])),
        )
        .service(web::redirect("/docs", "/docs/"));
}
