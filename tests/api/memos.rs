//! What the app keeps in memory besides the response cache (the category
//! tree every article view embeds, and list totals) follows every write:
//! here with the response cache off, so each answer is built anew from the
//! database and whatever is kept in memory.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::content_fixtures::{category, desk, ok_json, published};
use crate::helpers::{Backend, TestApp};
use crate::on_both_databases;

const NO_RESPONSE_CACHE: &[(&str, &str)] = &[("CMS_RESPONSE_CACHE_MB", "0")];

fn crumbs(category: &Value) -> Vec<String> {
    category["path"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn a_category_change_shows_in_the_very_next_read(backend: Backend) {
    let app = TestApp::spawn_with(backend, NO_RESPONSE_CACHE).await;
    let d = desk(&app).await;
    let t = d.editor.token.as_str();
    let article = published(&app, t, "Sommet d’Abuja", d.category_id, d.author_id).await;
    let path = format!("/api/v1/articles/{}", article["slug"].as_str().unwrap());
    // Every read below would be served a stale tree if the memo kept one.
    assert_eq!(
        ok_json(app.get(&path).await).await["category"]["name"],
        "Actualités"
    );
    assert_eq!(
        ok_json(app.get("/api/v1/categories").await).await["data"][0]["name"],
        "Actualités"
    );

    let renamed = app
        .patch_json(
            &format!("/api/v1/categories/{}", d.category_id),
            Some(t),
            &json!({"name": "Diplomatie « Sahel » 🌍"}),
        )
        .await;
    assert_eq!(renamed.status(), 200);
    let one = ok_json(app.get(&path).await).await;
    assert_eq!(one["category"]["name"], "Diplomatie « Sahel » 🌍");
    let list = ok_json(app.get("/api/v1/articles").await).await;
    assert_eq!(
        list["data"][0]["category"]["name"],
        "Diplomatie « Sahel » 🌍"
    );
    let tree = ok_json(app.get("/api/v1/categories").await).await;
    assert_eq!(tree["data"][0]["name"], "Diplomatie « Sahel » 🌍");

    // Moved under a new root: the breadcrumb and the descendant filter follow.
    let world = category(&app, t, "Monde", None).await;
    assert_eq!(
        ok_json(app.get("/api/v1/articles?category=monde").await).await["meta"]["total"],
        0
    );
    let moved = app
        .patch_json(
            &format!("/api/v1/categories/{}", d.category_id),
            Some(t),
            &json!({"parent_id": world["id"]}),
        )
        .await;
    assert_eq!(moved.status(), 200);
    let one = ok_json(app.get(&path).await).await;
    assert_eq!(
        crumbs(&one["category"]),
        ["Monde", "Diplomatie « Sahel » 🌍"]
    );
    let under_world = ok_json(app.get("/api/v1/articles?category=monde").await).await;
    assert_eq!(under_world["meta"]["total"], 1);
    assert_eq!(under_world["data"][0]["id"], article["id"]);
}

/// Another process's category write reaches this one's tree: by NOTIFY on
/// PostgreSQL, by polling the event table on SQLite.
async fn a_category_change_by_another_process_reaches_this_one(backend: Backend) {
    let a = TestApp::spawn_with(backend, NO_RESPONSE_CACHE).await;
    let b = a.spawn_sibling(NO_RESPONSE_CACHE).await;
    let d = desk(&a).await;
    let t = d.editor.token.as_str();
    let article = published(&a, t, "Vu par B", d.category_id, d.author_id).await;
    let path = format!("/api/v1/articles/{}", article["slug"].as_str().unwrap());
    assert_eq!(
        ok_json(b.get(&path).await).await["category"]["name"],
        "Actualités"
    );
    let renamed = a
        .patch_json(
            &format!("/api/v1/categories/{}", d.category_id),
            Some(t),
            &json!({"name": "Bénin"}),
        )
        .await;
    assert_eq!(renamed.status(), 200);
    let started = Instant::now();
    let limit = match backend {
        Backend::Postgres => Duration::from_millis(200),
        Backend::Sqlite => Duration::from_millis(1000),
    };
    loop {
        let seen = ok_json(b.get(&path).await).await;
        if seen["category"]["name"] == "Bénin" {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "B never saw the rename: {seen}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(
        started.elapsed() < limit,
        "B saw the rename after {:?}",
        started.elapsed()
    );
    let tree = ok_json(b.get("/api/v1/categories").await).await;
    assert_eq!(tree["data"][0]["name"], "Bénin");
}

on_both_databases!(
    a_category_change_shows_in_the_very_next_read,
    a_category_change_by_another_process_reaches_this_one,
);
