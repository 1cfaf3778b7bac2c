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

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

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
ADD_PER_MENTEE = 10
#: Rounds during which certified_solve may prune its candidate graph (after them it only grows,
#: which guarantees termination).
PRUNE_ROUNDS = 4
#: Allowed pairs checked per vectorised step of the certificate (bounds its temporary memory).
CHECK_CHUNK = 1 << 22


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


@dataclass(frozen=True)
class Additions:
    """Pairs a certificate check proposes for the candidate graph."""

    rows: IntArray
    cols: IntArray
    scores: FloatArray
    #: True for pairs that violate the certificate; the others are near-violations, added so
    #: that the next solve is likely to be the last.
    violating: BoolArray
    #: Largest reduced cost over every allowed pair.
    worst: float


ViolationFinder = Callable[[Solution, bool], Additions]


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


def certified_solve(
    n: int,
    m: int,
    capacity: IntArray,
    rows: IntArray,
    cols: IntArray,
    scores: FloatArray,
    find_violations: ViolationFinder,
    max_rounds: int = 50,
    prune: float | None = None,
) -> tuple[Solution, Certificate]:
    """Solve on the candidate graph and grow it until the full graph certifies the result.

    ``find_violations(solution, check_cut)`` scans every allowed pair and returns
    :class:`Additions`; the result is certified when none of them is a violating pair outside
    the candidate graph.

    With ``prune``, candidate pairs whose reduced cost is below ``-prune`` (and that the
    solution does not use) leave the graph between solves, for the first PRUNE_ROUNDS rounds:
    the solver's time grows with the graph, and such pairs rarely matter again. The final
    check covers every allowed pair either way, so pruning never affects the result.
    """
    known = np.sort(rows * m + cols)
    for rounds in range(1, max_rounds + 1):
        sol = _solve(n, m, capacity, rows, cols, scores)
        # The cut needs checking only when some mentee could still be matched.
        check_cut = sol.matched < min(n, int(capacity.sum()))
        add = find_violations(sol, check_cut)
        if prune is not None and rounds <= PRUNE_ROUNDS and add.violating.any():
            red = scores - sol.u[rows] - sol.v[cols] - sol.lam
            # After PRUNE_ROUNDS the graph only grows, so the loop ends.
            keep = (red > -prune) | (sol.assignment[rows] == cols)
            rows, cols, scores = rows[keep], cols[keep], scores[keep]
            known = np.sort(rows * m + cols)
        new_key = add.rows * m + add.cols
        at = np.minimum(np.searchsorted(known, new_key), max(len(known) - 1, 0))
        fresh = np.flatnonzero(known[at] != new_key) if len(known) else np.arange(len(new_key))
        # A pair can be reported twice (positive reduced cost and across the cut): add it once.
        _, first = np.unique(new_key[fresh], return_index=True)
        fresh = fresh[np.sort(first)]
        if not add.violating[fresh].any():
            worst = add.worst
            gap = sol.dual_objective + sol.matched * max(worst, 0.0) - sol.total
            return sol, Certificate(rounds, len(rows), worst, max(gap, 0.0))
        rows = np.concatenate([rows, add.rows[fresh]])
        cols = np.concatenate([cols, add.cols[fresh]])
        scores = np.concatenate([scores, add.scores[fresh]])
        known = np.sort(np.concatenate([known, new_key[fresh]]))
    raise RuntimeError(f"no certificate after {max_rounds} rounds")


def worst_per_mentee(
    rows: IntArray, cols: IntArray, values: FloatArray, per_mentee: int = ADD_PER_MENTEE
) -> BoolArray:
    """Mask keeping the ``per_mentee`` largest ``values`` of each mentee (ties: lower column)."""
    if len(rows) == 0:
        return np.zeros(0, dtype=bool)
    if len(rows) < 1 << 16 or int(rows.max()) >= 1 << 31:
        order = np.lexsort((cols, -values, rows))
    else:
        # Millions of pairs: one uint64 key (row, then the value's float32 bits mapped to an
        # order-preserving unsigned integer, descending) sorts ~10x faster than lexsort; ties
        # at float32 resolution fall in the sort's own deterministic order.
        bits = values.astype(np.float32).view(np.uint32)
        ascending = np.where(bits >> np.uint32(31), ~bits, bits | np.uint32(1 << 31))
        key = (rows.astype(np.uint64) << np.uint64(32)) | (~ascending).astype(np.uint64)
        order = np.argsort(key)
    first = np.searchsorted(rows[order], rows[order], side="left")
    keep = np.zeros(len(rows), dtype=bool)
    keep[order[(np.arange(len(rows)) - first) < per_mentee]] = True
    return keep


