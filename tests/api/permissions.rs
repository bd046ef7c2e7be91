//! The permission matrix: one table of (method, path, body, caller, expected
//! status), run over HTTP against one app per database. Every refusal must
//! leave the database exactly as it was, and so must every read.
//!
//! Content routes join by adding rows to `cases()` (and, if they need their
//! own resources, placeholders to `Fixture::resolve`).

use std::collections::HashMap;

use reqwest::Method;
use serde_json::{Value, json};

use cms::auth::Role;

use crate::helpers::{Backend, TEST_PASSWORD, TestApp};
use crate::on_both_databases;

/// Who calls: the public, one account per role, one API token per scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Who {
    Public,
    Contributor,
    Author,
    Editor,
    Admin,
    TokenRead,
    TokenWrite,
    TokenAdmin,
}

/// The column order of `row`'s expected statuses.
pub const EVERYONE: [Who; 8] = [
    Who::Public,
    Who::Contributor,
    Who::Author,
    Who::Editor,
    Who::Admin,
    Who::TokenRead,
    Who::TokenWrite,
    Who::TokenAdmin,
];

#[derive(Debug, Clone)]
pub struct Case {
    pub method: Method,
    /// Placeholders: `{self}` the caller's own account (for the public and
    /// tokens, the admin who created the tokens), `{other}` another account,
    /// `{fresh_user}` / `{fresh_token}` made for this case alone (so that a
    /// permitted delete does not disturb later cases), `{missing}` an id that
    /// does not exist.
    pub path: &'static str,
    /// Strings may contain `{unique}`, replaced by a fresh value per case.
    pub body: Option<Value>,
    pub who: Who,
    pub expected: u16,
}

/// One route, with the expected status for each caller in `EVERYONE` order.
pub fn row(
    method: Method,
    path: &'static str,
    body: Option<Value>,
    expected: [u16; 8],
) -> Vec<Case> {
    EVERYONE
        .iter()
        .zip(expected)
        .map(|(&who, expected)| Case {
            method: method.clone(),
            path,
            body: body.clone(),
            who,
            expected,
        })
        .collect()
}

/// Everyone but an administrator (account or token) is refused: 401 for the
/// public, 403 for the rest.
fn admin_only(ok: u16) -> [u16; 8] {
    [401, 403, 403, 403, ok, 403, 403, ok]
}

pub fn cases() -> Vec<Case> {
    let get = || Method::GET;
    let post = || Method::POST;
    let patch = || Method::PATCH;
    let delete = || Method::DELETE;
    let new_user = json!({
        "email": "nouveau-{unique}@redaction.test",
        "password": "une phrase de passe assez longue",
        "display_name": "Nouvelle recrue",
        "role": "author"
    });
    [
        // auth
        row(get(), "/api/v1/auth/me", None, [401, 200, 200, 200, 200, 403, 403, 403]),
        row(
            post(),
            "/api/v1/auth/password",
            Some(json!({"current_password": "pas le mot de passe actuel", "new_password": "une nouvelle phrase de passe"})),
            [401, 422, 422, 422, 422, 403, 403, 403],
        ),
        row(
            post(),
            "/api/v1/auth/password",
            Some(json!({"current_password": TEST_PASSWORD, "new_password": "court"})),
            [401, 422, 422, 422, 422, 403, 403, 403],
        ),
        row(post(), "/api/v1/auth/refresh", Some(json!({"refresh_token": "inconnu"})), [401; 8]),
        row(post(), "/api/v1/auth/logout", Some(json!({"refresh_token": "inconnu"})), [204; 8]),
        row(
            post(),
            "/api/v1/auth/login",
            Some(json!({"email": "personne-{unique}@redaction.test", "password": "pas le bon mot de passe"})),
            [401; 8],
        ),
        // users
        row(get(), "/api/v1/users", None, admin_only(200)),
        row(get(), "/api/v1/users?per_page=101", None, admin_only(400)),
        row(get(), "/api/v1/users/{self}", None, admin_only(200)),
        row(get(), "/api/v1/users/{other}", None, admin_only(200)),
        row(get(), "/api/v1/users/{missing}", None, admin_only(404)),
        row(get(), "/api/v1/users/abc", None, admin_only(404)),
        row(post(), "/api/v1/users", Some(new_user), admin_only(201)),
        row(
            post(),
            "/api/v1/users",
            Some(json!({"email": "pas-une-adresse", "password": "court", "display_name": "", "role": "author", "extra": 1})),
            admin_only(422),
        ),
        row(patch(), "/api/v1/users/{self}", Some(json!({"display_name": "Rédaction en chef"})), admin_only(200)),
        row(patch(), "/api/v1/users/{other}", Some(json!({"display_name": "Chef d'édition"})), admin_only(200)),
        row(patch(), "/api/v1/users/{fresh_user}", Some(json!({"role": "author", "active": false})), admin_only(200)),
        row(patch(), "/api/v1/users/{other}", Some(json!({"bogus": true})), admin_only(422)),
        row(patch(), "/api/v1/users/{missing}", Some(json!({"display_name": "Personne"})), admin_only(404)),
        // the only administrator cannot lock everyone out
        row(patch(), "/api/v1/users/{self}", Some(json!({"active": false})), admin_only(409)),
        row(patch(), "/api/v1/users/{self}", Some(json!({"role": "editor"})), admin_only(409)),
        row(delete(), "/api/v1/users/{self}", None, admin_only(409)),
        row(delete(), "/api/v1/users/{fresh_user}", None, admin_only(204)),
        row(delete(), "/api/v1/users/{missing}", None, admin_only(404)),
        // tokens
        row(get(), "/api/v1/tokens", None, admin_only(200)),
        row(get(), "/api/v1/tokens?per_page=0", None, admin_only(400)),
        row(
            post(),
            "/api/v1/tokens",
            Some(json!({"name": "Intégration {unique}", "scopes": ["content:read"]})),
            admin_only(201),
        ),
        row(
            post(),
            "/api/v1/tokens",
            Some(json!({"name": "", "scopes": ["tout"]})),
            admin_only(422),
        ),
        row(delete(), "/api/v1/tokens/{fresh_token}", None, admin_only(204)),
        row(delete(), "/api/v1/tokens/{missing}", None, admin_only(404)),
    ]
    .into_iter()
    .flatten()
    .collect()
}

