//! The page an editor app opens in a browser for a journalist to sign in
//! and approve it: what WordPress's authorize-application page
//! (`wp_rest::authorize`) and the IndieAuth authorization page
//! (`micropub::indieauth`) share.
//!
//! What keeps such a page from being an open redirect or a phishing aid:
//! - return URLs are checked ([`return_url`]: https, an app's own scheme,
//!   or http to this machine only) on the GET and again on the POST;
//! - a GET never redirects: only a POST carrying the double-submit token
//!   (an HttpOnly SameSite=Strict cookie and a form field, equal) does,
//!   and never one sent from another origin ([`Page::submitted_here`]);
//! - the page cannot be framed, loads nothing, and may submit only to
//!   itself and to the return URLs (Chromium applies `form-action` to the
//!   redirect that answers the POST, so they must be listed).

use actix_web::cookie::{Cookie, SameSite, time::Duration};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder, ResponseError};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use url::{Host, Url};

use crate::accounts::sessions::routes::client_address;
use crate::auth::Caller;
use crate::auth::authenticate::Credentials;
use crate::error::ApiError;
use crate::state::AppState;

const TOKEN_BYTES: usize = 32;
/// Enough to read the page and type a password; a form older than this
/// is refused and the page must be opened again.
const TOKEN_MINUTES: i64 = 60;
/// The forms are a few short fields.
pub const MAX_FORM_BYTES: usize = 16 * 1024;
/// No app's callback is longer; bounds what the page and its form carry.
pub const MAX_URL: usize = 2048;

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

/// Why a return URL is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlProblem {
    NotAbsolute,
    TooLong,
    Scheme,
    Http,
    Credentials,
}

