//! No response of any route, for any caller, carries a secret: seeded canary
//! values (a password, its stored hash, refresh tokens and their digests, an
//! API token and its digest, another account's email) are searched for in
//! every body the permission matrix produces, plus reads aimed at them.

use reqwest::Method;

use crate::helpers::{Backend, TEST_PASSWORD, TestApp};
use crate::on_both_databases;
use crate::permissions::{Case, Fixture, Who, cases, row};

async fn no_response_carries_a_secret(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let fixture = Fixture::new(&app).await;
    let victim = fixture.other_user;
    let victim_email: String = app
        .db
        .read(move |conn| {
            use cms::db::schema::users;
            use diesel::prelude::*;
            Ok(users::table
                .find(victim)
                .select(users::email)
                .first::<String>(conn)?)
        })
        .await
        .unwrap();
    // A live session and a live API token of someone else.
    let pair = app.login(&victim_email, TEST_PASSWORD).await;
    let refresh_plain = pair["refresh_token"].as_str().unwrap().to_owned();
    // (No second administrator: the matrix relies on there being one.)
    let (_, api_plain) = app.create_api_token(&fixture.admin_token, &["admin"]).await;

    let (hashes, digests) = app
        .db
        .read(|conn| {
            use cms::db::schema::{api_tokens, refresh_tokens, users};
            use diesel::prelude::*;
            let hashes = users::table
                .select(users::password_hash)
                .load::<String>(conn)?;
            let mut digests = refresh_tokens::table
                .select(refresh_tokens::token_hash)
                .load::<String>(conn)?;
            digests.extend(
                api_tokens::table
                    .select(api_tokens::token_hash)
                    .load::<String>(conn)?,
            );
            Ok((hashes, digests))
        })
        .await
        .unwrap();
    let mut secrets: Vec<String> = vec![TEST_PASSWORD.to_owned(), refresh_plain, api_plain];
    for hash in &hashes {
        secrets.push(hash.clone());
        // The salt and digest parts alone are secrets too.
        secrets.extend(hash.rsplit('$').take(2).map(str::to_owned));
    }
    secrets.extend(digests);

    let mut all = cases();
    for path in [
        "/api/v1/users/{other}",
        "/api/v1/users",
        "/api/v1/tokens",
        "/api/v1/auth/me",
    ] {
        all.extend(row(Method::GET, path, None, [0; 8]));
    }
    let mut leaks = Vec::new();
    for case in &all {
        let (response, _) = fixture.send(&app, case).await;
        let status = response.status().as_u16();
        let body = response.text().await.unwrap_or_default();
        let label = format!("{} {} as {:?} ({status})", case.method, case.path, case.who);
        for secret in &secrets {
            if body.contains(secret.as_str()) {
                leaks.push(format!("{label}: leaks {secret}"));
            }
        }
        if body.contains("$argon2") {
            leaks.push(format!("{label}: leaks a password hash"));
        }
        let sees_accounts = matches!(case.who, Who::Admin | Who::TokenAdmin);
        if !sees_accounts && body.contains(&victim_email) {
            leaks.push(format!("{label}: leaks another account's email"));
        }
    }
    assert!(leaks.is_empty(), "{}", leaks.join("\n"));
    // The scan saw real data: administrators do read the victim's account.
    let seen: Vec<&Case> = all.iter().filter(|c| c.who == Who::Admin).collect();
    assert!(!seen.is_empty());
}

on_both_databases!(no_response_carries_a_secret);
