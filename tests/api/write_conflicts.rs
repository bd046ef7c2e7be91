//! Valid requests sent at once all succeed, on PostgreSQL as on SQLite:
//! concurrency is the server's problem, never a 409 for the client, and no
//! response names a database constraint.

use std::collections::HashSet;

use futures_util::future::join_all;
use serde_json::{Value, json};

use crate::content_fixtures::{desk, tag};
use crate::helpers::{Backend, TestApp};
use crate::on_both_databases;

async fn status_and_body(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    assert!(
        !text.contains("pkey") && !text.contains("_key") && !text.contains("constraint"),
        "a response names a constraint: {text}"
    );
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn concurrent_creates_with_one_title_all_succeed(backend: Backend) {
    let app =
        TestApp::spawn_with(backend, &[("CMS_WORKERS", "4"), ("CMS_DB_POOL_SIZE", "10")]).await;
    let desk = desk(&app).await;
    let token = desk.editor.token.clone();
    let body = json!({"title": "Sommet de la CEDEAO à Abuja", "body": "Texte.",
                      "category_id": desk.category_id, "author_ids": [desk.author_id]});
    let creates = (0..20).map(|_| app.post_json("/api/v1/articles", Some(&token), &body));
    let mut slugs = HashSet::new();
    for response in join_all(creates).await {
        let (status, body) = status_and_body(response).await;
        assert_eq!(status, 201, "{body}");
        slugs.insert(body["slug"].as_str().unwrap().to_owned());
    }
    let expected: HashSet<String> = std::iter::once("sommet-de-la-cedeao-a-abuja".to_owned())
        .chain((2..=20).map(|n| format!("sommet-de-la-cedeao-a-abuja-{n}")))
        .collect();
    assert_eq!(slugs, expected);

    // Tags, categories and bylines with one name likewise.
    for (path, name) in [
        ("/api/v1/tags", "Diplomatie"),
        ("/api/v1/categories", "Monde"),
        ("/api/v1/authors", "Aïcha Traoré"),
    ] {
        let body = json!({"name": name});
        let creates = (0..12).map(|_| app.post_json(path, Some(&token), &body));
        let mut slugs = HashSet::new();
        for response in join_all(creates).await {
            let (status, body) = status_and_body(response).await;
            assert_eq!(status, 201, "{path}: {body}");
            slugs.insert(body["slug"].as_str().unwrap().to_owned());
        }
        assert_eq!(slugs.len(), 12, "{path}: {slugs:?}");
    }
}

async fn tag_renames_during_article_deletes_all_succeed(backend: Backend) {
    let app =
        TestApp::spawn_with(backend, &[("CMS_WORKERS", "4"), ("CMS_DB_POOL_SIZE", "10")]).await;
    let desk = desk(&app).await;
    let token = desk.editor.token.clone();
    let tag_id = tag(&app, &token, "Sahel").await["id"].as_i64().unwrap();
    let mut ids = Vec::new();
    for n in 0..30 {
        let (status, body) = status_and_body(
            app.post_json(
                "/api/v1/articles",
                Some(&token),
                &json!({"title": format!("Article {n}"), "body": "Texte.", "status": "published",
                        "category_id": desk.category_id, "author_ids": [desk.author_id],
                        "tag_ids": [tag_id]}),
            )
            .await,
        )
        .await;
        assert_eq!(status, 201, "{body}");
        ids.push(body["id"].as_i64().unwrap());
    }
    let deletes = ids.iter().map(|id| {
        let (app, token) = (&app, &token);
        async move {
            app.delete_as(&format!("/api/v1/articles/{id}"), Some(token))
                .await
        }
    });
    let renames = (0..30).map(|n| {
        let (app, token) = (&app, &token);
        async move {
            app.patch_json(
                &format!("/api/v1/tags/{tag_id}"),
                Some(token),
                &json!({"name": format!("Sahel {n}")}),
            )
            .await
        }
    });
    let (deleted, renamed) = futures_util::join!(join_all(deletes), join_all(renames));
    for response in deleted {
        let (status, body) = status_and_body(response).await;
        assert_eq!(status, 204, "delete: {body}");
    }
    for response in renamed {
        let (status, body) = status_and_body(response).await;
        assert_eq!(status, 200, "rename: {body}");
    }
}

on_both_databases!(
    concurrent_creates_with_one_title_all_succeed,
    tag_renames_during_article_deletes_all_succeed,
);
