"""Bandit-driven adaptive large neighbourhood search for mixed-integer programs (Balans), on
HiGHS, with the neighbourhood rules in Rust.

Example
-------
>>> import os, tempfile
>>> from rapidriver.mip import Balans, instances
>>> path = instances.combinatorial_auction(os.path.join(tempfile.mkdtemp(), "ca.mps"),
...                                        n_items=10, n_bids=20, seed=0)
>>> result = Balans(stop=None, time_limit=2, seed=0).solve(path)
>>> result.objective > 0
True
"""

from rapidriver.mip import instances, operators
from rapidriver.mip.balans import Balans, IterationRecord, SolveResult

__all__ = ["Balans", "IterationRecord", "SolveResult", "instances", "operators"]
