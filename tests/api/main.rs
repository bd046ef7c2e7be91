//! Black-box tests: the real application over HTTP, on SQLite and PostgreSQL.

mod helpers;

mod errors;
mod health;
mod migrations;
mod startup;
