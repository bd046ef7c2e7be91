//! A faithful subset of WordPress's REST API (`/wp-json/wp/v2`), for the
//! WordPress apps, the Obsidian plugin, Ulysses and the headless
//! frontends built for WordPress. Every write is the article API's own use
//! case (policy, validation, versions, caches, events), translated by
//! `editors::mapping`; WordPress's shapes, defaults and error codes are
//! rebuilt here from its controllers (`wp-includes/rest-api/endpoints/`).
//!
//! - `error`: `{code, message, data: {status}}` and WordPress's codes;
//! - `caller`: Basic with an application password, or our bearer tokens;
//! - `params`: the query and the body, read as WordPress reads them;
//! - `shape`: `_fields`, `_links`, list headers;
//! - `index`: `/wp-json/` and the `?rest_route=` form;
//! - `posts`, `terms`, `users`, `media`, `site`: the resources;
//! - `authorize`: the authorize-application page;
//! - `routes`: where each path goes, and the list the index shows.

pub mod authorize;
pub mod caller;
pub mod error;
pub mod index;
pub mod media;
pub mod params;
pub mod posts;
pub mod routes;
pub mod shape;
pub mod site;
pub mod terms;
pub mod users;

pub use error::WpError;
