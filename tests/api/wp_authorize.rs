//! `/wp-admin/authorize-application.php`: WordPress's authorize-application
//! flow, in a real browser and request by request. An approval creates an
//! application password that works; nothing redirects without a POST from
//! the page itself; the return URLs are checked each time.

use serde_json::Value;

use cms::auth::Role;
use cms::auth::authenticate::Credentials;

use crate::helpers::{Backend, TestApp, TestUser, header};
use crate::on_both_databases;

const PAGE: &str = "/wp-admin/authorize-application.php";
const APP_NAME: &str = "Ulysses é 📝 <b>&\"";

fn page(query: &[(&str, &str)]) -> String {
    format!("{PAGE}?{}", serde_urlencoded::to_string(query).unwrap())
}

/// What a GET gave the browser: the page, its headers, the token's cookie
/// and the form's hidden token.
struct Opened {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: String,
    cookie: Option<String>,
    field: Option<String>,
}

fn set_cookie(headers: &reqwest::header::HeaderMap) -> Option<String> {
    headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("cms_authorize="))
}

fn cookie_value(set_cookie: &str) -> String {
    set_cookie
        .trim_start_matches("cms_authorize=")
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

fn hidden_token(body: &str) -> Option<String> {
    let start = body.find("name=\"csrf\" value=\"")? + "name=\"csrf\" value=\"".len();
    Some(body[start..].split('"').next()?.to_owned())
}

async fn open(app: &TestApp, query: &[(&str, &str)]) -> Opened {
    let response = app.get(&page(query)).await;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.text().await.unwrap();
    Opened {
        status,
        cookie: set_cookie(&headers),
        field: hidden_token(&body),
        headers,
        body,
    }
}

/// The form as a browser posts it; `cookie` and `origin` as given.
async fn post(
    app: &TestApp,
    cookie: Option<&str>,
    origin: Option<&str>,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut request = app
        .client
        .post(app.url(PAGE))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(serde_urlencoded::to_string(fields).unwrap());
    if let Some(cookie) = cookie {
        request = request.header("Cookie", format!("cms_authorize={cookie}"));
    }
    if let Some(origin) = origin {
        request = request.header("Origin", origin);
    }
    request.send().await.unwrap()
}

async fn passwords(app: &TestApp, user: &TestUser) -> Vec<Value> {
    let list: Value = app
        .get_as("/api/v1/users/me/application-passwords", Some(&user.token))
        .await
        .json()
        .await
        .unwrap();
    list["data"].as_array().unwrap().clone()
}

/// The password acts as `user` (as an editor protocol would check it).
async fn works_for(app: &TestApp, user: &TestUser, password: &str) {
    let caller = app
        .auth
        .authenticate(Credentials::ApplicationPassword {
            email: user.email.clone(),
            password: password.to_owned(),
            client: "127.0.0.1".to_owned(),
        })
        .await
        .unwrap();
    assert_eq!(caller.account().unwrap().user_id, user.id);
}

fn query_of(location: &str) -> Vec<(String, String)> {
    let url = url::Url::parse(location).unwrap();
    url.query_pairs().into_owned().collect()
}

fn param<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {name} in {pairs:?}"))
}

/// The headless browser's session (`None` where the CI's Node clients
/// and Chromium are not set up).
fn authorize_in_browser(app: &TestApp, user: &TestUser) -> Option<Value> {
    crate::helpers::node_client(
        "authorize_in_browser.mjs",
        true,
        &[
            ("BASE", &app.address),
            ("EMAIL", &user.email),
            ("PASSWORD", &user.password),
            ("APP_NAME", APP_NAME),
        ],
    )
}

async fn a_journalist_authorizes_an_app_in_a_browser(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = app.create_user(Role::Author).await;
    let Some(seen) = authorize_in_browser(&app, &user) else {
        return;
    };
    assert_eq!(seen["shown"], APP_NAME, "{seen}");
    assert_eq!(
        seen["error"], "Adresse e-mail ou mot de passe incorrect.",
        "{seen}"
    );
    assert_eq!(seen["kept_email"], user.email.as_str());
    let url = seen["url"].as_str().unwrap();
    let callback = seen["callback"].as_str().unwrap();
    assert!(url.starts_with(&format!("{callback}&site_url=")), "{url}");
    assert_eq!(seen["landed"], url);
    assert_eq!(seen["state"], "42");
    assert_eq!(seen["site_url"], app.address.as_str());
    assert_eq!(seen["user_login"], user.email.as_str());
    let password = seen["password"].as_str().unwrap();
    assert_eq!(password.len(), 29, "{password}");

    // Created under the app's name, accents and emoji intact, and it works.
    let listed = passwords(&app, &user).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["name"], APP_NAME.trim());
    works_for(&app, &user, password).await;
}

