//! What every editor protocol shares (XML-RPC, the WordPress REST API,
//! Ghost, Micropub): `mapping` turns their statuses, categories, tags,
//! dates and bodies into the article API's inputs, and the API's article
//! back into theirs, so that a post from MarsEdit is written by the same
//! use cases as one from `/api/v1`; `consent` is the sign-in and approval
//! page an app opens in a browser to be given a credential.

pub mod consent;
pub mod mapping;
