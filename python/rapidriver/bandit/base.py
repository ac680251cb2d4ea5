"""The base class that turns a Rust bandit policy into a river policy."""

from __future__ import annotations

import collections
import typing

import numpy as np
from river import bandit, proba, stats, utils

from rapidriver import _core

__all__ = ["RustPolicy", "RustContextualPolicy"]


def _check_reward_hooks(policy: RustPolicy) -> None:
    """Reject reward objects and scalers the Rust core cannot honour, naming the argument."""
    reward_obj = getattr(policy, "reward_obj", None)
    if reward_obj is not None and not isinstance(reward_obj, (stats.Mean, proba.Beta)):
        raise ValueError(
            f"reward_obj={reward_obj!r} is not supported: rapidriver policies keep the mean "
            "reward of each arm in Rust (river's default, stats.Mean). Pass reward_obj=None, "
            "or use river's own policy for a custom reward object."
        )
    if getattr(policy, "reward_scaler", None) is not None:
        raise ValueError(
            "reward_scaler is not supported: scale rewards before calling update(), or use "
            "river's own policy for a learned scaler."
        )


class RustPolicy(bandit.base.Policy):
    """A river bandit policy whose state and decisions live in Rust.

    Subclasses set `_KIND` and implement `_core_params`; `__init__` stores the parameters under
    their river names and calls `_build`. `pull` and `update` are the Rust methods themselves,
    bound on the instance, so a call costs one Python-to-Rust crossing.

    What differs from river: arms become known when they are offered to `pull` (an `update` of
    an arm never offered raises `KeyError`); rejected calls raise `ValueError`/`TypeError`/
    `KeyError` and leave the policy unchanged; `reward_obj` and `reward_scaler` accept only
    their defaults (`None`, or `stats.Mean()`), anything else raises `ValueError`.
    """

    _KIND: typing.ClassVar[str]
    _core: _core.BanditPolicy

    def _core_params(self) -> dict[str, typing.Any]:
        return {}

    def _build(self) -> None:
        _check_reward_hooks(self)
        self._core = _core.BanditPolicy(
            self._KIND, self._core_params(), self.burn_in, getattr(self, "seed", None)
        )
        self._bind()

    def _bind(self) -> None:
        self.pull = self._core.pull  # type: ignore[method-assign]
        self.update = self._core.update  # type: ignore[method-assign]

    def __getstate__(self) -> dict[str, typing.Any]:
        state = self.__dict__.copy()
        state.pop("pull", None)
        state.pop("update", None)
        return state

    def __setstate__(self, state: dict[str, typing.Any]) -> None:
        self.__dict__.update(state)
        self._bind()

    def _pull(self, arm_ids):  # pragma: no cover - pull is bound to Rust directly
        return self._core.pull(arm_ids)

    # river's Policy reads these attributes; here they are views of the Rust state.
    @property
    def _n(self) -> int:
        return self._core.n

    @property
    def _counts(self) -> collections.Counter:
        return collections.Counter(self._core.counts())

    @property
    def ranking(self) -> list:
        """Rewarded arms in descending order of mean reward."""
        return self._core.ranking()

    def scores(self, arm_ids: typing.Sequence, context: dict | None = None) -> dict:
        """What each arm in `arm_ids` is ranked by right now, without drawing randomness.

        An upper confidence bound for the UCB family, a selection probability for Exp3, Exp3-IX
        and Softmax, the mean reward for epsilon-greedy, a posterior mean for sampling policies.
        """
        arm_ids = list(arm_ids)
        if context is None:
            values = self._core.scores(arm_ids)
        else:
            values = self._core.scores(arm_ids, context)
        return dict(zip(arm_ids, values, strict=True))

    def pull_many(self, arm_ids: typing.Sequence, n: int) -> np.ndarray:
        """Take `n` decisions at once from the current state, before any reward is known.

        Returns an int64 array of positions in `arm_ids`, drawn in one call to Rust with the
        GIL released.
        """
        return self._core.pull_many(arm_ids, n)

    def update_many(
        self, arm_ids: typing.Sequence, positions: np.ndarray, rewards: np.ndarray
    ) -> None:
        """Apply `rewards[i]` to arm `arm_ids[positions[i]]`, in order, in one call.

        Every pair is checked before any is applied: a rejected batch changes nothing.
        """
        self._core.update_many(
            arm_ids,
            np.ascontiguousarray(positions, dtype=np.int64),
            np.ascontiguousarray(rewards, dtype=np.float64),
        )

    def merge(self, other: RustPolicy) -> None:
        """Pool the per-arm counts and mean rewards of `other` into this policy.

        Meant for shards of one stream learned in parallel; the rule-specific state (weights,
        posteriors) of `other` is not merged.
        """
        if type(other) is not type(self):
            raise TypeError(f"other must be a {type(self).__name__}, got {type(other).__name__}")
        self._core.merge(other._core)

    def __repr__(self) -> str:
        rows = self._core.arm_table()
        n = self._core.n
        return utils.pretty.print_table(
            headers=["Arm ID", "Reward", "Pulls", "Share"],
            columns=[
                [str(arm) for arm, _, _ in rows] or [""],
                [repr(_mean_stat(mean, count)) for _, mean, count in rows] or [""],
                [f"{count:,d}" for _, _, count in rows] or [""],
                [f"{(count / n) if n else 0:.2%}" for _, _, count in rows] or [""],
            ],
        )


def _mean_stat(mean: float, count: int) -> stats.Mean:
    stat = stats.Mean()
    stat.n = float(count)
    stat._mean = mean
    return stat


class RustContextualPolicy(RustPolicy, bandit.base.ContextualPolicy):
    """A contextual policy: `pull(arm_ids, context)` and `update(arm_id, context, reward)`.

    A context is a dict of numeric features (names interned once, new names may appear at any
    time, missing ones count as 0) or, consistently across calls, a 1-d array of fixed length.
    """

    def _bind(self) -> None:
        self.pull = self._core.pull  # type: ignore[method-assign]
        self.update = self._core.update_ctx  # type: ignore[method-assign]

    def _pull(self, arm_ids, context):  # pragma: no cover - pull is bound to Rust directly
        return self._core.pull(arm_ids, context)
