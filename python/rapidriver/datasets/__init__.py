"""Synthetic drifting streams generated in Rust, sample for sample as river's namesakes.

Each class draws from CPython's Mersenne Twister exactly as river 0.26's generator does, so
with the same seeds it yields river's samples; `arrays(n)` draws `n` of them straight into
numpy arrays (the fast path for `rapidriver.evaluate.prequential`), and iterating yields river's
`(x, y)` pairs, so `river.evaluate` works unchanged.
"""

from rapidriver.datasets.synth import (
    LED,
    SEA,
    ConceptDriftStream,
    LEDDrift,
    RandomRBF,
    RandomRBFDrift,
)

__all__ = ["LED", "SEA", "ConceptDriftStream", "LEDDrift", "RandomRBF", "RandomRBFDrift"]
