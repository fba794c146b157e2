//! End-to-end tests of the `einf` binary live in `tests/tests/`; this library is empty.
