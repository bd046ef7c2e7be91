//! PostgreSQL: after a burst of writes the service refreshes the planner's
//! statistics itself, within seconds (`db::statistics`), instead of leaving
//! plans made from the figures of an empty table until autovacuum's next
//! round (a minute at most; it records `last_autoanalyze`, never
//! `last_analyze`).

use std::time::{Duration, Instant};

use diesel::prelude::*;
use futures_util::StreamExt;
use serde_json::json;

use crate::content_fixtures::{created, desk};
use crate::helpers::TestApp;

#[derive(QueryableByName, Debug)]
struct Analysed {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    live: i64,
    #[diesel(sql_type = diesel::sql_types::Float)]
    reltuples: f32,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    analysed: bool,
}

async fn articles_statistics(app: &TestApp) -> Analysed {
    app.db
        .read(|conn| {
            let cms::db::DbConnection::Postgres(pg) = conn else {
                unreachable!("a PostgreSQL app");
            };
            diesel::sql_query(
                "SELECT s.n_live_tup AS live, c.reltuples, s.last_analyze IS NOT NULL AS analysed \
                 FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid \
                 WHERE s.relname = 'articles'",
            )
            .get_result::<Analysed>(pg)
            .map_err(|e| cms::error::ApiError::Internal(e.to_string()))
        })
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_analyses_tables_after_a_burst_of_writes() {
    let Some(app) = TestApp::spawn_postgres_with(&[]).await else {
        return;
    };
    let d = desk(&app).await;
    // Past autovacuum's threshold for a table the planner thinks empty
    // (50 changed rows), sent through the API eight at a time.
    let writes = (0..64).map(|i| {
        let app = &app;
        let token = d.editor.token.clone();
        async move {
            created(
                app.post_json(
                    "/api/v1/articles",
                    Some(&token),
                    &json!({
                        "title": format!("Dépêche « en rafale » n° {i}"),
                        "body": "Texte.",
                        "category_id": d.category_id,
                        "author_ids": [d.author_id],
                        "status": "published",
                    }),
                )
                .await,
            )
            .await
        }
    });
    futures_util::stream::iter(writes)
        .buffer_unordered(8)
        .collect::<Vec<_>>()
        .await;
    // The burst's last counters are published 10 s after it ends
    // (`db::statistics::COUNTERS_LAG`).
    let deadline = Instant::now() + Duration::from_secs(25);
    let analysed = loop {
        let now = articles_statistics(&app).await;
        if now.analysed || Instant::now() > deadline {
            break now;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(analysed.analysed, "not analysed within 25 s: {analysed:?}");
    assert!(
        analysed.reltuples >= 50.0,
        "the planner's row count is the table's: {analysed:?}"
    );
    assert!(analysed.live >= 64, "{analysed:?}");
}
