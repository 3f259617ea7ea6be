//! Reading an import's CSV as spreadsheets write it, through the `csv` crate: UTF-8 with or
//! without a BOM, CRLF or LF, quoted fields holding delimiters, quotes and line breaks, and `,`,
//! `;` or tab as the delimiter, told from the header. Each row knows the physical line where it
//! starts, which is what an error names.

use std::io::Cursor;

use super::columns::parse_header;
use super::{Cell, Column, ImportRow, RowError};

/// The delimiter a header line uses: whichever of `,`, `;` and tab it holds most of outside
/// quotes (`,` when it holds none).
pub fn delimiter_of(header: &[u8]) -> u8 {
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for &b in header {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted && let Some(count) = counts.iter_mut().find(|(d, _)| *d == b) {
            count.1 += 1;
        }
    }
    counts
        .iter()
        .copied()
        .max_by_key(|&(d, n)| (n, d == b','))
        .filter(|&(_, n)| n > 0)
        .map_or(b',', |(d, _)| d)
}

/// The rows of a CSV import, after its header, read one at a time from the file's bytes (`B`:
/// a slice, or the request's own buffer, so that a large file's rows are never all held).
pub struct CsvRows<B: AsRef<[u8]>> {
    reader: csv::Reader<Cursor<B>>,
    bytes: B,
    /// Where the text starts in `bytes`: after a BOM.
    start: usize,
    columns: Vec<Column>,
    delimiter: u8,
    record: csv::StringRecord,
    /// Where the line count below has reached: (byte offset, lines before it).
    counted: (usize, u64),
}

impl<B: AsRef<[u8]> + Clone> CsvRows<B> {
    /// Reads the header (its first line tells the delimiter).
    pub fn open(bytes: B) -> Result<Self, RowError> {
        let all = bytes.as_ref();
        let start = if all.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        };
        let first = all[start..]
            .split(|&b| b == b'\n')
            .next()
            .unwrap_or_default();
        let delimiter = delimiter_of(first);
        let mut text = Cursor::new(bytes.clone());
        text.set_position(start as u64);
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .has_headers(false)
            .from_reader(text);
        let mut header = csv::StringRecord::new();
        let read = reader
            .read_record(&mut header)
            .map_err(|e| csv_error(1, &e))?;
        if !read || header.iter().all(|c| c.trim().is_empty()) {
            return Err(RowError::new(
                1,
                None,
                "import_empty",
                "The file has no header line: the first line names the columns (id, type, name, \
                 parent, tag:<Tag>, meta.<key>).",
            ));
        }
        let cells: Vec<&str> = header.iter().collect();
        let columns = parse_header(&cells, 1)?;
        Ok(Self {
            reader,
            bytes,
            start,
            columns,
            delimiter,
            record: csv::StringRecord::new(),
            counted: (0, 0),
        })
    }

    /// The delimiter the header used, as a person names it.
    pub fn delimiter(&self) -> &'static str {
        match self.delimiter {
            b';' => ";",
            b'\t' => "tab",
            _ => ",",
        }
    }

    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The physical line of the record starting at byte `at`. Counted from the bytes rather
    /// than taken from the reader's position, which after a CRLF points at the `\n` and so
    /// one line early; offsets only grow, so the counting goes on from where it stopped.
    fn line_at(&mut self, at: usize) -> u64 {
        let text = &self.bytes.as_ref()[self.start..];
        // A record's position may sit on the line breaks before it.
        let mut start = at.min(text.len());
        while start < text.len() && matches!(text[start], b'\r' | b'\n') {
            start += 1;
        }
        let (from, lines) = self.counted;
        let from = from.min(start);
        let more = text[from..start].iter().filter(|&&b| b == b'\n').count() as u64;
        self.counted = (start, lines + more);
        lines + more + 1
    }
}

fn csv_error(line: u64, e: &csv::Error) -> RowError {
    let line = e.position().map_or(line, csv::Position::line);
    let message = match e.kind() {
        csv::ErrorKind::Utf8 { .. } => {
            "The file is not UTF-8 text; save it as CSV UTF-8.".to_owned()
        }
        _ => format!("The file cannot be read as CSV: {e}"),
    };
    RowError::new(line, None, "import_unreadable", message)
}

