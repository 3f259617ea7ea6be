use clap::Parser;
use sitebook::server::config::Command;
use sitebook::server::{Config, commands, startup};
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
    let store = startup::open_store(&config).await?;
    let output = match command {
        Command::User(command) => commands::user(&store, command).await,
        Command::Token(command) => commands::token(&store, command).await,
        Command::Settings(command) => commands::settings(&store, command).await,
    };
    store.close().await;
    println!("{}", output?);
    Ok(())
}
