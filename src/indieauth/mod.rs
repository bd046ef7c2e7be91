//! IndieAuth (indieauth.spec.indieweb.org): how a Micropub app is given a
//! token without the journalist pasting one. The app finds
//! `rel="indieauth-metadata"` on the home page, sends the browser to the
//! authorization page (`authorize`: sign in, approve), and exchanges the
//! code it gets back, with its PKCE verifier, at the token endpoint
//! (`token`) for a Micropub token (an editor credential).

pub mod authorize;
pub mod codes;
pub mod metadata;
pub mod token;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    let form_limit = web::PayloadConfig::new(crate::editors::consent::MAX_FORM_BYTES);
    cfg.route(metadata::PATH, web::get().to(metadata::document))
        .service(
            web::resource(authorize::PATH)
                .app_data(form_limit.clone())
                .route(web::get().to(authorize::show))
                .route(web::post().to(authorize::submit)),
        )
        .service(
            web::resource(token::PATH)
                .app_data(form_limit)
                .route(web::post().to(token::exchange)),
        );
}
