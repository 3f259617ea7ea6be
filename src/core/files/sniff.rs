use crate::core::error::ValidationError;

/// How many leading bytes `sniff` looks at.
pub const SNIFF_BYTES: usize = 8192;

/// The content types Sitebook keeps: photos, diagrams, documents and text.
pub const ACCEPTED: &[&str] = &[
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/avif",
    "image/heif",
    "image/bmp",
    "image/tiff",
    "image/svg+xml",
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/zip",
    "application/xml",
    "text/plain",
];

/// Names the content type of a file from its first bytes (up to [`SNIFF_BYTES`]), and refuses
/// types outside [`ACCEPTED`]. Binary formats are recognised by the `infer` crate's magic
/// numbers; SVG and plain text have none, so they are recognised here.
pub fn sniff(head: &[u8]) -> Result<&'static str, ValidationError> {
    if head.is_empty() {
        return Err(ValidationError::FileEmpty);
    }
    // SVG is XML, so it is told apart before the generic XML match below.
    if is_svg(head) {
        return Ok("image/svg+xml");
    }
    if let Some(found) = infer::get(head) {
        let mime = match found.mime_type() {
            // Other XML (draw.io diagrams, configuration exports) is kept as data.
            "text/xml" => "application/xml",
            other => other,
        };
        return ACCEPTED
            .iter()
            .find(|accepted| **accepted == mime)
            .copied()
            .ok_or_else(|| ValidationError::FileTypeNotAccepted(mime.to_owned()));
    }
    if is_text(head) {
        return Ok("text/plain");
    }
    Err(ValidationError::FileTypeNotAccepted(
        "application/octet-stream".to_owned(),
    ))
}

fn is_svg(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head);
    let start = text.trim_start_matches('\u{feff}').trim_start();
    (start.starts_with("<svg") || start.starts_with("<?xml") || start.starts_with("<!DOCTYPE svg"))
        && start.contains("<svg")
}

/// UTF-8 (a sequence cut at the end of the sniffed head is fine) with no NUL bytes and no
/// control characters other than tab, line breaks and form feed.
fn is_text(head: &[u8]) -> bool {
    let valid = match std::str::from_utf8(head) {
        Ok(text) => text,
        Err(e) if e.error_len().is_none() => {
            std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or_default()
        }
        Err(_) => return false,
    };
    valid
        .chars()
        .all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r' | '\u{c}'))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = &[
        0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, b'I', b'H', b'D', b'R',
    ];

    #[test]
    fn binary_types_are_named_by_their_magic_numbers() {
        assert_eq!(sniff(PNG).unwrap(), "image/png");
        assert_eq!(
            sniff(&[0xff, 0xd8, 0xff, 0xe0, 0, 0x10, b'J', b'F', b'I', b'F']).unwrap(),
            "image/jpeg"
        );
        assert_eq!(sniff(b"%PDF-1.7\n%\xe2\xe3").unwrap(), "application/pdf");
    }

    #[test]
    fn svg_and_text_are_recognised_without_magic_numbers() {
        assert_eq!(
            sniff(b"<svg xmlns='http://www.w3.org/2000/svg'/>").unwrap(),
            "image/svg+xml"
        );
        assert_eq!(
            sniff(b"\xef\xbb\xbf<?xml version='1.0'?>\n<svg/>").unwrap(),
            "image/svg+xml"
        );
        assert_eq!(
            sniff("Circuit AS12345 — patch panel B\n".as_bytes()).unwrap(),
            "text/plain"
        );
        // A multi-byte character cut by the end of the sniffed head is still text.
        let mut cut = "é".repeat(10).into_bytes();
        cut.pop();
        assert_eq!(sniff(&cut).unwrap(), "text/plain");
    }

    #[test]
    fn what_the_allowlist_lacks_is_refused_by_its_real_type() {
        assert_eq!(
            sniff(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"),
            Err(ValidationError::FileTypeNotAccepted(
                "application/vnd.microsoft.portable-executable".into()
            ))
        );
        assert_eq!(
            sniff(&[0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3]),
            Err(ValidationError::FileTypeNotAccepted(
                "application/gzip".into()
            ))
        );
        assert_eq!(
            sniff(&[0, 1, 2, 3, 0, 0, 0xfe]),
            Err(ValidationError::FileTypeNotAccepted(
                "application/octet-stream".into()
            ))
        );
        assert_eq!(sniff(b""), Err(ValidationError::FileEmpty));
    }

    #[test]
    fn html_is_refused_and_other_xml_is_kept_as_data() {
        assert_eq!(
            sniff(b"<html><script>alert(1)</script></html>"),
            Err(ValidationError::FileTypeNotAccepted("text/html".into()))
        );
        assert_eq!(
            sniff(b"<?xml version=\"1.0\"?><mxfile host=\"app.diagrams.net\"></mxfile>").unwrap(),
            "application/xml"
        );
    }
}
