//! `/api/v1/users/{id}/application-passwords`: shown once, stored as a
//! keyed hash, acting with the user's role, revocable, managed by their
//! owner or an administrator, and throttled with the sign-in. The editor
//! protocols that take them come next; until then the application's own
//! authenticator checks them here.

use serde_json::{Value, json};

use cms::auth::authenticate::Credentials;
use cms::auth::{Caller, Role};
use cms::error::ApiError;

use crate::helpers::{Backend, TestApp, TestUser, problem, problem_fields};
use crate::on_both_databases;

fn path(owner: &str) -> String {
    format!("/api/v1/users/{owner}/application-passwords")
}

async fn create(app: &TestApp, token: &str, owner: &str, name: &str) -> Value {
    let response = app
        .post_json(&path(owner), Some(token), &json!({ "name": name }))
        .await;
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["cache-control"], "no-store");
    response.json().await.unwrap()
}

async fn sign_in(
    app: &TestApp,
    email: &str,
    password: &str,
    client: &str,
) -> Result<Caller, ApiError> {
    app.auth
        .authenticate(Credentials::ApplicationPassword {
            email: email.to_owned(),
            password: password.to_owned(),
            client: client.to_owned(),
        })
        .await
}

fn acting_as(caller: &Caller, user: &TestUser) {
    let account = caller.account().expect("an account");
    assert_eq!(account.user_id, user.id);
    assert_eq!(account.role, user.role);
}

async fn stored_hashes(app: &TestApp) -> Vec<String> {
    app.db
        .read(|conn| {
            use cms::db::schema::application_passwords;
            use diesel::prelude::*;
            Ok(application_passwords::table
                .select(application_passwords::password_hash)
                .load::<String>(conn)?)
        })
        .await
        .unwrap()
}

