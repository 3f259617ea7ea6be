//! Where a request's token is: `Authorization: Bearer <secret>` for every face, and OpenStack's
//! own `X-Auth-Token` before it on the OpenStack faces.

use axum::http::{HeaderMap, HeaderName, header};

use super::Refusal;

/// The header every OpenStack client sends its token in.
pub const X_AUTH_TOKEN: HeaderName = HeaderName::from_static("x-auth-token");

/// The secret of `Authorization: Bearer <secret>`: `Ok(None)` without the header, `Err` when
/// it holds another scheme or nothing after it. The scheme is compared ignoring case, as
/// RFC 9110 (11.1) has it: `bearer`, `BEARER` and `Bearer` are one scheme.
pub fn bearer(headers: &HeaderMap) -> Result<Option<&str>, Refusal> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let text = value.to_str().map_err(|_| Refusal::CredentialsMalformed)?;
    let (scheme, secret) = text
        .trim_start()
        .split_once([' ', '\t'])
        .ok_or(Refusal::CredentialsMalformed)?;
    let secret = secret.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || secret.is_empty() {
        return Err(Refusal::CredentialsMalformed);
    }
    Ok(Some(secret))
}

/// OpenStack's way: `X-Auth-Token`, else `Authorization: Bearer`.
pub fn auth_token(headers: &HeaderMap) -> Result<Option<&str>, Refusal> {
    match headers.get(X_AUTH_TOKEN) {
        Some(value) => value
            .to_str()
            .map(|secret| Some(secret.trim()))
            .map_err(|_| Refusal::CredentialsMalformed),
        None => bearer(headers),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with(name: HeaderName, value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(name, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn the_scheme_is_read_in_any_case() {
        for value in [
            "Bearer sbk_1",
            "bearer sbk_1",
            "BEARER sbk_1",
            "bEaReR  sbk_1 ",
        ] {
            let headers = with(header::AUTHORIZATION, value);
            assert_eq!(bearer(&headers).unwrap(), Some("sbk_1"), "{value}");
        }
    }

    #[test]
    fn another_scheme_or_no_secret_is_malformed_and_no_header_is_none() {
        for value in [
            "Basic abc",
            "Bearer",
            "Bearer   ",
            "Bearersbk_1",
            "token sbk_1",
        ] {
            let headers = with(header::AUTHORIZATION, value);
            assert!(
                matches!(bearer(&headers), Err(Refusal::CredentialsMalformed)),
                "{value}"
            );
        }
        assert_eq!(bearer(&HeaderMap::new()).unwrap(), None);
    }

    #[test]
    fn openstack_clients_token_header_comes_first() {
        let mut headers = with(X_AUTH_TOKEN, "sba_x");
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("bearer sbk_y"),
        );
        assert_eq!(auth_token(&headers).unwrap(), Some("sba_x"));
        headers.remove(X_AUTH_TOKEN);
        assert_eq!(auth_token(&headers).unwrap(), Some("sbk_y"));
    }
}
