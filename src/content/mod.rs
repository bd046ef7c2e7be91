//! The newsroom's content: articles, categories, authors and tags.

pub mod articles;
pub mod authors;
pub mod body;
pub mod categories;
pub mod context;
pub mod lookup;
pub mod patch;
pub mod precondition;
pub mod slug;
pub mod tags;
pub mod text;

pub use context::Content;
pub use precondition::Precondition;
