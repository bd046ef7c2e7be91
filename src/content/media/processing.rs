//! From uploaded bytes to what is stored: the original without its
//! metadata (EXIF, XMP, IPTC: a reporter's photo can carry the GPS position
//! of a source) and turned upright, its renditions at the configured widths
//! in WebP and in the original's family, a BlurHash placeholder and the
//! dominant colour. Pure CPU work: callers run it on the media threads
//! (`work_pool`), never on the async workers or the database pool.
//!
//! Dimensions are read from the header and checked before anything is
//! decoded, and the decoder is given limits: a PNG declaring
//! 100,000 × 100,000 pixels is refused without allocating its pixels.

use std::io::Cursor;

use fast_image_resize as fr;
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::{DynamicImage, ImageDecoder, ImageEncoder, ImageReader};

use super::embedded::Embedded;
use super::format::Format;
use crate::error::{ApiError, FieldError};

/// JPEG quality of a stored original (close to what cameras write).
const ORIGINAL_JPEG_QUALITY: u8 = 90;
const RENDITION_JPEG_QUALITY: u8 = 82;
const ORIGINAL_WEBP_QUALITY: f32 = 90.0;
const RENDITION_WEBP_QUALITY: f32 = 80.0;
/// Frames kept of an animated GIF; more is refused.
const MAX_GIF_FRAMES: usize = 1_000;
/// Side of the thumbnail the placeholder and the colour come from.
const PLACEHOLDER_SIDE: u32 = 32;

/// What may be processed, from the configuration.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Width × height beyond which an image is refused undecoded.
    pub max_pixels: u64,
    /// Rendition widths, ascending; those not below the original's width
    /// are skipped (never upscaled).
    pub widths: Vec<u32>,
}

/// One encoded image: the original or a rendition.
#[derive(Debug, Clone)]
pub struct Encoded {
    pub format: Format,
    pub width: u32,
    pub height: u32,
    pub bytes: Vec<u8>,
}

/// Everything stored for one upload.
#[derive(Debug, Clone)]
pub struct Processed {
    pub original: Encoded,
    pub renditions: Vec<Encoded>,
    /// BlurHash of the image (4 × 3 components).
    pub placeholder: String,
    /// `#rrggbb`.
    pub dominant_color: String,
    pub embedded: Embedded,
}

/// What the header says, read without decoding pixels: enough to refuse an
/// upload early, or to describe a duplicate of a stored one.
#[derive(Debug, Clone)]
pub struct Inspected {
    pub format: Format,
    pub embedded: Embedded,
}

fn invalid(code: &str, message: impl Into<String>) -> ApiError {
    ApiError::Validation(vec![FieldError::new("file", code, message)])
}

fn corrupt(e: impl std::fmt::Display) -> ApiError {
    invalid(
        "corrupt_image",
        format!("the image is truncated or corrupt ({e})"),
    )
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(format!("image encoding failed: {e}"))
}

/// The format, the dimensions checked against the limits, and the embedded
/// metadata; then the decoder, for `process` to go on with.
fn open<'a>(
    bytes: &'a [u8],
    limits: &Limits,
) -> Result<(Format, Box<dyn ImageDecoder + 'a>, Embedded), ApiError> {
    let format = Format::sniff(bytes)?;
    format.check_ends(bytes)?;
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format.image_format())
        .into_dimensions()
        .map_err(corrupt)?;
    if width == 0 || height == 0 {
        return Err(corrupt("it has no pixels"));
    }
    let pixels = u64::from(width) * u64::from(height);
    if pixels > limits.max_pixels {
        return Err(invalid(
            "too_many_pixels",
            format!(
                "{width} × {height} is {:.1} megapixels; at most {:.1} are accepted",
                pixels as f64 / 1e6,
                limits.max_pixels as f64 / 1e6
            ),
        ));
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format.image_format());
    let mut decoder_limits = image::Limits::default();
    decoder_limits.max_image_width = Some(width);
    decoder_limits.max_image_height = Some(height);
    // Room for the pixels in 16-bit RGBA and the decoder's own buffers.
    decoder_limits.max_alloc = Some(pixels.saturating_mul(8).saturating_add(64 << 20));
    reader.limits(decoder_limits);
    let mut decoder = reader.into_decoder().map_err(corrupt)?;
    let iptc = decoder.iptc_metadata().ok().flatten();
    let xmp = decoder.xmp_metadata().ok().flatten();
    let embedded = Embedded::read(iptc.as_deref(), xmp.as_deref());
    Ok((format, Box::new(decoder), embedded))
}

