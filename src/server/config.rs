use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Sitebook: a self-hosted metadata catalogue for network and IT resources.
///
/// With no command it serves: everything is stored in ./data/sitebook.db (created on first
/// run) and the web UI and API are at http://127.0.0.1:3000.
#[derive(Debug, Clone, Parser)]
#[command(name = "sitebook", version, about, long_about)]
pub struct Config {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub storage: StorageArgs,

    /// Address to listen on.
    #[arg(long, env = "SITEBOOK_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,

    /// The URL clients reach this server at, used in links such as error `doc_url`s.
    /// Default: http:// and the listening address.
    #[arg(long, env = "SITEBOOK_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Directory holding the built browser bundle (pkg/) and public assets.
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,

    /// The most metadata keys one resource may have.
    #[arg(long, env = "SITEBOOK_MAX_METADATA_KEYS", default_value_t = 256)]
    pub max_metadata_keys: usize,

    /// The largest file an upload may be, in bytes (default 100 MiB).
    #[arg(long, env = "SITEBOOK_MAX_FILE_BYTES", default_value_t = crate::core::files::DEFAULT_MAX_FILE_BYTES)]
    pub max_file_bytes: u64,

    /// Trust the last address in `X-Forwarded-For` as the client's (for the sign-in throttle).
    /// Turn on only behind a reverse proxy that sets that header; off, anyone could claim any
    /// address and escape the per-address count.
    #[arg(long, env = "SITEBOOK_TRUSTED_PROXY")]
    pub trusted_proxy: bool,

    /// Seconds an upload may go without a byte before it is abandoned (408) and its part of the
    /// disk freed.
    #[arg(long, env = "SITEBOOK_UPLOAD_STALL_SECONDS", default_value_t = crate::web::state::UPLOAD_STALL.as_secs(), value_parser = clap::value_parser!(u64).range(1..))]
    pub upload_stall_seconds: u64,

    /// Seconds any other API request's body may take to arrive (408).
    #[arg(long, env = "SITEBOOK_REQUEST_TIMEOUT_SECONDS", default_value_t = crate::web::state::REQUEST_TIMEOUT.as_secs(), value_parser = clap::value_parser!(u64).range(1..))]
    pub request_timeout_seconds: u64,
}

/// Where the data lives; shared by the server and every command.
#[derive(Debug, Clone, Args)]
pub struct StorageArgs {
    /// Directory for the database and uploaded files; created if missing.
    #[arg(long, env = "SITEBOOK_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,

    /// Database URL, e.g. sqlite://other.db. Default: sitebook.db inside the data directory.
    #[arg(long, env = "SITEBOOK_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
}

impl StorageArgs {
    /// The SQLite database file and the directory of file bytes this names.
    pub fn installation(&self) -> Result<crate::store::sqlite::backup::Installation, String> {
        let database = match &self.database_url {
            None => self.data_dir.join("sitebook.db"),
            Some(url) => {
                use std::str::FromStr;
                sqlx::sqlite::SqliteConnectOptions::from_str(url)
                    .map_err(|e| format!("bad database URL {url:?}: {e}"))?
                    .get_filename()
                    .to_owned()
            }
        };
        Ok(crate::store::sqlite::backup::Installation {
            database,
            files: self.data_dir.join("files"),
        })
    }
}

#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Manage people who sign in to the web UI.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API tokens for scripts and other systems.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Show or change a tenant's settings.
    #[command(subcommand)]
    Settings(SettingsCommand),
    /// Copy this installation (database and file bytes) into one archive, consistently, while
    /// the server goes on serving.
    Backup {
        /// The archive to write (a tar file); replaced only once complete.
        #[arg(long)]
        to: PathBuf,
    },
    /// Bring back an archive `backup` made, with the server stopped. Everything is checked
    /// before anything is replaced.
    Restore {
        /// The archive to read.
        #[arg(long)]
        from: PathBuf,
        /// Replace the database there now (it is kept beside, renamed).
        #[arg(long)]
        replace: bool,
    },
}

#[derive(Debug, Clone, Subcommand)]
pub enum SettingsCommand {
    /// Print the tenant's settings.
    Show {
        #[arg(long, default_value = "default")]
        tenant: String,
    },
    /// Change the settings named; the others stay.
    Set {
        /// on: a Data Hub client's unknown tag name is defined on first use (the default);
        /// off: it is refused until an admin defines the tag.
        #[arg(long, value_parser = on_off)]
        datahub_auto_define_tags: Option<bool>,
        /// The most metadata items a server may hold through the OpenStack compute API
        /// (Nova's `metadata_items` quota; 1 to 100000, default 128).
        #[arg(long)]
        nova_metadata_items: Option<u32>,
        #[arg(long, default_value = "default")]
        tenant: String,
    },
}

fn on_off(text: &str) -> Result<bool, String> {
    match text {
        "on" | "true" => Ok(true),
        "off" | "false" => Ok(false),
        other => Err(format!("'{other}' is neither on nor off")),
    }
}

