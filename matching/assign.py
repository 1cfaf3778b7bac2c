"""Certified-optimal capacity-constrained assignment.

The solver works on a pruned *candidate graph* (each mentee's best mentors and each mentor's
best mentees), then proves the result optimal for the *full* graph of allowed pairs:

1. an exact max-flow/min-cost solve (OR-Tools) on the candidate graph maximises the number of
   matched mentees, then the total score;
2. LP duals are recovered from the optimal flow by Bellman-Ford on its residual graph;
3. every allowed pair is checked: a pair whose score exceeds ``u_i + v_j + lambda`` (a positive
   reduced cost), or one that crosses the residual min cut (a possible augmenting path), is
   added to the candidate graph and the solve repeats. When none remain, weak LP duality
   proves the assignment optimal over all allowed pairs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from ortools.graph.python import min_cost_flow
from scipy.sparse.csgraph import breadth_first_order

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
#: Scores become integer costs at this scale (rounding at most 5e-13 per pair).
COST_SCALE = 10**12
#: A reduced cost above this is a violation (far above the rounding of COST_SCALE).
TOLERANCE = 1e-9
#: Violating pairs added per mentee and round: enough to converge in few rounds, few enough to
#: keep the candidate graph small.
ADD_PER_MENTEE = 5


@dataclass(frozen=True)
class Solution:
    """An optimal assignment on a candidate graph, with its dual certificate."""

    assignment: IntArray
    matched: int
    total: float
    u: FloatArray
    v: FloatArray
    lam: float
    reach_mentees: BoolArray
    reach_mentors: BoolArray

    @property
    def dual_objective(self) -> float:
        """Value of the dual solution (equals ``total`` at optimum, up to rounding)."""
        return float(self.u.sum() + self._cap_v + self.matched * self.lam)

    _cap_v: float = 0.0


@dataclass(frozen=True)
class Certificate:
    """How optimality was proved."""

    rounds: int
    candidate_pairs: int
    max_violation: float
    gap_bound: float


def _solve(
    n: int, m: int, capacity: IntArray, rows: IntArray, cols: IntArray, scores: FloatArray
) -> Solution:
    """Max-flow-min-cost on the candidate graph, then duals from the residual graph."""
    source, sink = n + m, n + m + 1
    cost = -np.rint(scores * COST_SCALE).astype(np.int64)
    mcf = min_cost_flow.SimpleMinCostFlow()
    tails = np.concatenate([np.full(n, source), rows, n + np.arange(m)])
    heads = np.concatenate([np.arange(n), n + cols, np.full(m, sink)])
    caps = np.concatenate([np.ones(n, np.int64), np.ones(len(rows), np.int64), capacity])
    costs = np.concatenate([np.zeros(n, np.int64), cost, np.zeros(m, np.int64)])
    mcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    # Supplies mark source and sink; solve_max_flow_with_min_cost ignores their amounts.
    mcf.set_node_supply(source, n)
    mcf.set_node_supply(sink, -n)
    status = mcf.solve_max_flow_with_min_cost()
    if status != mcf.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")
    used = mcf.flows(np.arange(n, n + len(rows))) > 0
    assignment = np.full(n, -1, dtype=np.int64)
    assignment[rows[used]] = cols[used]
    u, v, lam = _duals(n, m, capacity, rows, cols, cost, used)
    reach_e, reach_o = _reachable(n, m, rows, cols, used, assignment >= 0)
    sol = Solution(
        assignment=assignment,
        matched=int(used.sum()),
        total=float(scores[used].sum()),
        u=u,
        v=v,
        lam=lam,
        reach_mentees=reach_e,
        reach_mentors=reach_o,
        _cap_v=float((capacity * v).sum()),
    )
    return sol


def _duals(
    n: int,
    m: int,
    capacity: IntArray,
    rows: IntArray,
    cols: IntArray,
    cost: IntArray,
    used: BoolArray,
) -> tuple[FloatArray, FloatArray, float]:
    """LP duals (u >= 0, v >= 0, lambda) from shortest distances in the residual graph."""
    source, sink = n + m, n + m + 1
    mentees, mentors = np.arange(n), n + np.arange(m)
    matched = np.zeros(n, dtype=bool)
    matched[rows[used]] = True
    load = np.bincount(cols[used], minlength=m)
    free = load < capacity
    busy = load > 0
    # Mentee->mentor arcs are uncapacitated here: the unit cap is implied by source->mentee,
    # and keeping it would drop the reduced-cost condition on used pairs.
    tails = np.concatenate(
        [
            np.full(int((~matched).sum()), source),
            mentees[matched],
            rows,
            n + cols[used],
            mentors[free],
            np.full(int(busy.sum()), sink),
        ]
    )
    heads = np.concatenate(
        [
            mentees[~matched],
            np.full(int(matched.sum()), source),
            n + cols,
            rows[used],
            np.full(int(free.sum()), sink),
            mentors[busy],
        ]
    )
    costs = np.concatenate(
        [
            np.zeros(n, np.int64),
            cost,
            -cost[used],
            np.zeros(int(free.sum()) + int(busy.sum()), np.int64),
        ]
    )
    d = _bellman_ford(tails, heads, costs, n + m + 2)
    u = np.maximum(0, d[:n] - d[source]) / COST_SCALE
    v = np.maximum(0, d[sink] - d[n : n + m]) / COST_SCALE
    lam = float(d[source] - d[sink]) / COST_SCALE
    return u.astype(np.float64), v.astype(np.float64), lam


def _bellman_ford(tails: IntArray, heads: IntArray, costs: IntArray, n_nodes: int) -> IntArray:
    """Shortest distances from a virtual root joined to every node at cost 0 (vectorised)."""
    d = np.zeros(n_nodes, dtype=np.int64)
    if len(tails) == 0:
        return d
    order = np.argsort(heads, kind="stable")
    tails, heads, costs = tails[order], heads[order], costs[order]
    targets, starts = np.unique(heads, return_index=True)
    for _ in range(n_nodes + 1):
        best = np.minimum.reduceat(d[tails] + costs, starts)
        improved = best < d[targets]
        if not improved.any():
            return d
        d[targets[improved]] = best[improved]
    raise RuntimeError("negative cycle in the residual graph: the flow is not optimal")


def _reachable(
    n: int, m: int, rows: IntArray, cols: IntArray, used: BoolArray, matched: BoolArray
) -> tuple[BoolArray, BoolArray]:
    """Mentees and mentors reachable from the source in the residual graph (the min cut)."""
    source = n + m
    free_mentees = np.flatnonzero(~matched)
    tails = np.concatenate([np.full(len(free_mentees), source), rows[~used], n + cols[used]])
    heads = np.concatenate([free_mentees, n + cols[~used], rows[used]])
    graph = sp.csr_matrix(
        (np.ones(len(tails), dtype=np.int8), (tails, heads)), shape=(n + m + 1, n + m + 1)
    )
    order = breadth_first_order(graph, source, directed=True, return_predecessors=False)
    seen = np.zeros(n + m + 1, dtype=bool)
    seen[order] = True
    return seen[:n], seen[n : n + m]


ViolationFinder = Callable[[Solution, bool], tuple[IntArray, IntArray, FloatArray, float]]


def certified_solve(
    n: int,
    m: int,
    capacity: IntArray,
    rows: IntArray,
    cols: IntArray,
    scores: FloatArray,
    find_violations: ViolationFinder,
    max_rounds: int = 50,
) -> tuple[Solution, Certificate]:
    """Solve on the candidate graph and grow it until the full graph certifies the result.

    ``find_violations(solution, check_cut)`` scans every allowed pair and returns the pairs to
    add (rows, cols, scores) and the largest reduced cost it saw.
    """
    key = rows * m + cols
    for rounds in range(1, max_rounds + 1):
        sol = _solve(n, m, capacity, rows, cols, scores)
        # The cut needs checking only when some mentee could still be matched.
        check_cut = sol.matched < min(n, int(capacity.sum()))
        add_r, add_c, add_s, worst = find_violations(sol, check_cut)
        new_key = add_r * m + add_c
        fresh = ~np.isin(new_key, key)
        if not fresh.any():
            gap = sol.dual_objective + sol.matched * max(worst, 0.0) - sol.total
            return sol, Certificate(rounds, len(rows), worst, max(gap, 0.0))
        rows = np.concatenate([rows, add_r[fresh]])
        cols = np.concatenate([cols, add_c[fresh]])
        scores = np.concatenate([scores, add_s[fresh]])
        key = np.concatenate([key, new_key[fresh]])
    raise RuntimeError(f"no certificate after {max_rounds} rounds")


def worst_per_mentee(
    rows: IntArray, cols: IntArray, values: FloatArray, per_mentee: int = ADD_PER_MENTEE
) -> BoolArray:
    """Mask keeping the ``per_mentee`` largest ``values`` of each mentee."""
    if len(rows) == 0:
        return np.zeros(0, dtype=bool)
    order = np.lexsort((cols, -values, rows))
    first = np.searchsorted(rows[order], rows[order], side="left")
    keep = np.zeros(len(rows), dtype=bool)
    keep[order[(np.arange(len(rows)) - first) < per_mentee]] = True
    return keep


def _top_candidates(matrix: sp.csr_matrix, k_mentee: int, k_mentor: int) -> BoolArray:
    """Stored entries among each row's best ``k_mentee`` or each column's best ``k_mentor``."""
    coo = matrix.tocoo()
    rows, cols, vals = coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data
    keep = worst_per_mentee(rows, cols, vals, k_mentee)
    keep |= worst_per_mentee(cols, rows, vals, k_mentor)
    return keep


def assign(
    scores: sp.spmatrix | sp.sparray,
    capacity: npt.ArrayLike,
    *,
    pinned: Iterable[tuple[int, int]] = (),
    forbidden: Iterable[tuple[int, int]] = (),
    k_mentee: int = 10,
    k_mentor: int = 5,
) -> IntArray:
    """Globally optimal capacity-constrained assignment.

    Parameters
    ----------
    scores : scipy.sparse matrix, shape (n_mentees, n_mentors)
        A stored entry is an allowed pair with its score (>= 0; an explicit 0 is allowed);
        an absent entry is not allowed.
    capacity : array_like of int, shape (n_mentors,)
        How many mentees each mentor can take.
    pinned : iterable of (mentee, mentor)
        Pairs that must be in the result (each must be an allowed pair).
    forbidden : iterable of (mentee, mentor)
        Pairs that must not be in the result.
    k_mentee, k_mentor : int
        Size of the initial candidate graph; they affect speed only, never the result.

    Returns
    -------
    numpy.ndarray of int64, shape (n_mentees,)
        Per mentee, the mentor index or -1. Among all assignments that respect capacities,
        pins and forbidden pairs, it matches the most mentees and, among those, has the
        highest total score; optimality over the full graph is certified by LP duality.
        Equal input gives equal output.
    """
    matrix = sp.csr_matrix(scores, dtype=np.float64, copy=True)
    matrix.sum_duplicates()
    n, m = matrix.shape
    cap = np.asarray(capacity, dtype=np.int64).copy()
    if cap.shape != (m,):
        raise ValueError(f"capacity has shape {cap.shape}, expected ({m},)")
    if np.any(cap < 0):
        raise ValueError("capacity must be non-negative")
    if matrix.nnz and (matrix.data.min() < 0 or not np.all(np.isfinite(matrix.data))):
        raise ValueError("scores must be finite and non-negative")
    coo = matrix.tocoo()
    rows, cols, vals = coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data
    drop = np.zeros(len(rows), dtype=bool)
    forbidden_keys = {int(i) * m + int(j) for i, j in forbidden}
    if forbidden_keys:
        drop |= np.isin(rows * m + cols, np.fromiter(forbidden_keys, dtype=np.int64))
    result = np.full(n, -1, dtype=np.int64)
    allowed_keys = rows * m + cols
    pinned_mentees: set[int] = set()
    for i, j in pinned:
        i, j = int(i), int(j)
        if i in pinned_mentees:
            raise ValueError(f"mentee {i} is pinned twice")
        if i * m + j in forbidden_keys or not np.isin(i * m + j, allowed_keys):
            raise ValueError(f"pinned pair ({i}, {j}) is not an allowed pair")
        if cap[j] <= 0:
            raise ValueError(f"pinned pairs exceed the capacity of mentor {j}")
        pinned_mentees.add(i)
        cap[j] -= 1
        result[i] = j
    if pinned_mentees:
        drop |= np.isin(rows, np.fromiter(pinned_mentees, dtype=np.int64))
    rows, cols, vals = rows[~drop], cols[~drop], vals[~drop]
    if len(rows) == 0:
        return result
    full = sp.csr_matrix((vals, (rows, cols)), shape=(n, m))
    first = _top_candidates(full, k_mentee, k_mentor)

    def find(sol: Solution, check_cut: bool) -> tuple[IntArray, IntArray, FloatArray, float]:
        reduced = vals - sol.u[rows] - sol.v[cols] - sol.lam
        bad = reduced > TOLERANCE
        if check_cut:
            bad |= sol.reach_mentees[rows] & ~sol.reach_mentors[cols]
        idx = np.flatnonzero(bad)
        keep = worst_per_mentee(rows[idx], cols[idx], reduced[idx])
        idx = idx[keep]
        worst = float(reduced.max()) if len(reduced) else 0.0
        return rows[idx], cols[idx], vals[idx], worst

    sol, _ = certified_solve(n, m, cap, rows[first], cols[first], vals[first], find)
    free = sol.assignment >= 0
    result[free] = sol.assignment[free]
    return result
