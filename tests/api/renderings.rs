//! Public lists and public articles are read from stored renderings
//! (`content::articles::renderings`), not built: each must stay equal to the
//! view built from the database after every write that changes what it
//! shows, and a rendering that is not current must never be served.
//! Response cache off, so every answer comes from the database.

use std::time::{Duration, Instant};

use diesel::prelude::*;
use serde_json::{Value, json};

use crate::content_fixtures::{article, byline, category, desk, ok_json, published, tag};
use crate::helpers::{Backend, TestApp};
use crate::on_both_databases;
use cms::db::schema::{article_renderings, articles};

const NO_RESPONSE_CACHE: &[(&str, &str)] = &[("CMS_RESPONSE_CACHE_MB", "0")];

/// Every field a list item has: with `fields`, a page is built from the rows
/// and relations instead of read from the renderings.
const ALL_LIST_FIELDS: &str = "id,slug,title,excerpt,body_format,status,published_at,\
    created_at,updated_at,version,language,author,authors,category,tags,featured_image,\
    seo,featured,sponsored,comments_enabled,comment_count,comments_open,reading_time_minutes,\
    word_count";

/// Every field of an article, bodies included.
fn all_fields() -> String {
    format!("{ALL_LIST_FIELDS},body,body_html")
}

async fn item_count(app: &TestApp) -> (i64, i64) {
    app.db
        .read(|conn| {
            let items = article_renderings::table
                .filter(article_renderings::shape.eq(cms::content::articles::renderings::SHAPE))
                .count()
                .get_result::<i64>(conn)?;
            let articles = articles::table.count().get_result::<i64>(conn)?;
            Ok((items, articles))
        })
        .await
        .unwrap()
}

/// The public page read from list items equals the same page built, each
/// article read from its rendering equals the same article built, and each
/// list item equals its article without the bodies. Every article has a
/// current rendering, so the reads without `fields` cannot have been built.
async fn assert_renderings_are_current(app: &TestApp, step: &str) {
    let (items, articles) = item_count(app).await;
    assert_eq!(items, articles, "{step}: one current rendering per article");
    let stored = ok_json(app.get("/api/v1/articles?per_page=100").await).await;
    let built = ok_json(
        app.get(&format!(
            "/api/v1/articles?per_page=100&fields={ALL_LIST_FIELDS}"
        ))
        .await,
    )
    .await;
    assert_eq!(stored["data"], built["data"], "{step}");
    assert_eq!(stored["meta"]["total"], built["meta"]["total"], "{step}");
    for item in stored["data"].as_array().unwrap() {
        let slug = item["slug"].as_str().unwrap();
        let mut detail = ok_json(app.get(&format!("/api/v1/articles/{slug}")).await).await;
        let built = ok_json(
            app.get(&format!(
                "/api/v1/articles/{}?fields={}",
                item["id"],
                all_fields()
            ))
            .await,
        )
        .await;
        assert_eq!(detail, built, "{step}");
        let detail = detail.as_object_mut().unwrap();
        detail.remove("body");
        detail.remove("body_html");
        assert_eq!(item, &Value::Object(detail.clone()), "{step}");
    }
}

