//! The mixture weights `alpha`: minimise `F(alpha) = sum_i a_i / (G alpha)_i` over the simplex
//! (with a small floor on every weight), by projected gradient descent with backtracking.
//! `F` is convex, so the descent converges to the global minimum.

/// Euclidean projection of `v` onto `{x : x_j >= floor, sum x = 1}`.
pub fn project(v: &[f64], floor: f64) -> Vec<f64> {
    let j = v.len();
    let mass = 1.0 - floor * j as f64;
    // Project v - floor onto the simplex of total `mass` (sort-based algorithm).
    let mut s: Vec<f64> = v.iter().map(|x| x - floor).collect();
    s.sort_by(|a, b| b.total_cmp(a));
    let mut acc = 0.0;
    let mut theta = 0.0;
    for (k, &x) in s.iter().enumerate() {
        acc += x;
        let t = (acc - mass) / (k + 1) as f64;
        if x - t > 0.0 {
            theta = t;
        }
    }
    v.iter()
        .map(|x| (x - floor - theta).max(0.0) + floor)
        .collect()
}

fn objective(g: &[f64], a: &[f64], alpha: &[f64], mix: &mut [f64]) -> f64 {
    let j = alpha.len();
    let mut f = 0.0;
    for ((row, &ai), m) in g.chunks_exact(j).zip(a).zip(mix.iter_mut()) {
        *m = row.iter().zip(alpha).map(|(x, w)| x * w).sum();
        if ai > 0.0 {
            f += ai / *m;
        }
    }
    f
}

/// Minimises `sum_i a_i / (G alpha)_i` (G is `n x J` row-major, `a >= 0`) over the simplex with
/// `alpha_j >= floor`, starting from `start`. Returns `start` (projected) when `a` is all zero.
///
/// Each iteration first tries the multiplicative step `alpha_j <- alpha_j sqrt(c_j / F)`, with
/// `c_j = -dF/dalpha_j`: at the optimum `c_j = F` on the support (KKT, since
/// `sum_j alpha_j c_j = F`), and for `G = I` the step lands on the optimum at once. When it does
/// not decrease `F`, a projected-gradient step with backtracking does.
pub fn minimize(g: &[f64], a: &[f64], start: &[f64], floor: f64) -> Vec<f64> {
    let j = start.len();
    let n = a.len();
    let mut x = project(start, floor);
    if j <= 1 || a.iter().all(|&v| v <= 0.0) {
        return x;
    }
    let mut mix = vec![0.0; n];
    let mut trial_mix = vec![0.0; n];
    let mut fx = objective(g, a, &x, &mut mix);
    let mut grad = vec![0.0; j];
    let mut step = 0.0;
    for _ in 0..200 {
        grad.iter_mut().for_each(|v| *v = 0.0);
        for ((row, &ai), &m) in g.chunks_exact(j).zip(a).zip(&mix) {
            if ai > 0.0 {
                let c = ai / (m * m);
                grad.iter_mut().zip(row).for_each(|(gr, r)| *gr -= c * r);
            }
        }
        let old = fx;
        // Multiplicative step.
        let mut y: Vec<f64> = x
            .iter()
            .zip(&grad)
            .map(|(xi, gi)| xi * (-gi / fx).max(0.0).sqrt())
            .collect();
        let total: f64 = y.iter().sum();
        let mut accepted = false;
        if total > 0.0 && total.is_finite() {
            y.iter_mut().for_each(|v| *v /= total);
            let y = project(&y, floor);
            let fy = objective(g, a, &y, &mut trial_mix);
            if fy.is_finite() && fy < fx {
                x = y;
                std::mem::swap(&mut mix, &mut trial_mix);
                fx = fy;
                accepted = true;
            }
        }
        if !accepted {
            if step == 0.0 {
                let gmax = grad.iter().fold(0.0f64, |m, v| m.max(v.abs()));
                if gmax == 0.0 || !gmax.is_finite() {
                    break;
                }
                step = 1.0 / gmax;
            }
            for _ in 0..60 {
                let trial: Vec<f64> = x.iter().zip(&grad).map(|(xi, gi)| xi - step * gi).collect();
                let y = project(&trial, floor);
                let fy = objective(g, a, &y, &mut trial_mix);
                let lin: f64 = grad
                    .iter()
                    .zip(y.iter().zip(&x))
                    .map(|(gi, (yi, xi))| gi * (yi - xi))
                    .sum();
                let sq: f64 = y.iter().zip(&x).map(|(yi, xi)| (yi - xi) * (yi - xi)).sum();
                if fy.is_finite() && fy <= fx + lin + sq / (2.0 * step) {
                    x = y;
                    std::mem::swap(&mut mix, &mut trial_mix);
                    fx = fy;
                    accepted = true;
                    step *= 2.0;
                    break;
                }
                step *= 0.5;
            }
        }
        // The weights need not be exact (the variance is flat near its minimum): stop once a
        // step gains less than 1e-6 of the objective.
        if !accepted || old - fx <= 1e-6 * old.abs() {
            break;
        }
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projection_by_hand() {
        let p = project(&[0.5, 0.5, 0.5], 0.0);
        assert!(p.iter().all(|v| (v - 1.0 / 3.0).abs() < 1e-15));
        let p = project(&[2.0, 0.0], 0.0);
        assert_eq!(p, vec![1.0, 0.0]);
        let p = project(&[2.0, 0.0], 0.1);
        assert!((p[0] - 0.9).abs() < 1e-15 && (p[1] - 0.1).abs() < 1e-15);
    }

    #[test]
    fn coupled_case_matches_a_fine_grid() {
        // Two components overlapping on three samples: compare with a grid search.
        let g = [1.0, 0.2, 0.5, 0.5, 0.1, 1.0];
        let a = [2.0, 1.0, 3.0];
        let alpha = minimize(&g, &a, &[0.5, 0.5], 1e-12);
        let f = |t: f64| {
            let mut m = [0.0; 3];
            objective(&g, &a, &[t, 1.0 - t], &mut m)
        };
        let best = (1..10_000)
            .map(|i| i as f64 / 10_000.0)
            .min_by(|x, y| f(*x).total_cmp(&f(*y)))
            .unwrap();
        assert!((alpha[0] - best).abs() < 2e-3, "{alpha:?} vs {best}");
    }

    #[test]
    fn minimum_of_separable_case_is_proportional_to_square_roots() {
        // G = I: F = 1/alpha_1 + 4/alpha_2 + 9/alpha_3, minimum at alpha = (1, 2, 3) / 6.
        let g = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0];
        let alpha = minimize(&g, &[1.0, 4.0, 9.0], &[1.0 / 3.0; 3], 1e-12);
        for (a, e) in alpha.iter().zip([1.0 / 6.0, 2.0 / 6.0, 3.0 / 6.0]) {
            assert!((a - e).abs() < 1e-4, "{alpha:?}");
        }
    }
}
