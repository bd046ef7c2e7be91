//! Lists: keyset cursors, bounded queries, filters, Link headers.

use std::collections::HashSet;

use diesel::RunQueryDsl;
use serde_json::{Value, json};

use crate::content_fixtures::*;
use crate::helpers::{Backend, TestApp, problem};
use crate::on_both_databases;

/// Inserts `n` published articles through the library's write path, in one
/// transaction; groups of five share a `published_at` to exercise the id
/// tie-break.
async fn seed_published(
    app: &TestApp,
    n: usize,
    category_id: i64,
    author_id: i64,
    tag_ids: Vec<i64>,
) {
    use cms::content::articles::input::{ArticleCreate, ArticleDraft, Desired};
    use cms::content::articles::use_cases::insert;
    app.db
        .write(move |conn| {
            let now = cms::timestamp::now();
            for i in 0..n {
                let at = now - chrono::Duration::minutes(10 + (i / 5) as i64);
                let desired = Desired::from_create(ArticleCreate {
                    title: Some(format!("Dépêche numéro {i}")),
                    body: Some(format!("Texte de la dépêche {i}.")),
                    body_format: None,
                    excerpt: None,
                    slug: None,
                    status: Some(cms::content::articles::lifecycle::ArticleStatus::Published),
                    published_at: Some(at.and_utc()),
                    category_id: Some(category_id),
                    author_ids: Some(vec![author_id]),
                    tag_ids: Some(tag_ids.clone()),
                    featured_image_id: None,
                    featured_image: None,
                    seo: None,
                    featured: Some(i % 7 == 0),
                    sponsored: None,
                    comments_enabled: None,
                    language: None,
                });
                let draft = ArticleDraft::parse(
                    desired,
                    None,
                    now,
                    &cms::content::embeds::EmbedHosts::default(),
                )
                .map_err(cms::error::ApiError::Validation)?;
                insert(
                    conn,
                    &draft,
                    cms::changes::Actor::system("test"),
                    now,
                    &cms::content::media::views::MediaUrls::new(None),
                )?;
            }
            Ok(())
        })
        .await
        .expect("seed articles");
}

async fn cursor_walk_has_no_duplicate_and_no_gap(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let d = desk(&app).await;
    seed_published(&app, 250, d.category_id, d.author_id, vec![]).await;
    let mut seen: Vec<i64> = Vec::new();
    let mut path = "/api/v1/articles?per_page=20".to_owned();
    let mut pages = 0;
    loop {
        let response = app.get(&path).await;
        let link = response
            .headers()
            .get("link")
            .map(|l| l.to_str().unwrap().to_owned());
        let page = ok_json(response).await;
        pages += 1;
        seen.extend(
            page["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["id"].as_i64().unwrap()),
        );
        // Something new is published between pages: it sorts before the
        // cursor and must not shift what comes next.
        published(
            &app,
            &d.editor.token,
            &format!("Flash {pages}"),
            d.category_id,
            d.author_id,
        )
        .await;
        match page["meta"]["next_cursor"].as_str() {
            Some(cursor) => {
                assert!(link.unwrap().contains("rel=\"next\""));
                path = format!("/api/v1/articles?per_page=20&cursor={cursor}");
            }
            None => break,
        }
        assert!(pages < 50, "the walk does not end");
    }
    let unique: HashSet<i64> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len(), "duplicates in the walk");
    let seeded: HashSet<i64> = (1..=250).collect();
    assert!(
        seeded.is_subset(&unique),
        "gaps: {:?}",
        seeded.difference(&unique).collect::<Vec<_>>()
    );
    assert_eq!(
        seen.len(),
        250,
        "only the seeded articles lie after the first page's start"
    );

    // Tampered or foreign cursors are a 400 naming `cursor`.
    let first = ok_json(app.get("/api/v1/articles?per_page=5").await).await;
    let cursor = first["meta"]["next_cursor"].as_str().unwrap().to_owned();
    let mut tampered = cursor.clone();
    tampered.replace_range(0..1, if cursor.starts_with('e') { "f" } else { "e" });
    for bad in [tampered.as_str(), "nimportequoi"] {
        let p = problem(
            app.get(&format!("/api/v1/articles?per_page=5&cursor={bad}"))
                .await,
            400,
        )
        .await;
        assert_eq!(p["errors"][0]["field"], "cursor");
    }
    let p = problem(
        app.get(&format!(
            "/api/v1/articles?per_page=5&sort=title&cursor={cursor}"
        ))
        .await,
        400,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "cursor");
}

