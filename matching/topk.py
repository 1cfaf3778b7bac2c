"""Each row's and each column's best few stored entries of a sparse matrix, without sorting.

:func:`matching.assign` seeds its candidate graph with every mentee's best ``k_mentee``
mentors and every mentor's best ``k_mentor`` mentees. Sorting every stored entry to find them
costs seconds at ten million pairs. Instead, each row is cut into ``chunks`` runs of
consecutive entries (and the rows into ``chunks`` ranges, for the columns): the ``k``-th
largest of a line's run maxima is at most its ``k``-th largest entry, since the runs are
disjoint. A partial selection (:func:`numpy.partition`) finds that bound for every line at
once. Only the entries above it, which lie in fewer than ``k`` runs, are then sorted; of those
equal to it, a line takes the first few in stored order, so even all-equal scores need no
sort of every entry.
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
    # Per line, the entries above its bound (a few runs' worth at most) and the first k equal
    # to it, in stored order: its k best are among them.
    row_above: list[IntArray] = [np.zeros(0, np.int64)]
    row_equal: list[IntArray] = [np.zeros(0, np.int64)]
    col_above: list[IntArray] = [np.zeros(0, np.int64)]
    col_equal: list[IntArray] = [np.zeros(0, np.int64)]
    # Equal entries already kept per column: later blocks need only the rest (saves memory).
    col_seen = np.zeros(m, dtype=np.int64)
    lo = 0
    while lo < n:
        # Whole rows of about block_entries entries (at least one row).
        hi = max(lo + 1, int(np.searchsorted(indptr, indptr[lo] + block_entries, "right")) - 1)
        hi = min(hi, n)
        a, b = int(indptr[lo]), int(indptr[hi])
        v = values[a:b]
        if k_row > 0:
            bound = np.repeat(row_bound[lo:hi], np.diff(indptr[lo : hi + 1]))
            row_above.append(a + np.flatnonzero(v > bound))
            equal = a + np.flatnonzero(v == bound)
            rows = np.searchsorted(indptr, equal, side="right") - 1
            row_equal.append(equal[_ranks(rows) < k_row])
        if k_col > 0:
            bound = col_bound[cols[a:b]]
            col_above.append(a + np.flatnonzero(v > bound))
            equal = a + np.flatnonzero(v == bound)
            c = np.asarray(cols[equal], dtype=np.int64)
            first = _ranks(c) + col_seen[c] < k_col
            col_equal.append(equal[first])
            col_seen += np.bincount(c[first], minlength=m)
        lo = hi
    for above_parts, equal_parts, k, lines, n_lines in (
        (row_above, row_equal, k_row, None, n),
        (col_above, col_equal, k_col, cols, m),
    ):
        if k > 0:
            above, equal = np.concatenate(above_parts), np.concatenate(equal_parts)
            _choose(keep, indptr, lines, n_lines, values, above, equal, k)
    return keep


def _line_of(
    indptr: IntArray, lines: npt.NDArray[np.integer] | None, positions: IntArray
) -> IntArray:
    """The row (``lines`` None) or the column (``lines`` the CSR's indices) of each entry."""
    if lines is None:
        return np.searchsorted(indptr, positions, side="right") - 1
    return np.asarray(lines[positions], dtype=np.int64)


def _ranks(group: IntArray) -> IntArray:
    """Each element's rank among the earlier elements of its group (0 for the first)."""
    if len(group) == 0:
        return np.zeros(0, dtype=np.int64)
    # Small integers sort by radix (linear time) in a stable sort.
    key = group.astype(np.uint16) if int(group.max()) < 1 << 16 else group
    order = np.argsort(key, kind="stable")
    ordered = group[order]
    ranks = np.empty(len(group), dtype=np.int64)
    ranks[order] = np.arange(len(group)) - np.searchsorted(ordered, ordered, side="left")
    return ranks


def _choose(
    keep: BoolArray,
    indptr: IntArray,
    lines: npt.NDArray[np.integer] | None,
    n_lines: int,
    values: FloatArray,
    above: IntArray,
    equal: IntArray,
    k: int,
) -> None:
    """Mark each line's ``k`` best from the entries above its bound and those equal to it.

    In a sorted CSR the stored order puts a row's entries by column and a column's by row, so
    among equal values the earlier entry wins.
    """
    line = _line_of(indptr, lines, above)
    order = np.lexsort((above, -values[above], line))
    ranked = line[order]
    first = np.searchsorted(ranked, ranked, side="left")
    keep[above[order[np.arange(len(order)) - first < k]]] = True
    # A line with fewer than k entries above its bound takes the rest from those equal to it.
    need = k - np.bincount(line, minlength=n_lines)
    line = _line_of(indptr, lines, equal)
    keep[equal[_ranks(line) < need[line]]] = True


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
