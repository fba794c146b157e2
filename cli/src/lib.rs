//! The `einf` command line, as a library so that its behaviour can be tested in process.
