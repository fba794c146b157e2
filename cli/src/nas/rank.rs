//! Rank statistics and Pareto fronts for `einf nas`.

/// Kendall's τ-b between `x` and `y` (pairs where either is NaN are left out): concordant minus
/// discordant pairs over the square root of the pairs not tied in x times those not tied in y.
/// `None` with fewer than two pairs or when one side is constant.
pub fn kendall_tau_b(x: &[f64], y: &[f64]) -> Option<f64> {
    let pairs: Vec<(f64, f64)> =
        x.iter().zip(y).filter(|(a, b)| !a.is_nan() && !b.is_nan()).map(|(&a, &b)| (a, b)).collect();
    let n = pairs.len();
    if n < 2 {
        return None;
    }
    let (mut concordant, mut discordant, mut tied_x, mut tied_y) = (0i64, 0i64, 0i64, 0i64);
    for i in 0..n {
        let (xi, yi) = pairs[i];
        for &(xj, yj) in &pairs[i + 1..] {
            let dx = xi.total_cmp(&xj) as i8;
            let dy = yi.total_cmp(&yj) as i8;
            match (dx, dy) {
                (0, 0) => {
                    tied_x += 1;
                    tied_y += 1;
                }
                (0, _) => tied_x += 1,
                (_, 0) => tied_y += 1,
                _ if dx == dy => concordant += 1,
                _ => discordant += 1,
            }
        }
    }
    let total = (n as i64) * (n as i64 - 1) / 2;
    let denom = (((total - tied_x) as f64) * ((total - tied_y) as f64)).sqrt();
    (denom > 0.0).then(|| (concordant - discordant) as f64 / denom)
}

/// Indices of the points on the Pareto front when `x` is minimised and `y` is maximised
/// (`maximise_y`) or minimised, sorted by x. Points with a NaN coordinate are left out.
pub fn pareto_front(points: &[(f64, f64)], maximise_y: bool) -> Vec<usize> {
    let sign = if maximise_y { -1.0 } else { 1.0 };
    let mut idx: Vec<usize> =
        (0..points.len()).filter(|&i| !points[i].0.is_nan() && !points[i].1.is_nan()).collect();
    // By x, then by the better y first: a point is on the front when its y beats every y before.
    idx.sort_by(|&a, &b| {
        points[a].0.total_cmp(&points[b].0).then((sign * points[a].1).total_cmp(&(sign * points[b].1)))
    });
    let mut front = Vec::new();
    let mut best = f64::INFINITY;
    for i in idx {
        let y = sign * points[i].1;
        if y < best {
            best = y;
            front.push(i);
        }
    }
    front
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tau_b_of_known_rankings() {
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(kendall_tau_b(&x, &[10.0, 20.0, 30.0, 40.0, 50.0]), Some(1.0));
        assert_eq!(kendall_tau_b(&x, &[5.0, 4.0, 3.0, 2.0, 1.0]), Some(-1.0));
        // One swapped pair of 10: (10 - 2·1)/10.
        let t = kendall_tau_b(&[1.0, 2.0, 3.0, 4.0, 5.0], &[1.0, 2.0, 3.0, 5.0, 4.0]).unwrap();
        assert!((t - 0.8).abs() < 1e-12);
        // Ties (synthetic): scipy.stats.kendalltau([1,2,2,3],[1,2,3,3]) = 0.8.
        let t = kendall_tau_b(&[1.0, 2.0, 2.0, 3.0], &[1.0, 2.0, 3.0, 3.0]).unwrap();
        assert!((t - 0.8).abs() < 1e-12, "{t}");
        assert_eq!(kendall_tau_b(&[1.0, 1.0], &[1.0, 2.0]), None);
        assert_eq!(kendall_tau_b(&[1.0, f64::NAN, 2.0], &[1.0, 5.0, 2.0]), Some(1.0));
    }

    #[test]
    fn pareto_front_keeps_non_dominated_points() {
        // (cost, accuracy): (1, 0.5) (2, 0.4 dominated) (2, 0.7) (3, 0.7 dominated) (4, 0.9).
        let p = [(1.0, 0.5), (2.0, 0.4), (2.0, 0.7), (3.0, 0.7), (4.0, 0.9), (0.5, f64::NAN)];
        assert_eq!(pareto_front(&p, true), vec![0, 2, 4]);
        // Both minimised: (1, 0.5) then (0.5 is NaN) nothing lower than 0.4 at x = 2.
        assert_eq!(pareto_front(&p, false), vec![0, 1]);
    }
}
