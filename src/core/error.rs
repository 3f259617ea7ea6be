use std::fmt;

/// Why a rule refused an input. Each variant carries what a person needs to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValidationError {
    NameEmpty,
    NameTooLong {
        max: usize,
        actual: usize,
    },
    NameHasControlCharacter,
    ResourceTypeInvalid(String),
    MetaKeyEmpty,
    MetaKeyTooLong {
        max: usize,
        actual: usize,
    },
    MetaKeyHasControlCharacter,
    MetaValueNull {
        key: String,
    },
    MetaValueNotScalar {
        key: String,
    },
    MetaValueTooLong {
        key: String,
        max: usize,
        actual: usize,
    },
    MetaIntegerOutOfRange {
        key: String,
    },
    MetaTooManyKeys {
        max: usize,
        actual: usize,
    },
    MetaNameRequired,
    MetadataNotAnObject,
    PatchMalformed(String),
    PatchFailed(String),
    PatchTestFailed(String),
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
            Self::MetaKeyEmpty => f.write_str("A metadata key cannot be empty."),
            Self::MetaKeyTooLong { max, actual } => {
                write!(
                    f,
                    "A metadata key can be at most {max} characters; this one has {actual}."
                )
            }
            Self::MetaKeyHasControlCharacter => {
                f.write_str("A metadata key cannot contain control characters.")
            }
            Self::MetaValueNull { key } => write!(
                f,
                "The value of '{key}' is null; to remove a key, delete it or send a merge patch."
            ),
            Self::MetaValueNotScalar { key } => write!(
                f,
                "The value of '{key}' must be a string, a number or a boolean."
            ),
            Self::MetaValueTooLong { key, max, actual } => write!(
                f,
                "The value of '{key}' is {actual} bytes; the most a value can hold is {max} bytes."
            ),
            Self::MetaIntegerOutOfRange { key } => write!(
                f,
                "The value of '{key}' is an integer too large to keep exactly (the largest is {}).",
                i64::MAX
            ),
            Self::MetaTooManyKeys { max, actual } => write!(
                f,
                "A resource can have at most {max} metadata keys; this change would leave {actual}."
            ),
            Self::MetaNameRequired => {
                f.write_str("The 'name' key is required when creating metadata.")
            }
            Self::MetadataNotAnObject => {
                f.write_str("Metadata must be a JSON object of keys and values.")
            }
            Self::PatchMalformed(detail) => {
                write!(f, "The JSON Patch document is malformed: {detail}")
            }
            Self::PatchFailed(detail) => {
                write!(
                    f,
                    "The JSON Patch could not be applied, so nothing changed: {detail}"
                )
            }
            Self::PatchTestFailed(detail) => {
                write!(
                    f,
                    "A JSON Patch 'test' operation failed, so nothing changed: {detail}"
                )
            }
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
