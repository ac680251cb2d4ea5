//! The mixture weights `alpha`: minimise `F(alpha) = sum_i a_i / (G alpha)_i` over the simplex
//! (with a small floor on every weight), by an active-set Newton method with backtracking.
//! `F` is convex, so the descent converges to the global minimum.

use super::kernels::{columns, newton_terms, recycle};

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
    super::kernels::mat_vec(&g[..mix.len() * j], alpha, mix);
    for (&ai, &m) in a.iter().zip(mix.iter()) {
        if ai > 0.0 {
            f += ai / m;
        }
    }
    f
}

/// `F` at `mix + t dmix` (the mixture values along a search direction), `inf` where a mixture
/// value would not be positive.
fn objective_along(a: &[f64], mix: &[f64], dmix: &[f64], t: f64) -> f64 {
    let mut f = 0.0;
    for ((&ai, &m), &dm) in a.iter().zip(mix).zip(dmix) {
        if ai > 0.0 {
            let v = m + t * dm;
            if v <= 0.0 {
                return f64::INFINITY;
            }
            f += ai / v;
        }
    }
    f
}

/// Solves `H x = b` for a symmetric positive-definite `H` (`p x p`, row-major) through its
/// Cholesky factor, with a small ridge raised until the factorisation succeeds.
fn spd_solve(h: &[f64], p: usize, rhs: &[&[f64]]) -> Option<Vec<Vec<f64>>> {
    let top = (0..p).map(|i| h[i * p + i]).fold(0.0f64, f64::max);
    if !(top > 0.0 && top.is_finite()) {
        return None;
    }
    let mut ridge = 1e-12 * top;
    for _ in 0..4 {
        let mut hr = h.to_vec();
        (0..p).for_each(|i| hr[i * p + i] += ridge);
        if let Some(l) = crate::linalg::cholesky(&hr, p) {
            let solve = |b: &[f64]| {
                let mut y = b.to_vec();
                for i in 0..p {
                    let s: f64 = (0..i).map(|k| l[i * p + k] * y[k]).sum();
                    y[i] = (y[i] - s) / l[i * p + i];
                }
                for i in (0..p).rev() {
                    let s: f64 = (i + 1..p).map(|k| l[k * p + i] * y[k]).sum();
                    y[i] = (y[i] - s) / l[i * p + i];
                }
                y
            };
            return Some(rhs.iter().map(|b| solve(b)).collect());
        }
        ridge *= 1e3;
    }
    None
}

