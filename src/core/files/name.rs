/// The name a file is shown and downloaded under, made safe to display. It is never used as a
/// path (bytes are stored by hash), but a name like `../../etc/passwd` or one with control
/// characters would still mislead people, so only its last path segment is kept, control
/// characters are dropped and the length is bounded.
pub fn display_name(raw: &str) -> String {
    const MAX_CHARS: usize = 255;
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last.chars().filter(|c| !c.is_control()).collect();
    let trimmed = cleaned.trim().trim_start_matches('.').trim();
    let bounded: String = trimmed.chars().take(MAX_CHARS).collect();
    if bounded.is_empty() {
        "untitled".to_owned()
    } else {
        bounded
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
}
