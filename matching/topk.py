"""Each row's and each column's best few stored entries of a sparse matrix, without sorting.

:func:`matching.assign` seeds its candidate graph with every mentee's best ``k_mentee``
mentors and every mentor's best ``k_mentor`` mentees. Sorting every stored entry to find them
costs seconds at ten million pairs. Instead, each row is cut into ``chunks`` runs of
consecutive entries (and the rows into ``chunks`` ranges, for the columns): the ``k``-th
largest of a line's run maxima is at most its ``k``-th largest entry, since the runs are
disjoint. A partial selection (:func:`numpy.partition`) finds that bound for every line at
once; only the entries reaching it, a few per line, are then sorted.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
#: Runs per row (and row ranges for the columns) whose maxima bound each line's k-th largest.
CHUNKS = 64
#: Entries compared with the bounds per step (bounds the temporary memory).
BLOCK_ENTRIES = 1 << 20


def top_candidates(
    matrix: sp.csr_matrix,
    k_row: int,
    k_col: int,
    *,
    chunks: int = CHUNKS,
    block_entries: int = BLOCK_ENTRIES,
) -> BoolArray:
    """Stored entries among their row's ``k_row`` largest or their column's ``k_col`` largest.

    Parameters
    ----------
    matrix : scipy.sparse.csr_matrix
        Finite values, sorted indices and no duplicate entries.
    k_row, k_col : int
        Entries kept per row and per column (a line with fewer keeps them all). Among equal
        values, the lower column wins in a row and the lower row in a column.
    chunks : int, default=CHUNKS
        Runs per row and row ranges whose maxima bound the k-th largest values; they affect
        speed only.
    block_entries : int, default=BLOCK_ENTRIES
        Entries compared with the bounds per step (bounds temporary memory).

    Returns
    -------
    numpy.ndarray of bool, shape (matrix.nnz,)
        The mask over the CSR's entries, in their stored order.
    """
    n, m = matrix.shape
    indptr = np.asarray(matrix.indptr, dtype=np.int64)
    cols = matrix.indices
    values = np.asarray(matrix.data, dtype=np.float64)
    keep = np.zeros(len(values), dtype=bool)
    if len(values) == 0 or (k_row <= 0 and k_col <= 0):
        return keep
    row_bound = _row_bounds(indptr, values, k_row, chunks)
    col_bound = _col_bounds(indptr, cols, values, m, k_col, chunks)
    by_row: list[IntArray] = [np.zeros(0, np.int64)]
    by_col: list[IntArray] = [np.zeros(0, np.int64)]
    lengths = np.diff(indptr)
    lo = 0
    while lo < n:
        # Whole rows of about block_entries entries (at least one row).
        hi = max(lo + 1, int(np.searchsorted(indptr, indptr[lo] + block_entries, "right")) - 1)
        hi = min(hi, n)
        a, b = int(indptr[lo]), int(indptr[hi])
        v = values[a:b]
        if k_row > 0:
            by_row.append(a + np.flatnonzero(v >= np.repeat(row_bound[lo:hi], lengths[lo:hi])))
        if k_col > 0:
            by_col.append(a + np.flatnonzero(v >= col_bound[cols[a:b]]))
        lo = hi
    # Only the entries reaching their line's bound can be among its best: rank those exactly.
    for positions, k, on_rows in ((by_row, k_row, True), (by_col, k_col, False)):
        pos = np.concatenate(positions)
        if k <= 0 or len(pos) == 0:
            continue
        group = np.searchsorted(indptr, pos, side="right") - 1 if on_rows else cols[pos]
        # In a sorted CSR, the position orders a row's entries by column and a column's by row.
        order = np.lexsort((pos, -values[pos], group))
        ranked = np.asarray(group[order], dtype=np.int64)
        first = np.searchsorted(ranked, ranked, side="left")
        keep[pos[order[np.arange(len(order)) - first < k]]] = True
    return keep


def _kth_largest(maxima: FloatArray, k: int) -> FloatArray:
    """The ``k``-th largest along axis 1 (-inf where there are fewer than ``k`` values)."""
    width = maxima.shape[1]
    if k > width:
        return np.full(maxima.shape[0], -np.inf)
    out: FloatArray = np.partition(maxima, width - k, axis=1)[:, width - k]
    return out


def _row_bounds(indptr: IntArray, values: FloatArray, k: int, chunks: int) -> FloatArray:
    """Per row, a lower bound on its ``k``-th largest entry (-inf: none known)."""
    n = len(indptr) - 1
    if k <= 0:
        return np.full(n, np.inf)
    chunks = max(chunks, k)
    lengths = np.diff(indptr)[:, None]
    cuts = np.arange(chunks + 1, dtype=np.int64)
    # Run j of row i: entries indptr[i] + j * L // chunks up to indptr[i] + (j + 1) * L // chunks.
    bounds = indptr[:-1, None] + lengths * cuts // chunks
    starts, nonempty = bounds[:, :-1], bounds[:, 1:] > bounds[:, :-1]
    maxima = np.full((n, chunks), -np.inf)
    # The non-empty runs tile every entry in order, so one reduceat gives all their maxima.
    maxima[nonempty] = np.maximum.reduceat(values, starts[nonempty])
    return _kth_largest(maxima, k)


def _col_bounds(
    indptr: IntArray, cols: npt.NDArray[np.integer], values: FloatArray, m: int, k: int, chunks: int
) -> FloatArray:
    """Per column, a lower bound on its ``k``-th largest entry (-inf: none known)."""
    if k <= 0:
        return np.full(m, np.inf)
    n = len(indptr) - 1
    chunks = max(chunks, k)
    maxima = np.full((chunks, m), -np.inf)
    edges = np.linspace(0, n, chunks + 1).astype(np.int64)
    for part, (lo, hi) in enumerate(zip(edges[:-1].tolist(), edges[1:].tolist(), strict=True)):
        a, b = int(indptr[lo]), int(indptr[hi])
        np.maximum.at(maxima[part], cols[a:b], values[a:b])
    return _kth_largest(np.ascontiguousarray(maxima.T), k)
