"""`matching.pipeline.solve_round`: constraints, reasons, optimality and metrics of a round."""

from __future__ import annotations

from dataclasses import replace

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.population import goal_needs_from_seed, population
from matching.availability import overlap_minutes
from matching.features import ProfileVectorizer
from matching.graph import SCORE_LEVELS, score_levels
from matching.pipeline import RoundProblem, RoundResult, round_graph, solve_round
from matching.profiles import Profile, Weights
from matching.scoring import score_block
from tests.unit.profile_strategies import GOAL_NEEDS, profiles, weights

SCALE = 10**9
CODES = {
    "no_shared_language",
    "no_availability_overlap",
    "conflict_of_interest",
    "no_eligible_mentor",
    "all_suitable_mentors_full",
    "shortlist_mentors_chose_others",
}


@st.composite
def problems(draw):
    n = draw(st.integers(1, 12))
    m = draw(st.integers(1, 6))
    mentees = draw(st.lists(profiles(), min_size=n, max_size=n))
    mentors = draw(st.lists(profiles(), min_size=m, max_size=m))
    capacity = draw(st.lists(st.integers(0, 3), min_size=m, max_size=m))
    pairs = st.tuples(st.integers(0, n - 1), st.integers(0, m - 1))
    forbidden = draw(st.lists(pairs, max_size=4, unique=True))
    pinned, used, pinned_mentees = [], [0] * m, set()
    for i, j in draw(st.lists(pairs, max_size=3, unique=True)):
        if (i, j) not in forbidden and i not in pinned_mentees and used[j] < capacity[j]:
            pinned.append((i, j))
            pinned_mentees.add(i)
            used[j] += 1
    return RoundProblem(
        mentees=mentees,
        mentors=mentors,
        capacity=capacity,
        weights=draw(st.one_of(st.just(Weights()), weights)),
        min_overlap_hours=draw(st.sampled_from((0.0, 0.5, 1.0, 2.0))),
        pinned=pinned,
        forbidden=forbidden,
        goal_needs=GOAL_NEEDS,
        # Tiny candidate graphs and blocks make the certificate loop and chunking do work.
        shortlist=draw(st.sampled_from((1, 2, 10))),
        chunk=draw(st.sampled_from((1, 3, 2048))),
        n_jobs=draw(st.sampled_from((1, 2))),
    )


def hard_allowed(problem: RoundProblem) -> np.ndarray:
    """Pairs meeting the hard constraints, computed from the profiles alone."""
    n, m = len(problem.mentees), len(problem.mentors)
    out = np.zeros((n, m), dtype=bool)
    for i, e in enumerate(problem.mentees):
        for j, o in enumerate(problem.mentors):
            language = bool(set(e.languages) & set(o.languages))
            overlap = overlap_minutes(e.availability, o.availability)
            conflict = e.employer != "" and e.employer == o.employer
            out[i, j] = language and overlap >= problem.min_overlap_hours * 60 and not conflict
    return out


def all_scores(problem: RoundProblem):
    """Every pair's score and constraint mask, as the pipeline's scorer computes them."""
    vec = ProfileVectorizer(problem.goal_needs, random_state=problem.random_state)
    vec.fit(problem.mentees, problem.mentors)
    fe = vec.transform(problem.mentees, "mentee")
    fo = vec.transform(problem.mentors, "mentor")
    rows = np.arange(len(problem.mentees), dtype=np.int64)
    return score_block(fe, fo, rows, problem.weights, problem.min_overlap_hours)


def nx_optimum(scores: sp.coo_matrix, capacity: np.ndarray) -> tuple[int, float]:
    """(matched, total) of an exact max-flow-min-cost solve over every stored pair."""
    g = nx.DiGraph()
    g.add_node("s")
    g.add_node("t")
    for i in range(scores.shape[0]):
        g.add_edge("s", ("e", i), capacity=1, weight=0)
    for j in range(scores.shape[1]):
        g.add_edge(("o", j), "t", capacity=int(capacity[j]), weight=0)
    for i, j, s in zip(scores.row, scores.col, scores.data, strict=True):
        g.add_edge(("e", int(i)), ("o", int(j)), capacity=1, weight=-round(float(s) * SCALE))
    flow = nx.max_flow_min_cost(g, "s", "t")
    matched, total = 0, 0.0
    for i, j, s in zip(scores.row, scores.col, scores.data, strict=True):
        if flow[("e", int(i))][("o", int(j))]:
            matched += 1
            total += float(s)
    return matched, total


