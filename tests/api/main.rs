//! Black-box tests: the real application over HTTP, on SQLite and PostgreSQL.

// A test fails by panicking; clippy's exemption for tests covers `#[test]`
// functions only, not the harness they share.
#![allow(clippy::unwrap_used, clippy::expect_used)]

// Shared by every test module; not every helper is used by every change.
#[allow(dead_code, reason = "helpers serve tests that come and go")]
mod helpers;
mod media_store;

mod api_tokens;
mod application_passwords;
mod auth_login;
mod auth_sessions;
mod canaries;
mod commit_path;
mod compression;
mod content_articles;
mod content_contract;
#[allow(dead_code, reason = "fixtures serve tests that come and go")]
mod content_fixtures;
mod content_listing;
mod content_permissions;
mod content_taxonomy;
mod contract_details;
mod forged_tokens;
mod french_order;
mod fresh_statistics;
mod frontends;
mod ghost_admin;
mod hostile_input;
mod jobs;
mod media;
mod micropub;
mod own_bylines;
mod password_guessing;
mod permissions;
mod raw_targets;
mod read_paths;
mod site;
mod users;
mod wp_authorize;
mod wp_rest;
mod write_conflicts;
mod xmlrpc;

mod comments;
mod concurrency;
mod cors;
mod errors;
mod health;
mod memos;
mod migrations;
mod newcomers;
mod openapi;
mod outage;
mod renderings;
mod response_cache;
mod shutdown;
mod startup;
mod typed_clients;
