//! Concurrent writers queue; none is told "database is locked".

use futures_util::future::join_all;
use serde_json::json;

use cms::auth::Role;

use crate::helpers::{Backend, TestApp};
use crate::on_both_databases;

async fn concurrent_writers_all_succeed(backend: Backend) {
    // Sign-ins past the password pool's capacity (threads + 8 per thread)
    // are refused with 503 by design (`auth::password_work`); on a two-core
    // machine the default is one thread, nine places, fewer than the 24 sent
    // here. Three threads give 27 places, so what this test sees is the
    // database's queueing, not the hashing pool's limit.
    let app = TestApp::spawn_with(
        backend,
        &[
            ("CMS_WORKERS", "4"),
            ("CMS_DB_POOL_SIZE", "8"),
            ("CMS_PASSWORD_HASHING_THREADS", "3"),
        ],
    )
    .await;
    let user = app.create_user(Role::Editor).await;
    // Each successful login writes a refresh token and clears a throttle row.
    let body = json!({"email": user.email, "password": user.password});
    let logins = (0..24).map(|_| app.post_json("/api/v1/auth/login", None, &body));
    let statuses: Vec<u16> = join_all(logins)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
}

on_both_databases!(concurrent_writers_all_succeed);
