//! SYNTHETIC kernel configurations shared by the store tests (`tests/store.rs`) and the import
//! benchmark (`benches/import.rs`), which both include this file by `#[path]`: made up in code,
//! never measured.

use einf_parser::kernel::KernelConfig;

/// A made-up 3×3 convolution of `cin` → `cout` channels on a `side`×`side` input: stride 1,
/// padding 1 on every side (the output keeps the input's size), batch 1, f32.
pub fn conv3x3(side: u64, cin: u64, cout: u64) -> KernelConfig {
    KernelConfig {
        input_h: side,
        input_w: side,
        output_h: side,
        output_w: side,
        cin,
        cout,
        kernel_h: 3,
        kernel_w: 3,
        pads: [1, 1, 1, 1],
        ..KernelConfig::neutral()
    }
}