@dataclass(frozen=True)
class AllowedPairs:
    """Every allowed pair, as a CSR: mentee ``i``'s are ``cols[indptr[i]:indptr[i + 1]]``.

    Their scores are ``values * scale``: float scores with ``scale=1`` for :func:`assign`, or
    uint16 score levels with ``scale=1/65535`` for a round (4 bytes a pair in all).
    """

    indptr: IntArray
    cols: npt.NDArray[Any]
    values: npt.NDArray[Any]
    scale: float = 1.0

    @property
    def n_mentees(self) -> int:
        """Number of rows (mentees)."""
        return len(self.indptr) - 1

    def scores(self, positions: IntArray | slice) -> FloatArray:
        """Scores of the entries at ``positions``, as float64."""
        return np.asarray(self.values[positions], dtype=np.float64) * self.scale

    def row_blocks(self, entries: int = CHECK_CHUNK) -> Iterator[tuple[int, int]]:
        """Consecutive row ranges ``[lo, hi)`` holding about ``entries`` pairs each."""
        n = self.n_mentees
        cuts = np.searchsorted(self.indptr, np.arange(0, int(self.indptr[-1]), entries), "right")
        bounds = np.unique(np.concatenate([[0], np.clip(cuts - 1, 0, n), [n]]))
        yield from zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True)

    def entries(self, rows: IntArray) -> tuple[IntArray, IntArray]:
        """(row, position) of every entry of ``rows``, row by row."""
        starts, stops = self.indptr[rows], self.indptr[rows + 1]
        lengths = stops - starts
        total = int(lengths.sum())
        if total == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        offsets = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
        return np.repeat(rows, lengths), offsets + np.arange(total)


def violation_finder(
    pairs: AllowedPairs, per_mentee: int = ADD_PER_MENTEE, slack: float = 0.0
) -> ViolationFinder:
    """A ``find_violations`` for :func:`certified_solve` that checks every pair in ``pairs``.

    A pair violates the certificate if its reduced cost ``score - u_i - v_j - lambda`` is
    positive, or (when ``check_cut``) if it joins a mentee reachable from the source in the
    residual graph to a mentor that is not: an augmenting path could use it. Pairs within
    ``slack`` of a positive reduced cost are proposed too: the next duals will likely make
    some of them violate, and adding them now saves a solve.
    """

    # Integer levels are screened in float32 (exact below 2**24) with a margin of half a
    # level, far above its rounding; survivors are confirmed in float64. Float scores are
    # checked in float64 directly.
    levels = pairs.values.dtype.kind in "ui"
    work = np.float32 if levels else np.float64
    margin = 0.5 if levels else 0.0

    def find(sol: Solution, check_cut: bool) -> Additions:
        add_r: list[IntArray] = [np.zeros(0, np.int64)]
        add_c: list[IntArray] = [np.zeros(0, np.int64)]
        add_s: list[FloatArray] = [np.zeros(0)]
        add_v: list[BoolArray] = [np.zeros(0, bool)]
        worst = -np.inf
        row_part = ((sol.u + sol.lam) / pairs.scale).astype(work)
        col_part = (sol.v / pairs.scale).astype(work)
        floor = -max(slack, 0.0) / pairs.scale - margin
        for lo, hi in pairs.row_blocks():
            a, b = int(pairs.indptr[lo]), int(pairs.indptr[hi])
            counts = np.diff(pairs.indptr[lo : hi + 1])
            cols = pairs.cols[a:b]
            red: npt.NDArray[np.floating[Any]] = pairs.values[a:b].astype(work)
            red -= np.repeat(row_part[lo:hi], counts)
            red -= col_part[cols]
            close = red > floor
            if check_cut and sol.reach_mentees[lo:hi].any():
                # Reachable mentee, unreachable mentor: an augmenting path could use the pair.
                close |= np.repeat(sol.reach_mentees[lo:hi], counts) & ~sol.reach_mentors[cols]
            near = np.flatnonzero(close)
            if len(near) * 16 > b - a:  # many: expanding every row is cheaper than bisecting
                rows = np.repeat(np.arange(lo, hi), counts)[near]
            else:
                rows = np.searchsorted(pairs.indptr, a + near, side="right") - 1
            c = cols[near].astype(np.int64)
            scores = pairs.scores(a + near)
            exact = scores - sol.u[rows] - sol.v[c] - sol.lam
            worst = max(worst, float(exact.max(initial=red.max(initial=-np.inf) * pairs.scale)))
            bad = exact > TOLERANCE
            if check_cut:
                bad |= sol.reach_mentees[rows] & ~sol.reach_mentors[c]
            # Per mentee, violations first (largest reduced cost first), then the nearest.
            lift = float(np.ptp(exact)) + 1.0 if len(exact) else 0.0
            keep = worst_per_mentee(rows, c, exact + lift * bad, per_mentee)
            keep &= bad | (exact > -slack)
            add_r.append(rows[keep])
            add_c.append(c[keep])
            add_s.append(scores[keep])
            add_v.append(bad[keep])
        return Additions(
            np.concatenate(add_r),
            np.concatenate(add_c),
            np.concatenate(add_s),
            np.concatenate(add_v),
            worst if np.isfinite(worst) else 0.0,
        )

    return find


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
    full.sort_indices()
    pairs = AllowedPairs(full.indptr.astype(np.int64), full.indices.astype(np.int64), full.data)
    first = _top_candidates(full, k_mentee, k_mentor)
    coo = full.tocoo()
    r0, c0 = coo.row.astype(np.int64)[first], coo.col.astype(np.int64)[first]
    sol, _ = certified_solve(n, m, cap, r0, c0, coo.data[first], violation_finder(pairs))
    free = sol.assignment >= 0
    result[free] = sol.assignment[free]
    return result
