//! The site's comment rules, read from `CMS_COMMENTS_*` and `CMS_CAPTCHA_*`
//! (documented in `.env.example`), checked when the service starts.

use std::time::Duration;

use crate::config::ConfigError;

/// Which captcha service answers `siteverify`, and so how its score reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptchaProvider {
    /// reCAPTCHA v3: `score` from 0.0 (a robot) to 1.0 (a person).
    Recaptcha,
    /// Cloudflare Turnstile: no score, `success` decides.
    Turnstile,
    /// hCaptcha: `success` decides; Enterprise adds a *risk* `score` where
    /// higher is worse, compared as `1 - score`.
    Hcaptcha,
}

impl CaptchaProvider {
    fn parse(raw: &str) -> Option<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "recaptcha" => Some(Self::Recaptcha),
            "turnstile" => Some(Self::Turnstile),
            "hcaptcha" => Some(Self::Hcaptcha),
            _ => None,
        }
    }

    fn default_url(self) -> &'static str {
        match self {
            Self::Recaptcha => "https://www.google.com/recaptcha/api/siteverify",
            Self::Turnstile => "https://challenges.cloudflare.com/turnstile/v0/siteverify",
            Self::Hcaptcha => "https://api.hcaptcha.com/siteverify",
        }
    }
}

/// The optional captcha verifier.
#[derive(Clone)]
pub struct CaptchaSettings {
    pub provider: CaptchaProvider,
    pub verify_url: String,
    pub secret: String,
    /// The lowest score taken (reCAPTCHA's scale), as the seed site's 0.5.
    pub min_score: f64,
    /// A provider slower than this holds the comment for moderation.
    pub timeout: Duration,
}

impl std::fmt::Debug for CaptchaSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaptchaSettings")
            .field("provider", &self.provider)
            .field("verify_url", &self.verify_url)
            .field("min_score", &self.min_score)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone)]
pub struct CommentSettings {
    /// Articles stop taking comments this long after publication.
    pub close_after_days: Option<u32>,
    /// Deepest level of replies (1: no replies).
    pub max_depth: u32,
    /// Longest body, in characters.
    pub max_length: usize,
    /// A comment with at least this many links (author URL included) waits
    /// for moderation (WordPress's `comment_max_links`, 2).
    pub hold_links: u32,
    /// More links than this are refused.
    pub max_links: u32,
    /// Words that send a comment to moderation (case-insensitive parts of
    /// the name, email, URL or body), and words that refuse it.
    pub hold_words: Vec<String>,
    pub blocked_words: Vec<String>,
    /// Every comment waits for moderation.
    pub moderate_all: bool,
    /// A first comment waits unless its email already has an approved one.
    pub hold_first_comments: bool,
    /// Readers solve a proof of work (`comments::challenge`).
    pub require_challenge: bool,
    pub challenge_ttl_seconds: u64,
    pub challenge_max_number: u64,
    /// Least time between a challenge and its comment.
    pub min_seconds: u64,
    /// Comments per client address, and per article, in a window.
    pub per_address: u32,
    pub per_article: u32,
    pub rate_window_seconds: u64,
    /// Client addresses (hashed) are forgotten after this many days.
    pub address_retention_days: u32,
    pub captcha: Option<CaptchaSettings>,
}

impl Default for CommentSettings {
    fn default() -> Self {
        Self {
            close_after_days: None,
            max_depth: 3,
            max_length: 5_000,
            hold_links: 2,
            max_links: 5,
            hold_words: Vec::new(),
            blocked_words: Vec::new(),
            moderate_all: false,
            hold_first_comments: true,
            require_challenge: true,
            challenge_ttl_seconds: 20 * 60,
            challenge_max_number: 100_000,
            min_seconds: 3,
            per_address: 5,
            per_article: 60,
            rate_window_seconds: 600,
            address_retention_days: 30,
            captcha: None,
        }
    }
}

fn words(raw: Option<String>) -> Vec<String> {
    raw.map(|raw| {
        raw.split([',', '\n'])
            .map(|w| w.trim().to_lowercase())
            .filter(|w| !w.is_empty())
            .collect()
    })
    .unwrap_or_default()
}

