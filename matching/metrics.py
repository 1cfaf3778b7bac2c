"""Round metrics: coverage, score distribution, mentor load, stability and fairness."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt


def score_summary(scores: npt.ArrayLike) -> dict[str, float | None]:
    """Mean, median, 10th percentile and minimum of matched scores (None when empty)."""
    s = np.asarray(scores, dtype=np.float64)
    if s.size == 0:
        return {"mean": None, "median": None, "p10": None, "min": None}
    return {
        "mean": round(float(s.mean()), 4),
        "median": round(float(np.median(s)), 4),
        "p10": round(float(np.percentile(s, 10)), 4),
        "min": round(float(s.min()), 4),
    }


def round_metrics(
    assignment: npt.ArrayLike,
    pair_scores: npt.ArrayLike,
    capacity: npt.ArrayLike,
    blocking: int,
    groups: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, Any]:
    """Figures an organiser reviews before publishing.

    Parameters
    ----------
    assignment : array_like of int
        Per mentee, the mentor index or -1.
    pair_scores : array_like of float
        Per mentee, the score of its pair (ignored where unmatched).
    capacity : array_like of int
        Per mentor capacity.
    blocking : int
        Number of blocking pairs (see :func:`matching.stable.blocking_pairs`).
    groups : mapping of str to sequence of str, optional
        Per grouping (e.g. ``"country"``), each mentee's group label, for the fairness table.

    Returns
    -------
    dict
        ``coverage``, ``matched``, ``mentees``, ``score``, ``mentor_load``, ``blocking_pairs``
        and ``fairness``.
    """
    match = np.asarray(assignment, dtype=np.int64)
    scores = np.asarray(pair_scores, dtype=np.float64)
    cap = np.asarray(capacity, dtype=np.int64)
    matched = match >= 0
    load = np.bincount(match[matched], minlength=len(cap)) if len(cap) else np.zeros(0, np.int64)
    hist = {str(k): int(v) for k, v in enumerate(np.bincount(load)) if v} if load.size else {}
    fairness: dict[str, list[dict[str, Any]]] = {}
    for name, labels in (groups or {}).items():
        arr = np.asarray(labels, dtype=object)
        rows = []
        for label in sorted(set(arr.tolist())):
            sel = arr == label
            sel_matched = sel & matched
            rows.append(
                {
                    "group": label,
                    "mentees": int(sel.sum()),
                    "coverage": round(float(sel_matched.sum() / sel.sum()), 4),
                    "mean_score": round(float(scores[sel_matched].mean()), 4)
                    if sel_matched.any()
                    else None,
                }
            )
        fairness[name] = rows
    n = len(match)
    return {
        "mentees": n,
        "matched": int(matched.sum()),
        "coverage": round(float(matched.sum() / n), 4) if n else 0.0,
        "score": score_summary(scores[matched]),
        "mentor_load": {
            "histogram": hist,
            "capacity_used": int(load.sum()),
            "capacity_total": int(cap.sum()),
            "mentors_at_capacity": int(np.sum((load >= cap) & (cap > 0))),
        },
        "blocking_pairs": blocking,
        "fairness": fairness,
    }
