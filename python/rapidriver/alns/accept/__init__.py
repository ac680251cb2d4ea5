"""Acceptance criteria, as `alns.accept`: each decides whether the candidate replaces the
current solution, from the objectives of the best, current and candidate solutions."""

from rapidriver.alns.accept._base import AcceptanceCriterion
from rapidriver.alns.accept.always_accept import AlwaysAccept
from rapidriver.alns.accept.great_deluge import GreatDeluge, NonLinearGreatDeluge
from rapidriver.alns.accept.hill_climbing import HillClimbing
from rapidriver.alns.accept.late_acceptance_hill_climbing import LateAcceptanceHillClimbing
from rapidriver.alns.accept.moving_average_threshold import MovingAverageThreshold
from rapidriver.alns.accept.random_accept import RandomAccept
from rapidriver.alns.accept.record_to_record_travel import (
    RecordToRecordTravel,
    ThresholdAccepting,
)
from rapidriver.alns.accept.simulated_annealing import SimulatedAnnealing

__all__ = [
    "AcceptanceCriterion",
    "AlwaysAccept",
    "GreatDeluge",
    "HillClimbing",
    "LateAcceptanceHillClimbing",
    "MovingAverageThreshold",
    "NonLinearGreatDeluge",
    "RandomAccept",
    "RecordToRecordTravel",
    "SimulatedAnnealing",
    "ThresholdAccepting",
]
