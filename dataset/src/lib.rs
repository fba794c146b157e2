//! einf dataset: measured kernel and model costs per device (issue 4; nothing here yet).
