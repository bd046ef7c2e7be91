//! Why a comment was not taken, each reason with a stable `code` a
//! frontend branches on, and a sentence in French (the site's language,
//! and the default) or English, chosen by `Accept-Language`.

use actix_web::HttpRequest;
use actix_web::http::StatusCode;
use actix_web::http::header::ACCEPT_LANGUAGE;

/// A refused comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The article takes no comments (switched off, not public, or closed
    /// by age).
    CommentsClosed,
    /// No proof of work was sent.
    ChallengeRequired,
    /// The proof of work is malformed, not ours, or wrong.
    ChallengeFailed,
    ChallengeExpired,
    /// The proof of work was already used for a comment.
    ChallengeReplayed,
    /// Sent sooner after the challenge than a person writes.
    TooFast,
    /// The hidden `website` field was filled in, as robots do.
    Honeypot,
    /// The captcha provider's verdict is missing, failed or too low.
    CaptchaScoreTooLow,
    RateLimited {
        retry_after_seconds: u64,
    },
    /// The same comment was already sent.
    Duplicate,
    TooManyLinks {
        max: u32,
    },
    /// A word from the site's blocklist.
    BlockedContent,
}

/// The reader's language for refusals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Fr,
    En,
}

impl Lang {
    /// French unless `Accept-Language` ranks English above French (French
    /// is the site's language, so a request without the header gets it).
    pub fn of(req: &HttpRequest) -> Self {
        req.headers()
            .get(ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map_or(Self::Fr, Self::parse)
    }

    pub fn parse(header: &str) -> Self {
        let mut ranked: Vec<(f32, &str)> = header
            .split(',')
            .filter_map(|entry| {
                let mut parts = entry.split(';');
                let tag = parts.next()?.trim();
                let q = parts
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
                (q > 0.0).then_some((q, tag))
            })
            .collect();
        // Stable: equal weights keep the header's order.
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
        for (_, tag) in ranked {
            let primary = tag.split('-').next().unwrap_or("").to_ascii_lowercase();
            match primary.as_str() {
                "fr" => return Self::Fr,
                "en" => return Self::En,
                _ => {}
            }
        }
        Self::Fr
    }

    /// The sentence in this language.
    pub fn pick(self, fr: impl Into<String>, en: impl Into<String>) -> String {
        match self {
            Self::Fr => fr.into(),
            Self::En => en.into(),
        }
    }
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Self::CommentsClosed => "comments_closed",
            Self::ChallengeRequired => "challenge_required",
            Self::ChallengeFailed => "challenge_failed",
            Self::ChallengeExpired => "challenge_expired",
            Self::ChallengeReplayed => "challenge_replayed",
            Self::TooFast => "too_fast",
            Self::Honeypot => "honeypot",
            Self::CaptchaScoreTooLow => "captcha_score_too_low",
            Self::RateLimited { .. } => "rate_limited",
            Self::Duplicate => "duplicate",
            Self::TooManyLinks { .. } => "too_many_links",
            Self::BlockedContent => "blocked_content",
        }
    }

    pub fn status(self) -> StatusCode {
        match self {
            Self::CommentsClosed => StatusCode::FORBIDDEN,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Duplicate => StatusCode::CONFLICT,
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        }
    }

    pub fn retry_after_seconds(self) -> Option<u64> {
        match self {
            Self::RateLimited {
                retry_after_seconds,
            } => Some(retry_after_seconds),
            _ => None,
        }
    }

    pub fn detail(self, lang: Lang) -> String {
        match self {
            Self::CommentsClosed => lang.pick(
                "Les commentaires sont fermés pour cet article.",
                "Comments are closed for this article.",
            ),
            Self::ChallengeRequired => lang.pick(
                "La vérification anti-robot est manquante ; rechargez le formulaire.",
                "The anti-robot check is missing; reload the form.",
            ),
            Self::ChallengeFailed => lang.pick(
                "La vérification anti-robot a échoué ; rechargez le formulaire.",
                "The anti-robot check failed; reload the form.",
            ),
            Self::ChallengeExpired => lang.pick(
                "La vérification anti-robot a expiré ; rechargez le formulaire.",
                "The anti-robot check expired; reload the form.",
            ),
            Self::ChallengeReplayed => lang.pick(
                "Cette vérification anti-robot a déjà servi ; rechargez le formulaire.",
                "This anti-robot check was already used; reload the form.",
            ),
            Self::TooFast => lang.pick(
                "Commentaire envoyé trop vite ; patientez quelques secondes.",
                "Comment sent too quickly; wait a few seconds.",
            ),
            Self::Honeypot => lang.pick("Le commentaire a été refusé.", "The comment was refused."),
            Self::CaptchaScoreTooLow => lang.pick(
                "Le score de l’utilisateur captcha a échoué.",
                "The captcha score is too low.",
            ),
            Self::RateLimited {
                retry_after_seconds,
            } => lang.pick(
                format!("Trop de commentaires envoyés ; réessayez dans {retry_after_seconds} s."),
                format!("Too many comments sent; retry in {retry_after_seconds} s."),
            ),
            Self::Duplicate => lang.pick(
                "Commentaire en double : vous avez déjà dit cela.",
                "Duplicate comment: you have already said that.",
            ),
            Self::TooManyLinks { max } => lang.pick(
                format!("Trop de liens dans le commentaire (au plus {max})."),
                format!("Too many links in the comment (at most {max})."),
            ),
            Self::BlockedContent => lang.pick(
                "Le commentaire contient des mots refusés par le site.",
                "The comment contains words the site refuses.",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Lang;

    #[test]
    fn french_unless_english_ranks_higher() {
        assert_eq!(Lang::parse("fr-FR,fr;q=0.9,en;q=0.8"), Lang::Fr);
        assert_eq!(Lang::parse("en-US,en;q=0.9,fr;q=0.8"), Lang::En);
        assert_eq!(Lang::parse("fr;q=0.5, en;q=0.7"), Lang::En);
        assert_eq!(Lang::parse("de-DE"), Lang::Fr);
        assert_eq!(Lang::parse("en;q=0, fr"), Lang::Fr);
        assert_eq!(Lang::parse("*"), Lang::Fr);
        assert_eq!(Lang::parse("garbage;;;q=x"), Lang::Fr);
    }
}