def check_round(problem: RoundProblem, result: RoundResult) -> None:
    n, m = len(problem.mentees), len(problem.mentors)
    a = result.assignment
    cap = np.asarray(problem.capacity)
    pinned = dict(problem.pinned)
    assert a.shape == (n,)
    assert np.all((a >= -1) & (a < m))
    load = np.bincount(a[a >= 0], minlength=m)
    assert np.all(load <= cap), "capacity exceeded"
    for i, j in pinned.items():
        assert a[i] == j, "pin not honoured"
    for i, j in problem.forbidden:
        assert a[i] != j, "forbidden pair matched"

    hard = hard_allowed(problem)
    block = all_scores(problem)
    # The scorer's constraints agree with the independent ones (30-minute intervals).
    assert np.array_equal(block.allowed, hard)
    allowed = hard & (cap > 0)[None, :]
    for i, j in problem.forbidden:
        allowed[i, j] = False
    for i, j in enumerate(a.tolist()):
        if j >= 0 and i not in pinned:
            assert hard[i, j], f"hard constraint violated by ({i}, {j})"
            assert allowed[i, j]

    matches = {mt.mentee: mt for mt in result.matches}
    assert sorted(matches) == np.flatnonzero(a >= 0).tolist()
    for i, mt in matches.items():
        assert mt.mentor == a[i]
        assert mt.pinned == (i in pinned)
        assert mt.score == pytest.approx(float(block.scores[i, mt.mentor]), abs=1e-5)

    unmatched = {u.mentee: u for u in result.unmatched}
    assert len(unmatched) == len(result.unmatched)
    assert set(unmatched) == {i for i in range(n) if a[i] < 0 and i not in pinned}
    for i, u in unmatched.items():
        assert u.code in CODES
        if u.code == "shortlist_mentors_chose_others":
            # Only stable matching leaves a mentee out while a suitable mentor has room.
            assert problem.mode == "stable"
        if u.code in ("all_suitable_mentors_full", "shortlist_mentors_chose_others"):
            assert u.best or u.code == "shortlist_mentors_chose_others"
            for j, score, holders in u.best:
                assert allowed[i, j]
                assert load[j] >= cap[j], "a listed best mentor still has room"
                assert set(holders) == set(np.flatnonzero(a == j).tolist())
                assert score == pytest.approx(float(block.scores[i, j]), abs=1e-4)
        else:
            assert not allowed[i].any(), f"{u.code} but mentee {i} has an allowed mentor"
            if u.code == "no_shared_language":
                assert not any(
                    set(problem.mentees[i].languages) & set(problem.mentors[j].languages)
                    for j in range(m)
                    if cap[j] > 0
                )

    assert result.metrics.mode == problem.mode
    assert result.metrics.matched == int((a >= 0).sum())
    assert result.metrics.total_score == pytest.approx(
        sum(mt.score for mt in result.matches), abs=1e-4
    )


def free_problem(problem: RoundProblem):
    """The graph the round optimises over, as dense scores, allowed mask and free places."""
    n, m = len(problem.mentees), len(problem.mentors)
    free = np.asarray(problem.capacity, dtype=np.int64).copy()
    for _, j in problem.pinned:
        free[j] -= 1
    graph = round_graph(problem)
    pairs = graph.pairs
    rows = np.repeat(np.arange(n), np.diff(pairs.indptr))
    cols = pairs.cols.astype(np.int64)
    vals = pairs.scores(slice(None))
    scores = np.full((n, m), -1.0)
    scores[rows, cols] = vals
    allowed = scores >= 0
    matrix = sp.coo_matrix((vals, (rows, cols)), shape=(n, m))
    return scores, allowed, free, matrix


def check_graph(problem: RoundProblem) -> None:
    """The round's graph holds exactly the allowed pairs, at the reference scorer's scores."""
    scores, allowed, _, _ = free_problem(problem)
    block = all_scores(problem)
    expected = block.allowed & (np.asarray(problem.capacity) > 0)[None, :]
    for i, j in problem.forbidden:
        expected[i, j] = False
    for i, _ in problem.pinned:
        expected[i, :] = False
    assert np.array_equal(allowed, expected)
    levels = score_levels(block.scores).astype(np.int64)
    got = np.rint(scores * SCORE_LEVELS).astype(np.int64)
    assert np.all(np.abs(got - levels)[allowed] <= 1)


def check_optimal(problem: RoundProblem, result: RoundResult) -> None:
    scores, _, free, matrix = free_problem(problem)
    pinned = {i for i, _ in problem.pinned}
    a = result.assignment
    mine = [i for i in np.flatnonzero(a >= 0).tolist() if i not in pinned]
    total = float(sum(scores[i, a[i]] for i in mine))
    best_matched, best_total = nx_optimum(matrix, free)
    assert len(mine) == best_matched
    assert total == pytest.approx(best_total, abs=1e-6)


