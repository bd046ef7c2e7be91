//! API tokens for integrators and frontends (`/api/v1/tokens`, admin only):
//! named, scoped, optionally expiring, shown once at creation and stored only
//! as a SHA-256 digest plus a short prefix to recognise them by.
//! `auth::authenticate` accepts them as `Authorization: Bearer cms_...`.

pub mod input;
pub mod queries;
pub mod routes;
pub mod rows;
pub mod use_cases;
pub mod views;
