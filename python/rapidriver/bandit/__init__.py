"""Bandit policies with river's `pull`/`update` API, their state and decisions in Rust.

Every class subclasses `river.bandit.base.Policy` (or `ContextualPolicy`), so
`river.bandit.evaluate`, `evaluate_offline` and river's environments accept it unchanged.
"""

from rapidriver.bandit.base import RustContextualPolicy, RustPolicy
from rapidriver.bandit.bayes_ucb import BayesUCB
from rapidriver.bandit.cheb_cb import ChebCB
from rapidriver.bandit.discounted_thompson import DiscountedThompsonSampling
from rapidriver.bandit.discounted_ucb import DiscountedUCB
from rapidriver.bandit.epsilon_greedy import EpsilonGreedy
from rapidriver.bandit.exp3 import Exp3
from rapidriver.bandit.exp3_ix import Exp3IX
from rapidriver.bandit.gaussian_thompson import GaussianThompsonSampling
from rapidriver.bandit.kl_ucb import KLUCB
from rapidriver.bandit.lin_ts import LinTS
from rapidriver.bandit.lin_ucb import LinUCBDisjoint
from rapidriver.bandit.random import RandomPolicy
from rapidriver.bandit.simulate import BernoulliEnv, GaussianEnv, SimulationResult, simulate
from rapidriver.bandit.sliding_window_ucb import SlidingWindowUCB
from rapidriver.bandit.softmax import Softmax
from rapidriver.bandit.thompson import ThompsonSampling
from rapidriver.bandit.tsallis_inf import TsallisInf
from rapidriver.bandit.ucb import UCB
from rapidriver.bandit.ucb_tuned import UCBTuned

__all__ = [
    "BayesUCB",
    "BernoulliEnv",
    "ChebCB",
    "DiscountedThompsonSampling",
    "DiscountedUCB",
    "EpsilonGreedy",
    "Exp3",
    "Exp3IX",
    "TsallisInf",
    "GaussianEnv",
    "GaussianThompsonSampling",
    "KLUCB",
    "LinTS",
    "LinUCBDisjoint",
    "RandomPolicy",
    "RustContextualPolicy",
    "RustPolicy",
    "SimulationResult",
    "SlidingWindowUCB",
    "Softmax",
    "ThompsonSampling",
    "UCB",
    "UCBTuned",
    "simulate",
]
