"""The outcome of a run, as `alns.Result`."""

from __future__ import annotations

from typing import Any

import numpy as np

from rapidriver.alns.state import State
from rapidriver.alns.statistics import Statistics

__all__ = ["Result"]


class Result:
    """The best state of a run and its statistics.

    Parameters
    ----------
    best
        The best state observed during the run.
    statistics
        The statistics collected during the run.
    """

    def __init__(self, best: State, statistics: Statistics):
        self._best = best
        self._statistics = statistics

    @property
    def best_state(self) -> State:
        """The best state observed during the run."""
        return self._best

    @property
    def statistics(self) -> Statistics:
        """The statistics collected during the run."""
        return self._statistics

    def plot_objectives(self, ax: Any = None, title: str | None = None, **kwargs: Any) -> None:
        """Plots the current and best objective at each iteration (needs matplotlib)."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots()
        objectives = self.statistics.objectives
        ax.plot(objectives, **kwargs)
        ax.plot(np.minimum.accumulate(objectives), **kwargs)
        ax.set_title("Objective value at each iteration" if title is None else title)
        ax.set_ylabel("Objective value")
        ax.set_xlabel("Iteration (#)")
        ax.legend(["Current", "Best"], loc="upper right")
        plt.draw_if_interactive()

    def plot_operator_counts(
        self,
        fig: Any = None,
        title: str | None = None,
        legend: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        """Plots, per operator, how often each outcome followed its use (needs matplotlib)."""
        import matplotlib.pyplot as plt

        if fig is None:
            fig, (d_ax, r_ax) = plt.subplots(nrows=2)
            fig.subplots_adjust(hspace=0.7, bottom=0.2)
        else:
            d_ax, r_ax = fig.subplots(nrows=2)
        if title is not None:
            fig.suptitle(title)
        legend = ["Best", "Better", "Accepted", "Rejected"] if legend is None else legend
        n = min(len(legend), 4)
        stats = self.statistics
        for ax, counts, label in (
            (d_ax, stats.destroy_operator_counts, "Destroy operators"),
            (r_ax, stats.repair_operator_counts, "Repair operators"),
        ):
            names = list(counts)
            values = np.array(list(counts.values()))[:, :n]
            left = np.zeros(len(names))
            for k in range(n):
                ax.barh(names, values[:, k], left=left, height=0.5, **kwargs)
                left += values[:, k]
            ax.set_title(label)
            ax.set_xlabel("Iterations where operator resulted in this outcome (#)")
            ax.set_ylabel("Operator")
        fig.legend(legend[:4], ncol=len(legend), loc="lower center")
        plt.draw_if_interactive()
