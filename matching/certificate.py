"""Proof that a candidate graph's optimum is optimal over every allowed pair.

:func:`certified_solve` solves the candidate graph exactly (:func:`matching.flow.solve_flow`),
then checks every allowed pair against the duals and the min cut: a pair with a positive
reduced cost, or one crossing the cut, joins the candidate graph and the solve repeats. When
none remain, weak LP duality proves the assignment optimal over all allowed pairs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from matching.flow import Solution, solve_flow

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
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
    progress: Callable[[int], None] | None = None,
) -> tuple[Solution, Certificate]:
    """Solve on the candidate graph and grow it until the full graph certifies the result.

    ``find_violations(solution, check_cut)`` scans every allowed pair and returns
    :class:`Additions`; the result is certified when none of them is a violating pair outside
    the candidate graph.

    With ``prune``, candidate pairs whose reduced cost is below ``-prune`` (and that the
    solution does not use) leave the graph between solves, for the first PRUNE_ROUNDS rounds:
    the solver's time grows with the graph, and such pairs rarely matter again. The final
    check covers every allowed pair either way, so pruning never affects the result.

    ``progress(rounds)`` is called after each solve and check that did not yet certify.
    """
    known = np.sort(rows * m + cols)
    for rounds in range(1, max_rounds + 1):
        sol = solve_flow(n, m, capacity, rows, cols, scores)
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
        if progress is not None:
            progress(rounds)
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
    # float64 temporaries of CHECK_CHUNK pairs take 32 MB each, which the allocator maps
    # afresh (and the kernel zeroes) block after block: quarter blocks reuse their memory.
    chunk = CHECK_CHUNK if levels else CHECK_CHUNK // 4

    def find(sol: Solution, check_cut: bool) -> Additions:
        add_r: list[IntArray] = [np.zeros(0, np.int64)]
        add_c: list[IntArray] = [np.zeros(0, np.int64)]
        add_s: list[FloatArray] = [np.zeros(0)]
        add_v: list[BoolArray] = [np.zeros(0, bool)]
        worst = -np.inf
        row_part = ((sol.u + sol.lam) / pairs.scale).astype(work)
        col_part = (sol.v / pairs.scale).astype(work)
        floor = -max(slack, 0.0) / pairs.scale - margin
        for lo, hi in pairs.row_blocks(chunk):
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
