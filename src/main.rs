use clap::Parser;
use sitebook::server::{Config, startup};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let config = Config::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("sitebook=info,tower_http=warn")),
        )
        .init();
    match startup::serve(config).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            eprintln!("sitebook: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
