//! Bulk import: the rows of a spreadsheet (CSV) or of a script (NDJSON), read into one shape,
//! and the rule that types their values. The store checks each row against the same rules as
//! one-by-one writes and applies a file as one change set (`store::bulk_import`).

pub mod columns;
#[cfg(feature = "ssr")]
pub mod csv_rows;
pub mod ndjson;
pub mod progress;
pub mod typing;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use columns::{Column, ValueKind};
pub use progress::{ImportPhase, ImportProgress};

/// A cell holding only this removes the key or tag (an empty cell leaves it as it is).
pub const REMOVE_MARKER: &str = "~";

/// What a row says of one key or tag.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Leave it as it is (an empty CSV cell, a key an NDJSON line does not name).
    Keep,
    /// Remove it ([`REMOVE_MARKER`] in CSV, `null` in NDJSON).
    Remove,
    /// Text, typed by the column's declared type or the stored key's (CSV).
    Text(String),
    /// A JSON value, typed already (NDJSON).
    Typed(Value),
}

impl Cell {
    /// A CSV cell: empty keeps, the marker removes, `="…"` is that text literally (see
    /// [`protect`]), anything else is text.
    pub fn from_csv(text: &str) -> Self {
        if let Some(literal) = unprotect(text) {
            return Self::Text(literal);
        }
        match text {
            "" => Self::Keep,
            REMOVE_MARKER => Self::Remove,
            other => Self::Text(other.to_owned()),
        }
    }
}

/// A text value as an exported CSV cell. Text a spreadsheet would change or run on opening the
/// file (`00123` or `1e5` made a number, `TRUE` a boolean, `2024-01-05` a date, `=…`, `+…`,
/// `-…`, `@…` a formula) and text an import would read otherwise (empty: "leave as is"; `~`:
/// "remove") is written as `="…"`: spreadsheets show that as the text itself, and an import
/// reads it back as the text ([`unprotect`]).
pub fn protect(text: &str) -> std::borrow::Cow<'_, str> {
    let risky = text.is_empty()
        || text == REMOVE_MARKER
        || text.starts_with(['=', '+', '-', '@', '\t', '\r', ' '])
        || text.ends_with(' ')
        || text.eq_ignore_ascii_case("true")
        || text.eq_ignore_ascii_case("false")
        || text.trim().parse::<f64>().is_ok()
        || text
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'/' | b'.' | b':' | b' '));
    if risky {
        std::borrow::Cow::Owned(format!("=\"{}\"", text.replace('"', "\"\"")))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// The text of a `="…"` cell ([`protect`]), or `None` for any other cell.
pub fn unprotect(cell: &str) -> Option<String> {
    let inner = cell.strip_prefix("=\"")?.strip_suffix('"')?;
    // Inside, a quote is doubled; a lone one means the cell is some other formula.
    let mut text = String::with_capacity(inner.len());
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '"' && chars.next() != Some('"') {
            return None;
        }
        text.push(c);
    }
    Some(text)
}

/// One resource as a file describes it. `None` and [`Cell::Keep`] leave a stored value as it
/// is; for a new resource `kind` and `name` are required.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ImportRow {
    /// The physical line where the row starts (1 is the header in a CSV file).
    pub line: u64,
    /// Empty: a new resource, given an id of its type's form.
    pub id: Option<String>,
    pub kind: Option<String>,
    pub name: Option<String>,
    /// A resource id, or the name of a site; [`Cell::Remove`] puts it under nothing.
    pub parent: Option<Cell>,
    /// By the tag's name.
    pub tags: Vec<(String, Cell)>,
    /// Keys with the type their column declares (CSV), and what the row says of each.
    pub meta: Vec<(String, Option<ValueKind>, Cell)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_a_spreadsheet_would_alter_is_protected_and_reads_back_as_itself() {
        for risky in [
            "00123",
            "1e5",
            "TRUE",
            "2024-01-05",
            "=1+1",
            "-3",
            "@sum",
            "",
            "~",
            "a\"b",
            " x",
        ] {
            let cell = protect(risky);
            if risky != "a\"b" {
                assert!(cell.starts_with("=\""), "{risky} -> {cell}");
            }
            assert_eq!(
                Cell::from_csv(&cell),
                Cell::Text(risky.to_owned()),
                "{risky}"
            );
        }
        assert_eq!(protect("Main Office"), "Main Office");
        assert_eq!(protect("say \"hi\" = 1"), "say \"hi\" = 1");
        assert_eq!(unprotect("=\"a\"b\""), None);
        assert_eq!(unprotect("=SUM(A1)"), None);
    }
}

/// The rows of a file as read: each a row, or why it could not be read.
pub type ReadRows = Box<dyn Iterator<Item = Result<ImportRow, RowError>> + Send>;

/// Why a row, or the file, is refused: where (line, column) and why, in the core's codes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    pub line: u64,
    /// The column as the file names it (`meta.rack_units`, `tag:Region`, `name`), or `null`
    /// for the row as a whole.
    pub column: Option<String>,
    pub code: String,
    pub message: String,
}

impl RowError {
    pub fn new(
        line: u64,
        column: Option<&str>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            line,
            column: column.map(str::to_owned),
            code: code.into(),
            message: message.into(),
        }
    }

    /// A core rule's refusal, with its code and message.
    pub fn rule(
        line: u64,
        column: Option<&str>,
        rule: &crate::core::error::ValidationError,
    ) -> Self {
        Self::new(line, column, rule.code(), rule.to_string())
    }
}

/// What an import did, or would do (a preview).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ImportReport {
    pub creates: u64,
    pub updates: u64,
    pub unchanged: u64,
    pub errors: Vec<RowError>,
    /// The change set a commit wrote (none for a preview or a refused commit).
    pub change_set: Option<String>,
}
