//! Neighbourhood sizes adapted to what the last sub-MIP of an operator did, as adaptive LNS
//! heuristics for MIP adapt their fixing rates: a sub-MIP that proved there is nothing better
//! in its neighbourhood before its time limit was too small, so the operator frees more next
//! time; one that ran out of time without improving was too large, so it frees less; one that
//! improved keeps its size.
//!
//! The size is a multiplier `scale` of the operator's own share `delta` (the share it frees
//! is `min(1, delta * scale)`), starting at 1:
//!
//! - improved: `scale` unchanged;
//! - exhausted (optimal or infeasible under the cutoff, before the limit): `min(high, scale * factor)`;
//! - timed out without improving: `max(low, scale / factor)`.

use crate::error::{check_positive, param, Result};

/// The growth factor of [`adapt`] that `Balans(adapt_size=True)` uses.
pub const DEFAULT_FACTOR: f64 = 1.5;
/// The smallest multiplier `Balans(adapt_size=True)` lets a size shrink to.
pub const DEFAULT_LOW: f64 = 0.2;
/// The largest multiplier `Balans(adapt_size=True)` lets a size grow to.
pub const DEFAULT_HIGH: f64 = 2.0;

/// What a sub-MIP did, as far as its neighbourhood's size is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubOutcome {
    /// It found a better point.
    Improved,
    /// It proved, before its time limit, that the neighbourhood holds nothing better.
    Exhausted,
    /// It reached its time limit without a better point.
    TimedOut,
}

/// The next size multiplier after a sub-MIP with `outcome`, from `scale` in `[low, high]`,
/// with `factor > 1` and `0 < low <= 1 <= high`.
pub fn adapt(scale: f64, outcome: SubOutcome, factor: f64, low: f64, high: f64) -> Result<f64> {
    check_positive("scale", scale)?;
    check_positive("factor", factor)?;
    check_positive("low", low)?;
    check_positive("high", high)?;
    if factor <= 1.0 {
        return Err(param("factor", format!("must be > 1, got {factor}")));
    }
    if !(low <= 1.0 && 1.0 <= high) {
        return Err(param(
            "low",
            format!("need low <= 1 <= high, got {low} and {high}"),
        ));
    }
    if !(low..=high).contains(&scale) {
        return Err(param(
            "scale",
            format!("must be in [{low}, {high}], got {scale}"),
        ));
    }
    Ok(match outcome {
        SubOutcome::Improved => scale,
        SubOutcome::Exhausted => (scale * factor).min(high),
        SubOutcome::TimedOut => (scale / factor).max(low),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_worked_steps() {
        let (f, lo, hi) = (1.5, 0.2, 2.0);
        assert_eq!(adapt(1.0, SubOutcome::Improved, f, lo, hi).unwrap(), 1.0);
        assert_eq!(adapt(1.0, SubOutcome::Exhausted, f, lo, hi).unwrap(), 1.5);
        assert_eq!(adapt(1.5, SubOutcome::Exhausted, f, lo, hi).unwrap(), 2.0); // capped
        assert_eq!(adapt(1.5, SubOutcome::TimedOut, f, lo, hi).unwrap(), 1.0);
        assert_eq!(adapt(0.25, SubOutcome::TimedOut, f, lo, hi).unwrap(), 0.2); // floored
    }

    #[test]
    fn a_run_of_timeouts_then_exhaustions_returns_within_bounds() {
        let mut s = 1.0;
        for _ in 0..10 {
            s = adapt(s, SubOutcome::TimedOut, 1.5, 0.2, 2.0).unwrap();
        }
        assert_eq!(s, 0.2);
        for _ in 0..10 {
            s = adapt(s, SubOutcome::Exhausted, 1.5, 0.2, 2.0).unwrap();
        }
        assert_eq!(s, 2.0);
    }

    #[test]
    fn bad_input_is_rejected() {
        assert!(adapt(0.0, SubOutcome::Improved, 1.5, 0.2, 2.0).is_err());
        assert!(adapt(f64::NAN, SubOutcome::Improved, 1.5, 0.2, 2.0).is_err());
        assert!(adapt(1.0, SubOutcome::Improved, 1.0, 0.2, 2.0).is_err());
        assert!(adapt(1.0, SubOutcome::Improved, 1.5, 1.2, 2.0).is_err());
        assert!(adapt(1.0, SubOutcome::Improved, 1.5, 0.2, 0.9).is_err());
        let msg = adapt(3.0, SubOutcome::Improved, 1.5, 0.2, 2.0)
            .unwrap_err()
            .to_string();
        assert!(msg.contains("scale"), "{msg}");
    }
}
