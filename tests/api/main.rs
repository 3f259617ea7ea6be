//! The `/api/v1` REST API over the real router and a temporary SQLite file, driven the way
//! scripts drive it, with the Altostrat seeds' example bodies. One binary, one link.

#[path = "../support/mod.rs"]
mod support;

mod change_sets;
mod datahub;
mod documents;
mod faces;
mod files;
mod health;
mod imports;
mod keystone;
mod limits;
mod metadata;
mod nova;
mod nova_aggregates;
mod search;
mod sites;
mod tags;
