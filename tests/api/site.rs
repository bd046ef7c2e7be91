//! `/api/v1/site`: the configured settings, an administrator's changes
//! (seen by every process on the database), `null` back to the
//! configuration, and bad input refused whole.

use serde_json::{Value, json};

use cms::auth::Role;

use crate::helpers::{Backend, TestApp, header, problem, problem_fields};
use crate::on_both_databases;

const SITE: &str = "/api/v1/site";

fn configured() -> [(&'static str, &'static str); 5] {
    [
        ("CMS_SITE_TITLE", "La Nouvelle Tribune"),
        ("CMS_SITE_DESCRIPTION", "L’actualité du Bénin et du monde"),
        ("CMS_SITE_URL", "https://www.journal.example/"),
        ("CMS_SITE_TIMEZONE", "Africa/Porto-Novo"),
        ("CMS_PUBLIC_URL", "https://api.journal.example"),
    ]
}

async fn read(app: &TestApp) -> Value {
    let response = app.get(SITE).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn the_configured_settings_are_public(backend: Backend) {
    let app = TestApp::spawn_with(backend, &configured()).await;
    let site = read(&app).await;
    assert_eq!(
        site,
        json!({
            "title": "La Nouvelle Tribune",
            "description": "L’actualité du Bénin et du monde",
            "frontend_url": "https://www.journal.example",
            "api_url": "https://api.journal.example",
            "timezone": "Africa/Porto-Novo",
            "gmt_offset": 1.0,
            "language": "fr",
            "updated_at": null,
        })
    );
    let etag = header(&app.get(SITE).await, "etag");
    let again = app
        .client
        .get(app.url(SITE))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
}

async fn an_administrator_changes_them_for_every_process(backend: Backend) {
    let app = TestApp::spawn_with(backend, &configured()).await;
    let admin = app.create_user(Role::Admin).await;
    let response = app
        .patch_json(
            SITE,
            Some(&admin.token),
            &json!({
                "title": "  « La Tribune » 📰  ",
                "timezone": "Africa/Niamey",
                "language": "fr_bj",
                "frontend_url": "https://tribune.example/",
            }),
        )
        .await;
    assert_eq!(response.status(), 200);
    let changed: Value = response.json().await.unwrap();
    assert_eq!(changed["title"], "« La Tribune » 📰");
    assert_eq!(changed["timezone"], "Africa/Niamey");
    assert_eq!(changed["gmt_offset"], 1.0);
    assert_eq!(changed["language"], "fr-BJ");
    assert_eq!(changed["frontend_url"], "https://tribune.example");
    assert_eq!(changed["description"], "L’actualité du Bénin et du monde");
    assert!(changed["updated_at"].is_string());

    // Another app process on the same database sees it.
    let sibling = app.spawn_sibling(&configured()).await;
    assert_eq!(read(&sibling).await, changed);

    // `null` returns a field to its configured value; If-Match holds.
    let etag = header(&app.get(SITE).await, "etag");
    let stale = app
        .client
        .patch(app.url(SITE))
        .bearer_auth(&admin.token)
        .header("If-Match", "\"stale\"")
        .json(&json!({"title": null}))
        .send()
        .await
        .unwrap();
    problem(stale, 412).await;
    let reset = app
        .client
        .patch(app.url(SITE))
        .bearer_auth(&admin.token)
        .header("If-Match", &etag)
        .json(&json!({"title": null, "timezone": null}))
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), 200);
    let reset: Value = reset.json().await.unwrap();
    assert_eq!(reset["title"], "La Nouvelle Tribune");
    assert_eq!(reset["timezone"], "Africa/Porto-Novo");
    assert_eq!(reset["language"], "fr-BJ");
}

async fn bad_settings_are_refused_whole(backend: Backend) {
    let app = TestApp::spawn_with(backend, &configured()).await;
    let admin = app.create_user(Role::Admin).await;
    let editor = app.create_user(Role::Editor).await;
    let before = read(&app).await;

    let refused = problem(
        app.patch_json(
            SITE,
            Some(&admin.token),
            &json!({
                "title": "   ",
                "timezone": "Afrique/Cotonou",
                "language": "français",
                "frontend_url": "javascript:alert(1)",
                "api_url": "https://ailleurs.example",
                "description": "d".repeat(1001),
            }),
        )
        .await,
        422,
    )
    .await;
    let mut fields = problem_fields(&refused);
    fields.sort_unstable();
    assert_eq!(
        fields,
        [
            "api_url",
            "description",
            "frontend_url",
            "language",
            "timezone",
            "title"
        ]
    );
    problem(
        app.patch_json(SITE, Some(&admin.token), &json!({"theme": "sombre"}))
            .await,
        422,
    )
    .await;
    problem(
        app.patch_json(SITE, Some(&editor.token), &json!({"title": "x"}))
            .await,
        403,
    )
    .await;
    problem(
        app.patch_json(SITE, None, &json!({"title": "x"})).await,
        401,
    )
    .await;
    assert_eq!(read(&app).await, before, "nothing was written");
}

on_both_databases!(
    the_configured_settings_are_public,
    an_administrator_changes_them_for_every_process,
    bad_settings_are_refused_whole,
);
