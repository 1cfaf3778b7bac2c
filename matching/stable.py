"""Mentee-proposing deferred acceptance with mentor capacities (hospitals/residents)."""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]


def _ranks(mentor_prefs: Sequence[Sequence[int]]) -> list[dict[int, int]]:
    return [{int(i): r for r, i in enumerate(prefs)} for prefs in mentor_prefs]


def stable(
    mentee_prefs: Sequence[Sequence[int]],
    mentor_prefs: Sequence[Sequence[int]],
    capacity: npt.ArrayLike,
) -> IntArray:
    """Mentee-optimal stable matching with capacities.

    Parameters
    ----------
    mentee_prefs : sequence of sequences of int
        ``mentee_prefs[i]`` lists the mentors mentee ``i`` accepts, best first.
    mentor_prefs : sequence of sequences of int
        ``mentor_prefs[j]`` lists the mentees mentor ``j`` accepts, best first. A pair is
        acceptable only if each lists the other.
    capacity : array_like of int
        Maximum number of mentees per mentor.

    Returns
    -------
    numpy.ndarray of int64
        Per mentee, the mentor index or -1. The result has no blocking pair and every mentee
        gets the best mentor they can have in any stable matching (Gale and Shapley, 1962;
        Roth, 1984 for the capacitated case).
    """
    cap = np.asarray(capacity, dtype=np.int64)
    n, m = len(mentee_prefs), len(mentor_prefs)
    if cap.shape != (m,):
        raise ValueError(f"capacity has shape {cap.shape}, expected ({m},)")
    if np.any(cap < 0):
        raise ValueError("capacity must be non-negative")
    rank = _ranks(mentor_prefs)
    # Per mentor, a max-heap (by rank) of the mentees it holds: the worst is at the top.
    held: list[list[tuple[int, int]]] = [[] for _ in range(m)]
    nxt = [0] * n
    result = np.full(n, -1, dtype=np.int64)
    free = deque(range(n))
    while free:
        i = free.popleft()
        prefs = mentee_prefs[i]
        while nxt[i] < len(prefs):
            j = int(prefs[nxt[i]])
            nxt[i] += 1
            r = rank[j].get(i)
            if r is None or cap[j] == 0:
                continue
            if len(held[j]) < cap[j]:
                heapq.heappush(held[j], (-r, i))
                result[i] = j
                break
            worst_rank, worst = held[j][0]
            if -worst_rank > r:
                heapq.heapreplace(held[j], (-r, i))
                result[i] = j
                result[worst] = -1
                free.append(worst)
                break
    return result


def blocking_pairs(
    assignment: npt.ArrayLike,
    mentee_prefs: Sequence[Sequence[int]],
    mentor_prefs: Sequence[Sequence[int]],
    capacity: npt.ArrayLike,
) -> list[tuple[int, int]]:
    """Pairs that would both rather be together than with what ``assignment`` gives them.

    Parameters
    ----------
    assignment : array_like of int
        Per mentee, the mentor index or -1.
    mentee_prefs, mentor_prefs, capacity
        As for :func:`stable`.

    Returns
    -------
    list of (mentee, mentor)
        Every blocking pair; empty for a stable matching.
    """
    match = np.asarray(assignment, dtype=np.int64)
    cap = np.asarray(capacity, dtype=np.int64)
    rank = _ranks(mentor_prefs)
    load = np.bincount(match[match >= 0], minlength=len(mentor_prefs))
    worst = [-1] * len(mentor_prefs)
    for i, j in enumerate(match):
        if j >= 0:
            r = rank[j].get(i, len(rank[j]))
            worst[j] = max(worst[j], r)
    out: list[tuple[int, int]] = []
    for i, prefs in enumerate(mentee_prefs):
        for j in prefs:
            j = int(j)
            if j == match[i]:
                break  # mentors after the current one are worse for i
            r = rank[j].get(i)
            if r is None:
                continue
            if load[j] < cap[j] or r < worst[j]:
                out.append((i, j))
    return out
