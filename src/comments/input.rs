//! What readers and moderators send, checked into domain values that are
//! valid once made (every bad field reported at once).

use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::body::{self, RenderedBody};
use super::refusal::Lang;
use super::settings::CommentSettings;
use super::status::CommentStatus;
use crate::error::{ApiError, FieldError};
use crate::http::listing::PageRequest;

/// The longest name and address kept.
const MAX_NAME_CHARS: usize = 100;
const MAX_EMAIL_CHARS: usize = 254;
const MAX_URL_CHARS: usize = 500;

/// `POST /api/v1/articles/{id_or_slug}/comments`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentSubmission {
    /// Required for readers; staff replies sign with their account's name.
    #[schema(example = "Aïcha K.")]
    pub author_name: Option<String>,
    /// Never shown publicly; lets a returning reader skip moderation.
    #[schema(example = "aicha@example.bj")]
    pub author_email: Option<String>,
    #[schema(example = "https://blog.example.bj")]
    pub author_url: Option<String>,
    /// Plain text: blank lines make paragraphs, addresses become links.
    #[schema(example = "Merci pour cet article « éclairant » ! Voir https://example.bj/dossier")]
    pub body: String,
    /// The comment answered, on the same article.
    #[schema(example = json!(null), minimum = 1)]
    pub parent_id: Option<i64>,
    /// The ALTCHA widget's solution (base64 JSON), from
    /// `GET /api/v1/comments/challenge`.
    pub altcha: Option<String>,
    /// The captcha widget's token, when the site checks one.
    pub captcha_token: Option<String>,
    /// Leave empty: a field hidden from people, which robots fill in.
    #[schema(example = "")]
    pub website: Option<String>,
}

/// A submission's reader fields, checked.
#[derive(Debug, Clone)]
pub struct Submission {
    pub author_name: String,
    /// Lowercased.
    pub author_email: Option<String>,
    pub author_url: Option<String>,
    pub body: RenderedBody,
    pub parent_id: Option<i64>,
}

fn email(raw: &str) -> Option<String> {
    let email = raw.trim().to_lowercase();
    let (local, domain) = email.split_once('@')?;
    let fine = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
        && !domain.contains('@')
        && email.chars().count() <= MAX_EMAIL_CHARS;
    fine.then_some(email)
}

/// A person's name on one line.
fn name(raw: &str) -> String {
    body::clean_text(raw)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

impl CommentSubmission {
    /// The reader fields, or 422 naming each bad one. `staff_name` signs a
    /// newsroom reply when no name is given.
    pub fn check(
        &self,
        settings: &CommentSettings,
        staff_name: Option<&str>,
        lang: Lang,
    ) -> Result<Submission, ApiError> {
        let mut errors = Vec::new();
        let author_name = match (self.author_name.as_deref().map(name), staff_name) {
            (Some(n), _) if !n.is_empty() => n,
            (_, Some(staff)) => name(staff),
            _ => {
                errors.push(FieldError::new(
                    "author_name",
                    "required",
                    lang.pick("le nom est obligatoire", "a name is required"),
                ));
                String::new()
            }
        };
        if author_name.chars().count() > MAX_NAME_CHARS {
            errors.push(FieldError::new(
                "author_name",
                "too_long",
                lang.pick(
                    format!("le nom dépasse {MAX_NAME_CHARS} caractères"),
                    format!("the name is longer than {MAX_NAME_CHARS} characters"),
                ),
            ));
        }
        let author_email = match self.author_email.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => {
                let checked = email(raw);
                if checked.is_none() {
                    errors.push(FieldError::new(
                        "author_email",
                        "invalid",
                        lang.pick("adresse e-mail invalide", "not an email address"),
                    ));
                }
                checked
            }
        };
        let author_url = match self.author_url.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => {
                let checked = body::author_url(raw).filter(|u| u.len() <= MAX_URL_CHARS);
                if checked.is_none() {
                    errors.push(FieldError::new(
                        "author_url",
                        "invalid",
                        lang.pick(
                            "le site doit être une adresse http(s)",
                            "the website must be an http(s) address",
                        ),
                    ));
                }
                checked
            }
        };
        let rendered = body::render(&self.body);
        let length = rendered.text.chars().count();
        if length == 0 {
            errors.push(FieldError::new(
                "body",
                "required",
                lang.pick("le commentaire est vide", "the comment is empty"),
            ));
        } else if length > settings.max_length {
            errors.push(FieldError::new(
                "body",
                "too_long",
                lang.pick(
                    format!(
                        "le commentaire dépasse {} caractères ({length})",
                        settings.max_length
                    ),
                    format!(
                        "the comment is longer than {} characters ({length})",
                        settings.max_length
                    ),
                ),
            ));
        }
        if let Some(parent) = self.parent_id
            && parent <= 0
        {
            errors.push(FieldError::new(
                "parent_id",
                "invalid",
                lang.pick("commentaire parent inconnu", "no such parent comment"),
            ));
        }
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        Ok(Submission {
            author_name,
            author_email,
            author_url,
            body: rendered,
            parent_id: self.parent_id,
        })
    }
}

