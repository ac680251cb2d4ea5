"""Many expectations of one costly model from one sample, and Sobol' indices.

Adaptive importance sampling with control variates (Demange-Chryst, Bachoc and Morio, "Efficient
estimation of multiple expectations with the same sample by adaptive importance sampling and
control variates", arXiv 2212.00568), in Rust, with plain Monte Carlo and importance sampling
for comparison, input laws with their isoprobabilistic transforms, and Sobol' indices.
"""

from rapidriver.sampling.distributions import (
    Distribution,
    Exponential,
    GaussianCopula,
    Gumbel,
    Independent,
    LogNormal,
    Normal,
    Uniform,
)
from rapidriver.sampling.estimate import (
    ExpectationResult,
    estimate_expectations,
    importance_sampling,
    monte_carlo,
)
from rapidriver.sampling.sobol import SobolResult, sobol_indices

__all__ = [
    "Distribution",
    "ExpectationResult",
    "Exponential",
    "GaussianCopula",
    "Gumbel",
    "Independent",
    "LogNormal",
    "Normal",
    "SobolResult",
    "Uniform",
    "estimate_expectations",
    "importance_sampling",
    "monte_carlo",
    "sobol_indices",
]
