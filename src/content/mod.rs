//! The newsroom's content: articles, categories, authors, tags and media.

pub mod articles;
pub mod authors;
pub mod body;
pub mod categories;
pub mod context;
pub mod embeds;
pub mod french_order;
pub mod lookup;
pub mod media;
pub mod patch;
pub mod precondition;
pub mod slug;
pub mod tags;
pub mod text;

pub use context::Content;
pub use precondition::Precondition;
