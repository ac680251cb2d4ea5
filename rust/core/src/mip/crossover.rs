//! Crossover of two incumbents (Rothberg 2007): fix where they agree.

use super::{BoundChanges, Columns, INT_TOL};
use crate::error::Result;

/// Fixes the integer columns on which `incumbent` and `other` agree (within [`INT_TOL`]) to
/// their common value and leaves the others free. Two equal solutions fix everything (an
/// empty neighbourhood, which the caller skips).
pub fn crossover(cols: &Columns, incumbent: &[f64], other: &[f64]) -> Result<BoundChanges> {
    cols.check_point("incumbent", incumbent)?;
    cols.check_point("other", other)?;
    let free: Vec<usize> = cols
        .integers()
        .iter()
        .copied()
        .filter(|&j| (incumbent[j] - other[j]).abs() > INT_TOL)
        .collect();
    Ok(cols.fix_all_but(incumbent, &free))
}

#[cfg(test)]
mod tests {
    use super::super::tests::cols;
    use super::*;

    #[test]
    fn crossover_fixes_where_the_two_agree() {
        let a = [1.0, 0.0, 1.0, 4.0, 2.5];
        let b = [1.0, 1.0, 1.0, 5.0, 0.0];
        let bc = crossover(&cols(), &a, &b).unwrap();
        assert_eq!(bc.index, vec![0, 2]);
        assert_eq!(bc.lb, vec![1.0, 1.0]);
        let same = crossover(&cols(), &a, &a).unwrap();
        assert_eq!(same.index, vec![0, 1, 2, 3]);
    }
}
