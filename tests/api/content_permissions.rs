//! The content permission matrix: every content route × caller kind × own or
//! another's article. Each row states the expected status; after every
//! refusal the database must be exactly as before.

use serde_json::{Value, json};

use crate::content_fixtures::*;
use crate::helpers::{Backend, TestApp};
use crate::on_both_databases;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Public,
    Contributor,
    Author,
    Editor,
    Admin,
    ReadToken,
    WriteToken,
}
use Who::*;

/// Whose article (or byline) the row targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Whose {
    Own,
    Other,
}
use Whose::*;

const ALL: [Who; 7] = [
    Public,
    Contributor,
    Author,
    Editor,
    Admin,
    ReadToken,
    WriteToken,
];

/// (method, path, body, callers, whose, expected status). In paths and
/// bodies: `{article}` the target article (a draft signed by the caller when
/// `Own`, by someone else otherwise), `{published}` a published article of
/// someone else, `{byline}` the caller's byline for `Own` (another's for
/// `Other`), `{category}`, `{tag}` fresh ones, `{future}` a future instant.
type Row = (
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static [Who],
    Whose,
    u16,
);

const DRAFT: &str = r#"{"title": "Brouillon de la matrice", "body": "Texte.", "category_id": {category}, "author_ids": [{byline}]}"#;
const PUBLISH_NEW: &str = r#"{"title": "Publié d’emblée", "body": "Texte.", "category_id": {category}, "author_ids": [{byline}], "status": "published"}"#;
const SCHEDULE_NEW: &str = r#"{"title": "Programmé", "body": "Texte.", "category_id": {category}, "author_ids": [{byline}], "status": "scheduled", "published_at": "{future}"}"#;

