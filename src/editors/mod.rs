//! What every editor protocol shares (XML-RPC now; the WordPress REST API,
//! Ghost and Micropub next): `mapping` turns their statuses, categories,
//! tags, dates and bodies into the article API's inputs, and the API's
//! article back into theirs, so that a post from MarsEdit is written by
//! the same use cases as one from `/api/v1`.

pub mod mapping;