async fn a_rejection_goes_back_with_success_false(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = app.create_user(Role::Author).await;
    let query = [
        ("app_name", APP_NAME),
        ("success_url", "https://app.example/cb?x=1"),
        ("reject_url", "ulysses://x-callback-url/denied"),
    ];
    let opened = open(&app, &query).await;
    assert_eq!(opened.status, 200, "{}", opened.body);
    let h = &opened.headers;
    assert!(h.get("location").is_none());
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(h["cache-control"], "no-store");
    assert_eq!(h["content-type"], "text/html; charset=utf-8");
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert!(
        csp.contains("form-action 'self' https://app.example ulysses:"),
        "{csp}"
    );
    let set = opened.cookie.clone().unwrap();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/wp-admin/"] {
        assert!(set.contains(attribute), "{set}");
    }
    assert!(!set.contains("Secure"), "plain http: {set}");
    let token = cookie_value(&set);
    assert_eq!(token.len(), 64);
    assert_eq!(opened.field.as_deref(), Some(token.as_str()));
    // French by default, the app's name escaped.
    assert!(opened.body.contains("<html lang=\"fr\">"));
    assert!(opened.body.contains("Approuver"));
    assert!(
        opened.body.contains("Ulysses é 📝 &lt;b&gt;&amp;&quot;"),
        "{}",
        opened.body
    );
    assert!(!opened.body.contains("<b>&"));

    let mut fields = query.to_vec();
    fields.extend([("csrf", token.as_str()), ("action", "reject")]);
    let rejected = post(&app, Some(&token), Some(&app.address), &fields).await;
    assert_eq!(rejected.status(), 303);
    assert_eq!(
        header(&rejected, "location"),
        "ulysses://x-callback-url/denied?success=false"
    );

    // Without a reject_url, back to the success_url, its query kept.
    let query = [
        ("app_name", "MarsEdit"),
        ("success_url", "https://app.example/cb?x=1"),
    ];
    let opened = open(&app, &query).await;
    let token = cookie_value(&opened.cookie.unwrap());
    let mut fields = query.to_vec();
    fields.extend([("csrf", token.as_str()), ("action", "reject")]);
    let rejected = post(&app, Some(&token), None, &fields).await;
    assert_eq!(rejected.status(), 303);
    assert_eq!(
        header(&rejected, "location"),
        "https://app.example/cb?x=1&success=false"
    );
    assert!(passwords(&app, &user).await.is_empty());
}

async fn bad_return_urls_are_refused_and_nothing_redirects_on_a_get(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = app.create_user(Role::Author).await;
    for (query, names) in [
        (
            vec![
                ("app_name", "Ulysses"),
                ("success_url", "http://evil.example/"),
            ],
            "success_url",
        ),
        (
            vec![
                ("app_name", "Ulysses"),
                ("success_url", "javascript:alert(1)"),
            ],
            "success_url",
        ),
        (
            vec![
                ("app_name", "Ulysses"),
                ("success_url", "https://app.example/cb"),
                ("reject_url", "data:text/html,<script>alert(1)</script>"),
            ],
            "reject_url",
        ),
        (
            vec![
                ("app_name", "  "),
                ("success_url", "https://app.example/cb"),
            ],
            "app_name",
        ),
    ] {
        let opened = open(&app, &query).await;
        assert_eq!(opened.status, 400, "{query:?}");
        assert!(opened.headers.get("location").is_none());
        assert_eq!(opened.headers["content-type"], "text/html; charset=utf-8");
        assert!(opened.body.contains(names), "{}", opened.body);
        assert!(!opened.body.contains("<form"), "{}", opened.body);
        assert!(opened.cookie.is_none());
    }

    // A GET carrying everything a POST would is still only the page.
    let opened = open(
        &app,
        &[
            ("app_name", "Ulysses"),
            ("success_url", "https://app.example/cb"),
            ("action", "approve"),
            ("email", &user.email),
            ("password", &user.password),
            ("csrf", "0".repeat(64).as_str()),
        ],
    )
    .await;
    assert_eq!(opened.status, 200);
    assert!(opened.headers.get("location").is_none());

    // The POST checks the URLs again: a token does not carry a URL swapped
    // in after the page was shown.
    let token = cookie_value(&opened.cookie.unwrap());
    let swapped = post(
        &app,
        Some(&token),
        None,
        &[
            ("app_name", "Ulysses"),
            ("success_url", "http://evil.example/"),
            ("csrf", &token),
            ("email", &user.email),
            ("password", &user.password),
            ("action", "approve"),
        ],
    )
    .await;
    assert_eq!(swapped.status(), 400);
    assert!(swapped.headers().get("location").is_none());
    assert!(passwords(&app, &user).await.is_empty());
}