#[derive(Debug, Clone, Subcommand)]
pub enum UserCommand {
    /// Create a user. The password is read from the first line of standard input with
    /// --password-stdin; otherwise a random one is generated and printed once.
    Create {
        #[arg(long)]
        username: String,
        /// admin, manager or staff.
        #[arg(long)]
        role: String,
        /// Limit a manager to this site (repeat for several).
        #[arg(long = "site")]
        sites: Vec<String>,
        #[arg(long)]
        password_stdin: bool,
        #[arg(long, default_value = "default")]
        tenant: String,
    },
}

#[derive(Debug, Clone, Subcommand)]
pub enum TokenCommand {
    /// Create an API token and print its secret once.
    Create {
        /// What the token is for, e.g. "inventory sync".
        #[arg(long)]
        name: String,
        /// admin, manager or staff.
        #[arg(long)]
        role: String,
        /// Limit a manager token to this site (repeat for several).
        #[arg(long = "site")]
        sites: Vec<String>,
        /// Expire after this many days; default: never.
        #[arg(long)]
        expires_in_days: Option<u32>,
        #[arg(long, default_value = "default")]
        tenant: String,
    },
    /// Revoke a token at once by its id (tok_…).
    Revoke {
        id: String,
        #[arg(long, default_value = "default")]
        tenant: String,
    },
}

impl Config {
    /// Why the public URL would send clients nowhere, if it would: links in Keystone's
    /// catalog, Nova's answers and Data Hub's discovery document are built on it, and an
    /// unspecified address (the default with `--addr 0.0.0.0:…`) is no address a client can
    /// reach.
    pub fn unroutable_public_url(&self) -> Option<String> {
        let url = self.public_url();
        let host = url
            .split_once("://")
            .map_or(url.as_str(), |(_, rest)| rest)
            .split('/')
            .next()
            .unwrap_or_default();
        let host = host
            .rsplit_once(':')
            .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
            .map_or(host, |(host, _)| host);
        let ip = host.trim_start_matches('[').trim_end_matches(']');
        let unspecified = ip
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_unspecified());
        unspecified.then(|| {
            format!(
                "the public URL is {url}, which no client can reach: the OpenStack catalog, \
                 Nova's links and Data Hub's token endpoint would send clients there. Start \
                 with --public-url (or SITEBOOK_PUBLIC_URL) set to the address clients use, \
                 such as http://sitebook.example.net:8080"
            )
        })
    }

    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.addr))
            .trim_end_matches('/')
            .to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_no_arguments_it_serves_locally_from_the_data_directory() {
        let config = Config::try_parse_from(["sitebook"]).unwrap();
        assert!(config.command.is_none());
        assert_eq!(config.addr, "127.0.0.1:3000".parse().unwrap());
        assert_eq!(config.storage.data_dir, PathBuf::from("data"));
        assert_eq!(config.storage.database_url, None);
        assert_eq!(config.public_url(), "http://127.0.0.1:3000");
        assert_eq!(config.max_metadata_keys, 256);
    }

    #[test]
    fn an_unspecified_listening_address_is_no_public_url_and_says_so() {
        let parse = |args: &[&str]| Config::try_parse_from(args).unwrap();
        for addr in ["0.0.0.0:8080", "[::]:8080"] {
            let config = parse(&["sitebook", "--addr", addr]);
            let warning = config.unroutable_public_url().expect("a warning");
            assert!(warning.contains("--public-url"), "{warning}");
        }
        for args in [
            &["sitebook"][..],
            &[
                "sitebook",
                "--addr",
                "0.0.0.0:8080",
                "--public-url",
                "http://host:8080",
            ],
            &["sitebook", "--addr", "10.1.2.3:80"],
        ] {
            assert_eq!(parse(args).unroutable_public_url(), None, "{args:?}");
        }
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
            "--public-url",
            "https://sitebook.example.net/",
        ])
        .unwrap();
        assert_eq!(config.addr.port(), 8080);
        assert_eq!(config.storage.data_dir, PathBuf::from("/srv/sitebook"));
        assert_eq!(
            config.storage.database_url.as_deref(),
            Some("sqlite:///tmp/x.db")
        );
        assert_eq!(config.public_url(), "https://sitebook.example.net");
    }

    #[test]
    fn commands_take_the_storage_flags_too() {
        let config = Config::try_parse_from([
            "sitebook",
            "token",
            "create",
            "--name",
            "sync",
            "--role",
            "manager",
            "--site",
            "site_a",
            "--site",
            "site_b",
            "--data-dir",
            "/srv/x",
        ])
        .unwrap();
        assert_eq!(config.storage.data_dir, PathBuf::from("/srv/x"));
        let Some(Command::Token(TokenCommand::Create { sites, role, .. })) = config.command else {
            panic!("not a token command");
        };
        assert_eq!(sites, ["site_a", "site_b"]);
        assert_eq!(role, "manager");
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
            "--public-url",
            "SITEBOOK_PUBLIC_URL",
            "--max-metadata-keys",
            "--trusted-proxy",
            "SITEBOOK_TRUSTED_PROXY",
            "--max-file-bytes",
            "user",
            "token",
        ] {
            assert!(help.contains(needle), "--help lacks {needle}:\n{help}");
        }
    }
}
