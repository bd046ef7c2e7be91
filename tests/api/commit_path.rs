//! Every write ends in `changes::commit`: one outbox row with its payload,
//! the stored renderings it makes stale refreshed, and caches let go once
//! it has committed; for every resource and action, through HTTP and
//! through the demo seed. And writes go through `Db::write` only.

use diesel::prelude::*;
use serde_json::{Value, json};

use cms::db::schema::{article_renderings, articles, content_events, jobs};

use crate::content_fixtures::{article, byline, category, desk, ok_json, tag};
use crate::helpers::{Backend, TestApp};
use crate::on_both_databases;

#[derive(Debug, Clone, PartialEq)]
struct Event {
    resource: String,
    resource_id: i64,
    action: String,
    actor_user_id: Option<i64>,
    credential: Option<String>,
    payload: Value,
}

async fn events(app: &TestApp) -> Vec<Event> {
    app.db
        .read(|conn| {
            Ok(content_events::table
                .order(content_events::id)
                .select((
                    content_events::resource,
                    content_events::resource_id,
                    content_events::action,
                    content_events::actor_user_id,
                    content_events::credential,
                    content_events::payload,
                ))
                .load::<(
                    String,
                    i64,
                    String,
                    Option<i64>,
                    Option<String>,
                    Option<String>,
                )>(conn)?)
        })
        .await
        .unwrap()
        .into_iter()
        .map(
            |(resource, resource_id, action, actor_user_id, credential, payload)| Event {
                resource,
                resource_id,
                action,
                actor_user_id,
                credential,
                payload: serde_json::from_str(payload.as_deref().unwrap_or("null")).unwrap(),
            },
        )
        .collect()
}

/// The stored list item of article `id`, if any.
async fn rendering(app: &TestApp, id: i64) -> Option<Value> {
    app.db
        .read(move |conn| {
            Ok(article_renderings::table
                .filter(article_renderings::article_id.eq(id))
                .select(article_renderings::list_item)
                .first::<Vec<u8>>(conn)
                .optional()?)
        })
        .await
        .unwrap()
        .map(|bytes| serde_json::from_slice(&bytes).unwrap())
}

fn is_hit(response: &reqwest::Response) -> bool {
    response
        .headers()
        .get("x-cache")
        .is_some_and(|v| v == "hit")
}

/// Reads `path` until the cache answers it, so that a write's effect on
/// the cache can be seen.
async fn cache(app: &TestApp, path: &str) {
    for _ in 0..20 {
        if is_hit(&app.get(path).await) {
            return;
        }
    }
    panic!("{path} never served from the cache");
}

/// The last event, checked against what the write was.
fn last(events: &[Event], resource: &str, id: i64, action: &str, user: i64) -> Value {
    let event = events.last().expect("an event");
    assert_eq!(
        (
            event.resource.as_str(),
            event.resource_id,
            event.action.as_str()
        ),
        (resource, id, action),
        "{event:?}"
    );
    assert_eq!(event.actor_user_id, Some(user));
    assert_eq!(event.credential.as_deref(), Some("session"));
    event.payload.clone()
}

