//! Where each WordPress path goes. Outside `/api/v1` and its OpenAPI
//! document: these answer in WordPress's shapes.

use actix_web::web;

use super::authorize;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.configure(authorize::configure);
}
