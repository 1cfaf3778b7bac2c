"""Weekly availability as UTC minute-of-week intervals, and the overlap between two people."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

WEEK_MINUTES = 7 * 24 * 60


def weekly_intervals(starts: Iterable[int], ends: Iterable[int]) -> list[tuple[int, int]]:
    """Normalise minute-of-week spans to sorted, merged intervals inside ``[0, WEEK_MINUTES)``.

    Parameters
    ----------
    starts, ends : iterable of int
        Span bounds in minutes from Monday 00:00 UTC; they may fall outside the week (a local
        Monday 00:30 in UTC+2 is Sunday 22:30 UTC, i.e. -90) and are wrapped around it.

    Returns
    -------
    list of (start, end)
        Disjoint half-open intervals, sorted by start.
    """
    pieces: list[tuple[int, int]] = []
    for s, e in zip(starts, ends, strict=True):
        if e <= s:
            continue
        length = min(e - s, WEEK_MINUTES)
        s %= WEEK_MINUTES
        e = s + length
        if e <= WEEK_MINUTES:
            pieces.append((s, e))
        else:
            pieces.append((s, WEEK_MINUTES))
            pieces.append((0, e - WEEK_MINUTES))
    pieces.sort()
    merged: list[tuple[int, int]] = []
    for s, e in pieces:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def overlap_minutes(a: Sequence[tuple[int, int]], b: Sequence[tuple[int, int]]) -> int:
    """Minutes per week that two normalised interval lists share.

    Parameters
    ----------
    a, b : sequence of (start, end)
        Outputs of :func:`weekly_intervals`.

    Returns
    -------
    int
        Total overlap in minutes.
    """
    if not a or not b:
        return 0
    sa = np.asarray(a, dtype=np.int64)
    sb = np.asarray(b, dtype=np.int64)
    lo = np.maximum(sa[:, None, 0], sb[None, :, 0])
    hi = np.minimum(sa[:, None, 1], sb[None, :, 1])
    return int(np.clip(hi - lo, 0, None).sum())
