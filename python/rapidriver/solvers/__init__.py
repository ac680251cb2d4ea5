"""Bandits in numerical solver loops: SOR in Rust, and its relaxation parameter chosen online.

Following "Learning to Relax" (Khodak et al. 2024): a bandit that sees only the iteration count
of each solve chooses SOR's omega for each system of a sequence, approaching the cost of the
best fixed omega in hindsight.
"""

from rapidriver.solvers.sor import (
    SolveResult,
    SORTuner,
    TuningResult,
    heat_sequence,
    shifted_laplacian_sequence,
    sor,
    tune_sor,
)

__all__ = [
    "SORTuner",
    "SolveResult",
    "TuningResult",
    "heat_sequence",
    "shifted_laplacian_sequence",
    "sor",
    "tune_sor",
]
