//! Multi-armed bandit policies.
//!
//! A [`Policy`] owns what every policy shares (per-arm counts and reward means, the burn-in
//! phase, a seeded generator) and one [`Algo`], the rule that picks an arm. Arms are dense
//! indices `0..n_arms`; the bindings map user arm ids onto them. Every call validates its input
//! before it mutates anything, so a rejected call leaves the policy exactly as it was.
//!
//! [`ArmSelector`] is the small trait that other components (the ALNS engine) use to drive any
//! policy without knowing which one it is.

mod bayes_linear;
pub mod bayes_ucb;
pub mod cheb_cb;
pub mod discounted_thompson;
pub mod discounted_ucb;
pub mod env;
pub mod epsilon_greedy;
pub mod exp3;
pub mod exp3_ix;
pub mod gaussian_thompson;
pub mod kl_ucb;
pub mod lin_ts;
pub mod lin_ucb;
pub mod random;
pub mod sliding_window_ucb;
pub mod softmax;
pub mod thompson;
pub mod tsallis_inf;
pub mod ucb;
pub mod ucb_tuned;

use crate::error::{value, Error, Result};
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64;
use serde::{Deserialize, Serialize};

pub use bayes_ucb::BayesUcb;
pub use cheb_cb::ChebCb;
pub use discounted_thompson::DiscountedThompson;
pub use discounted_ucb::DiscountedUcb;
pub use env::{simulate, Environment, RewardKind, Simulation};
pub use epsilon_greedy::EpsilonGreedy;
pub use exp3::Exp3;
pub use exp3_ix::Exp3Ix;
pub use gaussian_thompson::GaussianThompson;
pub use kl_ucb::KlUcb;
pub use lin_ts::LinTs;
pub use lin_ucb::LinUcbDisjoint;
pub use random::RandomPolicy;
pub use sliding_window_ucb::SlidingWindowUcb;
pub use softmax::Softmax;
pub use thompson::ThompsonBeta;
pub use tsallis_inf::TsallisInf;
pub use ucb::Ucb;
pub use ucb_tuned::UcbTuned;

/// Drives any bandit policy: the interface the ALNS engine uses to pick operators.
pub trait ArmSelector {
    /// Chooses one of `arms` (dense arm indices) and returns the chosen arm index.
    fn select(&mut self, arms: &[usize], context: Option<&[f64]>) -> Result<usize>;
    /// Feeds back the reward obtained by `arm`.
    fn update(&mut self, arm: usize, reward: f64, context: Option<&[f64]>) -> Result<()>;
}

/// Per-arm sufficient statistics shared by all policies: update counts, running mean and sum of
/// squared deviations (Welford) of the rewards, and the order in which arms were first rewarded.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ArmStats {
    counts: Vec<u64>,
    means: Vec<f64>,
    m2: Vec<f64>,
    n: u64,
    first_rewarded: Vec<usize>,
}

impl ArmStats {
    fn ensure(&mut self, n_arms: usize) {
        if self.counts.len() < n_arms {
            self.counts.resize(n_arms, 0);
            self.means.resize(n_arms, 0.0);
            self.m2.resize(n_arms, 0.0);
        }
    }

    fn record(&mut self, arm: usize, reward: f64) {
        if self.counts[arm] == 0 {
            self.first_rewarded.push(arm);
        }
        self.counts[arm] += 1;
        self.n += 1;
        // Same update order as river's stats.Mean, so that means agree to the last bit.
        let c = self.counts[arm] as f64;
        let delta = reward - self.means[arm];
        self.means[arm] += (1.0 / c) * delta;
        self.m2[arm] += delta * (reward - self.means[arm]);
    }

    /// Number of rewards received by `arm`.
    pub fn count(&self, arm: usize) -> u64 {
        self.counts.get(arm).copied().unwrap_or(0)
    }
    /// Mean reward of `arm` (0 before its first reward, as river's `stats.Mean`).
    pub fn mean(&self, arm: usize) -> f64 {
        self.means.get(arm).copied().unwrap_or(0.0)
    }
    /// Population variance of `arm`'s rewards.
    pub fn variance(&self, arm: usize) -> f64 {
        match self.count(arm) {
            0 => 0.0,
            c => self.m2[arm] / c as f64,
        }
    }
    /// Total number of rewards received.
    pub fn total(&self) -> u64 {
        self.n
    }
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }
    pub fn means(&self) -> &[f64] {
        &self.means
    }
}