def check_stable(problem: RoundProblem, result: RoundResult) -> None:
    assert result.metrics.blocking_pairs == 0
    # Independently: no pair on a mentee's ranked shortlist (their best ``shortlist`` allowed
    # mentors, ties by index) strictly prefers each other to what they have.
    scores, allowed, free, _ = free_problem(problem)
    listed = np.zeros_like(allowed)
    for i in range(allowed.shape[0]):
        cols = np.flatnonzero(allowed[i])
        ranked = cols[np.lexsort((cols, -scores[i, cols]))][: problem.shortlist]
        listed[i, ranked] = True
    pinned = {i for i, _ in problem.pinned}
    a = result.assignment
    holders: dict[int, list[int]] = {}
    for i, j in enumerate(a.tolist()):
        if j >= 0 and i not in pinned:
            holders.setdefault(j, []).append(i)
    for i, j in zip(*np.nonzero(listed), strict=True):
        if a[i] == j:
            continue
        mentee_wants = a[i] < 0 or scores[i, j] > scores[i, a[i]]
        held = holders.get(int(j), [])
        mentor_wants = len(held) < free[j] or any(scores[i, j] > scores[h, j] for h in held)
        assert not (mentee_wants and mentor_wants), f"blocking pair ({i}, {j})"


@settings(max_examples=150, deadline=None)
@given(problems())
def test_round_properties_in_both_modes(problem):
    check_graph(problem)
    optimal = solve_round(problem)
    check_round(problem, optimal)
    check_optimal(problem, optimal)

    stable_problem = replace(problem, mode="stable")
    stable = solve_round(stable_problem)
    check_round(stable_problem, stable)
    check_stable(stable_problem, stable)

    # Each mode reports the other as its alternative.
    assert optimal.alternative.mode == "stable"
    assert stable.alternative.mode == "optimal"
    assert optimal.alternative.matched == stable.metrics.matched
    assert stable.alternative.matched == optimal.metrics.matched
    assert optimal.alternative.total_score == pytest.approx(stable.metrics.total_score)
    assert stable.metrics.matched <= optimal.metrics.matched


def test_same_problem_gives_the_same_assignment():
    mentees, mentors, caps = population(80, 25, seed=3)
    results = [
        solve_round(
            RoundProblem(
                list(mentees), list(mentors), list(caps), goal_needs=goal_needs_from_seed()
            )
        )
        for _ in range(2)
    ]
    assert np.array_equal(results[0].assignment, results[1].assignment)
    assert results[0].matches == results[1].matches
    assert results[0].unmatched == results[1].unmatched


@pytest.fixture(scope="module")
def realistic() -> tuple[RoundProblem, RoundResult]:
    mentees, mentors, caps = population(300, 100)
    problem = RoundProblem(mentees, mentors, caps, goal_needs=goal_needs_from_seed())
    return problem, solve_round(problem)


def test_realistic_round(realistic):
    problem, result = realistic
    metrics = result.metrics.as_dict()
    assert metrics["coverage"] > 0.5
    assert result.certificate is not None
    assert result.certificate.gap_bound < 1e-6
    assert metrics["certificate"]["gap_bound"] < 1e-6
    assert set(metrics["score"]) == {"mean", "median", "p10", "min"}
    assert all(isinstance(v, float) for v in metrics["score"].values())
    assert {"histogram", "capacity_used", "capacity_total"} <= set(metrics["mentor_load"])
    histogram = metrics["mentor_load"]["histogram"]
    assert sum(histogram.values()) == len(problem.mentors)
    assert sum(int(k) * v for k, v in histogram.items()) == metrics["matched"]
    assert metrics["blocking_pairs"] >= 0
    assert set(metrics["fairness"]) == {"country", "timezone_band", "experience_band"}
    for rows in metrics["fairness"].values():
        assert sum(r["mentees"] for r in rows) == len(problem.mentees)
        assert all(0.0 <= r["coverage"] <= 1.0 for r in rows)
    alt = result.alternative.as_dict()
    assert alt["mode"] == "stable"
    assert {"coverage", "score", "mentor_load", "blocking_pairs", "total_score"} <= set(alt)
    assert alt["blocking_pairs"] == 0
    assert alt["matched"] <= metrics["matched"]
    unmatched = {u.mentee for u in result.unmatched}
    assert unmatched == set(np.flatnonzero(result.assignment < 0).tolist())
    assert {u.code for u in result.unmatched} <= CODES
    check_round(problem, result)


@pytest.mark.parametrize("mode", ["optimal", "stable"])
def test_round_without_mentors(mode):
    mentees = [
        Profile(languages=("en",), availability=((0, 600),)),
        Profile(languages=("pt",), availability=((60, 120),), years_experience=2),
    ]
    result = solve_round(RoundProblem(mentees, [], [], mode=mode))
    assert result.metrics.coverage == 0.0
    assert result.metrics.matched == 0
    assert result.matches == ()
    assert [(u.mentee, u.code) for u in result.unmatched] == [
        (0, "no_eligible_mentor"),
        (1, "no_eligible_mentor"),
    ]


