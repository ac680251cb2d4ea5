//! Operator selection schemes, one per file as in `alns.select`. Each chooses a (destroy,
//! repair) pair allowed by the coupling matrix and learns from the outcome of its choice
//! through the four scores (new best, better, accepted, rejected).

mod alpha_ucb;
mod mab;
mod roulette_wheel;

pub use alpha_ucb::AlphaUcb;
pub use mab::MabSelector;
pub use roulette_wheel::{RouletteWheel, SegmentedRouletteWheel};

use super::engine::{Problem, Scored, Select};
use super::Outcome;
use crate::error::{param, Result};
use rand::Rng;
use rand_pcg::Pcg64;
use serde::{Deserialize, Serialize};

/// Which destroy operator may be combined with which repair operator (row-major,
/// `num_destroy x num_repair`); every destroy operator has at least one partner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Coupling {
    num_destroy: usize,
    num_repair: usize,
    allowed: Vec<bool>,
}

impl Coupling {
    /// All pairs allowed when `allowed` is `None`.
    pub fn new(num_destroy: usize, num_repair: usize, allowed: Option<Vec<bool>>) -> Result<Self> {
        if num_destroy == 0 || num_repair == 0 {
            return Err(param(
                "num_destroy",
                "missing destroy or repair operators: both counts must be positive",
            ));
        }
        let allowed = allowed.unwrap_or_else(|| vec![true; num_destroy * num_repair]);
        if allowed.len() != num_destroy * num_repair {
            return Err(param(
                "op_coupling",
                format!(
                    "has {} entries, expected a {num_destroy} x {num_repair} matrix",
                    allowed.len()
                ),
            ));
        }
        if let Some(d) = (0..num_destroy)
            .find(|&d| !allowed[d * num_repair..(d + 1) * num_repair].contains(&true))
        {
            return Err(param(
                "op_coupling",
                format!("destroy operator {d} has no coupled repair operators"),
            ));
        }
        Ok(Coupling {
            num_destroy,
            num_repair,
            allowed,
        })
    }
    pub fn shape(&self) -> (usize, usize) {
        (self.num_destroy, self.num_repair)
    }
    pub fn allowed(&self, d: usize, r: usize) -> bool {
        self.allowed[d * self.num_repair + r]
    }
    /// The allowed pairs in row-major order.
    pub fn pairs(&self) -> Vec<(usize, usize)> {
        (0..self.num_destroy)
            .flat_map(|d| (0..self.num_repair).map(move |r| (d, r)))
            .filter(|&(d, r)| self.allowed(d, r))
            .collect()
    }
}

/// Checks the four outcome scores (extra entries are ignored, as in alns).
pub fn check_scores(scores: &[f64]) -> Result<[f64; 4]> {
    if scores.len() < 4 {
        return Err(param(
            "scores",
            format!("expected four scores, found {}", scores.len()),
        ));
    }
    if let Some(s) = scores.iter().find(|s| !(s.is_finite() && **s >= 0.0)) {
        return Err(param(
            "scores",
            format!("scores must be finite and non-negative, got {s}"),
        ));
    }
    Ok([scores[0], scores[1], scores[2], scores[3]])
}

/// Every built-in selection scheme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Selection {
    /// Uniform over the allowed pairs.
    Random(Coupling),
    RouletteWheel(RouletteWheel),
    SegmentedRouletteWheel(SegmentedRouletteWheel),
    AlphaUcb(AlphaUcb),
    Mab(MabSelector),
}

impl Selection {
    pub fn coupling(&self) -> &Coupling {
        match self {
            Selection::Random(c) => c,
            Selection::RouletteWheel(s) => s.coupling(),
            Selection::SegmentedRouletteWheel(s) => s.coupling(),
            Selection::AlphaUcb(s) => s.coupling(),
            Selection::Mab(s) => s.coupling(),
        }
    }
    /// Whether `choose` and `learn` need the state's context vector.
    pub fn is_contextual(&self) -> bool {
        matches!(self, Selection::Mab(m) if m.is_contextual())
    }

    /// The next (destroy, repair) pair.
    pub fn choose(&mut self, rng: &mut Pcg64, context: Option<&[f64]>) -> Result<(usize, usize)> {
        match self {
            Selection::Random(c) => {
                let pairs = c.pairs();
                Ok(pairs[rng.random_range(0..pairs.len())])
            }
            Selection::RouletteWheel(s) => Ok(s.choose(rng)),
            Selection::SegmentedRouletteWheel(s) => Ok(s.choose(rng)),
            Selection::AlphaUcb(s) => Ok(s.choose()),
            Selection::Mab(s) => s.choose(context),
        }
    }

    /// Learns from the outcome of the pair `(d, r)`.
    pub fn learn(
        &mut self,
        d: usize,
        r: usize,
        outcome: Outcome,
        context: Option<&[f64]>,
    ) -> Result<()> {
        match self {
            Selection::Random(_) => {}
            Selection::RouletteWheel(s) => s.learn(d, r, outcome),
            Selection::SegmentedRouletteWheel(s) => s.learn(d, r, outcome),
            Selection::AlphaUcb(s) => s.learn(d, r, outcome),
            Selection::Mab(s) => s.learn(d, r, outcome, context)?,
        }
        Ok(())
    }
}

impl<P: Problem> Select<P> for Selection {
    fn shape(&self) -> (usize, usize) {
        self.coupling().shape()
    }
    fn select(
        &mut self,
        rng: &mut Pcg64,
        problem: &mut P,
        _: &Scored<P::State>,
        current: &Scored<P::State>,
    ) -> std::result::Result<(usize, usize), P::Error> {
        if self.is_contextual() {
            let x = problem.context(&current.state)?;
            return Ok(self.choose(rng, Some(&x))?);
        }
        Ok(self.choose(rng, None)?)
    }
    fn update(
        &mut self,
        problem: &mut P,
        candidate: &Scored<P::State>,
        d: usize,
        r: usize,
        outcome: Outcome,
    ) -> std::result::Result<(), P::Error> {
        if self.is_contextual() {
            let x = problem.context(&candidate.state)?;
            return Ok(self.learn(d, r, outcome, Some(&x))?);
        }
        Ok(self.learn(d, r, outcome, None)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn coupling_checks_and_random_respects_it() {
        assert!(Coupling::new(0, 1, None).is_err());
        assert!(Coupling::new(2, 2, Some(vec![true, false, false, false])).is_err());
        assert!(Coupling::new(2, 2, Some(vec![true])).is_err());
        let c = Coupling::new(2, 2, Some(vec![true, false, false, true])).unwrap();
        assert_eq!(c.pairs(), vec![(0, 0), (1, 1)]);
        let mut sel = Selection::Random(c);
        let mut rng = Pcg64::seed_from_u64(3);
        let picks: Vec<_> = (0..100)
            .map(|_| sel.choose(&mut rng, None).unwrap())
            .collect();
        assert!(picks.iter().all(|p| *p == (0, 0) || *p == (1, 1)));
        assert!(picks.contains(&(0, 0)) && picks.contains(&(1, 1)));
    }

    #[test]
    fn scores_are_checked() {
        assert!(check_scores(&[1.0, 1.0, 1.0]).is_err());
        assert!(check_scores(&[1.0, -1.0, 1.0, 1.0]).is_err());
        assert_eq!(
            check_scores(&[3.0, 2.0, 1.0, 0.5, 9.0]).unwrap(),
            [3.0, 2.0, 1.0, 0.5]
        );
    }
}
