//! einf predictor: per-device kernel regressors (issue 5; nothing here yet).
