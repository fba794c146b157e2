//! `einf`: predict the energy of a neural network on an edge device.
fn main() -> std::process::ExitCode {
    einf_cli::main()
}
