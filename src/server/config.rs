use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

/// Sitebook: a self-hosted metadata catalogue for network and IT resources.
///
/// With no options it stores everything in ./data/sitebook.db (created on first run) and
/// serves http://127.0.0.1:3000.
#[derive(Debug, Clone, Parser)]
#[command(name = "sitebook", version, about, long_about)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "SITEBOOK_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,

    /// Directory for the database and uploaded files; created if missing.
    #[arg(long, env = "SITEBOOK_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,

    /// Database URL, e.g. sqlite://other.db. Default: sitebook.db inside the data directory.
    #[arg(long, env = "SITEBOOK_DATABASE_URL")]
    pub database_url: Option<String>,

    /// Directory holding the built browser bundle (pkg/) and public assets.
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_no_arguments_it_serves_locally_from_the_data_directory() {
        let config = Config::try_parse_from(["sitebook"]).unwrap();
        assert_eq!(config.addr, "127.0.0.1:3000".parse().unwrap());
        assert_eq!(config.data_dir, PathBuf::from("data"));
        assert_eq!(config.database_url, None);
    }

    #[test]
    fn flags_override_the_defaults() {
        let config = Config::try_parse_from([
            "sitebook",
            "--addr",
            "0.0.0.0:8080",
            "--data-dir",
            "/srv/sitebook",
            "--database-url",
            "sqlite:///tmp/x.db",
        ])
        .unwrap();
        assert_eq!(config.addr.port(), 8080);
        assert_eq!(config.data_dir, PathBuf::from("/srv/sitebook"));
        assert_eq!(config.database_url.as_deref(), Some("sqlite:///tmp/x.db"));
    }

    #[test]
    fn help_lists_every_flag_and_its_environment_variable() {
        let help = <Config as clap::CommandFactory>::command()
            .render_long_help()
            .to_string();
        for needle in [
            "--addr",
            "SITEBOOK_ADDR",
            "--data-dir",
            "SITEBOOK_DATA_DIR",
            "--database-url",
            "SITEBOOK_DATABASE_URL",
            "--site-root",
            "LEPTOS_SITE_ROOT",
        ] {
            assert!(help.contains(needle), "--help lacks {needle}:\n{help}");
        }
    }
}
