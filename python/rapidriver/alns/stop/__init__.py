"""Stopping criteria, as `alns.stop`, consulted before every iteration; combine them with
`AnyOf`/`AllOf` (or ``|`` and ``&``)."""

from rapidriver.alns.stop._base import AllOf, AnyOf, StoppingCriterion
from rapidriver.alns.stop.max_iterations import MaxIterations
from rapidriver.alns.stop.max_runtime import MaxRuntime
from rapidriver.alns.stop.no_improvement import NoImprovement

__all__ = ["AllOf", "AnyOf", "MaxIterations", "MaxRuntime", "NoImprovement", "StoppingCriterion"]
