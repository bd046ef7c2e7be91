//! What an upload is, told by its bytes alone (never by its name or the
//! type a client declared): JPEG, PNG, WebP or GIF; anything else is named
//! in a 415. And whether something follows the image's end (a polyglot: a
//! JPEG with HTML appended), which is refused.

use crate::error::{ApiError, FieldError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    Webp,
    Gif,
}

impl Format {
    pub fn sniff(bytes: &[u8]) -> Result<Self, ApiError> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Ok(Self::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Ok(Self::Png)
        } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
            Ok(Self::Gif)
        } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Ok(Self::Webp)
        } else {
            Err(ApiError::UnsupportedMediaType(format!(
                "found {}; accepted are JPEG, PNG, WebP and GIF images",
                describe(bytes)
            )))
        }
    }

    pub fn mime_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Webp => "image/webp",
            Self::Gif => "image/gif",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Webp => "webp",
            Self::Gif => "gif",
        }
    }

    pub fn from_mime_type(mime: &str) -> Option<Self> {
        [Self::Jpeg, Self::Png, Self::Webp, Self::Gif]
            .into_iter()
            .find(|f| f.mime_type() == mime)
    }

    pub fn image_format(self) -> image::ImageFormat {
        match self {
            Self::Jpeg => image::ImageFormat::Jpeg,
            Self::Png => image::ImageFormat::Png,
            Self::Webp => image::ImageFormat::WebP,
            Self::Gif => image::ImageFormat::Gif,
        }
    }

    /// A 422 when the image stops before its end (some decoders fill in
    /// the missing part in grey rather than fail), or when bytes other
    /// than padding follow its end. Structures too broken to walk are left
    /// to the decoder to refuse.
    pub fn check_ends(self, bytes: &[u8]) -> Result<(), ApiError> {
        let end = match self {
            Self::Jpeg => jpeg_end(bytes),
            Self::Png => png_end(bytes),
            Self::Gif => gif_end(bytes),
            Self::Webp => webp_end(bytes),
        };
        match end {
            Some(End::Missing) => Err(ApiError::Validation(vec![FieldError::new(
                "file",
                "corrupt_image",
                "the image is truncated: its end is missing",
            )])),
            Some(End::At(end)) if end > bytes.len() => {
                Err(ApiError::Validation(vec![FieldError::new(
                    "file",
                    "corrupt_image",
                    format!(
                        "the image is truncated: {} of {end} bytes arrived",
                        bytes.len()
                    ),
                )]))
            }
            Some(End::At(end)) if bytes[end..].iter().any(|&b| b != 0) => {
                Err(ApiError::Validation(vec![FieldError::new(
                    "file",
                    "trailing_data",
                    format!(
                        "{} bytes follow the end of the image; upload the image alone",
                        bytes.len() - end
                    ),
                )]))
            }
            _ => Ok(()),
        }
    }
}

/// What a refused file looks like, for the 415's detail.
fn describe(bytes: &[u8]) -> &'static str {
    let head = &bytes[..bytes.len().min(512)];
    let text = String::from_utf8_lossy(head).to_lowercase();
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if bytes.is_empty() {
        "an empty file"
    } else if text.contains("<svg") {
        "an SVG image (SVG can carry scripts)"
    } else if text.starts_with("<!doctype html") || text.starts_with("<html") {
        "an HTML document"
    } else if text.starts_with("<?xml") || text.starts_with('<') {
        "an XML document"
    } else if bytes.starts_with(b"%PDF") {
        "a PDF document"
    } else if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        "a TIFF image"
    } else if bytes.starts_with(b"BM") {
        "a BMP image"
    } else if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        "a HEIC, AVIF or video file"
    } else if bytes.starts_with(&[0, 0, 1, 0]) {
        "an ICO icon"
    } else if std::str::from_utf8(head).is_ok() {
        "text"
    } else {
        "data of an unknown kind"
    }
}

/// Where an image's structure says it ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    At(usize),
    /// It has begun its last part and never finished it.
    Missing,
}

