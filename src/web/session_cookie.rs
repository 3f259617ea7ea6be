//! The web session cookie, read the same way by the server functions and by the REST API (which
//! the browser uses for file uploads and downloads).

use axum::http::HeaderMap;

/// The name of the cookie that carries the session secret.
pub const NAME: &str = "sitebook_session";

/// The header a page sends its session's CSRF token in when it calls the REST API.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The secret in the request's session cookie, if any.
pub fn secret(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == NAME)
        .map(|(_, value)| value)
}

/// The `Set-Cookie` value for a new session. `Secure` is added when the server is reached over
/// https, where a browser would otherwise also send the cookie over plain http.
pub fn set(secret: &str, max_age_seconds: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{NAME}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_seconds}{secure}")
}

/// The `Set-Cookie` value that makes the browser forget its session on signing out.
pub const CLEAR: &str = "sitebook_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_session_among_other_cookies() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "cookie",
            "theme=dark; sitebook_session=sbs_1; x=y".parse().unwrap(),
        );
        assert_eq!(secret(&headers), Some("sbs_1"));
        headers.insert("cookie", "sitebook_sessionX=1".parse().unwrap());
        assert_eq!(secret(&headers), None);
    }

    #[test]
    fn the_cookie_is_http_only_and_lax() {
        let cookie = set("sbs_1", 60, true);
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
        assert!(cookie.ends_with("; Secure"));
        assert!(!set("sbs_1", 60, false).contains("Secure"));
    }

    #[test]
    fn the_clearing_cookie_names_the_session_and_expires_at_once() {
        assert!(CLEAR.starts_with(&format!("{NAME}=;")));
        assert!(CLEAR.ends_with("Max-Age=0"));
    }
}
