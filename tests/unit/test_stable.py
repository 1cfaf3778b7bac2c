"""Deferred acceptance: stability, capacity, mentee-optimality."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.stable import Preferences, blocking_pairs, stable


@st.composite
def instances(draw, max_mentees=7, max_mentors=4):
    n = draw(st.integers(1, max_mentees))
    m = draw(st.integers(1, max_mentors))
    mentee_prefs = [
        draw(
            st.permutations(range(m))
            .map(lambda p: list(p))
            .flatmap(lambda p: st.integers(0, m).map(lambda k, p=p: p[:k]))
        )
        for _ in range(n)
    ]
    mentor_prefs = [
        draw(
            st.permutations(range(n))
            .map(lambda p: list(p))
            .flatmap(lambda p: st.integers(0, n).map(lambda k, p=p: p[:k]))
        )
        for _ in range(m)
    ]
    capacity = draw(st.lists(st.integers(0, 3), min_size=m, max_size=m))
    return mentee_prefs, mentor_prefs, capacity


def _valid(result, mentee_prefs, mentor_prefs, capacity):
    load = np.bincount(result[result >= 0], minlength=len(capacity))
    assert np.all(load <= np.asarray(capacity))
    for i, j in enumerate(result):
        if j >= 0:
            assert j in mentee_prefs[i] and i in mentor_prefs[j]


@settings(max_examples=300, deadline=None)
@given(instances())
def test_no_blocking_pairs_and_capacity_respected(inst):
    mentee_prefs, mentor_prefs, capacity = inst
    result = stable(mentee_prefs, mentor_prefs, capacity)
    _valid(result, mentee_prefs, mentor_prefs, capacity)
    assert blocking_pairs(result, mentee_prefs, mentor_prefs, capacity) == []


def _all_stable(mentee_prefs, mentor_prefs, capacity):
    n = len(mentee_prefs)
    options = [[-1, *prefs] for prefs in mentee_prefs]
    for combo in itertools.product(*options):
        result = np.array(combo)
        load = np.bincount(result[result >= 0], minlength=len(capacity))
        if np.any(load > np.asarray(capacity)):
            continue
        if any(j >= 0 and i not in mentor_prefs[j] for i, j in enumerate(combo)):
            continue
        if not blocking_pairs(result, mentee_prefs, mentor_prefs, capacity):
            yield result
    del n


@settings(max_examples=150, deadline=None)
@given(instances(max_mentees=4, max_mentors=3))
def test_mentee_optimal_among_all_stable_matchings(inst):
    mentee_prefs, mentor_prefs, capacity = inst
    result = stable(mentee_prefs, mentor_prefs, capacity)

    def rank(i, j):
        return len(mentee_prefs[i]) if j < 0 else mentee_prefs[i].index(j)

    for other in _all_stable(mentee_prefs, mentor_prefs, capacity):
        for i in range(len(mentee_prefs)):
            assert rank(i, result[i]) <= rank(i, other[i])


def test_textbook_example():
    # Two mentors with one place each; both mentees prefer mentor 0, who prefers mentee 1.
    result = stable([[0, 1], [0, 1]], [[1, 0], [0, 1]], [1, 1])
    assert result.tolist() == [1, 0]


def test_blocking_pair_detected():
    assert blocking_pairs([1, 0], [[0, 1], [0, 1]], [[0, 1], [0, 1]], [1, 1]) == [(0, 0)]


def test_bad_capacity_shape():
    with pytest.raises(ValueError, match="capacity"):
        stable([[0]], [[0]], [1, 1])


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_preferences_from_scores_rank_both_sides_by_score_then_index(data):
    n = data.draw(st.integers(1, 6))
    m = data.draw(st.integers(1, 5))
    cells = data.draw(
        st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, m - 1)), unique=True)
    )
    # Few distinct scores, so ties are common.
    scores = [data.draw(st.sampled_from((0.0, 0.25, 0.5, 1.0))) for _ in cells]
    rows = np.array([i for i, _ in cells], dtype=np.int64)
    cols = np.array([j for _, j in cells], dtype=np.int64)
    prefs = Preferences.from_scores(n, m, rows, cols, np.array(scores))
    score = dict(zip(cells, scores, strict=True))
    mentee_lists = [
        sorted((j for i2, j in cells if i2 == i), key=lambda j, i=i: (-score[i, j], j))
        for i in range(n)
    ]
    mentor_lists = [
        sorted((i for i, j2 in cells if j2 == j), key=lambda i, j=j: (-score[i, j], i))
        for j in range(m)
    ]
    expected = Preferences.from_lists(mentee_lists, mentor_lists)
    assert np.array_equal(prefs.indptr, expected.indptr)
    assert np.array_equal(prefs.mentors, expected.mentors)
    assert np.array_equal(prefs.mentor_indptr, expected.mentor_indptr)
    assert np.array_equal(prefs.mentees, expected.mentees)
    assert np.array_equal(prefs.entry_rank, expected.entry_rank)
