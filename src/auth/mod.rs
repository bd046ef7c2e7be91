//! Who is calling and what they may do: passwords, tokens, roles, the policy.

pub mod authenticate;
pub mod caller;
pub mod jwt;
pub mod password;
pub mod password_work;
pub mod policy;
pub mod refresh;
pub mod role;
pub mod secret;
pub mod signing_secret;
pub mod throttle;

pub use caller::Caller;
pub use role::{Role, Scope};