const ROWS: &[Row] = &[
    // Reading articles.
    ("GET", "/api/v1/articles", None, &ALL, Other, 200),
    (
        "GET",
        "/api/v1/articles/{published}",
        None,
        &ALL,
        Other,
        200,
    ),
    (
        "GET",
        "/api/v1/articles/{published}/related",
        None,
        &ALL,
        Other,
        200,
    ),
    (
        "GET",
        "/api/v1/articles/{article}",
        None,
        &[Public],
        Other,
        404,
    ),
    (
        "GET",
        "/api/v1/articles/{article}",
        None,
        &[Contributor, Author, Editor, Admin, ReadToken, WriteToken],
        Other,
        200,
    ),
    (
        "GET",
        "/api/v1/articles/{article}/related",
        None,
        &[Public],
        Other,
        404,
    ),
    // Creating articles.
    (
        "POST",
        "/api/v1/articles",
        Some(DRAFT),
        &[Public],
        Other,
        401,
    ),
    (
        "POST",
        "/api/v1/articles",
        Some(DRAFT),
        &[ReadToken],
        Other,
        403,
    ),
    (
        "POST",
        "/api/v1/articles",
        Some(DRAFT),
        &[Contributor, Author],
        Own,
        201,
    ),
    (
        "POST",
        "/api/v1/articles",
        Some(DRAFT),
        &[Contributor, Author],
        Other,
        403,
    ),
    (
        "POST",
        "/api/v1/articles",
        Some(DRAFT),
        &[Editor, Admin, WriteToken],
        Other,
        201,
    ),
    (
        "POST",
        "/api/v1/articles",
        Some(PUBLISH_NEW),
        &[Contributor],
        Own,
        403,
    ),
    (
        "POST",
        "/api/v1/articles",
        Some(PUBLISH_NEW),
        &[Author],
        Own,
        201,
    ),
    (
        "POST",
        "/api/v1/articles",
        Some(SCHEDULE_NEW),
        &[Contributor],
        Own,
        403,
    ),
    (
        "POST",
        "/api/v1/articles",
        Some(SCHEDULE_NEW),
        &[Author, Editor],
        Own,
        201,
    ),
    // Editing articles.
    (
        "PATCH",
        "/api/v1/articles/{article}",
        Some(r#"{"title": "Retouché"}"#),
        &[Public],
        Other,
        401,
    ),
    (
        "PATCH",
        "/api/v1/articles/{article}",
        Some(r#"{"title": "Retouché"}"#),
        &[ReadToken],
        Other,
        403,
    ),
    (
        "PATCH",
        "/api/v1/articles/{article}",
        Some(r#"{"title": "Retouché"}"#),
        &[Contributor, Author],
        Own,
        200,
    ),
    (
        "PATCH",
        "/api/v1/articles/{article}",
        Some(r#"{"title": "Retouché"}"#),
        &[Contributor, Author],
        Other,
        403,
    ),
    (
        "PATCH",
        "/api/v1/articles/{article}",
        Some(r#"{"title": "Retouché"}"#),
        &[Editor, Admin, WriteToken],
        Other,
        200,
    ),
    (
        "PATCH",
        "/api/v1/articles/{published}",
        Some(r#"{"title": "Retouché"}"#),
        &[Contributor, Author],
        Other,
        403,
    ),
    // Publishing and scheduling.
    (
        "PATCH",
        "/api/v1/articles/{article}",
        Some(r#"{"status": "published"}"#),
        &[Contributor],
        Own,
        403,
    ),
    (
        "PATCH",
        "/api/v1/articles/{article}",
        Some(r#"{"status": "published"}"#),
        &[Author],
        Own,
        200,
    ),
    (
        "PATCH",
        "/api/v1/articles/{article}",
        Some(r#"{"status": "published"}"#),
        &[Author],
        Other,
        403,
    ),
    (
        "PATCH",
        "/api/v1/articles/{article}",
        Some(r#"{"status": "published"}"#),
        &[Editor, Admin, WriteToken],
        Other,
        200,
    ),
    (
        "PATCH",
        "/api/v1/articles/{article}",
        Some(r#"{"status": "scheduled", "published_at": "{future}"}"#),
        &[Contributor],
        Own,
        403,
    ),
    (
        "PATCH",
        "/api/v1/articles/{article}",
        Some(r#"{"status": "scheduled", "published_at": "{future}"}"#),
        &[Author],
        Own,
        200,
    ),
    (
        "PATCH",
        "/api/v1/articles/{article}",
        Some(r#"{"status": "review"}"#),
        &[Contributor],
        Own,
        200,
    ),
    // Taking one's byline off is taking the article away from oneself.
    (
        "PATCH",
        "/api/v1/articles/{article}",
        Some(r#"{"author_ids": [{other_byline}]}"#),
        &[Contributor, Author],
        Own,
        403,
    ),
    // Deleting articles.
    (
        "DELETE",
        "/api/v1/articles/{article}",
        None,
        &[Public],
        Other,
        401,
    ),
    (
        "DELETE",
        "/api/v1/articles/{article}",
        None,
        &[ReadToken],
        Other,
        403,
    ),
    (
        "DELETE",
        "/api/v1/articles/{article}",
        None,
        &[Contributor, Author],
        Own,
        204,
    ),
    (
        "DELETE",
        "/api/v1/articles/{article}",
        None,
        &[Contributor, Author],
        Other,
        403,
    ),
    (
        "DELETE",
        "/api/v1/articles/{published}",
        None,
        &[Contributor, Author],
        Other,
        403,
    ),
    (
        "DELETE",
        "/api/v1/articles/{article}",
        None,
        &[Editor, Admin, WriteToken],
        Other,
        204,
    ),
    // Categories.
    ("GET", "/api/v1/categories", None, &ALL, Other, 200),
    (
        "GET",
        "/api/v1/categories/{category}",
        None,
        &ALL,
        Other,
        200,
    ),
    (
        "POST",
        "/api/v1/categories",
        Some(r#"{"name": "Rubrique"}"#),
        &[Public],
        Other,
        401,
    ),
    (
        "POST",
        "/api/v1/categories",
        Some(r#"{"name": "Rubrique"}"#),
        &[Contributor, Author, ReadToken],
        Other,
        403,
    ),
    (
        "POST",
        "/api/v1/categories",
        Some(r#"{"name": "Rubrique"}"#),
        &[Editor, Admin, WriteToken],
        Other,
        201,
    ),
    (
        "PATCH",
        "/api/v1/categories/{category}",
        Some(r#"{"position": 3}"#),
        &[Contributor, Author, ReadToken],
        Other,
        403,
    ),
    (
        "PATCH",
        "/api/v1/categories/{category}",
        Some(r#"{"position": 3}"#),
        &[Editor, Admin, WriteToken],
        Other,
        200,
    ),
    (
        "DELETE",
        "/api/v1/categories/{category}",
        None,
        &[Public],
        Other,
        401,
    ),
    (
        "DELETE",
        "/api/v1/categories/{category}",
        None,
        &[Contributor, Author, ReadToken],
        Other,
        403,
    ),
    (
        "DELETE",
        "/api/v1/categories/{category}",
        None,
        &[Editor, Admin, WriteToken],
        Other,
        204,
    ),
    // Authors (bylines).
    ("GET", "/api/v1/authors", None, &ALL, Other, 200),
    ("GET", "/api/v1/authors/{byline}", None, &ALL, Other, 200),
    (
        "POST",
        "/api/v1/authors",
        Some(r#"{"name": "Plume invitée"}"#),
        &[Public],
        Other,
        401,
    ),
    (
        "POST",
        "/api/v1/authors",
        Some(r#"{"name": "Plume invitée"}"#),
        &[Contributor, Author, ReadToken],
        Other,
        403,
    ),
    (
        "POST",
        "/api/v1/authors",
        Some(r#"{"name": "Plume invitée"}"#),
        &[Editor, Admin, WriteToken],
        Other,
        201,
    ),
    (
        "PATCH",
        "/api/v1/authors/{byline}",
        Some(r#"{"bio": "Nouvelle bio"}"#),
        &[Contributor, Author],
        Own,
        200,
    ),
    (
        "PATCH",
        "/api/v1/authors/{byline}",
        Some(r#"{"bio": "Nouvelle bio"}"#),
        &[Contributor, Author, ReadToken],
        Other,
        403,
    ),
    (
        "PATCH",
        "/api/v1/authors/{byline}",
        Some(r#"{"bio": "Nouvelle bio"}"#),
        &[Editor, Admin, WriteToken],
        Other,
        200,
    ),
    (
        "DELETE",
        "/api/v1/authors/{spare_byline}",
        None,
        &[Public],
        Other,
        401,
    ),
    (
        "DELETE",
        "/api/v1/authors/{spare_byline}",
        None,
        &[Contributor, Author, ReadToken],
        Other,
        403,
    ),
    (
        "DELETE",
        "/api/v1/authors/{spare_byline}",
        None,
        &[Editor, Admin, WriteToken],
        Other,
        204,
    ),
    // Tags.
    ("GET", "/api/v1/tags", None, &ALL, Other, 200),
    ("GET", "/api/v1/tags/{tag}", None, &ALL, Other, 200),
    (
        "POST",
        "/api/v1/tags",
        Some(r#"{"name": "Étiquette"}"#),
        &[Public],
        Other,
        401,
    ),
    (
        "POST",
        "/api/v1/tags",
        Some(r#"{"name": "Étiquette"}"#),
        &[Contributor, ReadToken],
        Other,
        403,
    ),
    (
        "POST",
        "/api/v1/tags",
        Some(r#"{"name": "Étiquette"}"#),
        &[Author, Editor, Admin, WriteToken],
        Other,
        201,
    ),
    (
        "PATCH",
        "/api/v1/tags/{tag}",
        Some(r#"{"name": "Renommée"}"#),
        &[Contributor, Author, ReadToken],
        Other,
        403,
    ),
    (
        "PATCH",
        "/api/v1/tags/{tag}",
        Some(r#"{"name": "Renommée"}"#),
        &[Editor, Admin, WriteToken],
        Other,
        200,
    ),
    ("DELETE", "/api/v1/tags/{tag}", None, &[Public], Other, 401),
    (
        "DELETE",
        "/api/v1/tags/{tag}",
        None,
        &[Contributor, Author, ReadToken],
        Other,
        403,
    ),
    (
        "DELETE",
        "/api/v1/tags/{tag}",
        None,
        &[Editor, Admin, WriteToken],
        Other,
        204,
    ),
];

struct Callers {
    tokens: Vec<(Who, Option<String>, Option<i64>)>,
}

impl Callers {
    fn get(&self, who: Who) -> (Option<&str>, Option<i64>) {
        let (_, token, byline) = self
            .tokens
            .iter()
            .find(|(w, _, _)| *w == who)
            .expect("caller");
        (token.as_deref(), *byline)
    }
}

async fn content_permission_matrix(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let d = desk(&app).await;
    let editor = d.editor.token.clone();
    let contributor = app.create_user(cms::auth::Role::Contributor).await;
    let author = app.create_user(cms::auth::Role::Author).await;
    let admin = app.create_user(cms::auth::Role::Admin).await;
    let callers = Callers {
        tokens: vec![
            (Public, None, None),
            (
                Contributor,
                Some(contributor.token.clone()),
                contributor.author_id,
            ),
            (Author, Some(author.token.clone()), author.author_id),
            (Editor, Some(editor.clone()), None),
            (Admin, Some(admin.token.clone()), None),
            (ReadToken, Some(api_token(&app, "content:read").await), None),
            (
                WriteToken,
                Some(api_token(&app, "content:write").await),
                None,
            ),
        ],
    };
    let other_byline = d.author_id;
    let future = (chrono::Utc::now() + chrono::Duration::days(3))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut checked = 0;
    for (n, (method, path, body, whos, whose, expected)) in ROWS.iter().enumerate() {
        for who in whos.iter().copied() {
            let (token, own_byline) = callers.get(who);
            let signer = match whose {
                Own => own_byline.unwrap_or(other_byline),
                Other => other_byline,
            };
            // Fresh targets for every request, so rows do not depend on each other.
            let target = article(
                &app,
                &editor,
                &json!({"title": format!("Cible {n}"), "body": "x", "category_id": d.category_id, "author_ids": [signer]}),
            )
            .await;
            let public = published(
                &app,
                &editor,
                &format!("Publié {n}"),
                d.category_id,
                other_byline,
            )
            .await;
            let fresh_category =
                category(&app, &editor, &format!("Rubrique {n} {who:?}"), None).await;
            let fresh_tag = tag(&app, &editor, &format!("Étiquette {n} {who:?}")).await;
            let spare = byline(&app, &editor, &format!("Plume {n} {who:?}")).await;
            let fill = |text: &str| {
                text.replace("{article}", &target["id"].to_string())
                    .replace("{published}", &public["id"].to_string())
                    .replace(
                        "{category}",
                        &match *path {
                            p if p.starts_with("/api/v1/articles") => d.category_id.to_string(),
                            _ => fresh_category["id"].to_string(),
                        },
                    )
                    .replace("{tag}", &fresh_tag["id"].to_string())
                    .replace("{spare_byline}", &spare["id"].to_string())
                    .replace("{other_byline}", &other_byline.to_string())
                    .replace("{byline}", &signer.to_string())
                    .replace("{future}", &future)
            };
            let url = fill(path);
            let before = app.snapshot().await;
            let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
            let response = match body {
                Some(body) => {
                    let body: Value = serde_json::from_str(&fill(body)).expect("row body is JSON");
                    app.send_json(method.clone(), &url, token, &body).await
                }
                None => {
                    let request = app.client.request(method.clone(), app.url(&url));
                    let request = match token {
                        Some(t) => request.bearer_auth(t),
                        None => request,
                    };
                    request.send().await.unwrap()
                }
            };
            let status = response.status().as_u16();
            let text = response.text().await.unwrap_or_default();
            assert_eq!(
                status, *expected,
                "row {n}: {method} {url} as {who:?} ({whose:?}): {text}"
            );
            if status >= 400 {
                assert_eq!(
                    app.snapshot().await,
                    before,
                    "row {n}: refused {method} {url} as {who:?} wrote something"
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 150, "only {checked} cases");
}

on_both_databases!(content_permission_matrix);
