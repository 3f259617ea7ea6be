use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use crate::core::metadata::MetadataLimits;
use crate::store::Store;

/// How long an upload may go without a byte: a client that stops sending would otherwise hold
/// its connection, its upload file and its part of the disk for as long as it likes.
pub const UPLOAD_STALL: std::time::Duration = std::time::Duration::from_secs(30);

/// How long an API request's body may take to arrive. Not for uploads, which may rightly take
/// longer and time out when they stall instead.
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// The settings both faces read, taken from the configuration at start-up.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The address clients reach this server at, without a trailing slash.
    pub public_url: Arc<str>,
    pub limits: MetadataLimits,
    /// The largest file an upload may be.
    pub max_file_bytes: u64,
    /// Whether a reverse proxy in front says who the client is (`X-Forwarded-For`).
    pub trusted_proxy: bool,
    /// How long an upload may go without a byte before it is abandoned (408).
    pub upload_stall: std::time::Duration,
    /// How long any other API request's body may take to arrive (408).
    pub request_timeout: std::time::Duration,
    /// The turns every face reads its bodies in: one pool, so no face can read more at once
    /// than the server allows (`edge::body`).
    pub body_turns: crate::web::edge::BodyTurns,
}

impl Settings {
    pub fn new(public_url: &str, limits: MetadataLimits, max_file_bytes: u64) -> Self {
        Self {
            public_url: public_url.trim_end_matches('/').into(),
            limits,
            max_file_bytes,
            trusted_proxy: false,
            upload_stall: UPLOAD_STALL,
            request_timeout: REQUEST_TIMEOUT,
            body_turns: Default::default(),
        }
    }

    /// Takes the client's address from the proxy's `X-Forwarded-For` (see [`client_address`]).
    pub fn behind_proxy(self, trusted_proxy: bool) -> Self {
        Self {
            trusted_proxy,
            ..self
        }
    }

    /// The address a request came from: the connection's peer or, behind a trusted proxy,
    /// the last address the proxy appended to `X-Forwarded-For` (earlier ones are the
    /// client's own claims, and anyone can make those).
    pub fn client_address(&self, parts: &axum::http::request::Parts) -> Option<String> {
        if self.trusted_proxy {
            return parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .map(str::trim)
                .next_back()
                .filter(|a| a.parse::<std::net::IpAddr>().is_ok())
                .map(str::to_owned);
        }
        parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|info| info.0.ip().to_string())
    }

    /// Whether browsers reach the server over https, where a cookie without `Secure` would
    /// also be sent over plain http.
    pub fn is_https(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

/// What every request of the web UI can reach: pages and server functions through Leptos
/// context (`leptos_routes_with_context` provides it to both). The REST API keeps a state of
/// its own (`api::ApiState`), built from the same store and [`Settings`].
///
/// One reference count rather than one per part; see `docs/performance.md`.
#[derive(Clone, Debug)]
pub struct AppState(Arc<AppStateParts>);

#[derive(Debug)]
pub struct AppStateParts {
    pub leptos_options: LeptosOptions,
    pub store: Store,
    pub settings: Settings,
    /// Whether this server is going away (see `web::health`).
    pub lifecycle: crate::web::health::Lifecycle,
}

impl AppState {
    pub fn new(parts: AppStateParts) -> Self {
        Self(Arc::new(parts))
    }
}

impl std::ops::Deref for AppState {
    type Target = AppStateParts;

    fn deref(&self) -> &AppStateParts {
        &self.0
    }
}

/// Only the Leptos integration asks for the options, and it wants them by value.
impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_public_url_loses_its_trailing_slash_and_says_whether_it_is_https() {
        let limits = MetadataLimits { max_keys: 1 };
        let settings = Settings::new("https://sitebook.example/", limits, 1);
        assert_eq!(&*settings.public_url, "https://sitebook.example");
        assert!(settings.is_https());
        assert!(!Settings::new("http://127.0.0.1:3000", limits, 1).is_https());
    }

    #[test]
    fn only_a_trusted_proxy_names_the_client_and_only_its_own_entry_counts() {
        let request = axum::http::Request::builder()
            .header("x-forwarded-for", "6.6.6.6, 10.0.0.7")
            .header("x-forwarded-for", "192.0.2.1")
            .body(())
            .unwrap();
        let (mut parts, ()) = request.into_parts();
        parts
            .extensions
            .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
                [127, 0, 0, 1],
                4000,
            ))));
        let limits = MetadataLimits { max_keys: 1 };
        let direct = Settings::new("http://x", limits, 1);
        assert_eq!(direct.client_address(&parts).as_deref(), Some("127.0.0.1"));
        let proxied = direct.behind_proxy(true);
        assert_eq!(proxied.client_address(&parts).as_deref(), Some("192.0.2.1"));
    }
}
