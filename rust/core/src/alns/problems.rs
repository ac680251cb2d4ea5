//! Problems with Rust-native operators, which run the engine without any Python: a Euclidean
//! travelling salesman with the alns documentation's operators (random, worst and path removal,
//! greedy repair), and a trivial problem that measures the engine's own overhead.

use super::engine::Problem;
use crate::error::{param, Error, Result};
use rand::seq::SliceRandom;
use rand::Rng;
use rand_pcg::Pcg64;

/// A tour (a permutation of the cities) and the cities removed from it, waiting for repair.
#[derive(Debug, Clone, PartialEq)]
pub struct Tour {
    pub order: Vec<usize>,
    pub removed: Vec<usize>,
}

/// A symmetric Euclidean TSP instance; destroy operators remove `degree` of the cities.
#[derive(Debug, Clone)]
pub struct Tsp {
    dist: Vec<f64>,
    n: usize,
    n_remove: usize,
}

impl Tsp {
    pub fn new(coords: &[(f64, f64)], degree: f64) -> Result<Self> {
        let n = coords.len();
        if n < 3 {
            return Err(param("coords", format!("needs at least 3 cities, got {n}")));
        }
        if !(degree > 0.0 && degree < 1.0) {
            return Err(param("degree", format!("must be in (0, 1), got {degree}")));
        }
        let mut dist = vec![0.0; n * n];
        for (i, a) in coords.iter().enumerate() {
            for (j, b) in coords.iter().enumerate() {
                dist[i * n + j] = ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt();
            }
        }
        let n_remove = ((n as f64 * degree) as usize).max(1);
        Ok(Tsp { dist, n, n_remove })
    }

    fn d(&self, a: usize, b: usize) -> f64 {
        self.dist[a * self.n + b]
    }

    /// The tour visiting the cities in index order.
    pub fn identity_tour(&self) -> Tour {
        Tour {
            order: (0..self.n).collect(),
            removed: vec![],
        }
    }

    /// Length of the closed tour.
    pub fn length(&self, order: &[usize]) -> f64 {
        let n = order.len();
        (0..n).map(|i| self.d(order[i], order[(i + 1) % n])).sum()
    }

    /// Saving from removing the city at position `i` of a closed tour.
    fn removal_gain(&self, order: &[usize], i: usize) -> f64 {
        let n = order.len();
        let (prev, city, next) = (order[(i + n - 1) % n], order[i], order[(i + 1) % n]);
        self.d(prev, city) + self.d(city, next) - self.d(prev, next)
    }

    fn random_removal(&self, tour: &Tour, rng: &mut Pcg64) -> Tour {
        let mut order = tour.order.clone();
        let mut removed = tour.removed.clone();
        for _ in 0..self.n_remove.min(order.len().saturating_sub(2)) {
            removed.push(order.swap_remove(rng.random_range(0..order.len())));
        }
        // swap_remove scrambles the order: restore a tour by keeping the relative order.
        let keep: Vec<bool> = {
            let mut k = vec![false; self.n];
            order.iter().for_each(|&c| k[c] = true);
            k
        };
        Tour {
            order: tour.order.iter().copied().filter(|&c| keep[c]).collect(),
            removed,
        }
    }

    fn worst_removal(&self, tour: &Tour) -> Tour {
        let mut order = tour.order.clone();
        let mut removed = tour.removed.clone();
        for _ in 0..self.n_remove.min(order.len().saturating_sub(2)) {
            let worst = (0..order.len())
                .max_by(|&a, &b| {
                    self.removal_gain(&order, a)
                        .total_cmp(&self.removal_gain(&order, b))
                })
                .unwrap_or(0);
            removed.push(order.remove(worst));
        }
        Tour { order, removed }
    }

    fn path_removal(&self, tour: &Tour, rng: &mut Pcg64) -> Tour {
        let n = tour.order.len();
        let k = self.n_remove.min(n.saturating_sub(2));
        let start = rng.random_range(0..n);
        let cut: Vec<usize> = (0..k).map(|i| (start + i) % n).collect();
        let mut removed = tour.removed.clone();
        removed.extend(cut.iter().map(|&i| tour.order[i]));
        let mut gone = vec![false; n];
        cut.iter().for_each(|&i| gone[i] = true);
        let order = (0..n)
            .filter(|&i| !gone[i])
            .map(|i| tour.order[i])
            .collect();
        Tour { order, removed }
    }

    fn greedy_repair(&self, mut tour: Tour, rng: &mut Pcg64) -> Tour {
        tour.removed.shuffle(rng);
        for city in std::mem::take(&mut tour.removed) {
            let o = &tour.order;
            let n = o.len();
            let best = (0..n)
                .map(|i| {
                    let (a, b) = (o[i], o[(i + 1) % n]);
                    (i, self.d(a, city) + self.d(city, b) - self.d(a, b))
                })
                .min_by(|x, y| x.1.total_cmp(&y.1))
                .map_or(0, |(i, _)| i);
            tour.order.insert(best + 1, city);
        }
        tour
    }
}

