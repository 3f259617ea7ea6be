//! The rule both web faces apply to a state-changing call made with a session cookie: it must
//! carry that session's CSRF token. Only this site's pages can read the token, so a form or
//! fetch forged on another site, which the browser sends with the cookie all the same, cannot.
//!
//! Signing in has no session yet, so no token: there the browser's own word on where the
//! request comes from decides (see [`sign_in_from_elsewhere`]).

/// Whether `sent` is the session's CSRF token; nothing sent never matches.
///
/// The comparison takes as long whatever it finds, so its time does not tell a guesser how many
/// leading characters of a guess were right, as `==` stopping at the first difference would.
/// The length is no secret: every token is 64 hex digits.
pub fn csrf_matches(session_token: &str, sent: Option<&str>) -> bool {
    use subtle::ConstantTimeEq;
    sent.is_some_and(|sent| bool::from(session_token.as_bytes().ct_eq(sent.as_bytes())))
}

/// Whether a sign-in was sent from another site's page: login CSRF, which signs the victim
/// into the attacker's account so that what they then enter lands there. Browsers say where a
/// request comes from in `Sec-Fetch-Site` (`same-site` is a sibling subdomain, someone else's
/// too) and, older ones, only in `Origin`, which must then name this server: its `host` as
/// the request reached it, or its public address (`public_origin`, for a proxy that rewrites
/// `Host`). A request with neither header comes from no web page (a script), and is let be.
pub fn sign_in_from_elsewhere(
    fetch_site: Option<&str>,
    origin: Option<&str>,
    host: Option<&str>,
    public_origin: &str,
) -> bool {
    if let Some(site) = fetch_site {
        return !(site.eq_ignore_ascii_case("same-origin") || site.eq_ignore_ascii_case("none"));
    }
    let Some(origin) = origin else {
        return false;
    };
    let origin_host = origin.split_once("://").map(|(_, rest)| rest);
    let same_host = origin_host
        .zip(host)
        .is_some_and(|(o, h)| o.eq_ignore_ascii_case(h));
    !(same_host || origin.eq_ignore_ascii_case(public_origin.trim_end_matches('/')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sign_in_from_another_sites_page_is_told_apart_from_ours_and_from_scripts() {
        let public = "https://sitebook.example";
        let ours = |fetch, origin, host| !sign_in_from_elsewhere(fetch, origin, host, public);
        assert!(ours(
            Some("same-origin"),
            Some("https://sitebook.example"),
            None
        ));
        assert!(ours(Some("none"), None, None), "typed into the address bar");
        assert!(!ours(Some("cross-site"), None, None));
        assert!(!ours(Some("same-site"), None, None), "a sibling subdomain");
        // Browsers without Sec-Fetch-Site: Origin against the host or the public address.
        assert!(ours(
            None,
            Some("http://127.0.0.1:3000"),
            Some("127.0.0.1:3000")
        ));
        assert!(ours(
            None,
            Some("https://sitebook.example"),
            Some("10.0.0.5:3000")
        ));
        assert!(!ours(
            None,
            Some("https://evil.example"),
            Some("127.0.0.1:3000")
        ));
        assert!(
            !ours(None, Some("null"), Some("127.0.0.1:3000")),
            "a sandboxed frame"
        );
        assert!(ours(None, None, Some("127.0.0.1:3000")), "a script");
    }

    #[test]
    fn only_the_session_token_itself_matches() {
        let token = "a".repeat(64);
        assert!(csrf_matches(&token, Some(&token)));
        assert!(!csrf_matches(&token, None));
        assert!(!csrf_matches(&token, Some("")));
        assert!(!csrf_matches(&token, Some(&"a".repeat(63))));
        assert!(!csrf_matches(&token, Some(&format!("{}b", "a".repeat(63)))));
        assert!(!csrf_matches(&token, Some(&format!("b{}", "a".repeat(63)))));
    }
}