/// Which rewards a policy accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RewardDomain {
    /// Any finite number.
    Real,
    /// A number in `[0, 1]` (Beta posteriors, KL divergences, Exp3's importance weights).
    Unit,
}

/// The rule of one policy. `choose` returns a position in `arms`, which is never empty and holds
/// only known arms; `learn` is called before the shared statistics record the reward.
pub(crate) trait Algorithm {
    fn reward_domain(&self) -> RewardDomain {
        RewardDomain::Real
    }
    fn ensure_arms(&mut self, _n_arms: usize) {}
    /// Rejects a context the rule cannot read (beyond the finiteness every policy checks).
    fn check_context(&self, _x: &[f64]) -> Result<()> {
        Ok(())
    }
    fn choose(&mut self, stats: &ArmStats, arms: &[usize], x: &[f64], rng: &mut Pcg64) -> usize;
    fn learn(&mut self, stats: &ArmStats, arm: usize, reward: f64, x: &[f64]);
    /// The number each arm is ranked by at this step, without drawing randomness: an upper
    /// confidence bound, a selection probability, or a posterior mean for sampling policies.
    fn scores(&self, stats: &ArmStats, arms: &[usize], x: &[f64]) -> Vec<f64>;
}

/// Position of the largest score, ties broken uniformly at random (as river's UCB does).
pub(crate) fn argmax_random_tie(scores: &[f64], rng: &mut Pcg64) -> usize {
    let best = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let n_best = scores.iter().filter(|&&s| s == best).count();
    if n_best <= 1 {
        return scores.iter().position(|&s| s == best).unwrap_or(0);
    }
    let pick = rng.random_range(0..n_best);
    scores
        .iter()
        .enumerate()
        .filter(|(_, &s)| s == best)
        .nth(pick)
        .map_or(0, |(i, _)| i)
}

/// Position of the first largest score (as Python's `max`).
pub(crate) fn argmax_first(scores: &[f64]) -> usize {
    let mut best = 0;
    for (i, &s) in scores.iter().enumerate() {
        if s > scores[best] || (scores[best].is_nan() && !s.is_nan()) {
            best = i;
        }
    }
    best
}

/// Draws a position with probability proportional to `weights` (non-negative, positive sum).
pub(crate) fn sample_weighted(weights: &[f64], rng: &mut Pcg64) -> usize {
    let total: f64 = weights.iter().sum();
    let mut u = rng.random::<f64>() * total;
    for (i, &w) in weights.iter().enumerate() {
        if u < w {
            return i;
        }
        u -= w;
    }
    // Rounding can leave u a hair above the last cumulative weight: take the last positive one.
    weights.iter().rposition(|&w| w > 0.0).unwrap_or(0)
}

/// Softmax of `logits` into probabilities, computed stably.
pub(crate) fn softmax(logits: &[f64]) -> Vec<f64> {
    let max = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let exps: Vec<f64> = logits.iter().map(|l| (l - max).exp()).collect();
    let total: f64 = exps.iter().sum();
    exps.into_iter().map(|e| e / total).collect()
}

macro_rules! algos {
    ($($variant:ident($ty:ty)),* $(,)?) => {
        /// Every policy rule the core implements.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        pub enum Algo { $($variant($ty)),* }

        $(impl From<$ty> for Algo { fn from(a: $ty) -> Self { Algo::$variant(a) } })*

        impl Algo {
            fn inner(&self) -> &dyn Algorithm { match self { $(Algo::$variant(a) => a),* } }
            fn inner_mut(&mut self) -> &mut dyn Algorithm { match self { $(Algo::$variant(a) => a),* } }
        }
    };
}

algos!(
    EpsilonGreedy(EpsilonGreedy),
    Ucb(Ucb),
    UcbTuned(UcbTuned),
    KlUcb(KlUcb),
    ThompsonBeta(ThompsonBeta),
    GaussianThompson(GaussianThompson),
    BayesUcb(BayesUcb),
    Exp3(Exp3),
    Exp3Ix(Exp3Ix),
    Softmax(Softmax),
    RandomPolicy(RandomPolicy),
    DiscountedUcb(DiscountedUcb),
    SlidingWindowUcb(SlidingWindowUcb),
    DiscountedThompson(DiscountedThompson),
    LinUcbDisjoint(LinUcbDisjoint),
    LinTs(LinTs),
    TsallisInf(TsallisInf),
    ChebCb(ChebCb),
);

