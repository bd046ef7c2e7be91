//! Who is calling and what they may do: passwords, tokens, roles, the policy.

pub mod password;
pub mod secret;
