//! The response cache never serves what a write has changed: not after a
//! write here, not after a write by another app process on the same
//! database, and not once a scheduled article's time has come.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::content_fixtures::{article, desk, ok_json, published};
use crate::helpers::{Backend, TestApp};
use crate::on_both_databases;

fn is_hit(response: &reqwest::Response) -> bool {
    response
        .headers()
        .get("x-cache")
        .is_some_and(|v| v == "hit")
}

async fn titles(app: &TestApp, path: &str) -> Vec<String> {
    let body = ok_json(app.get(path).await).await;
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap().to_owned())
        .collect()
}

/// Reads `path` until it is served from the cache. The process's own write
/// can reach it a second time (its NOTIFY or the event poll) just after the
/// first read, so the first repeat is not always a hit.
async fn cached(app: &TestApp, path: &str) -> reqwest::Response {
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let response = app.get(path).await;
        if is_hit(&response) {
            return response;
        }
        assert!(
            Instant::now() < deadline,
            "{path} is never served from the cache"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Reads `path` until `check` holds, for at most `limit`.
async fn eventually(
    app: &TestApp,
    path: &str,
    limit: Duration,
    check: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + limit;
    loop {
        let body = ok_json(app.get(path).await).await;
        if check(&body) || Instant::now() > deadline {
            return body;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn public_reads_are_cached_and_every_write_shows_at_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let d = desk(&app).await;
    let t = d.editor.token.as_str();
    let first = published(&app, t, "Premier titre", d.category_id, d.author_id).await;
    assert_eq!(titles(&app, "/api/v1/articles").await, ["Premier titre"]);
    let again = cached(&app, "/api/v1/articles").await;
    let etag = again.headers()["etag"].to_str().unwrap().to_owned();
    let not_modified = app
        .client
        .get(app.url("/api/v1/articles"))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(not_modified.status(), 304);
    assert!(not_modified.bytes().await.unwrap().is_empty());
    // Parameter order does not split the cache. The write's event poll can
    // move the generation between the two reads once; each try uses a page
    // of its own, so that no try is answered by an earlier try's entry.
    let same_entry = async |page: u32| {
        cached(&app, &format!("/api/v1/articles?per_page=5&page={page}")).await;
        is_hit(
            &app.get(&format!("/api/v1/articles?page={page}&per_page=5"))
                .await,
        )
    };
    for page in 1..=3 {
        if same_entry(page).await {
            break;
        }
        assert!(page < 3, "the parameter order splits the cache");
    }

    // Create, update, delete, and a category rename: each is visible on the very next read.
    published(&app, t, "Deuxième titre", d.category_id, d.author_id).await;
    assert_eq!(
        titles(&app, "/api/v1/articles").await,
        ["Deuxième titre", "Premier titre"]
    );
    let id = first["id"].as_i64().unwrap();
    let patched = app
        .patch_json(
            &format!("/api/v1/articles/{id}"),
            Some(t),
            &json!({"title": "Titre corrigé"}),
        )
        .await;
    assert_eq!(patched.status(), 200);
    assert_eq!(
        titles(&app, "/api/v1/articles").await,
        ["Deuxième titre", "Titre corrigé"]
    );
    let gone = app
        .delete_as(&format!("/api/v1/articles/{id}"), Some(t))
        .await;
    assert_eq!(gone.status(), 204);
    assert_eq!(titles(&app, "/api/v1/articles").await, ["Deuxième titre"]);
    let renamed = app
        .patch_json(
            &format!("/api/v1/categories/{}", d.category_id),
            Some(t),
            &json!({"name": "À la une"}),
        )
        .await;
    assert_eq!(renamed.status(), 200);
    let list = ok_json(app.get("/api/v1/articles").await).await;
    assert_eq!(list["data"][0]["category"]["name"], "À la une");

    // Writers are never served from the public cache.
    let draft = article(
        &app,
        t,
        &json!({"title": "Brouillon", "body": "…", "category_id": d.category_id, "author_ids": [d.author_id]}),
    )
    .await;
    let as_writer = app.get_as("/api/v1/articles", Some(t)).await;
    assert!(!is_hit(&as_writer));
    let newsroom = ok_json(as_writer).await;
    assert!(
        newsroom["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == draft["id"])
    );
}

async fn a_scheduled_article_appears_when_its_time_comes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let d = desk(&app).await;
    let at = chrono::Utc::now() + chrono::Duration::milliseconds(1500);
    article(
        &app,
        &d.editor.token,
        &json!({
            "title": "À paraître",
            "body": "Bientôt.",
            "category_id": d.category_id,
            "author_ids": [d.author_id],
            "status": "scheduled",
            "published_at": at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        }),
    )
    .await;
    assert!(titles(&app, "/api/v1/articles").await.is_empty());
    cached(&app, "/api/v1/articles").await;
    let body = eventually(&app, "/api/v1/articles", Duration::from_secs(5), |b| {
        b["meta"]["total"] == 1
    })
    .await;
    assert_eq!(
        body["meta"]["total"], 1,
        "still hidden long after its time: {body}"
    );
    let visible_at = chrono::Utc::now();
    assert!(visible_at >= at, "not before its time");
    assert!(
        visible_at - at < chrono::Duration::milliseconds(1000),
        "late by {:?}",
        visible_at - at
    );
}

async fn a_write_through_another_process_invalidates_this_one(backend: Backend) {
    let a = TestApp::spawn(backend).await;
    let b = a.spawn_sibling(&[]).await;
    let d = desk(&a).await;
    published(&a, &d.editor.token, "Vu par A", d.category_id, d.author_id).await;
    assert_eq!(titles(&b, "/api/v1/articles").await, ["Vu par A"]);
    cached(&b, "/api/v1/articles").await;
    published(
        &a,
        &d.editor.token,
        "Écrit par A",
        d.category_id,
        d.author_id,
    )
    .await;
    // B hears of it by NOTIFY (PostgreSQL) or by polling content_events (SQLite).
    let limit = match backend {
        Backend::Postgres => Duration::from_millis(200),
        Backend::Sqlite => Duration::from_millis(1000),
    };
    let started = Instant::now();
    let body = eventually(&b, "/api/v1/articles", Duration::from_secs(5), |b| {
        b["meta"]["total"] == 2
    })
    .await;
    assert_eq!(body["meta"]["total"], 2, "B never saw A's write");
    assert!(
        started.elapsed() < limit,
        "B saw A's write after {:?}",
        started.elapsed()
    );
}

on_both_databases!(
    public_reads_are_cached_and_every_write_shows_at_once,
    a_scheduled_article_appears_when_its_time_comes,
    a_write_through_another_process_invalidates_this_one,
);

/// GETs `path` anonymously with the given extra headers; returns the Link
/// header and whether the cache answered.
async fn link_with(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> (String, bool) {
    let mut request = app.client.get(app.url(path));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200);
    let hit = is_hit(&response);
    let link = response.headers()["link"].to_str().unwrap().to_owned();
    (link, hit)
}

const POISON: &[(&str, &str)] = &[
    ("host", "evil.example"),
    ("x-forwarded-host", "javascript://evil.example"),
    ("x-forwarded-proto", "javascript"),
    ("forwarded", "host=evil.example;proto=javascript"),
];

async fn anonymous_headers_cannot_poison_cached_links(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let desk = desk(&app).await;
    for title in ["Un", "Deux"] {
        published(
            &app,
            &desk.editor.token,
            title,
            desk.category_id,
            desk.author_id,
        )
        .await;
    }
    let path = "/api/v1/articles?per_page=1";
    // The first reader of the page is the attacker.
    let (planted, hit) = link_with(&app, path, POISON).await;
    assert!(!hit);
    assert!(!planted.contains("evil"), "{planted}");
    assert!(!planted.contains("javascript"), "{planted}");
    // Links are relative when no public URL is configured.
    assert!(planted.starts_with("</api/v1/articles?"), "{planted}");
    let (served, _) = link_with(&app, path, &[]).await;
    assert_eq!(served, planted);
    let (cached_link, hit) = {
        let response = cached(&app, path).await;
        (
            response.headers()["link"].to_str().unwrap().to_owned(),
            true,
        )
    };
    assert!(hit && !cached_link.contains("evil"), "{cached_link}");

    // With a public URL, every link starts with it whatever the client says.
    let public = app
        .spawn_sibling(&[("CMS_PUBLIC_URL", "https://www.journal.example/")])
        .await;
    let (link, _) = link_with(&public, path, POISON).await;
    assert!(
        link.starts_with("<https://www.journal.example/api/v1/articles?"),
        "{link}"
    );
    assert!(!link.contains("evil"), "{link}");

    // Behind a trusted proxy its headers count, and each origin is cached
    // apart; a forwarded value that is not a host is ignored.
    let proxied = app
        .spawn_sibling(&[("CMS_TRUSTED_PROXIES", "127.0.0.1/32")])
        .await;
    let via = |host: &'static str| [("x-forwarded-proto", "https"), ("x-forwarded-host", host)];
    let (first, _) = link_with(&proxied, path, &via("www.journal.example")).await;
    assert!(
        first.starts_with("<https://www.journal.example/api/v1/articles?"),
        "{first}"
    );
    let (other, _) = link_with(&proxied, path, &via("m.journal.example")).await;
    assert!(
        other.starts_with("<https://m.journal.example/api/v1/articles?"),
        "{other}"
    );
    let (odd, _) = link_with(&proxied, path, &via("evil>; rel=preload")).await;
    assert!(odd.starts_with("</api/v1/articles?"), "{odd}");
}

on_both_databases!(anonymous_headers_cannot_poison_cached_links);
