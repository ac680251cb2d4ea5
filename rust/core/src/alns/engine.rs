//! The ALNS loop and the three traits it is driven by.

use super::{Outcome, Statistics};
use crate::error::{value, Error};
use rand_pcg::Pcg64;
use std::time::Instant;

/// A solution with its objective value, evaluated once.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored<S> {
    pub state: S,
    pub objective: f64,
}

/// What the engine needs from a problem: its operators, its objective and, for contextual
/// selectors, a context vector. `Error` carries the problem's own failures (a Python exception)
/// as well as the core's.
pub trait Problem {
    type State: Clone;
    type Error: From<Error>;

    fn num_destroy(&self) -> usize;
    fn num_repair(&self) -> usize;
    /// Destroy operator `op` applied to the current solution (which it must not modify).
    fn destroy(
        &mut self,
        op: usize,
        current: &Self::State,
        rng: &mut Pcg64,
    ) -> Result<Self::State, Self::Error>;
    /// Repair operator `op` applied to a destroyed solution.
    fn repair(
        &mut self,
        op: usize,
        destroyed: Self::State,
        rng: &mut Pcg64,
    ) -> Result<Self::State, Self::Error>;
    /// The objective to minimise.
    fn objective(&mut self, state: &Self::State) -> Result<f64, Self::Error>;
    /// The context vector of a state, read by contextual bandit selectors.
    fn context(&mut self, _state: &Self::State) -> Result<Vec<f64>, Self::Error> {
        Err(value(
            "op_select",
            "a contextual selector needs states with a context",
        )
        .into())
    }
    /// Runs the callback registered for `outcome` on the candidate, if any, and returns whether
    /// one ran (it may have changed the candidate in place).
    fn on_outcome(
        &mut self,
        _outcome: Outcome,
        _candidate: &Self::State,
        _rng: &mut Pcg64,
    ) -> Result<bool, Self::Error> {
        Ok(false)
    }
    /// Called after every iteration with the statistics so far and the best objective (a
    /// progress display); an error ends the run.
    fn on_iteration(&mut self, _stats: &Statistics, _best: f64) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// An operator selection scheme over (destroy, repair) pairs.
pub trait Select<P: Problem> {
    /// The numbers of destroy and repair operators the scheme was built for.
    fn shape(&self) -> (usize, usize);
    fn select(
        &mut self,
        rng: &mut Pcg64,
        problem: &mut P,
        best: &Scored<P::State>,
        current: &Scored<P::State>,
    ) -> Result<(usize, usize), P::Error>;
    fn update(
        &mut self,
        problem: &mut P,
        candidate: &Scored<P::State>,
        destroy: usize,
        repair: usize,
        outcome: Outcome,
    ) -> Result<(), P::Error>;
}

/// An acceptance criterion.
pub trait Accept<P: Problem> {
    fn accept(
        &mut self,
        rng: &mut Pcg64,
        problem: &mut P,
        best: &Scored<P::State>,
        current: &Scored<P::State>,
        candidate: &Scored<P::State>,
    ) -> Result<bool, P::Error>;
}

/// A stopping criterion, consulted before every iteration.
pub trait Stop<P: Problem> {
    fn stop(
        &mut self,
        rng: &mut Pcg64,
        problem: &mut P,
        best: &Scored<P::State>,
        current: &Scored<P::State>,
    ) -> Result<bool, P::Error>;
}

/// The outcome of a run: the best and last current solutions, the statistics, and the error
/// that ended the run early, if one did (everything before it is kept).
#[derive(Debug)]
pub struct Run<S, E> {
    pub best: Scored<S>,
    pub current: Scored<S>,
    pub statistics: Statistics,
    pub error: Option<E>,
}

fn evaluate<P: Problem>(problem: &mut P, state: &P::State) -> Result<f64, P::Error> {
    let objective = problem.objective(state)?;
    if objective.is_nan() {
        return Err(value("objective", "objective() returned NaN").into());
    }
    Ok(objective)
}

struct Loop<'a, P: Problem> {
    problem: &'a mut P,
    select: &'a mut dyn Select<P>,
    accept: &'a mut dyn Accept<P>,
    rng: &'a mut Pcg64,
    shape: (usize, usize),
}

