"""Seeded generators of the MIP families of the Balans paper's distributional instances.

Each generator builds the model with highspy and writes it as an MPS file; the same seed and
parameters give the same file. The defaults are sized like the Distributional MIPLIB (Huang et
al. 2024) instances that the Balans paper (Cai et al. 2025) uses, as its generator scripts
(``data/generator`` of github.com/skadio/balans, read for the sizes only) give them: set cover
5,000 rows by 4,000 columns at density 0.05, independent set and vertex cover on
Barabasi-Albert graphs of 9,000 nodes with affinity 5, vertex-cover weights uniform in
``[0, 1]``. Those scripts do not cover the auction and facility location; their defaults are
the hardest setting of Gasse et al. (2019) for the auction (300 items, 1,500 bids, whose
objective is of the magnitude the Balans paper reports) and Gasse et al.'s smallest for
facility location. At the same size and density our set cover's 60 s objective is well below
the paper's (170 against about 395), so its set cover distribution differs in some way the
scripts do not show. The tests use tiny sizes.

Example
-------
>>> import tempfile, os
>>> from rapidriver.mip import instances
>>> path = instances.set_cover(os.path.join(tempfile.mkdtemp(), "sc.mps"), n_rows=20,
...                            n_cols=40, seed=1)
>>> path.endswith("sc.mps")
True
"""

from __future__ import annotations

import math
import os

import numpy as np

from rapidriver.mip._highs_io import INF, add_rows_csr, new_highs

__all__ = [
    "FAMILIES",
    "capacitated_facility_location",
    "combinatorial_auction",
    "generate",
    "maximum_independent_set",
    "minimum_vertex_cover",
    "set_cover",
]


def _check(name: str, value: int, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"`{name}` must be an int, got {type(value).__name__}")
    if value < low:
        raise ValueError(f"`{name}` must be >= {low}, got {value}")
    return int(value)


def _write(h, path: str | os.PathLike[str], n_cols: int, integer: np.ndarray) -> str:
    import highspy

    h.changeColsIntegrality(
        int(integer.sum()),
        np.flatnonzero(integer).astype(np.int32),
        np.array([highspy.HighsVarType.kInteger] * int(integer.sum())),
    )
    for j in range(n_cols):
        h.passColName(j, f"x{j}")
    path = os.fspath(path)
    h.writeModel(path)
    return path


def _new_model(cost: np.ndarray, lb: np.ndarray, ub: np.ndarray, maximize: bool):
    import highspy

    h = new_highs()
    n = len(cost)
    h.addVars(n, lb.astype(np.float64), ub.astype(np.float64))
    h.changeColsCost(n, np.arange(n, dtype=np.int32), cost.astype(np.float64))
    if maximize:
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    return h


def set_cover(
    path: str | os.PathLike[str],
    n_rows: int = 5000,
    n_cols: int = 4000,
    density: float = 0.05,
    max_cost: int = 100,
    seed: int = 0,
) -> str:
    """Weighted set cover (Balas and Ho 1980, as in Gasse et al. 2019): minimise the cost of
    the chosen columns so that every row is covered. Each row covers at least two columns,
    each column is in at least one row, costs are integers in ``[1, max_cost]``. Default
    sizes: the Balans paper's set cover distribution (5,000 rows, 4,000 columns, density
    0.05, costs up to 100).
    """
    n_rows, n_cols = _check("n_rows", n_rows, 1), _check("n_cols", n_cols, 2)
    if not 0 < density <= 1:
        raise ValueError(f"`density` must be in (0, 1], got {density}")
    rng = np.random.default_rng(seed)
    per_row = max(2, round(density * n_cols))
    rows = [np.sort(rng.choice(n_cols, per_row, replace=False)) for _ in range(n_rows)]
    covered = np.zeros(n_cols, dtype=bool)
    for r in rows:
        covered[r] = True
    for j in np.flatnonzero(~covered):  # every column in some row
        i = int(rng.integers(n_rows))
        rows[i] = np.union1d(rows[i], [j])
    cost = rng.integers(1, max_cost + 1, size=n_cols).astype(np.float64)
    h = _new_model(cost, np.zeros(n_cols), np.ones(n_cols), maximize=False)
    add_rows_csr(h, np.ones(n_rows), np.full(n_rows, INF), rows, [np.ones(len(r)) for r in rows])
    return _write(h, path, n_cols, np.ones(n_cols, dtype=bool))


