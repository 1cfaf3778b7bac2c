"""A whole matching round: features, chunked scores, candidates, certified assignment, reasons."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from matching.assign import Certificate, Solution, certified_solve, worst_per_mentee
from matching.features import ProfileVectorizer, SideFeatures
from matching.metrics import round_metrics
from matching.profiles import Profile, Weights
from matching.scoring import Block, fuse, pair_components, score_block
from matching.stable import blocking_pairs, stable

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
Progress = Callable[[float, str], None]
#: Keep the whole score matrix in memory up to this many pairs (float32 + bool: 5 bytes each).
STORE_PAIRS = 80_000_000


@dataclass(frozen=True)
class RoundProblem:
    """Everything one round needs, already loaded and normalised."""

    mentees: Sequence[Profile]
    mentors: Sequence[Profile]
    capacity: Sequence[int]
    weights: Weights = field(default_factory=Weights)
    min_overlap_hours: float = 1.0
    mode: Literal["optimal", "stable"] = "optimal"
    pinned: Sequence[tuple[int, int]] = ()
    #: Organiser-forbidden pairs and pairs already matched in earlier rounds.
    forbidden: Sequence[tuple[int, int]] = ()
    goal_needs: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    #: Length of each mentee's ranked shortlist: the stable mode's preference lists and the
    #: seed of the certified solver's candidate graph (it affects speed, never the optimum).
    shortlist: int = 20
    k_mentor: int = 15
    chunk: int = 2048
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
    metrics: dict[str, Any]
    alternative: dict[str, Any]
    certificate: Certificate | None
    timings: dict[str, float]


class _Scores:
    """Blocks of scores, kept in memory when small enough, recomputed in chunks otherwise."""

    def __init__(self, problem: RoundProblem, mentees: SideFeatures, mentors: SideFeatures) -> None:
        self.p, self.fe, self.fo = problem, mentees, mentors
        self.n, self.m = len(problem.mentees), len(problem.mentors)
        cap = np.asarray(problem.capacity, dtype=np.int64)
        self.mentor_open = cap > 0
        self.forbidden: dict[int, list[int]] = {}
        for i, j in problem.forbidden:
            self.forbidden.setdefault(int(i), []).append(int(j))
        self.store = self.n * self.m <= STORE_PAIRS
        self.kth: FloatArray = np.full(self.n, -1.0)
        self.allowed_bits = np.zeros((self.n, (self.m + 7) // 8), dtype=np.uint8)
        self.fused = fuse(mentees, mentors, problem.weights)
        self._blocks: dict[int, Block] = {}

    def starts(self) -> range:
        return range(0, self.n, self.p.chunk)

    def block(self, start: int) -> Block:
        if start in self._blocks:
            return self._blocks[start]
        b = self._score(np.arange(start, min(start + self.p.chunk, self.n), dtype=np.int64))
        if self.store:
            self._blocks[start] = b
        return b

    def _score(self, rows: IntArray) -> Block:
        """Scores of arbitrary mentee rows, computed now."""
        b = score_block(
            self.fe, self.fo, rows, self.p.weights, self.p.min_overlap_hours, self.fused
        )
        np.logical_and(b.allowed, self.mentor_open[None, :], out=b.allowed)
        for local, i in enumerate(rows):
            cols = self.forbidden.get(int(i))
            if cols:
                b.allowed[local, cols] = False
        return b


def _top_per_row(
    masked: npt.NDArray[np.float32], k: int, sample: IntArray
) -> tuple[IntArray, IntArray]:
    """Exact top-``k`` columns of each row (values >= 0 only), as (row, col) pairs.

    A threshold from a column sample keeps most of each row out of the selection: if at least
    ``k`` values reach the sample's third best, the row's true top-``k`` are all among them.
    Rows where fewer reach it fall back to a full partial sort.
    """
    c_rows, m = masked.shape
    if k >= m:
        r, c = np.nonzero(masked >= 0)
        return r.astype(np.int64), c.astype(np.int64)
    probe = masked[:, sample]
    thr = -np.partition(-probe, 2, axis=1)[:, 2] if probe.shape[1] > 3 else np.full(c_rows, -1.0)
    thr = np.maximum(thr, 0.0).astype(np.float32)
    r, c = np.nonzero(masked >= thr[:, None])
    counts = np.bincount(r, minlength=c_rows)
    short = counts < k
    keep = ~short[r]
    r, c = r[keep], c[keep]
    vals = masked[r, c]
    order = np.lexsort((c, -vals, r))
    r, c = r[order], c[order]
    first = np.searchsorted(r, r, side="left")
    sel = (np.arange(len(r)) - first) < k
    out_r, out_c = [r[sel].astype(np.int64)], [c[sel].astype(np.int64)]
    fallback = np.flatnonzero(short)
    if len(fallback):
        sub = masked[fallback]
        top = np.argpartition(-sub, k - 1, axis=1)[:, :k]
        rr = np.repeat(np.arange(len(fallback)), k)
        cc = top.ravel()
        ok = sub[rr, cc] >= 0
        out_r.append(fallback[rr[ok]].astype(np.int64))
        out_c.append(cc[ok].astype(np.int64))
    return np.concatenate(out_r), np.concatenate(out_c)


def _top_per_column(
    masked: npt.NDArray[np.float32], k: int, sample: IntArray
) -> tuple[IntArray, IntArray]:
    """Each column's ``k`` best rows (values >= 0): the row selection on the transpose."""
    cols, rows = _top_per_row(np.ascontiguousarray(masked.T), k, sample)
    return rows, cols


