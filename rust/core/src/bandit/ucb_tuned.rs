//! UCB1-Tuned (Auer, Cesa-Bianchi & Fischer 2002, "Finite-time Analysis of the Multiarmed
//! Bandit Problem", section 4): the bonus uses each arm's empirical variance,
//! `mean + sqrt(ln n / n_j * min(1/4, V_j))` with `V_j = var_j + sqrt(2 ln n / n_j)`.

use super::{argmax_random_tie, Algorithm, ArmStats};
use rand_pcg::Pcg64;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UcbTuned;

impl Algorithm for UcbTuned {
    fn choose(&mut self, stats: &ArmStats, arms: &[usize], x: &[f64], rng: &mut Pcg64) -> usize {
        argmax_random_tie(&self.scores(stats, arms, x), rng)
    }
    fn learn(&mut self, _: &ArmStats, _: usize, _: f64, _: &[f64]) {}
    fn scores(&self, stats: &ArmStats, arms: &[usize], _: &[f64]) -> Vec<f64> {
        let log_n = (stats.total() as f64).ln();
        arms.iter()
            .map(|&a| match stats.count(a) {
                0 => f64::INFINITY,
                c => {
                    let c = c as f64;
                    let v = stats.variance(a) + (2.0 * log_n / c).sqrt();
                    stats.mean(a) + (log_n / c * v.min(0.25)).sqrt()
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::Policy;
    use super::*;

    #[test]
    fn index_by_hand() {
        let mut p = Policy::new(UcbTuned, 0, 0);
        p.ensure_arms(2);
        p.update(0, 1.0, None).unwrap();
        p.update(0, 1.0, None).unwrap();
        p.update(1, 0.0, None).unwrap();
        p.update(1, 1.0, None).unwrap();
        let ln4 = 4f64.ln();
        // Arm 0: variance 0, V = sqrt(ln 4) > 1/4 so the min is 1/4... unless smaller.
        let v0 = (2.0 * ln4 / 2.0).sqrt();
        let e0 = 1.0 + (ln4 / 2.0 * v0.min(0.25)).sqrt();
        let v1 = 0.25 + (2.0 * ln4 / 2.0).sqrt();
        let e1 = 0.5 + (ln4 / 2.0 * v1.min(0.25)).sqrt();
        let s = p.scores(&[0, 1], None).unwrap();
        assert!((s[0] - e0).abs() < 1e-15 && (s[1] - e1).abs() < 1e-15);
    }
}
