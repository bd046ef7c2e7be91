//! `GET|POST /wp-admin/authorize-application.php`: WordPress's
//! authorize-application flow. An editor (Ulysses, Obsidian's plugin, the
//! WordPress apps) opens this page in a browser; the journalist signs in
//! and approves; an application password named after the app is created
//! and the browser is sent back to the app's `success_url` with it.
//!
//! What keeps the page from being an open redirect or a phishing aid:
//! - the return URLs are checked (https, an app's own scheme, or http to
//!   this machine only) on the GET and again on the POST;
//! - a GET never redirects: only a POST carrying the double-submit token
//!   (cookie and form field, equal) does, and never one sent from another
//!   origin;
//! - the page cannot be framed, loads nothing, and may submit only to
//!   itself and to the return URLs (Chromium applies `form-action` to the
//!   redirect that answers the POST, so they must be listed).

use actix_web::cookie::{Cookie, SameSite, time::Duration};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder, ResponseError, web};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Deserialize;
use url::{Host, Url};

use crate::accounts::application_passwords::input::CreateApplicationPassword;
use crate::accounts::application_passwords::use_cases::{self, Owner};
use crate::accounts::sessions::routes::client_address;
use crate::auth::authenticate::Credentials;
use crate::error::ApiError;
use crate::state::AppState;

const PATH: &str = "/wp-admin/authorize-application.php";
const COOKIE: &str = "cms_authorize";
const TOKEN_BYTES: usize = 32;
/// An application password's name is at most 100 characters: a longer
/// `app_name` could never be approved, so the page refuses it up front.
const MAX_APP_NAME: usize = 100;
/// No app's callback is longer; bounds what the page and its form carry.
const MAX_URL: usize = 2048;
/// Enough to read the page and type a password; a form older than this
/// is refused and the page must be opened again.
const TOKEN_MINUTES: i64 = 60;
/// The form is a few short fields.
const MAX_FORM_BYTES: usize = 16 * 1024;

/// Schemes that run in the browser or reach its files rather than hand
/// the URL to an app: never a return URL.
const REFUSED_SCHEMES: &[&str] = &[
    "javascript",
    "data",
    "vbscript",
    "file",
    "blob",
    "about",
    "filesystem",
    "view-source",
    "ftp",
    "ws",
    "wss",
];

