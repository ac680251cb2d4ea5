//! Neighbourhoods by Hamming distance over the binary columns: local branching (Fischetti and
//! Lodi 2003) adds a distance constraint, proximity search (Fischetti and Monaci 2014)
//! minimises the distance under an objective cutoff.

use super::{check_fraction, Columns};
use crate::error::{check_non_negative, value, Result};
use rand::Rng;
use rand_pcg::Pcg64;

/// A sparse linear row `sum coef[k] * x[index[k]] <= rhs`.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearRow {
    pub index: Vec<usize>,
    pub coef: Vec<f64>,
    pub rhs: f64,
}

/// Splits the binary columns by the incumbent's value: `(zeros, ones)`.
fn split(cols: &Columns, incumbent: &[f64]) -> Result<(Vec<usize>, Vec<usize>)> {
    cols.check_point("incumbent", incumbent)?;
    if cols.binaries().is_empty() {
        return Err(value(
            "model",
            "has no binary variables: local branching and proximity need some",
        ));
    }
    Ok(cols
        .binaries()
        .iter()
        .copied()
        .partition(|&j| incumbent[j] < 0.5))
}

/// Hamming distance to the incumbent over the binaries, as a linear form: `+1` on the
/// columns at 0, `-1` on those at 1, and the number of ones as the constant.
fn distance_form(n_bin: usize, zeros: &[usize], ones: &[usize]) -> (Vec<usize>, Vec<f64>) {
    let mut terms: Vec<(usize, f64)> = Vec::with_capacity(n_bin);
    terms.extend(zeros.iter().map(|&j| (j, 1.0)));
    terms.extend(ones.iter().map(|&j| (j, -1.0)));
    terms.sort_unstable_by_key(|t| t.0);
    terms.into_iter().unzip()
}

/// The local branching constraint: at most `k` binaries flip from the incumbent,
/// `sum_{x_j = 0} x_j + sum_{x_j = 1} (1 - x_j) <= k`, written as a row with
/// `rhs = k - n_ones`. The radius `k` is drawn uniformly from
/// `[floor(0.05 n_bin), floor(delta n_bin)]` as in Balans.
pub fn local_branching(
    cols: &Columns,
    incumbent: &[f64],
    delta: f64,
    rng: &mut Pcg64,
) -> Result<LinearRow> {
    check_fraction(delta)?;
    let (zeros, ones) = split(cols, incumbent)?;
    let n_bin = cols.binaries().len();
    let hi = super::share(delta, n_bin);
    let lo = super::share(0.05, n_bin).min(hi);
    let k = rng.random_range(lo..=hi);
    let (index, coef) = distance_form(n_bin, &zeros, &ones);
    Ok(LinearRow {
        index,
        coef,
        rhs: k as f64 - ones.len() as f64,
    })
}

/// Proximity search data: the distance objective over the binaries (`objective`, one entry
/// per column, plus the constant `offset`) and the cutoff on the original objective (in
/// minimisation form) `incumbent_objective - delta * |incumbent_objective|`.
#[derive(Debug, Clone, PartialEq)]
pub struct Proximity {
    pub objective: Vec<f64>,
    pub offset: f64,
    pub cutoff: f64,
}

pub fn proximity(
    cols: &Columns,
    incumbent: &[f64],
    incumbent_objective: f64,
    delta: f64,
) -> Result<Proximity> {
    check_non_negative("delta", delta)?;
    if !incumbent_objective.is_finite() {
        return Err(value(
            "incumbent_objective",
            format!("must be finite, got {incumbent_objective}"),
        ));
    }
    let (zeros, ones) = split(cols, incumbent)?;
    let (index, coef) = distance_form(cols.binaries().len(), &zeros, &ones);
    let mut objective = vec![0.0; cols.n_cols()];
    for (j, c) in index.into_iter().zip(coef) {
        objective[j] = c;
    }
    Ok(Proximity {
        objective,
        offset: ones.len() as f64,
        cutoff: incumbent_objective - delta * incumbent_objective.abs(),
    })
}

#[cfg(test)]
mod tests {
    use super::super::tests::cols;
    use super::*;
    use rand::SeedableRng;

    const X: [f64; 5] = [1.0, 0.0, 1.0, 4.0, 2.5];

    #[test]
    fn local_branching_row_counts_flips() {
        let mut rng = Pcg64::seed_from_u64(4);
        // Three binaries: radius in [0, floor(0.7 * 3)] = [0, 2].
        let mut seen = [false; 3];
        for _ in 0..100 {
            let row = local_branching(&cols(), &X, 0.7, &mut rng).unwrap();
            assert_eq!(row.index, vec![0, 1, 2]);
            assert_eq!(row.coef, vec![-1.0, 1.0, -1.0]);
            let k = row.rhs + 2.0;
            assert!((0.0..=2.0).contains(&k));
            seen[k as usize] = true;
            // The incumbent itself is at distance 0: -1 + 0 - 1 = -2 <= rhs.
            assert!(-2.0 <= row.rhs);
        }
        assert_eq!(seen, [true; 3]);
    }

    #[test]
    fn proximity_objective_is_the_hamming_distance() {
        let p = proximity(&cols(), &X, -20.0, 0.05).unwrap();
        assert_eq!(p.objective, vec![-1.0, 1.0, -1.0, 0.0, 0.0]);
        assert_eq!(p.offset, 2.0);
        assert_eq!(p.cutoff, -21.0);
        // Distance of the incumbent is 0, of its full flip 3.
        let d = |y: [f64; 5]| p.offset + p.objective.iter().zip(y).map(|(c, v)| c * v).sum::<f64>();
        assert_eq!(d(X), 0.0);
        assert_eq!(d([0.0, 1.0, 0.0, 4.0, 2.5]), 3.0);
    }

    #[test]
    fn distance_rules_need_binaries() {
        let c = Columns::new(vec![true, false], vec![0.0, 0.0], vec![5.0, 1.0]).unwrap();
        let mut rng = Pcg64::seed_from_u64(4);
        assert!(local_branching(&c, &[1.0, 0.0], 0.5, &mut rng).is_err());
        assert!(proximity(&c, &[1.0, 0.0], 1.0, 0.1).is_err());
        assert!(proximity(&cols(), &X, f64::INFINITY, 0.1).is_err());
    }
}
