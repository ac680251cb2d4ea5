//! Neighbourhoods guided by the LP relaxation: RINS (Danna et al. 2005), RENS (Berthold 2014)
//! and DINS (Ghosh 2007), with Balans' random subsets for RINS and RENS.

use super::{check_fraction, share, BoundChanges, Columns, INT_TOL};
use crate::error::Result;
use rand::seq::index::sample;
use rand_pcg::Pcg64;

/// Checks the inputs, then draws `floor(delta * n)` of the `n` integer columns that satisfy
/// `is_candidate`, uniformly without replacement; sorted.
fn pick(
    cols: &Columns,
    incumbent: &[f64],
    lp: &[f64],
    delta: f64,
    rng: &mut Pcg64,
    is_candidate: impl Fn(usize) -> bool,
) -> Result<Vec<usize>> {
    check_fraction(delta)?;
    cols.check_point("incumbent", incumbent)?;
    cols.check_point("lp", lp)?;
    let candidates: Vec<usize> = cols
        .integers()
        .iter()
        .copied()
        .filter(|&j| is_candidate(j))
        .collect();
    let mut out: Vec<usize> = sample(rng, candidates.len(), share(delta, candidates.len()))
        .into_iter()
        .map(|i| candidates[i])
        .collect();
    out.sort_unstable();
    Ok(out)
}

/// RINS: the integer columns where the incumbent and the LP optimum differ (by more than
/// [`INT_TOL`]) are the candidates; `floor(delta * n_candidates)` of them, drawn at random,
/// stay free, and every other integer column is fixed to the incumbent. `delta = 1` is the
/// classic rule (fix exactly where they agree); Balans draws its subset with replacement, we
/// draw without, so the share freed is the share asked for.
pub fn rins(
    cols: &Columns,
    incumbent: &[f64],
    lp: &[f64],
    delta: f64,
    rng: &mut Pcg64,
) -> Result<BoundChanges> {
    let free = pick(cols, incumbent, lp, delta, rng, |j| {
        (incumbent[j] - lp[j]).abs() > INT_TOL
    })?;
    Ok(cols.fix_all_but(incumbent, &free))
}

/// RENS: the integer columns whose LP value is fractional are the candidates;
/// `floor(delta * n_candidates)` of them, drawn at random, are narrowed to
/// `[floor(lp), ceil(lp)]` (widened to include the incumbent's value, so that the incumbent
/// stays in the neighbourhood and the warm start is feasible), and every other integer column
/// is fixed to the incumbent, as in Balans.
pub fn rens(
    cols: &Columns,
    incumbent: &[f64],
    lp: &[f64],
    delta: f64,
    rng: &mut Pcg64,
) -> Result<BoundChanges> {
    let narrowed = pick(cols, incumbent, lp, delta, rng, |j| {
        (lp[j] - lp[j].round()).abs() > INT_TOL
    })?;
    let mut out = BoundChanges::default();
    let mut k = 0;
    for &j in cols.integers() {
        let v = cols.int_value(incumbent, j);
        if k < narrowed.len() && narrowed[k] == j {
            k += 1;
            let lo = lp[j].floor().min(v).max(cols.lb[j]);
            let hi = lp[j].ceil().max(v).min(cols.ub[j]);
            out.push(j, lo, hi);
        } else {
            out.push(j, v, v);
        }
    }
    Ok(out)
}

