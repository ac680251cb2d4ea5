"""Whole bandit simulations run in Rust: Bernoulli or Gaussian arms, optionally drifting."""

from __future__ import annotations

import dataclasses
import typing

import numpy as np

from rapidriver.bandit.base import RustPolicy

__all__ = ["BernoulliEnv", "GaussianEnv", "SimulationResult", "simulate"]

Changes = typing.Sequence[tuple[int, typing.Sequence[float]]]


@dataclasses.dataclass(frozen=True)
class BernoulliEnv:
    """Arms that pay 1 with probability `probs[i]`, else 0.

    `changes` lists `(step, new_probs)` pairs in increasing step order: from that step on the
    arms pay with the new probabilities (an environment with drifting rewards).

    >>> BernoulliEnv([0.1, 0.9]).n_arms
    2
    """

    probs: typing.Sequence[float]
    changes: Changes = ()

    @property
    def n_arms(self) -> int:
        return len(self.probs)


@dataclasses.dataclass(frozen=True)
class GaussianEnv:
    """Arms that pay `means[i] + stds[i] * N(0, 1)` (`stds` defaults to ones).

    >>> GaussianEnv([0.0, 1.0]).n_arms
    2
    """

    means: typing.Sequence[float]
    stds: typing.Sequence[float] | None = None
    changes: Changes = ()

    @property
    def n_arms(self) -> int:
        return len(self.means)


class SimulationResult(typing.NamedTuple):
    """Per step: the arm pulled (0..k-1), the reward, and the cumulative pseudo-regret."""

    choices: np.ndarray
    rewards: np.ndarray
    regret: np.ndarray


def simulate(
    policy: RustPolicy, env: BernoulliEnv | GaussianEnv, n_steps: int, seed: int = 0
) -> SimulationResult:
    """Run `policy` for `n_steps` on `env`, entirely in Rust with the GIL released.

    The environment's arms are the ints `0..k-1`; the policy learns as it goes (it is left in
    its final state). Regret is the pseudo-regret: the sum over steps of the best arm's mean
    minus the mean of the arm pulled, at that step.

    Examples
    --------
    >>> from rapidriver import bandit
    >>> result = bandit.simulate(bandit.UCB(delta=1, seed=0), bandit.BernoulliEnv([0.1, 0.9]),
    ...                          n_steps=1000, seed=0)
    >>> result.choices.shape, bool(result.regret[-1] < 50)
    ((1000,), True)
    """
    if not isinstance(policy, RustPolicy):
        raise TypeError(f"policy must be a rapidriver bandit policy, got {type(policy).__name__}")
    if not isinstance(env, (BernoulliEnv, GaussianEnv)):
        raise TypeError(f"env must be a BernoulliEnv or GaussianEnv, got {type(env).__name__}")
    changes = [(int(step), [float(v) for v in values]) for step, values in env.changes]
    if isinstance(env, BernoulliEnv):
        out = policy._core.simulate(
            "bernoulli", [float(p) for p in env.probs], None, changes, n_steps, seed
        )
    else:
        stds = None if env.stds is None else [float(s) for s in env.stds]
        out = policy._core.simulate(
            "gaussian", [float(m) for m in env.means], stds, changes, n_steps, seed
        )
    return SimulationResult(*out)