async fn renderings_follow_every_write(backend: Backend) {
    let app = TestApp::spawn_with(backend, NO_RESPONSE_CACHE).await;
    let d = desk(&app).await;
    let t = d.editor.token.as_str();
    let diplomatie = category(&app, t, "Diplomatie", Some(d.category_id)).await;
    let aissata = byline(&app, t, "Aïssata Maïga").await;
    let sahel = tag(&app, t, "Sahel").await;
    let cedeao = tag(&app, t, "CEDEAO").await;
    let sommet = article(
        &app,
        t,
        &json!({
            "title": "Sommet d’Abuja : la CEDEAO « ouvre la porte » 🌍",
            "body": "Les ministres se retrouvent **deux jours**.",
            "category_id": diplomatie["id"],
            "author_ids": [aissata["id"], d.author_id],
            "tag_ids": [sahel["id"], cedeao["id"]],
            "status": "published",
            "featured_image": {"url": "https://cdn.example/abuja.webp", "alt": "Abuja"},
            "seo": {"title": "Sommet d’Abuja"},
        }),
    )
    .await;
    let breve = published(&app, t, "Brève de Niamey", d.category_id, d.author_id).await;
    let due = (chrono::Utc::now() + chrono::Duration::seconds(2)).to_rfc3339();
    let scheduled = article(
        &app,
        t,
        &json!({
            "title": "Programmé pour bientôt",
            "body": "Texte.",
            "category_id": d.category_id,
            "author_ids": [d.author_id],
            "tag_ids": [sahel["id"]],
            "status": "scheduled",
            "published_at": due,
        }),
    )
    .await;
    let draft = article(
        &app,
        t,
        &json!({"title": "Brouillon", "body": "…", "category_id": d.category_id,
                "author_ids": [d.author_id]}),
    )
    .await;
    assert_eq!(draft["status"], "draft");
    assert_renderings_are_current(&app, "after the creates").await;

    // A scheduled article shows once its time comes, as `published`.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let list = ok_json(app.get("/api/v1/articles?per_page=100").await).await;
        if list["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == scheduled["id"])
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the scheduled article never showed"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_renderings_are_current(&app, "a scheduled article due").await;

    let renames: [(String, Value, &str); 6] = [
        (
            format!("/api/v1/authors/{}", aissata["id"]),
            json!({"name": "Aïssata Maïga-Touré"}),
            "a byline renamed",
        ),
        (
            format!("/api/v1/authors/{}", d.author_id),
            json!({"slug": "la-redaction-niamey"}),
            "a byline's slug changed",
        ),
        (
            format!("/api/v1/tags/{}", sahel["id"]),
            json!({"name": "Sahel « central »"}),
            "a tag renamed",
        ),
        (
            format!("/api/v1/categories/{}", diplomatie["id"]),
            json!({"name": "Diplomatie & Défense"}),
            "a category renamed",
        ),
        (
            format!("/api/v1/categories/{}", d.category_id),
            json!({"name": "À la une"}),
            "a parent category renamed",
        ),
        (
            format!("/api/v1/articles/{}", sommet["id"]),
            json!({"title": "Sommet d’Abuja, jour 2", "tag_ids": [cedeao["id"]],
                   "author_ids": [d.author_id, aissata["id"]]}),
            "an article edited",
        ),
    ];
    for (path, patch, step) in renames {
        let response = app.patch_json(&path, Some(t), &patch).await;
        assert_eq!(response.status(), 200, "{step}");
        assert_renderings_are_current(&app, step).await;
    }

    let monde = category(&app, t, "Monde", None).await;
    let moved = app
        .patch_json(
            &format!("/api/v1/categories/{}", diplomatie["id"]),
            Some(t),
            &json!({"parent_id": monde["id"]}),
        )
        .await;
    assert_eq!(moved.status(), 200);
    assert_renderings_are_current(&app, "a category moved").await;
    let list = ok_json(app.get("/api/v1/articles?category=monde").await).await;
    assert_eq!(list["data"][0]["category"]["path"][0]["name"], "Monde");

    let deleted = app
        .delete_as(&format!("/api/v1/articles/{}", breve["id"]), Some(t))
        .await;
    assert_eq!(deleted.status(), 204);
    assert_renderings_are_current(&app, "an article deleted").await;
}
on_both_databases!(renderings_follow_every_write);

/// A list item with every field around the bodies, marked.
const MARKED: &str =
    r#"{"id":0,"excerpt":"lu depuis l’élément","body_format":"markdown","status":"published"}"#;

/// Public reads use the renderings (one changed in the database shows), a
/// rendering of another shape is never served (the answer is built, with
/// the same bytes and ETag), and a restart writes the renderings back.
async fn renderings_are_served_only_when_current(backend: Backend) {
    let app = TestApp::spawn_with(backend, NO_RESPONSE_CACHE).await;
    let d = desk(&app).await;
    let t = d.editor.token.as_str();
    for title in ["Un", "Deux", "Trois « bis »"] {
        published(&app, t, title, d.category_id, d.author_id).await;
    }
    let read = |app: &TestApp, path: String| {
        let url = app.url(&path);
        let client = app.client.clone();
        async move {
            let response = client.get(url).send().await.unwrap();
            assert_eq!(response.status(), 200);
            let etag = response.headers()["etag"].to_str().unwrap().to_owned();
            (etag, response.bytes().await.unwrap())
        }
    };
    let list = || "/api/v1/articles?per_page=2".to_owned();
    let (list_etag, list_bytes) = read(&app, list()).await;
    let page: Value = serde_json::from_slice(&list_bytes).unwrap();
    let first = page["data"][0]["id"].as_i64().unwrap();
    let one = format!(
        "/api/v1/articles/{}",
        page["data"][0]["slug"].as_str().unwrap()
    );
    let (one_etag, one_bytes) = read(&app, one.clone()).await;

    app.db
        .write(move |conn| {
            diesel::update(
                article_renderings::table.filter(article_renderings::article_id.eq(first)),
            )
            .set(article_renderings::list_item.eq(MARKED.as_bytes()))
            .execute(conn.conn())?;
            Ok(())
        })
        .await
        .unwrap();
    // The list shows the item as stored; the article is the item with the
    // row's bodies set in.
    let (_, marked) = read(&app, list()).await;
    let marked: Value = serde_json::from_slice(&marked).unwrap();
    assert_eq!(marked["data"][0]["excerpt"], "lu depuis l’élément");
    let (_, marked) = read(&app, one.clone()).await;
    let marked: Value = serde_json::from_slice(&marked).unwrap();
    let built: Value = serde_json::from_slice(&one_bytes).unwrap();
    assert_eq!(marked["excerpt"], "lu depuis l’élément");
    assert_eq!(marked["body"], built["body"]);
    assert_eq!(marked["body_html"], built["body_html"]);
    assert_eq!(marked["status"], "published");

    // Every rendering of an older shape: the answers are built, byte for byte
    // the same as when they were read from the renderings.
    let current = cms::content::articles::renderings::SHAPE;
    app.db
        .write(move |conn| {
            diesel::update(article_renderings::table)
                .set(article_renderings::shape.eq(current - 1))
                .execute(conn.conn())?;
            Ok(())
        })
        .await
        .unwrap();
    assert_eq!(
        read(&app, list()).await,
        (list_etag.clone(), list_bytes.clone())
    );
    assert_eq!(
        read(&app, one.clone()).await,
        (one_etag.clone(), one_bytes.clone())
    );
    let next = page["meta"]["next_cursor"].as_str().unwrap();
    let rest = ok_json(
        app.get(&format!("/api/v1/articles?per_page=2&cursor={next}"))
            .await,
    )
    .await;
    assert_eq!(rest["data"].as_array().unwrap().len(), 1);

    // A new process writes them back (in the background), and the answers
    // read from them are still the same bytes.
    let sibling = app.spawn_sibling(NO_RESPONSE_CACHE).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while item_count(&sibling).await.0 < 3 {
        assert!(
            Instant::now() < deadline,
            "the renderings were never backfilled"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(read(&sibling, list()).await, (list_etag, list_bytes));
    assert_eq!(read(&sibling, one).await, (one_etag, one_bytes));
    let rest_again = ok_json(
        sibling
            .get(&format!("/api/v1/articles?per_page=2&cursor={next}"))
            .await,
    )
    .await;
    assert_eq!(rest_again["data"], rest["data"]);
}
on_both_databases!(renderings_are_served_only_when_current);

/// Article writes racing renames of the names they embed (on PostgreSQL,
/// in separate transactions of two app processes): no item keeps a name
/// that is no longer current. The tag is on enough articles that rewriting
/// their items keeps the rename's transaction open while the creates run.
async fn renames_racing_article_writes_leave_no_stale_item(backend: Backend) {
    let app = TestApp::spawn_with(backend, NO_RESPONSE_CACHE).await;
    let sibling = app.spawn_sibling(NO_RESPONSE_CACHE).await;
    let d = desk(&app).await;
    let t = d.editor.token.clone();
    let label = tag(&app, &t, "Élections").await;
    let create = |target: &TestApp, title: String| {
        let url = target.url("/api/v1/articles");
        let client = target.client.clone();
        let token = t.clone();
        let body = json!({
            "title": title,
            "body": "Texte.",
            "category_id": d.category_id,
            "author_ids": [d.author_id],
            "tag_ids": [label["id"]],
            "status": "published",
        });
        async move {
            let response = client
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 201);
        }
    };
    for batch in 0..15 {
        futures_util::future::join_all(
            (0..8).map(|i| create(&app, format!("Archive n° {batch}-{i}"))),
        )
        .await;
    }
    for round in 0..3 {
        let renamer = if round % 2 == 0 { &sibling } else { &app };
        let path = format!("/api/v1/tags/{}", label["id"]);
        let patch = json!({"name": format!("Élections {round}")});
        let rename = renamer.patch_json(&path, Some(&t), &patch);
        let creates = async {
            let mut writes = Vec::new();
            for i in 0..8 {
                tokio::time::sleep(Duration::from_millis(4)).await;
                let target = if i % 2 == 0 { &app } else { &sibling };
                writes.push(tokio::spawn(create(
                    target,
                    format!("Dépêche n° {round}-{i}"),
                )));
            }
            for write in writes {
                write.await.unwrap();
            }
        };
        let (renamed, ()) = tokio::join!(rename, creates);
        assert_eq!(renamed.status(), 200);
    }
    assert_renderings_are_current(&app, "after racing writes").await;
}
on_both_databases!(renames_racing_article_writes_leave_no_stale_item);
