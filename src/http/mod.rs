//! Cross-cutting HTTP concerns shared by every resource.

pub mod compression;
pub mod conditional;
pub mod control_characters;
pub mod cors;
pub mod cursor;
pub mod extract;
pub mod fallback;
pub mod listing;
pub mod object;
pub mod origin;
pub mod raw_targets;
pub mod request_log;
pub mod response_cache;
pub mod security_headers;
pub mod server;
