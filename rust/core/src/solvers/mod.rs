//! Iterative linear solvers whose parameters a bandit can tune across a sequence of systems
//! (Khodak et al. 2024, "Learning to Relax"): SOR and symmetric SOR on CSR matrices, with the
//! iteration count as the cost, and the paper's kind of instances (implicit heat steps on a
//! grid with a time-varying diffusion coefficient).

use crate::error::{param, value, Error, Result};

/// A square sparse matrix in compressed sparse row form (scipy's CSR layout).
#[derive(Debug, Clone, PartialEq)]
pub struct Csr {
    pub n: usize,
    pub indptr: Vec<usize>,
    pub indices: Vec<usize>,
    pub data: Vec<f64>,
    /// Position of each row's diagonal entry in `data`.
    diag: Vec<usize>,
}

impl Csr {
    /// Checks the layout and that every diagonal entry is present, finite and non-zero.
    pub fn new(
        n_rows: usize,
        n_cols: usize,
        indptr: Vec<usize>,
        indices: Vec<usize>,
        data: Vec<f64>,
    ) -> Result<Self> {
        if n_rows != n_cols {
            return Err(value("A", format!("must be square, got {n_rows}x{n_cols}")));
        }
        let n = n_rows;
        if indptr.len() != n + 1
            || indptr[0] != 0
            || indptr[n] != indices.len()
            || indices.len() != data.len()
        {
            return Err(value("A", "has an inconsistent CSR layout"));
        }
        if indptr.windows(2).any(|w| w[0] > w[1]) || indices.iter().any(|&j| j >= n) {
            return Err(value("A", "has an inconsistent CSR layout"));
        }
        if let Some(v) = data.iter().find(|v| !v.is_finite()) {
            return Err(value("A", format!("entries must be finite, got {v}")));
        }
        let mut diag = Vec::with_capacity(n);
        for i in 0..n {
            let pos = (indptr[i]..indptr[i + 1]).find(|&k| indices[k] == i && data[k] != 0.0);
            match pos {
                Some(k) => diag.push(k),
                None => return Err(value("A", format!("has a zero diagonal entry in row {i}"))),
            }
        }
        Ok(Csr {
            n,
            indptr,
            indices,
            data,
            diag,
        })
    }

    /// `out = A x`.
    pub fn matvec(&self, x: &[f64], out: &mut [f64]) {
        for (i, o) in out.iter_mut().enumerate() {
            let mut s = 0.0;
            for k in self.indptr[i]..self.indptr[i + 1] {
                s += self.data[k] * x[self.indices[k]];
            }
            *o = s;
        }
    }

    fn relax_row(&self, i: usize, omega: f64, b: &[f64], x: &mut [f64]) {
        let mut sigma = 0.0;
        for k in self.indptr[i]..self.indptr[i + 1] {
            let j = self.indices[k];
            if j != i {
                sigma += self.data[k] * x[j];
            }
        }
        let a_ii = self.data[self.diag[i]];
        x[i] = (1.0 - omega) * x[i] + omega * (b[i] - sigma) / a_ii;
    }
}

/// How a solve ended.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SolveReport {
    /// Sweeps performed (a symmetric sweep counts once).
    pub iterations: usize,
    /// Final relative residual ||b - A x|| / ||b||.
    pub residual: f64,
    pub converged: bool,
}

/// SOR (or symmetric SOR) from the initial guess in `x`, until the relative residual is at
/// most `tol` or `max_iter` sweeps are done; `x` ends as the last iterate.
pub fn sor(
    a: &Csr,
    b: &[f64],
    x: &mut [f64],
    omega: f64,
    tol: f64,
    max_iter: usize,
    symmetric: bool,
) -> Result<SolveReport> {
    if !(omega.is_finite() && omega > 0.0 && omega < 2.0) {
        return Err(param("omega", format!("must be in (0, 2), got {omega}")));
    }
    if !(tol.is_finite() && tol > 0.0) {
        return Err(param("tol", format!("must be finite and > 0, got {tol}")));
    }
    for (name, len) in [("b", b.len()), ("x0", x.len())] {
        if len != a.n {
            return Err(Error::Dimension {
                name,
                expected: a.n,
                got: len,
            });
        }
    }
    if let Some(v) = b.iter().chain(x.iter()).find(|v| !v.is_finite()) {
        return Err(value("b", format!("and x0 must be finite, got {v}")));
    }
    let norm_b = b.iter().map(|v| v * v).sum::<f64>().sqrt();
    let scale = if norm_b > 0.0 { norm_b } else { 1.0 };
    let mut ax = vec![0.0; a.n];
    let residual = |x: &[f64], ax: &mut [f64]| {
        a.matvec(x, ax);
        b.iter()
            .zip(ax.iter())
            .map(|(bi, ai)| (bi - ai) * (bi - ai))
            .sum::<f64>()
            .sqrt()
            / scale
    };
    let mut r = residual(x, &mut ax);
    let mut it = 0;
    while r > tol && it < max_iter {
        for i in 0..a.n {
            a.relax_row(i, omega, b, x);
        }
        if symmetric {
            for i in (0..a.n).rev() {
                a.relax_row(i, omega, b, x);
            }
        }
        it += 1;
        r = residual(x, &mut ax);
        if !r.is_finite() {
            break;
        }
    }
    Ok(SolveReport {
        iterations: it,
        residual: r,
        converged: r <= tol,
    })
}

