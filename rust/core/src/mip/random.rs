//! Mutation (random fixing) and the random objective.

use super::{check_fraction, share, BoundChanges, Columns};
use crate::error::Result;
use rand::seq::index::sample;
use rand::Rng;
use rand_pcg::Pcg64;

/// Frees `floor(delta * n_int)` integer columns chosen uniformly without replacement and fixes
/// every other integer column to the incumbent's (rounded) value. Continuous columns are never
/// touched.
pub fn mutation(
    cols: &Columns,
    incumbent: &[f64],
    delta: f64,
    rng: &mut Pcg64,
) -> Result<BoundChanges> {
    check_fraction(delta)?;
    cols.check_point("incumbent", incumbent)?;
    let ints = cols.integers();
    let mut free: Vec<usize> = sample(rng, ints.len(), share(delta, ints.len()))
        .into_iter()
        .map(|k| ints[k])
        .collect();
    free.sort_unstable();
    Ok(cols.fix_all_but(incumbent, &free))
}

/// Objective coefficients drawn uniformly from `[-1, 1)`, one per column (Balans' random
/// objective: the sub-MIP minimises them over the whole model to reach another region).
pub fn random_objective(n_cols: usize, rng: &mut Pcg64) -> Vec<f64> {
    (0..n_cols).map(|_| rng.random_range(-1.0..1.0)).collect()
}

#[cfg(test)]
mod tests {
    use super::super::tests::cols;
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn mutation_frees_the_share_and_fixes_the_rest_to_the_incumbent() {
        let c = cols();
        let x = [1.0, 0.0, 1.0, 3.0, 2.5];
        let mut rng = Pcg64::seed_from_u64(1);
        for (delta, n_fixed) in [(0.25, 3), (0.5, 2), (0.75, 1), (0.0, 4), (1.0, 0)] {
            let bc = mutation(&c, &x, delta, &mut rng).unwrap();
            assert_eq!(bc.len(), n_fixed, "delta {delta}");
            for (k, &j) in bc.index.iter().enumerate() {
                assert!(j < 4, "continuous column fixed");
                assert_eq!(bc.lb[k], x[j]);
                assert_eq!(bc.ub[k], x[j]);
            }
        }
    }

    #[test]
    fn mutation_draws_every_column_free_over_many_draws() {
        let c = cols();
        let x = [1.0, 0.0, 1.0, 3.0, 2.5];
        let mut rng = Pcg64::seed_from_u64(2);
        let mut freed = [0usize; 4];
        for _ in 0..400 {
            let bc = mutation(&c, &x, 0.25, &mut rng).unwrap();
            for (j, f) in freed.iter_mut().enumerate() {
                *f += usize::from(!bc.index.contains(&j));
            }
        }
        // One of four freed each time: each column about 100 times.
        assert!(freed.iter().all(|&f| (60..140).contains(&f)), "{freed:?}");
    }

    #[test]
    fn mutation_rejects_bad_input() {
        let c = cols();
        let mut rng = Pcg64::seed_from_u64(1);
        assert!(mutation(&c, &[0.0; 5], 1.5, &mut rng).is_err());
        assert!(mutation(&c, &[0.0; 4], 0.5, &mut rng).is_err());
        assert!(mutation(&c, &[0.0, 0.0, f64::NAN, 0.0, 0.0], 0.5, &mut rng).is_err());
    }

    #[test]
    fn random_objective_is_in_range_and_seeded() {
        let a = random_objective(50, &mut Pcg64::seed_from_u64(3));
        let b = random_objective(50, &mut Pcg64::seed_from_u64(3));
        assert_eq!(a, b);
        assert!(a.iter().all(|v| (-1.0..1.0).contains(v)));
        assert!(a.iter().any(|&v| v < 0.0) && a.iter().any(|&v| v > 0.0));
    }
}
