//! Sessions: refresh rotation, reuse detection, logout, password changes and
//! deactivation ending every session.

use serde_json::{Value, json};

use cms::auth::Role;

use crate::helpers::{Backend, TestApp, problem, problem_fields};
use crate::on_both_databases;

const REFRESH: &str = "/api/v1/auth/refresh";
const LOGOUT: &str = "/api/v1/auth/logout";
const ME: &str = "/api/v1/auth/me";

fn refresh_token(pair: &Value) -> String {
    pair["refresh_token"]
        .as_str()
        .expect("refresh token")
        .to_owned()
}

fn access_token(pair: &Value) -> String {
    pair["access_token"]
        .as_str()
        .expect("access token")
        .to_owned()
}

async fn refresh(app: &TestApp, token: &str) -> reqwest::Response {
    app.post_json(REFRESH, None, &json!({"refresh_token": token}))
        .await
}

async fn refresh_rotates_the_token(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = app.create_user(Role::Author).await;
    let first = app.login(&user.email, &user.password).await;
    let response = refresh(&app, &refresh_token(&first)).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let second: Value = response.json().await.unwrap();
    assert_eq!(second["token_type"], "Bearer");
    assert_ne!(refresh_token(&second), refresh_token(&first));
    let me: Value = app
        .get_as(ME, Some(&access_token(&second)))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["id"], user.id);
    assert_eq!(me["email"], user.email);
    assert!(me.get("password_hash").is_none());
    // The new token rotates in turn.
    assert_eq!(refresh(&app, &refresh_token(&second)).await.status(), 200);
}

async fn reusing_a_refresh_token_revokes_its_whole_family(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = app.create_user(Role::Editor).await;
    let other_session = app.login(&user.email, &user.password).await;
    let first = app.login(&user.email, &user.password).await;
    let second: Value = refresh(&app, &refresh_token(&first))
        .await
        .json()
        .await
        .unwrap();
    // A copy of the first token is replayed: refused...
    let reused = problem(refresh(&app, &refresh_token(&first)).await, 401).await;
    // ...and the legitimate holder's newest token dies with it.
    let newest = problem(refresh(&app, &refresh_token(&second)).await, 401).await;
    assert_eq!(reused, newest);
    // Other sessions of the account are not this family.
    assert_eq!(
        refresh(&app, &refresh_token(&other_session)).await.status(),
        200
    );
}

async fn concurrent_refreshes_of_one_token_let_one_through(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = app.create_user(Role::Editor).await;
    let pair = app.login(&user.email, &user.password).await;
    let token = refresh_token(&pair);
    let (a, b) = tokio::join!(refresh(&app, &token), refresh(&app, &token));
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 401]);
}

async fn expired_and_unknown_refresh_tokens_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = app.create_user(Role::Editor).await;
    let pair = app.login(&user.email, &user.password).await;
    app.db
        .write(|conn| {
            use cms::db::schema::refresh_tokens;
            use diesel::prelude::*;
            diesel::update(refresh_tokens::table)
                .set(
                    refresh_tokens::expires_at
                        .eq(cms::timestamp::now() - chrono::Duration::seconds(1)),
                )
                .execute(conn.conn())?;
            Ok(())
        })
        .await
        .unwrap();
    let expired = problem(refresh(&app, &refresh_token(&pair)).await, 401).await;
    let unknown = problem(refresh(&app, "inconnu").await, 401).await;
    assert_eq!(expired, unknown);
    // Extra fields are refused, not ignored.
    problem(
        app.post_json(REFRESH, None, &json!({"refresh_token": "x", "user_id": 1}))
            .await,
        422,
    )
    .await;
}

async fn logout_revokes_the_session(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = app.create_user(Role::Contributor).await;
    let pair = app.login(&user.email, &user.password).await;
    let rotated: Value = refresh(&app, &refresh_token(&pair))
        .await
        .json()
        .await
        .unwrap();
    let response = app
        .post_json(
            LOGOUT,
            None,
            &json!({"refresh_token": refresh_token(&rotated)}),
        )
        .await;
    assert_eq!(response.status(), 204);
    problem(refresh(&app, &refresh_token(&rotated)).await, 401).await;
    // Idempotent, and silent about tokens it does not know.
    for token in [refresh_token(&rotated), "inconnu".to_owned()] {
        let response = app
            .post_json(LOGOUT, None, &json!({"refresh_token": token}))
            .await;
        assert_eq!(response.status(), 204);
    }
}

