//! One request whose body the browser sends with progress events (`XMLHttpRequest`: `fetch`
//! reports no upload progress), and that the page can cancel. Uploads and imports both ride on it.

use web_sys::wasm_bindgen::JsCast;
use web_sys::wasm_bindgen::closure::Closure;
use web_sys::{Blob, FormData, ProgressEvent, XmlHttpRequest};

use super::CSRF_HEADER;

/// What a transfer reports.
#[derive(Debug, Clone, PartialEq)]
pub enum TransferEvent {
    /// Bytes of the request body sent so far, of the total.
    Progress {
        sent: f64,
        total: f64,
    },
    /// The server answered (any status), with its body.
    Answered {
        status: u16,
        body: String,
    },
    /// The connection failed before an answer.
    Lost,
    Cancelled,
}

/// The body a transfer sends.
pub enum TransferBody<'a> {
    /// `multipart/form-data`, the browser choosing the boundary.
    Form(&'a FormData),
    /// A file as it is, with its content type.
    File(&'a Blob, &'a str),
}

/// A request under way. Dropping it stops listening (the request itself goes on unless
/// [`Transfer::cancel`] was called).
pub struct Transfer {
    request: XmlHttpRequest,
    // Kept so the browser can call them for as long as the request runs.
    _listeners: [Closure<dyn FnMut(ProgressEvent)>; 4],
}

impl Transfer {
    /// Sends `body` to `url` by POST with the page's CSRF token; `report` hears every progress
    /// step and then exactly one of answered, lost or cancelled.
    pub fn post(
        url: &str,
        csrf: &str,
        body: TransferBody<'_>,
        report: impl Fn(TransferEvent) + Clone + 'static,
    ) -> Result<Self, String> {
        let failed =
            |e: web_sys::wasm_bindgen::JsValue| format!("The browser refused the request: {e:?}");
        let request = XmlHttpRequest::new().map_err(failed)?;
        request.open("POST", url).map_err(failed)?;
        request
            .set_request_header(CSRF_HEADER, csrf)
            .map_err(failed)?;
        request
            .set_request_header("Accept", "application/json")
            .map_err(failed)?;

        let on_progress = {
            let report = report.clone();
            Closure::<dyn FnMut(ProgressEvent)>::new(move |e: ProgressEvent| {
                report(TransferEvent::Progress {
                    sent: e.loaded(),
                    total: e.total(),
                })
            })
        };
        let on_load = {
            let report = report.clone();
            let request = request.clone();
            Closure::<dyn FnMut(ProgressEvent)>::new(move |_| {
                report(TransferEvent::Answered {
                    status: request.status().unwrap_or(0),
                    body: request.response_text().ok().flatten().unwrap_or_default(),
                })
            })
        };
        let on_error = {
            let report = report.clone();
            Closure::<dyn FnMut(ProgressEvent)>::new(move |_| report(TransferEvent::Lost))
        };
        let on_abort =
            Closure::<dyn FnMut(ProgressEvent)>::new(move |_| report(TransferEvent::Cancelled));

        let upload = request.upload().map_err(failed)?;
        upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
        request.set_onload(Some(on_load.as_ref().unchecked_ref()));
        request.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        request.set_onabort(Some(on_abort.as_ref().unchecked_ref()));

        match body {
            TransferBody::Form(form) => request.send_with_opt_form_data(Some(form)),
            TransferBody::File(blob, content_type) => request
                .set_request_header("Content-Type", content_type)
                .and_then(|()| request.send_with_opt_blob(Some(blob))),
        }
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
