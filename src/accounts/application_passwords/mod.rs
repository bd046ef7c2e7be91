//! Application passwords (`/api/v1/users/{id}/application-passwords`): what
//! a journalist's editor (MarsEdit, Open Live Writer, Word, the WordPress
//! app) signs in with, never the login password. Named per device, 24
//! random characters shown once (in groups of four, spaces ignored on
//! input, as WordPress), stored as a keyed hash (`auth::secret::
//! ApplicationPasswordKey`), revocable, with the time and address of their
//! last use. They act with their user's role; `auth::authenticate` checks
//! them, counting failures in the sign-in throttle.

pub mod input;
pub mod queries;
pub mod routes;
pub mod rows;
pub mod use_cases;
pub mod views;
