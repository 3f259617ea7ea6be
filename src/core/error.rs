use std::fmt;

/// Why a rule refused an input. Each variant carries what a person needs to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValidationError {
    NameEmpty,
    NameTooLong { max: usize, actual: usize },
    NameHasControlCharacter,
    ResourceTypeInvalid(String),
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NameEmpty => f.write_str("A name is required."),
            Self::NameTooLong { max, actual } => {
                write!(
                    f,
                    "A name can be at most {max} characters; this one has {actual}."
                )
            }
            Self::NameHasControlCharacter => {
                f.write_str("A name cannot contain control characters such as tabs or line breaks.")
            }
            Self::ResourceTypeInvalid(value) => write!(
                f,
                "'{value}' is not a resource type: use lowercase words separated by dots, \
                 such as 'site' or 'mikrotik.device'."
            ),
        }
    }
}

impl std::error::Error for ValidationError {}

/// Every way a core operation can fail. Faces map each variant to their own status and body.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error("No {what} has the id '{id}'.")]
    NotFound { what: &'static str, id: String },
    #[error("{0}")]
    Conflict(String),
    /// A fault below the domain (database, disk). Its text is for logs, never for clients.
    #[error("storage failure: {0}")]
    Storage(String),
}