impl Problem for Tsp {
    type State = Tour;
    type Error = Error;

    fn num_destroy(&self) -> usize {
        3
    }
    fn num_repair(&self) -> usize {
        1
    }
    fn destroy(&mut self, op: usize, current: &Tour, rng: &mut Pcg64) -> Result<Tour> {
        Ok(match op {
            0 => self.random_removal(current, rng),
            1 => self.path_removal(current, rng),
            _ => self.worst_removal(current),
        })
    }
    fn repair(&mut self, _: usize, destroyed: Tour, rng: &mut Pcg64) -> Result<Tour> {
        Ok(self.greedy_repair(destroyed, rng))
    }
    fn objective(&mut self, state: &Tour) -> Result<f64> {
        if !state.removed.is_empty() {
            return Err(crate::error::value("state", "the tour is not repaired"));
        }
        Ok(self.length(&state.order))
    }
}

/// Operators that do nothing on a one-number state: what is left is the engine's own cost.
#[derive(Debug, Clone)]
pub struct Trivial {
    pub num_destroy: usize,
    pub num_repair: usize,
}

impl Problem for Trivial {
    type State = f64;
    type Error = Error;

    fn num_destroy(&self) -> usize {
        self.num_destroy
    }
    fn num_repair(&self) -> usize {
        self.num_repair
    }
    fn destroy(&mut self, op: usize, current: &f64, _: &mut Pcg64) -> Result<f64> {
        Ok(*current + op as f64)
    }
    fn repair(&mut self, op: usize, destroyed: f64, rng: &mut Pcg64) -> Result<f64> {
        Ok(destroyed - op as f64 + rng.random::<f64>() - 0.5)
    }
    fn objective(&mut self, state: &f64) -> Result<f64> {
        Ok(*state)
    }
    fn context(&mut self, _: &f64) -> Result<Vec<f64>> {
        Ok(vec![1.0, 0.5])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alns::accept::SimulatedAnnealing;
    use crate::alns::select::Coupling;
    use crate::alns::select::RouletteWheel;
    use crate::alns::Schedule;
    use crate::alns::{iterate, Acceptance, Selection, Stopping};
    use rand::SeedableRng;

    fn circle(n: usize) -> Vec<(f64, f64)> {
        let mut rng = Pcg64::seed_from_u64(11);
        let mut pts: Vec<(f64, f64)> = (0..n)
            .map(|i| {
                let a = i as f64 / n as f64 * std::f64::consts::TAU;
                (100.0 * a.cos(), 100.0 * a.sin())
            })
            .collect();
        pts.shuffle(&mut rng);
        pts
    }

    #[test]
    fn operators_keep_a_permutation() {
        let tsp = Tsp::new(&circle(12), 0.25).unwrap();
        let mut rng = Pcg64::seed_from_u64(0);
        let t = tsp.identity_tour();
        for op in 0..3 {
            let mut p = tsp.clone();
            let d = p.destroy(op, &t, &mut rng).unwrap();
            assert_eq!(d.order.len() + d.removed.len(), 12);
            assert_eq!(d.removed.len(), 3);
            let mut r = p.repair(0, d, &mut rng).unwrap().order;
            r.sort();
            assert_eq!(r, (0..12).collect::<Vec<_>>());
        }
    }

    #[test]
    fn alns_finds_the_circle_tour() {
        // 16 points on the unit circle: radius 100: the optimal tour is the polygon, 3200 sin(pi/16).
        let mut tsp = Tsp::new(&circle(16), 0.25).unwrap();
        let init = tsp.identity_tour();
        let init_len = tsp.length(&init.order);
        let wheel = RouletteWheel::new(
            &[25.0, 5.0, 1.0, 0.0],
            0.8,
            Coupling::new(3, 1, None).unwrap(),
        );
        let mut select = Selection::RouletteWheel(wheel.unwrap());
        let sa = SimulatedAnnealing::autofit(init_len, 0.02, 0.5, 2000, Schedule::Exponential);
        let mut accept = Acceptance::SimulatedAnnealing(sa.unwrap());
        let mut stop = Stopping::max_iterations(2000);
        let mut rng = Pcg64::seed_from_u64(1);
        let run = iterate(
            &mut tsp,
            init,
            &mut select,
            &mut accept,
            &mut stop,
            &mut rng,
        )
        .unwrap();
        assert!(run.error.is_none());
        let optimum = 3200.0 * (std::f64::consts::PI / 16.0).sin();
        assert!(
            (run.best.objective - optimum).abs() < 1e-9,
            "{}",
            run.best.objective
        );
        let s = &run.statistics;
        assert_eq!(s.iterations(), 2000);
        assert_eq!(s.runtimes.len(), 2000);
        let total: u64 = s.destroy_counts.iter().flatten().sum();
        assert_eq!(total, 2000);
        // The best objective in the record is the best state's.
        let min = s.objectives.iter().copied().fold(f64::INFINITY, f64::min);
        assert_eq!(min, run.best.objective);
    }
}
