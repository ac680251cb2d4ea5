//! Rewards of the operator bandit. Balans scores an iteration by its outcome alone (8/4/2/1
//! for new best / better / accepted / rejected), so a sub-MIP that burns its whole time slice
//! and improves nothing earns as much as one that gives up at once. The time-aware reward
//! discounts the outcome's score by the share of the slice the sub-MIP used:
//!
//! `reward = score * (1 - weight * min(used / slice, 1))`
//!
//! With `weight = 0.5` an outcome that took the whole slice is worth half as much as the same
//! outcome found at once: a fruitless full-slice sub-MIP (accepted, 2) ends up on the score of
//! a rejection (1), and a new best found at the deadline of its slice (4) still beats any
//! fruitless one.

use crate::error::{check_non_negative, check_positive, check_range, Result};

/// The discount weight of [`time_aware`] that `reward="time-aware"` uses.
pub const DEFAULT_TIME_WEIGHT: f64 = 0.5;

/// The score of an outcome, discounted by the share of the time slice its sub-MIP used.
///
/// `score` is the outcome's score (>= 0), `used` the seconds the sub-MIP took (>= 0; more than
/// the slice counts as the whole slice), `slice` the time limit it was given (> 0) and
/// `weight` in `[0, 1]` the part of the score that a whole slice costs.
pub fn time_aware(score: f64, used: f64, slice: f64, weight: f64) -> Result<f64> {
    check_non_negative("score", score)?;
    check_non_negative("used", used)?;
    check_positive("slice", slice)?;
    check_range("weight", weight, 0.0, 1.0)?;
    let share = (used / slice).min(1.0);
    Ok(score * (1.0 - weight * share))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_worked_values() {
        // Instant outcomes keep their Balans score.
        assert_eq!(time_aware(8.0, 0.0, 2.0, 0.5).unwrap(), 8.0);
        // A fruitless sub-MIP over the whole 2 s slice: 2 * (1 - 0.5) = 1, a rejection's score.
        assert_eq!(time_aware(2.0, 2.0, 2.0, 0.5).unwrap(), 1.0);
        // A new best after a quarter of the slice: 8 * (1 - 0.5 * 0.25) = 7.
        assert_eq!(time_aware(8.0, 0.5, 2.0, 0.5).unwrap(), 7.0);
        // Better after 3 of 4 s: 4 * (1 - 0.5 * 0.75) = 2.5.
        assert_eq!(time_aware(4.0, 3.0, 4.0, 0.5).unwrap(), 2.5);
        // Overshooting the slice counts as the whole slice.
        assert_eq!(time_aware(4.0, 5.0, 2.0, 0.5).unwrap(), 2.0);
        // Weight 0 is Balans' reward, weight 1 leaves nothing for a whole slice.
        assert_eq!(time_aware(2.0, 1.0, 1.0, 0.0).unwrap(), 2.0);
        assert_eq!(time_aware(2.0, 1.0, 1.0, 1.0).unwrap(), 0.0);
    }

    #[test]
    fn a_slow_best_beats_a_fast_failure_at_the_default_weight() {
        let slow_best = time_aware(8.0, 1.0, 1.0, DEFAULT_TIME_WEIGHT).unwrap();
        let fast_accept = time_aware(2.0, 0.0, 1.0, DEFAULT_TIME_WEIGHT).unwrap();
        assert!(slow_best > fast_accept);
    }

    #[test]
    fn bad_input_is_rejected() {
        assert!(time_aware(-1.0, 0.0, 1.0, 0.5).is_err());
        assert!(time_aware(1.0, -0.1, 1.0, 0.5).is_err());
        assert!(time_aware(1.0, f64::NAN, 1.0, 0.5).is_err());
        assert!(time_aware(1.0, 0.5, 0.0, 0.5).is_err());
        assert!(time_aware(1.0, 0.5, f64::INFINITY, 0.5).is_err());
        assert!(time_aware(1.0, 0.5, 1.0, 1.5).is_err());
        let msg = time_aware(1.0, 0.5, 1.0, -0.5).unwrap_err().to_string();
        assert!(msg.contains("weight"), "{msg}");
    }
}