/// Minimises `sum_i a_i / (G alpha)_i` (G is `n x J` row-major, `a >= 0`) over the simplex with
/// `alpha_j >= floor`, starting from `start`. Returns `start` (projected) when `a` is all zero.
///
/// An active-set Newton method: the weights at the floor are held there, the others take the
/// Newton step of `F` restricted to `sum alpha = 1` (the Hessian `2 sum_i a_i g_i g_i^T / m_i^3`
/// over the free weights only, `m = G alpha`), shortened so that no weight crosses the floor
/// (a weight that reaches it joins the held set) and backtracked until `F` decreases enough. A
/// held weight is released when its gradient shows that raising it lowers `F` (a negative KKT
/// multiplier). `F` is convex, so this converges to the global minimum, in a few steps.
pub fn minimize(g: &[f64], a: &[f64], start: &[f64], floor: f64) -> Vec<f64> {
    let j = start.len();
    let n = a.len();
    let mut x = project(start, floor);
    if j <= 1 || a.iter().all(|&v| v <= 0.0) {
        return x;
    }
    let mut mix = vec![0.0; n];
    let mut fx = objective(g, a, &x, &mut mix);
    if !fx.is_finite() {
        return x;
    }
    // G's columns, for the gradient and Hessian as long dot products over the samples.
    let gt = columns(&g[..n * j], j);
    let at_floor = |v: f64| v <= floor + 1e-12;
    let mut free: Vec<bool> = x.iter().map(|&v| !at_floor(v)).collect();
    let mut grad = vec![0.0; j];
    let mut dmix = vec![0.0; n];
    let mut trial_mix = vec![0.0; n];
    let mut idx: Vec<usize> = Vec::with_capacity(j);
    let mut h = vec![];
    let mut scratch = vec![0.0; j];
    let mut h_idx: Vec<usize> = Vec::with_capacity(j);
    for _ in 0..100 {
        // Gradient everywhere, and the multiplier of sum alpha = 1 from the free weights.
        // One pass for the gradient and the Hessian over the current free weights (computed
        // again below only if the free set changes).
        h_idx.clear();
        h_idx.extend((0..j).filter(|&q| free[q]));
        h.clear();
        h.resize(h_idx.len() * h_idx.len(), 0.0);
        newton_terms(&gt, a, &mix, &mut grad, &h_idx, Some(&mut h));
        let n_free = free.iter().filter(|&&f| f).count().max(1);
        let mu = -(0..j).filter(|&q| free[q]).map(|q| grad[q]).sum::<f64>() / n_free as f64;
        let tol = 1e-9 * mu.abs().max(1e-300);
        let mut released = false;
        for q in 0..j {
            if !free[q] && grad[q] + mu < -tol {
                free[q] = true;
                released = true;
            }
        }
        // The Newton step on the free weights; a released weight the step would push below
        // the floor is held again and the step recomputed.
        let step = loop {
            idx.clear();
            idx.extend((0..j).filter(|&q| free[q]));
            let p = idx.len();
            if p <= 1 {
                break None;
            }
            if idx != h_idx {
                h.clear();
                h.resize(p * p, 0.0);
                newton_terms(&gt, a, &mix, &mut scratch, &idx, Some(&mut h));
                h_idx.clone_from(&idx);
            }
            for r in 0..p {
                for c in 0..r {
                    h[r * p + c] = h[c * p + r];
                }
            }
            let gf: Vec<f64> = idx.iter().map(|&q| grad[q]).collect();
            let ones = vec![1.0; p];
            let Some(sol) = spd_solve(&h, p, &[&gf, &ones]) else {
                break None;
            };
            let (hg, h1) = (&sol[0], &sol[1]);
            let den: f64 = h1.iter().sum();
            if !(den > 0.0 && den.is_finite()) {
                break None;
            }
            let lambda = -hg.iter().sum::<f64>() / den;
            let d: Vec<f64> = hg.iter().zip(h1).map(|(a, b)| -(a + lambda * b)).collect();
            let blocked: Vec<usize> = idx
                .iter()
                .zip(&d)
                .filter(|&(&q, &dq)| dq < 0.0 && at_floor(x[q]))
                .map(|(&q, _)| q)
                .collect();
            if blocked.is_empty() {
                break Some(d);
            }
            blocked.iter().for_each(|&q| free[q] = false);
        };
        let Some(d) = step else {
            break;
        };
        let slope: f64 = idx.iter().zip(&d).map(|(&q, dq)| grad[q] * dq).sum();
        if slope >= 0.0 || slope.is_nan() || (-slope <= 1e-9 * fx && !released) {
            break;
        }
        // First the projected path: the full step (then halved) with every weight that would
        // cross the floor clipped to it and the others rescaled onto the simplex, so that many
        // weights can reach the floor at once.
        let mut moved = false;
        let mut ft = fx;
        let mut t = 1.0;
        for _ in 0..8 {
            let mut y = x.clone();
            idx.iter().zip(&d).for_each(|(&q, dq)| y[q] += t * dq);
            let y = project(&y, floor);
            let fy = objective(g, a, &y, &mut trial_mix);
            let lin: f64 = grad
                .iter()
                .zip(y.iter().zip(&x))
                .map(|(gq, (yq, xq))| gq * (yq - xq))
                .sum();
            if fy.is_finite() && lin < 0.0 && fy <= fx + 1e-4 * lin {
                for (q, &yq) in y.iter().enumerate() {
                    if at_floor(yq) {
                        free[q] = false;
                    }
                }
                x = y;
                std::mem::swap(&mut mix, &mut trial_mix);
                ft = fy;
                moved = true;
                break;
            }
            t *= 0.5;
        }
        // Else the longest step keeping every weight at or above the floor, backtracked.
        let mut t_max = f64::INFINITY;
        if !moved {
            let mut blocking = None;
            for (&q, &dq) in idx.iter().zip(&d) {
                if dq < 0.0 {
                    let t = (x[q] - floor) / -dq;
                    if t < t_max {
                        t_max = t;
                        blocking = Some(q);
                    }
                }
            }
            for (dm, row) in dmix.iter_mut().zip(g.chunks_exact(j)) {
                *dm = idx.iter().zip(&d).map(|(&q, dq)| row[q] * dq).sum();
            }
            t = t_max.min(1.0);
            let mut accepted = None;
            for _ in 0..40 {
                let f_t = objective_along(a, &mix, &dmix, t);
                if f_t.is_finite() && f_t <= fx + 1e-4 * t * slope {
                    accepted = Some(f_t);
                    break;
                }
                t *= 0.5;
            }
            let Some(f_t) = accepted else {
                break;
            };
            for (&q, &dq) in idx.iter().zip(&d) {
                x[q] = (x[q] + t * dq).max(floor);
            }
            if t >= t_max {
                if let Some(q) = blocking {
                    x[q] = floor;
                    free[q] = false;
                }
            }
            mix.iter_mut().zip(&dmix).for_each(|(m, dm)| *m += t * dm);
            ft = f_t;
        }
        let gain = fx - ft;
        fx = ft;
        if gain <= 1e-10 * fx && !released && t < t_max {
            break;
        }
    }
    recycle(gt);
    project(&x, floor)
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
    fn weights_at_the_floor_are_held_and_released() {
        // Three components, the third useless (its column only dilutes the mixture): the
        // optimum holds it at the floor. Started with all the mass on it, the method must
        // release the other two. Compared with a grid over the simplex.
        let g = [1.0, 0.3, 0.1, 0.2, 1.0, 0.1, 0.6, 0.6, 0.1, 0.9, 0.1, 0.1];
        let a = [1.0, 2.0, 0.5, 1.5];
        let alpha = minimize(&g, &a, &[0.0, 0.0, 1.0], 1e-10);
        assert!(alpha[2] < 1e-9, "{alpha:?}");
        let f = |x: &[f64]| {
            let mut m = [0.0; 4];
            objective(&g, &a, x, &mut m)
        };
        let mut best = f64::INFINITY;
        for i in 0..=1000 {
            for k in 0..=(1000 - i) {
                let x = [
                    i as f64 / 1000.0,
                    k as f64 / 1000.0,
                    (1000 - i - k) as f64 / 1000.0,
                ];
                if x.iter().all(|&v| v > 0.0) {
                    best = best.min(f(&x));
                }
            }
        }
        assert!(f(&alpha) <= best + 1e-9, "{} vs grid {best}", f(&alpha));
        assert!((alpha.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn larger_problem_meets_the_kkt_conditions() {
        // 400 samples, 30 components with seeded pseudo-random positive G and a: at the
        // returned point every free weight has the same gradient -mu, and no held weight could
        // lower F by taking mass (gradient + mu >= 0).
        use rand::{Rng, SeedableRng};
        let mut rng = rand_pcg::Pcg64::seed_from_u64(3);
        let (n, j) = (400, 30);
        let g: Vec<f64> = (0..n * j).map(|_| rng.random::<f64>().powi(4)).collect();
        let a: Vec<f64> = (0..n).map(|_| rng.random::<f64>()).collect();
        let alpha = minimize(&g, &a, &vec![1.0 / j as f64; j], 1e-10);
        assert!((alpha.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        let mut mix = vec![0.0; n];
        objective(&g, &a, &alpha, &mut mix);
        let mut grad = vec![0.0; j];
        for ((row, &ai), &m) in g.chunks_exact(j).zip(&a).zip(&mix) {
            grad.iter_mut()
                .zip(row)
                .for_each(|(gr, r)| *gr -= ai / (m * m) * r);
        }
        let free: Vec<usize> = (0..j).filter(|&q| alpha[q] > 1e-8).collect();
        assert!(!free.is_empty() && free.len() < j, "{alpha:?}");
        let mu = -free.iter().map(|&q| grad[q]).sum::<f64>() / free.len() as f64;
        for (q, &gq) in grad.iter().enumerate() {
            if free.contains(&q) {
                assert!((gq + mu).abs() < 1e-4 * mu.abs(), "{q}: {gq} vs {}", -mu);
            } else {
                assert!(gq + mu > -1e-6 * mu.abs(), "{q}: {gq} vs {}", -mu);
            }
        }
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
