//! Categories and tags as editors list them: `wp.getCategories` (its
//! MetaWeblog alias), `mt.getCategoryList`, `wp.getTags`.

use super::fault::Fault;
use super::server::{Call, fault_of};
use super::value::Value;
use crate::content::{categories, tags};

async fn all_categories(call: &Call<'_>) -> Result<Vec<categories::views::CategoryView>, Fault> {
    call.sign_in(1).await?;
    categories::use_cases::list(&call.state.content, None)
        .await
        .map_err(fault_of)
}

async fn home(call: &Call<'_>) -> Result<String, Fault> {
    let site = call.state.site.settings().await.map_err(fault_of)?;
    Ok(site.frontend_url.unwrap_or_else(|| call.origin.clone()))
}

/// Every category with its parent; `description` carries the name, as in
/// WordPress (Open Live Writer reads it there).
pub async fn categories(call: &Call<'_>) -> Result<Value, Fault> {
    let list = all_categories(call).await?;
    let home = home(call).await?;
    Ok(Value::Array(
        list.into_iter()
            .map(|c| {
                Value::structure([
                    ("categoryId", Value::Int(c.id)),
                    ("parentId", Value::Int(c.parent_id.unwrap_or(0))),
                    ("description", Value::string(c.name.clone())),
                    (
                        "categoryDescription",
                        Value::string(c.description.clone().unwrap_or_default()),
                    ),
                    ("categoryName", Value::string(c.name)),
                    (
                        "htmlUrl",
                        Value::string(format!("{home}/category/{}/", c.slug)),
                    ),
                    (
                        "rssUrl",
                        Value::string(format!("{home}/category/{}/feed/", c.slug)),
                    ),
                ])
            })
            .collect(),
    ))
}

pub async fn category_list(call: &Call<'_>) -> Result<Value, Fault> {
    let list = all_categories(call).await?;
    Ok(Value::Array(
        list.into_iter()
            .map(|c| {
                Value::structure([
                    ("categoryId", Value::Int(c.id)),
                    ("categoryName", Value::string(c.name)),
                ])
            })
            .collect(),
    ))
}

pub async fn tags(call: &Call<'_>) -> Result<Value, Fault> {
    call.sign_in(1).await?;
    let home = home(call).await?;
    let all = tags::use_cases::all(&call.state.content, true)
        .await
        .map_err(fault_of)?;
    Ok(Value::Array(
        all.into_iter()
            .map(|t| {
                Value::structure([
                    ("tag_id", Value::Int(t.id)),
                    ("name", Value::string(t.name)),
                    ("count", Value::Int(0)),
                    ("slug", Value::string(t.slug.clone())),
                    ("html_url", Value::string(format!("{home}/tag/{}/", t.slug))),
                    (
                        "rss_url",
                        Value::string(format!("{home}/tag/{}/feed/", t.slug)),
                    ),
                ])
            })
            .collect(),
    ))
}
