"""The one import of the ALNS engine that the MIP layer runs on.

``rapidriver.alns`` (issue 6) mirrors the ``alns`` package's API; until it is on this branch
the MIP layer runs on ``alns`` itself, and switching is the import line below.
"""

from __future__ import annotations

import typing

from alns import ALNS  # the switch: ``from rapidriver.alns import ALNS``
from alns.accept import HillClimbing
from alns.Outcome import Outcome
from alns.stop import MaxRuntime

__all__ = ["ALNS", "BanditSelect", "HillClimbing", "MaxRuntime", "Outcome"]


class BanditSelect:
    """Operator selection by one of our bandit policies (``rapidriver.bandit``) over the
    destroy x repair pairs, rewarded by ``scores[outcome]`` (new best, better, accepted,
    rejected), as Balans' ``MABSelector`` does over MABWiser.

    Example
    -------
    >>> from rapidriver import bandit
    >>> select = BanditSelect([8, 4, 2, 1], 3, 1, bandit.Softmax(tau=1.36, seed=0))
    >>> import numpy as np
    >>> d, r = select(np.random.default_rng(0), None, None)
    >>> 0 <= d < 3 and r == 0
    True
    """

    def __init__(self, scores: typing.Sequence[float], num_destroy: int, num_repair: int,
                 policy: typing.Any):
        if len(scores) != 4:
            raise ValueError(f"`scores` needs 4 entries (best, better, accept, reject), "
                             f"got {len(scores)}")
        if num_destroy < 1 or num_repair < 1:
            raise ValueError("`num_destroy` and `num_repair` must be >= 1")
        self.scores = [float(s) for s in scores]
        self.num_destroy = num_destroy
        self.num_repair = num_repair
        self.policy = policy
        self._arms = list(range(num_destroy * num_repair))

    def __call__(self, rng: typing.Any, best: typing.Any, curr: typing.Any) -> tuple[int, int]:
        arm = self.policy.pull(self._arms)
        return divmod(int(arm), self.num_repair)

    def update(self, candidate: typing.Any, d_idx: int, r_idx: int, outcome: typing.Any) -> None:
        self.policy.update(d_idx * self.num_repair + r_idx, self.scores[int(outcome)])
