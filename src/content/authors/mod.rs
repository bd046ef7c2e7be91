//! Authors are bylines, not accounts: a wire agency or a guest writer signs
//! articles without a login; a user account may be linked to one author.

pub mod input;
pub mod own_byline;
pub mod queries;
pub mod routes;
pub mod rows;
pub mod use_cases;
pub mod views;
