use crate::helpers::{Backend, TestApp, TestDatabase, problem};
use crate::on_both_databases;

async fn live_and_ready(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let expected = match app.backend {
        Backend::Sqlite => cms::db::Backend::Sqlite,
        Backend::Postgres => cms::db::Backend::Postgres,
    };
    assert_eq!(
        app.db.backend(),
        expected,
        "the URL scheme picks the backend"
    );
    for path in ["/health/live", "/health/ready"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        assert!(response.headers().contains_key("x-request-id"));
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["status"], "ok");
    }
}

async fn request_ids_are_echoed_when_sane(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let sent = app
        .client
        .get(app.url("/health/live"))
        .header("X-Request-Id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(sent.headers()["x-request-id"], "abc-123");
    let hostile = app
        .client
        .get(app.url("/health/live"))
        .header("X-Request-Id", "a b\tc<script>")
        .send()
        .await
        .unwrap();
    assert_ne!(hostile.headers()["x-request-id"], "a b\tc<script>");
}

/// Polls readiness until it reports `status` (the pool needs a moment to
/// notice), failing after 20 s.
async fn wait_for_ready_status(app: &TestApp, status: u16) -> reqwest::Response {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let response = app.get("/health/ready").await;
        if response.status().as_u16() == status || std::time::Instant::now() > deadline {
            return response;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

async fn ready_turns_503_when_the_database_is_gone_and_back_when_it_returns(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    assert_eq!(app.get("/health/ready").await.status(), 200);
    match &app.database {
        TestDatabase::Sqlite { path, .. } => {
            let dir = path.parent().unwrap().to_owned();
            let aside = dir.with_file_name("moved-away");
            std::fs::rename(&dir, &aside).unwrap();
            let started = std::time::Instant::now();
            let body = problem(wait_for_ready_status(&app, 503).await, 503).await;
            assert!(started.elapsed() < std::time::Duration::from_secs(10));
            assert!(
                !body["detail"].as_str().unwrap().contains("sqlite"),
                "no internals: {body}"
            );
            std::fs::rename(&aside, &dir).unwrap();
        }
        TestDatabase::Postgres(db) => {
            db.drop_database();
            let response = wait_for_ready_status(&app, 503).await;
            assert!(response.headers().contains_key("retry-after"));
            let body = problem(response, 503).await;
            assert!(
                !body["detail"].as_str().unwrap().contains(&db.name),
                "no internals: {body}"
            );
            db.recreate_database();
        }
        TestDatabase::Shared { .. } => unreachable!("spawned with a database of its own"),
    }
    assert_eq!(wait_for_ready_status(&app, 200).await.status(), 200);
}

/// SQLite writes go through a connection kept apart from the pool: it too
/// must refuse a database file that is gone (writes to it would be lost),
/// then write to the file again once it is back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_writes_refuse_a_database_that_is_gone() {
    use diesel::connection::SimpleConnection;
    let app = TestApp::spawn(Backend::Sqlite).await;
    let write = |marker: &'static str| {
        app.db.write(move |conn| {
            conn.batch_execute(&format!(
                "CREATE TABLE IF NOT EXISTS marks (m TEXT); INSERT INTO marks VALUES ('{marker}');"
            ))?;
            Ok(())
        })
    };
    write("before").await.unwrap();
    let TestDatabase::Sqlite { path, .. } = &app.database else {
        unreachable!("a SQLite app")
    };
    let dir = path.parent().unwrap().to_owned();
    let aside = dir.with_file_name("moved-away");
    std::fs::rename(&dir, &aside).unwrap();
    let refused = write("while gone").await;
    std::fs::rename(&aside, &dir).unwrap();
    assert!(
        matches!(refused, Err(cms::error::ApiError::DatabaseUnavailable(_))),
        "{refused:?}"
    );
    write("after").await.unwrap();
    let marks = app
        .db
        .read(|conn| {
            use diesel::prelude::*;
            Ok(
                diesel::dsl::sql::<diesel::sql_types::Text>("SELECT m FROM marks ORDER BY rowid")
                    .load::<String>(conn)?,
            )
        })
        .await
        .unwrap();
    assert_eq!(marks, ["before", "after"]);
}

/// A pooled PostgreSQL connection that answered less than a second ago is
/// handed out without a `SELECT 1`. When the server drops every connection
/// (a restart, a failover), the request that meets a dead one gets a 503,
/// and that loss puts every other pooled connection to the check before
/// its next use: no second request fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_postgres_connections_fail_one_request_not_one_per_connection() {
    let Some(app) =
        TestApp::spawn_postgres_with(&[("CMS_DB_POOL_SIZE", "4"), ("CMS_RESPONSE_CACHE_MB", "0")])
            .await
    else {
        return;
    };
    let TestDatabase::Postgres(db) = &app.database else {
        unreachable!("a PostgreSQL app")
    };
    let list = "/api/v1/articles?per_page=1";
    // All four connections open and proven by a request.
    let warm: Vec<_> = futures_util::future::join_all((0..16).map(|_| app.get(list))).await;
    assert!(warm.iter().all(|r| r.status() == 200));
    assert_eq!(app.db.pool_state().connections, 4);

    assert!(db.terminate_connections() >= 4);
    let mut statuses = Vec::new();
    for _ in 0..12 {
        statuses.push(app.get(list).await.status().as_u16());
    }
    let failed: Vec<_> = statuses.iter().filter(|s| **s != 200).collect();
    assert!(failed.len() <= 1, "{statuses:?}");
    assert!(failed.iter().all(|s| **s == 503), "{statuses:?}");
    assert_eq!(statuses.last(), Some(&200));
}

async fn metrics_count_responses_in_prometheus_text(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.get("/health/live").await;
    app.get("/nope").await;
    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = response.text().await.unwrap();
    let count = |class: &str| -> u64 {
        let prefix = format!("cms_http_responses_total{{class=\"{class}\"}} ");
        text.lines()
            .find_map(|l| l.strip_prefix(&prefix))
            .unwrap()
            .parse()
            .unwrap()
    };
    assert!(count("2xx") >= 1, "{text}");
    assert!(count("4xx") >= 1, "{text}");
    assert!(text.contains("cms_db_connections{state=\"idle\"}"));
}

on_both_databases!(
    live_and_ready,
    metrics_count_responses_in_prometheus_text,
    request_ids_are_echoed_when_sane,
    ready_turns_503_when_the_database_is_gone_and_back_when_it_returns,
);