/// DINS: an integer column whose incumbent value is at least 0.5 away from the LP value may
/// move, but not further from the LP value than the incumbent is: its bounds become
/// `[ceil(lp - d), floor(lp + d)]` with `d = |incumbent - lp|` (within its original bounds);
/// every other integer column is fixed to the incumbent.
pub fn dins(cols: &Columns, incumbent: &[f64], lp: &[f64]) -> Result<BoundChanges> {
    cols.check_point("incumbent", incumbent)?;
    cols.check_point("lp", lp)?;
    let mut out = BoundChanges::default();
    for &j in cols.integers() {
        let v = cols.int_value(incumbent, j);
        let d = (v - lp[j]).abs();
        if d >= 0.5 - INT_TOL {
            let lo = (lp[j] - d - INT_TOL).ceil().max(cols.lb[j]);
            let hi = (lp[j] + d + INT_TOL).floor().min(cols.ub[j]);
            out.push(j, lo, hi);
        } else {
            out.push(j, v, v);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::tests::cols;
    use super::*;
    use rand::SeedableRng;

    // x0, x1, x2 binary, x3 integer in [0, 10], x4 continuous.
    const X: [f64; 5] = [1.0, 0.0, 1.0, 4.0, 2.5];
    const LP: [f64; 5] = [1.0, 0.5, 0.2, 4.0, 0.7];

    #[test]
    fn classic_rins_fixes_exactly_where_incumbent_and_lp_agree() {
        let mut rng = Pcg64::seed_from_u64(0);
        let bc = rins(&cols(), &X, &LP, 1.0, &mut rng).unwrap();
        assert_eq!(bc.index, vec![0, 3]);
        assert_eq!(bc.lb, vec![1.0, 4.0]);
        assert_eq!(bc.ub, vec![1.0, 4.0]);
    }

    #[test]
    fn rins_with_a_share_frees_that_share_of_the_disagreeing_columns() {
        let mut rng = Pcg64::seed_from_u64(0);
        let mut freed = [0usize; 2];
        for _ in 0..200 {
            let bc = rins(&cols(), &X, &LP, 0.5, &mut rng).unwrap();
            // Agreeing x0, x3 always fixed, one of x1, x2 fixed too.
            assert_eq!(bc.len(), 3);
            assert!(bc.index.contains(&0) && bc.index.contains(&3));
            freed[0] += usize::from(!bc.index.contains(&1));
            freed[1] += usize::from(!bc.index.contains(&2));
        }
        assert_eq!(freed[0] + freed[1], 200);
        assert!(freed[0] > 70 && freed[1] > 70, "{freed:?}");
    }

    #[test]
    fn rens_narrows_fractional_columns_to_floor_and_ceiling() {
        let mut rng = Pcg64::seed_from_u64(0);
        let x = [1.0, 0.0, 1.0, 6.0, 2.5];
        let lp = [1.0, 0.5, 0.2, 3.4, 0.0];
        let bc = rens(&cols(), &x, &lp, 1.0, &mut rng).unwrap();
        assert_eq!(bc.index, vec![0, 1, 2, 3]);
        // x0 integral in the LP: fixed to the incumbent.
        assert_eq!((bc.lb[0], bc.ub[0]), (1.0, 1.0));
        assert_eq!((bc.lb[1], bc.ub[1]), (0.0, 1.0));
        assert_eq!((bc.lb[2], bc.ub[2]), (0.0, 1.0));
        // [3, 4] widened to keep the incumbent 6.
        assert_eq!((bc.lb[3], bc.ub[3]), (3.0, 6.0));
        let bc = rens(&cols(), &x, &lp, 0.0, &mut rng).unwrap();
        assert!(bc.lb.iter().zip(&bc.ub).all(|(a, b)| a == b));
    }

    #[test]
    fn dins_bounds_the_distance_to_the_lp() {
        let x = [1.0, 0.0, 1.0, 7.0, 2.5];
        let lp = [0.9, 0.6, 0.2, 4.5, 0.0];
        let bc = dins(&cols(), &x, &lp).unwrap();
        assert_eq!(bc.index, vec![0, 1, 2, 3]);
        assert_eq!((bc.lb[0], bc.ub[0]), (1.0, 1.0)); // |1 - 0.9| < 0.5: fixed
        assert_eq!((bc.lb[1], bc.ub[1]), (0.0, 1.0)); // d = 0.6: [0, 1.2] -> [0, 1]
        assert_eq!((bc.lb[2], bc.ub[2]), (0.0, 1.0)); // d = 0.8
        assert_eq!((bc.lb[3], bc.ub[3]), (2.0, 7.0)); // d = 2.5: [2, 7]
    }

    #[test]
    fn lp_rules_reject_a_wrong_length() {
        let mut rng = Pcg64::seed_from_u64(0);
        assert!(rins(&cols(), &X, &LP[..4], 1.0, &mut rng).is_err());
        assert!(rens(&cols(), &X[..3], &LP, 1.0, &mut rng).is_err());
        assert!(dins(&cols(), &X, &[0.0; 6]).is_err());
    }
}
