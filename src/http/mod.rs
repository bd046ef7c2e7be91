//! Cross-cutting HTTP concerns shared by every resource.

pub mod extract;
pub mod fallback;
pub mod request_log;
pub mod conditional;
pub mod cursor;
pub mod listing;
