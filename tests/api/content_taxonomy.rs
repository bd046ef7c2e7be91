//! Categories (the tree), authors (bylines) and tags over HTTP.

use serde_json::json;

use crate::content_fixtures::*;
use crate::helpers::{Backend, TestApp, header, problem};
use crate::on_both_databases;

async fn category_tree_paths_filters_cycles_and_deletes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let d = desk(&app).await;
    let t = &d.editor.token;
    let monde = category(&app, t, "Monde", None).await;
    let afrique = category(&app, t, "Afrique", monde["id"].as_i64()).await;
    let algerie = category(&app, t, "Algérie", afrique["id"].as_i64()).await;
    let names: Vec<&str> = algerie["path"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Monde", "Afrique", "Algérie"]);
    let all = ok_json(app.get("/api/v1/categories").await).await;
    assert_eq!(all["meta"]["total"], 4);
    let children = ok_json(app.get("/api/v1/categories?parent=monde").await).await;
    assert_eq!(children["data"][0]["slug"], "afrique");

    // Articles in a descendant appear under the ancestor's filter.
    let deep = published(
        &app,
        t,
        "À Alger",
        algerie["id"].as_i64().unwrap(),
        d.author_id,
    )
    .await;
    published(&app, t, "Ailleurs", d.category_id, d.author_id).await;
    for filter in ["monde", &monde["id"].to_string(), "afrique"] {
        let list = ok_json(
            app.get(&format!("/api/v1/articles?category={filter}"))
                .await,
        )
        .await;
        assert_eq!(list["meta"]["total"], 1, "{filter}");
        assert_eq!(list["data"][0]["id"], deep["id"]);
        assert_eq!(list["data"][0]["category"]["path"][0]["slug"], "monde");
    }

    // Cycles are refused, and nothing is written.
    let snapshot = app.snapshot().await;
    for parent in [&algerie["id"], &monde["id"]] {
        let p = problem(
            app.patch_json(
                &format!("/api/v1/categories/{}", monde["id"]),
                Some(t),
                &json!({"parent_id": parent}),
            )
            .await,
            422,
        )
        .await;
        assert_eq!(p["errors"][0]["field"], "parent_id");
        assert_eq!(p["errors"][0]["code"], "cycle");
    }
    assert_eq!(app.snapshot().await, snapshot);

    // Deleting a category still in use is a 409 that says why.
    let p = problem(
        app.delete_as(&format!("/api/v1/categories/{}", algerie["id"]), Some(t))
            .await,
        409,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("1 article"), "{p}");
    let p = problem(
        app.delete_as(&format!("/api/v1/categories/{}", monde["id"]), Some(t))
            .await,
        409,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("subcategor"), "{p}");
    assert_eq!(app.snapshot().await, snapshot);

    // Moving and renaming; then an unused leaf can go.
    let moved = ok_json(
        app.patch_json(
            &format!("/api/v1/categories/{}", algerie["id"]),
            Some(t),
            &json!({"parent_id": monde["id"], "name": "Algérie et Maghreb"}),
        )
        .await,
    )
    .await;
    assert_eq!(moved["path"].as_array().unwrap().len(), 2);
    assert_eq!(moved["slug"], "algerie", "renaming keeps the slug");
    assert_eq!(moved["version"], 2);
    let gone = app
        .delete_as(&format!("/api/v1/categories/{}", afrique["id"]), Some(t))
        .await;
    assert_eq!(gone.status().as_u16(), 204);
}

