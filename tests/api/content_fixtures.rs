//! One-line newsroom fixtures for the content tests: categories, bylines,
//! tags and articles created through the API, and API tokens.

use serde_json::{Value, json};

use crate::helpers::{TestApp, TestUser};

/// A small PNG (64×48) for editor clients' uploads.
pub fn small_png() -> Vec<u8> {
    let image = image::RgbImage::from_fn(64, 48, |x, y| {
        image::Rgb([(x * 4) as u8, (y * 5) as u8, 90])
    });
    let mut bytes = Vec::new();
    image::DynamicImage::ImageRgb8(image)
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .unwrap();
    bytes
}

pub async fn created(response: reqwest::Response) -> Value {
    let status = response.status().as_u16();
    let body: Value = response.json().await.expect("JSON body");
    assert_eq!(status, 201, "expected 201, got {status}: {body}");
    body
}

pub async fn ok_json(response: reqwest::Response) -> Value {
    let status = response.status().as_u16();
    let body: Value = response.json().await.expect("JSON body");
    assert_eq!(status, 200, "expected 200, got {status}: {body}");
    body
}

pub async fn editor(app: &TestApp) -> TestUser {
    app.create_user(cms::auth::Role::Editor).await
}

pub async fn category(app: &TestApp, token: &str, name: &str, parent: Option<i64>) -> Value {
    created(
        app.post_json(
            "/api/v1/categories",
            Some(token),
            &json!({"name": name, "parent_id": parent}),
        )
        .await,
    )
    .await
}

pub async fn byline(app: &TestApp, token: &str, name: &str) -> Value {
    created(
        app.post_json("/api/v1/authors", Some(token), &json!({"name": name}))
            .await,
    )
    .await
}

pub async fn tag(app: &TestApp, token: &str, name: &str) -> Value {
    created(
        app.post_json("/api/v1/tags", Some(token), &json!({"name": name}))
            .await,
    )
    .await
}

pub async fn article(app: &TestApp, token: &str, body: &Value) -> Value {
    created(app.post_json("/api/v1/articles", Some(token), body).await).await
}

/// A published article in `category_id` signed by `author_id`.
pub async fn published(
    app: &TestApp,
    token: &str,
    title: &str,
    category_id: i64,
    author_id: i64,
) -> Value {
    article(
        app,
        token,
        &json!({
            "title": title,
            "body": format!("Corps de l’article « {title} »."),
            "category_id": category_id,
            "author_ids": [author_id],
            "status": "published",
        }),
    )
    .await
}

/// An API token with `scopes` (space-separated), stored as the server stores them.
pub async fn api_token(app: &TestApp, scopes: &str) -> String {
    use cms::db::schema::api_tokens;
    use diesel::prelude::*;
    let token = format!("cms_{}", uuid::Uuid::new_v4().simple());
    let digest = cms::auth::secret::token_digest(&token);
    let scopes = scopes.to_owned();
    app.db
        .write(move |conn| {
            diesel::insert_into(api_tokens::table)
                .values((
                    api_tokens::name.eq("jeton de test"),
                    api_tokens::token_prefix.eq("cms_"),
                    api_tokens::token_hash.eq(&digest),
                    api_tokens::scopes.eq(&scopes),
                    api_tokens::created_at.eq(cms::timestamp::now()),
                ))
                .execute(conn.conn())?;
            Ok(())
        })
        .await
        .expect("insert api token");
    token
}

/// A small newsroom: an editor, a root category, a byline.
pub struct Desk {
    pub editor: TestUser,
    pub category_id: i64,
    pub author_id: i64,
}

pub async fn desk(app: &TestApp) -> Desk {
    let editor = editor(app).await;
    let category_id = category(app, &editor.token, "Actualités", None).await["id"]
        .as_i64()
        .unwrap();
    let author_id = byline(app, &editor.token, "La Rédaction").await["id"]
        .as_i64()
        .unwrap();
    Desk {
        editor,
        category_id,
        author_id,
    }
}
