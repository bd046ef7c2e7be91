//! A byline for every writer: an account without one gets one, named after
//! its display name, with the first article it writes without naming its
//! bylines (through `/api/v1` and the editor protocols), instead of a 403;
//! a refused write leaves none behind, and first articles written at once
//! make one byline.

use diesel::prelude::*;
use serde_json::{Value, json};

use cms::auth::Role;
use cms::db::schema::users;

use crate::content_fixtures::{category, created, editor};
use crate::helpers::{Backend, TestApp, TestUser, problem, problem_fields};
use crate::on_both_databases;

const NAME: &str = "Aïcha N’Diaye « plume » 🖋";

/// An account of `role` with no byline, and a display name to recognise.
async fn without_byline(app: &TestApp, role: Role) -> TestUser {
    let mut user = app.create_user(role).await;
    let id = user.id;
    app.db
        .write(move |conn| {
            diesel::update(users::table.find(id))
                .set((
                    users::author_id.eq(None::<i64>),
                    users::display_name.eq(NAME),
                ))
                .execute(conn.conn())?;
            Ok(())
        })
        .await
        .unwrap();
    user.author_id = None;
    user
}

async fn me(app: &TestApp, user: &TestUser) -> Value {
    let response = app.get_as("/api/v1/auth/me", Some(&user.token)).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn authors_total(app: &TestApp) -> u64 {
    let response = app.get("/api/v1/authors?per_page=1").await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body["meta"]["total"].as_u64().unwrap()
}

async fn unsigned_article(
    app: &TestApp,
    user: &TestUser,
    category_id: &Value,
    title: &str,
) -> reqwest::Response {
    app.post_json(
        "/api/v1/articles",
        Some(&user.token),
        &json!({"title": title, "body": "Le texte.", "category_id": category_id}),
    )
    .await
}

async fn every_role_gets_its_byline_with_its_first_article(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let desk = editor(&app).await;
    let section = category(&app, &desk.token, "Diplomatie", None).await;
    for role in [Role::Admin, Role::Editor, Role::Author, Role::Contributor] {
        let writer = without_byline(&app, role).await;
        assert_eq!(me(&app, &writer).await["author_id"], Value::Null);
        let before = authors_total(&app).await;
        let first =
            created(unsigned_article(&app, &writer, &section["id"], "Premier papier").await).await;
        let byline = &first["authors"][0];
        assert_eq!(byline["name"], NAME, "{role:?}");
        assert_eq!(first["authors"].as_array().unwrap().len(), 1);
        assert_eq!(
            me(&app, &writer).await["author_id"],
            byline["id"],
            "{role:?}"
        );
        assert_eq!(authors_total(&app).await, before + 1);
        // The byline is a public author like any other.
        let response = app.get(&format!("/api/v1/authors/{}", byline["id"])).await;
        assert_eq!(response.status(), 200);
        // The second article is signed with the same byline, and the
        // writer may change what it signs.
        let second =
            created(unsigned_article(&app, &writer, &section["id"], "Second papier").await).await;
        assert_eq!(second["authors"][0]["id"], byline["id"]);
        assert_eq!(authors_total(&app).await, before + 1);
        let response = app
            .patch_json(
                &format!("/api/v1/articles/{}", second["id"]),
                Some(&writer.token),
                &json!({"title": "Second papier, corrigé"}),
            )
            .await;
        assert_eq!(response.status(), 200, "{role:?}");
    }
}

async fn a_refused_write_leaves_no_byline(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let desk = editor(&app).await;
    let section = category(&app, &desk.token, "Diplomatie", None).await;
    let contributor = without_byline(&app, Role::Contributor).await;
    let before = app.snapshot().await;
    // Invalid fields: 422, every one named.
    let body = problem(
        app.post_json(
            "/api/v1/articles",
            Some(&contributor.token),
            &json!({"title": "", "body": "x", "category_id": 999_999}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(problem_fields(&body), ["title", "category_id"]);
    // Not allowed: a contributor does not publish.
    problem(
        app.post_json(
            "/api/v1/articles",
            Some(&contributor.token),
            &json!({"title": "T", "body": "x", "category_id": section["id"], "status": "published"}),
        )
        .await,
        403,
    )
    .await;
    assert_eq!(app.snapshot().await, before);
    // Another's byline only: an author signs its own articles.
    let other = created(
        app.post_json(
            "/api/v1/authors",
            Some(&desk.token),
            &json!({"name": "ANP"}),
        )
        .await,
    )
    .await;
    let author = without_byline(&app, Role::Author).await;
    let before_author = app.snapshot().await;
    problem(
        app.post_json(
            "/api/v1/articles",
            Some(&author.token),
            &json!({"title": "T", "body": "x", "category_id": section["id"], "author_ids": [other["id"]]}),
        )
        .await,
        403,
    )
    .await;
    assert_eq!(app.snapshot().await, before_author);
    assert_eq!(me(&app, &contributor).await["author_id"], Value::Null);
    // A read-only token has nobody to sign for, and names no bylines: 403
    // before anything else.
    let (_, reader) = app
        .create_api_token(&app.create_user(Role::Admin).await.token, &["content:read"])
        .await;
    let before = app.snapshot().await;
    problem(
        unsigned_article(
            &app,
            &TestUser {
                token: reader,
                ..contributor.clone()
            },
            &section["id"],
            "T",
        )
        .await,
        403,
    )
    .await;
    assert_eq!(app.snapshot().await, before);
}

async fn first_articles_written_at_once_make_one_byline(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let desk = editor(&app).await;
    let section = category(&app, &desk.token, "Diplomatie", None).await;
    let writer = without_byline(&app, Role::Author).await;
    let before = authors_total(&app).await;
    let writes = (0..6).map(|i| {
        let (app, writer, section) = (&app, &writer, &section);
        async move {
            created(unsigned_article(app, writer, &section["id"], &format!("Papier {i}")).await)
                .await
        }
    });
    let articles = futures_util::future::join_all(writes).await;
    let bylines: std::collections::HashSet<String> = articles
        .iter()
        .map(|a| a["authors"][0]["id"].to_string())
        .collect();
    assert_eq!(bylines.len(), 1, "{bylines:?}");
    assert_eq!(authors_total(&app).await, before + 1);
}

/// The editor protocols sign with the same byline: XML-RPC (MarsEdit, Open
/// Live Writer), the WordPress REST API (the WordPress app) and Micropub
/// (iA Writer), each for a different account without one.
async fn editor_protocols_create_the_byline_too(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let desk = editor(&app).await;
    category(&app, &desk.token, "Diplomatie", None).await;
    let password = |user: &TestUser, kind: &str| {
        let (app, token) = (&app, user.token.clone());
        let kind = kind.to_owned();
        async move {
            let body: Value = created(
                app.post_json(
                    "/api/v1/users/me/application-passwords",
                    Some(&token),
                    &json!({"name": "Éditeur", "kind": kind}),
                )
                .await,
            )
            .await;
            body["password"].as_str().unwrap().to_owned()
        }
    };
    let signed_by = |id: String| {
        let (app, desk) = (&app, &desk);
        async move {
            let response = app
                .get_as(&format!("/api/v1/articles/{id}"), Some(&desk.token))
                .await;
            assert_eq!(response.status(), 200, "article {id}");
            let article: Value = response.json().await.unwrap();
            article["authors"][0]["name"].as_str().unwrap().to_owned()
        }
    };

    let marsedit = without_byline(&app, Role::Author).await;
    let secret = password(&marsedit, "application_password").await;
    let xml = format!(
        "<?xml version=\"1.0\"?><methodCall><methodName>metaWeblog.newPost</methodName><params>\
         <param><value>1</value></param><param><value>{}</value></param>\
         <param><value>{secret}</value></param><param><value><struct>\
         <member><name>title</name><value>Depuis MarsEdit</value></member>\
         <member><name>description</name><value>Le texte.</value></member>\
         </struct></value></param><param><value><boolean>0</boolean></value></param></params></methodCall>",
        marsedit.email
    );
    let response = app
        .client
        .post(app.url("/xmlrpc.php"))
        .header("content-type", "text/xml")
        .body(xml)
        .send()
        .await
        .unwrap();
    let text = response.text().await.unwrap();
    let id = text
        .split("<string>")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap_or_else(|| panic!("{text}"))
        .to_owned();
    assert_eq!(signed_by(id).await, NAME);
    assert!(me(&app, &marsedit).await["author_id"].is_i64());

    let wordpress_app = without_byline(&app, Role::Contributor).await;
    let secret = password(&wordpress_app, "application_password").await;
    use base64::Engine as _;
    let basic = base64::engine::general_purpose::STANDARD
        .encode(format!("{}:{secret}", wordpress_app.email));
    let response = app
        .client
        .post(app.url("/wp-json/wp/v2/posts"))
        .header("authorization", format!("Basic {basic}"))
        .json(
            &json!({"title": "Depuis l’app WordPress", "content": "Le texte.", "status": "draft"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let post: Value = response.json().await.unwrap();
    assert_eq!(signed_by(post["id"].to_string()).await, NAME);

    let ia_writer = without_byline(&app, Role::Editor).await;
    let token = password(&ia_writer, "micropub_token").await;
    let response = app
        .client
        .post(app.url("/micropub"))
        .bearer_auth(&token)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("h=entry&name=Depuis+iA+Writer&content=Le+texte.")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let location = response
        .headers()
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let slug = location
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(signed_by(slug).await, NAME);
}

on_both_databases!(
    every_role_gets_its_byline_with_its_first_article,
    a_refused_write_leaves_no_byline,
    first_articles_written_at_once_make_one_byline,
    editor_protocols_create_the_byline_too,
);