def combinatorial_auction(
    path: str | os.PathLike[str],
    n_items: int = 300,
    n_bids: int = 1500,
    min_bundle: int = 3,
    max_bundle: int = 7,
    seed: int = 0,
) -> str:
    """Combinatorial auction winner determination: maximise the revenue of the accepted bids,
    each item sold at most once. Items have common values in ``[1, 100]``; a bid asks for a
    bundle of related items (drawn around a random item, so bundles overlap as in
    Leyton-Brown's "arbitrary" distribution) and offers its value times a private factor.
    Default sizes: Gasse et al. (2019)'s hardest auctions (300 items, 1,500 bids); the
    Balans paper's generator scripts do not give theirs.
    """
    n_items, n_bids = _check("n_items", n_items, 2), _check("n_bids", n_bids, 1)
    min_bundle = _check("min_bundle", min_bundle, 1)
    max_bundle = _check("max_bundle", max_bundle, min_bundle)
    max_bundle = min(max_bundle, n_items)
    min_bundle = min(min_bundle, max_bundle)
    rng = np.random.default_rng(seed)
    values = rng.uniform(1, 100, size=n_items)
    bundles, prices = [], np.empty(n_bids)
    for b in range(n_bids):
        size = int(rng.integers(min_bundle, max_bundle + 1))
        centre = int(rng.integers(n_items))
        # Items near the centre (circularly) are more likely: related goods.
        weights = np.exp(-np.minimum(np.abs(np.arange(n_items) - centre),
                                     n_items - np.abs(np.arange(n_items) - centre)) / 10.0)
        items = rng.choice(n_items, size, replace=False, p=weights / weights.sum())
        bundles.append(np.sort(items))
        prices[b] = round(values[items].sum() * rng.uniform(0.8, 1.4), 2)
    item_rows: list[list[int]] = [[] for _ in range(n_items)]
    for b, items in enumerate(bundles):
        for i in items:
            item_rows[i].append(b)
    rows = [np.array(r, dtype=np.int64) for r in item_rows if r]
    h = _new_model(prices, np.zeros(n_bids), np.ones(n_bids), maximize=True)
    add_rows_csr(h, np.full(len(rows), -INF), np.ones(len(rows)), rows,
                 [np.ones(len(r)) for r in rows])
    return _write(h, path, n_bids, np.ones(n_bids, dtype=bool))


def capacitated_facility_location(
    path: str | os.PathLike[str],
    n_customers: int = 100,
    n_facilities: int = 100,
    ratio: float = 5.0,
    seed: int = 0,
) -> str:
    """Capacitated facility location (Cornuejols et al. 1991, as in Gasse et al. 2019): open
    facilities (binary, fixed cost) and serve each customer's demand from open facilities
    (continuous fractions, transport cost by distance), within capacities whose total is
    ``ratio`` times the total demand. Columns: ``n_facilities`` binaries, then
    ``n_customers * n_facilities`` continuous assignments.
    """
    n_c = _check("n_customers", n_customers, 1)
    n_f = _check("n_facilities", n_facilities, 1)
    if not ratio > 1:
        raise ValueError(f"`ratio` must be > 1, got {ratio}")
    rng = np.random.default_rng(seed)
    cx, cy = rng.random(n_c), rng.random(n_c)
    fx, fy = rng.random(n_f), rng.random(n_f)
    demand = rng.integers(5, 36, size=n_c).astype(np.float64)
    capacity = rng.integers(10, 161, size=n_f).astype(np.float64)
    fixed = np.floor(rng.integers(100, 111, size=n_f) * np.sqrt(capacity)
                     + rng.integers(0, 91, size=n_f))
    capacity = np.floor(capacity * ratio * demand.sum() / capacity.sum())
    dist = np.sqrt((cx[:, None] - fx[None, :]) ** 2 + (cy[:, None] - fy[None, :]) ** 2)
    trans = np.round(dist * 10 * demand[:, None], 3)  # cost of serving all of i from j
    n = n_f + n_c * n_f
    cost = np.concatenate([fixed, trans.ravel()])
    h = _new_model(cost, np.zeros(n), np.ones(n), maximize=False)

    def y(i: int, j: int) -> int:
        return n_f + i * n_f + j

    rows, coefs, lo, hi = [], [], [], []
    for i in range(n_c):  # demand met
        rows.append(np.array([y(i, j) for j in range(n_f)]))
        coefs.append(np.ones(n_f))
        lo.append(1.0)
        hi.append(1.0)
    for j in range(n_f):  # capacity of open facilities
        rows.append(np.array([y(i, j) for i in range(n_c)] + [j]))
        coefs.append(np.concatenate([demand, [-capacity[j]]]))
        lo.append(-INF)
        hi.append(0.0)
    rows.append(np.arange(n_f))  # total capacity covers total demand
    coefs.append(capacity)
    lo.append(demand.sum())
    hi.append(INF)
    for i in range(n_c):  # tightening: serve only from open facilities
        for j in range(n_f):
            rows.append(np.array([y(i, j), j]))
            coefs.append(np.array([1.0, -1.0]))
            lo.append(-INF)
            hi.append(0.0)
    add_rows_csr(h, np.array(lo), np.array(hi), rows, coefs)
    integer = np.zeros(n, dtype=bool)
    integer[:n_f] = True
    return _write(h, path, n, integer)


