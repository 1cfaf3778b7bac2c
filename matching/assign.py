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

from matching.certificate import AllowedPairs, certified_solve, violation_finder
from matching.topk import top_candidates

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def _stored(matrix: sp.csr_matrix, i: int, j: int) -> bool:
    """True if ``(i, j)`` is a stored entry of a CSR with sorted indices."""
    if not (0 <= i < matrix.shape[0]):
        return False
    row = matrix.indices[matrix.indptr[i] : matrix.indptr[i + 1]]
    at = int(np.searchsorted(row, j))
    return at < len(row) and int(row[at]) == j


def _without(matrix: sp.csr_matrix, drop: BoolArray) -> sp.csr_matrix:
    """The CSR less the entries marked in ``drop`` (still sorted, without duplicates)."""
    kept = np.zeros(len(drop) + 1, dtype=np.int64)
    np.cumsum(~drop, out=kept[1:])
    out = sp.csr_matrix(
        (matrix.data[~drop], matrix.indices[~drop], kept[matrix.indptr]), shape=matrix.shape
    )
    out.has_sorted_indices = True
    return out


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
    # Shares the caller's arrays when they are already a canonical float CSR: nothing below
    # writes to them. Otherwise a copy is made canonical (sorted indices, duplicates summed).
    matrix = sp.csr_matrix(scores, dtype=np.float64)
    if not matrix.has_canonical_format:
        matrix = matrix.copy()
        matrix.sum_duplicates()
    n, m = matrix.shape
    cap = np.asarray(capacity, dtype=np.int64).copy()
    if cap.shape != (m,):
        raise ValueError(f"capacity has shape {cap.shape}, expected ({m},)")
    if np.any(cap < 0):
        raise ValueError("capacity must be non-negative")
    if matrix.nnz and (matrix.data.min() < 0 or not np.all(np.isfinite(matrix.data))):
        raise ValueError("scores must be finite and non-negative")
    # Canonical CSR (sorted indices, no duplicates): entry keys i * m + j ascend in its order.
    lengths = np.diff(matrix.indptr)
    drop = np.zeros(matrix.nnz, dtype=bool)
    forbidden_keys = {int(i) * m + int(j) for i, j in forbidden}
    if forbidden_keys and matrix.nnz:
        keys = np.repeat(np.arange(n, dtype=np.int64) * m, lengths) + matrix.indices
        drop |= np.isin(keys, np.fromiter(forbidden_keys, dtype=np.int64))
    result = np.full(n, -1, dtype=np.int64)
    pinned_mentees: set[int] = set()
    for i, j in pinned:
        i, j = int(i), int(j)
        if i in pinned_mentees:
            raise ValueError(f"mentee {i} is pinned twice")
        if i * m + j in forbidden_keys or not _stored(matrix, i, j):
            raise ValueError(f"pinned pair ({i}, {j}) is not an allowed pair")
        if cap[j] <= 0:
            raise ValueError(f"pinned pairs exceed the capacity of mentor {j}")
        pinned_mentees.add(i)
        cap[j] -= 1
        result[i] = j
    if pinned_mentees:
        pinned_rows = np.zeros(n, dtype=bool)
        pinned_rows[np.fromiter(pinned_mentees, dtype=np.int64)] = True
        drop |= np.repeat(pinned_rows, lengths)
    full = _without(matrix, drop) if drop.any() else matrix
    if full.nnz == 0:
        return result
    indptr = full.indptr.astype(np.int64)
    pairs = AllowedPairs(indptr, full.indices, full.data)
    first = np.flatnonzero(top_candidates(full, k_mentee, k_mentor))
    r0 = np.searchsorted(indptr, first, side="right") - 1
    c0 = full.indices[first].astype(np.int64)
    sol, _ = certified_solve(n, m, cap, r0, c0, full.data[first], violation_finder(pairs))
    free = sol.assignment >= 0
    result[free] = sol.assignment[free]
    return result
