//! Cross-cutting HTTP concerns shared by every resource.

pub mod cors;
pub mod extract;
pub mod fallback;
pub mod request_log;
pub mod response_cache;
