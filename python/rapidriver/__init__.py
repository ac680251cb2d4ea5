"""rapidriver: Rust-accelerated online learning and bandits with the river API.

Each component is a subpackage whose classes are drop-in replacements for their river
namesakes, with the state and hot loops in Rust (the `rapidriver._core` extension).

>>> import rapidriver
>>> from rapidriver import bandit, drift, evaluate, tree
>>> policy = bandit.UCB(delta=1.0, seed=42)
>>> arm = policy.pull(["a", "b"])
>>> policy.update(arm, 1.0)
>>> policy.ranking == [arm]
True
"""

from rapidriver import alns, bandit, datasets, drift, evaluate, mip, moe, sampling, solvers, tree
from rapidriver._core import __version__

__all__ = [
    "__version__",
    "alns",
    "bandit",
    "datasets",
    "drift",
    "evaluate",
    "mip",
    "moe",
    "sampling",
    "solvers",
    "tree",
]