/// RFC 3986's unreserved characters stay, all else is percent-encoded:
/// a space is `%20`, not `+`, which clients decoding with
/// `decodeURIComponent` would keep.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;\
padding:0 1rem;line-height:1.5;color:#1d2327}label{display:block;margin-top:1rem}\
input{width:100%;box-sizing:border-box;padding:.5rem;font-size:1rem}\
.actions{display:flex;gap:1rem;margin-top:1.5rem}button{padding:.5rem 1.25rem;font-size:1rem}\
.error{color:#b32d2e;font-weight:bold}code{word-break:break-all}\
.password{font-family:monospace;font-size:1.4rem}";

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UrlProblem {
    NotAbsolute,
    TooLong,
    Scheme,
    Http,
    Credentials,
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

/// WordPress's `wp_is_authorize_application_redirect_url_valid`, stricter:
/// plain http only to this machine (where a desktop app listens), and no
/// scheme a browser would run itself.
fn return_url(raw: &str) -> Result<Option<Url>, UrlProblem> {
    if raw.is_empty() {
        return Ok(None);
    }
    if raw.len() > MAX_URL {
        return Err(UrlProblem::TooLong);
    }
    let url = Url::parse(raw).map_err(|_| UrlProblem::NotAbsolute)?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => return Err(UrlProblem::Http),
        scheme if REFUSED_SCHEMES.contains(&scheme) => return Err(UrlProblem::Scheme),
        _ => {}
    }
    // `https://app.example@evil.example/` reads as one host and is another.
    if !url.username().is_empty() || url.password().is_some() {
        return Err(UrlProblem::Credentials);
    }
    Ok(Some(url))
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// `url` with `pairs` appended to its query (after `&` when it has one),
/// its fragment kept.
fn with_query(url: &Url, pairs: &[(&str, &str)]) -> String {
    let mut query = url.query().unwrap_or_default().to_owned();
    for (name, value) in pairs {
        if !query.is_empty() {
            query.push('&');
        }
        query.push_str(name);
        query.push('=');
        query.extend(utf8_percent_encode(value, QUERY_VALUE));
    }
    let mut target = url.clone();
    target.set_query(Some(&query));
    target.into()
}

/// What `form-action` must allow for the redirect to `url`: its origin,
/// or for an app's own scheme the scheme (`ulysses:`), which has none.
fn form_target(url: &Url) -> String {
    match url.scheme() {
        "http" | "https" => url.origin().ascii_serialization(),
        scheme => format!("{scheme}:"),
    }
}

/// The page's policy; `form`: the request its form is for, `None` for a
/// page without a form.
fn policy(form: Option<&Authorization>) -> String {
    let form_action = match form {
        None => "'none'".to_owned(),
        Some(auth) => {
            let mut sources = vec!["'self'".to_owned()];
            for url in auth.success.iter().chain(auth.reject.iter()) {
                let source = form_target(url);
                if !sources.contains(&source) {
                    sources.push(source);
                }
            }
            sources.join(" ")
        }
    };
    format!(
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; \
         base-uri 'none'; form-action {form_action}"
    )
}

fn new_token() -> String {
    let mut bytes = [0u8; TOKEN_BYTES];
    rand::fill(&mut bytes[..]);
    hex::encode(bytes)
}

/// Constant time, so that timing tells nothing of the cookie; an empty
/// or short token never matches (two missing values are not equal ones).
fn token_matches(cookie: Option<&str>, field: &str) -> bool {
    let Some(cookie) = cookie else {
        return false;
    };
    if cookie.len() != TOKEN_BYTES * 2 || field.len() != cookie.len() {
        return false;
    }
    cookie
        .bytes()
        .zip(field.bytes())
        .fold(0u8, |differ, (a, b)| differ | (a ^ b))
        == 0
}

/// HTML text and attribute values: the five markup characters escaped.
fn text(raw: &str) -> String {
    quick_xml::escape::escape(raw).into_owned()
}

/// Where this service is reached: the configured or proxied origin, else
/// the request's own (the page is never cached, so a `Host` cannot be
/// planted for someone else).
fn origin(req: &HttpRequest, state: &AppState) -> String {
    crate::http::origin::public_origin(&state.config, req.peer_addr(), req.headers())
        .unwrap_or_else(|| {
            let info = req.connection_info();
            format!("{}://{}", info.scheme(), info.host())
        })
}

/// A POST whose `Origin` is present and not this server's: a form on
/// another site (or `null`, which browsers send from opaque origins).
fn from_elsewhere(req: &HttpRequest, state: &AppState) -> bool {
    let Some(sent) = req.headers().get(header::ORIGIN) else {
        return false;
    };
    let Some(sent) = sent.to_str().ok().and_then(|s| Url::parse(s).ok()) else {
        return true;
    };
    if let Some(own) =
        crate::http::origin::public_origin(&state.config, req.peer_addr(), req.headers())
    {
        return Url::parse(&own).map_or(true, |own| own.origin() != sent.origin());
    }
    // No configured origin, and the scheme may have been lost at a proxy:
    // the host and port the browser sent the request to are this server as
    // the browser sees it, and another site's form cannot have them.
    let Some(host) = sent.host_str() else {
        return true;
    };
    let sent_authority = match sent.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    };
    let reached = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| req.uri().authority().map(|a| a.as_str()));
    !reached.is_some_and(|h| h.eq_ignore_ascii_case(&sent_authority))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lang {
    Fr,
    En,
}

impl Lang {
    /// French unless the site is in English: the newsroom's language.
    fn of(tag: &str) -> Self {
        let tag = tag.to_ascii_lowercase();
        if tag == "en" || tag.starts_with("en-") {
            Self::En
        } else {
            Self::Fr
        }
    }

    fn tag(self) -> &'static str {
        match self {
            Self::Fr => "fr",
            Self::En => "en",
        }
    }

    fn words(self) -> &'static Words {
        match self {
            Self::Fr => &FR,
            Self::En => &EN,
        }
    }
}

