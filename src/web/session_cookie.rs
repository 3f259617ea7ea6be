//! The web session cookie, read the same way by the server functions and by the REST API (which
//! the browser uses for file uploads and downloads).

use axum::http::HeaderMap;

/// The name of the cookie that carries the session secret over plain http.
pub const NAME: &str = "sitebook_session";

/// Its name over https. A browser keeps a `__Host-` cookie only when this very host set it,
/// `Secure`, for `Path=/` and no `Domain`, so a sibling subdomain cannot plant a session of
/// its choosing (signing the victim into the attacker's account). Over https only this name
/// is read.
pub const HOST_NAME: &str = "__Host-sitebook_session";

/// The cookie's name when the server is (`secure`) or is not reached over https.
pub fn name(secure: bool) -> &'static str {
    if secure { HOST_NAME } else { NAME }
}

/// The header a page sends its session's CSRF token in when it calls the REST API.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The secret in the request's session cookie, if any.
pub fn secret(headers: &HeaderMap, secure: bool) -> Option<&str> {
    let name = name(secure);
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(found, _)| *found == name)
        .map(|(_, value)| value)
}

/// The `Set-Cookie` value for a new session. `Secure` is added when the server is reached over
/// https, where a browser would otherwise also send the cookie over plain http.
pub fn set(secret: &str, max_age_seconds: i64, secure: bool) -> String {
    let name = name(secure);
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_seconds}{secure}")
}

/// The `Set-Cookie` value that makes the browser forget its session on signing out.
pub fn clear(secure: bool) -> String {
    set("", 0, secure)
}

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
        assert_eq!(secret(&headers, false), Some("sbs_1"));
        headers.insert("cookie", "sitebook_sessionX=1".parse().unwrap());
        assert_eq!(secret(&headers, false), None);
    }

    #[test]
    fn over_https_only_the_host_prefixed_cookie_counts() {
        let cookie = set("sbs_1", 60, true);
        assert!(
            cookie.starts_with("__Host-sitebook_session=sbs_1; Path=/;"),
            "{cookie}"
        );
        assert!(!cookie.contains("Domain"));
        let mut headers = HeaderMap::new();
        // One a sibling subdomain could have planted, beside the real one.
        headers.insert(
            "cookie",
            "sitebook_session=sbs_planted; __Host-sitebook_session=sbs_1"
                .parse()
                .unwrap(),
        );
        assert_eq!(secret(&headers, true), Some("sbs_1"));
        assert_eq!(secret(&headers, false), Some("sbs_planted"));
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
        for secure in [false, true] {
            let clear = clear(secure);
            assert!(clear.starts_with(&format!("{}=;", name(secure))), "{clear}");
            assert!(clear.contains("Max-Age=0"));
        }
    }
}
