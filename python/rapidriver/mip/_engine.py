"""The one import of the ALNS engine that the MIP layer runs on: ``rapidriver.alns``, whose
loop and selection/acceptance/stopping rules run in Rust with the ``alns`` package's API (the
``alns`` package itself works too: change these imports back to ``alns``)."""

from __future__ import annotations

from rapidriver.alns import ALNS, Outcome
from rapidriver.alns.accept import HillClimbing
from rapidriver.alns.select import MABSelector, RouletteWheel
from rapidriver.alns.stop import MaxIterations, MaxRuntime

__all__ = ["ALNS", "HillClimbing", "MABSelector", "MaxIterations", "MaxRuntime", "Outcome",
           "RouletteWheel"]
