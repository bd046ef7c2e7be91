//! The people and programs that sign in: user accounts, their sessions
//! (sign-in, refresh, sign-out, one's own password), API tokens and
//! application passwords. Each is
//! shaped like a content resource (rows, input, queries, use cases, views,
//! routes); `auth` is the library they use (who is calling, what they may
//! do, how passwords and tokens are checked).

pub mod api_tokens;
pub mod application_passwords;
pub mod context;
pub mod sessions;
pub mod users;

pub use context::Accounts;
