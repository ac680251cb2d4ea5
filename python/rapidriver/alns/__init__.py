"""Adaptive large neighbourhood search with the `alns` package's API, its loop in Rust.

Switching from alns is a change of import: ``from rapidriver.alns import ALNS`` and
``rapidriver.alns.select`` / ``.accept`` / ``.stop`` for the schemes and criteria. Operator
selection can be driven by any `rapidriver.bandit` policy (`select.MABSelector`), as Balans
does for MIP.
"""

from rapidriver.alns import accept, select, stop
from rapidriver.alns.engine import ALNS
from rapidriver.alns.outcome import Outcome
from rapidriver.alns.result import Result
from rapidriver.alns.state import ContextualState, State
from rapidriver.alns.statistics import Statistics

__all__ = [
    "ALNS",
    "ContextualState",
    "Outcome",
    "Result",
    "State",
    "Statistics",
    "accept",
    "select",
    "stop",
]
