"""Exact max-flow-min-cost on a candidate graph, with LP duals and the residual min cut.

OR-Tools solves the flow (mentees matched first, total score second); the duals come from
shortest distances in the optimal flow's residual graph (Bellman-Ford), and the mentees and
mentors still reachable from the source give the min cut. :mod:`matching.certificate` uses both
to prove the solution optimal over every allowed pair.
"""

from __future__ import annotations

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


@dataclass(frozen=True)
class Solution:
    """An optimal assignment on a candidate graph, with its dual certificate."""

    assignment: IntArray
    #: Per mentee, the score of their pair (0 if unmatched).
    pair_scores: FloatArray
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


def solve_flow(
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
    pair_scores = np.zeros(n)
    pair_scores[rows[used]] = scores[used]
    sol = Solution(
        assignment=assignment,
        pair_scores=pair_scores,
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
    """Shortest distances from a virtual root joined to every node at cost 0 (vectorised).

    Label-correcting: after the first pass over every arc, only the arcs leaving nodes whose
    distance just fell are relaxed again, so late passes touch a small part of the graph.
    """
    d = np.zeros(n_nodes, dtype=np.int64)
    if len(tails) == 0:
        return d
    order = np.argsort(tails, kind="stable")
    heads, costs = heads[order], costs[order]
    degree = np.bincount(tails, minlength=n_nodes)
    first = np.concatenate([[0], np.cumsum(degree)[:-1]])
    active = np.flatnonzero(degree)
    for _ in range(n_nodes + 1):
        lengths = degree[active]
        offsets = np.repeat(first[active] - (np.cumsum(lengths) - lengths), lengths)
        pos = offsets + np.arange(int(lengths.sum()))
        reach = np.repeat(d[active], lengths) + costs[pos]
        h = heads[pos]
        better = reach < d[h]
        if not better.any():
            return d
        h = h[better]
        np.minimum.at(d, h, reach[better])
        changed = np.zeros(n_nodes, dtype=bool)
        changed[h] = True
        active = np.flatnonzero(changed & (degree > 0))
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