/// The 5-point Laplacian of an `m x m` grid with Dirichlet boundaries, scaled: the matrix of
/// one implicit Euler step of the heat equation, `I + c L`, with diffusion number `c`.
pub fn heat_step_matrix(m: usize, c: f64) -> Result<Csr> {
    if !(c.is_finite() && c >= 0.0) {
        return Err(param(
            "diffusion",
            format!("must be finite and >= 0, got {c}"),
        ));
    }
    five_point(m, 1.0 + 4.0 * c, -c)
}

/// The 5-point Laplacian `L` of an `m x m` grid (Dirichlet boundaries, diagonal 4) shifted by
/// `s I`: the instances of "Learning to Relax"'s diagonal-shift experiments, positive definite
/// for `s > -4 (1 - cos(pi / (m + 1)))`.
pub fn shifted_laplacian_matrix(m: usize, s: f64) -> Result<Csr> {
    if !(s.is_finite() && s > -4.0) {
        return Err(param("shift", format!("must be finite and > -4, got {s}")));
    }
    five_point(m, 4.0 + s, -1.0)
}

/// An `m x m` grid's 5-point stencil with `diagonal` on the diagonal and `off` for each of the
/// (up to four) neighbours, in CSR with sorted column indices.
fn five_point(m: usize, diagonal: f64, off: f64) -> Result<Csr> {
    if m == 0 {
        return Err(param("grid", "must be at least 1"));
    }
    let n = m * m;
    let (mut indptr, mut indices, mut data) = (vec![0], vec![], vec![]);
    for r in 0..m {
        for col in 0..m {
            let i = r * m + col;
            let mut push = |j: usize, v: f64| {
                indices.push(j);
                data.push(v);
            };
            if r > 0 {
                push(i - m, off);
            }
            if col > 0 {
                push(i - 1, off);
            }
            push(i, diagonal);
            if col + 1 < m {
                push(i + 1, off);
            }
            if r + 1 < m {
                push(i + m, off);
            }
            indptr.push(indices.len());
        }
    }
    Csr::new(n, n, indptr, indices, data)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> Csr {
        // [[4, 1], [1, 3]]
        Csr::new(
            2,
            2,
            vec![0, 2, 4],
            vec![0, 1, 0, 1],
            vec![4.0, 1.0, 1.0, 3.0],
        )
        .unwrap()
    }

    #[test]
    fn gauss_seidel_sweep_by_hand() {
        // b = (1, 2), x0 = 0. Sweep 1: x1 = 1/4; x2 = (2 - 1/4)/3 = 7/12.
        let a = tiny();
        let mut x = vec![0.0, 0.0];
        let rep = sor(&a, &[1.0, 2.0], &mut x, 1.0, 1e-300, 1, false).unwrap();
        assert_eq!(rep.iterations, 1);
        assert!((x[0] - 0.25).abs() < 1e-15 && (x[1] - 7.0 / 12.0).abs() < 1e-15);
        // Converges to the solution (1/11, 7/11).
        let rep = sor(&a, &[1.0, 2.0], &mut x, 1.0, 1e-12, 100, false).unwrap();
        assert!(rep.converged);
        assert!((x[0] - 1.0 / 11.0).abs() < 1e-11 && (x[1] - 7.0 / 11.0).abs() < 1e-11);
    }

    #[test]
    fn rejects_bad_input() {
        assert!(Csr::new(2, 3, vec![0, 0, 0], vec![], vec![]).is_err());
        assert!(Csr::new(2, 2, vec![0, 1, 2], vec![1, 0], vec![1.0, 1.0]).is_err());
        let a = tiny();
        let mut x = vec![0.0, 0.0];
        assert!(sor(&a, &[1.0, 2.0], &mut x, 2.0, 1e-8, 10, false).is_err());
        assert!(sor(&a, &[1.0], &mut x, 1.0, 1e-8, 10, false).is_err());
    }

    #[test]
    fn heat_matrix_is_diagonally_dominant() {
        let a = heat_step_matrix(3, 0.5).unwrap();
        assert_eq!(a.n, 9);
        assert_eq!(a.data.len(), 9 + 2 * 2 * 3 * 2);
        let mut x = vec![0.0; 9];
        let b = vec![1.0; 9];
        let rep = sor(&a, &b, &mut x, 1.2, 1e-10, 1000, false).unwrap();
        assert!(rep.converged);
    }

    #[test]
    fn shifted_laplacian_by_hand() {
        // 2x2 grid, shift 1: diagonal 5, each node has two neighbours at -1.
        let a = shifted_laplacian_matrix(2, 1.0).unwrap();
        assert_eq!(a.indptr, vec![0, 3, 6, 9, 12]);
        assert_eq!(a.indices[..3], [0, 1, 2]);
        assert_eq!(a.data[..3], [5.0, -1.0, -1.0]);
        assert!(shifted_laplacian_matrix(2, f64::NAN).is_err());
        assert!(shifted_laplacian_matrix(0, 0.0).is_err());
    }
}
