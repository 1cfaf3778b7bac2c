"""Personalised PageRank by truncated power series equals networkx's on small graphs."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.suggest import (
    personalized_pagerank,
    personalized_pagerank_many,
    transition_matrix,
)


@st.composite
def graphs(draw, directed=False):
    """A weighted graph of 2-25 nodes (some isolated: dangling) and a restart vector."""
    n = draw(st.integers(2, 25))
    graph = nx.DiGraph() if directed else nx.Graph()
    graph.add_nodes_from(range(n))
    pairs = st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), st.integers(1, 4))
    for u, v, w in draw(st.lists(pairs, max_size=3 * n)):
        if u != v:
            graph.add_edge(u, v, weight=float(w))
    weights = draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
    if sum(weights) == 0:
        weights[0] = 1
    restart = np.array(weights, dtype=float) / sum(weights)
    return graph, restart


def reference(graph, restart, damping):
    ranks = nx.pagerank(
        graph,
        alpha=damping,
        personalization=dict(enumerate(restart)),
        tol=1e-13,
        max_iter=10_000,
    )
    return np.array([ranks[i] for i in range(len(restart))])


@settings(max_examples=60, deadline=None)
@given(graphs(), st.sampled_from([0.5, 0.7, 0.85]))
def test_matches_networkx_pagerank(case, damping):
    graph, restart = case
    p, dangling = transition_matrix(graph, range(len(restart)))
    ours = personalized_pagerank(p, dangling, restart, damping=damping, tol=1e-12, max_iter=500)
    np.testing.assert_allclose(ours, reference(graph, restart, damping), atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(graphs(directed=True))
def test_matches_networkx_on_directed_graphs(case):
    graph, restart = case
    p, dangling = transition_matrix(graph, range(len(restart)))
    ours = personalized_pagerank(p, dangling, restart, damping=0.85, tol=1e-12, max_iter=500)
    np.testing.assert_allclose(ours, reference(graph, restart, 0.85), atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(graphs(), st.data())
def test_absorbing_the_seed_is_replacing_its_edges_by_the_restart(case, data):
    """Walks reaching the absorbed node restart: PageRank on the graph whose seed's outgoing
    edges are the restart weights (the person's current edges rather than the fitted ones)."""
    graph, restart = case
    n = len(restart)
    seed = data.draw(st.integers(0, n - 1))
    restart = restart.copy()
    restart[seed] = 0.0
    if restart.sum() == 0:
        restart[(seed + 1) % n] = 1.0
    restart /= restart.sum()
    p, dangling = transition_matrix(graph, range(n))
    ours = personalized_pagerank(p, dangling, restart, 0.7, tol=1e-12, max_iter=500, absorb=seed)
    changed = nx.DiGraph(graph)
    changed.remove_edges_from(list(changed.out_edges(seed)))
    changed.add_weighted_edges_from((seed, j, w) for j, w in enumerate(restart) if w > 0)
    np.testing.assert_allclose(ours, reference(changed, restart, 0.7), atol=1e-9)


@settings(max_examples=30, deadline=None)
@given(graphs(), graphs())
def test_many_seeds_at_once_equal_one_at_a_time(first, second):
    graph, restart = first
    other = second[1]
    n = len(restart)
    other = np.resize(other, n)
    other = other / other.sum() if other.sum() > 0 else restart
    p, dangling = transition_matrix(graph, range(n))
    both = personalized_pagerank_many(
        p, dangling, np.vstack([restart, other]), 0.8, 1e-3, 100, np.array([-1, 0])
    )
    np.testing.assert_allclose(both[0], personalized_pagerank(p, dangling, restart, 0.8, 1e-3))
    alone = personalized_pagerank(p, dangling, other, 0.8, 1e-3, absorb=0)
    np.testing.assert_allclose(both[1], alone, atol=1e-12)


def test_truncation_leaves_out_at_most_tol():
    graph = nx.path_graph(50)
    restart = np.zeros(50)
    restart[0] = 1.0
    p, dangling = transition_matrix(graph, range(50))
    truncated = personalized_pagerank(p, dangling, restart, 0.6, tol=0.02)
    assert 1 - 0.02 <= truncated.sum() <= 1.0
    assert np.abs(truncated - reference(graph, restart, 0.6)).sum() <= 0.02 + 1e-9


def test_damping_must_leave_a_restart():
    p, dangling = transition_matrix(nx.path_graph(3), range(3))
    with pytest.raises(ValueError, match="damping"):
        personalized_pagerank(p, dangling, np.array([1.0, 0, 0]), damping=1.0)
