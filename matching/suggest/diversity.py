"""Quota re-ranking: a top list that mixes associations, events and volunteering, and never
fills up with the sessions of one series."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

#: The groups the top of the list mixes.
GROUPS = ("association", "event", "volunteering")


@dataclass(frozen=True)
class Candidate:
    """What re-ranking needs of a scored, feasible item."""

    index: int
    score: float
    group: str
    series: str | None


def rerank(
    candidates: Sequence[Candidate],
    n: int,
    window: int = 10,
    max_per_series: int = 2,
    max_group_share: float = 0.6,
) -> list[Candidate]:
    """Up to ``n`` candidates: greedy by score under quotas.

    Parameters
    ----------
    candidates : sequence of Candidate
        Any order; ties are broken by ``index``.
    n : int
        How many to return.
    window : int, default=10
        The top positions where every group with a candidate gets at least one place and no
        group more than ``max_group_share`` of them (unless nothing else is left).
    max_per_series : int, default=2
        At most this many sessions of one series anywhere in the list.
    max_group_share : float, default=0.6
        Share of the window one group may take while other groups have candidates.

    Returns
    -------
    list of Candidate
        Best first; a series quota is never exceeded.
    """
    ranked = sorted(candidates, key=lambda c: (-c.score, c.index))
    per_series: Counter[str] = Counter()
    ranked = [c for c in ranked if c.series is None or _take(per_series, c.series, max_per_series)]
    present = {c.group for c in ranked}
    cap = max(1, int(max_group_share * window))
    chosen: list[Candidate] = []
    used: Counter[str] = Counter()
    remaining = list(ranked)
    while remaining and len(chosen) < n:
        position = len(chosen)
        pick = 0
        if position < window:
            missing = [g for g in GROUPS if g in present and used[g] == 0]
            slots_left = min(window, n) - position
            allowed = [
                i
                for i, c in enumerate(remaining)
                if (len(missing) < slots_left or c.group in missing)
                and (used[c.group] < cap or _only(remaining, c.group))
            ]
            pick = allowed[0] if allowed else 0
        best = remaining.pop(pick)
        used[best.group] += 1
        chosen.append(best)
    return chosen


def _take(counter: Counter[str], key: str, limit: int) -> bool:
    counter[key] += 1
    return counter[key] <= limit


def _only(remaining: Sequence[Candidate], group: str) -> bool:
    return all(c.group == group for c in remaining)