async fn every_write_records_renders_and_lets_caches_go(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let d = desk(&app).await;
    let token = d.editor.token.clone();
    let user = d.editor.id;
    let list = "/api/v1/articles";

    // Categories, bylines and tags, created.
    let section = category(&app, &token, "Diplomatie", Some(d.category_id)).await;
    let section_id = section["id"].as_i64().unwrap();
    let payload = last(&events(&app).await, "category", section_id, "created", user);
    assert_eq!(payload["name"], "Diplomatie");
    let writer = byline(&app, &token, "Aïssata Maïga").await;
    let writer_id = writer["id"].as_i64().unwrap();
    let payload = last(&events(&app).await, "author", writer_id, "created", user);
    assert_eq!(payload["name"], "Aïssata Maïga");
    let label = tag(&app, &token, "Sahel").await;
    let label_id = label["id"].as_i64().unwrap();
    let payload = last(&events(&app).await, "tag", label_id, "created", user);
    assert_eq!(payload["name"], "Sahel");

    // An article, created: event, rendering, and the cached list let go.
    cache(&app, list).await;
    let created = article(
        &app,
        &token,
        &json!({
            "title": "L’accord « historique »",
            "body": "Texte.",
            "category_id": section_id,
            "author_ids": [writer_id],
            "tag_ids": [label_id],
            "status": "published",
        }),
    )
    .await;
    let id = created["id"].as_i64().unwrap();
    let payload = last(&events(&app).await, "article", id, "created", user);
    assert_eq!(payload["title"], "L’accord « historique »");
    assert!(
        payload.get("body").is_none(),
        "the payload is the list item"
    );
    let stored = rendering(&app, id).await.expect("a rendering on create");
    assert_eq!(stored["title"], "L’accord « historique »");
    let response = app.get(list).await;
    assert!(!is_hit(&response));
    assert_eq!(ok_json(response).await["meta"]["total"], 1);

    // Updated.
    cache(&app, list).await;
    let response = app
        .patch_json(
            &format!("/api/v1/articles/{id}"),
            Some(&token),
            &json!({"title": "L’accord signé"}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let payload = last(&events(&app).await, "article", id, "updated", user);
    assert_eq!(payload["title"], "L’accord signé");
    assert_eq!(
        rendering(&app, id).await.unwrap()["title"],
        "L’accord signé"
    );
    let response = app.get(list).await;
    assert!(!is_hit(&response));
    assert_eq!(
        ok_json(response).await["data"][0]["title"],
        "L’accord signé"
    );

    // Renames re-render the articles that show the name.
    for (path, field, resource, rid, name) in [
        (
            "categories",
            "category",
            "category",
            section_id,
            "Diplomatie et défense",
        ),
        ("authors", "author", "author", writer_id, "Aïssata M."),
        ("tags", "tags", "tag", label_id, "Sahel central"),
    ] {
        cache(&app, list).await;
        let response = app
            .patch_json(
                &format!("/api/v1/{path}/{rid}"),
                Some(&token),
                &json!({"name": name}),
            )
            .await;
        assert_eq!(response.status(), 200, "{path}");
        let payload = last(&events(&app).await, resource, rid, "updated", user);
        assert_eq!(payload["name"], name);
        let stored = rendering(&app, id).await.unwrap();
        let shown = match field {
            "tags" => stored["tags"][0]["name"].clone(),
            _ => stored[field]["name"].clone(),
        };
        assert_eq!(shown, name, "{path}: the stored item shows the new name");
        let response = app.get(list).await;
        assert!(!is_hit(&response), "{path}: the cache let go");
    }

    // Deleted: the article, then what it used.
    cache(&app, list).await;
    let response = app
        .delete_as(&format!("/api/v1/articles/{id}"), Some(&token))
        .await;
    assert_eq!(response.status(), 204);
    let payload = last(&events(&app).await, "article", id, "deleted", user);
    assert_eq!(payload["id"], id);
    assert!(rendering(&app, id).await.is_none());
    let response = app.get(list).await;
    assert!(!is_hit(&response));
    assert_eq!(ok_json(response).await["meta"]["total"], 0);
    for (path, resource, rid) in [
        ("tags", "tag", label_id),
        ("authors", "author", writer_id),
        ("categories", "category", section_id),
    ] {
        let response = app
            .delete_as(&format!("/api/v1/{path}/{rid}"), Some(&token))
            .await;
        assert_eq!(response.status(), 204, "{path}");
        let payload = last(&events(&app).await, resource, rid, "deleted", user);
        assert_eq!(payload["id"], rid);
    }
}

async fn a_write_that_changes_no_content_keeps_the_caches(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let d = desk(&app).await;
    crate::content_fixtures::published(&app, &d.editor.token, "Titre", d.category_id, d.author_id)
        .await;
    let before = events(&app).await.len();
    // On SQLite the watcher also hears this process's own events, within
    // its poll (200 ms), and moves the generation once more: let it.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    cache(&app, "/api/v1/articles").await;
    // An account and a sign-in write rows, none of them content.
    app.create_user(cms::auth::Role::Author).await;
    let response = app.get("/api/v1/articles").await;
    assert!(
        is_hit(&response),
        "an account write let the content cache go"
    );
    assert_eq!(events(&app).await.len(), before);
}

async fn a_failed_write_records_nothing_and_keeps_the_caches(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let d = desk(&app).await;
    let before = events(&app).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    cache(&app, "/api/v1/articles").await;
    // Refused inside the transaction (an unknown byline): rolled back.
    let response = app
        .post_json(
            "/api/v1/articles",
            Some(&d.editor.token),
            &json!({"title": "T", "body": "B", "category_id": d.category_id, "author_ids": [999_999]}),
        )
        .await;
    assert_eq!(response.status(), 422);
    assert_eq!(events(&app).await, before);
    assert!(is_hit(&app.get("/api/v1/articles").await));
}

async fn the_demo_seed_goes_through_the_commit_path(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("CMS_SEED_DEMO", "true")]).await;
    let events = events(&app).await;
    assert!(!events.is_empty());
    assert!(
        events
            .iter()
            .all(|e| e.action == "created" && e.credential.as_deref() == Some("demo-seed")),
        "{events:?}"
    );
    for resource in ["category", "author", "tag", "article"] {
        assert!(events.iter().any(|e| e.resource == resource), "{resource}");
    }
    // Every seeded article has its rendering at once, not after a restart.
    let (ids, scheduled): (Vec<i64>, Vec<i64>) = app
        .db
        .read(|conn| {
            let ids = articles::table.select(articles::id).load::<i64>(conn)?;
            let scheduled = articles::table
                .filter(articles::status.eq("scheduled"))
                .select(articles::id)
                .load::<i64>(conn)?;
            Ok((ids, scheduled))
        })
        .await
        .unwrap();
    for id in &ids {
        assert!(
            rendering(&app, *id).await.is_some(),
            "article {id} unrendered"
        );
        assert!(
            events
                .iter()
                .any(|e| e.resource == "article" && e.resource_id == *id),
            "article {id} has no event"
        );
    }
    // Its scheduled article waits in the job queue for its time.
    assert!(!scheduled.is_empty(), "the demo has a scheduled article");
    let queued: Vec<String> = app
        .db
        .read(|conn| Ok(jobs::table.select(jobs::payload).load::<String>(conn)?))
        .await
        .unwrap();
    for id in scheduled {
        assert!(
            queued.contains(&format!("{{\"article_id\":{id}}}")),
            "{queued:?}"
        );
    }
}

async fn a_write_through_db_read_fails(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let result = app
        .db
        .read(|conn| {
            Ok(diesel::sql_query(
                "INSERT INTO tags (slug, name, created_at, updated_at) \
                 VALUES ('lecture', 'Lecture', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
            )
            .execute(conn)?)
        })
        .await;
    assert!(result.is_err(), "a write went through Db::read");
    let count: i64 = app
        .db
        .read(|conn| Ok(cms::db::schema::tags::table.count().get_result(conn)?))
        .await
        .unwrap();
    assert_eq!(count, 0);
    // The same statement through the door for writes works.
    app.db
        .write(|tx| {
            Ok(diesel::sql_query(
                "INSERT INTO tags (slug, name, created_at, updated_at) \
                 VALUES ('ecriture', 'Écriture', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
            )
            .execute(tx.conn())?)
        })
        .await
        .unwrap();
}

on_both_databases!(
    every_write_records_renders_and_lets_caches_go,
    a_write_that_changes_no_content_keeps_the_caches,
    a_failed_write_records_nothing_and_keeps_the_caches,
    the_demo_seed_goes_through_the_commit_path,
    a_write_through_db_read_fails,
);
