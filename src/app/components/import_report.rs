use leptos::prelude::*;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

use crate::app::browser::import::{ImportAnswer, ImportRowError};

/// The bad rows a page lists; the downloadable report holds all of them.
pub const ROWS_SHOWN: usize = 100;

/// A field of the report's CSV, quoted when it must be.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// Every refused row as a CSV a spreadsheet opens (line, column, code, message).
pub fn report_csv(errors: &[ImportRowError]) -> String {
    let mut out = String::from("line,column,code,message\r\n");
    for error in errors {
        out.push_str(&format!(
            "{},{},{},{}\r\n",
            error.line,
            csv_field(error.column.as_deref().unwrap_or("")),
            csv_field(&error.code),
            csv_field(&error.message)
        ));
    }
    out
}

/// What an import would do or did: the counts, the delimiter read, and each refused row with
/// its line and column (the first [`ROWS_SHOWN`] here, all in the report to download).
#[component]
pub fn ImportReportView(answer: ImportAnswer, committed: bool) -> impl IntoView {
    let (creates, updates, unchanged) = if committed {
        ("created", "updated", "unchanged")
    } else {
        ("to create", "to update", "unchanged")
    };
    let bad = answer.errors.len();
    let download = (bad > 0).then(|| {
        let href = format!(
            "data:text/csv;charset=utf-8,{}",
            utf8_percent_encode(&report_csv(&answer.errors), NON_ALPHANUMERIC)
        );
        view! {
            <a class="button secondary" href=href download="import-errors.csv">
                {if bad == 1 { "Download the error (CSV)".to_owned() } else { format!("Download all {bad} errors (CSV)") }}
            </a>
        }
    });
    let shown: Vec<ImportRowError> = answer.errors.into_iter().take(ROWS_SHOWN).collect();
    view! {
        <dl class="facts import-counts">
            <dt>{creates}</dt><dd class="creates">{answer.creates}</dd>
            <dt>{updates}</dt><dd class="updates">{answer.updates}</dd>
            <dt>{unchanged}</dt><dd class="unchanged">{answer.unchanged}</dd>
            <dt>"rows with errors"</dt><dd class="error-count">{bad}</dd>
            {answer.delimiter.map(|d| view! { <dt>"delimiter"</dt><dd class="delimiter"><code>{d}</code></dd> })}
            {answer.change_set.map(|id| view! { <dt>"change set"</dt><dd class="change-set"><code>{id}</code></dd> })}
        </dl>
        {(bad > 0).then(|| view! {
            <table class="import-errors">
                <caption>{if bad > ROWS_SHOWN { format!("The first {ROWS_SHOWN} of {bad} rows with errors") } else { "Rows with errors".to_owned() }}</caption>
                <thead><tr><th scope="col">"Line"</th><th scope="col">"Column"</th><th scope="col">"Problem"</th></tr></thead>
                <tbody>
                    {shown.into_iter().map(|error| view! {
                        <tr data-line=error.line.to_string()>
                            <td class="count">{error.line}</td>
                            <td><code>{error.column.unwrap_or_default()}</code></td>
                            <td>{error.message}" "<span class="muted">"("{error.code}")"</span></td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        })}
        {download}
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_quotes_what_a_spreadsheet_would_split() {
        let errors = [ImportRowError {
            line: 7,
            column: Some("meta.rack_units".into()),
            code: "metadata_value_type_mismatch".into(),
            message: "'x, y' is not a \"number\"".into(),
        }];
        assert_eq!(
            report_csv(&errors),
            "line,column,code,message\r\n7,meta.rack_units,metadata_value_type_mismatch,\"'x, y' is not a \"\"number\"\"\"\r\n"
        );
    }
}
