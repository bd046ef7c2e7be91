//! The media library: images uploaded once, served in the sizes and
//! formats pages need, described (alt, caption, credit, title) for readers.

pub mod context;
pub mod embedded;
pub mod format;
pub mod input;
pub mod processing;
pub mod queries;
pub mod routes;
pub mod rows;
pub mod serve;
pub mod use_cases;
pub mod views;

pub use context::Media;
