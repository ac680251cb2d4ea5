//! Simulated bandit environments, run entirely in Rust: Bernoulli or Gaussian arms, stationary
//! or with means that change at given steps (for drifting-reward policies).

use super::Policy;
use crate::error::{param, value, Error, Result};
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};
use rand_pcg::Pcg64;

/// PCG stream (increment) reserved for environments.
const ENV_STREAM: u128 = 0x5851_f42d_4c95_7f2d_1405_7b7e_f767_814f;

/// The reward distribution of every arm.
#[derive(Debug, Clone, PartialEq)]
pub enum RewardKind {
    /// Reward 1 with probability `mean`, else 0.
    Bernoulli,
    /// Reward `mean + std * N(0, 1)` with one standard deviation per arm.
    Gaussian { stds: Vec<f64> },
}

/// A k-armed environment: initial means, and `(step, new means)` changes in increasing order.
#[derive(Debug, Clone, PartialEq)]
pub struct Environment {
    kind: RewardKind,
    means: Vec<f64>,
    changes: Vec<(u64, Vec<f64>)>,
}

impl Environment {
    pub fn new(kind: RewardKind, means: Vec<f64>, changes: Vec<(u64, Vec<f64>)>) -> Result<Self> {
        if means.is_empty() {
            return Err(Error::Empty { name: "means" });
        }
        let check_means = |m: &[f64]| -> Result<()> {
            if m.len() != means.len() {
                return Err(Error::Dimension {
                    name: "changes",
                    expected: means.len(),
                    got: m.len(),
                });
            }
            let ok = match kind {
                RewardKind::Bernoulli => m.iter().all(|p| (0.0..=1.0).contains(p)),
                RewardKind::Gaussian { .. } => m.iter().all(|p| p.is_finite()),
            };
            if ok {
                Ok(())
            } else {
                Err(param(
                    "means",
                    "Bernoulli means must lie in [0, 1], Gaussian ones be finite",
                ))
            }
        };
        check_means(&means)?;
        for (_, m) in &changes {
            check_means(m)?;
        }
        if changes.windows(2).any(|w| w[0].0 >= w[1].0) {
            return Err(param("changes", "steps must be strictly increasing"));
        }
        if let RewardKind::Gaussian { stds } = &kind {
            if stds.len() != means.len() {
                return Err(Error::Dimension {
                    name: "stds",
                    expected: means.len(),
                    got: stds.len(),
                });
            }
            if stds.iter().any(|s| !(s.is_finite() && *s >= 0.0)) {
                return Err(param("stds", "must be finite and >= 0"));
            }
        }
        Ok(Environment {
            kind,
            means,
            changes,
        })
    }

    pub fn n_arms(&self) -> usize {
        self.means.len()
    }
}

/// What a simulation returns: per step the chosen arm (position), the reward, and the
/// cumulative pseudo-regret `sum_t (max_i mu_i(t) - mu_chosen(t))`.
#[derive(Debug, Clone, PartialEq)]
pub struct Simulation {
    pub choices: Vec<i64>,
    pub rewards: Vec<f64>,
    pub regret: Vec<f64>,
}