async fn an_application_password_is_shown_once_used_and_revoked(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let author = app.create_user(Role::Author).await;
    let created = create(
        &app,
        &author.token,
        "me",
        "MarsEdit, portable de la rédaction",
    )
    .await;
    let password = created["password"].as_str().unwrap().to_owned();
    let groups: Vec<&str> = password.split(' ').collect();
    assert_eq!(groups.len(), 6, "{password}");
    assert!(
        groups
            .iter()
            .all(|g| g.len() == 4 && g.bytes().all(|b| b.is_ascii_alphanumeric()))
    );
    assert_eq!(created["name"], "MarsEdit, portable de la rédaction");
    assert_eq!(created["user_id"], author.id);
    assert_eq!(created["last_used_at"], Value::Null);
    let uuid = created["uuid"].as_str().unwrap().to_owned();
    assert_eq!(uuid.len(), 36);

    // Only a keyed hash is stored: neither the password nor its bare SHA-256.
    let bare: String = password.split(' ').collect();
    let stored = stored_hashes(&app).await;
    assert_eq!(stored.len(), 1);
    assert!(!stored[0].contains(&bare));
    assert_ne!(stored[0], cms::auth::secret::token_digest(&bare));

    // It acts with the user's role, with or without its spaces, the email
    // in any case; its use is recorded with the address.
    acting_as(
        &sign_in(&app, &author.email, &password, "196.192.16.4")
            .await
            .unwrap(),
        &author,
    );
    acting_as(
        &sign_in(&app, &author.email.to_uppercase(), &bare, "196.192.16.4")
            .await
            .unwrap(),
        &author,
    );
    let list: Value = app
        .get_as(&path("me"), Some(&author.token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    let listed = &list["data"][0];
    assert_eq!(listed["uuid"], uuid.as_str());
    assert_eq!(listed["last_ip"], "196.192.16.4");
    assert!(listed["last_used_at"].is_string());
    assert!(listed.get("password").is_none());
    assert!(!list.to_string().contains(&bare));

    // The login password is not one, and an application password does not
    // sign in to the API.
    assert!(matches!(
        sign_in(&app, &author.email, &author.password, "196.192.16.4").await,
        Err(ApiError::Unauthorized(_))
    ));
    let login = app
        .post_json(
            "/api/v1/auth/login",
            None,
            &json!({"email": author.email, "password": password}),
        )
        .await;
    assert_eq!(login.status(), 401);

    // Revoked: refused from the next use on; a second revoke is a 404.
    let gone = app
        .delete_as(&format!("{}/{uuid}", path("me")), Some(&author.token))
        .await;
    assert_eq!(gone.status(), 204);
    assert!(matches!(
        sign_in(&app, &author.email, &password, "196.192.16.4").await,
        Err(ApiError::Unauthorized(_))
    ));
    problem(
        app.delete_as(&format!("{}/{uuid}", path("me")), Some(&author.token))
            .await,
        404,
    )
    .await;
}

async fn each_manages_their_own_and_an_admin_anyones(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let contributor = app.create_user(Role::Contributor).await;
    let editor = app.create_user(Role::Editor).await;
    let admin = app.create_user(Role::Admin).await;

    // A contributor has one too (their editor sends drafts); it acts as a
    // contributor.
    let own = create(
        &app,
        &contributor.token,
        &contributor.id.to_string(),
        "Word",
    )
    .await;
    let password = own["password"].as_str().unwrap();
    acting_as(
        &sign_in(&app, &contributor.email, password, "10.0.0.1")
            .await
            .unwrap(),
        &contributor,
    );

    // Another user's: 403 for an editor, fine for an admin.
    let theirs = path(&contributor.id.to_string());
    problem(app.get_as(&theirs, Some(&editor.token)).await, 403).await;
    problem(
        app.post_json(&theirs, Some(&editor.token), &json!({"name": "x"}))
            .await,
        403,
    )
    .await;
    let uuid = own["uuid"].as_str().unwrap();
    problem(
        app.delete_as(&format!("{theirs}/{uuid}"), Some(&editor.token))
            .await,
        403,
    )
    .await;
    let listed: Value = app
        .get_as(&theirs, Some(&admin.token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["data"][0]["uuid"], uuid);
    let made_by_admin = create(
        &app,
        &admin.token,
        &contributor.id.to_string(),
        "Open Live Writer",
    )
    .await;
    assert_eq!(made_by_admin["user_id"], contributor.id);
    // An editor's uuid path for someone else's password is a 404, not a revoke.
    problem(
        app.delete_as(&format!("{}/{uuid}", path("me")), Some(&editor.token))
            .await,
        404,
    )
    .await;
    assert_eq!(
        app.delete_as(&format!("{theirs}/{uuid}"), Some(&admin.token))
            .await
            .status(),
        204
    );

    // No account: 401; an API token has no `me` (403); unknown users 404.
    problem(app.get_as(&path("me"), None).await, 401).await;
    let (_, api_token) = app.create_api_token(&admin.token, &["admin"]).await;
    problem(app.get_as(&path("me"), Some(&api_token)).await, 403).await;
    problem(app.get_as(&path("999999"), Some(&admin.token)).await, 404).await;
    problem(app.get_as(&path("nobody"), Some(&admin.token)).await, 404).await;

    // Bad names: 422 naming the field, nothing stored.
    let before = stored_hashes(&app).await.len();
    for body in [
        json!({"name": "  "}),
        json!({"name": "a\u{0007}"}),
        json!({"name": "x", "scopes": []}),
    ] {
        let problem = problem(
            app.post_json(&path("me"), Some(&editor.token), &body).await,
            422,
        )
        .await;
        assert!(!problem_fields(&problem).is_empty(), "{problem}");
    }
    assert_eq!(stored_hashes(&app).await.len(), before);

    // Deleting the user takes their application passwords with them.
    let gone = app
        .delete_as(
            &format!("/api/v1/users/{}", contributor.id),
            Some(&admin.token),
        )
        .await;
    assert_eq!(gone.status(), 204);
    assert!(
        sign_in(&app, &contributor.email, password, "10.0.0.1")
            .await
            .is_err()
    );
    assert_eq!(stored_hashes(&app).await.len(), before - 1);
}

/// Wrong application passwords count in the sign-in throttle (one budget
/// per account, whatever the door), and the limit holds under a burst:
/// of 30 parallel guesses at most 5 are checked, and then the right
/// password waits for the window too.
async fn guesses_are_throttled_with_the_sign_in(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let author = app.create_user(Role::Author).await;
    let created = create(&app, &author.token, "me", "MarsEdit").await;
    let password = created["password"].as_str().unwrap().to_owned();

    let guesses = (0..30).map(|n| {
        let app = &app;
        let email = author.email.clone();
        async move {
            sign_in(
                app,
                &email,
                &format!("wrongpassword{n:011}"),
                &format!("10.1.0.{n}"),
            )
            .await
        }
    });
    let outcomes = futures_util::future::join_all(guesses).await;
    let refused = outcomes
        .iter()
        .filter(|o| matches!(o, Err(ApiError::Unauthorized(_))))
        .count();
    let throttled = outcomes
        .iter()
        .filter(|o| matches!(o, Err(ApiError::TooManyRequests { .. })))
        .count();
    assert_eq!(refused + throttled, 30, "every guess refused");
    assert!(refused <= 5, "{refused} guesses were checked");
    assert!(matches!(
        sign_in(&app, &author.email, &password, "10.2.0.1").await,
        Err(ApiError::TooManyRequests { .. })
    ));
    // The sign-in shares the budget.
    let login = app
        .post_json(
            "/api/v1/auth/login",
            None,
            &json!({"email": author.email, "password": author.password}),
        )
        .await;
    assert_eq!(login.status(), 429);
}

on_both_databases!(
    an_application_password_is_shown_once_used_and_revoked,
    each_manages_their_own_and_an_admin_anyones,
    guesses_are_throttled_with_the_sign_in,
);