/// The header's facts only (format, limits, embedded caption and credit).
pub fn inspect(bytes: &[u8], limits: &Limits) -> Result<Inspected, ApiError> {
    let (format, _, embedded) = open(bytes, limits)?;
    Ok(Inspected { format, embedded })
}

pub fn process(bytes: &[u8], limits: &Limits) -> Result<Processed, ApiError> {
    let (format, mut decoder, embedded) = open(bytes, limits)?;
    let orientation = decoder.orientation().map_err(corrupt)?;
    let icc = decoder.icc_profile().ok().flatten();
    let lossless_webp = format == Format::Webp && bytes.get(12..16) == Some(b"VP8L");
    let mut image = DynamicImage::from_decoder(decoder).map_err(corrupt)?;
    image.apply_orientation(orientation);
    let image = normalised(image);
    let original = match format {
        Format::Jpeg => Encoded {
            format,
            width: image.width(),
            height: image.height(),
            bytes: jpeg(&image, ORIGINAL_JPEG_QUALITY, icc.clone())?,
        },
        Format::Png => Encoded {
            format,
            width: image.width(),
            height: image.height(),
            bytes: png(&image, icc.clone())?,
        },
        Format::Webp => Encoded {
            format,
            width: image.width(),
            height: image.height(),
            bytes: webp(&image, ORIGINAL_WEBP_QUALITY, lossless_webp)?,
        },
        Format::Gif => Encoded {
            format,
            width: image.width(),
            height: image.height(),
            bytes: gif_without_metadata(bytes)?,
        },
    };
    // Photos in JPEG; graphics (PNG, GIF, and WebP with transparency) in PNG.
    let family = match format {
        Format::Jpeg => Format::Jpeg,
        Format::Webp if !image.color().has_alpha() => Format::Jpeg,
        _ => Format::Png,
    };
    let mut renditions = Vec::new();
    for &width in limits.widths.iter().filter(|&&w| w < image.width()) {
        let height = scaled_height(image.width(), image.height(), width);
        let small = resized(&image, width, height)?;
        let family_bytes = match family {
            Format::Jpeg => jpeg(&small, RENDITION_JPEG_QUALITY, icc.clone())?,
            _ => png(&small, icc.clone())?,
        };
        renditions.push(Encoded {
            format: family,
            width,
            height,
            bytes: family_bytes,
        });
        renditions.push(Encoded {
            format: Format::Webp,
            width,
            height,
            bytes: webp(&small, RENDITION_WEBP_QUALITY, false)?,
        });
    }
    let thumbnail = image
        .thumbnail(PLACEHOLDER_SIDE, PLACEHOLDER_SIDE)
        .to_rgba8();
    let placeholder = blurhash::encode(
        4,
        3,
        thumbnail.width(),
        thumbnail.height(),
        thumbnail.as_raw(),
    )
    .map_err(internal)?;
    Ok(Processed {
        original,
        renditions,
        placeholder,
        dominant_color: dominant_color(&thumbnail),
        embedded,
    })
}

/// 8-bit RGB or RGBA: what the encoders and the resizer take. 16-bit and
/// grey images are converted once here.
fn normalised(image: DynamicImage) -> DynamicImage {
    match image {
        DynamicImage::ImageRgb8(_) | DynamicImage::ImageRgba8(_) => image,
        other if other.color().has_alpha() => DynamicImage::ImageRgba8(other.to_rgba8()),
        other => DynamicImage::ImageRgb8(other.to_rgb8()),
    }
}