/// The page's sentences; `{…}` are filled in with escaped text.
struct Words {
    title: &'static str,
    asks: &'static str,
    explain: &'static str,
    sent_back: &'static str,
    email: &'static str,
    password: &'static str,
    approve: &'static str,
    reject: &'static str,
    wrong: &'static str,
    throttled: &'static str,
    busy: &'static str,
    failed: &'static str,
    invalid_title: &'static str,
    no_app_name: &'static str,
    long_app_name: &'static str,
    bad_app_id: &'static str,
    bad_url: &'static str,
    not_absolute: &'static str,
    too_long: &'static str,
    scheme: &'static str,
    http: &'static str,
    credentials: &'static str,
    unreadable: &'static str,
    refused_title: &'static str,
    stale: &'static str,
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
    email: "Adresse e-mail",
    password: "Mot de passe",
    approve: "Approuver",
    reject: "Refuser",
    wrong: "Adresse e-mail ou mot de passe incorrect.",
    throttled: "Trop de tentatives : réessayez dans {n} secondes.",
    busy: "Le serveur est occupé : réessayez dans un instant.",
    failed: "Le serveur a échoué ; rien n’a été créé. Réessayez.",
    invalid_title: "Demande invalide",
    no_app_name: "Le nom de l’application (app_name) est obligatoire.",
    long_app_name: "Le nom de l’application (app_name) dépasse 100 caractères.",
    bad_app_id: "L’identifiant de l’application (app_id) doit être un UUID.",
    bad_url: "L’adresse de retour ({param}) est refusée : {reason}.",
    not_absolute: "ce n’est pas une adresse complète",
    too_long: "elle est trop longue",
    scheme: "ce protocole n’est pas accepté",
    http: "http:// n’est accepté que vers cet ordinateur (127.0.0.1, ::1, localhost) ; \
           utilisez https://",
    credentials: "elle contient un identifiant ou un mot de passe",
    unreadable: "Le formulaire envoyé est illisible.",
    refused_title: "Demande refusée",
    stale: "Ce formulaire a expiré ou ne vient pas de ce site. \
            Rouvrez la page d’autorisation depuis l’application.",
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
    email: "Email address",
    password: "Password",
    approve: "Approve",
    reject: "Reject",
    wrong: "Incorrect email address or password.",
    throttled: "Too many attempts: try again in {n} seconds.",
    busy: "The server is busy: try again in a moment.",
    failed: "The server failed; nothing was created. Try again.",
    invalid_title: "Invalid request",
    no_app_name: "The application name (app_name) is required.",
    long_app_name: "The application name (app_name) is longer than 100 characters.",
    bad_app_id: "The application id (app_id) must be a UUID.",
    bad_url: "The return address ({param}) is refused: {reason}.",
    not_absolute: "it is not a complete URL",
    too_long: "it is too long",
    scheme: "this scheme is not accepted",
    http: "http:// is accepted only to this computer (127.0.0.1, ::1, localhost); \
           use https://",
    credentials: "it carries a user name or password",
    unreadable: "The form sent cannot be read.",
    refused_title: "Request refused",
    stale: "This form has expired or does not come from this site. \
            Open the authorization page again from the application.",
    created_title: "Application authorized",
    created: "The password for {app} is:",
    created_note: "Copy it into the application now: it will not be shown again.",
    rejected_title: "Access rejected",
    rejected: "You rejected access for {app}.",
};

