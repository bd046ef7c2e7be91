//! The newsroom's content: articles, categories, authors and tags.

pub mod body;
pub mod slug;
pub mod status;
