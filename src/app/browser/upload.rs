use web_sys::wasm_bindgen::JsCast;
use web_sys::wasm_bindgen::closure::Closure;
use web_sys::{File, FormData, ProgressEvent, XmlHttpRequest};

use super::{CSRF_HEADER, error_message};

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
pub struct Upload {
    request: XmlHttpRequest,
    // Kept so the browser can call them for as long as the upload runs.
    _listeners: [Closure<dyn FnMut(ProgressEvent)>; 4],
}

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
        let request = XmlHttpRequest::new().map_err(failed)?;
        request
            .open("POST", &format!("/api/v1/sites/{site}/files"))
            .map_err(failed)?;
        request
            .set_request_header(CSRF_HEADER, csrf)
            .map_err(failed)?;
        request
            .set_request_header("Accept", "application/json")
            .map_err(failed)?;

        let on_progress = {
            let report = report.clone();
            Closure::<dyn FnMut(ProgressEvent)>::new(move |e: ProgressEvent| {
                report(UploadEvent::Progress {
                    sent: e.loaded(),
                    total: e.total(),
                })
            })
        };
        let on_load = {
            let report = report.clone();
            let request = request.clone();
            Closure::<dyn FnMut(ProgressEvent)>::new(move |_| {
                let status = request.status().unwrap_or(0);
                if (200..300).contains(&status) {
                    report(UploadEvent::Done);
                } else {
                    let body = request.response_text().ok().flatten().unwrap_or_default();
                    report(UploadEvent::Failed(error_message(status, &body)));
                }
            })
        };
        let on_error = {
            let report = report.clone();
            Closure::<dyn FnMut(ProgressEvent)>::new(move |_| {
                report(UploadEvent::Failed(
                    "The connection to the server was lost during the upload.".to_owned(),
                ))
            })
        };
        let on_abort =
            Closure::<dyn FnMut(ProgressEvent)>::new(move |_| report(UploadEvent::Cancelled));

        let upload = request.upload().map_err(failed)?;
        upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
        request.set_onload(Some(on_load.as_ref().unchecked_ref()));
        request.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        request.set_onabort(Some(on_abort.as_ref().unchecked_ref()));

        let form = FormData::new().map_err(failed)?;
        form.append_with_str("name", &file.name()).map_err(failed)?;
        form.append_with_blob_and_filename("file", file, &file.name())
            .map_err(failed)?;
        request
            .send_with_opt_form_data(Some(&form))
            .map_err(failed)?;
        Ok(Self {
            request,
            _listeners: [on_progress, on_load, on_error, on_abort],
        })
    }

    pub fn cancel(&self) {
        let _ = self.request.abort();
    }
}
