//! Small dense linear algebra on row-major `Vec<f64>` square matrices: the few operations the
//! contextual bandits need (dimensions of tens), written out so that the core stays BLAS-free.

/// `y = A x` for a square row-major `A` of dimension `d`.
pub fn mat_vec(a: &[f64], x: &[f64], d: usize, y: &mut [f64]) {
    for (i, yi) in y.iter_mut().enumerate().take(d) {
        let row = &a[i * d..(i + 1) * d];
        *yi = row.iter().zip(x).map(|(r, v)| r * v).sum();
    }
}

/// `x^T A x` for a square row-major `A`.
pub fn quad_form(a: &[f64], x: &[f64], d: usize) -> f64 {
    let mut total = 0.0;
    for i in 0..d {
        let row = &a[i * d..(i + 1) * d];
        let ri: f64 = row.iter().zip(x).map(|(r, v)| r * v).sum();
        total += x[i] * ri;
    }
    total
}

pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Embeds a `d_old`-square matrix into a `d_new`-square one whose new diagonal is `diag`.
pub fn grow_square(a: &[f64], d_old: usize, d_new: usize, diag: f64) -> Vec<f64> {
    let mut out = vec![0.0; d_new * d_new];
    for i in 0..d_old {
        out[i * d_new..i * d_new + d_old].copy_from_slice(&a[i * d_old..(i + 1) * d_old]);
    }
    for i in d_old..d_new {
        out[i * d_new + i] = diag;
    }
    out
}

/// Sherman-Morrison rank-one update in place: `A <- A - (A u)(v^T A) / (1 + v^T A u)`, which
/// turns `A = M^-1` into `(M + u v^T)^-1`.
pub fn sherman_morrison(a: &mut [f64], u: &[f64], v: &[f64], d: usize) {
    let mut au = vec![0.0; d];
    mat_vec(a, u, d, &mut au);
    let mut va = vec![0.0; d];
    for i in 0..d {
        let vi = v[i];
        if vi != 0.0 {
            for (j, vaj) in va.iter_mut().enumerate() {
                *vaj += vi * a[i * d + j];
            }
        }
    }
    let denom = 1.0 + dot(v, &au);
    for i in 0..d {
        let s = au[i] / denom;
        if s != 0.0 {
            for j in 0..d {
                a[i * d + j] -= s * va[j];
            }
        }
    }
}

/// Lower Cholesky factor `L` (row-major) of a symmetric positive-definite matrix, with a tiny
/// diagonal jitter added where rounding has made a pivot non-positive. Returns `None` when the
/// matrix is far from positive definite.
pub fn cholesky(a: &[f64], d: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; d * d];
    for i in 0..d {
        for j in 0..=i {
            let mut s = a[i * d + j];
            for k in 0..j {
                s -= l[i * d + k] * l[j * d + k];
            }
            if i == j {
                let scale = a[i * d + i].abs().max(1e-300);
                if s <= 0.0 {
                    if s < -1e-8 * scale {
                        return None;
                    }
                    s = 1e-12 * scale;
                }
                l[i * d + i] = s.sqrt();
            } else {
                l[i * d + j] = s / l[j * d + j];
            }
        }
    }
    Some(l)
}

/// Inverse of a symmetric positive-definite matrix through its Cholesky factor.
pub fn spd_inverse(a: &[f64], d: usize) -> Option<Vec<f64>> {
    let l = cholesky(a, d)?;
    let mut inv = vec![0.0; d * d];
    let mut col = vec![0.0; d];
    let mut y = vec![0.0; d];
    for c in 0..d {
        col.iter_mut().for_each(|v| *v = 0.0);
        col[c] = 1.0;
        // Forward substitution L y = e_c, then back substitution L^T x = y.
        for i in 0..d {
            let mut s = col[i];
            for k in 0..i {
                s -= l[i * d + k] * y[k];
            }
            y[i] = s / l[i * d + i];
        }
        for i in (0..d).rev() {
            let mut s = y[i];
            for k in i + 1..d {
                s -= l[k * d + i] * col[k];
            }
            col[i] = s / l[i * d + i];
        }
        for r in 0..d {
            inv[r * d + c] = col[r];
        }
    }
    Some(inv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sherman_morrison_matches_direct_inverse() {
        // M = [[2, 0], [0, 4]], u = v = [1, 1]: M + uu^T = [[3, 1], [1, 5]], inverse 1/14 [[5, -1], [-1, 3]].
        let mut a = vec![0.5, 0.0, 0.0, 0.25];
        sherman_morrison(&mut a, &[1.0, 1.0], &[1.0, 1.0], 2);
        let expected = [5.0 / 14.0, -1.0 / 14.0, -1.0 / 14.0, 3.0 / 14.0];
        for (x, e) in a.iter().zip(expected) {
            assert!((x - e).abs() < 1e-15);
        }
    }

    #[test]
    fn cholesky_and_inverse_of_small_spd_matrix() {
        let a = [4.0, 2.0, 2.0, 3.0];
        let l = cholesky(&a, 2).unwrap();
        assert_eq!(l, vec![2.0, 0.0, 1.0, 2.0_f64.sqrt()]);
        let inv = spd_inverse(&a, 2).unwrap();
        let expected = [3.0 / 8.0, -2.0 / 8.0, -2.0 / 8.0, 4.0 / 8.0];
        for (x, e) in inv.iter().zip(expected) {
            assert!((x - e).abs() < 1e-15);
        }
        assert!(cholesky(&[1.0, 2.0, 2.0, 1.0], 2).is_none());
    }

    #[test]
    fn grow_keeps_block_and_sets_new_diagonal() {
        let g = grow_square(&[1.0, 2.0, 3.0, 4.0], 2, 3, 9.0);
        assert_eq!(g, vec![1.0, 2.0, 0.0, 3.0, 4.0, 0.0, 0.0, 0.0, 9.0]);
    }
}