impl Algo {
    /// Whether the rule reads a context vector.
    pub fn is_contextual(&self) -> bool {
        matches!(
            self,
            Algo::LinUcbDisjoint(_) | Algo::LinTs(_) | Algo::ChebCb(_)
        )
    }
    /// Whether rewards must lie in `[0, 1]`.
    pub fn needs_unit_rewards(&self) -> bool {
        self.inner().reward_domain() == RewardDomain::Unit
    }
}

/// A bandit policy: the shared statistics, the burn-in phase, a seeded generator and one rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Policy {
    algo: Algo,
    stats: ArmStats,
    burn_in: u64,
    rng: Pcg64,
    n_arms: usize,
}

const NO_CONTEXT: &[f64] = &[];

impl Policy {
    /// A policy with no arms yet. `burn_in` is river's: each arm offered to `pull` is returned
    /// until it has received `burn_in` rewards.
    pub fn new(algo: impl Into<Algo>, burn_in: u64, seed: u64) -> Self {
        Policy {
            algo: algo.into(),
            stats: ArmStats::default(),
            burn_in,
            rng: Pcg64::seed_from_u64(seed),
            n_arms: 0,
        }
    }

    pub fn algo(&self) -> &Algo {
        &self.algo
    }
    pub fn stats(&self) -> &ArmStats {
        &self.stats
    }
    pub fn n_arms(&self) -> usize {
        self.n_arms
    }
    pub fn burn_in(&self) -> u64 {
        self.burn_in
    }

    /// Makes room for arms `0..n_arms` (arms can appear at any time).
    pub fn ensure_arms(&mut self, n_arms: usize) {
        if n_arms > self.n_arms {
            self.n_arms = n_arms;
            self.stats.ensure(n_arms);
            self.algo.inner_mut().ensure_arms(n_arms);
        }
    }

    fn check_arms(&self, arms: &[usize]) -> Result<()> {
        if arms.is_empty() {
            return Err(Error::Empty { name: "arm_ids" });
        }
        match arms.iter().find(|&&a| a >= self.n_arms) {
            Some(a) => Err(Error::UnknownKey {
                what: "arm",
                key: a.to_string(),
            }),
            None => Ok(()),
        }
    }

