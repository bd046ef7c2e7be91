//! Which comments are taken at once, which wait for a moderator, and
//! which are refused: WordPress's `check_comment` order, with the site's
//! settings. Refusals come first (blocked words, too many links, a failed
//! captcha), then the reasons to hold, in the order a moderator would
//! want to read them; a comment nothing holds is approved.

use super::captcha::Verdict;
use super::input::Submission;
use super::refusal::Refusal;
use super::settings::CommentSettings;
use super::status::HoldReason;

/// What happens to a reader's comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Hold(HoldReason),
}

fn mentions(words: &[String], submission: &Submission) -> bool {
    if words.is_empty() {
        return false;
    }
    let haystack = [
        Some(submission.author_name.as_str()),
        submission.author_email.as_deref(),
        submission.author_url.as_deref(),
        Some(submission.body.text.as_str()),
    ]
    .into_iter()
    .flatten()
    .map(str::to_lowercase)
    .collect::<Vec<_>>()
    .join("\n");
    words.iter().any(|w| haystack.contains(w.as_str()))
}

/// Refusals that need nothing but the comment: checked before anything is
/// written.
pub fn refusal(settings: &CommentSettings, submission: &Submission) -> Option<Refusal> {
    if mentions(&settings.blocked_words, submission) {
        return Some(Refusal::BlockedContent);
    }
    if submission.body.links > settings.max_links {
        return Some(Refusal::TooManyLinks {
            max: settings.max_links,
        });
    }
    None
}

/// Approve or hold a comment that was not refused. `known_author`: its
/// email already has an approved comment.
pub fn decide(
    settings: &CommentSettings,
    submission: &Submission,
    captcha: Option<&Verdict>,
    known_author: bool,
) -> Decision {
    let links = submission.body.links + u32::from(submission.author_url.is_some());
    let hold = if settings.moderate_all {
        Some(HoldReason::Moderation)
    } else if matches!(captcha, Some(Verdict::Unavailable(_))) {
        Some(HoldReason::CaptchaUnavailable)
    } else if mentions(&settings.hold_words, submission) {
        Some(HoldReason::HeldWords)
    } else if links >= settings.hold_links {
        Some(HoldReason::Links)
    } else if settings.hold_first_comments && !known_author {
        Some(HoldReason::FirstComment)
    } else {
        None
    };
    hold.map_or(Decision::Approve, Decision::Hold)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::comments::body;

    fn submission(text: &str, url: Option<&str>) -> Submission {
        Submission {
            author_name: "Koffi".to_owned(),
            author_email: Some("koffi@example.bj".to_owned()),
            author_url: url.map(str::to_owned),
            body: body::render(text),
            parent_id: None,
        }
    }

    #[test]
    fn wordpress_order() {
        let mut s = CommentSettings {
            hold_words: vec!["casino".to_owned()],
            blocked_words: vec!["viagra".to_owned()],
            ..CommentSettings::default()
        };
        assert_eq!(
            refusal(&s, &submission("ViAgRa pas cher", None)),
            Some(Refusal::BlockedContent)
        );
        let many = "https://a.example/ https://b.example/ https://c.example/ https://d.example/ https://e.example/ https://f.example/";
        assert_eq!(
            refusal(&s, &submission(many, None)),
            Some(Refusal::TooManyLinks { max: 5 })
        );
        assert_eq!(
            decide(&s, &submission("Le CASINO de Cotonou", None), None, true),
            Decision::Hold(HoldReason::HeldWords)
        );
        assert_eq!(
            decide(
                &s,
                &submission("voir https://a.example/", Some("https://moi.example/")),
                None,
                true
            ),
            Decision::Hold(HoldReason::Links)
        );
        assert_eq!(
            decide(&s, &submission("Bravo", None), None, false),
            Decision::Hold(HoldReason::FirstComment)
        );
        assert_eq!(
            decide(&s, &submission("Bravo", None), None, true),
            Decision::Approve
        );
        assert_eq!(
            decide(
                &s,
                &submission("Bravo", None),
                Some(&Verdict::Unavailable("t".into())),
                true
            ),
            Decision::Hold(HoldReason::CaptchaUnavailable)
        );
        s.moderate_all = true;
        assert_eq!(
            decide(&s, &submission("Bravo", None), None, true),
            Decision::Hold(HoldReason::Moderation)
        );
    }
}
