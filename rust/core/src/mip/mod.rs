//! Neighbourhoods for large neighbourhood search on mixed-integer programs (Balans, Cai et al.
//! 2025): given the integer columns of a model, an incumbent and, where a rule needs them, the
//! LP relaxation or a second incumbent, each rule says which integer columns to fix (or to
//! narrow) and to what. The solver interaction (applying the bounds, solving the sub-MIP,
//! undoing) lives in the Python layer; everything here is a pure function of its inputs and
//! of the seeded generator of [`Neighbourhoods`].
//!
//! One rule per file: [`random`] (mutation, random objective), [`lp_guided`] (RINS, RENS,
//! DINS), [`crossover`], [`distance`] (local branching, proximity search); [`reward`] scores
//! an iteration for the operator bandit; [`size`] adapts an operator's neighbourhood size to
//! what its last sub-MIP did.

pub mod crossover;
pub mod distance;
pub mod lp_guided;
pub mod random;
pub mod reward;
pub mod size;

use crate::error::{check_range, value, Result};
use rand::SeedableRng;
use rand_pcg::Pcg64;
use serde::{Deserialize, Serialize};

/// Two values of an integer column closer than this are taken as equal (incumbent against LP,
/// incumbent against incumbent), and an LP value this close to an integer as integral.
pub const INT_TOL: f64 = 1e-6;

/// The new bounds of the columns a neighbourhood restricts, sorted by column. A fixed column
/// has `lb == ub`; every other column keeps its original bounds.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BoundChanges {
    pub index: Vec<usize>,
    pub lb: Vec<f64>,
    pub ub: Vec<f64>,
}

impl BoundChanges {
    fn push(&mut self, j: usize, lb: f64, ub: f64) {
        self.index.push(j);
        self.lb.push(lb);
        self.ub.push(ub);
    }

    /// Number of restricted columns.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// True when the neighbourhood restricts nothing.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }
}

/// The column data of a model that the rules read: which columns are integer and their
/// original bounds. Binary columns are the integer ones with bounds within `[0, 1]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Columns {
    is_int: Vec<bool>,
    lb: Vec<f64>,
    ub: Vec<f64>,
    /// Indices of the integer columns, ascending.
    ints: Vec<usize>,
    /// Indices of the binary columns, ascending.
    bins: Vec<usize>,
}

impl Columns {
    /// Checks that the three vectors have one entry per column, that bounds are not NaN and
    /// `lb <= ub`, and that at least one column is integer.
    pub fn new(is_int: Vec<bool>, lb: Vec<f64>, ub: Vec<f64>) -> Result<Self> {
        let n = is_int.len();
        check_len("lb", &lb, n)?;
        check_len("ub", &ub, n)?;
        for j in 0..n {
            if lb[j].is_nan() || ub[j].is_nan() || lb[j] > ub[j] {
                return Err(value(
                    "lb/ub",
                    format!("column {j} has bounds [{}, {}]", lb[j], ub[j]),
                ));
            }
        }
        let ints: Vec<usize> = (0..n).filter(|&j| is_int[j]).collect();
        if ints.is_empty() {
            return Err(value(
                "is_integer",
                "the model has no integer variables: there is nothing to fix",
            ));
        }
        let bins = ints
            .iter()
            .copied()
            .filter(|&j| lb[j] >= 0.0 && ub[j] <= 1.0)
            .collect();
        Ok(Columns {
            is_int,
            lb,
            ub,
            ints,
            bins,
        })
    }

    /// Number of columns.
    pub fn n_cols(&self) -> usize {
        self.is_int.len()
    }

    /// Indices of the integer columns.
    pub fn integers(&self) -> &[usize] {
        &self.ints
    }

    /// Indices of the binary columns.
    pub fn binaries(&self) -> &[usize] {
        &self.bins
    }

    /// Checks that `x` is a point with one finite value per column.
    pub(crate) fn check_point(&self, name: &'static str, x: &[f64]) -> Result<()> {
        check_len(name, x, self.n_cols())?;
        if let Some(j) = x.iter().position(|v| !v.is_finite()) {
            return Err(value(name, format!("entry {j} is {}", x[j])));
        }
        Ok(())
    }

    /// The incumbent's value of integer column `j`, rounded and clipped to its bounds.
    pub(crate) fn int_value(&self, x: &[f64], j: usize) -> f64 {
        x[j].round().clamp(self.lb[j], self.ub[j])
    }

    /// Bound changes that fix every integer column except those in `free` (sorted) to the
    /// incumbent.
    pub(crate) fn fix_all_but(&self, x: &[f64], free: &[usize]) -> BoundChanges {
        let mut out = BoundChanges::default();
        let mut k = 0;
        for &j in &self.ints {
            while k < free.len() && free[k] < j {
                k += 1;
            }
            if k < free.len() && free[k] == j {
                continue;
            }
            let v = self.int_value(x, j);
            out.push(j, v, v);
        }
        out
    }
}

fn check_len(name: &'static str, v: &[f64], n: usize) -> Result<()> {
    if v.len() == n {
        Ok(())
    } else {
        Err(crate::error::Error::Dimension {
            name,
            expected: n,
            got: v.len(),
        })
    }
}

/// Checks a destroy fraction (the share of candidate columns left free).
pub(crate) fn check_fraction(delta: f64) -> Result<f64> {
    check_range("delta", delta, 0.0, 1.0)
}

