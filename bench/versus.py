"""`matching.assign` against SciPy's exact dense assignment, on one instance, in one run.

The instance: 10,000 mentees x 3,000 mentors, each pair allowed with probability 0.4533
(about 13.6 million allowed pairs) and scored uniformly in [0, 1), with the demo generator's
mentor capacities. SciPy solves it as a rectangular assignment over mentor places: mentor
``j`` is repeated ``capacity[j]`` times, an allowed pair costs ``-(n + 1 + score)`` and any
other pair 0, so the optimum first matches the most mentees, then maximises the total score,
which is :func:`matching.assign`'s objective. Both must reach the same matched count and
total score; the figures are the two wall times and their ratio.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

N_MENTEES, N_MENTORS = 10_000, 3_000
DENSITY = 0.4533
SEED = 2027


def instance(
    n: int = N_MENTEES, m: int = N_MENTORS, density: float = DENSITY, seed: int = SEED
) -> tuple[sp.csr_matrix, npt.NDArray[np.int64]]:
    """A random score matrix (stored entries are the allowed pairs) and mentor capacities."""
    from service.demo.generator import generate_people

    rng = np.random.default_rng(seed)
    indptr = [np.zeros(1, np.int64)]
    indices, data = [], []
    done = 0
    for lo in range(0, n, 1000):
        allowed = rng.random((min(lo + 1000, n) - lo, m), dtype=np.float32) < density
        counts = allowed.sum(axis=1)
        indptr.append(done + np.cumsum(counts))
        done += int(counts.sum())
        indices.append(np.nonzero(allowed)[1].astype(np.int32))
        data.append(rng.random(int(counts.sum())))
    scores = sp.csr_matrix(
        (np.concatenate(data), np.concatenate(indices), np.concatenate(indptr)), shape=(n, m)
    )
    people = generate_people(0, m, random_state=seed)
    capacity = np.array([int(p["mentor_capacity"]) for p in people], dtype=np.int64)  # type: ignore[call-overload]
    return scores, capacity


def scipy_dense(
    scores: sp.csr_matrix, capacity: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], float, float]:
    """(mentor per mentee or -1, seconds building the dense cost, seconds solving it)."""
    from scipy.optimize import linear_sum_assignment

    t = time.perf_counter()
    n, m = scores.shape
    places = np.repeat(np.arange(m), capacity)
    allowed = np.zeros((n, m), dtype=bool)
    allowed[np.repeat(np.arange(n), np.diff(scores.indptr)), scores.indices] = True
    cost = scores.toarray()[:, places]
    cost += n + 1.0
    np.negative(cost, out=cost)
    cost[~allowed[:, places]] = 0.0
    built = time.perf_counter() - t
    rows, cols = linear_sum_assignment(cost)
    solved = time.perf_counter() - t - built
    result = np.full(n, -1, dtype=np.int64)
    good = allowed[rows, places[cols]]
    result[rows[good]] = places[cols[good]]
    return result, built, solved


def _value(result: npt.NDArray[np.int64], scores: sp.csr_matrix) -> tuple[int, float]:
    """(matched mentees, total score) of an assignment."""
    matched = np.flatnonzero(result >= 0)
    return len(matched), float(np.asarray(scores[matched, result[matched]]).sum())


def versus(queue: Any) -> None:
    """Time both solvers on :func:`instance` and put their figures on ``queue``."""
    from matching import assign

    scores, capacity = instance()
    t = time.perf_counter()
    ours = assign(scores, capacity)
    ours_s = time.perf_counter() - t
    theirs, built_s, solved_s = scipy_dense(scores, capacity)
    (matched, total), (s_matched, s_total) = _value(ours, scores), _value(theirs, scores)
    if matched != s_matched or abs(total - s_total) > 1e-9 * max(1.0, abs(s_total)):
        raise AssertionError(f"assign: {matched}, {total}; SciPy: {s_matched}, {s_total}")
    queue.put(
        {
            "mentees": scores.shape[0],
            "mentors": scores.shape[1],
            "allowed_pairs": int(scores.nnz),
            "places": int(capacity.sum()),
            "matched": matched,
            "total_score": round(total, 6),
            "score_difference": abs(total - s_total),
            "assign_s": round(ours_s, 2),
            "scipy_dense_s": round(built_s + solved_s, 2),
            "scipy_dense_build_s": round(built_s, 2),
            "scipy_dense_solve_s": round(solved_s, 2),
            "speedup": round((built_s + solved_s) / ours_s, 1),
            "speedup_vs_solve_alone": round(solved_s / ours_s, 1),
        }
    )
