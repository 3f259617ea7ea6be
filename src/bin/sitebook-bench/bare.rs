use std::net::SocketAddr;
use std::path::Path;

use axum::Router;
use axum::http::header;
use axum::routing::get;
use sitebook::core::access::Actor;
use sitebook::core::resources::ResourceId;
use sitebook::core::tenancy::TenantId;

/// A bare axum handler returning the same JSON the API returns for a seeded resource: no
/// authentication, no database, no middleware. The API's speed is reported against it.
pub async fn run(data_dir: &Path, addr: SocketAddr) -> Result<(), Box<dyn std::error::Error>> {
    let store = super::open(data_dir).await?;
    let record = store
        .read_metadata(
            &Actor::operator(TenantId::default_tenant()),
            &ResourceId::from_path(super::resource_id(1)),
        )
        .await?;
    store.close().await;
    let body = serde_json::to_vec(&serde_json::json!({
        "resource_id": record.resource.id,
        "type": record.resource.kind,
        "metadata": record.metadata().to_json(),
    }))?;
    let app = Router::new().route(
        "/api/v1/metadata/{id}",
        get(move || {
            let body = body.clone();
            async move { ([(header::CONTENT_TYPE, "application/json")], body) }
        }),
    );
    let listener = tokio::net::TcpListener::bind(addr).await?;
    axum::serve(listener, app).await?;
    Ok(())
}