async fn list_queries_do_not_grow_with_per_page(backend: Backend) {
    // The database path is measured, not the response cache in front of it.
    let app = TestApp::spawn_with(
        backend,
        &[
            ("CMS_RESPONSE_CACHE_MB", "0"),
            ("CMS_LIST_TOTALS_MEMO", "false"),
        ],
    )
    .await;
    let d = desk(&app).await;
    let t = &d.editor.token;
    let tags: Vec<i64> = [tag(&app, t, "Sahel").await, tag(&app, t, "Économie").await]
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    seed_published(&app, 60, d.category_id, d.author_id, tags).await;
    // The fewest of three runs: the category tree kept in memory is loaded
    // again (one query) whenever the watcher moves the content generation,
    // which the seeding above still does for a moment.
    let count = |path: &'static str| {
        let app = &app;
        async move {
            let mut fewest = None;
            let mut body = Value::Null;
            for _ in 0..3 {
                let before = app.db.queries_executed();
                body = ok_json(app.get(path).await).await;
                let ran = app.db.queries_executed() - before;
                fewest = Some(fewest.map_or(ran, |f: u64| f.min(ran)));
            }
            (fewest.unwrap_or_default(), body)
        }
    };
    // Warm the pool so connection set-up is not counted.
    count("/api/v1/articles?per_page=1").await;
    let (one, small) = count("/api/v1/articles?per_page=1").await;
    let (fifty, big) = count("/api/v1/articles?per_page=50").await;
    assert_eq!(small["data"].as_array().unwrap().len(), 1);
    assert_eq!(big["data"].as_array().unwrap().len(), 50);
    assert_eq!(big["data"][49]["tags"].as_array().unwrap().len(), 2);
    assert_eq!(
        one, fifty,
        "per_page=1 ran {one} queries, per_page=50 ran {fifty}"
    );
    let (filtered, _) =
        count("/api/v1/articles?per_page=50&category=actualites&tag=sahel&author=la-redaction")
            .await;
    assert!(filtered <= fifty + 1, "filters cost {filtered} queries");
}

async fn pages_filters_and_links(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let d = desk(&app).await;
    seed_published(&app, 45, d.category_id, d.author_id, vec![]).await;
    let response = app
        .get("/api/v1/articles?page=2&per_page=20&featured=true")
        .await;
    let link = response.headers()["link"].to_str().unwrap().to_owned();
    let page = ok_json(response).await;
    // 45 articles, every 7th featured: 7 of them, so page 2 of 20 is empty.
    assert_eq!(page["meta"]["total"], 7);
    assert_eq!(page["meta"]["total_pages"], 1);
    assert!(
        link.contains("rel=\"first\"") && link.contains("featured=true"),
        "{link}"
    );
    let response = app.get("/api/v1/articles?page=2&per_page=20").await;
    let link = response.headers()["link"].to_str().unwrap().to_owned();
    let page = ok_json(response).await;
    assert_eq!(page["meta"]["page"], 2);
    assert_eq!(page["meta"]["total_pages"], 3);
    for rel in ["first", "prev", "next", "last"] {
        assert!(
            link.contains(&format!("rel=\"{rel}\"")),
            "{rel} missing: {link}"
        );
    }
    assert!(link.contains("page=3>; rel=\"next\""), "{link}");
    let by_title = ok_json(app.get("/api/v1/articles?sort=title&per_page=3").await).await;
    assert_eq!(by_title["data"][0]["title"], "Dépêche numéro 0");
    let search = ok_json(app.get("/api/v1/articles?q=DEPECHE%2012").await).await;
    assert_eq!(search["meta"]["total"], 1, "{search}");
    let early = ok_json(
        app.get("/api/v1/articles?published_before=2000-01-01T00:00:00Z")
            .await,
    )
    .await;
    assert_eq!(early["meta"]["total"], 0);
    let recent = ok_json(
        app.get("/api/v1/articles?published_after=2000-01-01T00:00:00Z&per_page=1")
            .await,
    )
    .await;
    assert_eq!(recent["meta"]["total"], 45);
    let _: &Value = &json!(null);
}