/// `?reassign_to=`: a category in use goes once its articles have
/// somewhere to go (each a new version, its rendering refreshed), and its
/// subcategories move up to its parent, as in WordPress.
async fn deleting_a_category_in_use_names_where_its_articles_go(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let d = desk(&app).await;
    let t = &d.editor.token;
    let monde = category(&app, t, "Monde", None).await;
    let afrique = category(&app, t, "Afrique", monde["id"].as_i64()).await;
    let algerie = category(&app, t, "Algérie", afrique["id"].as_i64()).await;
    let sahel = category(&app, t, "Sahel", None).await;
    let filed = published(
        &app,
        t,
        "Le Niger et l’Afrique",
        afrique["id"].as_i64().unwrap(),
        d.author_id,
    )
    .await;
    let deeper = published(
        &app,
        t,
        "À Alger",
        algerie["id"].as_i64().unwrap(),
        d.author_id,
    )
    .await;
    let path = format!("/api/v1/categories/{}", afrique["id"]);
    // Warm the public reads the deletion must refresh.
    ok_json(app.get("/api/v1/articles?category=sahel").await).await;
    ok_json(app.get(&format!("/api/v1/articles/{}", deeper["id"])).await).await;

    let read = app
        .get_as(&format!("/api/v1/articles/{}", filed["id"]), Some(t))
        .await;
    let etag = header(&read, "etag");
    let author = app.create_user(cms::auth::Role::Author).await;
    let snapshot = app.snapshot().await;
    for bad in ["999999", "afrique", "nulle-part"] {
        let p = problem(
            app.delete_as(&format!("{path}?reassign_to={bad}"), Some(t))
                .await,
            422,
        )
        .await;
        assert_eq!(p["errors"][0]["field"], "reassign_to", "{bad}");
    }
    problem(
        app.delete_as(&format!("{path}?reassign_to=sahel&x=1"), Some(t))
            .await,
        400,
    )
    .await;
    problem(
        app.delete_as(&format!("{path}?reassign_to=sahel"), Some(&author.token))
            .await,
        403,
    )
    .await;
    assert_eq!(app.snapshot().await, snapshot);

    let gone = app
        .delete_as(&format!("{path}?reassign_to=sahel"), Some(t))
        .await;
    assert_eq!(gone.status().as_u16(), 204);
    problem(app.get(&path).await, 404).await;

    let moved = ok_json(app.get(&format!("/api/v1/articles/{}", filed["id"])).await).await;
    assert_eq!(moved["category"]["id"], sahel["id"]);
    assert_eq!(moved["version"], filed["version"].as_i64().unwrap() + 1);
    let listed = ok_json(app.get("/api/v1/articles?category=sahel").await).await;
    assert_eq!(listed["data"][0]["id"], filed["id"]);
    // The writer who had the old version cannot overwrite the move.
    let stale = app
        .client
        .patch(app.url(&format!("/api/v1/articles/{}", filed["id"])))
        .bearer_auth(t)
        .header("if-match", &etag)
        .json(&json!({"title": "Écrasé"}))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status().as_u16(), 412);

    let up = ok_json(
        app.get(&format!("/api/v1/categories/{}", algerie["id"]))
            .await,
    )
    .await;
    let names: Vec<&str> = up["path"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Monde", "Algérie"]);
    let deeper = ok_json(app.get(&format!("/api/v1/articles/{}", deeper["id"])).await).await;
    let crumbs: Vec<&str> = deeper["category"]["path"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["slug"].as_str().unwrap())
        .collect();
    assert_eq!(crumbs, ["monde", "algerie"]);
    assert_eq!(up["parent_id"], monde["id"]);
}

async fn authors_crud_and_own_profile(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let d = desk(&app).await;
    let t = &d.editor.token;
    let agency = created(
        app.post_json(
            "/api/v1/authors",
            Some(t),
            &json!({"name": "Agence Nigérienne de Presse", "bio": "Agence publique", "links": [{"label": "Site", "url": "https://anp.example"}]}),
        )
        .await,
    )
    .await;
    assert_eq!(agency["slug"], "agence-nigerienne-de-presse");
    assert_eq!(agency["article_count"], 0);
    assert_eq!(agency["links"][0]["url"], "https://anp.example");
    published(
        &app,
        t,
        "Dépêche",
        d.category_id,
        agency["id"].as_i64().unwrap(),
    )
    .await;
    let fetched = ok_json(app.get("/api/v1/authors/agence-nigerienne-de-presse").await).await;
    assert_eq!(fetched["article_count"], 1);
    let list = ok_json(app.get("/api/v1/authors").await).await;
    assert_eq!(list["meta"]["total"], 2);
    let patched = ok_json(
        app.patch_json(
            &format!("/api/v1/authors/{}", agency["id"]),
            Some(t),
            &json!({"bio": null, "avatar_url": "https://cdn.example/anp.webp"}),
        )
        .await,
    )
    .await;
    assert_eq!(patched["bio"], serde_json::Value::Null);
    assert_eq!(patched["version"], 2);
    let p = problem(
        app.delete_as(&format!("/api/v1/authors/{}", agency["id"]), Some(t))
            .await,
        409,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("signs"));

    // An author edits its own byline, not another's.
    let writer = app.create_user(cms::auth::Role::Author).await;
    let own = writer.author_id.unwrap();
    ok_json(
        app.patch_json(
            &format!("/api/v1/authors/{own}"),
            Some(&writer.token),
            &json!({"bio": "Reporter à Niamey"}),
        )
        .await,
    )
    .await;
    let snapshot = app.snapshot().await;
    problem(
        app.patch_json(
            &format!("/api/v1/authors/{}", agency["id"]),
            Some(&writer.token),
            &json!({"bio": "x"}),
        )
        .await,
        403,
    )
    .await;
    problem(
        app.post_json(
            "/api/v1/authors",
            Some(&writer.token),
            &json!({"name": "Moi bis"}),
        )
        .await,
        403,
    )
    .await;
    assert_eq!(app.snapshot().await, snapshot);
    let unused = byline(&app, t, "Invité").await;
    assert_eq!(
        app.delete_as(&format!("/api/v1/authors/{}", unused["id"]), Some(t))
            .await
            .status()
            .as_u16(),
        204
    );
}

