use std::path::Path;
use std::time::Instant;

use sitebook::core::access::Actor;
use sitebook::core::search::parse;
use sitebook::core::tenancy::TenantId;

/// Runs the first page of a search `runs` times and prints the spread of its latency.
pub async fn run(
    data_dir: &Path,
    query: &str,
    runs: usize,
    limit: u32,
) -> Result<(), Box<dyn std::error::Error>> {
    let store = super::open(data_dir).await?;
    let actor = Actor::operator(TenantId::default_tenant());
    let parsed = parse(query)?;
    let mut times = Vec::with_capacity(runs);
    let mut found = 0;
    for _ in 0..runs {
        let started = Instant::now();
        found = match store.search(&actor, parsed.as_ref(), 0, limit).await {
            Ok(found) => found.len(),
            // A refusal (the search deadline) is a figure too: how long until it came.
            Err(sitebook::core::CoreError::Invalid(rule)) => {
                println!(
                    "SEARCH query={query:?} refused={} after_ms={:.2}",
                    rule.code(),
                    started.elapsed().as_secs_f64() * 1000.0
                );
                store.close().await;
                return Ok(());
            }
            Err(e) => return Err(e.into()),
        };
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    println!(
        "SEARCH query={query:?} results={found} runs={runs} min_ms={:.2} median_ms={:.2} p95_ms={:.2} max_ms={:.2}",
        at(0.0),
        at(0.5),
        at(0.95),
        at(1.0)
    );
    store.close().await;
    Ok(())
}
