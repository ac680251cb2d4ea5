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
pub fn minimize(g: &[f64], a: &[f64], start: &[f64], floor: f64) -> Vec<f64> {
    let j = start.len();
    let n = a.len();
    let mut x = project(start, floor);
    if j <= 1 || a.iter().all(|&v| v <= 0.0) {
        return x;
    }
    let mut mix = vec![0.0; n];
    let mut fx = objective(g, a, &x, &mut mix);
    let mut grad = vec![0.0; j];
    let mut step = 0.0;
    for _ in 0..500 {
        grad.iter_mut().for_each(|v| *v = 0.0);
        for ((row, &ai), &m) in g.chunks_exact(j).zip(a).zip(&mix) {
            if ai > 0.0 {
                let c = ai / (m * m);
                grad.iter_mut().zip(row).for_each(|(gr, r)| *gr -= c * r);
            }
        }
        if step == 0.0 {
            let gmax = grad.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            if gmax == 0.0 || !gmax.is_finite() {
                break;
            }
            step = 1.0 / gmax;
        }
        let mut accepted = false;
        let mut moved = 0.0;
        for _ in 0..60 {
            let trial: Vec<f64> = x.iter().zip(&grad).map(|(xi, gi)| xi - step * gi).collect();
            let y = project(&trial, floor);
            let mut trial_mix = vec![0.0; n];
            let fy = objective(g, a, &y, &mut trial_mix);
            let lin: f64 = grad
                .iter()
                .zip(y.iter().zip(&x))
                .map(|(gi, (yi, xi))| gi * (yi - xi))
                .sum();
            let sq: f64 = y.iter().zip(&x).map(|(yi, xi)| (yi - xi) * (yi - xi)).sum();
            if fy.is_finite() && fy <= fx + lin + sq / (2.0 * step) {
                moved = y
                    .iter()
                    .zip(&x)
                    .fold(0.0f64, |m, (yi, xi)| m.max((yi - xi).abs()));
                let improvement = fx - fy;
                x = y;
                mix = trial_mix;
                let old = fx;
                fx = fy;
                accepted = true;
                step *= 2.0;
                // The weights need not be exact: stop once a step gains less than 1e-9.
                if improvement <= 1e-9 * old.abs() {
                    moved = 0.0;
                }
                break;
            }
            step *= 0.5;
        }
        if !accepted || moved < 1e-11 {
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
    fn minimum_of_separable_case_is_proportional_to_square_roots() {
        // G = I: F = 1/alpha_1 + 4/alpha_2 + 9/alpha_3, minimum at alpha = (1, 2, 3) / 6.
        let g = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0];
        let alpha = minimize(&g, &[1.0, 4.0, 9.0], &[1.0 / 3.0; 3], 1e-12);
        for (a, e) in alpha.iter().zip([1.0 / 6.0, 2.0 / 6.0, 3.0 / 6.0]) {
            assert!((a - e).abs() < 1e-4, "{alpha:?}");
        }
    }
}
