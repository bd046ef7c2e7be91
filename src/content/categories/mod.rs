//! Categories: a tree (`parent_id`, `position`) whose every node carries its
//! breadcrumb `path` from the root.

pub mod input;
pub mod memo;
pub mod queries;
pub mod routes;
pub mod rows;
pub mod tree;
pub mod use_cases;
pub mod views;

pub use tree::CategoryTree;
