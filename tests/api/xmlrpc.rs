//! WordPress XML-RPC driven by a real client: Python's `xmlrpc.client`
//! runs a MetaWeblog session (tests/clients/metaweblog_session.py) as an
//! author and as a contributor, on both databases; the article it writes
//! is then read through `/api/v1/articles`. Bad input is a fault with
//! HTTP 200 and nothing written.

use serde_json::{Value, json};

use cms::auth::Role;

use crate::content_fixtures::{byline, category, small_png as png};
use crate::helpers::{Backend, TestApp, TestUser};
use crate::on_both_databases;

async fn application_password(app: &TestApp, user: &TestUser) -> String {
    let response = app
        .post_json(
            "/api/v1/users/me/application-passwords",
            Some(&user.token),
            &json!({"name": "MarsEdit"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    created["password"].as_str().unwrap().to_owned()
}

/// Runs the Python session; `None` without python3 outside CI.
fn session(app: &TestApp, user: &TestUser, password: &str, publish: bool) -> Option<Value> {
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("photo.png");
    std::fs::write(&image, png()).unwrap();
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/clients/metaweblog_session.py"
    );
    let output = match std::process::Command::new("python3")
        .arg(script)
        .env("BASE", &app.address)
        .env("USER_EMAIL", &user.email)
        .env("PASSWORD", password)
        .env("IMAGE", &image)
        .env("PUBLISH", if publish { "yes" } else { "no" })
        .output()
    {
        Ok(output) => output,
        Err(_) if std::env::var("CI").as_deref() != Ok("true") => return None,
        Err(e) => panic!("python3 is needed under CI: {e}"),
    };
    assert!(
        output.status.success(),
        "the session failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(serde_json::from_slice(&output.stdout).unwrap())
}

/// A newsroom: "News - Infos > Diplomatie", and a writer with a byline.
async fn newsroom(app: &TestApp, role: Role) -> TestUser {
    let editor = app.create_user(Role::Editor).await;
    let news = category(app, &editor.token, "News - Infos", None).await;
    category(app, &editor.token, "Diplomatie", news["id"].as_i64()).await;
    byline(app, &editor.token, "Inutilisée").await;
    app.create_user(role).await
}

async fn an_author_writes_and_publishes_from_an_editor(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("CMS_SITE_TITLE", "La Nouvelle Tribune")]).await;
    let author = newsroom(&app, Role::Author).await;
    let password = application_password(&app, &author).await;
    let Some(seen) = session(&app, &author, &password, true) else {
        return;
    };
    assert_eq!(seen["endpoint"], format!("{}/xmlrpc.php", app.address));
    assert_eq!(seen["bad_login"], 403);
    assert_eq!(seen["blog_name"], "La Nouvelle Tribune");
    assert_eq!(seen["categories"], json!(["Diplomatie", "News - Infos"]));
    assert_eq!(seen["media_type"], "image/png");
    assert_eq!(seen["draft_status"], "draft");
    assert_eq!(seen["draft_title"], "Niamey : « la coopération » continue");
    assert_eq!(seen["draft_categories"], json!(["Diplomatie"]));
    // The extended part comes back apart, as it was sent.
    assert_eq!(
        seen["draft_description"],
        "<p>Premier paragraphe, l’été 🌍.</p>"
    );
    assert_eq!(seen["draft_more"], "<p>La suite.</p>");
    // In French order: an article's tags sort as its readers expect.
    assert_eq!(seen["draft_keywords"], "Élections, Niger");
    assert_eq!(seen["date_created_gmt_type"], "datetime");
    let unknown = &seen["unknown_category"];
    assert_eq!(unknown[0], 400, "{unknown}");
    assert!(
        unknown[1].as_str().unwrap().contains("Inexistante"),
        "{unknown}"
    );
    assert_eq!(seen["edited"], true);
    let id: i64 = seen["post_id"].as_str().unwrap().parse().unwrap();
    assert_eq!(seen["published"], id);
    assert_eq!(
        seen["recent"],
        json!([[
            id.to_string(),
            "Niamey : « la coopération » se poursuit",
            "publish"
        ]])
    );

    // The article, as any other, through the API.
    let article: Value = app
        .get(&format!("/api/v1/articles/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(article["title"], "Niamey : « la coopération » se poursuit");
    assert_eq!(article["status"], "published");
    assert_eq!(article["category"]["name"], "Diplomatie");
    assert_eq!(article["authors"][0]["id"], author.author_id.unwrap());
    let mut tags: Vec<&str> = article["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    tags.sort_unstable();
    assert_eq!(tags, ["Niger", "Élections"]);
    assert_eq!(
        article["featured_image"]["url"]
            .as_str()
            .map(|u| format!("{}{u}", app.address)),
        seen["media_url"].as_str().map(str::to_owned)
    );
    let listed: Value = app.get("/api/v1/articles").await.json().await.unwrap();
    assert!(
        listed["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == id)
    );
    assert_eq!(article["version"], 3, "created, edited, published");

    // Normal writes: each recorded with who made it.
    let events: Vec<(String, Option<i64>)> = app
        .db
        .read(move |conn| {
            use cms::db::schema::content_events as e;
            use diesel::prelude::*;
            Ok(e::table
                .filter(e::resource.eq("article"))
                .filter(e::resource_id.eq(id))
                .order(e::id)
                .select((e::action, e::actor_user_id))
                .load(conn)?)
        })
        .await
        .unwrap();
    let by = Some(author.id);
    assert_eq!(
        events,
        [
            ("created".to_owned(), by),
            ("updated".to_owned(), by),
            ("updated".to_owned(), by)
        ]
    );
}

async fn a_contributor_drafts_but_never_publishes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let contributor = newsroom(&app, Role::Contributor).await;
    let password = application_password(&app, &contributor).await;
    let Some(seen) = session(&app, &contributor, &password, false) else {
        return;
    };
    assert_eq!(seen["draft_status"], "draft");
    assert_eq!(seen["edited"], true);
    let refused = &seen["published"];
    assert_eq!(refused[0], 401, "{refused}");
    let id: i64 = seen["post_id"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        seen["recent"],
        json!([[
            id.to_string(),
            "Niamey : « la coopération » se poursuit",
            "draft"
        ]])
    );
    // Still a draft, invisible to the public.
    assert_eq!(
        app.get(&format!("/api/v1/articles/{id}")).await.status(),
        404
    );
}

/// Raw calls: every bad input is a fault with HTTP 200 (or 405 for a GET,
/// as WordPress), and nothing is written.
async fn bad_calls_are_faults_and_write_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let contributor = newsroom(&app, Role::Contributor).await;
    let password = application_password(&app, &contributor).await;
    let before = app.snapshot().await;
    let call = |body: String| {
        let app = &app;
        async move {
            let response = app
                .client
                .post(app.url("/xmlrpc.php"))
                .header("content-type", "text/xml")
                .body(body)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
            response.text().await.unwrap()
        }
    };
    let fault_code = |xml: &str| -> i64 {
        let at = xml.find("<name>faultCode</name><value><int>").expect(xml) + 34;
        xml[at..xml[at..].find('<').unwrap() + at].parse().unwrap()
    };
    let post = |email: &str, password: &str, status: &str| {
        format!(
            "<?xml version=\"1.0\"?><methodCall><methodName>metaWeblog.newPost</methodName><params>\
             <param><value>1</value></param><param><value>{email}</value></param>\
             <param><value>{password}</value></param><param><value><struct>\
             <member><name>title</name><value>T</value></member>\
             <member><name>post_status</name><value>{status}</value></member>\
             <member><name>mt_keywords</name><value>Jamais créé</value></member>\
             </struct></value></param><param><value><boolean>0</boolean></value></param></params></methodCall>"
        )
    };
    // A contributor's publish: 401, and the new tag is not created either.
    assert_eq!(
        fault_code(&call(post(&contributor.email, &password, "publish")).await),
        401
    );
    // The login password is not an application password.
    assert_eq!(
        fault_code(&call(post(&contributor.email, &contributor.password, "draft")).await),
        403
    );
    assert_eq!(
        fault_code(&call("<methodCall><methodName>x".to_owned()).await),
        -32700
    );
    assert_eq!(
        fault_code(&call("<?xml version=\"1.0\"?><methodResponse/>".to_owned()).await),
        -32600
    );
    assert_eq!(
        fault_code(
            &call("<methodCall><methodName>system.multicall</methodName></methodCall>".to_owned())
                .await
        ),
        -32601
    );
    let external = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>\
                    <methodCall><methodName>&e;</methodName></methodCall>";
    assert_eq!(fault_code(&call(external.to_owned()).await), -32700);
    let not_found = format!(
        "<methodCall><methodName>metaWeblog.getPost</methodName><params><param><value>999999</value></param>\
         <param><value>{}</value></param><param><value>{password}</value></param></params></methodCall>",
        contributor.email
    );
    assert_eq!(fault_code(&call(not_found).await), 404);
    assert_eq!(
        fault_code(&call(post(&contributor.email, &password, "corbeille")).await),
        -32602
    );
    // A struct where the post id goes: −32602.
    let wrong_type = format!(
        "<methodCall><methodName>metaWeblog.getPost</methodName><params>\
         <param><value><struct></struct></value></param>\
         <param><value>{}</value></param><param><value>{password}</value></param></params></methodCall>",
        contributor.email
    );
    assert_eq!(fault_code(&call(wrong_type).await), -32602);
    // Over 32 MiB: refused while it streams in.
    let huge = format!(
        "<methodCall><methodName>wp.uploadFile</methodName><params><param><value>{}</value></param></params></methodCall>",
        "A".repeat(33 * 1024 * 1024)
    );
    assert_eq!(fault_code(&call(huge).await), 413);
    assert_eq!(app.snapshot().await, before, "nothing was written");

    // Another writer's post: 401, as WordPress.
    let other = app.create_user(Role::Author).await;
    let other_password = application_password(&app, &other).await;
    let draft = call(post(&other.email, &other_password, "draft")).await;
    let id_at = draft.find("<string>").unwrap() + 8;
    let id = &draft[id_at..draft[id_at..].find('<').unwrap() + id_at];
    let theirs = format!(
        "<methodCall><methodName>metaWeblog.getPost</methodName><params><param><value>{id}</value></param>\
         <param><value>{}</value></param><param><value>{password}</value></param></params></methodCall>",
        contributor.email
    );
    assert_eq!(fault_code(&call(theirs).await), 401);

    let get = app.get("/xmlrpc.php").await;
    assert_eq!(get.status(), 405);
    let rsd = app.get("/xmlrpc.php?rsd").await.text().await.unwrap();
    assert!(rsd.contains("<engineName>WordPress</engineName>"), "{rsd}");
    let manifest = app.get("/wlwmanifest.xml").await.text().await.unwrap();
    assert!(manifest.contains("<clientType>WordPress</clientType>"));
    assert!(manifest.contains("type=\"WebLayout\""));
}

on_both_databases!(
    an_author_writes_and_publishes_from_an_editor,
    a_contributor_drafts_but_never_publishes,
    bad_calls_are_faults_and_write_nothing,
);

/// The python-wordpress-xmlrpc package's wp.* session; `None` when its
/// virtualenv is not set up (`TEST_EDITORS_PYTHON`, made by `.ci/run`),
/// which fails under CI.
fn wordpress_session(
    app: &TestApp,
    user: &TestUser,
    password: &str,
    category_id: i64,
    publish: bool,
) -> Option<Value> {
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("une.png");
    std::fs::write(&image, png()).unwrap();
    let endpoint = format!("{}/xmlrpc.php", app.address);
    let category_id = category_id.to_string();
    crate::helpers::python_client(
        "wordpress_session.py",
        &[
            ("ENDPOINT", &endpoint),
            ("USER_EMAIL", &user.email),
            ("PASSWORD", password),
            ("IMAGE", image.to_str().unwrap()),
            ("CATEGORY_ID", &category_id),
            ("PUBLISH", if publish { "yes" } else { "no" }),
        ],
    )
}

async fn wordpress_clients_write_through_wp_methods(backend: Backend, role: Role) {
    let app = TestApp::spawn_with(
        backend,
        &[
            ("CMS_SITE_TITLE", "La Nouvelle Tribune"),
            ("CMS_SITE_TIMEZONE", "Africa/Porto-Novo"),
        ],
    )
    .await;
    let writer = newsroom(&app, role).await;
    let categories: Value = app.get("/api/v1/categories").await.json().await.unwrap();
    let diplomatie = categories["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Diplomatie")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let password = application_password(&app, &writer).await;
    let publish = role != Role::Contributor;
    let Some(seen) = wordpress_session(&app, &writer, &password, diplomatie, publish) else {
        return;
    };
    assert_eq!(seen["blogs"], json!(["La Nouvelle Tribune"]));
    assert_eq!(seen["options_title"], "La Nouvelle Tribune");
    assert_eq!(seen["categories"], json!(["Diplomatie", "News - Infos"]));
    assert_eq!(seen["upload_type"], "image/png");
    assert_eq!(
        seen["fetched_title"],
        "Cotonou : l’Assemblée « vote » le budget"
    );
    assert_eq!(seen["fetched_date"], "2026-11-30T08:15:00");
    assert_eq!(seen["fetched_status"], "draft");
    assert_eq!(
        seen["fetched_terms"],
        json!([
            ["category", "Diplomatie"],
            ["post_tag", "Assemblée nationale"],
            ["post_tag", "Budget"]
        ])
    );
    assert_eq!(seen["edited"], true);
    assert_eq!(seen["unknown_term"], "Invalid term ID.");
    let id: i64 = seen["post_id"].as_str().unwrap().parse().unwrap();
    let status = if publish { "publish" } else { "pending" };
    assert_eq!(
        seen["listed"],
        json!([[id.to_string(), "Cotonou : le budget 2027 est voté", status]])
    );

    // Through the API: category, tags, byline, image, the date in UTC.
    let article: Value = app
        .get_as(&format!("/api/v1/articles/{id}"), Some(&writer.token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(article["title"], "Cotonou : le budget 2027 est voté");
    assert_eq!(
        article["status"],
        if publish { "published" } else { "review" }
    );
    assert_eq!(article["category"]["id"], diplomatie);
    assert_eq!(article["authors"][0]["id"], writer.author_id.unwrap());
    assert_eq!(article["tags"].as_array().unwrap().len(), 2);
    assert_eq!(article["published_at"], "2026-11-30T08:15:00Z");
    assert!(article["featured_image"]["id"].is_i64(), "{article}");
}

async fn an_author_writes_with_python_wordpress_xmlrpc(backend: Backend) {
    wordpress_clients_write_through_wp_methods(backend, Role::Author).await;
}

async fn a_contributor_submits_with_python_wordpress_xmlrpc(backend: Backend) {
    wordpress_clients_write_through_wp_methods(backend, Role::Contributor).await;
}

on_both_databases!(
    an_author_writes_with_python_wordpress_xmlrpc,
    a_contributor_submits_with_python_wordpress_xmlrpc,
);

/// Eight editors send posts at once naming the same new tag: every post
/// is written, and the tag exists once.
async fn parallel_posts_with_a_new_tag_all_succeed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let author = newsroom(&app, Role::Author).await;
    let password = application_password(&app, &author).await;
    let calls = (0..8).map(|n| {
        let body = format!(
            "<?xml version=\"1.0\"?><methodCall><methodName>metaWeblog.newPost</methodName><params>\
             <param><value>1</value></param><param><value>{}</value></param>\
             <param><value>{password}</value></param><param><value><struct>\
             <member><name>title</name><value>Dépêche {n}</value></member>\
             <member><name>description</name><value>Texte</value></member>\
             <member><name>mt_keywords</name><value>Flash, Urgent</value></member>\
             </struct></value></param><param><value><boolean>0</boolean></value></param></params></methodCall>",
            author.email
        );
        let app = &app;
        async move {
            app.client
                .post(app.url("/xmlrpc.php"))
                .body(body)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    });
    for response in futures_util::future::join_all(calls).await {
        assert!(!response.contains("faultCode"), "{response}");
    }
    let tags: Value = app.get("/api/v1/tags").await.json().await.unwrap();
    let mut names: Vec<&str> = tags["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["Flash", "Urgent"]);
}

on_both_databases!(parallel_posts_with_a_new_tag_all_succeed);
