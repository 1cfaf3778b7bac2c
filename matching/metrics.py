"""Round metrics: coverage, score distribution, mentor load, stability and fairness."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

#: The fairness table's timezone bands by key, with their labels. A UTC offset of BAND_WEST
#: hours or less is the Americas, BAND_EAST or more Asia/Pacific, Europe/Africa in between.
Band = Literal["americas", "europe_africa", "asia_pacific"]
TIMEZONE_BANDS: Mapping[Band, str] = {
    "americas": "Americas (UTC-3 and west)",
    "europe_africa": "Europe/Africa (UTC-3 to +3)",
    "asia_pacific": "Asia/Pacific (UTC+3 and east)",
}
BAND_WEST = -3.0
BAND_EAST = 3.0


def timezone_band(offset_hours: float) -> Band:
    """The key of the timezone band (:data:`TIMEZONE_BANDS`) of a UTC offset in hours."""
    if offset_hours <= BAND_WEST:
        return "americas"
    if offset_hours < BAND_EAST:
        return "europe_africa"
    return "asia_pacific"


@dataclass(frozen=True)
class ScoreSummary:
    """Matched scores: mean, median, 10th percentile and minimum (None when nobody matched)."""

    mean: float | None
    median: float | None
    p10: float | None
    min: float | None


@dataclass(frozen=True)
class MentorLoad:
    """How full the mentors are: a histogram of mentees per mentor, places used and offered."""

    histogram: dict[str, int]
    capacity_used: int
    capacity_total: int
    mentors_at_capacity: int


@dataclass(frozen=True)
class GroupFigures:
    """One row of the fairness table: a group of mentees, its coverage and mean score."""

    group: str
    mentees: int
    coverage: float
    mean_score: float | None


@dataclass(frozen=True)
class CertificateFigures:
    """The optimality certificate: rounds, candidate pairs of allowed pairs, gap bound."""

    rounds: int
    candidate_pairs: int
    allowed_pairs: int
    gap_bound: float


@dataclass(frozen=True)
class RoundMetrics:
    """Figures an organiser reviews before publishing (one mode's assignment)."""

    mode: str
    mentees: int
    matched: int
    coverage: float
    total_score: float
    score: ScoreSummary
    mentor_load: MentorLoad
    blocking_pairs: int
    #: Per grouping (country, timezone band, experience band), a row per group.
    fairness: dict[str, list[GroupFigures]] = field(default_factory=dict)
    #: The certified solve's proof, for the optimal mode.
    certificate: CertificateFigures | None = None

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return asdict(self)


def score_summary(scores: npt.ArrayLike) -> ScoreSummary:
    """Mean, median, 10th percentile and minimum of matched scores (None when empty)."""
    s = np.asarray(scores, dtype=np.float64)
    if s.size == 0:
        return ScoreSummary(None, None, None, None)
    return ScoreSummary(
        mean=round(float(s.mean()), 4),
        median=round(float(np.median(s)), 4),
        p10=round(float(np.percentile(s, 10)), 4),
        min=round(float(s.min()), 4),
    )


def round_metrics(
    assignment: npt.ArrayLike,
    pair_scores: npt.ArrayLike,
    capacity: npt.ArrayLike,
    blocking: int,
    groups: Mapping[str, Sequence[str]] | None = None,
    *,
    mode: str = "optimal",
    certificate: CertificateFigures | None = None,
) -> RoundMetrics:
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
    mode : str, default="optimal"
        The mode that produced ``assignment``.
    certificate : CertificateFigures, optional
        The optimality certificate of ``assignment``, when it has one.

    Returns
    -------
    RoundMetrics
    """
    match = np.asarray(assignment, dtype=np.int64)
    scores = np.asarray(pair_scores, dtype=np.float64)
    cap = np.asarray(capacity, dtype=np.int64)
    matched = match >= 0
    load = np.bincount(match[matched], minlength=len(cap)) if len(cap) else np.zeros(0, np.int64)
    hist = {str(k): int(v) for k, v in enumerate(np.bincount(load)) if v} if load.size else {}
    fairness: dict[str, list[GroupFigures]] = {}
    for name, labels in (groups or {}).items():
        arr = np.asarray(labels, dtype=object)
        rows = []
        for label in sorted(set(arr.tolist())):
            sel = arr == label
            sel_matched = sel & matched
            mean = round(float(scores[sel_matched].mean()), 4) if sel_matched.any() else None
            rows.append(
                GroupFigures(
                    group=label,
                    mentees=int(sel.sum()),
                    coverage=round(float(sel_matched.sum() / sel.sum()), 4),
                    mean_score=mean,
                )
            )
        fairness[name] = rows
    n = len(match)
    return RoundMetrics(
        mode=mode,
        mentees=n,
        matched=int(matched.sum()),
        coverage=round(float(matched.sum() / n), 4) if n else 0.0,
        total_score=round(float(scores[matched].sum()), 6),
        score=score_summary(scores[matched]),
        mentor_load=MentorLoad(
            histogram=hist,
            capacity_used=int(load.sum()),
            capacity_total=int(cap.sum()),
            mentors_at_capacity=int(np.sum((load >= cap) & (cap > 0))),
        ),
        blocking_pairs=blocking,
        fairness=fairness,
        certificate=certificate,
    )
