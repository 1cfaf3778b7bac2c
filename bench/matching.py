"""Matching benchmark: features+scores and certified assignment at growing sizes.

Each size runs in a fresh process so its peak memory is its own. For each size it reports
wall time and peak RSS, coverage and total score of the certified optimum, the same for a
greedy baseline, and (up to 2,000 mentees) an independent exact solve on the full graph.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import resource
import time
from typing import Any

import numpy as np

SIZES = ((500, 150), (2_000, 600), (10_000, 3_000), (50_000, 15_000))
FULL_GRAPH_CHECK_UP_TO = 2_000


def _greedy(
    block_scores: list[tuple[np.ndarray, np.ndarray, np.ndarray]], cap: np.ndarray, n: int
) -> tuple[int, float]:
    rows = np.concatenate([b[0] for b in block_scores])
    cols = np.concatenate([b[1] for b in block_scores])
    vals = np.concatenate([b[2] for b in block_scores])
    order = np.argsort(-vals, kind="stable")
    left = cap.copy()
    taken = np.zeros(n, dtype=bool)
    total, matched = 0.0, 0
    for k in order.tolist():
        i, j = rows[k], cols[k]
        if not taken[i] and left[j] > 0:
            taken[i] = True
            left[j] -= 1
            total += float(vals[k])
            matched += 1
    return matched, total


def _one(size: tuple[int, int], queue: Any) -> None:
    from bench.population import goal_needs_from_seed, population
    from matching.pipeline import RoundProblem, _Scores, solve_round

    n, m = size
    mentees, mentors, cap = population(n, m)
    problem = RoundProblem(mentees, mentors, cap, goal_needs=goal_needs_from_seed())
    t = time.perf_counter()
    result = solve_round(problem)
    wall = time.perf_counter() - t
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out: dict[str, Any] = {
        "mentees": n,
        "mentors": m,
        "wall_s": round(wall, 2),
        "features_s": round(result.timings["features_s"], 2),
        "scores_s": round(result.timings["scores_s"], 2),
        "assign_s": round(result.timings["assign_s"], 2),
        "peak_rss_mib": round(peak_mib),
        "coverage": result.metrics["coverage"],
        "total_score": result.metrics["total_score"],
        "certificate": result.metrics.get("certificate"),
    }
    # Greedy baseline and the independent full-graph optimum use the solver's own scores.
    from matching.features import ProfileVectorizer

    vec = ProfileVectorizer(problem.goal_needs).fit(mentees, mentors)
    scores = _Scores(problem, vec.transform(mentees, "mentee"), vec.transform(mentors, "mentor"))
    blocks = []
    for start in scores.starts():
        b = scores.block(start)
        r, c = np.nonzero(b.allowed)
        blocks.append((b.rows[r], c, b.scores[r, c].astype(np.float64)))
    g_matched, g_total = _greedy(blocks, np.asarray(cap), n)
    solver_total = float(
        sum(
            float(
                b[2][
                    np.isin(
                        b[0] * m + b[1],
                        np.flatnonzero(result.assignment >= 0) * m
                        + result.assignment[result.assignment >= 0],
                    )
                ].sum()
            )
            for b in blocks
        )
    )
    out["greedy"] = {
        "coverage": round(g_matched / n, 4),
        "score_vs_optimum": round(g_total / solver_total, 4),
    }
    if n <= FULL_GRAPH_CHECK_UP_TO:
        import scipy.sparse as sp

        from matching.assign import _solve

        rows = np.concatenate([b[0] for b in blocks])
        cols = np.concatenate([b[1] for b in blocks]).astype(np.int64)
        vals = np.concatenate([b[2] for b in blocks])
        t = time.perf_counter()
        full = _solve(n, m, np.asarray(cap, dtype=np.int64), rows.astype(np.int64), cols, vals)
        out["full_graph_exact"] = {
            "seconds": round(time.perf_counter() - t, 2),
            "matched_equal": full.matched == int((result.assignment >= 0).sum()),
            "score_difference": float(abs(full.total - solver_total)),
        }
        del sp
    queue.put(out)


def main(sizes: tuple[tuple[int, int], ...] = SIZES) -> dict[str, Any]:
    """Run each size in its own process; return their figures."""
    ctx = mp.get_context("spawn")
    results = []
    limit = int(os.environ.get("KICKOFF_BENCH_MAX_MENTEES", "10000"))
    for size in sizes:
        if size[0] > limit:
            results.append(
                {
                    "mentees": size[0],
                    "mentors": size[1],
                    "skipped": f"above KICKOFF_BENCH_MAX_MENTEES={limit}",
                }
            )
            continue
        queue = ctx.Queue()
        proc = ctx.Process(target=_one, args=(size, queue))
        proc.start()
        results.append(queue.get())
        proc.join()
    return {"sizes": results}
