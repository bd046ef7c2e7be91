//! Micropub (W3C Recommendation, w3.org/TR/micropub) at `/micropub`, its
//! media endpoint at `/micropub/media`: how iA Writer, the Micro.blog
//! apps, Quill and Micropublish publish. Tokens are editor credentials of
//! kind `micropub_token` (`accounts::application_passwords`), made by hand
//! or through IndieAuth (`indieauth`); posts go through the article use
//! cases, images through the media use case, categories and tags through
//! `editors::mapping`.

pub mod entry;
pub mod error;
pub mod request;
pub mod routes;
