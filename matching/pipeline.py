"""A whole matching round: features, chunked scores, candidates, certified assignment, reasons."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from matching.certificate import Certificate, certified_solve, violation_finder
from matching.explain import PairReasons, match_reasons
from matching.features import ProfileVectorizer, SideFeatures
from matching.graph import SCORE_LEVELS, PairGraph, build_graph, score_levels
from matching.metrics import (
    TIMEZONE_BANDS,
    CertificateFigures,
    RoundMetrics,
    round_metrics,
    timezone_band,
)
from matching.profiles import Profile, Weights
from matching.scoring import overlap_threshold, pair_components, score_block
from matching.stable import Preferences, blocking_entries, deferred_acceptance

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
Progress = Callable[[float, str], None]
#: Pairs within this of a positive reduced cost join the candidate graph with the violating
#: ones (scores are in [0, 1]): measured on the benchmark populations, it saves a solve.
SLACK = 0.03
#: Candidate pairs this far below a positive reduced cost leave the graph between solves.
PRUNE = 0.05


#: How a round matches unless its programme says otherwise.
DEFAULT_MIN_OVERLAP_HOURS = 1.0
Mode = Literal["optimal", "stable"]
DEFAULT_MODE: Mode = "optimal"


@dataclass(frozen=True)
class RoundProblem:
    """Everything one round needs, already loaded and normalised."""

    mentees: Sequence[Profile]
    mentors: Sequence[Profile]
    capacity: Sequence[int]
    weights: Weights = field(default_factory=Weights)
    min_overlap_hours: float = DEFAULT_MIN_OVERLAP_HOURS
    mode: Mode = DEFAULT_MODE
    pinned: Sequence[tuple[int, int]] = ()
    #: Organiser-forbidden pairs and pairs already matched in earlier rounds.
    forbidden: Sequence[tuple[int, int]] = ()
    goal_needs: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    #: Length of each mentee's ranked shortlist: the stable mode's preference lists and the
    #: seed of the certified solver's candidate graph (it affects speed, never the optimum).
    shortlist: int = 20
    #: Each mentor's best mentees join the first candidate graph too (speed only, as above).
    k_mentor: int = 10
    #: Mentees scored per block, and threads scoring blocks side by side (None: every CPU).
    chunk: int = 2048
    n_jobs: int | None = None
    random_state: int = 0


@dataclass(frozen=True)
class Match:
    """One pair with its score and components."""

    mentee: int
    mentor: int
    score: float
    components: dict[str, float]
    pinned: bool = False


@dataclass(frozen=True)
class Unmatched:
    """Why a mentee has no mentor this round."""

    mentee: int
    code: str
    #: Best allowed mentors as (mentor, score, mentees who took their places).
    best: tuple[tuple[int, float, tuple[int, ...]], ...] = ()


@dataclass(frozen=True)
class RoundResult:
    """The outcome of a round."""

    assignment: IntArray
    matches: tuple[Match, ...]
    unmatched: tuple[Unmatched, ...]
    metrics: RoundMetrics
    #: The same figures for the other mode (the price of stability or of optimality).
    alternative: RoundMetrics
    certificate: Certificate | None
    timings: dict[str, float]


def _graph(
    problem: RoundProblem,
    fe: SideFeatures,
    fo: SideFeatures,
    skip: npt.NDArray[np.bool_],
    progress: Callable[[int, int], None] | None = None,
) -> PairGraph:
    return build_graph(
        fe,
        fo,
        problem.weights,
        problem.min_overlap_hours,
        mentor_open=np.asarray(problem.capacity, dtype=np.int64) > 0,
        forbidden=problem.forbidden,
        skip=skip,
        shortlist=problem.shortlist,
        mentor_shortlist=problem.k_mentor,
        chunk=problem.chunk,
        n_jobs=problem.n_jobs,
        progress=progress,
    )


def round_graph(problem: RoundProblem) -> PairGraph:
    """The graph of allowed pairs a round optimises over (pinned mentees left out)."""
    vec = ProfileVectorizer(problem.goal_needs, random_state=problem.random_state)
    fe, fo = vec.fit_transform(problem.mentees, problem.mentors)
    skip = np.zeros(len(problem.mentees), dtype=bool)
    skip[[int(i) for i, _ in problem.pinned]] = True
    return _graph(problem, fe, fo, skip)


def solve_round(problem: RoundProblem, progress: Progress | None = None) -> RoundResult:
    """Run a round: certified-optimal (or stable) assignment with reasons and metrics.

    Parameters
    ----------
    problem : RoundProblem
    progress : callable, optional
        Called as ``progress(fraction, message)`` between stages.

    Returns
    -------
    RoundResult
    """
    report = progress or (lambda fraction, message: None)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    n, m = len(problem.mentees), len(problem.mentors)
    cap = np.asarray(problem.capacity, dtype=np.int64)
    if cap.shape != (m,):
        raise ValueError(f"capacity has shape {cap.shape}, expected ({m},)")
    report(0.05, "vectorising profiles")
    vec = ProfileVectorizer(problem.goal_needs, random_state=problem.random_state)
    fe, fo = vec.fit_transform(problem.mentees, problem.mentors)
    timings["features_s"] = time.perf_counter() - t0

    result = np.full(n, -1, dtype=np.int64)
    free_cap = cap.copy()
    skip = np.zeros(n, dtype=bool)
    for i, j in problem.pinned:
        result[int(i)] = int(j)
        free_cap[int(j)] -= 1
        skip[int(i)] = True
    if np.any(free_cap < 0):
        raise ValueError("pinned pairs exceed a mentor's capacity")

    report(0.15, "scoring pairs")
    t1 = time.perf_counter()
    graph = _graph(
        problem,
        fe,
        fo,
        skip,
        # Distinct messages between stages: a stage's own message marks its start.
        lambda done, blocks: report(
            0.15 + 0.35 * done / blocks, f"scoring pairs: {done} of {blocks} blocks"
        ),
    )
    short_r, short_c, short_s = graph.short_rows, graph.short_cols, graph.short_scores
    prefs = Preferences.from_scores(n, m, short_r, short_c, short_s)
    timings["scores_s"] = time.perf_counter() - t1

    report(0.5, "solving")
    t2 = time.perf_counter()
    certificate: Certificate | None = None
    optimal = np.full(n, -1, dtype=np.int64)
    optimal_scores = np.zeros(n)
    if len(short_r):
        # Seeded with both shortlists; the certificate adds whatever else the optimum needs.
        seed_r, seed_c, seed_s = graph.seed()
        sol, certificate = certified_solve(
            n,
            m,
            free_cap,
            seed_r,
            seed_c,
            seed_s,
            violation_finder(graph.pairs, slack=SLACK),
            prune=PRUNE,
            # Rounds are few (1-5 here) and their number unknown: each closes half the gap.
            progress=lambda k: report(0.8 - 0.3 * 0.5**k, f"certifying: round {k + 1}"),
        )
        optimal, optimal_scores = sol.assignment, sol.pair_scores
    timings["assign_s"] = time.perf_counter() - t2
    t3 = time.perf_counter()
    da = deferred_acceptance(prefs, free_cap)
    da_scores = np.zeros(n)
    held = np.flatnonzero(short_c == da[short_r])
    da_scores[short_r[held]] = short_s[held]
    timings["stable_s"] = time.perf_counter() - t3

    chosen, known = (optimal, optimal_scores) if problem.mode == "optimal" else (da, da_scores)
    other, other_known = (da, da_scores) if problem.mode == "optimal" else (optimal, optimal_scores)
    result = np.where(skip, result, chosen)
    alt = np.where(skip, result, other)

    report(0.8, "explaining")
    t4 = time.perf_counter()
    w = problem.weights.normalised()
    pair_score, comps = _pair_scores(fe, fo, result, known, skip, w)
    alt_score, _ = _pair_scores(fe, fo, alt, other_known, skip, w)
    matched = np.flatnonzero(result >= 0)
    names = list(comps)
    columns = [np.round(comps[name].astype(np.float64), 4).tolist() for name in names]
    matches = [
        Match(i, j, s, dict(zip(names, values, strict=True)), p)
        for i, j, s, p, *values in zip(
            matched.tolist(),
            result[matched].tolist(),
            pair_score[matched].tolist(),
            skip[matched].tolist(),
            *columns,
            strict=True,
        )
    ]
    unmatched = _unmatched(problem, graph, fe, fo, result, pair_score, skip)
    groups = _groups(problem.mentees)
    # Pinned seats are not up for grabs: blocking pairs are among the free seats only.
    blocking = [
        len(blocking_entries(prefs, np.where(skip, -1, a), free_cap)) for a in (result, alt)
    ]
    proof = (
        None
        if certificate is None
        else CertificateFigures(
            rounds=certificate.rounds,
            candidate_pairs=certificate.candidate_pairs,
            allowed_pairs=int(graph.pairs.indptr[-1]),
            gap_bound=certificate.gap_bound,
        )
    )
    metrics = round_metrics(
        result, pair_score, cap, blocking[0], groups, mode=problem.mode, certificate=proof
    )
    other_mode: Mode = "stable" if problem.mode == "optimal" else "optimal"
    alternative = round_metrics(alt, alt_score, cap, blocking[1], mode=other_mode)
    timings["explain_s"] = time.perf_counter() - t4
    timings["total_s"] = time.perf_counter() - t0
    report(1.0, "done")
    return RoundResult(
        result, tuple(matches), tuple(unmatched), metrics, alternative, certificate, timings
    )


def _pair_scores(
    fe: SideFeatures,
    fo: SideFeatures,
    assignment: IntArray,
    known: FloatArray,
    skip: npt.NDArray[np.bool_],
    weights: Mapping[str, float],
) -> tuple[FloatArray, dict[str, npt.NDArray[np.float32]]]:
    """Each matched mentee's score (0 if unmatched) and the components of their pair.

    ``known`` holds the scores the solver optimised, from the graph; a pinned pair is outside
    the graph, so its score is the weighted sum of its components, at the same resolution.
    """
    matched = np.flatnonzero(assignment >= 0)
    comps = pair_components(fe, fo, matched, assignment[matched])
    out = np.where(assignment >= 0, known, 0.0)
    weighted = sum(weights[name] * comps[name].astype(np.float64) for name in weights)
    pinned = skip[matched]
    out[matched[pinned]] = score_levels(np.asarray(weighted)[pinned]) / SCORE_LEVELS
    return out, comps


def _unmatched(
    problem: RoundProblem,
    graph: PairGraph,
    fe: SideFeatures,
    fo: SideFeatures,
    result: IntArray,
    pair_score: FloatArray,
    skip: npt.NDArray[np.bool_],
) -> list[Unmatched]:
    """The binding reason of every unmatched mentee."""
    out: list[Unmatched] = []
    todo = np.flatnonzero((result < 0) & ~skip)
    cap = np.asarray(problem.capacity, dtype=np.int64)
    holders: dict[int, list[int]] = {}
    for i, j in enumerate(result.tolist()):
        if j >= 0:
            holders.setdefault(j, []).append(i)
    has_room = np.bincount(result[result >= 0], minlength=len(cap)) < cap
    degree = np.diff(graph.pairs.indptr)
    waiting = todo[degree[todo] > 0]
    rows, pos = graph.pairs.entries(waiting)
    cols = graph.pairs.cols[pos].astype(np.int64)
    starts = np.searchsorted(rows, waiting)
    room = has_room[cols]
    # Only the stable mode can leave a mentee out while a suitable mentor has room: every
    # mentor on their shortlist chose mentees they rank higher. Either way, the candidates to
    # name are the full mentors, best first (ties: lower index).
    any_room = np.add.reduceat(room.astype(np.int64), starts) > 0 if len(rows) else room[:0]
    key = ((SCORE_LEVELS - graph.pairs.values[pos].astype(np.int64)) << 32) | cols
    key[room] = np.iinfo(np.int64).max
    best: list[IntArray] = []
    for _ in range(3):
        top = np.minimum.reduceat(key, starts) if len(rows) else key[:0]
        best.append(top)
        key[key == np.repeat(top, np.diff(np.append(starts, len(rows))))] = np.iinfo(np.int64).max
    for k, i in enumerate(waiting.tolist()):
        named = []
        for top in best:
            if top[k] == np.iinfo(np.int64).max:
                break
            j = int(top[k] & 0xFFFFFFFF)
            score = (SCORE_LEVELS - int(top[k] >> 32)) / SCORE_LEVELS
            named.append(
                (
                    j,
                    round(score, 4),
                    tuple(sorted(holders.get(j, []), key=lambda h: -pair_score[h])),
                )
            )
        code = "shortlist_mentors_chose_others" if any_room[k] else "all_suitable_mentors_full"
        out.append(Unmatched(i, code, tuple(named)))
    # Mentees without any allowed pair: find which constraint left them none.
    lonely = todo[degree[todo] == 0]
    mentor_open = cap > 0
    for start in range(0, len(lonely), problem.chunk):
        rows = lonely[start : start + problem.chunk]
        b = score_block(fe, fo, rows, problem.weights, problem.min_overlap_hours)
        enough = b.overlap_hours >= overlap_threshold(problem.min_overlap_hours)
        for local, i in enumerate(rows.tolist()):
            language = b.shared_language[local] & mentor_open
            if not mentor_open.any():  # no mentor is taking mentees this round
                code = "no_eligible_mentor"
            elif not language.any():
                code = "no_shared_language"
            elif not (language & enough[local]).any():
                code = "no_availability_overlap"
            elif (language & enough[local] & b.same_employer[local]).any():
                code = "conflict_of_interest"
            else:  # every remaining mentor was excluded by the organiser or an earlier round
                code = "no_eligible_mentor"
            out.append(Unmatched(i, code))
    return sorted(out, key=lambda u: u.mentee)


def _groups(mentees: Sequence[Profile]) -> dict[str, list[str]]:
    def exp_band(years: float) -> str:
        return "0-1 years" if years < 2 else ("2-4 years" if years < 5 else "5+ years")

    return {
        "country": [p.country or "unknown" for p in mentees],
        "timezone_band": [TIMEZONE_BANDS[timezone_band(p.utc_offset_hours)] for p in mentees],
        "experience_band": [exp_band(p.years_experience) for p in mentees],
    }


def solve_and_explain(
    problem: RoundProblem,
    labels: Mapping[str, str],
    progress: Callable[[float, str], None] | None = None,
) -> tuple[RoundResult, list[PairReasons]]:
    """:func:`solve_round` plus both sides' reasons for every match (one picklable call)."""
    result = solve_round(problem, progress)
    weights = problem.weights.normalised()
    reasons = []
    for m in result.matches:
        mentee, mentor = problem.mentees[m.mentee], problem.mentors[m.mentor]
        for_mentee, for_mentor = (
            match_reasons(
                mentee, mentor, m.components, weights, labels, problem.goal_needs, audience=side
            )
            for side in ("mentee", "mentor")
        )
        reasons.append(PairReasons(tuple(for_mentee), tuple(for_mentor)))
    return result, reasons
