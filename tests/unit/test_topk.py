"""`matching.topk`: partial selection of each line's best entries against a full sort."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.topk import top_candidates


def sorted_top(rows: np.ndarray, cols: np.ndarray, values: np.ndarray, k: int) -> np.ndarray:
    """Reference: sort by (row, value descending, column) and keep each row's first k."""
    order = np.lexsort((cols, -values, rows))
    first = np.searchsorted(rows[order], rows[order], side="left")
    keep = np.zeros(len(rows), dtype=bool)
    keep[order[(np.arange(len(rows)) - first) < k]] = True
    return keep


@st.composite
def matrices(draw):
    n = draw(st.integers(1, 30))
    m = draw(st.integers(1, 30))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    # Rows of very different lengths, and coarse values: many ties at the k-th largest.
    density = rng.random(n)[:, None] ** draw(st.sampled_from((0.5, 1.0, 3.0)))
    mask = rng.random((n, m)) < density
    levels = draw(st.sampled_from((2, 3, 5, 1000)))
    values = rng.integers(0, levels, size=(n, m)) / (levels - 1)
    r, c = np.nonzero(mask)
    return sp.csr_matrix((values[r, c], (r, c)), shape=(n, m))


@settings(max_examples=300, deadline=None)
@given(matrices(), st.integers(0, 6), st.integers(0, 6), st.integers(1, 9), st.integers(1, 50))
def test_matches_a_full_sort(matrix, k_row, k_col, chunks, block_entries):
    # Few runs and small blocks exercise the bounds and the block edges; the result may not
    # depend on them.
    coo = matrix.tocoo()
    rows, cols, vals = coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data
    expected = sorted_top(rows, cols, vals, k_row) | sorted_top(cols, rows, vals, k_col)
    got = top_candidates(matrix, k_row, k_col, chunks=chunks, block_entries=block_entries)
    assert np.array_equal(got, expected)


def test_keeps_k_per_long_row_and_all_of_short_ones():
    values = np.array([0.5, 0.5, 0.5, 0.5, 0.5, 0.1, 0.9, 1.0, 0.0, 2.0, 2.0, 0.3])
    indptr = np.array([0, 5, 7, 7, 12])
    cols = np.array([0, 1, 2, 3, 4, 0, 1, 0, 1, 2, 3, 4])
    matrix = sp.csr_matrix((values, cols, indptr), shape=(4, 5))
    # Five equal values: the first two. Two values: both. An empty row. Two 2.0s beat 1.0.
    assert top_candidates(matrix, 2, 0, chunks=2).tolist() == [
        *[True, True, False, False, False],
        *[True, True],
        *[False, False, True, True, False],
    ]
    # Each column's best: row 3 in columns 0, 2 and 3, row 1 in column 1, row 0 in column 4.
    by_col = top_candidates(matrix, 0, 1, chunks=2)
    assert np.flatnonzero(by_col).tolist() == [4, 6, 7, 9, 10]