impl CommentSettings {
    /// From the environment's `var`, with the same number and flag rules
    /// as the rest of `Config`.
    pub fn from_lookup(
        var: &dyn Fn(&'static str) -> Option<String>,
        number: &dyn Fn(&'static str, u64, u64, u64) -> Result<u64, ConfigError>,
        flag: &dyn Fn(&'static str, bool) -> Result<bool, ConfigError>,
    ) -> Result<Self, ConfigError> {
        let d = Self::default();
        let err = |variable: &'static str, message: String| ConfigError { variable, message };
        let captcha = match var("CMS_CAPTCHA_PROVIDER") {
            None => None,
            Some(raw) => {
                let provider = CaptchaProvider::parse(&raw).ok_or_else(|| {
                    err(
                        "CMS_CAPTCHA_PROVIDER",
                        format!("'{raw}' is not one of recaptcha, turnstile, hcaptcha"),
                    )
                })?;
                let secret = var("CMS_CAPTCHA_SECRET").ok_or_else(|| {
                    err(
                        "CMS_CAPTCHA_SECRET",
                        "must be set when CMS_CAPTCHA_PROVIDER is".to_owned(),
                    )
                })?;
                let verify_url = match var("CMS_CAPTCHA_VERIFY_URL") {
                    None => provider.default_url().to_owned(),
                    Some(raw) => url::Url::parse(raw.trim())
                        .ok()
                        .filter(|u| matches!(u.scheme(), "http" | "https"))
                        .map(String::from)
                        .ok_or_else(|| {
                            err(
                                "CMS_CAPTCHA_VERIFY_URL",
                                format!("'{raw}' is not an http(s) URL"),
                            )
                        })?,
                };
                let min_score = match var("CMS_CAPTCHA_MIN_SCORE") {
                    None => 0.5,
                    Some(raw) => raw
                        .trim()
                        .parse::<f64>()
                        .ok()
                        .filter(|s| (0.0..=1.0).contains(s))
                        .ok_or_else(|| {
                            err(
                                "CMS_CAPTCHA_MIN_SCORE",
                                format!("'{raw}' is not a number between 0 and 1"),
                            )
                        })?,
                };
                Some(CaptchaSettings {
                    provider,
                    verify_url,
                    secret,
                    min_score,
                    timeout: Duration::from_millis(number(
                        "CMS_CAPTCHA_TIMEOUT_MS",
                        3_000,
                        100,
                        30_000,
                    )?),
                })
            }
        };
        let hold_links = number("CMS_COMMENTS_HOLD_LINKS", d.hold_links.into(), 1, 100)? as u32;
        Ok(Self {
            close_after_days: match number("CMS_COMMENTS_CLOSE_AFTER_DAYS", 0, 0, 36_500)? {
                0 => None,
                n => Some(n as u32),
            },
            max_depth: number("CMS_COMMENTS_MAX_DEPTH", d.max_depth.into(), 1, 10)? as u32,
            max_length: number("CMS_COMMENTS_MAX_LENGTH", d.max_length as u64, 10, 100_000)?
                as usize,
            hold_links,
            max_links: number("CMS_COMMENTS_MAX_LINKS", d.max_links.into(), 0, 100)? as u32,
            hold_words: words(var("CMS_COMMENTS_HOLD_WORDS")),
            blocked_words: words(var("CMS_COMMENTS_BLOCKED_WORDS")),
            moderate_all: flag("CMS_COMMENTS_MODERATE_ALL", d.moderate_all)?,
            hold_first_comments: flag("CMS_COMMENTS_HOLD_FIRST", d.hold_first_comments)?,
            require_challenge: flag("CMS_COMMENTS_REQUIRE_CHALLENGE", d.require_challenge)?,
            challenge_ttl_seconds: number(
                "CMS_COMMENTS_CHALLENGE_TTL_SECONDS",
                d.challenge_ttl_seconds,
                60,
                86_400,
            )?,
            challenge_max_number: number(
                "CMS_COMMENTS_CHALLENGE_MAX_NUMBER",
                d.challenge_max_number,
                10,
                100_000_000,
            )?,
            min_seconds: number("CMS_COMMENTS_MIN_SECONDS", d.min_seconds, 0, 3_600)?,
            per_address: number("CMS_COMMENTS_PER_ADDRESS", d.per_address.into(), 1, 100_000)?
                as u32,
            per_article: number("CMS_COMMENTS_PER_ARTICLE", d.per_article.into(), 1, 100_000)?
                as u32,
            rate_window_seconds: number(
                "CMS_COMMENTS_RATE_WINDOW_SECONDS",
                d.rate_window_seconds,
                1,
                86_400,
            )?,
            address_retention_days: number(
                "CMS_COMMENTS_IP_RETENTION_DAYS",
                d.address_retention_days.into(),
                1,
                3_650,
            )? as u32,
            captcha,
        })
    }
}
