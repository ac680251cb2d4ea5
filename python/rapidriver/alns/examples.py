"""Two small problems with alns-style Python operators, written here from scratch: a Euclidean
travelling salesman (random, path and worst removal, greedy insertion) and a 0/1 knapsack
(random removal, greedy and random insertion). The tests and the benchmark run them under
both `rapidriver.alns` and `alns`; they also show what operators look like.

Examples
--------
>>> from rapidriver.alns import ALNS
>>> from rapidriver.alns.accept import HillClimbing
>>> from rapidriver.alns.select import RouletteWheel
>>> from rapidriver.alns.stop import MaxIterations
>>> from rapidriver.alns.examples import Tsp
>>> tsp = Tsp.random(12, seed=0)
>>> alns = ALNS(0)
>>> tsp.register(alns)
>>> init = tsp.initial()
>>> result = alns.iterate(init, RouletteWheel([25, 5, 1, 0], 0.8, 3, 1), HillClimbing(),
...                       MaxIterations(200))
>>> result.best_state.objective() < init.objective()
True
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["Knapsack", "KnapsackState", "Tsp", "TspState"]


class TspState:
    """A tour (list of cities) and the cities removed from it, awaiting repair."""

    __slots__ = ("dist", "removed", "tour")

    def __init__(self, tour: list[int], removed: list[int], dist: np.ndarray):
        self.tour = tour
        self.removed = removed
        self.dist = dist

    def objective(self) -> float:
        """Length of the closed tour."""
        t = self.tour
        d = self.dist
        return float(sum(d[t[i - 1], t[i]] for i in range(len(t))))

    def copy(self) -> TspState:
        return TspState(list(self.tour), list(self.removed), self.dist)


class Tsp:
    """A Euclidean TSP instance; destroy operators remove `degree` of the cities."""

    def __init__(self, coords: np.ndarray, degree: float = 0.25):
        self.coords = np.asarray(coords, dtype=float)
        diff = self.coords[:, None, :] - self.coords[None, :, :]
        self.dist = np.sqrt((diff**2).sum(-1))
        self.n_remove = max(1, int(len(self.coords) * degree))

    @classmethod
    def random(cls, n: int, seed: int = 0, degree: float = 0.25) -> Tsp:
        """`n` cities uniform in the 100 x 100 square."""
        return cls(np.random.default_rng(seed).uniform(0, 100, size=(n, 2)), degree)

    def initial(self) -> TspState:
        """The tour in index order."""
        return TspState(list(range(len(self.coords))), [], self.dist)

    def random_removal(self, state: TspState, rng: np.random.Generator) -> TspState:
        out = state.copy()
        for city in rng.choice(out.tour, self.n_remove, replace=False):
            out.tour.remove(int(city))
            out.removed.append(int(city))
        return out

    def path_removal(self, state: TspState, rng: np.random.Generator) -> TspState:
        out = state.copy()
        n = len(out.tour)
        start = int(rng.integers(n))
        cut = {(start + k) % n for k in range(self.n_remove)}
        out.removed.extend(out.tour[i] for i in sorted(cut))
        out.tour = [c for i, c in enumerate(out.tour) if i not in cut]
        return out

    def worst_removal(self, state: TspState, rng: np.random.Generator) -> TspState:
        out = state.copy()
        d = self.dist
        for _ in range(self.n_remove):
            t = out.tour
            n = len(t)
            gains = [
                d[t[i - 1], t[i]] + d[t[i], t[(i + 1) % n]] - d[t[i - 1], t[(i + 1) % n]]
                for i in range(n)
            ]
            out.removed.append(t.pop(int(np.argmax(gains))))
        return out

    def greedy_repair(self, state: TspState, rng: np.random.Generator) -> TspState:
        out = state.copy()
        d = self.dist
        order = list(out.removed)
        rng.shuffle(order)
        out.removed = []
        for city in order:
            t = out.tour
            n = len(t)
            costs = [
                d[t[i], city] + d[city, t[(i + 1) % n]] - d[t[i], t[(i + 1) % n]]
                for i in range(n)
            ]
            t.insert(int(np.argmin(costs)) + 1, city)
        return out

    def register(self, alns: Any) -> None:
        """Adds the three destroy operators and the repair operator to `alns`."""
        alns.add_destroy_operator(self.random_removal, "random_removal")
        alns.add_destroy_operator(self.path_removal, "path_removal")
        alns.add_destroy_operator(self.worst_removal, "worst_removal")
        alns.add_repair_operator(self.greedy_repair, "greedy_repair")


class KnapsackState:
    """Which items are packed; the objective is minus the packed value."""

    __slots__ = ("packed", "problem")

    def __init__(self, packed: np.ndarray, problem: Knapsack):
        self.packed = packed
        self.problem = problem

    def objective(self) -> float:
        return -float(self.problem.values[self.packed].sum())

    def weight(self) -> float:
        return float(self.problem.weights[self.packed].sum())


class Knapsack:
    """A 0/1 knapsack instance: `values`, `weights` and a `capacity`."""

    def __init__(self, values: np.ndarray, weights: np.ndarray, capacity: float, degree=0.25):
        self.values = np.asarray(values, dtype=float)
        self.weights = np.asarray(weights, dtype=float)
        self.capacity = float(capacity)
        self.degree = degree

    @classmethod
    def random(cls, n: int, seed: int = 0) -> Knapsack:
        """`n` items with weights and correlated values; capacity half the total weight."""
        rng = np.random.default_rng(seed)
        weights = rng.integers(10, 60, size=n)
        values = weights + rng.integers(0, 30, size=n)
        return cls(values, weights, weights.sum() / 2)

    def initial(self) -> KnapsackState:
        """Nothing packed."""
        return KnapsackState(np.zeros(len(self.values), dtype=bool), self)

    def random_removal(self, state: KnapsackState, rng: np.random.Generator) -> KnapsackState:
        packed = state.packed.copy()
        items = np.flatnonzero(packed)
        k = max(1, int(len(items) * self.degree)) if len(items) else 0
        if k:
            packed[rng.choice(items, k, replace=False)] = False
        return KnapsackState(packed, self)

    def _fill(self, packed: np.ndarray, order: np.ndarray) -> KnapsackState:
        room = self.capacity - self.weights[packed].sum()
        for i in order:
            if not packed[i] and self.weights[i] <= room:
                packed[i] = True
                room -= self.weights[i]
        return KnapsackState(packed, self)

    def greedy_repair(self, state: KnapsackState, rng: np.random.Generator) -> KnapsackState:
        ratio = self.values / self.weights
        # Best ratio first, ties and near-ties shuffled by a small random perturbation.
        noise = rng.uniform(0.9, 1.1, size=len(ratio))
        return self._fill(state.packed.copy(), np.argsort(-ratio * noise))

    def random_repair(self, state: KnapsackState, rng: np.random.Generator) -> KnapsackState:
        return self._fill(state.packed.copy(), rng.permutation(len(self.values)))

    def register(self, alns: Any) -> None:
        """Adds the destroy operator and the two repair operators to `alns`."""
        alns.add_destroy_operator(self.random_removal, "random_removal")
        alns.add_repair_operator(self.greedy_repair, "greedy_repair")
        alns.add_repair_operator(self.random_repair, "random_repair")
