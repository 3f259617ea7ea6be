//! Assembly: configuration, start-up and the CLI commands. Compiled only with `ssr`. Nothing
//! here holds a rule or is imported by a face: the faces stand on `web` and `core`.

pub mod commands;
pub mod compressible;
pub mod config;
pub mod housekeeping;
pub mod startup;

pub use config::Config;