fn scaled_height(width: u32, height: u32, new_width: u32) -> u32 {
    let scaled =
        (u64::from(height) * u64::from(new_width) + u64::from(width) / 2) / u64::from(width);
    u32::try_from(scaled).unwrap_or(u32::MAX).max(1)
}

fn resized(image: &DynamicImage, width: u32, height: u32) -> Result<DynamicImage, ApiError> {
    let pixel_type = if image.color().has_alpha() {
        fr::PixelType::U8x4
    } else {
        fr::PixelType::U8x3
    };
    let mut target = fr::images::Image::new(width, height, pixel_type);
    fr::Resizer::new()
        .resize(
            image,
            &mut target,
            &fr::ResizeOptions::new()
                .resize_alg(fr::ResizeAlg::Convolution(fr::FilterType::Lanczos3)),
        )
        .map_err(internal)?;
    let pixels = target.into_vec();
    let resized = if image.color().has_alpha() {
        image::RgbaImage::from_raw(width, height, pixels).map(DynamicImage::ImageRgba8)
    } else {
        image::RgbImage::from_raw(width, height, pixels).map(DynamicImage::ImageRgb8)
    };
    resized.ok_or_else(|| internal("the resized buffer has the wrong size"))
}

/// Only what the encoder writes: no EXIF, XMP or IPTC; the colour profile
/// is kept (it carries no personal data and colours shift without it).
fn jpeg(image: &DynamicImage, quality: u8, icc: Option<Vec<u8>>) -> Result<Vec<u8>, ApiError> {
    let mut out = Vec::new();
    let mut encoder = JpegEncoder::new_with_quality(&mut out, quality);
    if let Some(icc) = icc {
        // A profile the encoder refuses is dropped, not an error.
        let _ = encoder.set_icc_profile(icc);
    }
    let rgb;
    let image = if image.color().has_alpha() {
        rgb = DynamicImage::ImageRgb8(image.to_rgb8());
        &rgb
    } else {
        image
    };
    image.write_with_encoder(encoder).map_err(internal)?;
    Ok(out)
}

fn png(image: &DynamicImage, icc: Option<Vec<u8>>) -> Result<Vec<u8>, ApiError> {
    let mut out = Vec::new();
    let mut encoder = PngEncoder::new(&mut out);
    if let Some(icc) = icc {
        let _ = encoder.set_icc_profile(icc);
    }
    image.write_with_encoder(encoder).map_err(internal)?;
    Ok(out)
}

/// Lossy (libwebp) for photos; lossless when the upload was lossless.
fn webp(image: &DynamicImage, quality: f32, lossless: bool) -> Result<Vec<u8>, ApiError> {
    let encoder = webp::Encoder::from_image(image).map_err(internal)?;
    let encoded = encoder
        .encode_simple(lossless, quality)
        .map_err(|e| internal(format!("{e:?}")))?;
    Ok(encoded.to_vec())
}

/// The same frames and palette, without comments or application
/// extensions (where XMP hides in a GIF); animation and loop count kept.
fn gif_without_metadata(bytes: &[u8]) -> Result<Vec<u8>, ApiError> {
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::Indexed);
    options.set_memory_limit(gif::MemoryLimit::Bytes(
        std::num::NonZeroU64::new(256 << 20).ok_or_else(|| internal("zero limit"))?,
    ));
    let mut decoder = options.read_info(Cursor::new(bytes)).map_err(corrupt)?;
    let palette = decoder.global_palette().unwrap_or(&[]).to_vec();
    let mut out = Vec::new();
    {
        let mut encoder = gif::Encoder::new(&mut out, decoder.width(), decoder.height(), &palette)
            .map_err(internal)?;
        encoder.set_repeat(decoder.repeat()).map_err(internal)?;
        let mut frames = 0;
        while let Some(frame) = decoder.read_next_frame().map_err(corrupt)? {
            frames += 1;
            if frames > MAX_GIF_FRAMES {
                return Err(invalid(
                    "too_many_frames",
                    format!("an animation may have at most {MAX_GIF_FRAMES} frames"),
                ));
            }
            encoder.write_frame(frame).map_err(internal)?;
        }
    }
    Ok(out)
}

