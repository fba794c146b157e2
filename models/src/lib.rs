//! einf models: reference architectures and search spaces (issue 7; nothing here yet).
