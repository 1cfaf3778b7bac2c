"""`matching.assign`: capacity, constraints, pins, and global optimality against exact oracles."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from matching import assign

SCALE = 10**9


def nx_optimum(scores: sp.csr_matrix, capacity: np.ndarray) -> tuple[int, float]:
    """(matched, total score) by networkx max-flow-min-cost on the full graph."""
    n, m = scores.shape
    if n == 0:
        return 0, 0.0
    g = nx.DiGraph()
    coo = scores.tocoo()
    for i in range(n):
        g.add_edge("s", ("e", i), capacity=1, weight=0)
    for j in range(m):
        g.add_edge(("o", j), "t", capacity=int(capacity[j]), weight=0)
    for i, j, s in zip(coo.row, coo.col, coo.data, strict=True):
        g.add_edge(("e", int(i)), ("o", int(j)), capacity=1, weight=-round(float(s) * SCALE))
    flow = nx.max_flow_min_cost(g, "s", "t")
    matched, total = 0, 0.0
    for i, j, s in zip(coo.row, coo.col, coo.data, strict=True):
        if flow[("e", int(i))][("o", int(j))]:
            matched += 1
            total += float(s)
    return matched, total


def dense_optimum(scores: sp.csr_matrix, capacity: np.ndarray) -> tuple[int, float]:
    """(matched, total score) by a dense rectangular assignment over mentor slots."""
    n, m = scores.shape
    slots = np.repeat(np.arange(m), capacity)
    dense = scores.toarray()
    allowed = _explicit_zero_mask(scores)  # a stored 0.0 is an allowed pair
    big = n + 1.0
    cost = np.where(allowed[:, slots], -(big + dense[:, slots]), 0.0)
    cost = np.hstack([cost, np.zeros((n, n))])  # one "stay unmatched" column per mentee
    rows, cols = linear_sum_assignment(cost)
    matched, total = 0, 0.0
    for r, c in zip(rows, cols, strict=True):
        if c < len(slots) and allowed[r, slots[c]]:
            matched += 1
            total += dense[r, slots[c]]
    return matched, total


def _explicit_zero_mask(scores: sp.csr_matrix) -> np.ndarray:
    mask = np.zeros(scores.shape, dtype=bool)
    coo = scores.tocoo()
    mask[coo.row, coo.col] = True
    return mask


def value(result: np.ndarray, scores: sp.csr_matrix) -> tuple[int, float]:
    dense = scores.toarray()
    matched = result >= 0
    return int(matched.sum()), float(dense[np.flatnonzero(matched), result[matched]].sum())


def check_valid(result, scores, capacity, pinned=(), forbidden=()):
    n, m = scores.shape
    assert result.shape == (n,) and result.dtype.kind == "i"
    assert np.all((result >= -1) & (result < m))
    load = np.bincount(result[result >= 0], minlength=m)
    assert np.all(load <= capacity)
    allowed = _explicit_zero_mask(scores)
    for i, j in enumerate(result):
        if j >= 0:
            assert allowed[i, j], "matched a pair that is not allowed"
    for i, j in forbidden:
        assert result[i] != j
    for i, j in pinned:
        assert result[i] == j


@st.composite
def instances(draw, max_n=9, max_m=5):
    n = draw(st.integers(1, max_n))
    m = draw(st.integers(1, max_m))
    density = draw(st.floats(0.1, 1.0))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    mask = rng.random((n, m)) < density
    # Coarse scores make ties common, which is where solvers disagree if they are wrong.
    values = rng.integers(0, 5, size=(n, m)) / 4 if draw(st.booleans()) else rng.random((n, m))
    rows, cols = np.nonzero(mask)
    scores = sp.csr_matrix((values[rows, cols], (rows, cols)), shape=(n, m))
    capacity = rng.integers(0, 4, size=m)
    return scores, capacity


@settings(max_examples=300, deadline=None)
@given(instances(), st.integers(1, 3), st.integers(0, 2))
def test_matches_networkx_optimum(inst, k_mentee, k_mentor):
    # Tiny candidate graphs force the certificate loop to find and add the missing pairs.
    scores, capacity = inst
    result = assign(scores, capacity, k_mentee=k_mentee, k_mentor=k_mentor)
    check_valid(result, scores, capacity)
    matched, total = value(result, scores)
    best_matched, best_total = nx_optimum(scores, capacity)
    assert matched == best_matched
    assert total == pytest.approx(best_total, abs=1e-6)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(40, 160), st.integers(10, 40))
def test_matches_dense_assignment_on_medium_instances(seed, n, m):
    rng = np.random.default_rng(seed)
    mask = rng.random((n, m)) < 0.6
    rows, cols = np.nonzero(mask)
    scores = sp.csr_matrix((rng.random(len(rows)), (rows, cols)), shape=(n, m))
    capacity = rng.integers(1, 4, size=m)
    result = assign(scores, capacity, k_mentee=2, k_mentor=1)
    check_valid(result, scores, capacity)
    matched, total = value(result, scores)
    best_matched, best_total = dense_optimum(scores, capacity)
    assert matched == best_matched
    assert total == pytest.approx(best_total, abs=1e-6)


@settings(max_examples=100, deadline=None)
@given(instances(), st.data())
def test_pins_and_forbidden_are_honoured(inst, data):
    scores, capacity = inst
    coo = scores.tocoo()
    pairs = list(zip(coo.row.tolist(), coo.col.tolist(), strict=True))
    forbidden = (
        data.draw(st.lists(st.sampled_from(pairs), max_size=3, unique=True)) if pairs else []
    )
    pinned, used, pinned_mentees = [], np.zeros_like(capacity), set()
    for i, j in (
        data.draw(st.lists(st.sampled_from(pairs), max_size=2, unique=True)) if pairs else []
    ):
        if (i, j) not in forbidden and i not in pinned_mentees and used[j] < capacity[j]:
            pinned.append((i, j))
            pinned_mentees.add(i)
            used[j] += 1
    result = assign(scores, capacity, pinned=pinned, forbidden=forbidden, k_mentee=1, k_mentor=1)
    check_valid(result, scores, capacity, pinned, forbidden)
    # Optimal among assignments that keep the pins and avoid the forbidden pairs.
    mask = _explicit_zero_mask(scores)
    for i, j in forbidden:
        mask[i, j] = False
    rest_rows = [i for i in range(scores.shape[0]) if i not in pinned_mentees]
    rest_cap = capacity - used
    sub_mask = mask[rest_rows]
    r, c = np.nonzero(sub_mask)
    sub = sp.csr_matrix(
        (scores.toarray()[rest_rows][r, c], (r, c)), shape=(len(rest_rows), scores.shape[1])
    )
    best_matched, best_total = nx_optimum(sub, rest_cap)
    matched, total = value(result, scores)
    pin_total = sum(scores[i, j] for i, j in pinned)
    assert matched == best_matched + len(pinned)
    assert total == pytest.approx(best_total + pin_total, abs=1e-6)


def test_deterministic_for_equal_input():
    rng = np.random.default_rng(7)
    n, m = 60, 12
    scores = sp.random(n, m, density=0.5, format="csr", random_state=rng)
    scores.data = np.round(scores.data * 4) / 4  # many ties
    capacity = rng.integers(1, 4, size=m)
    first = assign(scores, capacity)
    for _ in range(3):
        assert np.array_equal(first, assign(scores.copy(), capacity.copy()))


def test_prefers_more_matches_over_higher_score():
    # Mentee 0 could take mentor 0 at 1.0, but then mentee 1 (who only fits mentor 0) is left out.
    scores = sp.csr_matrix(
        (np.array([1.0, 0.1, 0.2]), (np.array([0, 0, 1]), np.array([0, 1, 0]))), shape=(2, 2)
    )
    assert assign(scores, np.array([1, 1])).tolist() == [1, 0]


def test_explicit_zero_score_is_an_allowed_pair():
    scores = sp.csr_matrix((np.array([0.0]), (np.array([0]), np.array([0]))), shape=(1, 1))
    assert assign(scores, np.array([1])).tolist() == [0]


def test_bad_arguments():
    scores = sp.csr_matrix(np.array([[0.5, 0.2]]))
    with pytest.raises(ValueError, match="capacity"):
        assign(scores, np.array([1]))
    with pytest.raises(ValueError, match="pinned"):
        assign(scores, np.array([1, 1]), pinned=[(0, 0), (0, 1)])
    with pytest.raises(ValueError, match="negative"):
        assign(sp.csr_matrix(np.array([[-0.5]])), np.array([1]))
    with pytest.raises(ValueError, match="capacity"):
        assign(scores, np.array([0, 1]), pinned=[(0, 0)])
    # Outside the matrix: (0, 2) of a 2 x 2 matrix is not row 1's first pair either.
    two_rows = sp.csr_matrix(np.array([[0.5, 0.2], [0.4, 0.0]]))
    for pair in [(0, 2), (0, -1), (2, 0)]:
        with pytest.raises(ValueError, match="not an allowed pair"):
            assign(two_rows, np.array([1, 1]), pinned=[pair])


def test_certificate_grows_a_too_small_candidate_graph():
    from matching.certificate import Additions, certified_solve
    from matching.flow import Solution

    rows, cols, vals = np.array([0, 0, 1]), np.array([0, 1, 0]), np.array([1.0, 0.1, 0.2])
    cap = np.array([1, 1])

    def find(sol: Solution, check_cut: bool):
        reduced = vals - sol.u[rows] - sol.v[cols] - sol.lam
        bad = reduced > 1e-9
        if check_cut:
            bad |= sol.reach_mentees[rows] & ~sol.reach_mentors[cols]
        return Additions(rows[bad], cols[bad], vals[bad], bad[bad], float(reduced.max()))

    # Start from each mentee's single best pair: both want mentor 0.
    sol, cert = certified_solve(
        2, 2, cap, np.array([0, 1]), np.array([0, 0]), np.array([1.0, 0.2]), find
    )
    assert sol.assignment.tolist() == [1, 0]
    assert cert.rounds >= 2
    assert cert.gap_bound < 1e-9
    assert sol.dual_objective == pytest.approx(sol.total, abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(
    instances(), st.sampled_from((0.0, 0.05, 0.3)), st.sampled_from((0.0, 0.1)), st.integers(1, 3)
)
def test_pruning_and_near_pairs_never_change_the_optimum(inst, prune, slack, per_mentee):
    # The pipeline's settings: the candidate graph shrinks between solves (prune) and grows by
    # near-violations (slack); the certificate over every allowed pair must still hold.
    from matching.certificate import AllowedPairs, certified_solve, violation_finder

    scores, capacity = inst
    scores = sp.csr_matrix(scores)
    scores.sort_indices()
    n, m = scores.shape
    coo = scores.tocoo()
    if coo.nnz == 0:
        return
    rows, cols, vals = coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data
    first = np.unique(rows, return_index=True)[1]  # one pair per mentee to start from
    pairs = AllowedPairs(
        scores.indptr.astype(np.int64), scores.indices.astype(np.int64), scores.data
    )
    sol, cert = certified_solve(
        n,
        m,
        np.asarray(capacity, dtype=np.int64),
        rows[first],
        cols[first],
        vals[first],
        violation_finder(pairs, per_mentee, slack),
        prune=prune,
    )
    check_valid(sol.assignment, scores, capacity)
    best_matched, best_total = nx_optimum(scores, capacity)
    assert sol.matched == best_matched
    assert sol.total == pytest.approx(best_total, abs=1e-6)
    assert cert.gap_bound < 1e-6


def test_input_is_left_alone_and_duplicates_are_summed():
    rng = np.random.default_rng(11)
    n, m = 40, 9
    scores = sp.random(n, m, density=0.6, format="csr", random_state=rng)
    capacity = rng.integers(1, 4, size=m)
    before = (scores.data.copy(), scores.indices.copy(), scores.indptr.copy())
    expected = assign(scores, capacity)
    assert all(
        np.array_equal(a, b)
        for a, b in zip(before, (scores.data, scores.indices, scores.indptr), strict=True)
    )
    # The same pairs, each split in two halves and listed in reverse: a non-canonical CSR.
    coo = scores.tocoo()
    rows = np.concatenate([coo.row, coo.row])[::-1]
    cols = np.concatenate([coo.col, coo.col])[::-1]
    vals = np.concatenate([coo.data / 2, coo.data / 2])[::-1]
    order = np.argsort(rows, kind="stable")
    messy = sp.csr_matrix(
        (vals[order], cols[order], np.searchsorted(rows[order], np.arange(n + 1))), shape=(n, m)
    )
    assert not messy.has_canonical_format
    kept = (messy.data.copy(), messy.indices.copy())
    assert np.array_equal(assign(messy, capacity), expected)
    assert np.array_equal(messy.data, kept[0]) and np.array_equal(messy.indices, kept[1])
