"""Recommender latency at full size: 50,000 people, 500 associations, 5,000 events.

In a fresh process (so its peak memory is its own): generate the world, time
:meth:`~matching.suggest.Recommender.fit`, then time ``suggest`` (wall and thread CPU time)
for ``SAMPLE`` people one at a time (p50 and p99: a refresh after someone's membership, RSVP
or profile changed) and ``suggest_many`` in the worker's batches (throughput of the
precomputation for everyone).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import resource
import time
from typing import Any

import numpy as np

SIZE = (50_000, 500, 5_000)
SAMPLE = 1_000


def _run(size: tuple[int, int, int], queue: Any) -> None:
    from bench.suggest_population import world
    from matching.suggest import Recommender

    t = time.perf_counter()
    w = world(*size)
    generate_s = time.perf_counter() - t
    rss_world = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t = time.perf_counter()
    model = Recommender(goal_needs=w.goal_needs).fit(w.people, w.items, w.edges)
    fit_s = time.perf_counter() - t
    rng = np.random.default_rng(0)
    keys = [w.people[i].key for i in rng.choice(len(w.people), SAMPLE, replace=False)]
    times, cpu = [], []
    for key in keys:
        t, c = time.perf_counter(), time.thread_time()
        model.suggest(key, w.now, 10)
        times.append(time.perf_counter() - t)
        cpu.append(time.thread_time() - c)
    t = time.perf_counter()
    model.suggest_many(keys, w.now, 10)
    batched = (time.perf_counter() - t) / len(keys)
    ms, cpu_ms = np.array(times) * 1000, np.array(cpu) * 1000
    queue.put(
        {
            "people": size[0],
            "associations": size[1],
            "events": size[2],
            "edges": len(w.edges),
            "graph_nodes": model.n_nodes_,
            "graph_edges": int(model.transition_.nnz // 2),
            "generate_s": round(generate_s, 1),
            "fit_s": round(fit_s, 1),
            "suggest_p50_ms": round(float(np.percentile(ms, 50)), 1),
            "suggest_p99_ms": round(float(np.percentile(ms, 99)), 1),
            "suggest_max_ms": round(float(ms.max()), 1),
            # CPU time of the thread: what the figures are without other processes' load.
            "suggest_cpu_p50_ms": round(float(np.percentile(cpu_ms, 50)), 1),
            "suggest_cpu_p99_ms": round(float(np.percentile(cpu_ms, 99)), 1),
            "load_average_1min": round(os.getloadavg()[0], 1),
            "suggest_many_ms_per_person": round(batched * 1000, 1),
            "peak_rss_mib_world": round(rss_world),
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        }
    )


def measure(size: tuple[int, int, int] = SIZE) -> dict[str, Any]:
    """Fit and suggest figures at ``size`` (people, associations, events), in a fresh process."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_run, args=(size, queue))
    proc.start()
    out: dict[str, Any] = queue.get()
    proc.join()
    return out


def main() -> dict[str, Any]:
    """Latency figures at full size."""
    return measure()
