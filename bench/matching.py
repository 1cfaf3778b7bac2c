"""Matching benchmark: features+scores and certified assignment at growing sizes.

Each size runs in a fresh process so its peak memory is its own. For each size it reports
wall time and peak RSS, coverage and total score of the certified optimum, the same for a
greedy baseline, and (up to 10,000 mentees) an independent exact solve on the full graph.

Then, in one more process, the public :func:`matching.assign` and SciPy's exact dense
assignment solve the same 10,000 x 3,000 score matrix side by side (:mod:`bench.versus`).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import resource
import time
from typing import Any

import numpy as np

SIZES = ((500, 150), (2_000, 600), (10_000, 3_000), (50_000, 15_000))
FULL_GRAPH_CHECK_UP_TO = 10_000


def _greedy(
    rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, cap: np.ndarray, n: int
) -> tuple[int, float]:
    """Pairs by descending score while places last: (matched, total score)."""
    order = np.argsort(-vals, kind="stable")
    left = cap.copy()
    taken = np.zeros(n, dtype=bool)
    total, matched = 0.0, 0
    # Sequential by nature; pairs whose mentee is taken or mentor full are dropped a million
    # at a time before the Python loop sees them.
    for start in range(0, len(order), 1_000_000):
        part = order[start : start + 1_000_000]
        part = part[~taken[rows[part]] & (left[cols[part]] > 0)]
        for i, j, s in zip(
            rows[part].tolist(), cols[part].tolist(), vals[part].tolist(), strict=True
        ):
            if not taken[i] and left[j] > 0:
                taken[i] = True
                left[j] -= 1
                total += s
                matched += 1
    return matched, total


def _one(size: tuple[int, int], queue: Any) -> None:
    from bench.population import round_problem
    from matching.pipeline import round_graph, solve_round

    n, m = size
    # Built by the service's own build step, from rows shaped as the repository loads them.
    problem = round_problem(n, m)
    cap = problem.capacity
    stage_peaks: dict[str, int] = {}

    def record(fraction: float, message: str) -> None:
        # Peak RSS so far, at each stage boundary: what features + scores and then the
        # assignment needed at most (ru_maxrss never goes down).
        stage_peaks[message] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)

    t = time.perf_counter()
    result = solve_round(problem, record)
    wall = time.perf_counter() - t
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out: dict[str, Any] = {
        "mentees": n,
        "mentors": m,
        "wall_s": round(wall, 2),
        **{k: round(v, 2) for k, v in result.timings.items() if k != "total_s"},
        "peak_rss_mib": round(peak_mib),
        "peak_rss_mib_after_scores": stage_peaks.get("solving"),
        "peak_rss_mib_after_assign": stage_peaks.get("explaining"),
        "coverage": result.metrics.coverage,
        "total_score": result.metrics.total_score,
        "certificate": result.metrics.as_dict()["certificate"],
    }
    # Greedy baseline and the independent full-graph optimum use the round's own graph.
    graph = round_graph(problem)
    rows = np.repeat(np.arange(n), np.diff(graph.pairs.indptr))
    cols = graph.pairs.cols.astype(np.int64)
    vals = graph.pairs.scores(slice(None))
    g_matched, g_total = _greedy(rows, cols, vals, np.asarray(cap), n)
    solver_total = sum(match.score for match in result.matches)
    out["greedy"] = {
        "coverage": round(g_matched / n, 4),
        "score_vs_optimum": round(g_total / solver_total, 4),
    }
    if n <= FULL_GRAPH_CHECK_UP_TO:
        from matching.flow import solve_flow

        t = time.perf_counter()
        full = solve_flow(n, m, np.asarray(cap, dtype=np.int64), rows, cols, vals)
        out["full_graph_exact"] = {
            "seconds": round(time.perf_counter() - t, 2),
            "arcs": len(rows),
            "matched_equal": full.matched == int((result.assignment >= 0).sum()),
            "score_difference": float(abs(full.total - solver_total)),
        }
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
    from bench.versus import versus

    queue = ctx.Queue()
    proc = ctx.Process(target=versus, args=(queue,))
    proc.start()
    side_by_side = queue.get()
    proc.join()
    return {"sizes": results, "assign_vs_scipy": side_by_side}
