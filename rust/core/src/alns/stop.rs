//! Stopping criteria, as `alns.stop`, consulted before every iteration, and their any/all
//! combinations.

use super::engine::{Problem, Scored, Stop};
use crate::error::{param, Result};
use rand_pcg::Pcg64;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::time::Instant;

/// How many recent iteration durations the runtime limit remembers to predict the next one.
const RUNTIME_WINDOW: usize = 16;

/// A wall-clock budget that is never knowingly exceeded: before each iteration it predicts the
/// iteration's duration as the longest of the last few, and stops if that would overrun.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MaxRuntime {
    max_runtime: f64,
    #[serde(skip)]
    start: Option<Instant>,
    #[serde(skip)]
    last: Option<Instant>,
    recent: VecDeque<f64>,
    overrun: Option<f64>,
}

impl MaxRuntime {
    pub fn new(max_runtime: f64) -> Result<Self> {
        if max_runtime.is_nan() || max_runtime < 0.0 {
            return Err(param(
                "max_runtime",
                format!("must be >= 0, got {max_runtime}"),
            ));
        }
        Ok(MaxRuntime {
            max_runtime,
            start: None,
            last: None,
            recent: VecDeque::with_capacity(RUNTIME_WINDOW),
            overrun: None,
        })
    }
    pub fn max_runtime(&self) -> f64 {
        self.max_runtime
    }
    /// Seconds beyond the budget when this criterion stopped the run (negative: time left
    /// that no further iteration was predicted to fit in); `None` before it stopped.
    pub fn overrun(&self) -> Option<f64> {
        self.overrun
    }
    /// The predicted duration of the next iteration.
    pub fn predicted(&self) -> f64 {
        self.recent.iter().copied().fold(0.0, f64::max)
    }

    fn check_at(&mut self, now: Instant) -> bool {
        let start = *self.start.get_or_insert(now);
        if let Some(last) = self.last {
            if self.recent.len() == RUNTIME_WINDOW {
                self.recent.pop_front();
            }
            self.recent
                .push_back(now.duration_since(last).as_secs_f64());
        }
        self.last = Some(now);
        let elapsed = now.duration_since(start).as_secs_f64();
        let stop = elapsed + self.predicted() >= self.max_runtime;
        if stop {
            self.overrun = Some(elapsed - self.max_runtime);
        }
        stop
    }
}

/// Every built-in stopping criterion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Stopping {
    /// Stops after `max` iterations (counting calls, as alns does).
    MaxIterations {
        max: u64,
        calls: u64,
    },
    MaxRuntime(MaxRuntime),
    /// Stops once the best objective has not improved for `max` consecutive checks.
    NoImprovement {
        max: u64,
        target: Option<f64>,
        counter: u64,
    },
    /// Stops when any member says so (every member is consulted, so all counters advance).
    Any(Vec<Stopping>),
    /// Stops when every member says so.
    All(Vec<Stopping>),
}

impl Stopping {
    pub fn max_iterations(max: u64) -> Self {
        Stopping::MaxIterations { max, calls: 0 }
    }
    pub fn max_runtime(seconds: f64) -> Result<Self> {
        Ok(Stopping::MaxRuntime(MaxRuntime::new(seconds)?))
    }
    pub fn no_improvement(max: u64) -> Self {
        Stopping::NoImprovement {
            max,
            target: None,
            counter: 0,
        }
    }

    /// Whether to stop before the next iteration.
    pub fn check(&mut self, best: f64) -> bool {
        match self {
            Stopping::MaxIterations { max, calls } => {
                *calls += 1;
                *calls > *max
            }
            Stopping::MaxRuntime(m) => m.check_at(Instant::now()),
            Stopping::NoImprovement {
                max,
                target,
                counter,
            } => {
                match target {
                    Some(t) if best >= *t => *counter += 1,
                    _ => {
                        *target = Some(best);
                        *counter = 0;
                    }
                }
                *counter >= *max
            }
            Stopping::Any(members) => members.iter_mut().fold(false, |acc, m| m.check(best) | acc),
            Stopping::All(members) => members.iter_mut().fold(true, |acc, m| m.check(best) & acc),
        }
    }
}

impl<P: Problem> Stop<P> for Stopping {
    fn stop(
        &mut self,
        _: &mut Pcg64,
        _: &mut P,
        best: &Scored<P::State>,
        _: &Scored<P::State>,
    ) -> std::result::Result<bool, P::Error> {
        Ok(self.check(best.objective))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn max_iterations_counts_calls() {
        let mut s = Stopping::max_iterations(2);
        assert_eq!(
            (0..4).map(|_| s.check(0.0)).collect::<Vec<_>>(),
            vec![false, false, true, true]
        );
        assert!(Stopping::max_iterations(0).check(0.0));
    }

    #[test]
    fn no_improvement_by_hand() {
        let mut s = Stopping::no_improvement(2);
        // best 5 (new target), 5 (1), 4 (improved: reset), 4 (1), 4 (2 -> stop).
        let got: Vec<bool> = [5.0, 5.0, 4.0, 4.0, 4.0]
            .iter()
            .map(|&b| s.check(b))
            .collect();
        assert_eq!(got, vec![false, false, false, false, true]);
        assert!(Stopping::no_improvement(0).check(1.0));
    }

    #[test]
    fn runtime_prediction_by_hand() {
        let mut m = MaxRuntime::new(1.0).unwrap();
        let t0 = Instant::now();
        let at = |ms: u64| t0 + Duration::from_millis(ms);
        assert!(!m.check_at(at(0)));
        assert!(!m.check_at(at(300))); // predicted 0.3: 0.6 < 1
        assert!(!m.check_at(at(400))); // longest of 0.3, 0.1: 0.7 < 1
        assert!(m.check_at(at(700))); // 0.7 + 0.3 >= 1: the next iteration cannot fit
        assert!((m.overrun().unwrap() - (-0.3)).abs() < 1e-9);
        let mut zero = MaxRuntime::new(0.0).unwrap();
        assert!(zero.check_at(at(0)));
        assert!(MaxRuntime::new(-1.0).is_err());
        assert!(MaxRuntime::new(f64::NAN).is_err());
    }

    #[test]
    fn any_and_all_consult_every_member() {
        let mut any = Stopping::Any(vec![
            Stopping::max_iterations(1),
            Stopping::max_iterations(3),
        ]);
        assert!(!any.check(0.0));
        assert!(any.check(0.0));
        let mut all = Stopping::All(vec![
            Stopping::max_iterations(1),
            Stopping::max_iterations(3),
        ]);
        let got: Vec<bool> = (0..4).map(|_| all.check(0.0)).collect();
        assert_eq!(got, vec![false, false, false, true]);
    }
}
