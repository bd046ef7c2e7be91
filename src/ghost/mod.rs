//! A subset of Ghost's Admin API under `/ghost/api/admin/`, so that the
//! writing apps that publish to Ghost (Ulysses, iA Writer, Drafts, the
//! Obsidian plugins, anything built on `@tryghost/admin-api`) publish
//! here: the site, tags, image uploads and posts.
//!
//! Built on the shared editor pieces: the key is an editor credential
//! (`accounts::application_passwords`, kind `ghost_admin_key`: Ghost's
//! per-user "staff access token"), articles are written through the
//! article use cases, images through the media use case, tags through
//! `editors::mapping`. Ghost's behaviour, read from its source, is
//! described in `docs/research/ghost-admin-api.md`.

pub mod caller;
pub mod documents;
pub mod error;
pub mod images;
pub mod posts;
pub mod routes;
pub mod shape;
pub mod site;
pub mod tags;
pub mod token;
