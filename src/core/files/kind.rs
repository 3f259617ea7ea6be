use serde::{Deserialize, Serialize};

use crate::core::error::ValidationError;

/// What a file is to the people using it; shown as its icon.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    Document,
    Image,
    Diagram,
    Note,
}

impl FileKind {
    pub const ALL: [Self; 4] = [Self::Document, Self::Image, Self::Diagram, Self::Note];

    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        match input {
            "document" => Ok(Self::Document),
            "image" => Ok(Self::Image),
            "diagram" => Ok(Self::Diagram),
            "note" => Ok(Self::Note),
            other => Err(ValidationError::FileKindUnknown(other.to_owned())),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Document => "document",
            Self::Image => "image",
            Self::Diagram => "diagram",
            Self::Note => "note",
        }
    }

    /// The kind an upload gets when the uploader names none.
    pub fn default_for(content_type: &str) -> Self {
        if content_type == "image/svg+xml" {
            Self::Diagram
        } else if content_type.starts_with("image/") {
            Self::Image
        } else {
            Self::Document
        }
    }
}

/// How a download is offered to the browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    /// Shown in the page: only raster images, which cannot carry script.
    Inline,
    /// Saved as a file. Everything else, SVG included: an SVG can carry script, and served
    /// inline from our origin it would run with the user's session.
    Attachment,
}

impl Disposition {
    pub fn for_content_type(content_type: &str) -> Self {
        match content_type {
            "image/png" | "image/jpeg" | "image/gif" | "image/webp" | "image/avif"
            | "image/bmp" => Self::Inline,
            _ => Self::Attachment,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_and_default_from_the_content_type() {
        for kind in [
            FileKind::Document,
            FileKind::Image,
            FileKind::Diagram,
            FileKind::Note,
        ] {
            assert_eq!(FileKind::parse(kind.as_str()).unwrap(), kind);
        }
        assert!(FileKind::parse("video").is_err());
        assert_eq!(FileKind::default_for("image/png"), FileKind::Image);
        assert_eq!(FileKind::default_for("image/svg+xml"), FileKind::Diagram);
        assert_eq!(FileKind::default_for("application/pdf"), FileKind::Document);
    }

    #[test]
    fn only_raster_images_are_inline_and_svg_never_is() {
        assert_eq!(
            Disposition::for_content_type("image/jpeg"),
            Disposition::Inline
        );
        assert_eq!(
            Disposition::for_content_type("image/svg+xml"),
            Disposition::Attachment
        );
        assert_eq!(
            Disposition::for_content_type("application/pdf"),
            Disposition::Attachment
        );
        assert_eq!(
            Disposition::for_content_type("text/plain"),
            Disposition::Attachment
        );
    }
}
