//! User accounts: the people who sign in to write, edit and administer.
//!
//! Rows, inputs and views are different types: `User` (a row, never sent),
//! `CreateUser` / `UserPatch` (what a client may send), `UserView` (what it
//! gets).

pub mod input;
pub mod queries;
pub mod routes;
pub mod rows;
pub mod use_cases;
pub mod views;

pub use input::{Email, NewAccount};
pub use rows::User;
pub use use_cases::{CreatedUser, create_account, create_admin_account};
