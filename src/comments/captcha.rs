//! The optional captcha check: the token the reader's captcha widget
//! (reCAPTCHA v3, Cloudflare Turnstile or hCaptcha) gave the frontend is
//! sent to the provider's `siteverify` with the site's secret, as the
//! three document it (`POST`, form-encoded `secret`, `response`,
//! `remoteip`; a JSON answer with `success` and, for some, `score`).
//!
//! A provider that does not answer in time, answers with an error status
//! or with something unreadable, or says our secret is wrong, decides
//! nothing: the comment is kept and waits for a moderator
//! (`Verdict::Unavailable`), never published on trust nor lost.

use serde::Deserialize;

use super::settings::{CaptchaProvider, CaptchaSettings};

/// What the provider said of one token.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// A person, with a score at least the minimum where there is one.
    Passed,
    /// No token, a token refused, or a score below the minimum.
    Failed,
    /// The provider could not decide (timeout, error, our configuration):
    /// hold the comment. The reason is for the log.
    Unavailable(String),
}

#[derive(Debug, Deserialize)]
struct SiteVerify {
    success: bool,
    score: Option<f64>,
    #[serde(rename = "error-codes", default)]
    error_codes: Vec<String>,
}

/// Error codes that say our side is misconfigured: not the reader's fault.
const OUR_FAULT: &[&str] = &[
    "missing-input-secret",
    "invalid-input-secret",
    "sitekey-secret-mismatch",
    "bad-request",
    "internal-error",
];

/// Asks the provider about `token` (from `client_address`).
pub async fn verify(
    http: &reqwest::Client,
    settings: &CaptchaSettings,
    token: Option<&str>,
    client_address: &str,
) -> Verdict {
    let Some(token) = token
        .map(str::trim)
        .filter(|t| !t.is_empty() && t.len() <= 4096)
    else {
        return Verdict::Failed;
    };
    let form = match serde_urlencoded::to_string([
        ("secret", settings.secret.as_str()),
        ("response", token),
        ("remoteip", client_address),
    ]) {
        Ok(form) => form,
        Err(e) => return Verdict::Unavailable(format!("cannot encode the request: {e}")),
    };
    let sent = http
        .post(&settings.verify_url)
        .timeout(settings.timeout)
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(form)
        .send()
        .await;
    let response = match sent {
        Ok(r) if r.status().is_success() => r,
        Ok(r) => return Verdict::Unavailable(format!("siteverify answered {}", r.status())),
        Err(e) if e.is_timeout() => return Verdict::Unavailable("siteverify timed out".to_owned()),
        Err(e) => return Verdict::Unavailable(format!("siteverify unreachable: {e}")),
    };
    let bytes = match response.bytes().await {
        Ok(b) => b,
        Err(e) => return Verdict::Unavailable(format!("siteverify body: {e}")),
    };
    let Ok(answer) = serde_json::from_slice::<SiteVerify>(&bytes) else {
        return Verdict::Unavailable(
            "siteverify answered something other than its JSON".to_owned(),
        );
    };
    judge(settings, &answer)
}

fn judge(settings: &CaptchaSettings, answer: &SiteVerify) -> Verdict {
    if let Some(code) = answer
        .error_codes
        .iter()
        .find(|c| OUR_FAULT.contains(&c.as_str()))
    {
        return Verdict::Unavailable(format!("siteverify says {code}: check CMS_CAPTCHA_SECRET"));
    }
    if !answer.success {
        return Verdict::Failed;
    }
    let score = match (settings.provider, answer.score) {
        (CaptchaProvider::Recaptcha, None) => return Verdict::Failed,
        (CaptchaProvider::Recaptcha, Some(score)) => score,
        // A risk score: higher is worse.
        (CaptchaProvider::Hcaptcha, Some(risk)) => 1.0 - risk,
        (CaptchaProvider::Hcaptcha | CaptchaProvider::Turnstile, _) => return Verdict::Passed,
    };
    if score >= settings.min_score {
        Verdict::Passed
    } else {
        Verdict::Failed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(provider: CaptchaProvider) -> CaptchaSettings {
        CaptchaSettings {
            provider,
            verify_url: "http://127.0.0.1:9/".to_owned(),
            secret: "s".to_owned(),
            min_score: 0.5,
            timeout: std::time::Duration::from_millis(100),
        }
    }

    fn answer(success: bool, score: Option<f64>, codes: &[&str]) -> SiteVerify {
        SiteVerify {
            success,
            score,
            error_codes: codes.iter().map(|c| (*c).to_owned()).collect(),
        }
    }

    #[test]
    fn scores_read_in_each_providers_direction() {
        let r = settings(CaptchaProvider::Recaptcha);
        assert_eq!(judge(&r, &answer(true, Some(0.9), &[])), Verdict::Passed);
        assert_eq!(judge(&r, &answer(true, Some(0.1), &[])), Verdict::Failed);
        assert_eq!(judge(&r, &answer(false, Some(0.9), &[])), Verdict::Failed);
        let h = settings(CaptchaProvider::Hcaptcha);
        assert_eq!(judge(&h, &answer(true, Some(0.9), &[])), Verdict::Failed);
        assert_eq!(judge(&h, &answer(true, None, &[])), Verdict::Passed);
        let t = settings(CaptchaProvider::Turnstile);
        assert_eq!(judge(&t, &answer(true, None, &[])), Verdict::Passed);
        assert!(matches!(
            judge(&t, &answer(false, None, &["invalid-input-secret"])),
            Verdict::Unavailable(_)
        ));
    }
}