async fn changing_the_password_ends_every_session(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = app.create_user(Role::Author).await;
    let one = app.login(&user.email, &user.password).await;
    let two = app.login(&user.email, &user.password).await;
    let path = "/api/v1/auth/password";
    let new_password = "une toute nouvelle phrase de passe";

    // Every bad field at once, and nothing written.
    let before = app.snapshot().await;
    let body = problem(
        app.post_json(
            path,
            Some(&user.token),
            &json!({"current_password": "pas le bon", "new_password": "court"}),
        )
        .await,
        422,
    )
    .await;
    let fields = problem_fields(&body);
    assert_eq!(fields, ["current_password", "new_password"]);
    assert_eq!(app.snapshot().await, before);

    let response = app
        .post_json(
            path,
            Some(&user.token),
            &json!({"current_password": user.password, "new_password": new_password}),
        )
        .await;
    assert_eq!(response.status(), 204);
    for pair in [&one, &two] {
        problem(refresh(&app, &refresh_token(pair)).await, 401).await;
    }
    problem(
        app.post_json(
            "/api/v1/auth/login",
            None,
            &json!({"email": user.email, "password": user.password}),
        )
        .await,
        401,
    )
    .await;
    let fresh = app.login(&user.email, new_password).await;
    assert_eq!(refresh(&app, &refresh_token(&fresh)).await.status(), 200);
}

async fn an_admin_password_reset_ends_every_session(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.create_user(Role::Admin).await;
    let user = app.create_user(Role::Editor).await;
    let pair = app.login(&user.email, &user.password).await;
    let reset = "une phrase choisie par l'administration";
    let response = app
        .patch_json(
            &format!("/api/v1/users/{}", user.id),
            Some(&admin.token),
            &json!({"password": reset}),
        )
        .await;
    assert_eq!(response.status(), 200);
    problem(refresh(&app, &refresh_token(&pair)).await, 401).await;
    app.login(&user.email, reset).await;
}

async fn deactivation_ends_every_session_at_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.create_user(Role::Admin).await;
    let user = app.create_user(Role::Editor).await;
    let pair = app.login(&user.email, &user.password).await;
    let path = format!("/api/v1/users/{}", user.id);
    let response = app
        .patch_json(&path, Some(&admin.token), &json!({"active": false}))
        .await;
    assert_eq!(response.status(), 200);
    let view: Value = response.json().await.unwrap();
    assert_eq!(view["active"], false);
    problem(app.get_as(ME, Some(&access_token(&pair))).await, 401).await;
    problem(refresh(&app, &refresh_token(&pair)).await, 401).await;
    problem(
        app.post_json(
            "/api/v1/auth/login",
            None,
            &json!({"email": user.email, "password": user.password}),
        )
        .await,
        401,
    )
    .await;
    // Reactivated, it signs in again; the old sessions stay dead.
    let response = app
        .patch_json(&path, Some(&admin.token), &json!({"active": true}))
        .await;
    assert_eq!(response.status(), 200);
    let again = app.login(&user.email, &user.password).await;
    assert_eq!(
        app.get_as(ME, Some(&access_token(&again))).await.status(),
        200
    );
    problem(refresh(&app, &refresh_token(&pair)).await, 401).await;
}

async fn deleting_an_account_ends_its_sessions(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.create_user(Role::Admin).await;
    let user = app.create_user(Role::Author).await;
    let pair = app.login(&user.email, &user.password).await;
    let response = app
        .delete_as(&format!("/api/v1/users/{}", user.id), Some(&admin.token))
        .await;
    assert_eq!(response.status(), 204);
    problem(app.get_as(ME, Some(&access_token(&pair))).await, 401).await;
    problem(refresh(&app, &refresh_token(&pair)).await, 401).await;
}

on_both_databases!(
    refresh_rotates_the_token,
    reusing_a_refresh_token_revokes_its_whole_family,
    concurrent_refreshes_of_one_token_let_one_through,
    expired_and_unknown_refresh_tokens_are_refused,
    logout_revokes_the_session,
    changing_the_password_ends_every_session,
    an_admin_password_reset_ends_every_session,
    deactivation_ends_every_session_at_once,
    deleting_an_account_ends_its_sessions,
);
