//! `metaWeblog.newMediaObject` and `wp.uploadFile`: an image from the
//! editor, through the media library's own upload (formats, limits,
//! metadata stripped, renditions).

use super::fault::Fault;
use super::server::{Call, fault_of};
use super::value::Value;
use crate::content::media::input::UploadTexts;
use crate::content::media::use_cases::{self, Upload};

pub async fn upload(call: &Call<'_>) -> Result<Value, Fault> {
    let caller = call.sign_in(1).await?;
    let data = call.params.structure(3, "data")?;
    let bits = match data.member("bits") {
        Some(Value::Base64(bytes)) => bytes.clone(),
        // Some clients send the base64 text as a string.
        Some(Value::String(text)) => {
            use base64::Engine;
            let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            base64::engine::general_purpose::STANDARD
                .decode(compact)
                .map_err(|_| Fault::bad_params("data.bits is not base64"))?
        }
        _ => return Err(Fault::bad_params("data.bits (base64) is missing")),
    };
    let name = data.member("name").and_then(Value::as_text);
    let upload = Upload {
        bytes: bits,
        file_name: name,
        texts: UploadTexts::default(),
        reference: None,
    };
    let media = use_cases::upload(&call.state.media, &caller, upload)
        .await
        .map_err(|e| match e {
            // WordPress's words for a refused file, with our reason.
            crate::error::ApiError::UnsupportedMediaType(detail) => Fault::server(format!(
                "Could not write file: Sorry, you are not allowed to upload this file type. ({detail})"
            )),
            other => fault_of(other),
        })?;
    let url = call.absolute(&media.url);
    Ok(Value::structure([
        ("attachment_id", Value::string(media.id.to_string())),
        ("id", Value::string(media.id.to_string())),
        ("file", Value::string(media.file_name.clone())),
        ("title", Value::string(media.file_name)),
        ("url", Value::string(url.clone())),
        ("link", Value::string(url)),
        ("type", Value::string(media.mime_type)),
    ]))
}