def _candidates(
    scores: _Scores, k: int, k_mentor: int, skip: npt.NDArray[np.bool_]
) -> tuple[IntArray, IntArray, FloatArray, npt.NDArray[np.bool_]]:
    """Each mentee's top-``k`` allowed mentors (flagged) plus each block's best per mentor."""
    # Seeded with empty arrays so a round without mentees still concatenates.
    rows_out: list[IntArray] = [np.zeros(0, np.int64)]
    cols_out: list[IntArray] = [np.zeros(0, np.int64)]
    vals_out: list[FloatArray] = [np.zeros(0)]
    short_out: list[npt.NDArray[np.bool_]] = [np.zeros(0, dtype=bool)]
    rng = np.random.default_rng(scores.p.random_state)
    sample = np.sort(rng.choice(scores.m, size=min(scores.m, 256), replace=False))
    scores.kth = np.full(scores.n, -1.0)
    scores.allowed_bits = np.zeros((scores.n, (scores.m + 7) // 8), dtype=np.uint8)
    for start in scores.starts():
        b = scores.block(start)
        masked = np.where(b.allowed, b.scores, np.float32(-1.0))
        masked[skip[b.rows]] = -1.0
        scores.allowed_bits[b.rows] = np.packbits(masked >= 0, axis=1)
        r, c = _top_per_row(masked, k, sample)
        # Every allowed pair outside a full shortlist scores at most its last entry.
        counts = np.bincount(r, minlength=len(b.rows))
        lowest = np.full(len(b.rows), np.inf)
        np.minimum.at(lowest, r, masked[r, c])
        scores.kth[b.rows] = np.where(counts >= k, lowest, -1.0)
        row_sample = rng.choice(len(b.rows), size=min(len(b.rows), 256), replace=False)
        pr, pc = (
            _top_per_column(masked, k_mentor, np.sort(row_sample)) if k_mentor else (r[:0], c[:0])
        )
        rows_out += [b.rows[r], b.rows[pr]]
        cols_out += [c, pc]
        vals_out += [b.scores[r, c].astype(np.float64), b.scores[pr, pc].astype(np.float64)]
        short_out += [np.ones(len(r), dtype=bool), np.zeros(len(pr), dtype=bool)]
    rows, cols = np.concatenate(rows_out), np.concatenate(cols_out)
    vals, short = np.concatenate(vals_out), np.concatenate(short_out)
    # A pair can come from both selections: keep it once, as a shortlist entry if it is one.
    order = np.lexsort((~short, rows * scores.m + cols))
    key = (rows * scores.m + cols)[order]
    first = np.ones(len(key), dtype=bool)
    first[1:] = key[1:] != key[:-1]
    idx = order[first]
    return rows[idx], cols[idx], vals[idx], short[idx]


def _row_groups(
    scores: _Scores, rows: IntArray
) -> Iterator[tuple[IntArray, Block, npt.NDArray[np.int64] | slice]]:
    """Blocks covering ``rows``: stored blocks sliced in place, or fresh blocks of those rows."""
    if scores.store:
        for start in scores.starts():
            local = rows[(rows >= start) & (rows < start + scores.p.chunk)] - start
            if len(local):
                yield local + start, scores.block(start), local
    else:
        for start in range(0, len(rows), scores.p.chunk):
            part = rows[start : start + scores.p.chunk]
            yield part, scores._score(part), slice(None)


def _violation_finder(
    scores: _Scores, skip: npt.NDArray[np.bool_]
) -> Callable[[Solution, bool], tuple[IntArray, IntArray, FloatArray, float]]:
    """Check every allowed pair against the duals, recomputing only rows that could fail.

    Pairs in the candidate graph satisfy the duals by construction (Bellman-Ford). A pair
    outside it scores at most its mentee's last shortlist score ``kth``, so a row whose
    ``kth - u_i - lambda - min(v)`` is within tolerance is certified without recomputing it.
    The cut condition uses the allowed-pair bits kept from the first pass.
    """

    def find(sol: Solution, check_cut: bool) -> tuple[IntArray, IntArray, FloatArray, float]:
        add_r: list[IntArray] = [np.zeros(0, np.int64)]
        add_c: list[IntArray] = [np.zeros(0, np.int64)]
        add_s: list[FloatArray] = [np.zeros(0)]
        vmin = float(sol.v.min()) if len(sol.v) else 0.0
        bound = scores.kth - sol.u - sol.lam - vmin
        todo = np.flatnonzero((scores.kth >= 0) & ~skip & (bound > 1e-9))
        worst = float(bound[(scores.kth >= 0) & ~skip].max(initial=0.0))
        seen = -np.inf
        thr32 = (sol.v + sol.lam).astype(np.float32)
        for rows, b, sel in _row_groups(scores, todo):
            block_scores = b.scores[sel]
            # Screen in float32 with a margin far above its rounding; confirm in float64.
            red32 = block_scores - sol.u[rows, None].astype(np.float32) - thr32[None, :]
            red32[~b.allowed[sel]] = -np.inf
            r, c = np.nonzero(red32 > -1e-4)
            red = block_scores[r, c].astype(np.float64) - sol.u[rows[r]] - sol.v[c] - sol.lam
            seen = max(seen, float(red.max(initial=-np.inf)))
            bad = red > 1e-9
            r, c, red = r[bad], c[bad], red[bad]
            keep = worst_per_mentee(rows[r], c.astype(np.int64), red)
            add_r.append(rows[r[keep]])
            add_c.append(c[keep].astype(np.int64))
            add_s.append(block_scores[r[keep], c[keep]].astype(np.float64))
        if len(todo):
            worst = seen if np.isfinite(seen) else 0.0
        if check_cut:
            reach = np.flatnonzero(sol.reach_mentees & ~skip)
            if len(reach):
                outside = np.packbits(~sol.reach_mentors)
                hit = reach[(scores.allowed_bits[reach] & outside[None, :]).any(axis=1)]
                # Scores from the same block arithmetic as the rest of the graph.
                for rows, b, sel in _row_groups(scores, hit):
                    cross = scores.allowed_bits[rows] & outside[None, :]
                    bits = np.unpackbits(cross, axis=1, count=scores.m).astype(bool)
                    r, c = np.nonzero(bits)
                    e, o = rows[r], c.astype(np.int64)
                    vals = b.scores[sel][r, c].astype(np.float64)
                    keep = worst_per_mentee(e, o, vals)
                    add_r.append(e[keep])
                    add_c.append(o[keep])
                    add_s.append(vals[keep])
        return np.concatenate(add_r), np.concatenate(add_c), np.concatenate(add_s), worst

    return find


def _shortlists(
    n: int, m: int, r: IntArray, c: IntArray, s: FloatArray
) -> tuple[list[list[int]], list[list[int]]]:
    """Each mentee's top mentors by score, and each mentor's applicants ranked by score."""
    order = np.lexsort((c, -s, r))
    mentee_prefs: list[list[int]] = [[] for _ in range(n)]
    for i, j in zip(r[order].tolist(), c[order].tolist(), strict=True):
        mentee_prefs[i].append(j)
    order = np.lexsort((r, -s, c))
    mentor_prefs: list[list[int]] = [[] for _ in range(m)]
    for i, j in zip(r[order].tolist(), c[order].tolist(), strict=True):
        mentor_prefs[j].append(i)
    return mentee_prefs, mentor_prefs


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

    scores = _Scores(problem, fe, fo)
    result = np.full(n, -1, dtype=np.int64)
    free_cap = cap.copy()
    pinned_set = set()
    for i, j in problem.pinned:
        result[int(i)] = int(j)
        free_cap[int(j)] -= 1
        pinned_set.add(int(i))
    if np.any(free_cap < 0):
        raise ValueError("pinned pairs exceed a mentor's capacity")
    skip = np.zeros(n, dtype=bool)
    skip[list(pinned_set)] = True

    report(0.15, "scoring pairs")
    t1 = time.perf_counter()
    all_r, all_c, all_s, is_short = _candidates(scores, problem.shortlist, problem.k_mentor, skip)
    short_r, short_c, short_s = all_r[is_short], all_c[is_short], all_s[is_short]
    mentee_prefs, mentor_prefs = _shortlists(scores.n, scores.m, short_r, short_c, short_s)
    # The whole shortlist seeds the candidate graph: the row bound in the certificate relies
    # on every pair outside it scoring at most the shortlist's last entry.
    rows, cols, vals = all_r, all_c, all_s
    timings["scores_s"] = time.perf_counter() - t1

    report(0.5, "solving")
    t2 = time.perf_counter()
    certificate: Certificate | None = None
    optimal = np.full(n, -1, dtype=np.int64)
    if len(rows):
        sol, certificate = certified_solve(
            n, m, free_cap, rows, cols, vals, _violation_finder(scores, skip)
        )
        optimal = sol.assignment
    timings["assign_s"] = time.perf_counter() - t2
    t3 = time.perf_counter()
    da = stable(mentee_prefs, mentor_prefs, free_cap)
    timings["stable_s"] = time.perf_counter() - t3

    chosen = optimal if problem.mode == "optimal" else da
    other = da if problem.mode == "optimal" else optimal
    for i in range(n):
        if not skip[i]:
            result[i] = chosen[i]
    alt = np.where(skip, result, other)

    report(0.8, "explaining")
    t4 = time.perf_counter()
    matched = np.flatnonzero(result >= 0)
    comps = pair_components(fe, fo, matched, result[matched])
    w = problem.weights.normalised()
    pair_score = np.zeros(n)
    matches = []
    for k, i in enumerate(matched.tolist()):
        c = {name: round(float(values[k]), 4) for name, values in comps.items()}
        s = min(1.0, sum(w[name] * float(comps[name][k]) for name in w))
        pair_score[i] = s
        matches.append(Match(i, int(result[i]), round(s, 6), c, i in pinned_set))
    alt_score = np.zeros(n)
    alt_matched = np.flatnonzero(alt >= 0)
    alt_comps = pair_components(fe, fo, alt_matched, alt[alt_matched])
    for k, i in enumerate(alt_matched.tolist()):
        alt_score[i] = min(1.0, sum(w[name] * float(alt_comps[name][k]) for name in w))
    unmatched = _unmatched(scores, result, pair_score, skip)
    groups = _groups(problem.mentees)
    # Pinned seats are not up for grabs: blocking pairs are among the free seats only.
    blocking = [
        len(blocking_pairs(np.where(skip, -1, a), mentee_prefs, mentor_prefs, free_cap))
        for a in (result, alt)
    ]
    metrics = round_metrics(
        result, pair_score, cap, mentee_prefs, mentor_prefs, groups, blocking=blocking[0]
    )
    metrics["mode"] = problem.mode
    metrics["total_score"] = round(float(pair_score[matched].sum()), 6)
    alternative = round_metrics(
        alt, alt_score, cap, mentee_prefs, mentor_prefs, blocking=blocking[1]
    )
    alternative["mode"] = "stable" if problem.mode == "optimal" else "optimal"
    alternative["total_score"] = round(float(alt_score[alt >= 0].sum()), 6)
    alternative.pop("fairness", None)
    timings["explain_s"] = time.perf_counter() - t4
    timings["total_s"] = time.perf_counter() - t0
    if certificate is not None:
        metrics["certificate"] = {
            "rounds": certificate.rounds,
            "candidate_pairs": certificate.candidate_pairs,
            "gap_bound": certificate.gap_bound,
        }
    report(1.0, "done")
    return RoundResult(
        result, tuple(matches), tuple(unmatched), metrics, alternative, certificate, timings
    )


def _unmatched(
    scores: _Scores, result: IntArray, pair_score: FloatArray, skip: npt.NDArray[np.bool_]
) -> list[Unmatched]:
    out: list[Unmatched] = []
    todo = set(np.flatnonzero((result < 0) & ~skip).tolist())
    if not todo:
        return out
    holders: dict[int, list[int]] = {}
    for i, j in enumerate(result.tolist()):
        if j >= 0:
            holders.setdefault(j, []).append(i)
    load = np.bincount(result[result >= 0], minlength=scores.m)
    has_room = load < np.asarray(scores.p.capacity, dtype=np.int64)
    for start in scores.starts():
        b = scores.block(start)
        for local, i in enumerate(b.rows.tolist()):
            if i not in todo:
                continue
            allowed = b.allowed[local]
            if not allowed.any():
                if not scores.mentor_open.any():  # no mentor is taking mentees this round
                    code = "no_eligible_mentor"
                elif not b.shared_language[local].any():
                    code = "no_shared_language"
                elif not (
                    b.shared_language[local]
                    & (b.overlap_hours[local] >= scores.p.min_overlap_hours - 1e-4)
                ).any():
                    code = "no_availability_overlap"
                elif (b.same_employer[local] & b.shared_language[local]).any():
                    code = "conflict_of_interest"
                else:
                    code = "no_eligible_mentor"
                out.append(Unmatched(i, code))
                continue
            cand = np.flatnonzero(allowed)
            # Only the stable mode can leave a mentee out while a suitable mentor has room:
            # every mentor on their shortlist chose mentees they rank higher.
            code = (
                "shortlist_mentors_chose_others"
                if has_room[cand].any()
                else "all_suitable_mentors_full"
            )
            if code == "shortlist_mentors_chose_others":
                cand = cand[~has_room[cand]]
            best = cand[np.argsort(-b.scores[local, cand], kind="stable")[:3]]
            out.append(
                Unmatched(
                    i,
                    code,
                    tuple(
                        (
                            int(j),
                            round(float(b.scores[local, j]), 4),
                            tuple(sorted(holders.get(int(j), []), key=lambda h: -pair_score[h])),
                        )
                        for j in best
                    ),
                )
            )
    return sorted(out, key=lambda u: u.mentee)


def _groups(mentees: Sequence[Profile]) -> dict[str, list[str]]:
    def tz_band(offset: float) -> str:
        if offset <= -3:
            return "Americas (UTC-3 and west)"
        if offset < 3:
            return "Europe/Africa (UTC-3 to +3)"
        return "Asia/Pacific (UTC+3 and east)"

    def exp_band(years: float) -> str:
        return "0-1 years" if years < 2 else ("2-4 years" if years < 5 else "5+ years")

    return {
        "country": [p.country or "unknown" for p in mentees],
        "timezone_band": [tz_band(p.utc_offset_hours) for p in mentees],
        "experience_band": [exp_band(p.years_experience) for p in mentees],
    }


def solve_and_explain(
    problem: RoundProblem, labels: Mapping[str, str]
) -> tuple[RoundResult, list[list[str]]]:
    """:func:`solve_round` plus the reasons of every match (one picklable call for a pool)."""
    from matching.explain import match_reasons

    result = solve_round(problem)
    weights = problem.weights.normalised()
    reasons = [
        match_reasons(
            problem.mentees[m.mentee],
            problem.mentors[m.mentor],
            m.components,
            weights,
            labels,
            problem.goal_needs,
        )
        for m in result.matches
    ]
    return result, reasons
