//! `GET|POST /wp-admin/authorize-application.php`: WordPress's
//! authorize-application flow. An editor (Ulysses, Obsidian's plugin, the
//! WordPress apps) opens this page in a browser; the journalist signs in
//! and approves; an application password named after the app is created
//! and the browser is sent back to the app's `success_url` with it. The
//! page's safety (return URLs, the double-submit token, the policy) is
//! `editors::consent`'s.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use url::Url;

use crate::accounts::application_passwords::input::CreateApplicationPassword;
use crate::accounts::application_passwords::use_cases::{self, Owner};
use crate::editors::consent::{
    self, Lang, MAX_FORM_BYTES, Page, UrlProblem, return_url, text, with_query,
};
use crate::state::AppState;

const PATH: &str = "/wp-admin/authorize-application.php";
const COOKIE: &str = "cms_authorize";
/// An application password's name is at most 100 characters: a longer
/// `app_name` could never be approved, so the page refuses it up front.
const MAX_APP_NAME: usize = 100;
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource(PATH)
            .app_data(web::PayloadConfig::new(MAX_FORM_BYTES))
            .route(web::get().to(show))
            .route(web::post().to(submit)),
    );
}

/// What the app sends (in the query, then again in the form). Empty and
/// absent are the same, as in WordPress.
#[derive(Debug, Default, Deserialize)]
struct Params {
    #[serde(default)]
    app_name: String,
    #[serde(default)]
    app_id: String,
    #[serde(default)]
    success_url: String,
    #[serde(default)]
    reject_url: String,
}

#[derive(Debug, Default, Deserialize)]
struct Submission {
    #[serde(default)]
    app_name: String,
    #[serde(default)]
    app_id: String,
    #[serde(default)]
    success_url: String,
    #[serde(default)]
    reject_url: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    action: String,
}