impl<P: Problem> Loop<'_, P> {
    /// One destroy-repair-evaluate step; moves `best` and `current` as the outcome says.
    fn step(
        &mut self,
        best: &mut Scored<P::State>,
        current: &mut Scored<P::State>,
        stats: &mut Statistics,
    ) -> Result<(), P::Error> {
        let (d, r) = self.select.select(self.rng, self.problem, best, current)?;
        if d >= self.shape.0 || r >= self.shape.1 {
            return Err(value(
                "op_select",
                format!("selected operator pair ({d}, {r}) is out of range"),
            )
            .into());
        }
        let destroyed = self.problem.destroy(d, &current.state, self.rng)?;
        let state = self.problem.repair(r, destroyed, self.rng)?;
        let objective = evaluate(self.problem, &state)?;
        let mut candidate = Scored { state, objective };

        let mut outcome = Outcome::Reject;
        if self
            .accept
            .accept(self.rng, self.problem, best, current, &candidate)?
        {
            outcome = if candidate.objective < current.objective {
                Outcome::Better
            } else {
                Outcome::Accept
            };
        }
        // As in alns, a candidate better than the best is a new best even if the criterion
        // rejected it.
        if candidate.objective < best.objective {
            outcome = Outcome::Best;
        }
        if self
            .problem
            .on_outcome(outcome, &candidate.state, self.rng)?
            && outcome != Outcome::Reject
        {
            candidate.objective = evaluate(self.problem, &candidate.state)?;
        }
        self.select
            .update(self.problem, &candidate, d, r, outcome)?;
        match outcome {
            Outcome::Best => {
                *best = candidate.clone();
                *current = candidate;
            }
            Outcome::Reject => {}
            Outcome::Better | Outcome::Accept => *current = candidate,
        }
        stats.record(current.objective, d, r, outcome);
        Ok(())
    }
}

