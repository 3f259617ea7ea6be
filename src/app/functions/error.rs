use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

use crate::app::response_status;

/// The error every server function returns, shown to people as it is: messages are written for
/// the person filling in the form, never internal details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum FnError {
    /// The input broke a rule; the message says which and how to fix it.
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// Not signed in, or the role may not do this.
    #[error("{0}")]
    Denied(String),
    /// The server cannot do this for now (its disk is full); the message says why.
    #[error("{0}")]
    Unavailable(String),
    /// A server-side fault; details are in the server log.
    #[error("Something went wrong on the server. Please try again.")]
    Internal,
    /// The call never reached the server function, or its answer could not be read.
    #[error("Could not reach the server ({0}). Please try again.")]
    Transport(String),
}

impl FromServerFnError for FnError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::MissingArg(m) => {
                // Raised on the server while reading the arguments: the caller's fault, not ours.
                response_status::server_fn_failed(400);
                Self::Invalid(format!("The request was malformed: {m}"))
            }
            ServerFnErrorErr::ServerError(_) => Self::Internal,
            other => Self::Transport(other.to_string()),
        }
    }
}
