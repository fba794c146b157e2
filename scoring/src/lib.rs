//! einf scoring: efficiency metrics from inference energy (issue 6; nothing here yet).
