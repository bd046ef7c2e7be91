//! Cross-cutting HTTP concerns shared by every resource.

pub mod extract;
pub mod fallback;
pub mod page;
pub mod request_log;
