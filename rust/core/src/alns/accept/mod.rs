//! Acceptance criteria, one per file as in `alns.accept`, each deciding from the objectives of
//! the best, current and candidate solutions (and a uniform draw for the random ones).

mod great_deluge;
mod late_acceptance;
mod moving_average;
mod random_accept;
mod record_to_record;
mod simulated_annealing;

pub use great_deluge::{GreatDeluge, NonLinearGreatDeluge};
pub use late_acceptance::LateAcceptanceHillClimbing;
pub use moving_average::MovingAverageThreshold;
pub use random_accept::RandomAccept;
pub use record_to_record::RecordToRecordTravel;
pub use simulated_annealing::SimulatedAnnealing;

use super::engine::{Accept, Problem, Scored};
use crate::Result;
use rand_pcg::Pcg64;
use serde::{Deserialize, Serialize};

/// Every built-in acceptance criterion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Acceptance {
    /// Accepts a candidate no worse than the current solution.
    HillClimbing,
    /// Accepts every candidate.
    AlwaysAccept,
    RandomAccept(RandomAccept),
    SimulatedAnnealing(SimulatedAnnealing),
    RecordToRecordTravel(RecordToRecordTravel),
    GreatDeluge(GreatDeluge),
    NonLinearGreatDeluge(NonLinearGreatDeluge),
    LateAcceptanceHillClimbing(LateAcceptanceHillClimbing),
    MovingAverageThreshold(MovingAverageThreshold),
}

impl Acceptance {
    /// Whether to accept a candidate of objective `candidate`, given the best and current
    /// objectives; advances the criterion's schedule.
    pub fn decide(
        &mut self,
        rng: &mut Pcg64,
        best: f64,
        current: f64,
        candidate: f64,
    ) -> Result<bool> {
        Ok(match self {
            Acceptance::HillClimbing => candidate <= current,
            Acceptance::AlwaysAccept => true,
            Acceptance::RandomAccept(c) => c.decide(rng, current, candidate),
            Acceptance::SimulatedAnnealing(c) => c.decide(rng, current, candidate),
            Acceptance::RecordToRecordTravel(c) => c.decide(best, current, candidate),
            Acceptance::GreatDeluge(c) => c.decide(best, candidate),
            Acceptance::NonLinearGreatDeluge(c) => c.decide(best, current, candidate)?,
            Acceptance::LateAcceptanceHillClimbing(c) => c.decide(current, candidate),
            Acceptance::MovingAverageThreshold(c) => c.decide(candidate),
        })
    }
}

impl<P: Problem> Accept<P> for Acceptance {
    fn accept(
        &mut self,
        rng: &mut Pcg64,
        _: &mut P,
        best: &Scored<P::State>,
        current: &Scored<P::State>,
        candidate: &Scored<P::State>,
    ) -> std::result::Result<bool, P::Error> {
        Ok(self.decide(rng, best.objective, current.objective, candidate.objective)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn hill_climbing_and_always_accept() {
        let mut rng = Pcg64::seed_from_u64(0);
        let mut hc = Acceptance::HillClimbing;
        assert!(hc.decide(&mut rng, 0.0, 2.0, 2.0).unwrap());
        assert!(hc.decide(&mut rng, 0.0, 2.0, 1.0).unwrap());
        assert!(!hc.decide(&mut rng, 0.0, 2.0, 2.5).unwrap());
        let mut aa = Acceptance::AlwaysAccept;
        assert!(aa.decide(&mut rng, 0.0, 1.0, 1e9).unwrap());
    }
}
