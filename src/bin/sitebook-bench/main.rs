//! Helpers for `scripts/bench`: seeding a catalogue through the core, a bare axum server to
//! compare the API against, and in-process search timing. Figures, not tests: nothing here
//! passes or fails on a timing.

mod bare;
mod page;
mod search;
mod seed;

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "sitebook-bench", about = "Benchmark helpers for scripts/bench")]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Seed a data directory: tags, then resources with metadata and tag values, in batches.
    Seed {
        #[arg(long)]
        data_dir: PathBuf,
        /// How many resources (sites) in all.
        #[arg(long)]
        resources: usize,
        /// How many of them get the full shape (10 keys, 3 tags); the rest get 3 keys, 1 tag.
        #[arg(long, default_value_t = 10_000)]
        full: usize,
    },
    /// Serve one stored record's JSON from a bare axum handler, for the ratio.
    Bare {
        #[arg(long)]
        data_dir: PathBuf,
        #[arg(long)]
        addr: SocketAddr,
    },
    /// Load one seeded site with 200 keys, 50 tags and 500 files, and sign a staff user in.
    Page {
        #[arg(long)]
        data_dir: PathBuf,
    },
    /// Time a search in-process over the store.
    Search {
        #[arg(long)]
        data_dir: PathBuf,
        #[arg(long)]
        query: String,
        #[arg(long, default_value_t = 30)]
        runs: usize,
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    match Args::parse().command {
        Command::Seed {
            data_dir,
            resources,
            full,
        } => seed::run(&data_dir, resources, full).await,
        Command::Bare { data_dir, addr } => bare::run(&data_dir, addr).await,
        Command::Page { data_dir } => page::run(&data_dir).await,
        Command::Search {
            data_dir,
            query,
            runs,
            limit,
        } => search::run(&data_dir, &query, runs, limit).await,
    }
}

/// The store in a data directory, as the server opens it.
async fn open(
    data_dir: &std::path::Path,
) -> Result<sitebook::store::Store, Box<dyn std::error::Error>> {
    std::fs::create_dir_all(data_dir)?;
    Ok(sitebook::store::Store::open_file(&data_dir.join("sitebook.db")).await?)
}

/// The id of the nth seeded resource (1-based), as the load scripts compute it too.
pub fn resource_id(n: usize) -> String {
    format!("bench-{n:07}")
}
