//! Images of the library inside an article's body: an `<img>` (or a
//! markdown image) whose `src` is one of our media files gets `width`,
//! `height` (so the page does not shift while it loads), `srcset`, `sizes`,
//! `loading="lazy"` and `decoding="async"`, when the article is written.
//!
//! It works on the sanitised HTML (`content::body`), which html5ever
//! serialised: every `<` starts a tag, attribute values are in double
//! quotes with `&` and `"` escaped. Images elsewhere are left as they are.

use std::collections::HashMap;

use crate::content::media::queries as media_queries;
use crate::content::media::views::{MediaUrls, MediaView};
use crate::db::DbConnection;
use crate::error::ApiError;

/// Attributes this pass writes; the author's values for them are replaced.
const WRITTEN: [&str; 6] = ["width", "height", "srcset", "sizes", "loading", "decoding"];

fn escape(value: &str) -> String {
    value
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn unescape(value: &str) -> String {
    value
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

/// The end of the tag starting at `start` (just past its `>`), quotes
/// respected.
fn tag_end(html: &str, start: usize) -> Option<usize> {
    let mut quoted = false;
    for (offset, c) in html[start..].char_indices() {
        match c {
            '"' => quoted = !quoted,
            '>' if !quoted => return Some(start + offset + 1),
            _ => {}
        }
    }
    None
}

/// `name="value"` pairs of a tag's inside (`img …` without `<` and `>`).
fn attributes(inside: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut rest = inside.trim_start_matches("img").trim_end_matches('/');
    loop {
        rest = rest.trim_start();
        let Some(name_end) = rest.find(|c: char| c == '=' || c.is_whitespace()) else {
            if !rest.is_empty() {
                found.push((rest.to_owned(), String::new()));
            }
            return found;
        };
        let name = rest[..name_end].to_owned();
        rest = rest[name_end..].trim_start();
        if let Some(after) = rest.strip_prefix("=\"") {
            let Some(close) = after.find('"') else {
                return found;
            };
            found.push((name, unescape(&after[..close])));
            rest = &after[close + 1..];
        } else {
            found.push((name, String::new()));
        }
    }
}

/// What an image of ours is: its dimensions and the matching `srcset`.
fn describe(media: &MediaView, src: &str) -> Option<(u32, u32, String)> {
    if media.url == src {
        let srcset = if media.mime_type == "image/webp" {
            &media.srcset_webp
        } else {
            &media.srcset
        };
        return Some((media.width, media.height, srcset.clone()));
    }
    let rendition = media.renditions.iter().find(|r| r.url == src)?;
    let srcset = if rendition.mime_type == "image/webp" {
        &media.srcset_webp
    } else {
        &media.srcset
    };
    Some((rendition.width, rendition.height, srcset.clone()))
}

/// `html` with our images described; unchanged when it shows none.
pub fn enrich(conn: &mut DbConnection, html: &str, urls: &MediaUrls) -> Result<String, ApiError> {
    let prefix = format!("{}/", urls.base());
    if !html.contains("<img") || !html.contains(&prefix) {
        return Ok(html.to_owned());
    }
    let mut media_by_hash: HashMap<String, Option<MediaView>> = HashMap::new();
    let mut out = String::with_capacity(html.len() + 256);
    let mut rest = html;
    while let Some(at) = rest.find("<img") {
        let Some(end) = tag_end(rest, at) else {
            break;
        };
        out.push_str(&rest[..at]);
        let tag = &rest[at..end];
        let attrs = attributes(&tag[1..tag.len() - 1]);
        let src = attrs
            .iter()
            .find(|(name, _)| name == "src")
            .map(|(_, value)| value.clone())
            .unwrap_or_default();
        let hash = src
            .strip_prefix(&prefix)
            .and_then(|key| key.split('/').nth(1))
            .map(str::to_owned);
        let described = match hash {
            Some(hash) => {
                if !media_by_hash.contains_key(&hash) {
                    let media = media_queries::with_hash(conn, &hash)?
                        .map(|row| MediaView::new(row, urls))
                        .transpose()?;
                    media_by_hash.insert(hash.clone(), media);
                }
                media_by_hash
                    .get(&hash)
                    .and_then(Option::as_ref)
                    .and_then(|media| describe(media, &src))
            }
            None => None,
        };
        match described {
            Some((width, height, srcset)) => {
                out.push_str("<img");
                for (name, value) in attrs.iter().filter(|(n, _)| !WRITTEN.contains(&n.as_str())) {
                    out.push_str(&format!(" {name}=\"{}\"", escape(value)));
                }
                out.push_str(&format!(
                    " width=\"{width}\" height=\"{height}\" srcset=\"{}\" sizes=\"(max-width: {width}px) 100vw, {width}px\" loading=\"lazy\" decoding=\"async\">",
                    escape(&srcset)
                ));
            }
            None => out.push_str(tag),
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_are_read_as_html5ever_writes_them() {
        assert_eq!(
            attributes(
                r#"img src="/media/ab/abcd/a.jpg" alt="Le « chef » &amp; l’&quot;État&quot; > 2""#
            ),
            [
                ("src".to_owned(), "/media/ab/abcd/a.jpg".to_owned()),
                ("alt".to_owned(), "Le « chef » & l’\"État\" > 2".to_owned()),
            ]
        );
        let html = r#"<p><img alt="a > b" src="x"> après</p>"#;
        let start = html.find("<img").unwrap();
        assert_eq!(&html[tag_end(html, start).unwrap()..], " après</p>");
    }
}