@pytest.mark.parametrize("mode", ["optimal", "stable"])
def test_round_where_no_mentor_takes_mentees(mode):
    mentee = Profile(languages=("en",), availability=((0, 600),))
    mentor = Profile(languages=("en",), availability=((0, 600),), years_experience=10)
    result = solve_round(RoundProblem([mentee], [mentor], [0], mode=mode))
    assert result.metrics.coverage == 0.0
    assert [(u.mentee, u.code) for u in result.unmatched] == [(0, "no_eligible_mentor")]


@pytest.mark.parametrize("mode", ["optimal", "stable"])
@pytest.mark.parametrize("n_mentors", [0, 2])
def test_round_without_mentees(mode, n_mentors):
    mentors = [Profile(languages=("en",), years_experience=10)] * n_mentors
    result = solve_round(RoundProblem([], mentors, [2] * n_mentors, mode=mode))
    assert result.metrics.mentees == 0
    assert result.metrics.coverage == 0.0
    assert result.assignment.shape == (0,)
    assert result.matches == ()
    assert result.unmatched == ()
    assert result.alternative.mentees == 0


@pytest.mark.parametrize("mode", ["optimal", "stable"])
def test_pinned_seat_is_not_a_blocking_pair(mode):
    # Mentee 1 would love mentor 0, whose only seat is pinned to mentee 0: the organiser's pin
    # is not up for grabs, so that is no instability, and the reason names who holds the seat.
    mentee = Profile(languages=("en",), availability=((0, 600),))
    mentor = Profile(languages=("en",), availability=((0, 600),), years_experience=10)
    problem = RoundProblem([mentee, mentee], [mentor], [1], mode=mode, pinned=[(0, 0)])
    result = solve_round(problem)
    assert result.assignment.tolist() == [0, -1]
    assert result.metrics.blocking_pairs == 0
    assert result.alternative.blocking_pairs == 0
    (unmatched,) = result.unmatched
    assert unmatched.mentee == 1
    assert unmatched.code == "all_suitable_mentors_full"
    assert [(j, holders) for j, _, holders in unmatched.best] == [(0, (0,))]


def test_realistic_round_equals_an_exact_solve_of_its_whole_graph(realistic):
    # An independent exact max-flow-min-cost over every allowed pair at once, with no
    # candidate graph and no certificate, reaches the same coverage and total score.
    from matching.flow import solve_flow

    problem, result = realistic
    graph = round_graph(problem)
    n, m = len(problem.mentees), len(problem.mentors)
    rows = np.repeat(np.arange(n), np.diff(graph.pairs.indptr))
    cols = graph.pairs.cols.astype(np.int64)
    full = solve_flow(
        n,
        m,
        np.asarray(problem.capacity, dtype=np.int64),
        rows,
        cols,
        graph.pairs.scores(slice(None)),
    )
    assert full.matched == result.metrics.matched
    assert full.total == pytest.approx(sum(mt.score for mt in result.matches), abs=1e-9)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_progress_moves_forward_block_by_block_and_round_by_round(n_jobs):
    mentees, mentors, caps = population(300, 100)
    # Short shortlists seed a small candidate graph: the certificate needs several rounds.
    problem = RoundProblem(
        mentees,
        mentors,
        caps,
        goal_needs=goal_needs_from_seed(),
        chunk=64,
        n_jobs=n_jobs,
        shortlist=2,
        k_mentor=1,
    )
    reports: list[tuple[float, str]] = []
    result = solve_round(problem, lambda fraction, message: reports.append((fraction, message)))
    fractions = [f for f, _ in reports]
    assert fractions == sorted(fractions) and fractions[0] > 0 and fractions[-1] == 1.0
    messages = [msg for _, msg in reports]
    # 300 mentees in blocks of 64: five blocks, each reported as it is scored.
    assert [m for m in messages if m.startswith("scoring pairs: ")] == [
        f"scoring pairs: {k} of 5 blocks" for k in range(1, 6)
    ]
    # Every certificate round after the first is announced.
    assert result.certificate is not None and result.certificate.rounds > 1
    certifying = [m for m in messages if m.startswith("certifying: ")]
    assert certifying == [f"certifying: round {k}" for k in range(2, result.certificate.rounds + 1)]
    # The stage boundaries are still reported once each, in order.
    stages = ["vectorising profiles", "scoring pairs", "solving", "explaining", "done"]
    assert [m for m in messages if m in stages] == stages
