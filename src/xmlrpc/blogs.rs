//! The blog itself: `blogger.getUsersBlogs` and `wp.getUsersBlogs`, what an
//! editor asks first to check the credentials and name the site.

use super::fault::Fault;
use super::server::{Call, fault_of};
use super::value::Value;
use crate::auth::Role;

/// One blog (this site), blog id "1" as WordPress's single site.
pub async fn users_blogs(call: &Call<'_>, user: usize) -> Result<Value, Fault> {
    let caller = call.sign_in(user).await?;
    let site = call.state.site.settings().await.map_err(fault_of)?;
    let is_admin = caller.account().is_some_and(|a| a.role == Role::Admin);
    let home = site
        .frontend_url
        .clone()
        .unwrap_or_else(|| call.origin.clone());
    Ok(Value::Array(vec![Value::structure([
        ("isAdmin", Value::Bool(is_admin)),
        ("url", Value::string(format!("{home}/"))),
        ("blogid", Value::string("1")),
        ("blogName", Value::string(site.title)),
        ("xmlrpc", Value::string(call.absolute("/xmlrpc.php"))),
    ])]))
}