struct Credentials {
    token: Option<String>,
    user_id: Option<i64>,
}

/// The callers and resources the table's placeholders refer to.
pub struct Fixture {
    callers: HashMap<Who, Credentials>,
    admin_id: i64,
    pub admin_token: String,
    /// An editor no caller is, signed in with `TEST_PASSWORD`.
    pub other_user: i64,
}

impl Fixture {
    pub async fn new(app: &TestApp) -> Self {
        let mut callers = HashMap::new();
        callers.insert(
            Who::Public,
            Credentials {
                token: None,
                user_id: None,
            },
        );
        let mut admin = None;
        for (who, role) in [
            (Who::Contributor, Role::Contributor),
            (Who::Author, Role::Author),
            (Who::Editor, Role::Editor),
            (Who::Admin, Role::Admin),
        ] {
            let user = app.create_user(role).await;
            if who == Who::Admin {
                admin = Some(user.clone());
            }
            callers.insert(
                who,
                Credentials {
                    token: Some(user.token),
                    user_id: Some(user.id),
                },
            );
        }
        let admin = admin.expect("admin");
        for (who, scope) in [
            (Who::TokenRead, "content:read"),
            (Who::TokenWrite, "content:write"),
            (Who::TokenAdmin, "admin"),
        ] {
            let (_, token) = app.create_api_token(&admin.token, &[scope]).await;
            callers.insert(
                who,
                Credentials {
                    token: Some(token),
                    user_id: None,
                },
            );
        }
        let other = app.create_user(Role::Editor).await;
        Self {
            callers,
            admin_id: admin.id,
            admin_token: admin.token,
            other_user: other.id,
        }
    }

    /// The concrete path and body of a case, creating what it needs.
    async fn resolve(&self, app: &TestApp, case: &Case) -> (String, Option<Value>) {
        let own = self.callers[&case.who].user_id.unwrap_or(self.admin_id);
        let mut path = case
            .path
            .replace("{self}", &own.to_string())
            .replace("{other}", &self.other_user.to_string())
            .replace("{missing}", "987654321");
        if path.contains("{fresh_user}") {
            let user = app.create_user(Role::Editor).await;
            path = path.replace("{fresh_user}", &user.id.to_string());
        }
        if path.contains("{fresh_token}") {
            let (id, _) = app
                .create_api_token(&self.admin_token, &["content:read"])
                .await;
            path = path.replace("{fresh_token}", &id.to_string());
        }
        let body = case.body.as_ref().map(|b| {
            let unique = uuid::Uuid::new_v4().simple().to_string();
            let text = b.to_string().replace("{unique}", &unique[..10]);
            serde_json::from_str(&text).expect("body with placeholders is JSON")
        });
        (path, body)
    }
}

impl Fixture {
    /// Sends a resolved request as the case's caller; `before` is taken
    /// after any per-case setup.
    pub async fn send(&self, app: &TestApp, case: &Case) -> (reqwest::Response, Vec<String>) {
        let (path, body) = self.resolve(app, case).await;
        let token = self.callers[&case.who].token.as_deref();
        let before = app.snapshot().await;
        let mut request = app.client.request(case.method.clone(), app.url(&path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = &body {
            request = request.json(body);
        }
        (request.send().await.expect("request"), before)
    }
}

/// Runs every case; reports every mismatch at once.
pub async fn run_matrix(app: &TestApp, fixture: &Fixture, cases: Vec<Case>) {
    let mut failures = Vec::new();
    for case in &cases {
        let (response, before) = fixture.send(app, case).await;
        let status = response.status().as_u16();
        let label = format!("{} {} as {:?}", case.method, case.path, case.who);
        if status != case.expected {
            let text = response.text().await.unwrap_or_default();
            failures.push(format!(
                "{label}: expected {}, got {status}: {text}",
                case.expected
            ));
            continue;
        }
        let writes_nothing =
            status >= 400 || case.method == Method::GET || case.path == "/api/v1/auth/logout";
        if writes_nothing && app.snapshot().await != before {
            failures.push(format!(
                "{label}: answered {status} but changed the database"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

async fn permission_matrix(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let fixture = Fixture::new(&app).await;
    run_matrix(&app, &fixture, cases()).await;
}

on_both_databases!(permission_matrix);
