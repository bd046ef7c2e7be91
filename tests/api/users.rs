//! `/api/v1/users`: account management by administrators.

use serde_json::{Value, json};

use cms::auth::Role;

use crate::helpers::{Backend, TestApp, problem};
use crate::on_both_databases;

const USERS: &str = "/api/v1/users";

fn fields(problem: &Value) -> Vec<(String, String)> {
    problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn an_account_is_created_read_changed_and_deleted(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.create_user(Role::Admin).await;
    let writer = app.create_user(Role::Author).await;
    // A byline to link: the writer's, once unlinked from it.
    let byline = writer.author_id.unwrap();
    let unlinked = app
        .patch_json(
            &format!("{USERS}/{}", writer.id),
            Some(&admin.token),
            &json!({"author_id": null}),
        )
        .await;
    assert_eq!(unlinked.status(), 200);
    let unlinked: Value = unlinked.json().await.unwrap();
    assert_eq!(unlinked["author_id"], Value::Null);
    assert_eq!(unlinked["version"], 2);

    let response = app
        .post_json(
            USERS,
            Some(&admin.token),
            &json!({
                "email": "  Aminata.Diallo@Journal.NE ",
                "password": "une phrase de passe assez longue",
                "display_name": "Aminata Diallo « Niamey »",
                "role": "author",
                "author_id": byline
            }),
        )
        .await;
    assert_eq!(response.status(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(response.headers().contains_key("etag"));
    let created: Value = response.json().await.unwrap();
    assert_eq!(location, format!("{USERS}/{}", created["id"]));
    assert_eq!(created["email"], "aminata.diallo@journal.ne");
    assert_eq!(created["display_name"], "Aminata Diallo « Niamey »");
    assert_eq!(created["role"], "author");
    assert_eq!(created["author_id"], byline);
    assert_eq!(created["active"], true);
    assert_eq!(created["version"], 1);
    let keys: Vec<&String> = created.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "active",
            "author_id",
            "created_at",
            "display_name",
            "email",
            "id",
            "role",
            "updated_at",
            "version"
        ]
    );
    // The new account signs in with its password.
    app.login(
        "aminata.diallo@journal.ne",
        "une phrase de passe assez longue",
    )
    .await;

    let response = app.get_as(&location, Some(&admin.token)).await;
    assert_eq!(response.status(), 200);
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(response.json::<Value>().await.unwrap(), created);

    // A stale If-Match is a 412 and writes nothing.
    let before = app.snapshot().await;
    let stale = app
        .client
        .patch(app.url(&location))
        .bearer_auth(&admin.token)
        .header("If-Match", "\"perime\"")
        .json(&json!({"role": "editor"}))
        .send()
        .await
        .unwrap();
    problem(stale, 412).await;
    assert_eq!(app.snapshot().await, before);
    let fresh = app
        .client
        .patch(app.url(&location))
        .bearer_auth(&admin.token)
        .header("If-Match", &etag)
        .json(&json!({"role": "editor", "display_name": "A. Diallo"}))
        .send()
        .await
        .unwrap();
    assert_eq!(fresh.status(), 200);
    let changed: Value = fresh.json().await.unwrap();
    assert_eq!(changed["role"], "editor");
    assert_eq!(changed["display_name"], "A. Diallo");
    assert_eq!(changed["email"], "aminata.diallo@journal.ne");
    assert_eq!(changed["version"], 2);

    let response = app.delete_as(&location, Some(&admin.token)).await;
    assert_eq!(response.status(), 204);
    problem(app.get_as(&location, Some(&admin.token)).await, 404).await;
    problem(app.delete_as(&location, Some(&admin.token)).await, 404).await;
}

async fn every_invalid_field_is_named_at_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.create_user(Role::Admin).await;
    let before = app.snapshot().await;
    let body = problem(
        app.post_json(
            USERS,
            Some(&admin.token),
            &json!({
                "email": "pas une adresse",
                "password": "court",
                "display_name": "  ",
                "role": "author",
                "author_id": 424242
            }),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(
        fields(&body),
        [
            ("email".to_owned(), "invalid_email".to_owned()),
            ("password".to_owned(), "too_short".to_owned()),
            ("display_name".to_owned(), "invalid_length".to_owned()),
            ("author_id".to_owned(), "not_found".to_owned()),
        ]
    );
    let body = problem(
        app.post_json(
            USERS,
            Some(&admin.token),
            &json!({"email": "a@b.ne", "password": "une phrase de passe assez longue", "display_name": "A", "role": "chef"}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(fields(&body)[0].0, "role");
    let body = problem(
        app.post_json(
            USERS,
            Some(&admin.token),
            &json!({"email": "a@b.ne", "password": "une phrase de passe assez longue", "display_name": "A", "role": "author", "password_hash": "x"}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(
        fields(&body),
        [("password_hash".to_owned(), "unknown_field".to_owned())]
    );
    let body = problem(
        app.patch_json(
            &format!("{USERS}/{}", admin.id),
            Some(&admin.token),
            &json!({"display_name": null, "active": null, "email": "non", "password": "court"}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(
        fields(&body),
        [
            ("email".to_owned(), "invalid_email".to_owned()),
            ("password".to_owned(), "too_short".to_owned()),
            ("display_name".to_owned(), "not_nullable".to_owned()),
            ("active".to_owned(), "not_nullable".to_owned()),
        ]
    );
    assert_eq!(app.snapshot().await, before);
}

async fn emails_and_bylines_belong_to_one_account(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.create_user(Role::Admin).await;
    let writer = app.create_user(Role::Author).await;
    let before = app.snapshot().await;
    let body = problem(
        app.post_json(
            USERS,
            Some(&admin.token),
            &json!({"email": writer.email.to_uppercase(), "password": "une phrase de passe assez longue", "display_name": "Doublon", "role": "editor"}),
        )
        .await,
        409,
    )
    .await;
    assert_eq!(fields(&body), [("email".to_owned(), "taken".to_owned())]);
    let body = problem(
        app.post_json(
            USERS,
            Some(&admin.token),
            &json!({"email": "autre@redaction.test", "password": "une phrase de passe assez longue", "display_name": "Doublon", "role": "author", "author_id": writer.author_id}),
        )
        .await,
        409,
    )
    .await;
    assert_eq!(
        fields(&body),
        [("author_id".to_owned(), "taken".to_owned())]
    );
    let body = problem(
        app.patch_json(
            &format!("{USERS}/{}", admin.id),
            Some(&admin.token),
            &json!({"email": writer.email}),
        )
        .await,
        409,
    )
    .await;
    assert_eq!(fields(&body), [("email".to_owned(), "taken".to_owned())]);
    assert_eq!(app.snapshot().await, before);
}

async fn the_last_active_admin_cannot_be_removed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.create_user(Role::Admin).await;
    let path = format!("{USERS}/{}", admin.id);
    let before = app.snapshot().await;
    for change in [json!({"role": "editor"}), json!({"active": false})] {
        problem(
            app.patch_json(&path, Some(&admin.token), &change).await,
            409,
        )
        .await;
    }
    problem(app.delete_as(&path, Some(&admin.token)).await, 409).await;
    assert_eq!(app.snapshot().await, before);
    // An inactive admin does not count.
    let dormant = app.create_user(Role::Admin).await;
    let response = app
        .patch_json(
            &format!("{USERS}/{}", dormant.id),
            Some(&admin.token),
            &json!({"active": false}),
        )
        .await;
    assert_eq!(response.status(), 200);
    problem(app.delete_as(&path, Some(&admin.token)).await, 409).await;
    // With a second active admin, the first may step down.
    let second = app.create_user(Role::Admin).await;
    let response = app
        .patch_json(&path, Some(&second.token), &json!({"role": "editor"}))
        .await;
    assert_eq!(response.status(), 200);
    problem(
        app.delete_as(&format!("{USERS}/{}", second.id), Some(&second.token))
            .await,
        409,
    )
    .await;
}

async fn the_list_is_paginated(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.create_user(Role::Admin).await;
    for _ in 0..2 {
        app.create_user(Role::Editor).await;
    }
    let response = app
        .get_as(&format!("{USERS}?page=2&per_page=2"), Some(&admin.token))
        .await;
    assert_eq!(response.status(), 200);
    let link = response.headers()["link"].to_str().unwrap().to_owned();
    assert!(link.contains("rel=\"prev\""), "{link}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["data"].as_array().unwrap().len(), 1);
    assert_eq!(
        body["meta"],
        json!({"page": 2, "per_page": 2, "total": 3, "total_pages": 2, "next_cursor": null})
    );
    for query in [
        "per_page=101",
        "per_page=0",
        "page=0",
        "page=x",
        "sort=email",
    ] {
        problem(
            app.get_as(&format!("{USERS}?{query}"), Some(&admin.token))
                .await,
            400,
        )
        .await;
    }
}

on_both_databases!(
    an_account_is_created_read_changed_and_deleted,
    every_invalid_field_is_named_at_once,
    emails_and_bylines_belong_to_one_account,
    the_last_active_admin_cannot_be_removed,
    the_list_is_paginated,
);
