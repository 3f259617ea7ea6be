//! Content sniffing and display names on any bytes: the sniffed type is on the allowlist or
//! refused, and the name shown and downloaded is one harmless segment, whatever was uploaded.

#![no_main]

use libfuzzer_sys::fuzz_target;
use sitebook::core::error::ValidationError;
use sitebook::core::files::{
    ACCEPTED, Disposition, FileKind, SNIFF_BYTES, display_name, download_name, sniff,
};

fuzz_target!(|data: &[u8]| {
    // The store sniffs the upload's first bytes only.
    let head = &data[..data.len().min(SNIFF_BYTES)];
    let sniffed = sniff(head);
    match &sniffed {
        Ok(content_type) => {
            assert!(ACCEPTED.contains(content_type));
            if Disposition::for_content_type(content_type) == Disposition::Inline {
                assert!(
                    content_type.starts_with("image/") && *content_type != "image/svg+xml",
                    "only raster images are shown inline, not {content_type}"
                );
            }
            let kind = FileKind::default_for(content_type);
            assert_ne!(kind, FileKind::Note, "a note is only ever asked for");
        }
        Err(ValidationError::FileEmpty) => assert!(data.is_empty()),
        Err(ValidationError::FileTypeNotAccepted(found)) => {
            assert!(!ACCEPTED.contains(&found.as_str()), "{found} is accepted")
        }
        Err(other) => panic!("sniffing refuses only empty or unaccepted files: {other:?}"),
    }

    let raw = String::from_utf8_lossy(data);
    let name = display_name(&raw);
    check_display_name(&name);
    for content_type in sniffed.iter().chain(ACCEPTED) {
        let download = download_name(&name, content_type);
        assert!(
            download.starts_with(&name),
            "{download:?} lost the name {name:?}"
        );
        assert!(download.chars().count() <= 255 + 8, "{download:?}");
        // The extension already agrees with the type, so it is kept as it is.
        assert_eq!(
            download_name(&download, content_type),
            download,
            "{content_type}"
        );
        let extension = download
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase());
        assert!(
            !matches!(
                extension.as_deref(),
                Some("exe" | "js" | "hta" | "html" | "htm" | "bat" | "cmd" | "scr" | "com")
            ),
            "{download:?} would open as a program"
        );
    }
});

/// What `display_name` promises: one path segment, at most 255 characters, no control or
/// invisible format characters, no leading dot or blank, never empty.
fn check_display_name(name: &str) {
    assert!(!name.is_empty());
    assert!(name.chars().count() <= 255, "{name:?}");
    assert!(!name.contains(['/', '\\']), "{name:?}");
    assert!(!name.starts_with('.'), "{name:?}");
    assert_eq!(name.trim_start(), name, "{name:?}");
    for c in name.chars() {
        assert!(!c.is_control(), "{name:?} holds {c:?}");
        assert!(!is_format(c), "{name:?} holds {:?}", c);
    }
}

/// Bidi embeddings, overrides, isolates and marks, zero-width characters, the soft hyphen
/// and the BOM, listed from Unicode's tables rather than from the code under test.
fn is_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}
