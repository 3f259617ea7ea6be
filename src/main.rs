use clap::Parser;
use sitebook::core::CoreError;
use sitebook::server::config::Command;
use sitebook::server::{Config, commands, startup};
use sitebook::store::Store;
use tracing_subscriber::EnvFilter;

// The page renderer's many small allocations are cheaper with mimalloc (docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let config = Config::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("sitebook=info,tower_http=warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(config).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sitebook: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(config: Config) -> Result<(), Box<dyn std::error::Error>> {
    let Some(command) = config.command.clone() else {
        return startup::serve(config).await;
    };
    let output = match command {
        Command::User(command) => {
            with_store(&config, async |store| commands::user(store, command).await).await?
        }
        Command::Token(command) => {
            with_store(&config, async |store| commands::token(store, command).await).await?
        }
        Command::Settings(command) => {
            with_store(&config, async |store| {
                commands::settings(store, command).await
            })
            .await?
        }
        // These work on the files, not through a store: a restore's server is stopped.
        Command::Backup { to } => commands::backup(&config.storage, to).await?,
        Command::Restore { from, replace } => {
            commands::restore(&config.storage, from, replace).await?
        }
    };
    println!("{output}");
    Ok(())
}

async fn with_store(
    config: &Config,
    command: impl AsyncFnOnce(&Store) -> Result<String, CoreError>,
) -> Result<String, Box<dyn std::error::Error>> {
    let store = startup::open_store(config).await?;
    let output = command(&store).await;
    store.close().await;
    Ok(output?)
}