/// A request that passed the checks; `params` are kept as sent, for the
/// form to carry them back and the POST to check them again.
#[derive(Debug)]
struct Authorization {
    params: Params,
    name: String,
    success: Option<Url>,
    reject: Option<Url>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Invalid {
    NoAppName,
    LongAppName,
    AppId,
    Url(&'static str, UrlProblem),
}

fn check(params: Params) -> Result<Authorization, Invalid> {
    let name = params.app_name.trim().to_owned();
    if name.is_empty() {
        return Err(Invalid::NoAppName);
    }
    if name.chars().count() > MAX_APP_NAME {
        return Err(Invalid::LongAppName);
    }
    // WordPress stores `app_id` with the password; ours has no column for
    // it, so it is checked as WordPress checks it (a UUID) and not kept.
    if !params.app_id.is_empty() && uuid::Uuid::parse_str(&params.app_id).is_err() {
        return Err(Invalid::AppId);
    }
    let success = return_url(&params.success_url).map_err(|p| Invalid::Url("success_url", p))?;
    let reject = return_url(&params.reject_url).map_err(|p| Invalid::Url("reject_url", p))?;
    Ok(Authorization {
        params,
        name,
        success,
        reject,
    })
}

/// This page's own sentences (`consent::Words` has the shared ones);
/// `{…}` are filled in with escaped text.
struct Words {
    title: &'static str,
    asks: &'static str,
    explain: &'static str,
    sent_back: &'static str,
    no_app_name: &'static str,
    long_app_name: &'static str,
    bad_app_id: &'static str,
    created_title: &'static str,
    created: &'static str,
    created_note: &'static str,
    rejected_title: &'static str,
    rejected: &'static str,
}

const FR: Words = Words {
    title: "Autoriser une application",
    asks: "{app} demande l’accès à votre compte sur {site}.",
    explain: "Si vous approuvez, un mot de passe d’application est créé pour elle : \
              elle agira avec vos droits, et vous pourrez le révoquer à tout moment.",
    sent_back: "Vous serez ensuite renvoyé vers {url}",
    no_app_name: "Le nom de l’application (app_name) est obligatoire.",
    long_app_name: "Le nom de l’application (app_name) dépasse 100 caractères.",
    bad_app_id: "L’identifiant de l’application (app_id) doit être un UUID.",
    created_title: "Application autorisée",
    created: "Le mot de passe de {app} est :",
    created_note: "Copiez-le dans l’application maintenant : il ne sera plus affiché.",
    rejected_title: "Accès refusé",
    rejected: "Vous avez refusé l’accès à {app}.",
};

const EN: Words = Words {
    title: "Authorize an application",
    asks: "{app} asks for access to your account on {site}.",
    explain: "If you approve, an application password is created for it: it will act \
              with your rights, and you can revoke it at any time.",
    sent_back: "You will then be sent back to {url}",
    no_app_name: "The application name (app_name) is required.",
    long_app_name: "The application name (app_name) is longer than 100 characters.",
    bad_app_id: "The application id (app_id) must be a UUID.",
    created_title: "Application authorized",
    created: "The password for {app} is:",
    created_note: "Copy it into the application now: it will not be shown again.",
    rejected_title: "Access rejected",
    rejected: "You rejected access for {app}.",
};

fn words(page: &Page) -> &'static Words {
    match page.lang {
        Lang::Fr => &FR,
        Lang::En => &EN,
    }
}

async fn page(req: &HttpRequest, state: &AppState) -> Page {
    Page::of(req, state, COOKIE, "/wp-admin/").await
}

fn invalid(page: &Page, invalid: Invalid) -> HttpResponse {
    let words = words(page);
    page.invalid(&match invalid {
        Invalid::NoAppName => text(words.no_app_name),
        Invalid::LongAppName => text(words.long_app_name),
        Invalid::AppId => text(words.bad_app_id),
        Invalid::Url(param, problem) => page.url_refused(param, problem),
    })
}

/// The sign-in form; `error_html` after a refusal.
fn form(
    page: &Page,
    status: StatusCode,
    auth: &Authorization,
    email: &str,
    error_html: Option<&str>,
) -> HttpResponse {
    let words = words(page);
    let app = format!("<strong>{}</strong>", text(&auth.name));
    let site = format!("<strong>{}</strong>", text(&page.site_title));
    let mut main = format!(
        "<p>{}</p>\n<p>{}</p>\n",
        text(words.asks)
            .replace("{site}", &site)
            .replace("{app}", &app),
        text(words.explain)
    );
    if let Some(url) = &auth.success {
        let url = format!("<code>{}</code>", text(url.as_str()));
        main.push_str(&format!(
            "<p>{}</p>\n",
            text(words.sent_back).replace("{url}", &url)
        ));
    }
    if let Some(error) = error_html {
        main.push_str(&format!("<p class=\"error\" role=\"alert\">{error}</p>\n"));
    }
    // Relative: the form posts to this page wherever it is served.
    main.push_str("<form method=\"post\" action=\"authorize-application.php\">\n{csrf}\n");
    let params = &auth.params;
    main.push_str(&consent::hidden_fields(&[
        ("app_name", &params.app_name),
        ("app_id", &params.app_id),
        ("success_url", &params.success_url),
        ("reject_url", &params.reject_url),
    ]));
    main.push_str(&page.sign_in_fields(email));
    main.push_str("</form>\n");
    let targets: Vec<&Url> = auth.success.iter().chain(auth.reject.iter()).collect();
    page.form_page(status, words.title, &main, &targets)
}

/// `GET`: the sign-in form, or a 400 page naming what is wrong. Never a
/// redirect, whatever the query says.
async fn show(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let page = page(&req, &state).await;
    let Ok(params) = serde_urlencoded::from_str::<Params>(req.query_string()) else {
        return page.unreadable();
    };
    match check(params) {
        Ok(auth) => form(&page, StatusCode::OK, &auth, "", None),
        Err(problem) => invalid(&page, problem),
    }
}

/// `POST`: from this site's page only (origin and token), the request
/// checked again, then rejected or signed in and approved.
async fn submit(req: HttpRequest, state: web::Data<AppState>, body: web::Bytes) -> HttpResponse {
    let page = page(&req, &state).await;
    let Ok(submitted) = serde_urlencoded::from_bytes::<Submission>(&body) else {
        return page.unreadable();
    };
    if !page.submitted_here(&req, &state, &submitted.csrf) {
        return page.stale();
    }
    let params = Params {
        app_name: submitted.app_name,
        app_id: submitted.app_id,
        success_url: submitted.success_url,
        reject_url: submitted.reject_url,
    };
    let auth = match check(params) {
        Ok(auth) => auth,
        Err(problem) => return invalid(&page, problem),
    };
    match submitted.action.as_str() {
        "reject" => match auth.reject.as_ref().or(auth.success.as_ref()) {
            Some(url) => page.redirect(with_query(url, &[("success", "false")])),
            None => {
                let app = format!("<strong>{}</strong>", text(&auth.name));
                let words = words(&page);
                page.finished(
                    words.rejected_title,
                    &format!("<p>{}</p>\n", text(words.rejected).replace("{app}", &app)),
                )
            }
        },
        "approve" => {
            approve(
                &page,
                &req,
                &state,
                &auth,
                &submitted.email,
                submitted.password,
            )
            .await
        }
        _ => page.unreadable(),
    }
}

async fn approve(
    page: &Page,
    req: &HttpRequest,
    state: &AppState,
    auth: &Authorization,
    email: &str,
    password: String,
) -> HttpResponse {
    let email = email.trim();
    let caller = match page.sign_in(req, state, email, password).await {
        Ok(caller) => caller,
        Err(refusal) => {
            return refusal
                .answer(|status, message| form(page, status, auth, email, Some(message)));
        }
    };
    let input = CreateApplicationPassword {
        name: auth.name.clone(),
        kind: Default::default(),
        scopes: None,
    };
    let created = match use_cases::create(&state.accounts, &caller, Owner::Me, input).await {
        Ok(created) => created,
        Err(error) => return page.failed(error),
    };
    match &auth.success {
        Some(url) => {
            // Accounts sign in by email, stored in lower case.
            let login = email.to_lowercase();
            page.redirect(with_query(
                url,
                &[
                    ("site_url", &page.origin),
                    ("user_login", &login),
                    ("password", &created.password),
                ],
            ))
        }
        // Approved without a `success_url`: the password is shown this
        // once, as WordPress does.
        None => {
            let words = words(page);
            let app = format!("<strong>{}</strong>", text(&auth.name));
            page.finished(
                words.created_title,
                &format!(
                    "<p>{}</p>\n<p class=\"password\"><code>{}</code></p>\n<p>{}</p>\n",
                    text(words.created).replace("{app}", &app),
                    text(&created.password),
                    text(words.created_note)
                ),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(success_url: &str) -> Params {
        Params {
            app_name: "Ulysses".to_owned(),
            success_url: success_url.to_owned(),
            ..Params::default()
        }
    }

    #[test]
    fn the_app_name_is_required_and_bounded_and_app_id_a_uuid() {
        let blank = Params {
            app_name: "  ".to_owned(),
            ..Params::default()
        };
        assert_eq!(check(blank).unwrap_err(), Invalid::NoAppName);
        let long = Params {
            app_name: "é".repeat(MAX_APP_NAME + 1),
            ..Params::default()
        };
        assert_eq!(check(long).unwrap_err(), Invalid::LongAppName);
        let mut bad_id = params("");
        bad_id.app_id = "not-a-uuid".to_owned();
        assert_eq!(check(bad_id).unwrap_err(), Invalid::AppId);
        let mut good_id = params("");
        good_id.app_id = "8f0c6b4e-3f7a-4a55-9a8e-2d1c0b9e7f10".to_owned();
        assert!(check(good_id).is_ok());
        assert_eq!(
            check(params("http://evil.example/")).unwrap_err(),
            Invalid::Url("success_url", UrlProblem::Http)
        );
    }
}