/// Number of columns out of `n` that a fraction `delta` frees (rounded down, as Balans does).
pub(crate) fn share(delta: f64, n: usize) -> usize {
    ((delta * n as f64) + 1e-9).floor() as usize
}

/// The rules over one model with one seeded generator: a rule that draws at random (mutation,
/// the random subsets of RINS and RENS, the local-branching radius, the random objective)
/// draws from it, so a run is reproducible from its seed, and the state pickles.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Neighbourhoods {
    pub columns: Columns,
    rng: Pcg64,
}

impl Neighbourhoods {
    pub fn new(columns: Columns, seed: u64) -> Self {
        Neighbourhoods {
            columns,
            rng: Pcg64::seed_from_u64(seed),
        }
    }

    /// Mutation: frees a random `delta` share of the integer columns, fixes the rest.
    pub fn mutation(&mut self, incumbent: &[f64], delta: f64) -> Result<BoundChanges> {
        random::mutation(&self.columns, incumbent, delta, &mut self.rng)
    }

    /// RINS: fixes the integer columns where incumbent and LP agree and a random `1 - delta`
    /// share of the others.
    pub fn rins(&mut self, incumbent: &[f64], lp: &[f64], delta: f64) -> Result<BoundChanges> {
        lp_guided::rins(&self.columns, incumbent, lp, delta, &mut self.rng)
    }

    /// RENS: narrows a random `delta` share of the LP-fractional integer columns to the LP
    /// value's floor and ceiling, fixes the other integer columns.
    pub fn rens(&mut self, incumbent: &[f64], lp: &[f64], delta: f64) -> Result<BoundChanges> {
        lp_guided::rens(&self.columns, incumbent, lp, delta, &mut self.rng)
    }

    /// DINS: see [`lp_guided::dins`].
    pub fn dins(&self, incumbent: &[f64], lp: &[f64]) -> Result<BoundChanges> {
        lp_guided::dins(&self.columns, incumbent, lp)
    }

    /// Crossover: see [`crossover::crossover`].
    pub fn crossover(&self, incumbent: &[f64], other: &[f64]) -> Result<BoundChanges> {
        crossover::crossover(&self.columns, incumbent, other)
    }

    /// Random objective: see [`random::random_objective`].
    pub fn random_objective(&mut self) -> Vec<f64> {
        random::random_objective(self.columns.n_cols(), &mut self.rng)
    }

    /// Local branching: see [`distance::local_branching`].
    pub fn local_branching(
        &mut self,
        incumbent: &[f64],
        delta: f64,
    ) -> Result<distance::LinearRow> {
        distance::local_branching(&self.columns, incumbent, delta, &mut self.rng)
    }

    /// Proximity search: see [`distance::proximity`].
    pub fn proximity(
        &self,
        incumbent: &[f64],
        incumbent_objective: f64,
        delta: f64,
    ) -> Result<distance::Proximity> {
        distance::proximity(&self.columns, incumbent, incumbent_objective, delta)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Five columns: x0, x1, x2 binary, x3 integer in [0, 10], x4 continuous in [0, 5].
    pub fn cols() -> Columns {
        Columns::new(
            vec![true, true, true, true, false],
            vec![0.0, 0.0, 0.0, 0.0, 0.0],
            vec![1.0, 1.0, 1.0, 10.0, 5.0],
        )
        .unwrap()
    }

    #[test]
    fn columns_sort_integers_and_binaries() {
        let c = cols();
        assert_eq!(c.integers(), &[0, 1, 2, 3]);
        assert_eq!(c.binaries(), &[0, 1, 2]);
    }

    #[test]
    fn columns_reject_bad_input() {
        assert!(Columns::new(vec![false, false], vec![0.0; 2], vec![1.0; 2]).is_err());
        assert!(Columns::new(vec![true], vec![0.0, 0.0], vec![1.0]).is_err());
        assert!(Columns::new(vec![true], vec![2.0], vec![1.0]).is_err());
        assert!(Columns::new(vec![true], vec![f64::NAN], vec![1.0]).is_err());
    }

    #[test]
    fn share_rounds_down() {
        assert_eq!(share(0.5, 5), 2);
        assert_eq!(share(0.25, 4), 1);
        assert_eq!(share(0.75, 4), 3);
        assert_eq!(share(1.0, 7), 7);
        assert_eq!(share(0.0, 7), 0);
    }

    #[test]
    fn fix_all_but_skips_free_and_continuous() {
        let c = cols();
        let x = [1.0, 0.0, 1.0, 3.2, 2.5];
        let bc = c.fix_all_but(&x, &[1]);
        assert_eq!(bc.index, vec![0, 2, 3]);
        assert_eq!(bc.lb, vec![1.0, 1.0, 3.0]);
        assert_eq!(bc.ub, bc.lb);
    }

    #[test]
    fn same_seed_same_neighbourhoods_and_state_round_trips() {
        let x = [1.0, 0.0, 1.0, 3.0, 2.5];
        let mut a = Neighbourhoods::new(cols(), 9);
        let mut b = Neighbourhoods::new(cols(), 9);
        for _ in 0..5 {
            assert_eq!(a.mutation(&x, 0.5).unwrap(), b.mutation(&x, 0.5).unwrap());
        }
        let bytes = crate::snapshot::to_bytes(&a).unwrap();
        let mut c: Neighbourhoods = crate::snapshot::from_bytes(&bytes).unwrap();
        assert_eq!(a.random_objective(), c.random_objective());
    }
}