    fn check_context<'a>(&self, context: Option<&'a [f64]>) -> Result<&'a [f64]> {
        let x = context.unwrap_or(NO_CONTEXT);
        if let Some(v) = x.iter().find(|v| !v.is_finite()) {
            return Err(value(
                "context",
                format!("features must be finite, got {v}"),
            ));
        }
        if self.algo.is_contextual() {
            self.algo.inner().check_context(x)?;
        }
        Ok(x)
    }

    fn check_reward(&self, reward: f64) -> Result<()> {
        if !reward.is_finite() {
            return Err(value("reward", format!("must be finite, got {reward}")));
        }
        if self.algo.needs_unit_rewards() && !(0.0..=1.0).contains(&reward) {
            return Err(value(
                "reward",
                format!("this policy needs rewards in [0, 1], got {reward}"),
            ));
        }
        Ok(())
    }

    /// Chooses among `arms` and returns the chosen position in `arms`.
    pub fn pull(&mut self, arms: &[usize], context: Option<&[f64]>) -> Result<usize> {
        self.check_arms(arms)?;
        let x = self.check_context(context)?;
        if self.burn_in > 0 {
            if let Some(pos) = arms
                .iter()
                .position(|&a| self.stats.count(a) < self.burn_in)
            {
                return Ok(pos);
            }
        }
        Ok(self
            .algo
            .inner_mut()
            .choose(&self.stats, arms, x, &mut self.rng))
    }

    /// Records `reward` for `arm`.
    pub fn update(&mut self, arm: usize, reward: f64, context: Option<&[f64]>) -> Result<()> {
        self.check_arms(std::slice::from_ref(&arm))?;
        let x = self.check_context(context)?;
        self.check_reward(reward)?;
        self.algo.inner_mut().learn(&self.stats, arm, reward, x);
        self.stats.record(arm, reward);
        Ok(())
    }

    /// `n` decisions from the current state with no update in between (a batch of decisions
    /// taken before their rewards are known). Returns positions in `arms`.
    pub fn pull_many(&mut self, arms: &[usize], n: usize) -> Result<Vec<usize>> {
        self.check_arms(arms)?;
        if self.algo.is_contextual() {
            return Err(value(
                "context",
                "a contextual policy needs one context per decision: call pull",
            ));
        }
        (0..n).map(|_| self.pull(arms, None)).collect()
    }

    /// Applies `rewards[i]` to `chosen[i]` in order; every pair is validated before any applies.
    pub fn update_many(&mut self, chosen: &[usize], rewards: &[f64]) -> Result<()> {
        if chosen.len() != rewards.len() {
            return Err(Error::Dimension {
                name: "rewards",
                expected: chosen.len(),
                got: rewards.len(),
            });
        }
        if self.algo.is_contextual() {
            return Err(value(
                "context",
                "a contextual policy needs one context per reward: call update",
            ));
        }
        if !chosen.is_empty() {
            self.check_arms(chosen)?;
        }
        for &r in rewards {
            self.check_reward(r)?;
        }
        for (&arm, &r) in chosen.iter().zip(rewards) {
            self.algo.inner_mut().learn(&self.stats, arm, r, NO_CONTEXT);
            self.stats.record(arm, r);
        }
        Ok(())
    }

    /// The number each arm in `arms` is ranked by now (see the rule's documentation).
    pub fn scores(&self, arms: &[usize], context: Option<&[f64]>) -> Result<Vec<f64>> {
        self.check_arms(arms)?;
        let x = self.check_context(context)?;
        Ok(self.algo.inner().scores(&self.stats, arms, x))
    }

    /// Rewarded arms by decreasing mean reward; ties keep the order of first reward (river's
    /// `ranking` sorts its insertion-ordered dict the same way).
    pub fn ranking(&self) -> Vec<usize> {
        let mut order = self.stats.first_rewarded.clone();
        order.sort_by(|&a, &b| self.stats.mean(b).total_cmp(&self.stats.mean(a)));
        order
    }

    /// Pools the shared statistics of another policy into this one (counts and means are
    /// additive), for shards learned in parallel. `mapping[j]` is this policy's index of the
    /// other's arm `j`. The rule's own state is kept as it is.
    pub fn merge_stats(&mut self, other: &ArmStats, mapping: &[usize]) -> Result<()> {
        if mapping.len() < other.counts.len() {
            return Err(Error::Dimension {
                name: "mapping",
                expected: other.counts.len(),
                got: mapping.len(),
            });
        }
        if let Some(&m) = mapping.iter().max() {
            self.ensure_arms(m + 1);
        }
        let s = &mut self.stats;
        for (j, &arm) in mapping.iter().enumerate().take(other.counts.len()) {
            let (na, nb) = (s.counts[arm] as f64, other.counts[j] as f64);
            if nb == 0.0 {
                continue;
            }
            if na == 0.0 {
                s.first_rewarded.push(arm);
            }
            // Chan et al.'s pairwise update of mean and sum of squared deviations.
            let n = na + nb;
            let delta = other.means[j] - s.means[arm];
            s.means[arm] += delta * nb / n;
            s.m2[arm] += other.m2[j] + delta * delta * na * nb / n;
            s.counts[arm] += other.counts[j];
        }
        s.n += other.n;
        Ok(())
    }
}

