//! The columns of an import's CSV header: `id`, `type`, `name`, `parent`, `tag:<Tag name>`,
//! `meta.<key>` with an optional `:string`, `:number` or `:boolean` that types its values.

use serde::{Deserialize, Serialize};

use super::RowError;

/// The type a `meta.` column declares for its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ValueKind {
    String,
    Number,
    Boolean,
}

impl ValueKind {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "string" => Some(Self::String),
            "number" => Some(Self::Number),
            "boolean" => Some(Self::Boolean),
            _ => None,
        }
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::String => "string",
            Self::Number => "number",
            Self::Boolean => "boolean",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    Id,
    Type,
    Name,
    Parent,
    Tag(String),
    Meta {
        key: String,
        kind: Option<ValueKind>,
    },
}

impl Column {
    /// A header cell. Unknown columns are refused rather than ignored, so a typo (`meta_rack`)
    /// does not silently import nothing.
    pub fn parse(header: &str) -> Result<Self, String> {
        let header = header.trim();
        Ok(match header {
            "id" => Self::Id,
            "type" => Self::Type,
            "name" => Self::Name,
            "parent" => Self::Parent,
            _ => {
                if let Some(tag) = header.strip_prefix("tag:") {
                    let tag = tag.trim();
                    if tag.is_empty() {
                        return Err("A 'tag:' column names its tag: 'tag:Region'.".to_owned());
                    }
                    Self::Tag(tag.to_owned())
                } else if let Some(key) = header.strip_prefix("meta.") {
                    // The last `:` names a type only when what follows is one: keys may hold
                    // colons (`net:vlan`).
                    match key.rsplit_once(':') {
                        Some((key, kind)) if ValueKind::parse(kind).is_some() => Self::Meta {
                            key: key.to_owned(),
                            kind: ValueKind::parse(kind),
                        },
                        _ => Self::Meta {
                            key: key.to_owned(),
                            kind: None,
                        },
                    }
                } else {
                    return Err(format!(
                        "'{header}' is not a column an import takes: id, type, name, parent, \
                         tag:<Tag name> or meta.<key> (with :string, :number or :boolean)."
                    ));
                }
            }
        })
    }

    /// How an error names the column.
    pub fn label(&self) -> String {
        match self {
            Self::Id => "id".to_owned(),
            Self::Type => "type".to_owned(),
            Self::Name => "name".to_owned(),
            Self::Parent => "parent".to_owned(),
            Self::Tag(tag) => format!("tag:{tag}"),
            Self::Meta { key, .. } => format!("meta.{key}"),
        }
    }
}

/// A whole header: every column known, none twice.
pub fn parse_header(cells: &[&str], line: u64) -> Result<Vec<Column>, RowError> {
    let mut columns: Vec<Column> = Vec::with_capacity(cells.len());
    for cell in cells {
        let column = Column::parse(cell).map_err(|message| {
            RowError::new(line, Some(cell.trim()), "import_column_unknown", message)
        })?;
        if columns.iter().any(|c| c.label() == column.label()) {
            return Err(RowError::new(
                line,
                Some(&column.label()),
                "import_column_repeated",
                format!("The column '{}' is given twice.", column.label()),
            ));
        }
        columns.push(column);
    }
    Ok(columns)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_reads_with_its_type_and_keys_may_hold_colons() {
        let header = [
            "id",
            "type",
            " name ",
            "parent",
            "tag:Customer Tier",
            "meta.rack_units:number",
            "meta.lit:boolean",
            "meta.net:vlan",
            "meta.code:string",
        ];
        let columns = parse_header(&header, 1).unwrap();
        assert_eq!(columns[2], Column::Name);
        assert_eq!(columns[4], Column::Tag("Customer Tier".into()));
        assert_eq!(
            columns[5],
            Column::Meta {
                key: "rack_units".into(),
                kind: Some(ValueKind::Number)
            }
        );
        assert_eq!(
            columns[7],
            Column::Meta {
                key: "net:vlan".into(),
                kind: None
            }
        );
        assert_eq!(columns[8].label(), "meta.code");
    }

    #[test]
    fn unknown_and_repeated_columns_are_refused_by_name() {
        let unknown = parse_header(&["id", "meta_rack"], 1).unwrap_err();
        assert_eq!(
            (unknown.code.as_str(), unknown.column.as_deref()),
            ("import_column_unknown", Some("meta_rack"))
        );
        let twice = parse_header(&["meta.a", "meta.a:number"], 1).unwrap_err();
        assert_eq!(twice.code, "import_column_repeated");
        assert!(parse_header(&["tag:"], 1).is_err());
    }
}