impl Words {
    fn invalid(&self, invalid: Invalid) -> String {
        match invalid {
            Invalid::NoAppName => text(self.no_app_name),
            Invalid::LongAppName => text(self.long_app_name),
            Invalid::AppId => text(self.bad_app_id),
            Invalid::Url(param, problem) => {
                let reason = match problem {
                    UrlProblem::NotAbsolute => self.not_absolute,
                    UrlProblem::TooLong => self.too_long,
                    UrlProblem::Scheme => self.scheme,
                    UrlProblem::Http => self.http,
                    UrlProblem::Credentials => self.credentials,
                };
                text(self.bad_url)
                    .replace("{param}", &format!("<code>{param}</code>"))
                    .replace("{reason}", &text(reason))
            }
        }
    }
}

/// What every answer of a request needs: its language and where it is.
struct Context {
    lang: Lang,
    site_title: String,
    origin: String,
    secure: bool,
    cookie_path: String,
}

impl Context {
    async fn of(req: &HttpRequest, state: &AppState) -> Self {
        let origin = origin(req, state);
        // Unreadable settings (the database away) must not hide the page's
        // answer: it is given in French, under the site's address.
        let (lang, site_title) = match state.site.settings().await {
            Ok(site) => (Lang::of(site.language.as_str()), site.title),
            Err(_) => (Lang::Fr, String::new()),
        };
        let site_title = if site_title.trim().is_empty() {
            origin.clone()
        } else {
            site_title
        };
        // Behind a proxy serving the API under a path, the browser sees
        // the page under that path too.
        let prefix = state
            .config
            .public_url
            .as_deref()
            .and_then(|u| Url::parse(u).ok())
            .map(|u| u.path().trim_end_matches('/').to_owned())
            .unwrap_or_default();
        Self {
            lang,
            site_title,
            secure: origin.starts_with("https://"),
            origin,
            cookie_path: format!("{prefix}/wp-admin/"),
        }
    }