impl ArmSelector for Policy {
    fn select(&mut self, arms: &[usize], context: Option<&[f64]>) -> Result<usize> {
        let pos = self.pull(arms, context)?;
        Ok(arms[pos])
    }
    fn update(&mut self, arm: usize, reward: f64, context: Option<&[f64]>) -> Result<()> {
        Policy::update(self, arm, reward, context)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rng() -> Pcg64 {
        Pcg64::seed_from_u64(7)
    }

    #[test]
    fn arm_stats_mean_and_variance_by_hand() {
        let mut s = ArmStats::default();
        s.ensure(2);
        for r in [1.0, 2.0, 4.0] {
            s.record(1, r);
        }
        assert_eq!(s.count(1), 3);
        assert!((s.mean(1) - 7.0 / 3.0).abs() < 1e-15);
        // Deviations from 7/3: -4/3, -1/3, 5/3, squares sum to 42/9, population variance 14/9.
        assert!((s.variance(1) - 14.0 / 9.0).abs() < 1e-14);
        assert_eq!(s.total(), 3);
        assert_eq!(s.count(0), 0);
    }

    #[test]
    fn argmax_helpers() {
        assert_eq!(argmax_first(&[1.0, 3.0, 3.0]), 1);
        let mut r = rng();
        let picks: Vec<usize> = (0..200)
            .map(|_| argmax_random_tie(&[1.0, 3.0, 3.0], &mut r))
            .collect();
        assert!(picks.contains(&1) && picks.contains(&2) && !picks.contains(&0));
        assert_eq!(argmax_random_tie(&[5.0, 3.0], &mut r), 0);
    }

    #[test]
    fn rejected_calls_leave_policy_unchanged() {
        let mut p = Policy::new(Ucb::new(1.0).unwrap(), 0, 1);
        p.ensure_arms(3);
        p.update(0, 0.5, None).unwrap();
        let before = p.clone();
        assert!(matches!(p.pull(&[], None), Err(Error::Empty { .. })));
        assert!(matches!(
            p.update(5, 1.0, None),
            Err(Error::UnknownKey { .. })
        ));
        assert!(p.update(1, f64::NAN, None).is_err());
        assert!(p.update_many(&[0, 1], &[1.0, f64::INFINITY]).is_err());
        assert!(p.update_many(&[0, 7], &[1.0, 1.0]).is_err());
        assert_eq!(p, before);
    }

    #[test]
    fn burn_in_offers_each_arm_first() {
        let mut p = Policy::new(EpsilonGreedy::new(0.0, 0.0).unwrap(), 2, 1);
        p.ensure_arms(3);
        let mut pulled = vec![];
        for _ in 0..6 {
            let pos = p.pull(&[0, 1, 2], None).unwrap();
            pulled.push(pos);
            p.update(pos, 0.0, None).unwrap();
        }
        assert_eq!(pulled, vec![0, 0, 1, 1, 2, 2]);
    }

    #[test]
    fn ranking_sorts_by_mean_then_first_reward() {
        let mut p = Policy::new(Ucb::new(1.0).unwrap(), 0, 1);
        p.ensure_arms(3);
        p.update(2, 0.5, None).unwrap();
        p.update(0, 0.5, None).unwrap();
        p.update(1, 0.9, None).unwrap();
        assert_eq!(p.ranking(), vec![1, 2, 0]);
    }

    #[test]
    fn merge_pools_counts_and_means() {
        let mut a = Policy::new(Ucb::new(1.0).unwrap(), 0, 1);
        let mut b = a.clone();
        a.ensure_arms(2);
        b.ensure_arms(2);
        a.update(0, 1.0, None).unwrap();
        b.update(0, 0.0, None).unwrap();
        b.update(0, 0.5, None).unwrap();
        b.update(1, 0.2, None).unwrap();
        a.merge_stats(b.stats(), &[0, 1]).unwrap();
        assert_eq!(a.stats().counts(), &[3, 1]);
        assert!((a.stats().mean(0) - 0.5).abs() < 1e-15);
        assert!((a.stats().variance(0) - 1.0 / 6.0).abs() < 1e-15);
        assert_eq!(a.stats().total(), 4);
    }

    #[test]
    fn snapshot_round_trip_continues_identically() {
        let mut p = Policy::new(ThompsonBeta::new(1.0, 1.0).unwrap(), 0, 3);
        p.ensure_arms(4);
        for t in 0..50 {
            let pos = p.pull(&[0, 1, 2, 3], None).unwrap();
            p.update(pos, (t % 2) as f64, None).unwrap();
        }
        let bytes = crate::snapshot::to_bytes(&p).unwrap();
        let mut q: Policy = crate::snapshot::from_bytes(&bytes).unwrap();
        assert_eq!(crate::snapshot::to_bytes(&q).unwrap(), bytes);
        for _ in 0..50 {
            assert_eq!(
                p.pull(&[0, 1, 2, 3], None).unwrap(),
                q.pull(&[0, 1, 2, 3], None).unwrap()
            );
        }
    }
}
