//! `einf`: predict the energy of a neural network on an edge device.

// Parsing allocates many small strings and vectors; mimalloc makes that markedly cheaper than
// the system allocator (parser/benches/parse.rs measures with it too).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
fn main() -> std::process::ExitCode {
    einf_cli::main()
}
