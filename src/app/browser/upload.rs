use web_sys::{File, FormData};

use super::error_message;
use super::transfer::{Transfer, TransferBody, TransferEvent};

/// What an upload reports to the page.
#[derive(Debug, Clone, PartialEq)]
pub enum UploadEvent {
    /// Bytes of the request body sent so far, of the total.
    Progress {
        sent: f64,
        total: f64,
    },
    Done,
    Failed(String),
    Cancelled,
}

/// One file on its way to `POST /api/v1/sites/{site}/files`. Dropping it stops listening (the
/// request itself goes on unless [`Upload::cancel`] was called).
pub struct Upload(Transfer);

impl Upload {
    /// Starts sending `file`; `report` hears every progress step and then exactly one of
    /// done, failed or cancelled.
    pub fn start(
        site: &str,
        file: &File,
        csrf: &str,
        report: impl Fn(UploadEvent) + Clone + 'static,
    ) -> Result<Self, String> {
        let failed =
            |e: web_sys::wasm_bindgen::JsValue| format!("The browser refused the upload: {e:?}");
        let form = FormData::new().map_err(failed)?;
        form.append_with_str("name", &file.name()).map_err(failed)?;
        form.append_with_blob_and_filename("file", file, &file.name())
            .map_err(failed)?;
        Transfer::post(
            &format!("/api/v1/sites/{site}/files"),
            csrf,
            TransferBody::Form(&form),
            move |event| {
                report(match event {
                    TransferEvent::Progress { sent, total } => {
                        UploadEvent::Progress { sent, total }
                    }
                    TransferEvent::Answered { status, .. } if (200..300).contains(&status) => {
                        UploadEvent::Done
                    }
                    TransferEvent::Answered { status, body } => {
                        UploadEvent::Failed(error_message(status, &body))
                    }
                    TransferEvent::Lost => UploadEvent::Failed(
                        "The connection to the server was lost during the upload.".to_owned(),
                    ),
                    TransferEvent::Cancelled => UploadEvent::Cancelled,
                })
            },
        )
        .map(Self)
    }

    pub fn cancel(&self) {
        self.0.cancel();
    }
}