def _barabasi_albert(n: int, m: int, rng: np.random.Generator) -> list[tuple[int, int]]:
    """Edges of a Barabasi-Albert graph: each new node links to ``m`` nodes by degree."""
    edges = [(i, j) for i in range(m + 1) for j in range(i + 1, m + 1)]
    targets = [v for e in edges for v in e]
    for v in range(m + 1, n):
        chosen: set[int] = set()
        while len(chosen) < m:
            chosen.add(targets[int(rng.integers(len(targets)))])
        for u in sorted(chosen):
            edges.append((u, v))
            targets += [u, v]
    return edges


def _graph(n_nodes: int, affinity: int, seed: int):
    """Checked sizes, then ``(n, edges, rng)`` of a seeded Barabasi-Albert graph."""
    n = _check("n_nodes", n_nodes, 2)
    m = _check("affinity", affinity, 1)
    if m >= n:
        raise ValueError(f"`affinity` must be < n_nodes, got {m} >= {n}")
    rng = np.random.default_rng(seed)
    return n, _barabasi_albert(n, m, rng), rng


def _cliques(n: int, edges: list[tuple[int, int]]) -> list[list[int]]:
    """A greedy partition of the edges into cliques (Gasse et al.'s independent-set rows)."""
    adj: list[set[int]] = [set() for _ in range(n)]
    for u, v in edges:
        adj[u].add(v)
        adj[v].add(u)
    left = {(min(u, v), max(u, v)) for u, v in edges}
    cliques = []
    for u, v in sorted(left):
        if (u, v) not in left:
            continue
        clique = [u, v]
        for w in sorted(adj[u] & adj[v]):
            if all(w in adj[c] for c in clique):
                clique.append(w)
        for a in clique:
            for b in clique:
                left.discard((min(a, b), max(a, b)))
        cliques.append(sorted(clique))
    return cliques


def maximum_independent_set(
    path: str | os.PathLike[str],
    n_nodes: int = 9000,
    affinity: int = 5,
    seed: int = 0,
) -> str:
    """Maximum independent set on a Barabasi-Albert graph (Gasse et al. 2019): maximise the
    number of chosen nodes, at most one per clique of a greedy clique partition of the edges.
    Default sizes: the Balans paper's distribution (9,000 nodes, affinity 5).
    """
    n, edges, _ = _graph(n_nodes, affinity, seed)
    cliques = _cliques(n, edges)
    h = _new_model(np.ones(n), np.zeros(n), np.ones(n), maximize=True)
    rows = [np.array(c) for c in cliques]
    add_rows_csr(h, np.full(len(rows), -INF), np.ones(len(rows)), rows,
                 [np.ones(len(r)) for r in rows])
    return _write(h, path, n, np.ones(n, dtype=bool))


def minimum_vertex_cover(
    path: str | os.PathLike[str],
    n_nodes: int = 9000,
    affinity: int = 5,
    max_weight: float = 1.0,
    seed: int = 0,
) -> str:
    """Weighted minimum vertex cover on a Barabasi-Albert graph: minimise the weight of the
    chosen nodes (weights uniform in ``[0, max_weight]``, four decimals) so that every edge
    has a chosen end. Default sizes and weights: the Balans paper's distribution (9,000 nodes,
    affinity 5, weights uniform in ``[0, 1]``).
    """
    if isinstance(max_weight, bool) or not isinstance(max_weight, (int, float)) \
            or not max_weight > 0 or not math.isfinite(max_weight):
        raise ValueError(f"`max_weight` must be a finite number > 0, got {max_weight!r}")
    n, edges, rng = _graph(n_nodes, affinity, seed)
    weights = np.round(rng.uniform(0, max_weight, size=n), 4)
    h = _new_model(weights, np.zeros(n), np.ones(n), maximize=False)
    rows = [np.array(e) for e in edges]
    add_rows_csr(h, np.ones(len(rows)), np.full(len(rows), INF), rows,
                 [np.ones(2) for _ in rows])
    return _write(h, path, n, np.ones(n, dtype=bool))


FAMILIES = {
    "set_cover": set_cover,
    "combinatorial_auction": combinatorial_auction,
    "capacitated_facility_location": capacitated_facility_location,
    "maximum_independent_set": maximum_independent_set,
    "minimum_vertex_cover": minimum_vertex_cover,
}


def generate(family: str, path: str | os.PathLike[str], seed: int = 0, **sizes: int) -> str:
    """Writes an instance of ``family`` (a key of ``FAMILIES``) to ``path``."""
    if family not in FAMILIES:
        raise KeyError(f"unknown family {family!r}; choose one of {sorted(FAMILIES)}")
    return FAMILIES[family](path, seed=seed, **sizes)