    fn words(&self) -> &'static Words {
        self.lang.words()
    }

    fn document(&self, title: &str, main: &str) -> String {
        format!(
            "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta name=\"robots\" content=\"noindex\">\n<title>{title} – {site}</title>\n\
             <style>{STYLE}</style>\n</head>\n<body>\n<main>\n<h1>{title}</h1>\n{main}</main>\n\
             </body>\n</html>\n",
            lang = self.lang.tag(),
            title = text(title),
            site = text(&self.site_title),
        )
    }

    /// The headers every answer carries, whatever the middleware would add.
    fn response(&self, status: StatusCode, form: Option<&Authorization>) -> HttpResponseBuilder {
        let mut response = HttpResponse::build(status);
        response
            .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .insert_header((header::X_FRAME_OPTIONS, "DENY"))
            .insert_header((header::CONTENT_SECURITY_POLICY, policy(form)))
            // Not the usual `no-referrer`: under it a browser sends
            // `Origin: null` with the form, which could not be told from
            // another site's. Cross-origin, still no referrer.
            .insert_header((header::REFERRER_POLICY, "same-origin"));
        // A browser shows these pages: the problem+json fallback leaves
        // `/wp-admin/` alone (`http::fallback::OWN_ERROR_SHAPES`).
        response
    }

    fn token_cookie(&self, token: &str) -> Cookie<'static> {
        Cookie::build(COOKIE, token.to_owned())
            .path(self.cookie_path.clone())
            .http_only(true)
            .same_site(SameSite::Strict)
            .secure(self.secure)
            .max_age(Duration::minutes(TOKEN_MINUTES))
            .finish()
    }

    /// The token has served: a later submission needs a new page.
    fn spent_cookie(&self) -> Cookie<'static> {
        let mut cookie = self.token_cookie("");
        cookie.make_removal();
        cookie
    }

    /// A page of one message, with no form.
    fn message(&self, status: StatusCode, title: &str, message_html: &str) -> HttpResponse {
        let main = format!("<p>{message_html}</p>\n");
        self.response(status, None)
            .body(self.document(title, &main))
    }

    fn invalid(&self, invalid: Invalid) -> HttpResponse {
        let words = self.words();
        self.message(
            StatusCode::BAD_REQUEST,
            words.invalid_title,
            &words.invalid(invalid),
        )
    }

    fn unreadable(&self) -> HttpResponse {
        let words = self.words();
        self.message(
            StatusCode::BAD_REQUEST,
            words.invalid_title,
            &text(words.unreadable),
        )
    }

    fn stale(&self) -> HttpResponse {
        let words = self.words();
        self.message(
            StatusCode::FORBIDDEN,
            words.refused_title,
            &text(words.stale),
        )
    }

    /// The sign-in form, with a new token; `error_html` after a refusal.
    fn form(
        &self,
        status: StatusCode,
        auth: &Authorization,
        email: &str,
        error_html: Option<&str>,
    ) -> HttpResponse {
        let words = self.words();
        let token = new_token();
        let app = format!("<strong>{}</strong>", text(&auth.name));
        let site = format!("<strong>{}</strong>", text(&self.site_title));
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
        main.push_str("<form method=\"post\" action=\"authorize-application.php\">\n");
        let params = &auth.params;
        for (name, value) in [
            ("csrf", token.as_str()),
            ("app_name", params.app_name.as_str()),
            ("app_id", params.app_id.as_str()),
            ("success_url", params.success_url.as_str()),
            ("reject_url", params.reject_url.as_str()),
        ] {
            main.push_str(&format!(
                "<input type=\"hidden\" name=\"{name}\" value=\"{}\">\n",
                text(value)
            ));
        }
        main.push_str(&format!(
            "<label for=\"email\">{email_label}</label>\n\
             <input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"username\" \
             required value=\"{email}\">\n\
             <label for=\"password\">{password_label}</label>\n\
             <input id=\"password\" name=\"password\" type=\"password\" \
             autocomplete=\"current-password\" required>\n\
             <div class=\"actions\">\n\
             <button type=\"submit\" name=\"action\" value=\"approve\">{approve}</button>\n\
             <button type=\"submit\" name=\"action\" value=\"reject\" formnovalidate>{reject}</button>\n\
             </div>\n</form>\n",
            email_label = text(words.email),
            email = text(email),
            password_label = text(words.password),
            approve = text(words.approve),
            reject = text(words.reject),
        ));
        self.response(status, Some(auth))
            .cookie(self.token_cookie(&token))
            .body(self.document(words.title, &main))
    }

    /// 303: the browser follows with a GET, never re-posting the form.
    fn redirect(&self, location: String) -> HttpResponse {
        HttpResponse::SeeOther()
            .insert_header((header::LOCATION, location))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .cookie(self.spent_cookie())
            .finish()
    }

    /// Approved without a `success_url`: the password is shown this once,
    /// as WordPress does.
    fn created(&self, auth: &Authorization, password: &str) -> HttpResponse {
        let words = self.words();
        let app = format!("<strong>{}</strong>", text(&auth.name));
        let main = format!(
            "<p>{}</p>\n<p class=\"password\"><code>{}</code></p>\n<p>{}</p>\n",
            text(words.created).replace("{app}", &app),
            text(password),
            text(words.created_note)
        );
        self.response(StatusCode::OK, None)
            .cookie(self.spent_cookie())
            .body(self.document(words.created_title, &main))
    }

    fn rejected(&self, auth: &Authorization) -> HttpResponse {
        let words = self.words();
        let app = format!("<strong>{}</strong>", text(&auth.name));
        let main = format!("<p>{}</p>\n", text(words.rejected).replace("{app}", &app));
        self.response(StatusCode::OK, None)
            .cookie(self.spent_cookie())
            .body(self.document(words.rejected_title, &main))
    }

    /// The sign-in refused: the form again, the email kept.
    fn sign_in_refused(&self, error: ApiError, auth: &Authorization, email: &str) -> HttpResponse {
        let words = self.words();
        let status = error.status_code();
        let (message, retry_after) = match error {
            ApiError::Unauthorized(_) => (text(words.wrong), None),
            ApiError::TooManyRequests {
                retry_after_seconds,
            } => (
                text(words.throttled).replace("{n}", &retry_after_seconds.to_string()),
                Some(retry_after_seconds),
            ),
            ApiError::Busy {
                retry_after_seconds,
            } => (text(words.busy), Some(retry_after_seconds)),
            other => {
                log_failure(&other);
                (text(words.failed), None)
            }
        };
        let mut response = self.form(status, auth, email, Some(&message));
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }

    fn failed(&self, error: ApiError) -> HttpResponse {
        log_failure(&error);
        let words = self.words();
        self.message(error.status_code(), words.title, &text(words.failed))
    }
}