/// After the EOI marker that follows the last start of scan (an EXIF
/// thumbnail's own EOI comes before it). In entropy-coded data a 0xFF is
/// always followed by 0x00 or a restart marker, so an FF D9 there is the
/// real end.
fn jpeg_end(bytes: &[u8]) -> Option<End> {
    let scan = bytes.windows(2).rposition(|w| w == [0xFF, 0xDA])?;
    Some(
        bytes[scan..]
            .windows(2)
            .position(|w| w == [0xFF, 0xD9])
            .map_or(End::Missing, |at| End::At(scan + at + 2)),
    )
}

/// After the IEND chunk, walking the chunks by their lengths.
fn png_end(bytes: &[u8]) -> Option<End> {
    let mut at = 8;
    loop {
        let (Some(length), Some(kind)) = (bytes.get(at..at + 4), bytes.get(at + 4..at + 8)) else {
            return Some(End::Missing);
        };
        let length = u32::from_be_bytes(length.try_into().ok()?) as usize;
        let next = at.checked_add(12)?.checked_add(length)?;
        if kind == b"IEND" {
            return Some(End::At(next));
        }
        at = next;
    }
}

/// After the trailer (0x3B), walking the blocks.
fn gif_end(bytes: &[u8]) -> Option<End> {
    gif_trailer(bytes).map(End::At).or(Some(End::Missing))
}

fn gif_trailer(bytes: &[u8]) -> Option<usize> {
    let flags = *bytes.get(10)?;
    let mut at = 13;
    if flags & 0x80 != 0 {
        at += 3 << ((flags & 0x07) + 1);
    }
    let sub_blocks = |mut at: usize| -> Option<usize> {
        loop {
            let size = *bytes.get(at)? as usize;
            at += 1 + size;
            if size == 0 {
                return Some(at);
            }
        }
    };
    loop {
        match *bytes.get(at)? {
            0x3B => return Some(at + 1),
            0x21 => at = sub_blocks(at + 2)?,
            0x2C => {
                let local = *bytes.get(at + 9)?;
                at += 10;
                if local & 0x80 != 0 {
                    at += 3 << ((local & 0x07) + 1);
                }
                // The LZW code size, then the data's sub-blocks.
                at = sub_blocks(at + 1)?;
            }
            _ => return None,
        }
    }
}

/// The RIFF container says its own length (padded to even).
fn webp_end(bytes: &[u8]) -> Option<End> {
    let size = u32::from_le_bytes(bytes.get(4..8)?.try_into().ok()?) as usize;
    Some(End::At(8 + size + (size & 1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_told_by_their_bytes() {
        assert_eq!(
            Format::sniff(b"\xFF\xD8\xFF\xE0rest").ok(),
            Some(Format::Jpeg)
        );
        assert_eq!(
            Format::sniff(b"RIFF\x04\0\0\0WEBPVP8 ").ok(),
            Some(Format::Webp)
        );
        let refused = |bytes: &[u8]| match Format::sniff(bytes) {
            Err(ApiError::UnsupportedMediaType(detail)) => detail,
            other => panic!("{other:?}"),
        };
        assert!(
            refused(b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"/>")
                .contains("SVG")
        );
        assert!(refused(b"%PDF-1.7").contains("PDF"));
        assert!(refused(b"").contains("empty"));
        assert!(refused(b"<!DOCTYPE html><p>x").contains("HTML"));
    }

    #[test]
    fn trailing_data_is_found_after_each_format_s_end() {
        let gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";
        assert!(Format::Gif.check_ends(gif).is_ok());
        let mut with_html = gif.to_vec();
        with_html.extend_from_slice(b"<script>alert(1)</script>");
        assert!(Format::Gif.check_ends(&with_html).is_err());
        let jpeg = b"\xFF\xD8\xFF\xE0\x00\x02\xFF\xDA\x00\x02\x11\xFF\xD9";
        assert!(Format::Jpeg.check_ends(jpeg).is_ok());
        let mut padded = jpeg.to_vec();
        padded.extend_from_slice(&[0, 0]);
        assert!(Format::Jpeg.check_ends(&padded).is_ok());
        let mut with_html = jpeg.to_vec();
        with_html.extend_from_slice(b"<html>");
        assert!(Format::Jpeg.check_ends(&with_html).is_err());
        assert!(Format::Jpeg.check_ends(&jpeg[..jpeg.len() - 2]).is_err());
        assert!(Format::Gif.check_ends(&gif[..gif.len() - 3]).is_err());
    }
}
