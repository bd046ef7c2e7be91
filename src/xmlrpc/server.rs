//! The dispatcher: one method name, one function, the credentials checked
//! by `auth::authenticate` (application passwords only), every error a
//! fault with WordPress's code. No `system.multicall`: it would turn one
//! request into many password guesses.

use actix_web::web;

use super::fault::Fault;
use super::params::Params;
use super::value::Value;
use super::{blogs, media, posts, terms, wp};
use crate::auth::Caller;
use crate::auth::authenticate::Credentials;
use crate::error::ApiError;
use crate::state::AppState;

/// What a method runs with.
pub struct Call<'a> {
    pub state: &'a web::Data<AppState>,
    pub params: Params<'a>,
    /// The address failed sign-ins are counted against.
    pub client: String,
    /// `scheme://host` of this service as the client reached it, for
    /// absolute URLs (`/xmlrpc.php`, media, permalinks).
    pub origin: String,
}

impl Call<'_> {
    /// Signs in with the user name (the email) and application password
    /// at `user` and `user + 1`.
    pub async fn sign_in(&self, user: usize) -> Result<Caller, Fault> {
        let email = self.params.text(user, "username")?;
        let password = self.params.text(user + 1, "password")?;
        self.state
            .auth
            .authenticate(Credentials::ApplicationPassword {
                email,
                password,
                client: self.client.clone(),
            })
            .await
            .map_err(|e| match e {
                ApiError::Unauthorized(_) => Fault::bad_login(),
                other => fault_of(other),
            })
    }

    pub fn absolute(&self, path_or_url: &str) -> String {
        if path_or_url.starts_with('/') {
            format!("{}{path_or_url}", self.origin)
        } else {
            path_or_url.to_owned()
        }
    }
}

