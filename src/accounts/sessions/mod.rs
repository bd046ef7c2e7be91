//! Sessions: signing in with an email and a password, refreshing and ending
//! a session, and the signed-in account's own routes (who am I, changing
//! one's password).

pub mod input;
pub mod routes;
pub mod use_cases;
pub mod views;
