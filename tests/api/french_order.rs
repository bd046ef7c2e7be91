//! Names in the order a French reader expects, the same on both databases:
//! "Économie" between "Droits" and "Élections", not after "Terrorisme":
//! tags, authors, categories, and articles by title (cursor pages
//! included); rows from before the keys get theirs after start-up.

use std::time::{Duration, Instant};

use diesel::prelude::*;
use serde_json::{Value, json};

use cms::db::schema::{articles, authors, tags};

use crate::content_fixtures::{created, desk, ok_json};
use crate::helpers::{Backend, TestApp};
use crate::on_both_databases;

/// As a writer types them, in no order.
const NAMES: [&str; 6] = [
    "Terrorisme",
    "élections locales",
    "Économie",
    "Droits",
    "Zinder",
    "Élections",
];
/// As a French index lists them: accents and case break ties only.
const FRENCH: [&str; 6] = [
    "Droits",
    "Économie",
    "Élections",
    "élections locales",
    "Terrorisme",
    "Zinder",
];

/// The tags once "Droits" is renamed "Élu".
const RENAMED: [&str; 6] = [
    "Économie",
    "Élections",
    "élections locales",
    "Élu",
    "Terrorisme",
    "Zinder",
];

fn names(list: &Value, field: &str) -> Vec<String> {
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item[field].as_str().unwrap().to_owned())
        .collect()
}

/// Every article title through `sort`, two per page, following cursors.
async fn titles(app: &TestApp, sort: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut path = format!("/api/v1/articles?sort={sort}&per_page=2");
    loop {
        let page = ok_json(app.get(&path).await).await;
        out.extend(names(&page, "title"));
        match page["meta"]["next_cursor"].as_str() {
            Some(cursor) => {
                path = format!("/api/v1/articles?sort={sort}&per_page=2&cursor={cursor}")
            }
            None => return out,
        }
    }
}

async fn listed(app: &TestApp) -> [Vec<String>; 4] {
    [
        names(
            &ok_json(app.get("/api/v1/tags?per_page=50").await).await,
            "name",
        ),
        names(
            &ok_json(app.get("/api/v1/authors?per_page=50").await).await,
            "name",
        )
        .into_iter()
        .filter(|n| NAMES.contains(&n.as_str()))
        .collect(),
        names(
            &ok_json(app.get("/api/v1/categories?parent=monde").await).await,
            "name",
        ),
        titles(app, "title").await,
    ]
}

async fn names_sort_as_a_french_reader_expects(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("CMS_RESPONSE_CACHE_MB", "0")]).await;
    let d = desk(&app).await;
    let t = &d.editor.token;
    let monde = created(
        app.post_json("/api/v1/categories", Some(t), &json!({"name": "Monde"}))
            .await,
    )
    .await;
    for name in NAMES {
        created(
            app.post_json("/api/v1/tags", Some(t), &json!({"name": name}))
                .await,
        )
        .await;
        created(
            app.post_json("/api/v1/authors", Some(t), &json!({"name": name}))
                .await,
        )
        .await;
        created(
            app.post_json(
                "/api/v1/categories",
                Some(t),
                &json!({"name": name, "parent_id": monde["id"]}),
            )
            .await,
        )
        .await;
        created(
            app.post_json(
                "/api/v1/articles",
                Some(t),
                &json!({"title": name, "body": "x", "category_id": d.category_id,
                        "author_ids": [d.author_id], "status": "published"}),
            )
            .await,
        )
        .await;
    }
    for list in listed(&app).await {
        assert_eq!(list, FRENCH);
    }
    let mut backwards = FRENCH.to_vec();
    backwards.reverse();
    assert_eq!(titles(&app, "-title").await, backwards);

    // A rename moves the name to its new place.
    let droits = ok_json(app.get("/api/v1/tags/droits").await).await;
    let response = app
        .patch_json(
            &format!("/api/v1/tags/{}", droits["id"]),
            Some(t),
            &json!({"name": "Élu"}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let tags = names(&ok_json(app.get("/api/v1/tags").await).await, "name");
    assert_eq!(tags, RENAMED);

    // Rows from before the keys (emptied here, as the migration left
    // them) are listed in order again once a process has started.
    app.db
        .write(|conn| {
            diesel::update(tags::table)
                .set(tags::name_key.eq(Vec::<u8>::new()))
                .execute(conn.conn())?;
            diesel::update(authors::table)
                .set(authors::name_key.eq(Vec::<u8>::new()))
                .execute(conn.conn())?;
            diesel::update(articles::table)
                .set(articles::title_key.eq(Vec::<u8>::new()))
                .execute(conn.conn())?;
            Ok(())
        })
        .await
        .unwrap();
    let sibling = app.spawn_sibling(&[("CMS_RESPONSE_CACHE_MB", "0")]).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let [tags, authors, _, titles] = listed(&sibling).await;
        if tags == RENAMED && authors == FRENCH && titles == FRENCH {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "keys never backfilled: {tags:?} {authors:?} {titles:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

on_both_databases!(names_sort_as_a_french_reader_expects);
