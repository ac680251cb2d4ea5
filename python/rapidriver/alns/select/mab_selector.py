from __future__ import annotations

from typing import Any

from rapidriver.alns.select._base import RustScheme, _check_scores

__all__ = ["BALANS_SCORES", "MABSelector"]

#: The outcome score shapes Balans (Cai, Kadioglu & Dilkina 2025) draws from: binary rewards for
#: Thompson sampling, graded ones for the other learning policies.
BALANS_SCORES: dict[str, list[list[float]]] = {
    "binary": [[1, 1, 0, 0], [1, 1, 1, 0]],
    "numeric": [
        [3, 2, 1, 0], [5, 2, 1, 0], [5, 4, 2, 0], [8, 3, 1, 0], [8, 4, 2, 1], [16, 4, 2, 1]
    ],
}


def _from_mabwiser(policy: Any) -> Any:
    """Our bandit policy for a MABWiser learning policy (a NamedTuple of its parameters)."""
    from rapidriver import bandit

    name = type(policy).__name__
    if name == "EpsilonGreedy":
        return bandit.EpsilonGreedy(epsilon=policy.epsilon)
    if name == "UCB1":
        return bandit.UCB(delta=policy.alpha)
    if name == "ThompsonSampling":
        return bandit.ThompsonSampling()
    if name == "Softmax":
        return bandit.Softmax(tau=policy.tau)
    if name == "Random":
        return bandit.RandomPolicy()
    if name == "LinUCB":
        return bandit.LinUCBDisjoint(alpha=policy.l2_lambda)
    if name == "LinTS":
        return bandit.LinTS(alpha=policy.l2_lambda)
    raise ValueError(
        f"MABWiser learning policy {name} has no rapidriver counterpart: pass a "
        "rapidriver.bandit policy"
    )


class MABSelector(RustScheme):
    """Operator selection by any rapidriver bandit policy, as `alns.select.MABSelector`.

    Each allowed (destroy, repair) pair is an arm, numbered row-major; the reward of a play is
    the score of its outcome. The policy runs in Rust, through the same Rust type as
    `rapidriver.bandit`; contextual policies (`LinUCBDisjoint`, `LinTS`) read
    ``curr.get_context()`` when choosing and ``candidate.get_context()`` when learning, as
    alns does. `learning_policy` is a `rapidriver.bandit` policy (its parameters and burn-in
    are copied; its own state is not used) or, for a change of import only, one of MABWiser's
    ``LearningPolicy`` tuples (EpsilonGreedy, UCB1, ThompsonSampling, Softmax, Random; LinUCB
    and LinTS map to our Bayesian LinUCB/LinTS with the ridge penalty as prior precision).

    Unlike MABWiser, no first pair is drawn at random: the policy itself decides from the
    start (the UCB family plays every pair once first).

    Parameters
    ----------
    scores
        Four non-negative scores: new global best, better than current, accepted, rejected.
        Policies with Beta posteriors need scores in [0, 1]; see `BALANS_SCORES`.
    num_destroy
        Number of destroy operators.
    num_repair
        Number of repair operators.
    learning_policy
        The bandit policy.
    neighborhood_policy
        Only None is supported (MABWiser's neighborhood policies have no counterpart).
    seed
        Seed of the policy's generator (else the policy's own `seed`).
    op_coupling
        Optional boolean destroy x repair matrix of allowed pairs.

    Examples
    --------
    >>> from rapidriver import bandit
    >>> from rapidriver.alns import Outcome
    >>> from rapidriver.alns.select import MABSelector
    >>> select = MABSelector([5, 2, 1, 0.5], 2, 1, bandit.UCB(delta=1.0), seed=1)
    >>> first = select(None, None, None)
    >>> select.update(None, *first, Outcome.REJECT)
    >>> second = select(None, None, None)
    >>> sorted([first, second])
    [(0, 0), (1, 0)]

    References
    ----------
    [^1]: Cai, Kadioglu & Dilkina (2025). Balans: multi-armed bandits-based adaptive large
        neighborhood search for mixed-integer programming problems.
    """

    _KIND = "mab"

    def __init__(
        self,
        scores: list[float],
        num_destroy: int,
        num_repair: int,
        learning_policy: Any,
        neighborhood_policy: Any = None,
        seed: int | None = None,
        op_coupling: Any = None,
        **kwargs: Any,
    ):
        from rapidriver.bandit.base import RustPolicy

        super().__init__(num_destroy, num_repair, op_coupling)
        if neighborhood_policy is not None:
            raise ValueError("neighborhood_policy is not supported: pass None")
        if kwargs:
            raise TypeError(f"unexpected arguments: {sorted(kwargs)}")
        self._scores = _check_scores(scores)
        policy = learning_policy
        if not isinstance(policy, RustPolicy):
            if type(policy).__module__.startswith("mabwiser"):
                policy = _from_mabwiser(policy)
            else:
                raise TypeError(
                    "`learning_policy` must be a rapidriver.bandit policy, got "
                    f"{type(learning_policy).__name__}"
                )
        self._learning_policy = learning_policy
        self._seed = seed
        self._build(
            {
                "scores": self._scores,
                "policy_kind": policy._KIND,
                "policy_params": policy._core_params(),
                "burn_in": getattr(policy, "burn_in", 0),
                "seed": seed if seed is not None else getattr(policy, "seed", None),
            }
        )

    def __call__(self, rng: Any, best: Any, curr: Any) -> tuple[int, int]:
        # The policy draws from its own seeded generator.
        return self._core.select(_PolicyDraws, curr)

    @property
    def scores(self) -> list[float]:
        return self._scores

    @property
    def learning_policy(self) -> Any:
        return self._learning_policy

    @property
    def counts(self) -> dict[tuple[int, int], int]:
        """How often each allowed pair was rewarded."""
        info = self._info()
        return dict(zip(map(tuple, info["pairs"]), info["counts"], strict=False))

    @property
    def means(self) -> dict[tuple[int, int], float]:
        """The mean reward of each allowed pair."""
        info = self._info()
        return dict(zip(map(tuple, info["pairs"]), info["means"], strict=False))


class _PolicyDrawsType:
    """Stands in for a generator: the bandit policy uses its own."""

    @staticmethod
    def integers(low: int, high: int) -> int:
        return 0


_PolicyDraws = _PolicyDrawsType()