/// The mean colour of the most frequent bucket (4 bits per channel) of
/// the opaque pixels: a plain average of a photo is a muddy grey.
fn dominant_color(thumbnail: &image::RgbaImage) -> String {
    let mut buckets = vec![(0u32, [0u32; 3]); 4096];
    for pixel in thumbnail.pixels().filter(|p| p[3] >= 128) {
        let [r, g, b, _] = pixel.0;
        let index = (usize::from(r >> 4) << 8) | (usize::from(g >> 4) << 4) | usize::from(b >> 4);
        let bucket = &mut buckets[index];
        bucket.0 += 1;
        bucket.1[0] += u32::from(r);
        bucket.1[1] += u32::from(g);
        bucket.1[2] += u32::from(b);
    }
    let (count, sums) = buckets
        .iter()
        .max_by_key(|(count, _)| *count)
        .copied()
        .unwrap_or((0, [0; 3]));
    if count == 0 {
        return "#000000".to_owned();
    }
    format!(
        "#{:02x}{:02x}{:02x}",
        sums[0] / count,
        sums[1] / count,
        sums[2] / count
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits {
            max_pixels: 50_000_000,
            widths: vec![320, 640, 960, 1280, 1920],
        }
    }

    /// A PNG of a few bytes whose header claims 100,000 × 100,000 pixels.
    fn huge_png_header() -> Vec<u8> {
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut chunk = |kind: &[u8], data: &[u8]| {
            let mut body = kind.to_vec();
            body.extend_from_slice(data);
            png.extend_from_slice(&(data.len() as u32).to_be_bytes());
            png.extend_from_slice(&body);
            png.extend_from_slice(&crc32fast::hash(&body).to_be_bytes());
        };
        let mut ihdr = 100_000u32.to_be_bytes().to_vec();
        ihdr.extend_from_slice(&100_000u32.to_be_bytes());
        ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
        chunk(b"IHDR", &ihdr);
        // An empty zlib stream: a bomb's data would be zeros, compressed.
        chunk(b"IDAT", &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
        chunk(b"IEND", &[]);
        png
    }

    #[test]
    fn a_decompression_bomb_is_refused_from_its_header() {
        let started = std::time::Instant::now();
        match process(&huge_png_header(), &limits()) {
            Err(ApiError::Validation(errors)) => assert_eq!(errors[0].code, "too_many_pixels"),
            other => panic!("{other:?}"),
        }
        assert!(started.elapsed() < std::time::Duration::from_millis(100));
    }

    #[test]
    fn renditions_are_never_upscaled_and_keep_the_ratio() {
        let image = DynamicImage::ImageRgb8(image::RgbImage::from_fn(1000, 500, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
        }));
        let mut bytes = Vec::new();
        image
            .write_with_encoder(JpegEncoder::new_with_quality(&mut bytes, 90))
            .unwrap();
        let processed = process(&bytes, &limits()).unwrap();
        let sizes: Vec<_> = processed
            .renditions
            .iter()
            .map(|r| (r.format, r.width, r.height))
            .collect();
        assert_eq!(
            sizes,
            [
                (Format::Jpeg, 320, 160),
                (Format::Webp, 320, 160),
                (Format::Jpeg, 640, 320),
                (Format::Webp, 640, 320),
                (Format::Jpeg, 960, 480),
                (Format::Webp, 960, 480),
            ]
        );
        for rendition in &processed.renditions {
            let back = image::load_from_memory(&rendition.bytes).unwrap();
            assert_eq!(
                (back.width(), back.height()),
                (rendition.width, rendition.height)
            );
        }
        assert_eq!(processed.placeholder.len(), 28);
        assert!(processed.dominant_color.starts_with('#'));
    }
}