fn log_failure(error: &ApiError) {
    if let ApiError::Internal(detail) = error {
        tracing::error!(%detail, "authorize-application failed");
    }
}

/// `GET`: the sign-in form, or a 400 page naming what is wrong. Never a
/// redirect, whatever the query says.
async fn show(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let cx = Context::of(&req, &state).await;
    let Ok(params) = serde_urlencoded::from_str::<Params>(req.query_string()) else {
        return cx.unreadable();
    };
    match check(params) {
        Ok(auth) => cx.form(StatusCode::OK, &auth, "", None),
        Err(invalid) => cx.invalid(invalid),
    }
}

/// `POST`: from this site's page only (origin and token), the request
/// checked again, then rejected or signed in and approved.
async fn submit(req: HttpRequest, state: web::Data<AppState>, body: web::Bytes) -> HttpResponse {
    let cx = Context::of(&req, &state).await;
    if from_elsewhere(&req, &state) {
        return cx.stale();
    }
    let Ok(form) = serde_urlencoded::from_bytes::<Submission>(&body) else {
        return cx.unreadable();
    };
    let cookie = req.cookie(COOKIE);
    if !token_matches(cookie.as_ref().map(Cookie::value), &form.csrf) {
        return cx.stale();
    }
    let params = Params {
        app_name: form.app_name,
        app_id: form.app_id,
        success_url: form.success_url,
        reject_url: form.reject_url,
    };
    let auth = match check(params) {
        Ok(auth) => auth,
        Err(invalid) => return cx.invalid(invalid),
    };
    match form.action.as_str() {
        "reject" => match auth.reject.as_ref().or(auth.success.as_ref()) {
            Some(url) => cx.redirect(with_query(url, &[("success", "false")])),
            None => cx.rejected(&auth),
        },
        "approve" => approve(&cx, &req, &state, &auth, &form.email, form.password).await,
        _ => cx.unreadable(),
    }
}

