//! The site's settings: title, description, the frontend's public URL,
//! this service's public URL, time zone and language. Configured
//! (`CMS_SITE_*`, `CMS_PUBLIC_URL`) and changed by an administrator
//! (`PATCH /api/v1/site`, kept in the database so that every app process
//! sees the same); the editor protocols read them (WordPress clients send
//! site-local times, ask for the blog's name and URL).

pub mod input;
pub mod queries;
pub mod routes;
pub mod rows;
pub mod settings;
pub mod use_cases;
pub mod views;

pub use settings::{Defaults, Language, SiteSettings, TimeZone};
