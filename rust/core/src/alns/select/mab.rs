//! Any of the core's bandit policies as an operator selector (as `alns.select.MABSelector`
//! does with MABWiser, and Balans for MIP): each allowed (destroy, repair) pair is an arm, and
//! the arm's reward is the score of the outcome. Contextual policies (LinUCB, LinTS) read the
//! current state's context when choosing and the candidate's when learning.

use super::{check_scores, Coupling};
use crate::alns::Outcome;
use crate::bandit::Policy;
use crate::error::{param, value, Result};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MabSelector {
    scores: [f64; 4],
    coupling: Coupling,
    pairs: Vec<(usize, usize)>,
    arms: Vec<usize>,
    policy: Policy,
}

impl MabSelector {
    pub fn new(scores: &[f64], coupling: Coupling, mut policy: Policy) -> Result<Self> {
        let scores = check_scores(scores)?;
        if policy.algo().needs_unit_rewards() {
            if let Some(s) = scores.iter().find(|&&s| s > 1.0) {
                return Err(param(
                    "scores",
                    format!(
                        "this learning policy needs rewards in [0, 1], but a score is {s} \
                         (Balans uses [1, 1, 0, 0] or [1, 1, 1, 0] with Thompson sampling)"
                    ),
                ));
            }
        }
        let pairs = coupling.pairs();
        policy.ensure_arms(pairs.len());
        Ok(MabSelector {
            scores,
            coupling,
            arms: (0..pairs.len()).collect(),
            pairs,
            policy,
        })
    }
    pub fn coupling(&self) -> &Coupling {
        &self.coupling
    }
    pub fn scores(&self) -> [f64; 4] {
        self.scores
    }
    pub fn policy(&self) -> &Policy {
        &self.policy
    }
    pub fn is_contextual(&self) -> bool {
        self.policy.algo().is_contextual()
    }
    /// The allowed pairs, in arm order.
    pub fn pairs(&self) -> &[(usize, usize)] {
        &self.pairs
    }

    pub(super) fn choose(&mut self, context: Option<&[f64]>) -> Result<(usize, usize)> {
        let pos = self.policy.pull(&self.arms, context)?;
        Ok(self.pairs[pos])
    }

    pub(super) fn learn(
        &mut self,
        d: usize,
        r: usize,
        outcome: Outcome,
        context: Option<&[f64]>,
    ) -> Result<()> {
        let arm = self
            .pairs
            .iter()
            .position(|&p| p == (d, r))
            .ok_or_else(|| value("d_idx", format!("({d}, {r}) is not an allowed pair")))?;
        self.policy
            .update(arm, self.scores[outcome.index()], context)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bandit::{EpsilonGreedy, LinUcbDisjoint, ThompsonBeta, Ucb};

    #[test]
    fn ucb_plays_every_pair_then_the_rewarded_one() {
        let c = Coupling::new(2, 2, Some(vec![true, true, false, true])).unwrap();
        let policy = Policy::new(Ucb::new(1.0).unwrap(), 0, 0);
        let mut mab = MabSelector::new(&[10.0, 5.0, 1.0, 0.0], c, policy).unwrap();
        let mut seen = vec![];
        for _ in 0..3 {
            let (d, r) = mab.choose(None).unwrap();
            seen.push((d, r));
            let outcome = if (d, r) == (1, 1) {
                Outcome::Best
            } else {
                Outcome::Reject
            };
            mab.learn(d, r, outcome, None).unwrap();
        }
        seen.sort();
        assert_eq!(seen, vec![(0, 0), (0, 1), (1, 1)]);
        // Means 0, 0, 10 after one pull each: (1, 1) leads by far.
        assert_eq!(mab.choose(None).unwrap(), (1, 1));
        assert!(mab.learn(1, 0, Outcome::Best, None).is_err());
    }

    #[test]
    fn unit_policies_need_unit_scores_and_contexts_are_checked() {
        let c = || Coupling::new(1, 2, None).unwrap();
        let ts = || Policy::new(ThompsonBeta::new(1.0, 1.0).unwrap(), 0, 0);
        assert!(MabSelector::new(&[8.0, 4.0, 2.0, 1.0], c(), ts()).is_err());
        assert!(MabSelector::new(&[1.0, 1.0, 0.0, 0.0], c(), ts()).is_ok());
        let eg = Policy::new(EpsilonGreedy::new(0.1, 0.0).unwrap(), 0, 0);
        assert!(!MabSelector::new(&[8.0, 4.0, 2.0, 1.0], c(), eg)
            .unwrap()
            .is_contextual());
        let lin = Policy::new(LinUcbDisjoint::new(1.0, 1.0, None).unwrap(), 0, 0);
        let mut mab = MabSelector::new(&[1.0, 0.0, 0.0, 0.0], c(), lin).unwrap();
        assert!(mab.is_contextual());
        // Arm (0, 1) rewarded under context [1]: LinUCB prefers it there.
        mab.learn(0, 1, Outcome::Best, Some(&[1.0])).unwrap();
        mab.learn(0, 0, Outcome::Reject, Some(&[1.0])).unwrap();
        assert_eq!(mab.choose(Some(&[1.0])).unwrap(), (0, 1));
        assert!(mab.choose(Some(&[f64::NAN])).is_err());
    }
}