async fn approve(
    cx: &Context,
    req: &HttpRequest,
    state: &AppState,
    auth: &Authorization,
    email: &str,
    password: String,
) -> HttpResponse {
    let email = email.trim();
    // Nothing to check: not a guess worth counting against the account.
    if email.is_empty() || password.is_empty() {
        return cx.sign_in_refused(ApiError::Unauthorized(String::new()), auth, email);
    }
    let signed_in = state
        .auth
        .authenticate(Credentials::Password {
            email: email.to_owned(),
            password,
            client: client_address(req),
        })
        .await;
    let caller = match signed_in {
        Ok(caller) => caller,
        Err(error) => return cx.sign_in_refused(error, auth, email),
    };
    let input = CreateApplicationPassword {
        name: auth.name.clone(),
        kind: Default::default(),
        scopes: None,
    };
    let created = match use_cases::create(&state.accounts, &caller, Owner::Me, input).await {
        Ok(created) => created,
        Err(error) => return cx.failed(error),
    };
    match &auth.success {
        Some(url) => {
            // Accounts sign in by email, stored in lower case.
            let login = email.to_lowercase();
            cx.redirect(with_query(
                url,
                &[
                    ("site_url", &cx.origin),
                    ("user_login", &login),
                    ("password", &created.password),
                ],
            ))
        }
        None => cx.created(auth, &created.password),
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
    fn return_urls_are_https_an_apps_scheme_or_loopback_http() {
        for ok in [
            "https://app.example/callback",
            "ulysses://x-callback-url/authorize",
            "obsidian://wordpress-plugin",
            "http://127.0.0.1:8123/cb",
            "http://[::1]/cb",
            "http://localhost:9/cb",
            "HTTPS://App.Example/cb",
        ] {
            assert!(return_url(ok).unwrap().is_some(), "{ok}");
        }
        for (bad, why) in [
            ("http://evil.example/", UrlProblem::Http),
            ("http://localhost.evil.example/", UrlProblem::Http),
            ("javascript:alert(1)", UrlProblem::Scheme),
            (" JavaScript:alert(1)", UrlProblem::Scheme),
            (
                "data:text/html,<script>alert(1)</script>",
                UrlProblem::Scheme,
            ),
            ("vbscript:msgbox", UrlProblem::Scheme),
            ("file:///etc/passwd", UrlProblem::Scheme),
            ("/callback", UrlProblem::NotAbsolute),
            ("//evil.example/", UrlProblem::NotAbsolute),
            ("https://app.example@evil.example/", UrlProblem::Credentials),
        ] {
            assert_eq!(return_url(bad).unwrap_err(), why, "{bad}");
        }
        assert_eq!(return_url("").unwrap(), None);
        assert_eq!(
            return_url(&format!("https://a.example/{}", "a".repeat(MAX_URL))).unwrap_err(),
            UrlProblem::TooLong
        );
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

    #[test]
    fn the_answer_is_appended_to_the_query_percent_encoded() {
        let url = Url::parse("https://app.example/cb?state=x%20y#done").unwrap();
        assert_eq!(
            with_query(
                &url,
                &[("user_login", "a@b.test"), ("password", "abcd EFGH+/")]
            ),
            "https://app.example/cb?state=x%20y&user_login=a%40b.test&password=abcd%20EFGH%2B%2F#done"
        );
        let bare = Url::parse("ulysses://x-callback-url/auth").unwrap();
        assert_eq!(
            with_query(&bare, &[("success", "false")]),
            "ulysses://x-callback-url/auth?success=false"
        );
    }

    #[test]
    fn the_form_may_submit_to_itself_and_to_the_return_urls() {
        let mut both = params("https://app.example:8443/cb?x=1");
        both.reject_url = "ulysses://x-callback-url/no".to_owned();
        let auth = check(both).unwrap();
        assert_eq!(
            policy(Some(&auth)),
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; \
             base-uri 'none'; form-action 'self' https://app.example:8443 ulysses:"
        );
        assert!(policy(None).ends_with("form-action 'none'"));
    }

    #[test]
    fn tokens_match_only_when_equal_and_whole() {
        let token = new_token();
        assert_eq!(token.len(), 64);
        assert!(token_matches(Some(&token), &token));
        assert!(!token_matches(None, &token));
        assert!(!token_matches(Some(""), ""));
        assert!(!token_matches(Some(&token), &new_token()));
        assert!(!token_matches(Some(&token), &token[..63]));
    }

    #[test]
    fn languages_default_to_french() {
        assert_eq!(Lang::of("fr-BJ"), Lang::Fr);
        assert_eq!(Lang::of("en-GB"), Lang::En);
        assert_eq!(Lang::of("EN"), Lang::En);
        assert_eq!(Lang::of("yo"), Lang::Fr);
    }
}
