//! `GET|POST /wp-admin/authorize-application.php`: WordPress's
//! authorize-application flow (to be built).

use actix_web::web;

pub fn configure(_cfg: &mut web::ServiceConfig) {}
