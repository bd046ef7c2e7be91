//! `POST /ghost/api/admin/images/upload/`: an image into the media
//! library (the same use case as `/api/v1/media`: formats, size limit,
//! renditions, deduplication), answered with its absolute URL and the
//! client's `ref`, as Ghost does. A post then names it by that URL
//! (`feature_image`, or in its text).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use super::caller::GhostCaller;
use super::error::{Action, GhostError};
use super::shape::{self, Site};
use crate::content::media::input::UploadTexts;
use crate::content::media::routes::{Part, read_upload};
use crate::error::ApiError;
use crate::state::AppState;

const UPLOAD: Action = Action::Upload("image");

/// The SDK's parts: `file`, `purpose` (`image`, `profile_image`, `icon`),
/// `ref`, and a video's `thumbnail` (not taken).
fn ghost_part(name: &str) -> Part {
    match name {
        "file" => Part::File,
        "ref" => Part::Reference,
        "purpose" | "thumbnail" => Part::Ignored,
        _ => Part::Unknown,
    }
}

pub async fn upload(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: GhostCaller,
    payload: web::Payload,
) -> Result<HttpResponse, GhostError> {
    let upload = read_upload(
        &req,
        payload,
        &state.media,
        ghost_part,
        UploadTexts::default(),
    )
    .await
    .map_err(refusal)?;
    let reference = upload.reference.clone();
    let view = crate::content::media::use_cases::upload(&state.media, &caller.0, upload)
        .await
        .map_err(refusal)?;
    let site = Site::load(&req, &state, UPLOAD).await?;
    Ok(shape::json(
        StatusCode::CREATED,
        &json!({ "images": [{ "url": site.absolute(&view.url), "ref": reference }] }),
    ))
}

/// Ghost's sentences for what goes wrong with an upload.
fn refusal(error: ApiError) -> GhostError {
    match error {
        ApiError::Validation(errors) if errors.iter().any(|e| e.code == "unknown_field") => {
            GhostError::new(
                400,
                "BadRequestError",
                "The request could not be understood.",
            )
            .with_context(
                errors
                    .first()
                    .map(|e| e.message.clone())
                    .unwrap_or_default(),
            )
        }
        ApiError::Validation(errors)
            if errors
                .iter()
                .any(|e| e.field == "file" && e.code == "required") =>
        {
            GhostError::new(422, "ValidationError", "Please select an image.")
        }
        ApiError::UnsupportedMediaType(detail) => GhostError::new(
            415,
            "UnsupportedMediaTypeError",
            "Please select a valid image.",
        )
        .with_context(detail),
        other => GhostError::from_api(other, UPLOAD),
    }
}
