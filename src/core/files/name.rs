/// The name a file is shown and downloaded under, made safe to display. It is never used as a
/// path (bytes are stored by hash), but a name like `../../etc/passwd` or one with control
/// characters would still mislead people, so only its last path segment is kept, control
/// characters are dropped and the length is bounded. Invisible format characters go too: a
/// right-to-left override (U+202E) makes `photo\u{202E}gpj.exe` read as `photoexe.jpg`.
pub fn display_name(raw: &str) -> String {
    const MAX_CHARS: usize = 255;
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !is_format(*c))
        .collect();
    // Dots and blanks in any mix: `. .x` must not come out as the hidden `.x`.
    let trimmed = cleaned
        .trim_start_matches(|c: char| c == '.' || c.is_whitespace())
        .trim_end();
    let bounded: String = trimmed.chars().take(MAX_CHARS).collect();
    // The cut may leave a blank at the end.
    match bounded.trim_end() {
        "" => "untitled".to_owned(),
        name => name.to_owned(),
    }
}

/// Unicode's invisible format characters that can disguise a name: bidi embeddings,
/// overrides, isolates and marks, zero-width characters, the soft hyphen, the BOM, and the
/// tag characters (U+E0001, U+E0020–E007F), which spell hidden ASCII.
/// Hand-listed (General Category Cf, the parts that occur in text): the standard library has
/// no category lookup, and one function does not justify a Unicode-tables crate.
fn is_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}'
        | '\u{E0001}' | '\u{E0020}'..='\u{E007F}')
}

/// The file name extensions each kept content type may be downloaded under, the usual one
/// first.
fn extensions(content_type: &str) -> &'static [&'static str] {
    match content_type {
        "image/png" => &["png"],
        "image/jpeg" => &["jpg", "jpeg", "jpe"],
        "image/gif" => &["gif"],
        "image/webp" => &["webp"],
        "image/avif" => &["avif"],
        "image/heif" => &["heic", "heif"],
        "image/bmp" => &["bmp"],
        "image/tiff" => &["tif", "tiff"],
        "image/svg+xml" => &["svg"],
        "application/pdf" => &["pdf"],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => &["docx"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => &["xlsx"],
        "application/vnd.openxmlformats-officedocument.presentationml.presentation" => &["pptx"],
        "application/vnd.oasis.opendocument.text" => &["odt"],
        "application/vnd.oasis.opendocument.spreadsheet" => &["ods"],
        "application/zip" => &["zip"],
        "application/xml" => &["xml", "drawio"],
        "text/plain" => &["txt", "text", "log", "csv", "md", "conf", "cfg"],
        _ => &["bin"],
    }
}

/// The name a file is downloaded under: its name, with an extension that agrees with the type
/// its bytes were sniffed as. A name whose extension says otherwise keeps it and gains the
/// right one (`setup.js` holding text downloads as `setup.js.txt`), so the saved file never
/// opens as what it is not: a script, an `.hta`, an executable.
pub fn download_name(name: &str, content_type: &str) -> String {
    let allowed = extensions(content_type);
    let fits = name
        .rsplit_once('.')
        .is_some_and(|(_, ext)| allowed.iter().any(|a| a.eq_ignore_ascii_case(ext)));
    if fits {
        name.to_owned()
    } else {
        format!("{name}.{}", allowed[0])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_control_characters_and_leading_dots_are_removed() {
        assert_eq!(display_name("../../etc/passwd"), "passwd");
        assert_eq!(
            display_name("C:\\Users\\me\\rack photo.jpg"),
            "rack photo.jpg"
        );
        assert_eq!(display_name("evil\u{0}\r\nname.pdf"), "evilname.pdf");
        assert_eq!(display_name("..hidden"), "hidden");
        assert_eq!(display_name("   "), "untitled");
        assert_eq!(display_name("dir/"), "untitled");
        assert_eq!(display_name(&"é".repeat(300)).chars().count(), 255);
    }

    /// Found by the `sniff_and_name` fuzz target (fuzz/regressions/sniff_and_name/).
    #[test]
    fn leading_dots_go_even_between_blanks_and_control_characters() {
        assert_eq!(display_name(". ."), "untitled");
        assert_eq!(display_name(". .x"), "x");
        assert_eq!(display_name("\n.\0 .\u{11}\u{20ac}"), "\u{20ac}");
        assert_eq!(display_name(" .\u{202E} .config"), "config");
    }

    #[test]
    fn bidi_and_invisible_format_characters_are_removed() {
        assert_eq!(display_name("photo\u{202E}gpj.exe"), "photogpj.exe");
        assert_eq!(
            display_name("a\u{200B}b\u{2066}c\u{2069}\u{FEFF}.pdf"),
            "abc.pdf"
        );
        assert_eq!(display_name("\u{202E}\u{202C}"), "untitled");
        // Tag characters: invisible, they spell text a reader never sees.
        assert_eq!(display_name("a\u{E0001}\u{E0065}\u{E007F}.pdf"), "a.pdf");
    }

    #[test]
    fn a_name_cut_to_length_does_not_end_in_a_blank() {
        let name = display_name(&format!("{} b", "a".repeat(254)));
        assert_eq!(name, "a".repeat(254));
    }

    #[test]
    fn the_download_extension_agrees_with_the_sniffed_type() {
        assert_eq!(download_name("setup.js", "text/plain"), "setup.js.txt");
        assert_eq!(download_name("fix.hta", "text/plain"), "fix.hta.txt");
        assert_eq!(download_name("notes.TXT", "text/plain"), "notes.TXT");
        assert_eq!(download_name("rack.JPEG", "image/jpeg"), "rack.JPEG");
        assert_eq!(download_name("rack.png", "image/jpeg"), "rack.png.jpg");
        assert_eq!(download_name("diagram", "image/svg+xml"), "diagram.svg");
        assert_eq!(
            download_name("report.pdf.exe", "application/pdf"),
            "report.pdf.exe.pdf"
        );
    }
}
