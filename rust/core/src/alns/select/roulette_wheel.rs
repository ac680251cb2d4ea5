//! Roulette wheels, as `alns.select.RouletteWheel` and `SegmentedRouletteWheel`: destroy and
//! repair operators are drawn in proportion to their weights, and a weight moves towards the
//! outcome score, `w <- decay w + (1 - decay) s`, after every use (or, segmented, once per
//! segment towards the summed scores of the segment).

use super::{check_scores, Coupling};
use crate::alns::Outcome;
use crate::bandit::sample_weighted;
use crate::error::{param, Result};
use rand::Rng;
use rand_pcg::Pcg64;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouletteWheel {
    scores: [f64; 4],
    decay: f64,
    coupling: Coupling,
    destroy_weights: Vec<f64>,
    repair_weights: Vec<f64>,
}

/// A position drawn in proportion to `weights` (uniformly when they are all zero).
fn draw(weights: &[f64], rng: &mut Pcg64) -> usize {
    if weights.iter().sum::<f64>() > 0.0 {
        sample_weighted(weights, rng)
    } else {
        rng.random_range(0..weights.len())
    }
}

impl RouletteWheel {
    pub fn new(scores: &[f64], decay: f64, coupling: Coupling) -> Result<Self> {
        let scores = check_scores(scores)?;
        if !(0.0..=1.0).contains(&decay) {
            return Err(param("decay", format!("must be in [0, 1], got {decay}")));
        }
        let (nd, nr) = coupling.shape();
        Ok(RouletteWheel {
            scores,
            decay,
            coupling,
            destroy_weights: vec![1.0; nd],
            repair_weights: vec![1.0; nr],
        })
    }
    pub fn coupling(&self) -> &Coupling {
        &self.coupling
    }
    pub fn scores(&self) -> [f64; 4] {
        self.scores
    }
    pub fn decay(&self) -> f64 {
        self.decay
    }
    pub fn destroy_weights(&self) -> &[f64] {
        &self.destroy_weights
    }
    pub fn repair_weights(&self) -> &[f64] {
        &self.repair_weights
    }

    pub(super) fn choose(&self, rng: &mut Pcg64) -> (usize, usize) {
        let d = draw(&self.destroy_weights, rng);
        let partners: Vec<usize> = (0..self.repair_weights.len())
            .filter(|&r| self.coupling.allowed(d, r))
            .collect();
        let weights: Vec<f64> = partners.iter().map(|&r| self.repair_weights[r]).collect();
        (d, partners[draw(&weights, rng)])
    }

    pub(super) fn learn(&mut self, d: usize, r: usize, outcome: Outcome) {
        let s = self.scores[outcome.index()];
        for w in [&mut self.destroy_weights[d], &mut self.repair_weights[r]] {
            *w *= self.decay;
            *w += (1.0 - self.decay) * s;
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentedRouletteWheel {
    wheel: RouletteWheel,
    seg_length: u64,
    iteration: u64,
    destroy_segment: Vec<f64>,
    repair_segment: Vec<f64>,
}

impl SegmentedRouletteWheel {
    pub fn new(scores: &[f64], decay: f64, seg_length: u64, coupling: Coupling) -> Result<Self> {
        let wheel = RouletteWheel::new(scores, decay, coupling)?;
        if seg_length < 1 {
            return Err(param("seg_length", "must be >= 1"));
        }
        let (nd, nr) = wheel.coupling.shape();
        Ok(SegmentedRouletteWheel {
            wheel,
            seg_length,
            iteration: 0,
            destroy_segment: vec![0.0; nd],
            repair_segment: vec![0.0; nr],
        })
    }
    pub fn wheel(&self) -> &RouletteWheel {
        &self.wheel
    }
    pub fn coupling(&self) -> &Coupling {
        &self.wheel.coupling
    }
    pub fn seg_length(&self) -> u64 {
        self.seg_length
    }

    /// Counts the iteration, closes the segment when it is complete, then draws.
    pub(super) fn choose(&mut self, rng: &mut Pcg64) -> (usize, usize) {
        self.iteration += 1;
        if self.iteration % self.seg_length == 0 {
            let decay = self.wheel.decay;
            let pairs = [
                (&mut self.wheel.destroy_weights, &mut self.destroy_segment),
                (&mut self.wheel.repair_weights, &mut self.repair_segment),
            ];
            for (weights, segment) in pairs {
                for (w, s) in weights.iter_mut().zip(segment.iter_mut()) {
                    *w = *w * decay + (1.0 - decay) * *s;
                    *s = 0.0;
                }
            }
        }
        self.wheel.choose(rng)
    }

    pub(super) fn learn(&mut self, d: usize, r: usize, outcome: Outcome) {
        let s = self.wheel.scores[outcome.index()];
        self.destroy_segment[d] += s;
        self.repair_segment[r] += s;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_pcg::Pcg64;

    #[test]
    fn weights_after_outcomes_by_hand() {
        let c = Coupling::new(2, 2, None).unwrap();
        let mut rw = RouletteWheel::new(&[4.0, 3.0, 2.0, 1.0], 0.5, c).unwrap();
        rw.learn(0, 1, Outcome::Best); // d0: 0.5 + 2 = 2.5, r1: 2.5
        rw.learn(0, 0, Outcome::Reject); // d0: 1.25 + 0.5 = 1.75, r0: 0.5 + 0.5 = 1
        rw.learn(1, 1, Outcome::Accept); // d1: 0.5 + 1 = 1.5, r1: 1.25 + 1 = 2.25
        assert_eq!(rw.destroy_weights(), &[1.75, 1.5]);
        assert_eq!(rw.repair_weights(), &[1.0, 2.25]);
    }

    #[test]
    fn draws_follow_weights_and_coupling() {
        let c = Coupling::new(2, 3, Some(vec![true, true, false, false, false, true])).unwrap();
        let mut rw = RouletteWheel::new(&[1.0, 1.0, 1.0, 0.0], 0.0, c).unwrap();
        rw.learn(0, 0, Outcome::Reject); // d0 -> 0, r0 -> 0
        let mut rng = Pcg64::seed_from_u64(5);
        for _ in 0..200 {
            // Destroy 0 now has weight 0, so destroy 1 is drawn, with its one partner.
            assert_eq!(rw.choose(&mut rng), (1, 2));
        }
    }

    #[test]
    fn segments_by_hand() {
        let c = Coupling::new(1, 1, None).unwrap();
        let mut srw = SegmentedRouletteWheel::new(&[4.0, 3.0, 2.0, 1.0], 0.5, 2, c).unwrap();
        let mut rng = Pcg64::seed_from_u64(0);
        srw.choose(&mut rng); // iteration 1: no segment end
        srw.learn(0, 0, Outcome::Best);
        srw.choose(&mut rng); // iteration 2: weights 0.5 * 1 + 0.5 * 4 = 2.5
        assert_eq!(srw.wheel().destroy_weights(), &[2.5]);
        srw.learn(0, 0, Outcome::Better);
        srw.learn(0, 0, Outcome::Reject);
        srw.choose(&mut rng); // iteration 3
        assert_eq!(srw.wheel().destroy_weights(), &[2.5]);
        srw.choose(&mut rng); // iteration 4: 0.5 * 2.5 + 0.5 * (3 + 1) = 3.25
        assert_eq!(srw.wheel().repair_weights(), &[3.25]);
        assert!(
            SegmentedRouletteWheel::new(&[1.0; 4], 0.5, 0, Coupling::new(1, 1, None).unwrap())
                .is_err()
        );
    }
}