/// `meta.total` of page 1 for the public and for `token`, checking on the
/// way that list items leave the body out.
async fn totals(app: &TestApp, token: &str) -> (i64, i64) {
    let mut totals = [0, 0];
    for (i, token) in [None, Some(token)].into_iter().enumerate() {
        let body = ok_json(app.get_as("/api/v1/articles?per_page=2", token).await).await;
        assert!(body["data"][0].get("body").is_none(), "{body}");
        assert!(body["data"][0].get("body_html").is_none(), "{body}");
        totals[i] = body["meta"]["total"].as_i64().unwrap();
    }
    (totals[0], totals[1])
}

/// Totals are memoised per query while caching is on; every write through
/// the API must show in the next total, for the public (response cache in
/// front) and for the newsroom (authenticated: no response cache, the memo
/// alone), and lists without `include=body` must not carry the body.
/// The totals memo on its own (response cache off, so every list is built
/// from the database) follows every write.
async fn list_totals_follow_writes(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("CMS_RESPONSE_CACHE_MB", "0")]).await;
    let d = desk(&app).await;
    let t = d.editor.token.as_str();
    seed_published(&app, 3, d.category_id, d.author_id, vec![]).await;
    assert_eq!(totals(&app, t).await, (3, 3));
    let created = article(
        &app,
        t,
        &json!({"title": "Une brève de plus", "body": "Texte.", "status": "published",
                "category_id": d.category_id, "author_ids": [d.author_id]}),
    )
    .await;
    assert_eq!(totals(&app, t).await, (4, 4));
    let draft = article(
        &app,
        t,
        &json!({"title": "Un brouillon", "body": "Texte.",
                "category_id": d.category_id, "author_ids": [d.author_id]}),
    )
    .await;
    assert_eq!(totals(&app, t).await, (4, 5));
    let path = format!("/api/v1/articles/{}", created["id"]);
    assert_eq!(app.delete_as(&path, Some(t)).await.status(), 204);
    let path = format!("/api/v1/articles/{}", draft["id"]);
    assert_eq!(app.delete_as(&path, Some(t)).await.status(), 204);
    assert_eq!(totals(&app, t).await, (3, 3));
}

/// PostgreSQL plans each list statement once, without its values
/// (`db::plan_stability`): left to choose, it planned every cursor page and
/// every category page again for their values. Read back from the one
/// pooled connection's own prepared statements.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_plans_each_list_statement_once() {
    let Some(app) =
        TestApp::spawn_postgres_with(&[("CMS_DB_POOL_SIZE", "1"), ("CMS_RESPONSE_CACHE_MB", "0")])
            .await
    else {
        return;
    };
    let d = desk(&app).await;
    seed_published(&app, 30, d.category_id, d.author_id, vec![]).await;
    let first = ok_json(app.get("/api/v1/articles?per_page=5").await).await;
    let cursor = first["meta"]["next_cursor"].as_str().unwrap().to_owned();
    for _ in 0..8 {
        for path in [
            format!("/api/v1/articles?per_page=5&cursor={cursor}"),
            "/api/v1/articles?per_page=5&category=actualites".to_owned(),
        ] {
            let page = ok_json(app.get(&path).await).await;
            assert_eq!(page["data"].as_array().unwrap().len(), 5, "{path}");
        }
    }

    #[derive(diesel::QueryableByName, Debug)]
    struct Plans {
        #[diesel(sql_type = diesel::sql_types::Text)]
        statement: String,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        generic_plans: i64,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        custom_plans: i64,
    }
    let db = app.db.clone();
    let plans = tokio::task::spawn_blocking(move || {
        let mut conn = db.get_blocking().unwrap();
        let cms::db::DbConnection::Postgres(pg) = &mut **conn else {
            unreachable!("a PostgreSQL app")
        };
        diesel::sql_query(
            "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements \
             WHERE statement LIKE '%article_renderings%' AND statement LIKE '%LIMIT 6%'",
        )
        .load::<Plans>(pg)
        .unwrap()
    })
    .await
    .unwrap();
    let runs = |marker: &str| {
        plans
            .iter()
            .find(|p| p.statement.contains(marker))
            .map(|p| p.generic_plans)
    };
    assert_eq!(runs("\"id\" < $"), Some(8), "cursor page: {plans:#?}");
    assert_eq!(runs("= ANY("), Some(8), "category page: {plans:#?}");
    assert!(plans.iter().all(|p| p.custom_plans == 0), "{plans:#?}");
}

on_both_databases!(
    list_totals_follow_writes,
    cursor_walk_has_no_duplicate_and_no_gap,
    list_queries_do_not_grow_with_per_page,
    pages_filters_and_links,
);
