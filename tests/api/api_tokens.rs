//! `/api/v1/tokens`: API tokens shown once, stored hashed, scoped, revocable.

use serde_json::{Value, json};

use cms::auth::Role;

use crate::helpers::{Backend, TestApp, problem, problem_fields};
use crate::on_both_databases;

const TOKENS: &str = "/api/v1/tokens";

async fn a_token_is_shown_once_used_and_revoked(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.create_user(Role::Admin).await;
    let response = app
        .post_json(
            TOKENS,
            Some(&admin.token),
            &json!({"name": "Site mobile — prévisualisation", "scopes": ["admin", "content:read", "admin"], "expires_at": "2099-01-18T10:30:00+01:00"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let created: Value = response.json().await.unwrap();
    let token = created["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("cms_") && token.len() >= 40, "{token}");
    assert!(token.starts_with(created["token_prefix"].as_str().unwrap()));
    assert_eq!(created["name"], "Site mobile — prévisualisation");
    assert_eq!(created["scopes"], json!(["admin", "content:read"]));
    assert_eq!(created["expires_at"], "2099-01-18T09:30:00Z");
    assert_eq!(created["created_by"], admin.id);
    assert_eq!(created["revoked"], false);
    assert_eq!(created["last_used_at"], Value::Null);

    // Only a digest is stored.
    let stored: Vec<String> = app
        .db
        .read(|conn| {
            use cms::db::schema::api_tokens;
            use diesel::prelude::*;
            Ok(api_tokens::table
                .select(api_tokens::token_hash)
                .load::<String>(conn)?)
        })
        .await
        .unwrap();
    assert_eq!(stored, [cms::auth::secret::token_digest(&token)]);

    // It works as a bearer token, and its use is recorded.
    assert_eq!(
        app.get_as("/api/v1/users", Some(&token)).await.status(),
        200
    );
    let list: Value = app
        .get_as(TOKENS, Some(&admin.token))
        .await
        .json()
        .await
        .unwrap();
    let listed = &list["data"][0];
    assert!(listed.get("token").is_none());
    assert!(!list.to_string().contains(&token));
    assert!(listed["last_used_at"].is_string());
    assert_eq!(list["meta"]["total"], 1);

    // Revoked: refused at once, still listed as revoked; revoking again is fine.
    let path = format!("{TOKENS}/{}", created["id"]);
    assert_eq!(app.delete_as(&path, Some(&admin.token)).await.status(), 204);
    problem(app.get_as("/api/v1/users", Some(&token)).await, 401).await;
    assert_eq!(app.delete_as(&path, Some(&admin.token)).await.status(), 204);
    let list: Value = app
        .get_as(TOKENS, Some(&admin.token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["data"][0]["revoked"], true);
    assert!(list["data"][0]["revoked_at"].is_string());
}

async fn scopes_limit_what_a_token_may_do(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.create_user(Role::Admin).await;
    let (_, read) = app.create_api_token(&admin.token, &["content:read"]).await;
    let (_, write) = app.create_api_token(&admin.token, &["content:write"]).await;
    for token in [&read, &write] {
        problem(app.get_as("/api/v1/users", Some(token)).await, 403).await;
        problem(
            app.post_json(
                TOKENS,
                Some(token),
                &json!({"name": "escalade", "scopes": ["admin"]}),
            )
            .await,
            403,
        )
        .await;
        // Tokens have no account of their own.
        problem(app.get_as("/api/v1/auth/me", Some(token)).await, 403).await;
    }
}

async fn invalid_tokens_are_refused_field_by_field(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.create_user(Role::Admin).await;
    let before = app.snapshot().await;
    let body = problem(
        app.post_json(
            TOKENS,
            Some(&admin.token),
            &json!({"name": " ", "scopes": [], "expires_at": "2020-01-01T00:00:00Z"}),
        )
        .await,
        422,
    )
    .await;
    let fields = problem_fields(&body);
    assert_eq!(fields, ["name", "scopes", "expires_at"]);
    for bad in [
        json!({"name": "x", "scopes": ["superuser"]}),
        json!({"name": "x", "scopes": ["admin"], "expires_at": "demain"}),
        json!({"name": "x", "scopes": ["admin"], "token": "cms_choisi"}),
    ] {
        problem(app.post_json(TOKENS, Some(&admin.token), &bad).await, 422).await;
    }
    problem(
        app.delete_as(&format!("{TOKENS}/abc"), Some(&admin.token))
            .await,
        404,
    )
    .await;
    assert_eq!(app.snapshot().await, before);
}

on_both_databases!(
    a_token_is_shown_once_used_and_revoked,
    scopes_limit_what_a_token_may_do,
    invalid_tokens_are_refused_field_by_field,
);
