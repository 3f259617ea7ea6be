//! Compute API microversions, 2.1 to 2.90 (what `clouds.yaml` files pin: 2.47, 2.53, 2.79,
//! 2.90). The version a request follows reaches its handler as [`Microversion`], and each
//! answer has the fields Nova's schema at that version requires (`fields`), no more, no less.
//! Not higher: from 2.96 servers gain fields, and from 2.102 unknown query parameters on every
//! read are refused, which nothing pinned here needs.

use axum::http::header::VARY;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::fault::Fault;

pub const MIN: Version = Version(2, 1);
pub const MAX: Version = Version(2, 90);

// Header names as constants: a `&str` name is parsed again on every use.
const STANDARD: HeaderName = HeaderName::from_static("openstack-api-version");
const LEGACY: HeaderName = HeaderName::from_static("x-openstack-nova-api-version");
/// The headers' values at [`MAX`], the version nearly every answer carries, made once.
const MAX_STANDARD: &str = "compute 2.90";
const MAX_LEGACY: &str = "2.90";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub u32, pub u32);

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.0, self.1)
    }
}

impl Version {
    /// Whether this version has what Nova added at `major.minor`.
    pub fn at_least(self, major: u32, minor: u32) -> bool {
        self >= Version(major, minor)
    }
}

/// The version a request follows, as the headers layer read it (2.1 where none was read: the
/// version documents).
#[derive(Debug, Clone, Copy)]
pub struct Microversion(pub Version);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Microversion {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(
            parts.extensions.get::<Version>().copied().unwrap_or(MIN),
        ))
    }
}

/// The version a request asks for, as Nova reads it: the right-most `compute` entry of
/// `OpenStack-API-Version`, else the last item of `X-OpenStack-Nova-API-Version`, else 2.1.
pub fn requested(headers: &HeaderMap) -> Result<Version, Fault> {
    let standard = headers
        .get_all(STANDARD)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|entry| {
            let mut parts = entry.trim().splitn(2, char::is_whitespace);
            let service = parts.next()?;
            let version = parts.next()?.trim();
            service.eq_ignore_ascii_case("compute").then_some(version)
        })
        .next_back();
    let legacy = || {
        headers
            .get_all(LEGACY)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .next_back()
            .map(str::trim)
    };
    match standard.or_else(legacy) {
        None => Ok(MIN),
        Some("latest") => Ok(MAX),
        Some(text) => {
            let version = parse(text).ok_or_else(|| {
                Fault::bad_request(format!(
                    "API Version String {text} is of invalid format. Must be of format \
                     MajorNum.MinorNum."
                ))
            })?;
            if version < MIN || version > MAX {
                return Err(Fault::new(
                    StatusCode::NOT_ACCEPTABLE,
                    format!(
                        "Version {version} is not supported by the API. Minimum is {MIN} and \
                         maximum is {MAX}."
                    ),
                ));
            }
            Ok(version)
        }
    }
}

/// `MajorNum.MinorNum` with no leading zeros, as Nova's pattern `^([1-9]\d*)\.([1-9]\d*|0)$`.
fn parse(text: &str) -> Option<Version> {
    let (major, minor) = text.split_once('.')?;
    let number = |s: &str| {
        let ok = !s.is_empty()
            && s.bytes().all(|b| b.is_ascii_digit())
            && (s == "0" || !s.starts_with('0'));
        ok.then(|| s.parse::<u32>().ok()).flatten()
    };
    let major = number(major).filter(|m| *m > 0)?;
    Some(Version(major, number(minor)?))
}

/// The answer to a request whose version cannot be followed. A malformed version sets none,
/// so its 400 carries no version headers, as in Nova; one out of range names the maximum.
pub fn refusal(fault: Fault) -> Response {
    let malformed = fault.status == StatusCode::BAD_REQUEST;
    let mut response = fault.into_response();
    if !malformed {
        mark(&mut response, MAX);
    }
    response
}

/// Marks an answer with the version it follows.
pub fn mark(response: &mut Response, version: Version) {
    let (standard, legacy) = if version == MAX {
        (
            HeaderValue::from_static(MAX_STANDARD),
            HeaderValue::from_static(MAX_LEGACY),
        )
    } else {
        let text = version.to_string();
        (
            HeaderValue::from_str(&format!("compute {text}")).expect("a version is ASCII"),
            HeaderValue::from_str(&text).expect("a version is ASCII"),
        )
    };
    let headers = response.headers_mut();
    headers.insert(STANDARD, standard);
    headers.insert(LEGACY, legacy);
    headers.append(VARY, HeaderValue::from_static("OpenStack-API-Version"));
    headers.append(
        VARY,
        HeaderValue::from_static("X-OpenStack-Nova-API-Version"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(pairs: &[(HeaderName, &str)]) -> Result<Version, StatusCode> {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(name.clone(), HeaderValue::from_str(value).unwrap());
        }
        requested(&headers).map_err(|f| f.status)
    }

    #[test]
    fn the_answers_at_the_maximum_name_it() {
        assert_eq!(MAX_STANDARD, format!("compute {MAX}"));
        assert_eq!(MAX_LEGACY, MAX.to_string());
    }

    #[test]
    fn no_header_means_the_minimum() {
        assert_eq!(ask(&[]), Ok(Version(2, 1)));
    }

    #[test]
    fn the_standard_header_wins_and_its_right_most_compute_entry() {
        assert_eq!(
            ask(&[
                (STANDARD, "volume 3.0, compute 2.1, image 2.5"),
                (LEGACY, "9.9")
            ]),
            Ok(Version(2, 1))
        );
        assert_eq!(ask(&[(LEGACY, "2.1")]), Ok(Version(2, 1)));
        assert_eq!(ask(&[(LEGACY, "2.47")]), Ok(Version(2, 47)));
        assert_eq!(ask(&[(STANDARD, "compute latest")]), Ok(MAX));
    }

    #[test]
    fn malformed_versions_are_400_and_unsupported_ones_406() {
        for bad in ["2.01", "2", "v2.1", "2.1.0", "Latest", ""] {
            assert_eq!(ask(&[(LEGACY, bad)]), Err(StatusCode::BAD_REQUEST), "{bad}");
        }
        for unsupported in ["2.0", "2.91", "3.0"] {
            assert_eq!(
                ask(&[(STANDARD, &format!("compute {unsupported}"))]),
                Err(StatusCode::NOT_ACCEPTABLE),
                "{unsupported}"
            );
        }
    }
}
