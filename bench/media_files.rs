//! Two helpers for `bench/media.sh`:
//!
//! - `serve BIND DIR`: a bare actix-files server over the media store's
//!   directory, the yardstick `/media` serving is compared with in the same
//!   run (same framework, same files, no CMS around it);
//! - `photo PATH WIDTH HEIGHT N`: N distinct camera-like JPEGs (quality 92,
//!   noise over gradients, so they compress like photos), `PATH-1.jpg` …
//!
//! `cargo run --release --example bench-media-files -- serve 127.0.0.1:18095 data/media`

use std::io::Write;

use actix_web::{App, HttpServer};

fn photo(path: &str, width: u32, height: u32, count: u32) -> std::io::Result<()> {
    let mut seed = 0x2545_f491_u32;
    for n in 1..=count {
        let image = image::RgbImage::from_fn(width, height, |x, y| {
            // xorshift noise: photos carry grain, which is what makes them big.
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            let grain = (seed % 24) as u8;
            image::Rgb([
                ((x * 200 / width) as u8).saturating_add(grain),
                ((y * 180 / height) as u8).saturating_add(grain),
                ((x + y + n) % 97) as u8 + 80,
            ])
        });
        let mut bytes = Vec::new();
        image::DynamicImage::ImageRgb8(image)
            .write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(
                &mut bytes, 92,
            ))
            .map_err(std::io::Error::other)?;
        std::fs::File::create(format!("{path}-{n}.jpg"))?.write_all(&bytes)?;
    }
    Ok(())
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["photo", path, width, height, count] => photo(
            path,
            width.parse().map_err(std::io::Error::other)?,
            height.parse().map_err(std::io::Error::other)?,
            count.parse().map_err(std::io::Error::other)?,
        ),
        ["serve", bind, dir] => {
            let dir = (*dir).to_owned();
            let bind = (*bind).to_owned();
            actix_web::rt::System::new().block_on(async move {
                HttpServer::new(move || {
                    App::new().service(actix_files::Files::new("/media", dir.clone()))
                })
                .workers(2)
                .bind(bind)?
                .run()
                .await
            })
        }
        _ => Err(std::io::Error::other(
            "usage: serve BIND DIR | photo PATH WIDTH HEIGHT COUNT",
        )),
    }
}
