//! What a client sends to sign in, refresh, sign out or change its password.

use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(example = "redaction@journal.ne")]
    pub email: String,
    #[schema(example = "un mot de passe très long")]
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// The refresh token of the last pair received.
    #[schema(example = "q9Xr3c0mYt2b8sKQ4nLw1hJ6pVdE5aFzUoG7iTyR2Ck")]
    pub refresh_token: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    #[schema(example = "l'ancienne phrase de passe")]
    pub current_password: String,
    /// At least 12 characters.
    #[schema(example = "une nouvelle phrase de passe")]
    pub new_password: String,
}