async fn tags_crud(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let d = desk(&app).await;
    let t = &d.editor.token;
    let writer = app.create_user(cms::auth::Role::Author).await;
    let sahel = created(
        app.post_json(
            "/api/v1/tags",
            Some(&writer.token),
            &json!({"name": "Sahel"}),
        )
        .await,
    )
    .await;
    assert_eq!(sahel["slug"], "sahel");
    let contributor = app.create_user(cms::auth::Role::Contributor).await;
    problem(
        app.post_json(
            "/api/v1/tags",
            Some(&contributor.token),
            &json!({"name": "Non"}),
        )
        .await,
        403,
    )
    .await;
    problem(
        app.patch_json(
            &format!("/api/v1/tags/{}", sahel["id"]),
            Some(&writer.token),
            &json!({"name": "Sahel central"}),
        )
        .await,
        403,
    )
    .await;
    let renamed = ok_json(
        app.patch_json(
            &format!("/api/v1/tags/{}", sahel["id"]),
            Some(t),
            &json!({"name": "Sahel central", "description": "Mali, Niger, Burkina"}),
        )
        .await,
    )
    .await;
    assert_eq!(renamed["slug"], "sahel");
    let page = ok_json(app.get("/api/v1/tags?per_page=1").await).await;
    assert_eq!(page["meta"]["total"], 1);
    ok_json(app.get("/api/v1/tags/sahel").await).await;
    let a = article(&app, t, &json!({"title": "Avec étiquette", "body": "x", "category_id": d.category_id, "author_ids": [d.author_id], "tag_ids": [sahel["id"]], "status": "published"})).await;
    let before = ok_json(app.get(&format!("/api/v1/articles/{}", a["id"])).await).await;
    assert_eq!(before["tags"][0]["slug"], "sahel");
    // A tag in use is deleted all the same: it comes off its articles,
    // whose versions move on and whose public reads show it gone at once.
    assert_eq!(
        app.delete_as(&format!("/api/v1/tags/{}", sahel["id"]), Some(t))
            .await
            .status()
            .as_u16(),
        204
    );
    let after = ok_json(app.get(&format!("/api/v1/articles/{}", a["id"])).await).await;
    assert_eq!(after["tags"], json!([]));
    assert_eq!(
        after["version"].as_i64().unwrap(),
        before["version"].as_i64().unwrap() + 1
    );
    let listed = ok_json(app.get("/api/v1/articles").await).await;
    assert_eq!(listed["data"][0]["tags"], json!([]));
    assert_eq!(listed["data"][0]["version"], after["version"]);
    problem(app.get("/api/v1/tags/sahel").await, 404).await;
}

/// Two editors PATCH the same category, byline or tag with the ETag they
/// both read: one wins, the other gets 412, and the stored resource is the
/// winner's (no lost update, on PostgreSQL too).
async fn one_if_match_passes_once_on_every_resource(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let d = desk(&app).await;
    let t = d.editor.token.as_str();
    let resources = [
        (
            "categories",
            category(&app, t, "Économie", None).await,
            "name",
        ),
        (
            "authors",
            byline(&app, t, "Agence Nigérienne de Presse").await,
            "name",
        ),
        ("tags", tag(&app, t, "Sahel").await, "name"),
    ];
    for (collection, created, field) in resources {
        let path = format!("/api/v1/{collection}/{}", created["id"]);
        let read = app.get_as(&path, Some(t)).await;
        let etag = read.headers()["etag"].to_str().unwrap().to_owned();
        let patch = |value: &'static str| {
            app.client
                .patch(app.url(&path))
                .bearer_auth(t)
                .header("If-Match", &etag)
                .json(&json!({ field: value }))
                .send()
        };
        let (one, two) = tokio::join!(patch("Première version"), patch("Seconde version"));
        let (one, two) = (one.unwrap(), two.unwrap());
        let mut statuses = [one.status().as_u16(), two.status().as_u16()];
        statuses.sort();
        assert_eq!(statuses, [200, 412], "{collection}");
        let winner: serde_json::Value = if one.status() == 200 {
            one.json().await.unwrap()
        } else {
            two.json().await.unwrap()
        };
        let stored = ok_json(app.get_as(&path, Some(t)).await).await;
        assert_eq!(stored[field], winner[field], "{collection}");
        assert_eq!(stored["version"], 2, "{collection}");
    }
}

on_both_databases!(
    one_if_match_passes_once_on_every_resource,
    category_tree_paths_filters_cycles_and_deletes,
    deleting_a_category_in_use_names_where_its_articles_go,
    authors_crud_and_own_profile,
    tags_crud,
);
