//! Tags: free labels on articles. Authors may create them while writing;
//! editors and admins rename and delete them.

pub mod input;
pub mod queries;
pub mod routes;
pub mod rows;
pub mod use_cases;
pub mod views;
