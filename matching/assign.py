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

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from matching.certificate import AllowedPairs, certified_solve, violation_finder, worst_per_mentee

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


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