impl<B: AsRef<[u8]> + Clone> Iterator for CsvRows<B> {
    type Item = Result<ImportRow, RowError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            match self.reader.read_record(&mut self.record) {
                Ok(false) => return None,
                Err(e) => {
                    let at = e.position().map_or(0, |p| p.byte() as usize);
                    let line = self.line_at(at);
                    let mut error = csv_error(line, &e);
                    error.line = line;
                    return Some(Err(error));
                }
                Ok(true) => {}
            }
            let at = self.record.position().map_or(0, |p| p.byte() as usize);
            let line = self.line_at(at);
            // A blank line, or one of delimiters only, is nothing (spreadsheets end so).
            if self.record.iter().all(str::is_empty) {
                continue;
            }
            if self.record.len() != self.columns.len() {
                return Some(Err(RowError::new(
                    line,
                    None,
                    "import_row_width",
                    format!(
                        "This row has {} cells and the header {}; a cell holding the \
                         delimiter must be quoted.",
                        self.record.len(),
                        self.columns.len()
                    ),
                )));
            }
            let mut row = ImportRow {
                line,
                ..ImportRow::default()
            };
            for (column, text) in self.columns.iter().zip(self.record.iter()) {
                let given = || match super::unprotect(text) {
                    Some(literal) => Some(literal),
                    None => (!text.is_empty()).then(|| text.to_owned()),
                };
                match column {
                    Column::Id => row.id = given(),
                    Column::Type => row.kind = given(),
                    Column::Name => row.name = given(),
                    Column::Parent => {
                        row.parent = Some(Cell::from_csv(text)).filter(|c| *c != Cell::Keep)
                    }
                    Column::Tag(tag) => row.tags.push((tag.clone(), Cell::from_csv(text))),
                    Column::Meta { key, kind } => {
                        row.meta.push((key.clone(), *kind, Cell::from_csv(text)))
                    }
                }
            }
            return Some(Ok(row));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str) -> (String, Vec<Result<ImportRow, RowError>>) {
        let rows = CsvRows::open(text.as_bytes()).unwrap();
        (rows.delimiter().to_owned(), rows.collect())
    }

    #[test]
    fn the_delimiter_is_told_from_the_header() {
        assert_eq!(delimiter_of(b"id,type,name\n"), b',');
        assert_eq!(delimiter_of(b"id;type;name;\"a,b\"\n"), b';');
        assert_eq!(delimiter_of(b"id\ttype\tname\n"), b'\t');
        assert_eq!(delimiter_of(b"id\n"), b',');
    }

    #[test]
    fn quirks_of_spreadsheets_read_with_the_line_each_row_starts_on() {
        let text = "\u{FEFF}id;type;name;meta.note\r\n\
                    s1;site;\"Main; Office\";\"line one\r\nline \"\"two\"\"\"\r\n\
                    s2;site;Depot;\r\n\
                    \r\n\
                    ;;;\r\n";
        let (delimiter, rows) = rows(text);
        assert_eq!(delimiter, ";");
        assert_eq!(rows.len(), 2, "{rows:?}");
        let first = rows[0].as_ref().unwrap();
        assert_eq!(first.line, 2);
        assert_eq!(first.name.as_deref(), Some("Main; Office"));
        assert_eq!(
            first.meta[0].2,
            Cell::Text("line one\r\nline \"two\"".into())
        );
        let second = rows[1].as_ref().unwrap();
        // The quoted line break put the second row on line 4.
        assert_eq!(second.line, 4);
        assert_eq!(second.meta[0].2, Cell::Keep);
    }

    #[test]
    fn cells_keep_remove_or_set_and_a_short_row_names_its_line() {
        let text = "id,parent,tag:Region,meta.rack:number\nd1,~,APAC,~\nd2,HQ\n";
        let (_, rows) = rows(text);
        let first = rows[0].as_ref().unwrap();
        assert_eq!(first.parent, Some(Cell::Remove));
        assert_eq!(
            first.tags,
            vec![("Region".into(), Cell::Text("APAC".into()))]
        );
        assert_eq!(first.meta[0].2, Cell::Remove);
        let short = rows[1].as_ref().unwrap_err();
        assert_eq!((short.line, short.code.as_str()), (3, "import_row_width"));
    }

    #[test]
    fn tabs_and_lf_read_too_and_a_bad_header_is_refused() {
        let (delimiter, rows) = rows("id\tname\nx\tY\n");
        assert_eq!(delimiter, "tab");
        assert_eq!(rows[0].as_ref().unwrap().name.as_deref(), Some("Y"));
        assert_eq!(
            CsvRows::open("id,colour\n".as_bytes()).err().unwrap().code,
            "import_column_unknown"
        );
        assert_eq!(
            CsvRows::open("".as_bytes()).err().unwrap().code,
            "import_empty"
        );
    }
}