/// Runs `policy` for `n_steps` on `env`, whose arm `i` is the policy's arm `arms[i]`.
pub fn simulate(
    policy: &mut Policy,
    arms: &[usize],
    env: &Environment,
    n_steps: usize,
    seed: u64,
) -> Result<Simulation> {
    if arms.len() != env.n_arms() {
        return Err(Error::Dimension {
            name: "arms",
            expected: env.n_arms(),
            got: arms.len(),
        });
    }
    if policy.algo().is_contextual() {
        return Err(value("policy", "simulate runs context-free policies only"));
    }
    if policy.algo().needs_unit_rewards() && matches!(env.kind, RewardKind::Gaussian { .. }) {
        return Err(value(
            "env",
            "this policy needs rewards in [0, 1]: use a Bernoulli environment",
        ));
    }
    // Validate the arms once; every step below then only meets valid input.
    policy.scores(arms, None)?;
    // A stream of its own: were the environment seeded like the policy (seed_from_u64), a policy
    // and an environment given the same seed would draw the same numbers in lockstep, and the
    // rewards would be correlated with the choices.
    let mut rng = Pcg64::new(u128::from(seed), ENV_STREAM);
    let mut means = env.means.clone();
    let mut best = means.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut next_change = 0;
    let mut out = Simulation {
        choices: Vec::with_capacity(n_steps),
        rewards: Vec::with_capacity(n_steps),
        regret: Vec::with_capacity(n_steps),
    };
    let mut regret = 0.0;
    for t in 0..n_steps as u64 {
        while let Some((step, m)) = env.changes.get(next_change) {
            if *step > t {
                break;
            }
            means.clone_from(m);
            best = means.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            next_change += 1;
        }
        let pos = policy.pull(arms, None)?;
        let reward = match &env.kind {
            RewardKind::Bernoulli => f64::from(u8::from(rng.random::<f64>() < means[pos])),
            RewardKind::Gaussian { stds } => {
                let z: f64 = StandardNormal.sample(&mut rng);
                means[pos] + stds[pos] * z
            }
        };
        policy.update(arms[pos], reward, None)?;
        regret += best - means[pos];
        out.choices.push(pos as i64);
        out.rewards.push(reward);
        out.regret.push(regret);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::{DiscountedThompson, RandomPolicy, SlidingWindowUcb, ThompsonBeta, Ucb};
    use super::*;

    fn run(algo: impl Into<super::super::Algo>, env: &Environment, n: usize) -> f64 {
        let mut p = Policy::new(algo, 0, 11);
        p.ensure_arms(env.n_arms());
        let arms: Vec<usize> = (0..env.n_arms()).collect();
        *simulate(&mut p, &arms, env, n, 3)
            .unwrap()
            .regret
            .last()
            .unwrap()
    }

    #[test]
    fn ucb_and_thompson_beat_random_on_bernoulli() {
        let env = Environment::new(
            RewardKind::Bernoulli,
            vec![0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9],
            vec![],
        )
        .unwrap();
        let random = run(RandomPolicy, &env, 20_000);
        assert!((random - 20_000.0 * 0.365).abs() < 200.0, "{random}");
        assert!(run(Ucb::new(1.0).unwrap(), &env, 20_000) < 0.2 * random);
        assert!(run(ThompsonBeta::new(1.0, 1.0).unwrap(), &env, 20_000) < 0.05 * random);
    }

    #[test]
    fn drifting_policies_beat_stationary_after_a_switch() {
        let env = Environment::new(
            RewardKind::Bernoulli,
            // The best arm collapses: a stationary policy needs as many pulls to unlearn it as it
            // spent learning it, because the other arm never moved.
            vec![0.8, 0.5],
            vec![(2_000, vec![0.2, 0.5])],
        )
        .unwrap();
        let stationary = run(ThompsonBeta::new(1.0, 1.0).unwrap(), &env, 6_000);
        let discounted = run(
            DiscountedThompson::new(0.98, 1.0, 1.0).unwrap(),
            &env,
            6_000,
        );
        assert!(
            discounted < 0.5 * stationary,
            "{discounted} vs {stationary}"
        );
        let sw = run(SlidingWindowUcb::new(200, 0.6, 1.0).unwrap(), &env, 6_000);
        let ucb = run(Ucb::new(1.0).unwrap(), &env, 6_000);
        assert!(sw < ucb, "{sw} vs {ucb}");
    }

    #[test]
    fn same_seed_for_policy_and_environment_gives_unbiased_rewards() {
        let env = Environment::new(RewardKind::Bernoulli, vec![0.2, 0.8], vec![]).unwrap();
        let mut p = Policy::new(RandomPolicy, 0, 0);
        p.ensure_arms(2);
        let sim = simulate(&mut p, &[0, 1], &env, 20_000, 0).unwrap();
        for arm in 0..2 {
            let (n, sum) = sim
                .choices
                .iter()
                .zip(&sim.rewards)
                .filter(|(c, _)| **c == arm as i64)
                .fold((0.0, 0.0), |(n, s), (_, r)| (n + 1.0, s + r));
            assert!(
                (sum / n - [0.2, 0.8][arm]).abs() < 0.02,
                "arm {arm}: {}",
                sum / n
            );
        }
    }

    #[test]
    fn bad_environments_are_rejected() {
        assert!(Environment::new(RewardKind::Bernoulli, vec![], vec![]).is_err());
        assert!(Environment::new(RewardKind::Bernoulli, vec![1.5], vec![]).is_err());
        assert!(
            Environment::new(RewardKind::Bernoulli, vec![0.5], vec![(1, vec![0.1, 0.2])]).is_err()
        );
        let g = RewardKind::Gaussian { stds: vec![1.0] };
        assert!(Environment::new(g, vec![0.0, 1.0], vec![]).is_err());
    }
}