/// A return URL an app gives: https, an app's own scheme (`ulysses://`),
/// or plain http to this machine only (where a desktop app listens); no
/// scheme a browser would run itself, no credentials. Empty is `None`.
pub fn return_url(raw: &str) -> Result<Option<Url>, UrlProblem> {
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
pub fn with_query(url: &Url, pairs: &[(&str, &str)]) -> String {
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

/// The page's policy; `form`: the URLs its form may lead to (besides
/// itself), `None` for a page without a form.
pub fn policy(form: Option<&[&Url]>) -> String {
    let form_action = match form {
        None => "'none'".to_owned(),
        Some(targets) => {
            let mut sources = vec!["'self'".to_owned()];
            for url in targets {
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

/// Hidden inputs carrying a request's parameters back with the form (the
/// POST checks them again).
pub fn hidden_fields(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(name, value)| {
            format!(
                "<input type=\"hidden\" name=\"{name}\" value=\"{}\">\n",
                text(value)
            )
        })
        .collect()
}

/// HTML text and attribute values: the five markup characters escaped.
pub fn text(raw: &str) -> String {
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
pub enum Lang {
    Fr,
    En,
}

impl Lang {
    /// French unless the site is in English: the newsroom's language.
    pub fn of(tag: &str) -> Self {
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

    /// `fr` or `en` of a pair of sentences.
    pub fn pick<'a>(self, fr: &'a str, en: &'a str) -> &'a str {
        match self {
            Self::Fr => fr,
            Self::En => en,
        }
    }
}

/// The sentences every consent page shares; `{…}` are filled in with
/// escaped text.
pub struct Words {
    pub email: &'static str,
    pub password: &'static str,
    pub approve: &'static str,
    pub reject: &'static str,
    wrong: &'static str,
    throttled: &'static str,
    busy: &'static str,
    failed: &'static str,
    pub invalid_title: &'static str,
    bad_url: &'static str,
    not_absolute: &'static str,
    too_long: &'static str,
    scheme: &'static str,
    http: &'static str,
    credentials: &'static str,
    unreadable: &'static str,
    refused_title: &'static str,
    stale: &'static str,
}

const FR: Words = Words {
    email: "Adresse e-mail",
    password: "Mot de passe",
    approve: "Approuver",
    reject: "Refuser",
    wrong: "Adresse e-mail ou mot de passe incorrect.",
    throttled: "Trop de tentatives : réessayez dans {n} secondes.",
    busy: "Le serveur est occupé : réessayez dans un instant.",
    failed: "Le serveur a échoué ; rien n’a été créé. Réessayez.",
    invalid_title: "Demande invalide",
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
};

const EN: Words = Words {
    email: "Email address",
    password: "Password",
    approve: "Approve",
    reject: "Reject",
    wrong: "Incorrect email address or password.",
    throttled: "Too many attempts: try again in {n} seconds.",
    busy: "The server is busy: try again in a moment.",
    failed: "The server failed; nothing was created. Try again.",
    invalid_title: "Invalid request",
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
};

/// What every answer of a consent page needs: its language, where it is,
/// and its token cookie.
pub struct Page {
    pub lang: Lang,
    pub site_title: String,
    pub origin: String,
    secure: bool,
    cookie: &'static str,
    cookie_path: String,
}

impl Page {
    /// The page served under `dir` (`/wp-admin/`), its token in the cookie
    /// `cookie`.
    pub async fn of(req: &HttpRequest, state: &AppState, cookie: &'static str, dir: &str) -> Self {
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
            cookie,
            cookie_path: format!("{prefix}{dir}"),
        }
    }

    pub fn words(&self) -> &'static Words {
        self.lang.words()
    }

    pub fn document(&self, title: &str, main: &str) -> String {
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

    /// The headers every answer carries, whatever the middleware would
    /// add; `form`: where its form may lead (see [`policy`]).
    pub fn response(&self, status: StatusCode, form: Option<&[&Url]>) -> HttpResponseBuilder {
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
        // them alone (`http::fallback::OWN_ERROR_SHAPES`).
        response
    }

    fn token_cookie(&self, token: &str) -> Cookie<'static> {
        Cookie::build(self.cookie, token.to_owned())
            .path(self.cookie_path.clone())
            .http_only(true)
            .same_site(SameSite::Strict)
            .secure(self.secure)
            .max_age(Duration::minutes(TOKEN_MINUTES))
            .finish()
    }

    /// The token has served: a later submission needs a new page.
    pub fn spent_cookie(&self) -> Cookie<'static> {
        let mut cookie = self.token_cookie("");
        cookie.make_removal();
        cookie
    }

    /// A form page: `main` with `{csrf}` replaced by a new token's hidden
    /// field, the token set in the cookie.
    pub fn form_page(
        &self,
        status: StatusCode,
        title: &str,
        main: &str,
        targets: &[&Url],
    ) -> HttpResponse {
        let token = new_token();
        let main = main.replace(
            "{csrf}",
            &format!("<input type=\"hidden\" name=\"csrf\" value=\"{token}\">"),
        );
        self.response(status, Some(targets))
            .cookie(self.token_cookie(&token))
            .body(self.document(title, &main))
    }

    /// The email and password fields and the two buttons of a sign-in
    /// form, `email` kept after a refusal.
    pub fn sign_in_fields(&self, email: &str) -> String {
        let words = self.words();
        format!(
            "<label for=\"email\">{email_label}</label>\n\
             <input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"username\" \
             required value=\"{email}\">\n\
             <label for=\"password\">{password_label}</label>\n\
             <input id=\"password\" name=\"password\" type=\"password\" \
             autocomplete=\"current-password\" required>\n\
             <div class=\"actions\">\n\
             <button type=\"submit\" name=\"action\" value=\"approve\">{approve}</button>\n\
             <button type=\"submit\" name=\"action\" value=\"reject\" formnovalidate>{reject}</button>\n\
             </div>\n",
            email_label = text(words.email),
            email = text(email),
            password_label = text(words.password),
            approve = text(words.approve),
            reject = text(words.reject),
        )
    }

    /// A page of one message, with no form.
    pub fn message(&self, status: StatusCode, title: &str, message_html: &str) -> HttpResponse {
        let main = format!("<p>{message_html}</p>\n");
        self.response(status, None)
            .body(self.document(title, &main))
    }

    /// The last page of a flow (`main` is HTML): its token spent.
    pub fn finished(&self, title: &str, main: &str) -> HttpResponse {
        self.response(StatusCode::OK, None)
            .cookie(self.spent_cookie())
            .body(self.document(title, main))
    }

    /// A 400 page naming what is wrong (`message_html`).
    pub fn invalid(&self, message_html: &str) -> HttpResponse {
        self.message(
            StatusCode::BAD_REQUEST,
            self.words().invalid_title,
            message_html,
        )
    }

    /// The sentence for a refused return URL in `param`.
    pub fn url_refused(&self, param: &str, problem: UrlProblem) -> String {
        let words = self.words();
        let reason = match problem {
            UrlProblem::NotAbsolute => words.not_absolute,
            UrlProblem::TooLong => words.too_long,
            UrlProblem::Scheme => words.scheme,
            UrlProblem::Http => words.http,
            UrlProblem::Credentials => words.credentials,
        };
        text(words.bad_url)
            .replace("{param}", &format!("<code>{}</code>", text(param)))
            .replace("{reason}", &text(reason))
    }

    pub fn unreadable(&self) -> HttpResponse {
        self.invalid(&text(self.words().unreadable))
    }

    pub fn stale(&self) -> HttpResponse {
        let words = self.words();
        self.message(
            StatusCode::FORBIDDEN,
            words.refused_title,
            &text(words.stale),
        )
    }

    /// Whether a POST comes from this page: no foreign `Origin`, and the
    /// form's token equal to the cookie's.
    pub fn submitted_here(&self, req: &HttpRequest, state: &AppState, csrf: &str) -> bool {
        if from_elsewhere(req, state) {
            return false;
        }
        let cookie = req.cookie(self.cookie);
        token_matches(cookie.as_ref().map(Cookie::value), csrf)
    }

    /// 303: the browser follows with a GET, never re-posting the form.
    pub fn redirect(&self, location: String) -> HttpResponse {
        HttpResponse::SeeOther()
            .insert_header((header::LOCATION, location))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .cookie(self.spent_cookie())
            .finish()
    }

    /// A refused sign-in in the page's words: its status, the sentence,
    /// and `Retry-After` when there is one to wait.
    fn refusal(&self, error: ApiError) -> Refusal {
        let words = self.words();
        let status = error.status_code();
        let (message_html, retry_after) = match error {
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
        Refusal {
            status,
            message_html,
            retry_after,
        }
    }

    pub fn failed(&self, error: ApiError) -> HttpResponse {
        log_failure(&error);
        let words = self.words();
        self.message(
            error.status_code(),
            words.refused_title,
            &text(words.failed),
        )
    }
}

/// A sign-in the page refuses (`Page::refusal`).
pub struct Refusal {
    pub status: StatusCode,
    pub message_html: String,
    pub retry_after: Option<u64>,
}

impl Refusal {
    /// The form again (`form(status, message_html)`), with the refusal's
    /// `Retry-After`.
    pub fn answer(self, form: impl FnOnce(StatusCode, &str) -> HttpResponse) -> HttpResponse {
        let mut response = form(self.status, &self.message_html);
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

fn log_failure(error: &ApiError) {
    if let ApiError::Internal(detail) = error {
        tracing::error!(%detail, "consent page failed");
    }
}

impl Page {
    /// The account's own email and password (never an application
    /// password: this is where one is made), through the sign-in
    /// throttle; refused, what the page says. Empty fields are refused
    /// without counting: not a guess worth counting.
    pub async fn sign_in(
        &self,
        req: &HttpRequest,
        state: &AppState,
        email: &str,
        password: String,
    ) -> Result<Caller, Refusal> {
        let email = email.trim();
        if email.is_empty() || password.is_empty() {
            return Err(self.refusal(ApiError::Unauthorized(String::new())));
        }
        state
            .auth
            .authenticate(Credentials::Password {
                email: email.to_owned(),
                password,
                client: client_address(req),
            })
            .await
            .map_err(|e| self.refusal(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let https = Url::parse("https://app.example:8443/cb?x=1").unwrap();
        let app = Url::parse("ulysses://x-callback-url/no").unwrap();
        assert_eq!(
            policy(Some(&[&https, &app])),
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
