// `sqlx::migrate!` embeds the migrations when the crate compiles, and Cargo does not know the
// macro reads that folder: without this, a new migration alone would not be compiled in.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