/// The form's fields for an approval.
fn approval<'a>(
    app_name: &'a str,
    success_url: &'a str,
    csrf: &'a str,
    user: &'a TestUser,
    password: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("app_name", app_name),
        ("success_url", success_url),
        ("csrf", csrf),
        ("email", &user.email),
        ("password", password),
        ("action", "approve"),
    ]
}

async fn a_post_needs_the_pages_token_and_origin(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = app.create_user(Role::Author).await;
    let callback = "https://app.example/cb";
    let opened = open(&app, &[("app_name", "Ulysses"), ("success_url", callback)]).await;
    let token = cookie_value(&opened.cookie.unwrap());
    let other = "ab".repeat(32);
    let with_token = approval("Ulysses", callback, &token, &user, &user.password);
    let with_other = approval("Ulysses", callback, &other, &user, &user.password);
    let without = approval("Ulysses", callback, "", &user, &user.password);
    for (cookie, origin, sent, case) in [
        (None, None, &with_token, "no cookie"),
        (Some(token.as_str()), None, &without, "no field"),
        (Some(token.as_str()), None, &with_other, "another token"),
        (
            Some(other.as_str()),
            None,
            &with_token,
            "a cookie of its own",
        ),
        (
            Some(token.as_str()),
            Some("https://evil.example"),
            &with_token,
            "another origin",
        ),
        (
            Some(token.as_str()),
            Some("null"),
            &with_token,
            "an opaque origin",
        ),
    ] {
        let response = post(&app, cookie, origin, sent).await;
        assert_eq!(response.status(), 403, "{case}");
        assert!(response.headers().get("location").is_none(), "{case}");
        assert_eq!(
            header(&response, "content-type"),
            "text/html; charset=utf-8"
        );
        assert!(passwords(&app, &user).await.is_empty(), "{case}");
    }

    // A body that cannot be read is a 400 page, not a 500.
    let garbled = post(
        &app,
        Some(&token),
        None,
        &[
            ("action", "approve"),
            ("action", "reject"),
            ("csrf", &token),
        ],
    )
    .await;
    assert_eq!(garbled.status(), 400);
    assert_eq!(header(&garbled, "content-type"), "text/html; charset=utf-8");

    // From this server's own origin, with the token: approved, the token
    // spent.
    let approved = post(&app, Some(&token), Some(&app.address), &with_token).await;
    assert_eq!(approved.status(), 303);
    let spent = set_cookie(approved.headers()).unwrap();
    assert!(spent.contains("Max-Age=0"), "{spent}");
    let pairs = query_of(&header(&approved, "location"));
    assert_eq!(param(&pairs, "site_url"), app.address);
    assert_eq!(param(&pairs, "user_login"), user.email);
    works_for(&app, &user, param(&pairs, "password")).await;
    assert_eq!(passwords(&app, &user).await.len(), 1);
}

async fn a_wrong_password_shows_the_page_again(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = app.create_user(Role::Author).await;
    // No success_url: the password is shown on the page, as WordPress does.
    let opened = open(&app, &[("app_name", "Obsidian")]).await;
    let token = cookie_value(&opened.cookie.unwrap());
    let wrong = approval("Obsidian", "", &token, &user, "pas le bon");
    let refused = post(&app, Some(&token), None, &wrong).await;
    assert_eq!(refused.status(), 401);
    assert_eq!(header(&refused, "content-type"), "text/html; charset=utf-8");
    let fresh = cookie_value(&set_cookie(refused.headers()).unwrap());
    assert_ne!(fresh, token);
    let body = refused.text().await.unwrap();
    assert!(body.contains("Adresse e-mail ou mot de passe incorrect."));
    assert!(body.contains(&format!("value=\"{}\"", user.email)));
    assert_eq!(hidden_token(&body).as_deref(), Some(fresh.as_str()));
    assert!(passwords(&app, &user).await.is_empty());

    let right = approval("Obsidian", "", &fresh, &user, &user.password);
    let approved = post(&app, Some(&fresh), None, &right).await;
    assert_eq!(approved.status(), 200);
    assert!(approved.headers().get("location").is_none());
    let body = approved.text().await.unwrap();
    let marker = "<p class=\"password\"><code>";
    let start = body.find(marker).unwrap() + marker.len();
    let password = body[start..].split('<').next().unwrap();
    works_for(&app, &user, password).await;
    let listed = passwords(&app, &user).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["name"], "Obsidian");
}

on_both_databases!(
    a_journalist_authorizes_an_app_in_a_browser,
    a_rejection_goes_back_with_success_false,
    bad_return_urls_are_refused_and_nothing_redirects_on_a_get,
    a_post_needs_the_pages_token_and_origin,
    a_wrong_password_shows_the_page_again,
);