/// `GET /api/v1/articles/{id_or_slug}/comments`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ThreadQuery {
    /// `asc` (oldest first, the default) or `desc`, for threads; replies
    /// are always oldest first.
    #[param(value_type = Option<String>, pattern = "^(asc|desc)$", example = "asc")]
    pub order: Option<String>,
    /// Threads per page: default 20, at most 100.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100, example = 20)]
    pub per_page: Option<String>,
    /// `meta.next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Thread order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Order {
    Asc,
    Desc,
}

impl ThreadQuery {
    pub fn parse(&self) -> Result<(Order, u32), ApiError> {
        let order = match self.order.as_deref() {
            None | Some("asc") => Order::Asc,
            Some("desc") => Order::Desc,
            Some(_) => {
                return Err(ApiError::bad_parameter(
                    "order",
                    "invalid",
                    "order is asc or desc",
                ));
            }
        };
        let page = PageRequest::parse(None, self.per_page.as_deref())?;
        Ok((order, page.per_page))
    }
}

/// `GET /api/v1/comments`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ModerationQuery {
    /// Only this status (`pending`, `approved`, `spam`, `trash`); all but
    /// `trash` when absent.
    #[param(value_type = Option<String>, pattern = "^(pending|approved|spam|trash)$", example = "pending")]
    pub status: Option<String>,
    /// Only comments on this article (id).
    #[param(value_type = Option<i64>, minimum = 1, example = 42)]
    pub article: Option<String>,
    /// Only comments from this email.
    pub email: Option<String>,
    /// Only comments whose name or text contains this.
    pub q: Option<String>,
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000000, example = 1)]
    pub page: Option<String>,
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100, example = 20)]
    pub per_page: Option<String>,
}

/// The moderation list's filters, checked.
#[derive(Debug, Clone)]
pub struct ModerationFilter {
    pub status: Option<CommentStatus>,
    pub article_id: Option<i64>,
    pub email: Option<String>,
    pub q: Option<String>,
    pub page: PageRequest,
}

impl ModerationQuery {
    pub fn parse(&self) -> Result<ModerationFilter, ApiError> {
        let mut errors = Vec::new();
        let status = match self.status.as_deref() {
            None => None,
            Some(raw) => {
                let s = CommentStatus::parse(raw);
                if s.is_none() {
                    errors.push(FieldError::new(
                        "status",
                        "invalid",
                        "status is pending, approved, spam or trash",
                    ));
                }
                s
            }
        };
        let article_id = match self.article.as_deref() {
            None => None,
            Some(raw) => {
                let id = raw.trim().parse::<i64>().ok().filter(|id| *id > 0);
                if id.is_none() {
                    errors.push(FieldError::new("article", "invalid", "an article id"));
                }
                id
            }
        };
        let page = match PageRequest::parse(self.page.as_deref(), self.per_page.as_deref()) {
            Ok(page) => Some(page),
            Err(ApiError::BadRequest { errors: e, .. }) => {
                errors.extend(e);
                None
            }
            Err(other) => return Err(other),
        };
        if !errors.is_empty() {
            return Err(ApiError::BadRequest {
                detail: "invalid query parameters".to_owned(),
                errors,
            });
        }
        Ok(ModerationFilter {
            status,
            article_id,
            email: self
                .email
                .as_deref()
                .map(|e| e.trim().to_lowercase())
                .filter(|e| !e.is_empty()),
            q: self
                .q
                .as_deref()
                .map(str::trim)
                .filter(|q| !q.is_empty())
                .map(str::to_owned),
            page: page.unwrap_or(PageRequest {
                page: 1,
                per_page: 20,
            }),
        })
    }
}

/// `PATCH /api/v1/comments/{id}`: the fields sent change.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentPatch {
    pub status: Option<CommentStatus>,
    /// A corrected text (plain text, rendered as readers' are).
    pub body: Option<String>,
    /// Why the text was edited, for the other moderators.
    #[schema(example = "Numéro de téléphone retiré")]
    pub note: Option<String>,
}

/// `POST /api/v1/comments/moderate`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ModerateRequest {
    /// At most 500.
    #[schema(example = json!([812, 813]))]
    pub ids: Vec<i64>,
    pub status: CommentStatus,
}

/// `GET` and `DELETE /api/v1/comments/by-email`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EmailQuery {
    #[param(example = "lecteur@example.bj")]
    pub email: String,
}

impl EmailQuery {
    pub fn parse(&self) -> Result<String, ApiError> {
        email(&self.email)
            .ok_or_else(|| ApiError::bad_parameter("email", "invalid", "not an email address"))
    }
}