/// Runs ALNS from `initial` until `stop` says so or an operator fails.
///
/// Returns `Err` only when nothing could run (no operators, a selector built for other
/// operator counts, a failing initial objective); a failure during the run ends it and is
/// returned in [`Run::error`] beside the best solution found until then.
pub fn iterate<P: Problem>(
    problem: &mut P,
    initial: P::State,
    select: &mut dyn Select<P>,
    accept: &mut dyn Accept<P>,
    stop: &mut dyn Stop<P>,
    rng: &mut Pcg64,
) -> Result<Run<P::State, P::Error>, P::Error> {
    let shape = (problem.num_destroy(), problem.num_repair());
    if shape.0 == 0 || shape.1 == 0 {
        return Err(value(
            "operators",
            "missing destroy or repair operators: add at least one of each",
        )
        .into());
    }
    if select.shape() != shape {
        let (sd, sr) = select.shape();
        return Err(value(
            "op_select",
            format!(
                "built for {sd} destroy and {sr} repair operators, but {} destroy and {} \
                 repair operators were added",
                shape.0, shape.1
            ),
        )
        .into());
    }
    let objective = evaluate(problem, &initial)?;
    let mut current = Scored {
        state: initial,
        objective,
    };
    let mut best = current.clone();
    let mut stats = Statistics::new(shape.0, shape.1, objective);
    let mut error = None;
    let mut lp = Loop {
        problem,
        select,
        accept,
        rng,
        shape,
    };
    let mut last = Instant::now();
    loop {
        match stop.stop(lp.rng, lp.problem, &best, &current) {
            Ok(false) => {}
            Ok(true) => break,
            Err(e) => {
                error = Some(e);
                break;
            }
        }
        if let Err(e) = lp.step(&mut best, &mut current, &mut stats) {
            error = Some(e);
            break;
        }
        let now = Instant::now();
        stats.push_runtime(now.duration_since(last).as_secs_f64());
        last = now;
        if let Err(e) = lp.problem.on_iteration(&stats, best.objective) {
            error = Some(e);
            break;
        }
    }
    Ok(Run {
        best,
        current,
        statistics: stats,
        error,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alns::select::Coupling;
    use crate::alns::{Acceptance, Selection, Stopping};
    use rand::SeedableRng;

    /// Destroy subtracts 1, repair does nothing; the objective is the state until `fail_at`,
    /// where the destroy operator fails, and NaN below `nan_below`.
    struct Countdown {
        destroys: usize,
        fail_at: Option<usize>,
        nan_below: f64,
        callbacks: Vec<Outcome>,
    }

    impl Problem for Countdown {
        type State = f64;
        type Error = Error;
        fn num_destroy(&self) -> usize {
            1
        }
        fn num_repair(&self) -> usize {
            1
        }
        fn destroy(&mut self, _: usize, s: &f64, _: &mut Pcg64) -> Result<f64, Error> {
            self.destroys += 1;
            if Some(self.destroys) == self.fail_at {
                return Err(value("destroy", "boom"));
            }
            Ok(s - 1.0)
        }
        fn repair(&mut self, _: usize, s: f64, _: &mut Pcg64) -> Result<f64, Error> {
            Ok(s)
        }
        fn objective(&mut self, s: &f64) -> Result<f64, Error> {
            Ok(if *s < self.nan_below { f64::NAN } else { *s })
        }
        fn on_outcome(&mut self, o: Outcome, _: &f64, _: &mut Pcg64) -> Result<bool, Error> {
            self.callbacks.push(o);
            Ok(false)
        }
    }

    fn parts() -> (Selection, Acceptance, Stopping, Pcg64) {
        (
            Selection::Random(Coupling::new(1, 1, None).unwrap()),
            Acceptance::HillClimbing,
            Stopping::max_iterations(5),
            Pcg64::seed_from_u64(0),
        )
    }

    fn countdown(fail_at: Option<usize>, nan_below: f64) -> Countdown {
        Countdown {
            destroys: 0,
            fail_at,
            nan_below,
            callbacks: vec![],
        }
    }

    #[test]
    fn every_step_improves_and_statistics_follow() {
        let (mut s, mut a, mut st, mut rng) = parts();
        let mut p = countdown(None, f64::NEG_INFINITY);
        let run = iterate(&mut p, 10.0, &mut s, &mut a, &mut st, &mut rng).unwrap();
        assert_eq!(run.best.objective, 5.0);
        assert_eq!(
            run.statistics.objectives,
            vec![10.0, 9.0, 8.0, 7.0, 6.0, 5.0]
        );
        assert_eq!(run.statistics.destroy_counts, vec![[5, 0, 0, 0]]);
        assert_eq!(p.callbacks, vec![Outcome::Best; 5]);
    }

    #[test]
    fn a_failure_ends_the_run_and_keeps_the_best() {
        let (mut s, mut a, mut st, mut rng) = parts();
        let mut p = countdown(Some(3), f64::NEG_INFINITY);
        let run = iterate(&mut p, 10.0, &mut s, &mut a, &mut st, &mut rng).unwrap();
        assert_eq!(run.best.objective, 8.0);
        assert_eq!(run.statistics.iterations(), 2);
        assert!(matches!(
            run.error,
            Some(Error::InvalidValue {
                name: "destroy",
                ..
            })
        ));

        let (mut s, mut a, mut st, mut rng) = parts();
        let mut p = countdown(None, 8.5);
        let run = iterate(&mut p, 10.0, &mut s, &mut a, &mut st, &mut rng).unwrap();
        assert_eq!(run.best.objective, 9.0);
        assert!(matches!(
            run.error,
            Some(Error::InvalidValue {
                name: "objective",
                ..
            })
        ));
    }

    #[test]
    fn nothing_runs_without_operators_or_with_a_mismatched_selector() {
        let (_, mut a, mut st, mut rng) = parts();
        let mut s = Selection::Random(Coupling::new(2, 1, None).unwrap());
        let mut p = countdown(None, f64::NEG_INFINITY);
        let err = iterate(&mut p, 1.0, &mut s, &mut a, &mut st, &mut rng).unwrap_err();
        assert!(matches!(
            err,
            Error::InvalidValue {
                name: "op_select",
                ..
            }
        ));
        let mut t = crate::alns::problems::Trivial {
            num_destroy: 0,
            num_repair: 1,
        };
        let (mut s, ..) = parts();
        let err = iterate(&mut t, 1.0, &mut s, &mut a, &mut st, &mut rng).unwrap_err();
        assert!(matches!(
            err,
            Error::InvalidValue {
                name: "operators",
                ..
            }
        ));
        let mut p = countdown(None, 5.0);
        let (mut s, ..) = parts();
        assert!(iterate(&mut p, 1.0, &mut s, &mut a, &mut st, &mut rng).is_err());
    }

    #[test]
    fn great_deluge_follows_the_improvements() {
        let (mut s, _, mut st, mut rng) = parts();
        let mut a =
            Acceptance::GreatDeluge(crate::alns::accept::GreatDeluge::new(1.01, 0.99).unwrap());
        let mut p = countdown(None, f64::NEG_INFINITY);
        let run = iterate(&mut p, 10.0, &mut s, &mut a, &mut st, &mut rng).unwrap();
        assert_eq!(run.best.objective, 5.0);
    }
}
