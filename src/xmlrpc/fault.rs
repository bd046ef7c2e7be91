//! XML-RPC faults with WordPress's codes: what every editor client knows
//! how to show. Always sent with HTTP 200 (MarsEdit reads another status
//! as a transport or HTTP-authentication problem).

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub code: i32,
    pub message: String,
}

impl Fault {
    pub fn new(code: i32, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// −32700: the XML is not well formed.
    pub fn not_well_formed(message: impl Into<String>) -> Self {
        Self::new(-32700, message)
    }

    /// −32600: well formed, but not a method call.
    pub fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(-32600, message)
    }

    /// −32601: no such method.
    pub fn unknown_method(method: &str) -> Self {
        Self::new(
            -32601,
            format!("server error. requested method {method} does not exist."),
        )
    }

    /// −32602: the parameters are not what the method takes.
    pub fn bad_params(message: impl Into<String>) -> Self {
        Self::new(-32602, message)
    }

    /// 403: the credentials are wrong (WordPress's code and words).
    pub fn bad_login() -> Self {
        Self::new(403, "Incorrect username or password.")
    }

    /// 401: signed in, but the role does not allow it.
    pub fn not_allowed(message: impl Into<String>) -> Self {
        Self::new(401, message)
    }

    /// 404: no such post, term or media item.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(404, message)
    }

    /// 500: the server failed (the database is away): the editor keeps
    /// the text and the journalist tries again.
    pub fn server(message: impl Into<String>) -> Self {
        Self::new(500, message)
    }
}
