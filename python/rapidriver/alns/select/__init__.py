"""Operator selection schemes, as `alns.select`: each chooses the (destroy, repair) pair of an
iteration and learns from the outcome through four scores (new best, better, accepted,
rejected)."""

from rapidriver.alns.select._base import OperatorSelectionScheme
from rapidriver.alns.select.alpha_ucb import AlphaUCB
from rapidriver.alns.select.mab_selector import BALANS_SCORES, MABSelector
from rapidriver.alns.select.random_select import RandomSelect
from rapidriver.alns.select.roulette_wheel import RouletteWheel, SegmentedRouletteWheel

__all__ = [
    "BALANS_SCORES",
    "AlphaUCB",
    "MABSelector",
    "OperatorSelectionScheme",
    "RandomSelect",
    "RouletteWheel",
    "SegmentedRouletteWheel",
]