/// An error of the application as the protocol says it.
pub fn fault_of(error: ApiError) -> Fault {
    match error {
        ApiError::Unauthorized(_) => Fault::bad_login(),
        ApiError::Forbidden(detail) => {
            Fault::not_allowed(format!("Sorry, you are not allowed to do this: {detail}"))
        }
        ApiError::NotFound(detail) => Fault::not_found(detail),
        ApiError::TooManyRequests {
            retry_after_seconds,
        } => Fault::new(
            429,
            format!("Too many failed sign-ins: try again in {retry_after_seconds} seconds."),
        ),
        ApiError::Validation(errors) => Fault::new(
            400,
            errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        ApiError::DatabaseUnavailable(_) => {
            Fault::server("The service is unavailable for a moment; nothing was saved. Try again.")
        }
        ApiError::Internal(detail) => {
            tracing::error!(%detail, "xml-rpc method failed");
            Fault::server("The server failed; nothing was saved. Try again.")
        }
        other => {
            let problem = other.problem();
            Fault::new(i32::from(problem.status), problem.detail)
        }
    }
}

/// Every method this server answers, as `mt.supportedMethods` and
/// `system.listMethods` list them (python-wordpress-xmlrpc refuses to call
/// a method missing from this list).
pub const METHODS: &[&str] = &[
    "blogger.deletePost",
    "blogger.getUsersBlogs",
    "metaWeblog.deletePost",
    "metaWeblog.editPost",
    "metaWeblog.getCategories",
    "metaWeblog.getPost",
    "metaWeblog.getRecentPosts",
    "metaWeblog.getUsersBlogs",
    "metaWeblog.newMediaObject",
    "metaWeblog.newPost",
    "mt.getCategoryList",
    "mt.getPostCategories",
    "mt.publishPost",
    "mt.setPostCategories",
    "mt.supportedMethods",
    "mt.getRecentPostTitles",
    "mt.supportedTextFilters",
    "system.listMethods",
    "wp.deletePost",
    "wp.editPost",
    "wp.getAuthors",
    "wp.getCategories",
    "wp.getCommentCount",
    "wp.getMediaItem",
    "wp.getMediaLibrary",
    "wp.getOptions",
    "wp.getPage",
    "wp.getPageList",
    "wp.getPageStatusList",
    "wp.getPageTemplates",
    "wp.getPages",
    "wp.getPost",
    "wp.getPostFormats",
    "wp.getPostStatusList",
    "wp.getPostTypes",
    "wp.getPosts",
    "wp.getProfile",
    "wp.getTags",
    "wp.getTerm",
    "wp.getTerms",
    "wp.getUsersBlogs",
    "wp.newCategory",
    "wp.newPost",
    "wp.newTerm",
    "wp.suggestCategories",
    "wp.uploadFile",
];

pub async fn dispatch(call: &Call<'_>, method: &str) -> Result<Value, Fault> {
    match method {
        "mt.supportedMethods" | "system.listMethods" => Ok(Value::Array(
            METHODS.iter().map(|m| Value::string(*m)).collect(),
        )),
        "mt.supportedTextFilters" => Ok(Value::Array(vec![])),
        "blogger.getUsersBlogs" | "metaWeblog.getUsersBlogs" => blogs::users_blogs(call, 1).await,
        "wp.getUsersBlogs" => blogs::users_blogs(call, 0).await,
        // A site without pages, as clients that list them expect.
        "wp.getPages" | "wp.getPageList" => {
            call.sign_in(1).await?;
            Ok(Value::Array(vec![]))
        }
        "wp.getPage" => {
            call.sign_in(2).await?;
            Err(Fault::not_found("Sorry, no such page."))
        }
        "wp.getPageStatusList" | "wp.getPageTemplates" => {
            call.sign_in(1).await?;
            Ok(Value::Struct(vec![]))
        }
        "wp.newPost" => wp::new_post(call).await,
        "wp.editPost" => wp::edit_post(call).await,
        "wp.getPost" => wp::get_post(call).await,
        "wp.getPosts" => wp::get_posts(call).await,
        "wp.deletePost" => wp::delete_post(call).await,
        "wp.getTerms" => wp::get_terms(call).await,
        "wp.getTerm" => wp::get_term(call).await,
        "wp.newTerm" => wp::new_term(call).await,
        "wp.newCategory" => wp::new_category(call).await,
        "wp.suggestCategories" => wp::suggest_categories(call).await,
        "wp.getProfile" => wp::get_profile(call).await,
        "wp.getAuthors" => wp::get_authors(call).await,
        "wp.getOptions" => wp::get_options(call).await,
        "wp.getPostFormats" => wp::get_post_formats(call).await,
        "wp.getPostStatusList" => wp::get_post_status_list(call).await,
        "wp.getPostTypes" => wp::get_post_types(call).await,
        "wp.getCommentCount" => wp::get_comment_count(call).await,
        "wp.getMediaItem" => wp::get_media_item(call).await,
        "wp.getMediaLibrary" => wp::get_media_library(call).await,
        "mt.getRecentPostTitles" => wp::recent_post_titles(call).await,
        "metaWeblog.getCategories" | "wp.getCategories" => terms::categories(call).await,
        "mt.getCategoryList" => terms::category_list(call).await,
        "wp.getTags" => terms::tags(call).await,
        "metaWeblog.newMediaObject" | "wp.uploadFile" => media::upload(call).await,
        "metaWeblog.newPost" => posts::new_post(call).await,
        "metaWeblog.editPost" => posts::edit_post(call).await,
        "metaWeblog.getPost" => posts::get_post(call).await,
        "metaWeblog.getRecentPosts" => posts::recent_posts(call).await,
        "mt.getPostCategories" => posts::post_categories(call).await,
        "mt.setPostCategories" => posts::set_post_categories(call).await,
        "mt.publishPost" => posts::publish_post(call).await,
        "blogger.deletePost" | "metaWeblog.deletePost" => posts::delete_post(call).await,
        other => Err(Fault::unknown_method(other)),
    }
}
